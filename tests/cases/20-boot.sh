# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Booting, idling and every way a background guest ends: the root-mount
# panic, SIGTERM, SIGINT, SIGHUP, SIGKILL.  After each, nothing of the
# guest may remain.  Sourced by tests/run.

# boot_panic: with no root file system the kernel comes up, then panics.
boot_panic() {
	local log=$TEST_DIR/panic.log why=()
	CHECK_LOGS=("$log" "$log.err")
	tmp_listing >"$log.tmp"
	if ! guest_run "$BOOT_TIMEOUT" "$log" "mem=$BOOT_MEM"; then
		fail boot "still running after ${BOOT_TIMEOUT}s, killed" "${CHECK_LOGS[@]}"
		return
	fi
	grep -aq 'Linux version 6\.12' "$log" ||
		why+=("no \"Linux version 6.12\" on stdout")
	verdict boot "${why[@]}"
	why=()
	grep -aqF "$PANIC_TEXT" "$log" || why+=("no \"$PANIC_TEXT\" on stdout")
	[ "$GUEST_STATUS" -ne 0 ] || why+=("exit status 0")
	verdict panic-without-root "${why[@]}"
	check_clean_exit "" panic "$GUEST_PROCS" "$GUEST_PID" "$log.tmp" "${CHECK_LOGS[@]}"
}

# idle_start NAME: boot a guest to the idle state, logging to
# TEST_DIR/NAME.log.  On failure sets IDLE_WHY and returns 1, guest ended.
# (Not run in $(...): the guest must be a child of the runner's shell.)
idle_start() {
	local log=$TEST_DIR/$1.log
	CHECK_LOGS=("$log" "$log.err")
	tmp_listing >"$log.tmp"
	guest_start "$log" "${IDLE_ARGS[@]}"
	guest_wait_log "$IDLE_RE" "$BOOT_TIMEOUT"
	case $? in
	0) return 0 ;;
	1) guest_wait_exit
	   IDLE_WHY="ended with status $GUEST_STATUS before the rootwait message" ;;
	*) guest_stop KILL
	   IDLE_WHY="no rootwait message within ${BOOT_TIMEOUT}s, killed" ;;
	esac
	return 1
}

# Guest memory is a shared memfd mapping of at least mem= bytes.
physmem_memfd() {
	local out
	if out=$(python3 "$LIB/physmem.py" "$GUEST_PID" "$BOOT_MEM"); then
		pass physmem-memfd
	else
		fail physmem-memfd "$out" "${CHECK_LOGS[@]}"
	fi
}

# An idle guest sleeps in the host: under 0.5 s of CPU in 10 s.
idle_cpu() {
	local before after used
	before=$(python3 "$LIB/proctree.py" cputime "$GUEST_PID")
	sleep 10
	after=$(python3 "$LIB/proctree.py" cputime "$GUEST_PID")
	guest_record
	if ! guest_running; then
		fail idle-cpu "the guest ended while idle" "${CHECK_LOGS[@]}"
		return
	fi
	used=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
	if awk -v u="$used" 'BEGIN { exit !(u < 0.5) }'; then
		pass idle-cpu
	else
		fail idle-cpu "${used}s of host CPU in 10s idle" "${CHECK_LOGS[@]}"
	fi
}

# idle_end HOW SIGNAL STATUS CHECK [EXTRA...]: boot to idle, run the EXTRA
# check functions (each named as its check, with _ for -), end the guest
# with SIGNAL and expect exit STATUS.
idle_end() {
	local how=$1 sig=$2 want=$3 name=$4 extra
	shift 4
	if ! idle_start "$how"; then
		fail "$name" "$IDLE_WHY" "${CHECK_LOGS[@]}"
		for extra in "$@"; do
			fail "${extra//_/-}" "no idle guest: $IDLE_WHY"
		done
		return
	fi
	for extra in "$@"; do
		"$extra"
	done
	if ! guest_stop "$sig"; then
		fail "$name" "still running ${STOP_TIMEOUT}s after SIG$sig, killed" \
			"${CHECK_LOGS[@]}"
		return
	fi
	check "$name" "exit status $GUEST_STATUS after SIG$sig, want $want" \
		test "$GUEST_STATUS" -eq "$want"
	check_clean_exit "" "$how" "$GUEST_PROCS" "$GUEST_PID" \
		"$TEST_DIR/$how.log.tmp" "${CHECK_LOGS[@]}"
}

# What the host sees of a running guest program: its address-space
# process maps guest memory (the program's pages, the stub) and nothing of
# the kernel's process (tests/lib/aspace_maps.py).
aspace_maps() {
	local img=$TEST_DIR/aspace.img log=$TEST_DIR/aspace.log out
	if ! "$TOP/tools/mkinitramfs" -o "$img" \
		--cmd 'echo aspace-ready; exec sleep 600' >"$img.log" 2>&1; then
		fail aspace-maps-image "mkinitramfs failed" "$img.log"
		return
	fi
	chmod o+r "$img"
	CHECK_LOGS=("$log" "$log.err")
	tmp_listing >"$log.tmp"
	guest_start "$log" "mem=$BOOT_MEM" "initrd=$img"
	if ! guest_wait_log '^aspace-ready' "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail aspace-maps "the guest program did not start" "${CHECK_LOGS[@]}"
		return
	fi
	if out=$(python3 "$LIB/aspace_maps.py" "$GUEST_PID" 2>&1); then
		pass aspace-maps-only-guest-memory
	else
		echo "$out" >"$log.maps"
		fail aspace-maps-only-guest-memory "see below" "$log.maps"
	fi
	# This init is a script that ignores poweroff's signal: after its
	# grace the kernel syncs and powers off by itself.
	guest_stop TERM
	check sigterm-forces-poweroff-past-a-deaf-init \
		"exit status $GUEST_STATUS after SIGTERM, want 0" \
		test "$GUEST_STATUS" -eq 0
	check_clean_exit "" aspace "$GUEST_PROCS" "$GUEST_PID" "$log.tmp" "${CHECK_LOGS[@]}"
}

# The guest's clocks: /proc/uptime, read as soon as init runs, is less
# than the whole boot took as the host saw it (it counts from the guest's
# boot, not the host's), and CLOCK_REALTIME is the host's wall time.
guest_clock() {
	local img=$TEST_DIR/clock.img log=$TEST_DIR/clock.log why=()
	local t0 t1 up wall
	if ! "$TOP/tools/mkinitramfs" -o "$img" \
		--cmd 'echo "clock uptime $(cut -d" " -f1 /proc/uptime) wall $(date +%s)"' \
		>"$img.log" 2>&1; then
		fail guest-clock-image "mkinitramfs failed" "$img.log"
		return
	fi
	chmod o+r "$img"
	CHECK_LOGS=("$log" "$log.err")
	t0=$(date +%s.%N)
	if ! guest_run "$BOOT_TIMEOUT" "$log" "mem=$BOOT_MEM" "initrd=$img"; then
		fail guest-clock "still running after ${BOOT_TIMEOUT}s, killed" "${CHECK_LOGS[@]}"
		return
	fi
	t1=$(date +%s.%N)
	read -r up wall < <(tr -d '\r' <"$log" | sed -n 's/^clock uptime \([0-9.]*\) wall \([0-9]*\)$/\1 \2/p')
	if [ -z "$up" ] || [ -z "$wall" ]; then
		fail guest-clock "no clock line from the guest" "${CHECK_LOGS[@]}"
		return
	fi
	awk -v u="$up" -v a="$t0" -v b="$t1" 'BEGIN { exit !(u <= b - a) }' ||
		why+=("uptime $up s, but the whole run took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s")
	verdict guest-uptime-counts-from-its-boot "${why[@]}"
	why=()
	# date +%s truncates: the guest's second lies within the host's run.
	awk -v w="$wall" -v a="$t0" -v b="$t1" 'BEGIN { exit !(w >= int(a) && w <= b) }' ||
		why+=("guest wall time $wall, host's run from $t0 to $t1")
	verdict guest-realtime-is-the-hosts "${why[@]}"
}

boot_panic
guest_clock
aspace_maps
idle_end sigterm TERM 0 poweroff-on-sigterm physmem_memfd idle_cpu
idle_end sigint INT 0 poweroff-on-sigint
idle_end sighup HUP 0 poweroff-on-sighup
idle_end sigkill KILL 137 sigkill-status-137

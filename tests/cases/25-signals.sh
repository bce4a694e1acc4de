# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Signals from outside reach the guest's host processes all at once: the
# way timeout(1), a shell killing a job, or systemd stopping a cgroup end
# a guest.  Only the kernel's own process may act on them (an orderly
# power-off, file systems synced); its address-space processes pass them
# over, so no guest program (init above all) is killed by them.  A SIGKILL
# of one address-space process kills only the guest program living there.
# Each guest boots the busybox image, writes and syncs a file, and is then
# ended; the image must check clean and hold the file.  Sourced by
# tests/run.

SIG_IMG_BASE=$TEST_DIR/signals-base.img

# sig_image: the busybox image the cases copy; its init writes a marker
# file named by the kernel command line (sigmark=WORD), syncs, says so,
# then waits for its end.
sig_image() {
	[ -f "$SIG_IMG_BASE" ] && return 0
	"$TOP/tools/mkrootimg" -o "$SIG_IMG_BASE" -s 64M --cmd '
m=$(sed -n "s/.*sigmark=\([a-z0-9-]*\).*/\1/p" /proc/cmdline)
echo "$m" >/marker
sync
echo "marker-synced $m"
case " $(cat /proc/cmdline) " in
*" sigsleeper "*)
	sleep 600 &
	# wait for its exec: the newest address space is then the sleeper
	while [ "$(cat /proc/$!/comm)" != sleep ]; do :; done
	echo "sleeper-started $!"
	wait $!
	echo "sleeper-ended $?"
	echo "guest-still-alive"
	while :; do sleep 1; done ;;
*)
	while :; do sleep 1; done ;;
esac' >"$SIG_IMG_BASE.log" 2>&1
}

# sig_check_image NAME IMG MARK: e2fsck finds IMG clean and /marker holds MARK.
sig_check_image() {
	local name=$1 img=$2 mark=$3 got why=()
	e2fsck -fn "$img" >"$img.fsck" 2>&1 || why+=("e2fsck: $(tail -n 1 "$img.fsck")")
	got=$(debugfs -R 'cat /marker' "$img" 2>/dev/null)
	[ "$got" = "$mark" ] || why+=("/marker holds \"$got\", want \"$mark\"")
	verdict "$name-image-clean" "${why[@]}"
}

# sig_run NAME WAIT-STATUS HOW [PREFIX...]: boot a copy of the image as
# PREFIX... ./linux (PREFIX runs as us, ./linux as the guest user), with
# the parameters of SIG_EXTRA too, wait for the synced marker, end it with HOW (a
# function given the guest's pid), and check the exit status, the
# power-off, the image and what is left on the host.
sig_run() {
	local name=$1 want=$2 how=$3 img=$TEST_DIR/$1.img log=$TEST_DIR/$1.log
	local mark="m$RANDOM$RANDOM" saved=("${GUEST_CMD[@]}") why=()
	shift 3
	cp --sparse=always "$SIG_IMG_BASE" "$img"
	chmod 666 "$img"
	CHECK_LOGS=("$log" "$log.err")
	tmp_listing >"$log.tmp"
	GUEST_CMD=(env --default-signal "$@" "${AS_GUEST[@]}" "$LINUX")
	guest_start "$log" "ubd0=$img" "mem=$BOOT_MEM" "sigmark=$mark" "${SIG_EXTRA[@]}"
	GUEST_CMD=("${saved[@]}")
	if ! guest_wait_log "^marker-synced $mark" "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail "$name" "the guest never wrote its marker" "${CHECK_LOGS[@]}"
		return
	fi
	"$how" "$GUEST_PID"
	if ! guest_wait_exit "$STOP_TIMEOUT"; then
		guest_stop KILL
		fail "$name" "still running ${STOP_TIMEOUT}s after the signal, killed" \
			"${CHECK_LOGS[@]}"
		return
	fi
	[ "$GUEST_STATUS" -eq "$want" ] || why+=("exit status $GUEST_STATUS, want $want")
	grep -aq 'powering off' "$log" || why+=("no \"powering off\" from the kernel")
	grep -aq 'reboot: Power down' "$log" || why+=("no \"reboot: Power down\"")
	grep -aqE 'Kernel panic|Attempted to kill init' "$log" && why+=("the kernel panicked")
	verdict "$name" "${why[@]}"
	check_kernel_log "$name-kernel-log" "$log"
	sig_check_image "$name" "$img" "$mark"
	check_clean_exit "" "$name" "$GUEST_PROCS" "$GUEST_PID" "$log.tmp" "${CHECK_LOGS[@]}"
	rm -f "$img"
}

# timeout(1) sends its signal to the command and then to its whole process
# group.  Its timer is SIGALRM: sending that is its time running out, now.
sig_alarm() {
	kill -s ALRM "$1"
}

# kill -TERM -- -PGID: the guest was started by setsid, so its pid is its
# process group.
sig_group_term() {
	kill -s TERM -- "-$1"
}

# What systemd does to stop a unit: SIGTERM to every process of its cgroup.
sig_cgroup_term() {
	local pid
	while read -r pid; do
		kill -s TERM "$pid" 2>/dev/null
	done <"$SIG_CGROUP/cgroup.procs"
}

sig_cgroup() {
	local root
	SIG_CGROUP=
	# cgroup v2, or a v1 hierarchy of a hybrid setup: any will do.
	for root in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/pids \
		/sys/fs/cgroup/systemd; do
		[ -f "$root/cgroup.procs" ] || continue
		if mkdir "$root/linux-tests-$$" 2>/dev/null; then
			SIG_CGROUP=$root/linux-tests-$$
			break
		fi
	done
	if [ -z "$SIG_CGROUP" ]; then
		skip cgroup-sigterm "cannot make a cgroup here (needs root and a writable cgroup hierarchy)"
		return
	fi
	# The guest starts inside it, so every process it makes is in it too.
	sig_run cgroup-sigterm 0 sig_cgroup_term \
		sh -c "echo \$\$ >$SIG_CGROUP/cgroup.procs && exec \"\$@\"" sh
	rmdir "$SIG_CGROUP" 2>/dev/null ||
		fail cgroup-sigterm-cgroup-empty "processes left in $SIG_CGROUP"
}

# SIGKILL of the address-space process of the guest's "sleep 600": only
# that program dies (status 137 to its shell), and the guest goes on.
sig_kill_aspace() {
	local aspace
	grep -aq '^sleeper-started' "$GUEST_LOG" ||
		guest_wait_log '^sleeper-started' "$BOOT_TIMEOUT"
	# The newest process the kernel traces is sleep's, made by its exec.
	aspace=$(python3 "$LIB/proctree.py" traced "$1" | tail -n 1)
	if [ -z "$aspace" ]; then
		echo "no address-space process found" >>"$GUEST_LOG"
		return
	fi
	kill -s KILL "$aspace"
	guest_wait_log '^guest-still-alive' "$STOP_TIMEOUT"
	kill -s TERM "$1"
}

if ! sig_image; then
	fail signals-image "mkrootimg failed" "$SIG_IMG_BASE.log"
else
	SIG_EXTRA=()
	sig_run timeout-term 124 sig_alarm timeout -s TERM 3600
	sig_run timeout-int 124 sig_alarm timeout -s INT 3600
	sig_run group-sigterm 0 sig_group_term
	sig_cgroup
	SIG_EXTRA=(sigsleeper)
	sig_run aspace-sigkill 0 sig_kill_aspace
	if grep -aq '^sleeper-ended 137' "$TEST_DIR/aspace-sigkill.log" &&
		grep -aq '^guest-still-alive' "$TEST_DIR/aspace-sigkill.log"; then
		pass aspace-sigkill-kills-only-its-program
	else
		fail aspace-sigkill-kills-only-its-program \
			"no \"sleeper-ended 137\" and \"guest-still-alive\"" "$TEST_DIR/aspace-sigkill.log"
	fi
	rm -f "$SIG_IMG_BASE"
fi

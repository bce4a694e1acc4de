# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The console is the terminal: busybox's shell, run from an initramfs,
# used through a pseudo-terminal the way a person types at it.  Line
# editing and history are the guest's; Ctrl-C and Ctrl-Z go to the guest's
# foreground job, not to ./linux; job control works; leaving the shell
# powers off with status 0, the terminal as it was.  Sourced by tests/run.

console_session() {
	local img=$TEST_DIR/console.img log=$TEST_DIR/console.log
	local dialog=$TEST_DIR/console.dialog key line
	local -a opts
	local -A res=()
	if ! "$TOP/tools/mkinitramfs" -o "$img" >"$img.log" 2>&1; then
		fail console-image "mkinitramfs failed" "$img.log"
		return
	fi
	chmod o+r "$img"
	# NAME, what is typed, what must follow, seconds.
	printf '%s\t%s\t%s\t%s\n' \
		arithmetic 'echo $((6 * 7))\r' '\n42\r?\n' 30 \
		line-editing 'echo abX\x7fc\r' '\nabc\r?\n' 30 \
		history '\x1b[A\r' '\nabc\r?\n' 30 \
		winsize 'stty size\r' '\n24 80\r?\n' 30 \
		fg-start 'sh -c "echo fg-up; exec sleep 300"\r' '\nfg-up' 30 \
		ctrl-c '\x03' '\n[^\n]*# ' 30 \
		ctrl-c-status 'echo status=$?\r' 'status=130' 30 \
		bg-start 'sleep 200 &\r' '\n[^\n]*# ' 30 \
		jobs 'jobs\r' 'Running +sleep 200' 30 \
		fg 'fg\r' 'sleep 200\r?\n' 30 \
		ctrl-z '\x1a' 'Stopped' 30 \
		kill 'kill -9 %1; sleep 1; jobs; echo jobs-done\r' '\njobs-done' 30 \
		exit 'exit\r' 'Power down' 60 >"$dialog"

	opts=(--log "$log" --wait '# ' --wait-timeout "$BOOT_TIMEOUT"
		--dialog "$dialog" --exit-timeout "$STOP_TIMEOUT")
	[ ${#AS_GUEST[@]} -eq 0 ] || opts+=(--guest-uid "$GUEST_UID")
	tmp_listing >"$log.tmp"
	while IFS='=' read -r key line; do
		res[$key]=$line
	done < <(python3 "$LIB/pty_guest.py" "${opts[@]}" -- \
		"${GUEST_CMD[@]}" mem=128M "initrd=$img")
	CHECK_LOGS=("$log")
	if [ "${res[reached]:-}" != yes ]; then
		fail console-shell-prompt "no shell prompt" "$log"
		return
	fi
	pass console-shell-prompt
	for key in arithmetic line-editing history winsize fg-start ctrl-c \
		ctrl-c-status bg-start jobs fg ctrl-z kill exit; do
		check "console-$key" "no answer to the typing" \
			test "${res[step_$key]:-}" = ok
	done
	check console-powers-off "exit status ${res[status]:-none}" \
		test "${res[status]:-}" = 0
	check console-terminal-restored \
		"stty -g was ${res[termios_before]}, is ${res[termios_after]}" \
		test "${res[termios_before]}" = "${res[termios_after]}"
	check_clean_exit console- session "$log.procs" "$(cat "$log.pid")" \
		"$log.tmp" "$log"
}

console_session

# piped_input NAME INPUT ARG...: run ./linux ARG... with INPUT on a pipe
# as standard input, written all at once before the guest has booted, and
# closed.  Sets PIPED_LOG and GUEST_STATUS.
piped_input() {
	local name=$1 input=$2 log=$TEST_DIR/$1.log
	shift 2
	PIPED_LOG=$log
	CHECK_LOGS=("$log" "$log.err")
	printf '%b' "$input" >"$log.in"
	timeout -k 5 "$BOOT_TIMEOUT" "${GUEST_CMD[@]}" "$@" \
		<"$log.in" >"$log" 2>"$log.err"
	GUEST_STATUS=$?
}

# Commands piped in before the shell is ready run, in order; the last one
# powers off.  Then the same with end of input instead of poweroff: the
# shell exits as on Ctrl-D and the guest powers off, status 0.  With the
# default root image and with an initramfs.
console_piped() {
	local img=$TEST_DIR/piped-rd.img rootimg=$TEST_DIR/piped-root.img why
	if ! "$TOP/tools/mkinitramfs" -o "$img" >"$img.log" 2>&1 ||
		! "$TOP/tools/mkrootimg" -o "$rootimg" -s 64M >"$rootimg.log" 2>&1; then
		fail console-piped-images "mkinitramfs or mkrootimg failed" "$img.log" "$rootimg.log"
		return
	fi
	chmod a+r "$img"
	chmod a+rw "$rootimg"
	local kind args
	for kind in rootimg initramfs; do
		if [ "$kind" = rootimg ]; then
			args=("ubd0=$rootimg" "mem=$BOOT_MEM")
		else
			args=("initrd=$img" "mem=$BOOT_MEM")
		fi
		piped_input "piped-$kind" \
			'echo first-$((6 * 7))\necho second-$((6 * 8))\npoweroff\n' "${args[@]}"
		why=()
		[ "$GUEST_STATUS" -eq 0 ] || why+=("exit status $GUEST_STATUS")
		tr -d '\r' <"$PIPED_LOG" | grep -qx 'first-42' || why+=("no first-42")
		tr -d '\r' <"$PIPED_LOG" | grep -A20 -x 'first-42' | grep -qx 'second-48' ||
			why+=("no second-48 after first-42")
		verdict "console-piped-commands-run-$kind" "${why[@]}"

		piped_input "piped-eof-$kind" 'echo before-eof-$((6 * 9))\n' "${args[@]}"
		why=()
		[ "$GUEST_STATUS" -eq 0 ] || why+=("exit status $GUEST_STATUS")
		tr -d '\r' <"$PIPED_LOG" | grep -qx 'before-eof-54' || why+=("no before-eof-54")
		grep -aq 'Power down' "$PIPED_LOG" || why+=("no power-off")
		verdict "console-end-of-input-powers-off-$kind" "${why[@]}"
	done
}

console_piped

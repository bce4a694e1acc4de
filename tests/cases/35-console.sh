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

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Guests run from a terminal: a pseudo-terminal is the console.  However
# the guest ends (panic, SIGTERM, SIGINT, SIGKILL), the terminal settings
# must be as before it started, and nothing of it may remain.  Sourced by
# tests/run.

# pty_end HOW [SIGNAL STATUS]: run a guest under a pty and end it.  With
# SIGNAL, boot to idle and send it, expecting exit STATUS; without, boot
# with no root file system and expect the panic.
pty_end() {
	local how=$1 sig=${2:-} want=${3:-} log=$TEST_DIR/pty-$1.log
	local -a opts args
	local -A res=()
	local line why=()
	CHECK_LOGS=("$log")
	opts=(--log "$log")
	if [ -n "$sig" ]; then
		opts+=(--wait "$IDLE_RE" --wait-timeout "$BOOT_TIMEOUT"
			--signal "$sig" --exit-timeout "$STOP_TIMEOUT")
		args=("${IDLE_ARGS[@]}")
	else
		opts+=(--exit-timeout "$BOOT_TIMEOUT")
		args=("mem=$BOOT_MEM")
	fi
	[ ${#AS_GUEST[@]} -eq 0 ] || opts+=(--guest-uid "$GUEST_UID")
	tmp_listing >"$log.tmp"

	while IFS='=' read -r key line; do
		res[$key]=$line
	done < <(python3 "$LIB/pty_guest.py" "${opts[@]}" -- \
		"${GUEST_CMD[@]}" "${args[@]}")
	if [ -z "${res[status]:-}" ]; then
		fail "pty-$how" "tests/lib/pty_guest.py failed" "${CHECK_LOGS[@]}"
		return
	fi

	if [ "${res[reached]}" != yes ]; then
		why+=("no rootwait message (status ${res[status]})")
	elif [ "${res[status]}" = timeout ]; then
		why+=("did not end within the timeout, killed")
	elif [ -n "$sig" ]; then
		[ "${res[status]}" -eq "$want" ] ||
			why+=("exit status ${res[status]} after SIG$sig, want $want")
	else
		grep -aqF "$PANIC_TEXT" "$log" || why+=("no \"$PANIC_TEXT\"")
		[ "${res[status]}" -ne 0 ] || why+=("exit status 0")
	fi
	verdict "pty-$how" "${why[@]}"
	# Whatever went wrong above, the guest has ended now: these still apply.
	check "pty-terminal-restored-after-$how" \
		"stty -g was ${res[termios_before]}, is ${res[termios_after]}" \
		test "${res[termios_before]}" = "${res[termios_after]}"
	check_clean_exit pty- "$how" "$log.procs" "$(cat "$log.pid")" \
		"$log.tmp" "${CHECK_LOGS[@]}"
}

pty_end panic
pty_end sigterm TERM 0
pty_end sigint INT 0
pty_end sigkill KILL 137

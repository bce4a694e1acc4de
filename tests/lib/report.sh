# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Result reporting for tests/run: one line per check, a final count.
# Sourced, not run.

PASSED=0
FAILED=0
SKIPPED=0

# pass NAME
pass() {
	echo "PASS: $1"
	PASSED=$((PASSED + 1))
}

# fail NAME REASON [LOG...]: the logs' tails follow the line, to help
# whoever debugs the failure without rerunning it.
fail() {
	local name=$1 reason=$2
	shift 2
	echo "FAIL: $name ($reason)"
	FAILED=$((FAILED + 1))
	show_tail "$@"
}

# skip NAME REASON: counts neither as passed nor as failed.
skip() {
	echo "SKIP: $1 ($2)"
	SKIPPED=$((SKIPPED + 1))
}

# check NAME REASON-IF-FAILED CONDITION...: runs CONDITION as a command.
check() {
	local name=$1 reason=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$reason" "${CHECK_LOGS[@]}"
	fi
}

# verdict NAME [REASON...]: passes if no reason is given, else fails
# giving them all.  Suits a check that collects what went wrong.
verdict() {
	local name=$1 reasons
	shift
	if [ $# -eq 0 ]; then
		pass "$name"
	else
		reasons=$(printf '%s; ' "$@")
		fail "$name" "${reasons%; }" "${CHECK_LOGS[@]}"
	fi
}

# Logs whose tails a failing check() or verdict() shows; cases set it per
# guest.
CHECK_LOGS=()

# show_tail [LOG...]: the last lines of each non-empty log, indented.
show_tail() {
	local log
	for log in "$@"; do
		[ -s "$log" ] || continue
		echo "    --- last ${TAIL_LINES:-40} lines of ${log##*/} ---"
		tail -n "${TAIL_LINES:-40}" "$log" | tr -d '\r' | sed 's/^/    | /'
	done
}

# summary: the runner's last line.
summary() {
	echo "$PASSED passed, $FAILED failed"
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The command line: --help, --version, and mem= values refused before boot.
# Sourced by tests/run.

# cmdline_run NAME ARG...: run ./linux ARG... to its end, logging to
# TEST_DIR/NAME.log.  Returns 1, after a FAIL line, if it had to be killed.
cmdline_run() {
	local name=$1
	shift
	CHECK_LOGS=("$TEST_DIR/$name.log" "$TEST_DIR/$name.log.err")
	guest_run "$EXIT_TIMEOUT" "$TEST_DIR/$name.log" "$@" && return 0
	fail "$name" "still running after ${EXIT_TIMEOUT}s, killed" "${CHECK_LOGS[@]}"
	return 1
}

cmdline_help() {
	local word missing=() why=()
	cmdline_run help --help || return
	[ "$GUEST_STATUS" -eq 0 ] || why+=("exit status $GUEST_STATUS")
	for word in mem= init= root= quiet loglevel= ubdN= ubd_fail=; do
		grep -aq -- "$word" "$TEST_DIR/help.log" || missing+=("$word")
	done
	[ ${#missing[@]} -eq 0 ] || why+=("stdout lacks ${missing[*]}")
	verdict help "${why[@]}"
}

cmdline_version() {
	local why=()
	cmdline_run version --version || return
	[ "$GUEST_STATUS" -eq 0 ] || why+=("exit status $GUEST_STATUS")
	grep -aq '6\.12' "$TEST_DIR/version.log" || why+=("no \"6.12\" on stdout")
	verdict version "${why[@]}"
}

# A refused mem= fails before the kernel starts, saying why on stderr.
cmdline_refuses_mem() {
	local name=refuses-mem=$1 why=()
	cmdline_run "$name" "mem=$1" || return
	[ "$GUEST_STATUS" -ne 0 ] || why+=("exit status 0")
	grep -aq 'mem=' "$TEST_DIR/$name.log.err" || why+=("no \"mem=\" on stderr")
	! grep -aq 'Linux version' "$TEST_DIR/$name.log" || why+=("the kernel started")
	verdict "$name" "${why[@]}"
}

cmdline_help
cmdline_version
cmdline_refuses_mem abc
cmdline_refuses_mem 1K
# More than any host this runs on can back.
cmdline_refuses_mem 100T

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# The kernel's KUnit suites, run by `make kunit` through kunit.py.  Slow:
# SKIP_KUNIT=1 skips it.  Sourced by tests/run.

# At least this many tests must run: what the port ran when this was set.
KUNIT_MIN_TESTS=381
: "${KUNIT_TIMEOUT:=10800}"

# kunit_count FIELD LINE: the number after "FIELD: " in LINE, else 0.
# kunit.py leaves out every count that is zero.
kunit_count() {
	local n
	n=$(printf '%s\n' "$2" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+$')
	echo "${n:-0}"
}

kunit_run() {
	local log=$TEST_DIR/kunit.log line ran field n status why=()
	if [ "${SKIP_KUNIT:-}" = 1 ]; then
		skip kunit "SKIP_KUNIT=1"
		return
	fi
	echo "running make kunit (many minutes; SKIP_KUNIT=1 skips it)"
	CHECK_LOGS=("$log")
	# kunit.py ends the kernel's run after 300 s by default: give it time.
	timeout "$KUNIT_TIMEOUT" make -C "$TOP" kunit \
		KUNIT_ARGS="--timeout=3600 ${KUNIT_ARGS:-}" >"$log" 2>&1
	status=$?
	# kunit.py colours its lines when on a terminal: drop the escapes.
	line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a 'Testing complete\. Ran' | tail -n 1)
	if [ -z "$line" ]; then
		fail kunit "no kunit.py summary line (make status $status)" "$log"
		return
	fi
	echo "    ${line#*] }"
	ran=$(kunit_count Ran "${line/Ran /Ran: }")
	[ "$ran" -ge "$KUNIT_MIN_TESTS" ] ||
		why+=("ran $ran tests, want at least $KUNIT_MIN_TESTS")
	for field in failed crashed errors; do
		n=$(kunit_count "$field" "$line")
		[ "$n" -eq 0 ] || why+=("$field: $n")
	done
	[ "$status" -eq 0 ] || why+=("make kunit exit status $status")
	verdict kunit "${why[@]}"
}

kunit_run

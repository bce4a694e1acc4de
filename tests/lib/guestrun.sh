# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The guest test programs (tests/guest) inside a guest: build an initramfs
# that runs them all, and turn the console log of such a run into PASS/FAIL
# lines.  Sourced, not run; uses pass/fail/skip of tests/lib/report.sh
# (sourced here if the caller has not).
#
# A case file would use it like this (the guest runs as GUEST_CMD does):
#
#   if guest_tests_image "$TEST_DIR/guest-tests.img"; then
#       guest_run 900 "$TEST_DIR/guest-tests.log" mem=256M \
#           initrd="$TEST_DIR/guest-tests.img" ||
#           fail guest-tests "still running after 900s, killed"
#       CHECK_LOGS=("$TEST_DIR/guest-tests.log")
#       parse_guest_results "$TEST_DIR/guest-tests.log"
#   else
#       fail guest-tests-image "could not build it" "$TEST_DIR/guest-tests.img.log"
#   fi

GUESTRUN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if ! declare -F pass >/dev/null; then
	# shellcheck source=SCRIPTDIR/report.sh
	. "$GUESTRUN_TOP/tests/lib/report.sh"
fi

# guest_tests_image OUT: build the tests/guest programs into OUT.bin/ and a
# gzip newc initramfs OUT whose /init runs each of them (run-in-guest.sh),
# prints "init: command exited with status N" and powers off.  Build
# output goes to OUT.log.  Returns non-zero if anything failed to build.
guest_tests_image() {
	local out=$1
	local bin=$out.bin log=$out.log
	: >"$log"
	if ! nice -n 19 make -C "$GUESTRUN_TOP/tests/guest" O="$bin" >>"$log" 2>&1; then
		echo "guest_tests_image: building the programs failed, see $log" >&2
		return 1
	fi
	# The host's strace and gdb, for t-debuggers; --with-libs brings the
	# C library and whatever they and the dynamic test programs need.
	local tool tools=()
	for tool in strace gdb; do
		tool=$(command -v "$tool") && tools+=(--add "$tool:/usr/bin/${tool##*/}")
	done
	# Debian's gdb embeds Python, which will not start without the
	# encodings package of its standard library (the rest it has frozen
	# in) and os.py, by which it finds that library.  gdb's own Python
	# module stays out: it needs much more of the library.
	local py
	py=$(ldd "$(command -v gdb)" 2>/dev/null | grep -o 'libpython3\.[0-9]*' | head -n1)
	py=/usr/lib/${py#lib}
	if [ -d "$py/encodings" ]; then
		tools+=(--add "$py/encodings:$py/encodings" --add "$py/os.py:$py/os.py")
	fi
	if ! "$GUESTRUN_TOP/tools/mkinitramfs" -o "$out" --add "$bin:/tests" \
		"${tools[@]}" --with-libs \
		--cmd "/tests/run-in-guest.sh /tests" >>"$log" 2>&1; then
		echo "guest_tests_image: mkinitramfs failed, see $log" >&2
		return 1
	fi
	# The guest may run as another user (nobody when we are root).
	chmod a+r "$out"
}

# guest_selftests_image OUT: build the kernel selftests of
# tests/selftests/selftests.list (tests/selftests/build.sh, into
# build/selftests) and an initramfs OUT whose /init runs them all
# (run-selftests.sh, same output format as the guest tests) and powers
# off.  /bin/bash and the shared libraries of the few dynamic tests come
# along (exec's tests need them).  Build output goes to OUT.log.
guest_selftests_image() {
	local out=$1
	local log=$out.log root=$GUESTRUN_TOP/build/selftests/root
	: >"$log"
	if ! "$GUESTRUN_TOP/tests/selftests/build.sh" >>"$log" 2>&1; then
		echo "guest_selftests_image: building the selftests failed, see $log" >&2
		return 1
	fi
	if ! "$GUESTRUN_TOP/tools/mkinitramfs" -o "$out" --with-libs \
		--add "$root:/selftests" --add /bin/bash:/bin/bash \
		--cmd "/selftests/run-selftests.sh /selftests" >>"$log" 2>&1; then
		echo "guest_selftests_image: mkinitramfs failed, see $log" >&2
		return 1
	fi
	chmod a+r "$out"
}

GUEST_PASSED=0
GUEST_FAILED=0
GUEST_SKIPPED=0

_guest_pass() {
	pass "$1"
	GUEST_PASSED=$((GUEST_PASSED + 1))
}

_guest_fail() {
	fail "$1" "$2"
	GUEST_FAILED=$((GUEST_FAILED + 1))
}

# _guest_end: close the record of the program being read; it sees the
# locals prog and summary of parse_guest_results (bash scoping is dynamic).
_guest_end() {
	[ -n "$prog" ] || return 0
	[ "$summary" = 1 ] ||
		_guest_fail "$prog" "ended without its summary line: crashed or hung"
	prog=""
}

# parse_guest_results LOG: read the console log of a run of
# run-in-guest.sh and report one PASS/FAIL/SKIP line per "ok"/"not ok"
# line, named "PROGRAM #N: description".  Beyond those, it fails:
#   PROGRAM              if it ended without its summary line (crashed,
#                        hung) or exited non-zero with no "not ok";
#   PROGRAM-summary      if its summary disagrees with the lines seen;
#   guest-tests          if the run never started or never finished.
# Sets GUEST_PASSED, GUEST_FAILED, GUEST_SKIPPED (also counted in the
# runner's totals), prints "guest tests: P passed, F failed, S skipped" and
# returns 0 only if nothing failed and something passed.
parse_guest_results() {
	local log=$1 line prog="" started=0 done=0 summary=0 p=0 f=0 s=0
	local name desc want_p want_f want_s status re_ok re_sum
	GUEST_PASSED=0
	GUEST_FAILED=0
	GUEST_SKIPPED=0
	re_ok='^(not )?ok ([0-9]+) - (.*)$'
	re_sum='^# guest-test ([^:]+): ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$'

	if ! [ -r "$log" ]; then
		_guest_fail guest-tests "no console log $log"
		return 1
	fi
	while IFS= read -r line; do
		# console lines may carry a CR, and the kernel's own messages may
		# share the log; only the lines below are ours
		line=${line%$'\r'}
		case $line in
		"# guest-tests: start")
			started=1 ;;
		"# guest-tests: running "*)
			_guest_end
			prog=${line#"# guest-tests: running "}
			summary=0 p=0 f=0 s=0 ;;
		"# guest-tests: "*" exited with status "*)
			status=${line##* }
			if [ -n "$prog" ] && [ "$status" != 0 ] && [ "$f" = 0 ] &&
				[ "$summary" = 1 ]; then
				_guest_fail "$prog" "exit status $status with no failed check"
			fi
			_guest_end ;;
		"# guest-tests: done"*)
			_guest_end
			done=1 ;;
		*)
			if [[ $line =~ $re_ok ]]; then
				name="${prog:-?} #${BASH_REMATCH[2]}"
				desc=${BASH_REMATCH[3]}
				if [ -n "${BASH_REMATCH[1]}" ]; then
					f=$((f + 1))
					_guest_fail "$name: $desc" "not ok in the guest"
				elif [[ $desc == "# SKIP "* ]]; then
					s=$((s + 1))
					skip "$name" "${desc#"# SKIP "}"
					GUEST_SKIPPED=$((GUEST_SKIPPED + 1))
				else
					p=$((p + 1))
					_guest_pass "$name: $desc"
				fi
			elif [[ $line =~ $re_sum ]]; then
				summary=1
				want_p=${BASH_REMATCH[2]} want_f=${BASH_REMATCH[3]}
				want_s=${BASH_REMATCH[4]}
				if [ "$want_p" != "$p" ] || [ "$want_f" != "$f" ] ||
					[ "$want_s" != "$s" ]; then
					_guest_fail "${prog:-${BASH_REMATCH[1]}}-summary" \
						"says $want_p passed, $want_f failed, $want_s skipped; the log shows $p, $f and $s"
				fi
			fi ;;
		esac
	done <"$log"
	_guest_end
	if [ "$started" = 0 ]; then
		_guest_fail guest-tests "the test run never started (no \"# guest-tests: start\")"
	elif [ "$done" = 0 ]; then
		_guest_fail guest-tests "the test run did not finish (no \"# guest-tests: done\")"
	fi
	echo "guest tests: $GUEST_PASSED passed, $GUEST_FAILED failed, $GUEST_SKIPPED skipped"
	[ "$GUEST_FAILED" = 0 ] && [ "$GUEST_PASSED" -gt 0 ]
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Kernel selftests: the programs of tests/selftests/selftests.list (exec,
# futex, timers, sigaltstack and x86 signal delivery, ptrace, size, kcmp,
# mm's basic ones, timens), built statically from the private kernel tree
# (tests/selftests/build.sh), run in a guest booted from an initramfs.
# One check per program, held against upstream's UML built from the same
# tree (tests/selftests/upstream-results.txt, rewritten by
# tests/selftests/upstream.sh):
#   pass  it passed here
#   skip  it failed or skipped here and does not pass upstream either, or
#         it is a known exception (tests/selftests/exceptions.txt: NAME
#         and the reason, one a line)
#   fail  it passes upstream and not here, and is no known exception
# By default the long tests (SELFTESTS_LONG: a minute or more each, most
# of them timer tests that sleep and measure) are left out and reported
# as skipped, and the case takes two or three minutes; RUN_SELFTESTS=1
# runs every test (about 19 minutes), SKIP_SELFTESTS=1 none.  Sourced by
# tests/run.

# shellcheck source=../lib/guestrun.sh
. "$LIB/guestrun.sh"

SELFTESTS_DIR=$TESTS/selftests
SELFTESTS_TIMEOUT=${SELFTESTS_TIMEOUT:-2400}
# Each takes 20 s to 5 min here; together they are nine tenths of the run.
SELFTESTS_LONG="timers-nsleep-lat timers-set-timer-lat timers-inconsistency-check
timers-raw-skew timers-set-2038 timers-adjtick timers-change-skew
timers-posix-timers timers-set-tz ptrace-vmaccess x86-corrupt-xstate-header
x86-syscall-numbering"

# _selftests_missing_packages LOG: true if the build log says a tool,
# library or header is missing from the host (not a fault of ours).
_selftests_missing_packages() {
	grep -qE 'command not found|cannot find -l|: No such file or directory$|No such file or directory.*(gcc|make|cc1)|not found: (gcc|make)' "$1"
}

# _selftests_output LOG NAME OUT: what run-selftests.sh printed for NAME
# (its "not ok" line and the "#   " lines after it) into OUT.
_selftests_output() {
	tr -d '\r' <"$1" | awk -v name="$2" '
		/^(not )?ok [0-9]+ - / { on = ($0 ~ ("^(not )?ok [0-9]+ - " name " ")) }
		on' >"$3"
}

selftests_case() {
	local img=$TEST_DIR/selftests.img log=$TEST_DIR/selftests.log
	local start=$SECONDS
	local long=
	if [ "${SKIP_SELFTESTS:-}" = 1 ]; then
		skip selftests "SKIP_SELFTESTS=1"
		return
	fi
	[ "${RUN_SELFTESTS:-}" = 1 ] || long=$(echo $SELFTESTS_LONG)
	local tool
	for tool in gcc make readelf; do
		if ! command -v "$tool" >/dev/null; then
			skip selftests "no $tool on the host to build them"
			return
		fi
	done
	if ! guest_selftests_image "$img" 2>/dev/null; then
		if _selftests_missing_packages "$img.log"; then
			skip selftests-image "the build lacks host packages, see below"
			show_tail "$img.log"
		else
			fail selftests-image "could not build it" "$img.log"
		fi
		return
	fi
	pass selftests-image
	local not_built
	not_built=$(sed -n 's/^build\.sh: not built: //p' "$img.log")

	chmod o+r "$img"
	local finished=1
	guest_run "$SELFTESTS_TIMEOUT" "$log" mem=512M "initrd=$img" \
		${long:+"SELFTESTS_EXCEPT=\"$long\""} || finished=0
	CHECK_LOGS=("$log")

	# Our results, upstream's, the exceptions: NAME -> status / reason.
	local -A ours=() note=() upstream=() except=()
	local name status counts rest reason
	while read -r name status counts rest; do
		case $name in '#'*|'') continue ;; esac
		ours[$name]=$status
		rest=${rest#\# }
		[ "$counts" = - ] || rest="$rest, $counts"
		note[$name]=$rest
	done < <("$SELFTESTS_DIR/summarize.sh" "$log")
	if [ -r "$SELFTESTS_DIR/upstream-results.txt" ]; then
		while read -r name status _; do
			case $name in '#'*|'') continue ;; esac
			upstream[$name]=$status
		done <"$SELFTESTS_DIR/upstream-results.txt"
	fi
	if [ -r "$SELFTESTS_DIR/exceptions.txt" ]; then
		while read -r name reason; do
			case $name in '#'*|'') continue ;; esac
			except[$name]=$reason
		done <"$SELFTESTS_DIR/exceptions.txt"
	fi

	local n=0 p=0 f=0 s=0 out up
	while read -r name _; do
		case $name in '#'*|'') continue ;; esac
		n=$((n + 1))
		status=${ours[$name]:-missing}
		up=${upstream[$name]:-unknown}
		if [ "$status" = pass ]; then
			pass "selftest-$name"
			p=$((p + 1))
			continue
		fi
		if [ "$status" = missing ] && [[ " $long " == *" $name "* ]]; then
			skip "selftest-$name" "long, left out by default; RUN_SELFTESTS=1 runs it"
			s=$((s + 1))
			continue
		fi
		case $status in
		skip) reason="skipped: ${note[$name]}" ;;
		fail) reason="failed: ${note[$name]}" ;;
		*)
			if [[ " $not_built " == *" $name "* ]]; then
				reason="did not build"
			else
				reason="never ran: the guest crashed, hung or was killed first"
			fi ;;
		esac
		if [ "$up" = unknown ]; then
			skip "selftest-$name" "$reason; upstream-results.txt has no result for it"
			s=$((s + 1))
		elif [ "$up" != pass ]; then
			skip "selftest-$name" "$reason; ${up}s on upstream UML too"
			s=$((s + 1))
		elif [ -n "${except[$name]:-}" ]; then
			skip "selftest-$name" "$reason; known exception: ${except[$name]}"
			s=$((s + 1))
		else
			out=$TEST_DIR/selftest-$name.out
			_selftests_output "$log" "$name" "$out"
			[ -s "$out" ] || out=$log
			fail "selftest-$name" "$reason; passes on upstream UML" "$out"
			f=$((f + 1))
		fi
	done <"$SELFTESTS_DIR/selftests.list"

	if [ "$finished" = 0 ]; then
		fail selftests-run "still running after ${SELFTESTS_TIMEOUT}s, killed" "$log"
	elif ! grep -aq '^# guest-tests: done' "$log"; then
		fail selftests-run "the guest ended before the run did (status $GUEST_STATUS)" "$log"
	elif [ "$GUEST_STATUS" -ne 0 ]; then
		fail selftests-run "the guest exited with status $GUEST_STATUS" "$log"
	else
		pass selftests-run
	fi
	local upline
	upline=$(sed -n 's/^# upstream: //p' "$SELFTESTS_DIR/upstream-results.txt" 2>/dev/null)
	echo "# selftests: $n programs, $p passed, $f failed, $s skipped" \
		"in $((SECONDS - start))s (upstream: ${upline:-no results})"
}

selftests_case

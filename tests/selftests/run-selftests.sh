#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel selftests named in selftests.list, one by one, and report
# them in the guest-test format that tests/lib/guestrun.sh
# parse_guest_results reads: framed as one program "selftests", an
# "ok N - NAME" or "not ok N - NAME (why)" line each, skips as
# "ok N - # SKIP NAME", and
# "# guest-test selftests: P passed, F failed, S skipped".
# A failing test's last output lines follow its line, as "#   ..." comments;
# a kselftest's own count ("# Totals: pass:N fail:N ...", TAP) follows every
# test's line as "#   totals: pass:N fail:N ...".
#
# Plain POSIX sh: it runs under busybox in a guest as well as on the host.
#
# Usage: run-selftests.sh [--host] [ROOT [LIST]]
#   ROOT  the installed selftests (default: this script's folder)
#   LIST  default ROOT/selftests.list
#   --host  skip the tests marked "guest" (they set the clock and such)
# Environment: SELFTESTS_ONLY="NAME..." runs only those,
#   SELFTESTS_EXCEPT="NAME..." all but those.  In a guest, set them on the
#   kernel command line: SELFTESTS_EXCEPT="a b" reaches init's environment.

host=0
if [ "${1:-}" = --host ]; then
	host=1
	shift
fi
root=${1:-$(dirname "$0")}
list=${2:-$root/selftests.list}
out=${TMPDIR:-/tmp}/selftest.$$.out

if ! [ -r "$list" ]; then
	echo "run-selftests.sh: no list $list" >&2
	exit 2
fi

# A bare initramfs has no /dev/fd: execveat's scripts are run by bash
# through /dev/fd/N, as binfmt_script names them.
if [ "$host" = 0 ] && ! [ -e /dev/fd ] && [ -d /proc/self/fd ]; then
	ln -s /proc/self/fd /dev/fd 2>/dev/null
fi

n=0
passed=0
failed=0
skipped=0
echo "# guest-tests: start"
echo "# guest-tests: running selftests"
while read -r name tmo where dir cmd; do
	case $name in
	''|'#'*) continue ;;
	esac
	if [ -n "${SELFTESTS_ONLY:-}" ]; then
		case " $SELFTESTS_ONLY " in
		*" $name "*) ;;
		*) continue ;;
		esac
	fi
	case " ${SELFTESTS_EXCEPT:-} " in
	*" $name "*) continue ;;
	esac
	n=$((n + 1))
	if [ "$host" = 1 ] && [ "$where" = guest ]; then
		echo "ok $n - # SKIP $name: only in a guest"
		skipped=$((skipped + 1))
		continue
	fi
	start=$(date +%s)
	# stdin from /dev/null: a test must not eat the list
	(cd "$root/$dir" && exec timeout -s KILL "$tmo" sh -c "$cmd") \
		</dev/null >"$out" 2>&1
	status=$?
	secs=$(($(date +%s) - start))
	totals=$(grep -a '^# Totals: ' "$out" | tail -n 1)
	totals=${totals#"# Totals: "}
	case $status in
	0)
		echo "ok $n - $name (${secs}s)"
		[ -z "$totals" ] || echo "#   totals: $totals"
		passed=$((passed + 1)) ;;
	4)
		echo "ok $n - # SKIP $name: the test skipped itself (${secs}s)"
		[ -z "$totals" ] || echo "#   totals: $totals"
		skipped=$((skipped + 1)) ;;
	*)
		if [ "$status" = 137 ]; then
			why="killed after ${tmo}s"
		else
			why="exit $status after ${secs}s"
		fi
		echo "not ok $n - $name ($why)"
		[ -z "$totals" ] || echo "#   totals: $totals"
		# the failed subtests first (TAP), then the last lines
		grep -a '^not ok ' "$out" | head -n 20 | sed 's/^/#   failed: /'
		# awk ends a last line that has no newline
		tail -n 15 "$out" | awk '{ print "#   " $0 }'
		failed=$((failed + 1)) ;;
	esac
done <"$list"
rm -f "$out"
echo "# guest-test selftests: $passed passed, $failed failed, $skipped skipped"
echo "# guest-tests: selftests exited with status $((failed > 0))"
echo "# guest-tests: done, $((failed > 0)) of 1 programs failed"
[ "$failed" -eq 0 ]

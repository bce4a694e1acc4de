#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every guest test program (t-*) of DIR in turn, framing each one's
# output with marker lines that tests/lib/guestrun.sh parse_guest_results
# reads:
#   # guest-tests: start
#   # guest-tests: running t-proc
#   ...the program's "ok N - ..." lines and its "# guest-test ..." summary
#   # guest-tests: t-proc exited with status 0
#   # guest-tests: done, 0 of 7 programs failed
# Plain POSIX sh: it runs under busybox in the guest and under any sh on
# the host.  Exits 0 only if every program did.
#
# Usage: run-in-guest.sh [DIR]    (DIR defaults to this script's folder)

dir=${1:-$(dirname "$0")}
total=0
failed=0

# The basic areas first, containment (fork bomb, OOM) last; then any other.
first="t-proc t-threads t-signals t-fpu t-mm t-misc"
last="t-contain"
others=
for t in "$dir"/t-*; do
	case " $first $last " in
	*" ${t##*/} "*) ;;
	*) others="$others ${t##*/}" ;;
	esac
done

echo "# guest-tests: start"
for name in $first $others $last; do
	t=$dir/$name
	if ! [ -f "$t" ] || ! [ -x "$t" ]; then
		continue
	fi
	total=$((total + 1))
	echo "# guest-tests: running $name"
	# From /tmp, so that nothing a test leaves behind lands elsewhere.
	(cd /tmp && exec "$t" </dev/null)
	status=$?
	echo "# guest-tests: $name exited with status $status"
	[ "$status" -eq 0 ] || failed=$((failed + 1))
done
echo "# guest-tests: done, $failed of $total programs failed"
[ "$failed" -eq 0 ]

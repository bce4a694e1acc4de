#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boil a console log of run-selftests.sh down to one line per selftest
# program, in the order they ran:
#
#   NAME  pass|fail|skip  COUNTS  # NOTE
#
# COUNTS  the program's own kselftest count (its "# Totals:" line) as
#         pass:N,fail:N,skip:N (xfail, xpass, error added when not 0),
#         or "-" for a program that prints none
# NOTE    how long it took, why it failed or skipped
#
# and last "# done: yes" if the run reached its end, "# done: no" if not
# (the guest crashed or hung: the programs after the last line never ran).
# Console lines may carry a CR and kernel messages; only ours are read.
#
# Usage: summarize.sh LOG

[ $# -eq 1 ] && [ -r "$1" ] || {
	echo "usage: summarize.sh LOG" >&2
	exit 2
}

tr -d '\r' <"$1" | awk '
function flush() {
	if (name != "")
		printf "%-28s %-4s %-22s # %s\n", name, status, counts, note
	name = ""
}
function compact(t,   n, i, a, kv, out) {
	n = split(t, a, " ")
	out = ""
	for (i = 1; i <= n; i++) {
		split(a[i], kv, ":")
		if (kv[1] == "pass" || kv[1] == "fail" || kv[1] == "skip" || kv[2] != 0)
			out = out (out == "" ? "" : ",") a[i]
	}
	return out == "" ? "-" : out
}
/^# guest-tests: done/ { done = 1 }
/^ok [0-9]+ - # SKIP / {
	flush()
	line = $0
	sub(/^ok [0-9]+ - # SKIP /, "", line)
	name = line
	sub(/:.*/, "", name)
	note = line
	sub(/^[^:]*: /, "", note)
	status = "skip"; counts = "-"
	next
}
/^(not )?ok [0-9]+ - / {
	flush()
	line = $0
	status = (line ~ /^not /) ? "fail" : "pass"
	sub(/^(not )?ok [0-9]+ - /, "", line)
	name = line
	sub(/ .*/, "", name)
	note = line
	sub(/^[^ ]* \(?/, "", note)
	sub(/\)$/, "", note)
	counts = "-"
	next
}
/^#   totals: / {
	if (name != "") {
		t = $0
		sub(/^#   totals: /, "", t)
		counts = compact(t)
	}
	next
}
/^# guest-test selftests:/ { flush() }
END {
	flush()
	print "# done: " (done ? "yes" : "no")
}'

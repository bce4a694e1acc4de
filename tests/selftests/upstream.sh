#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests of selftests.list in upstream's UML built from the same
# kernel tree (build/upstream/linux) and rewrite upstream-results.txt, the
# yardstick tests/cases/60-selftests.sh holds our port to: a selftest that
# passes there must pass on ours, or be named in exceptions.txt.
#
# Usage: tests/selftests/upstream.sh [--linux UML] [--out FILE] [--timeout SECS]
#                                     [--only "NAME..."]
#   --linux UML     upstream's UML (default build/upstream/linux)
#   --out FILE      default tests/selftests/upstream-results.txt
#   --timeout SECS  for the whole run (default 1500)
#   --only NAMES    run only these and update their lines in FILE
# The image is built as tests/cases/60-selftests.sh builds it
# (guest_selftests_image of tests/lib/guestrun.sh); the console log is kept
# as build/selftests/upstream.log.  As root, UML runs as nobody, like the suite's guests, with
# HOME in a private directory (UML puts its ~/.uml there).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
UML=$TOP/build/upstream/linux
OUT=$HERE/upstream-results.txt
TIMEOUT=1500
ONLY=

while [ $# -gt 0 ]; do
	case $1 in
	--linux) UML=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--only) ONLY=$(echo $2); shift 2 ;;
	-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "upstream.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
[ -x "$UML" ] || { echo "upstream.sh: no upstream UML at $UML" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/selftests-upstream.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 711 "$WORK"
mkdir "$WORK/home"
AS_GUEST=()
if [ "$(id -u)" -eq 0 ]; then
	AS_GUEST=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chown 65534:65534 "$WORK/home"
fi

# shellcheck source=../lib/guestrun.sh
. "$TOP/tests/lib/guestrun.sh"
echo "upstream.sh: building the image"
guest_selftests_image "$WORK/selftests.img" || {
	tail -n 20 "$WORK/selftests.img.log" >&2
	exit 1
}

mkdir -p "$TOP/build/selftests"
log=$TOP/build/selftests/upstream.log
echo "upstream.sh: running $UML (log: $log)"
start=$SECONDS
status=0
timeout -s KILL "$TIMEOUT" setsid env --default-signal "${AS_GUEST[@]}" \
	env HOME="$WORK/home" "$UML" mem=512M "initrd=$WORK/selftests.img" \
	${ONLY:+"SELFTESTS_ONLY=\"$ONLY\""} \
	</dev/null >"$log" 2>"$log.err" || status=$?
secs=$((SECONDS - start))

results=$("$HERE/summarize.sh" "$log")
if [ -n "$ONLY" ]; then
	# Keep every other line of the file; take these from this run.
	[ -r "$OUT" ] || { echo "upstream.sh: --only needs $OUT" >&2; exit 1; }
	results=$(awk -v only=" $ONLY " '
		FNR == 1 { file++ }
		file == 1 && /^[a-z0-9]/ { fresh[$1] = $0 }
		file == 2 && /^[a-z0-9]/ && index(only, " " $1 " ") == 0 { kept[$1] = $0 }
		file == 3 && /^[a-z0-9]/ {
			if ($1 in fresh) print fresh[$1]
			else if ($1 in kept) print kept[$1]
		}' <(echo "$results") "$OUT" "$HERE/selftests.list")
	header=$(sed -n '/^# Kernel selftests/,/^# NAME/p' "$OUT" | grep -v '^# NAME\|^#$')
fi
{
	if [ -n "$ONLY" ]; then
		echo "$header"
		echo "# Rerun on $(date -u +%Y-%m-%d) with --only for: $ONLY"
		echo "#   (UML exited with status $status after ${secs}s)."
	else
		echo "# Kernel selftests (tests/selftests/selftests.list) on upstream's UML,"
		echo "# built from the same tree: $UML"
		echo "# ($(strings "$UML" 2>/dev/null | grep -o 'Linux version [^ ]*' | head -n 1))."
		echo "# Produced by tests/selftests/upstream.sh on $(date -u +%Y-%m-%d), run"
		echo "# as $(if [ ${#AS_GUEST[@]} -gt 0 ]; then echo nobody; else id -un; fi)" \
			"with mem=512M; UML exited with status $status after ${secs}s."
		echo "# Rerun that script to rewrite this file."
	fi
	echo "#"
	echo "# NAME  pass|fail|skip  COUNTS  # NOTE   (format: tests/selftests/summarize.sh)"
	echo "$results"
	echo "# upstream: $(awk '$2 == "pass"' <<<"$results" | wc -l) passed,"\
		"$(awk '$2 == "fail"' <<<"$results" | wc -l) failed,"\
		"$(awk '$2 == "skip"' <<<"$results" | wc -l) skipped"
} >"$OUT"
tail -n 2 "$OUT"

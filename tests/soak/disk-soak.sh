#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The disk soak: the fio stress of tests/cases/55-disk-stress.sh for an
# hour (or SECONDS), with file system work between the fio runs, in one
# Debian guest.  Each round: fio with verification on a raw copy-on-write
# overlay (libaio at depths 1, 8 and 64, psync with think time, 512 B to
# 1 MiB, a reader over the whole disk) while fio with verification writes
# files on an ext4 disk and tar, untar, cp -a, diff -r, rm -rf, sync and
# fstrim work beside it; then another pass on the overlay while the file
# system is filled by fio to ENOSPC, emptied and trimmed; idle spells
# between.  Afterwards: every fio run exited 0, no kernel message of
# level warning or above, the guest powered off with status 0, e2fsck
# finds both file systems clean, the file system image is sparse again,
# the overlay merged into its base is what the guest read.
#
# Usage: tests/soak/disk-soak.sh [SECONDS]   (default 3600)
# Needs ./linux and tools built (make linux tools) and the Debian test
# image (made here if missing: root, or fakeroot and fakechroot, and the
# network).  As root the guest runs as nobody, as in tests/run.
# Environment: SOAK_DIR keeps the disks and logs there (default a new
# directory under /tmp, removed unless something failed); SOAK_ARGS adds
# ./linux parameters (SOAK_ARGS=ubd_fail=eagain:11 for forced EAGAIN);
# SOAK_LINUX runs another kernel program than ./linux (./linux-debug).
#
# Prints PASS:/FAIL: lines, figures (rounds, fio runs, data moved, fills,
# trims), and exits 0 only if nothing failed.

set -u -o pipefail

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOP=$(dirname "$TESTS")
LIB=$TESTS/lib
LINUX=${SOAK_LINUX:-$TOP/linux}
SECS=${1:-3600}
case $SECS in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac

# shellcheck source=../lib/report.sh
. "$LIB/report.sh"
# shellcheck source=../lib/guest.sh
. "$LIB/guest.sh"
# shellcheck source=../lib/debian.sh
. "$LIB/debian.sh"
# shellcheck source=../lib/disk-stress.sh
. "$LIB/disk-stress.sh"

if ! [ -x "$LINUX" ] || ! [ -x "$TOP/tools/ubd-cow" ]; then
	echo "build first: make -C $TOP linux tools" >&2
	exit 2
fi
TEST_DIR=${SOAK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/disk-soak.XXXXXX")} || exit 1
mkdir -p "$TEST_DIR"
chmod 711 "$TEST_DIR"
[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$TEST_DIR"
trap guest_kill_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LOG=$TEST_DIR/soak.log
stress_prepare "$TEST_DIR" 2G "soak $SECS"
case $? in
0) ;;
2)
	echo "cannot run: $STRESS_WHY" >&2
	exit 2
	;;
*)
	fail disk-soak-setup "$STRESS_WHY"
	finish_soak=1
	;;
esac
if [ -z "${finish_soak:-}" ]; then
	# shellcheck disable=SC2206  # a list of parameters
	extra=(${SOAK_ARGS:-})
	echo "disk soak: $SECS s in the guest, logs in $TEST_DIR ($(date +%T))"
	start=$SECONDS
	cd "$TOP" || exit 1
	if guest_run $((SECS + 1800)) "$LOG" "ubd0=$TEST_DIR/root.img" \
		"ubd1=$TEST_DIR/fs.img" "ubd2=$TEST_DIR/fio.ovl,$TEST_DIR/base.img" \
		mem=512M "${extra[@]}"; then
		took=$((SECONDS - start))
		stress_checks disk-soak "$TEST_DIR" "$LOG"
		# The figures.
		tr -d '\r' <"$LOG" | awk -v took="$took" '
		function mib(s,   n) {
			n = s + 0
			if (s ~ /GiB/) n *= 1024
			else if (s ~ /KiB/) n /= 1024
			else if (s !~ /MiB/) n /= 1048576
			return n
		}
		/^STRESS-ROUNDS / { rounds = $2 }
		/^STRESS-FIO / {
			runs++
			if ($3 != "rc=0") bad++
			for (i = 4; i <= NF; i++)
				if ($i ~ /^io=/) {
					sub(/^io=/, "", $i)
					if ($(i - 2) == "READ") rd += mib($i)
					else wr += mib($i)
				}
		}
		/^STRESS-FILL / { fills++ }
		/^STRESS-TREE / { trees++; treemib += $3 }
		/^STRESS-TRIM / { trims++; trimmed += $3 }
		/^STRESS-FAILED/ { failed++ }
		END {
			printf "figures: %d s in all, %d rounds, %d fio runs (%d failed), " \
				"fio read %.0f MiB and wrote %.0f MiB, %d fills to ENOSPC, " \
				"%d trims (%.0f MiB), %d tree copies (%d MiB, twice each), " \
				"%d failures in the guest\n",
				took, rounds, runs, bad, rd, wr, fills, trims,
				trimmed / 1048576, trees, treemib, failed
		}'
	else
		fail disk-soak "still running $((SECS + 1800)) s after the start, killed" \
			"$LOG"
	fi
fi
summary
if [ "$FAILED" = 0 ] && [ -z "${SOAK_DIR:-}" ]; then
	rm -rf "$TEST_DIR"
else
	echo "disks and logs kept in $TEST_DIR"
fi
[ "$FAILED" = 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The boot loop: boot a guest whose init powers off at once, COUNT times,
# PARALLEL at a time, and count the boots that stall: no "reboot: Power
# down" within STALL seconds.  A stall of the kernel's own start (the
# initcalls, the unpacking of the initramfs) is rare and timing
# dependent, so the loop can load the host meanwhile (LOAD CPU hogs).
# A stalled guest is left running for inspection with KEEP=1 (the loop
# then stops at the first stall and prints its pid), killed otherwise.
#
# Usage: tests/soak/boot-loop.sh [COUNT]   (default 200)
# Environment:
#   BOOT_LINUX  the kernel program (default ./linux of this tree)
#   PARALLEL    boots at once (default 2)
#   STALL       seconds without a power-off that count as a stall
#               (default 30; a boot takes well under a second)
#   LOAD        CPU hogs beside the boots (stress-ng --cpu LOAD, or busy
#               shell loops where stress-ng is missing; default 0)
#   KEEP=1      stop at the first stall and leave that guest running
#   LOOP_DIR    keep logs there (default a new directory under /tmp,
#               removed unless a boot stalled)
#   BOOT_MEM    the guest's memory (default 64M)
#   BOOT_ROOT   boot this disk image read-only (ubd0r=) instead of the
#               initramfs; its init must power off (tools/mkrootimg
#               --cmd true makes one)
#   BOOT_ARGS   more ./linux parameters
# Needs gcc able to link a static program (the guest's init).
#
# Prints a line per stall (its last console line) and a summary
# "boots N, stalls S, slowest T ms"; exits 0 only if nothing stalled.

set -u -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LINUX=${BOOT_LINUX:-$TOP/linux}
COUNT=${1:-200}
PARALLEL=${PARALLEL:-2}
STALL=${STALL:-30}
LOAD=${LOAD:-0}
KEEP=${KEEP:-0}

for n in "$COUNT" "$PARALLEL" "$STALL" "$LOAD"; do
	case $n in
	'' | *[!0-9]*)
		echo "usage: $0 [COUNT]; PARALLEL, STALL, LOAD are numbers" >&2
		exit 2
		;;
	esac
done
if ! [ -x "$LINUX" ]; then
	echo "no kernel program $LINUX: make -C $TOP linux" >&2
	exit 2
fi

DIR=${LOOP_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/boot-loop.XXXXXX")} || exit 1
mkdir -p "$DIR/root"
HOGS=()
declare -A RUNNING=()	# pid -> "index start-ms"
boots=0 stalls=0 slowest=0 kept=

cleanup() {
	local pid

	for pid in "${HOGS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	for pid in "${!RUNNING[@]}"; do
		[ "$pid" = "$kept" ] && continue
		kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
}
trap cleanup EXIT

# The guest's init: say so, power off.
cat >"$DIR/init.c" <<'EOF'
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	puts("boot-loop-init");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 1;
}
EOF
if ! gcc -static -O2 -o "$DIR/root/init" "$DIR/init.c"; then
	echo "cannot build a static init with gcc" >&2
	exit 2
fi
(cd "$DIR/root" && echo init | cpio -o -H newc --quiet) >"$DIR/init.cpio" || exit 1

now_ms() {
	local t

	t=$(date +%s%N)
	echo $((t / 1000000))
}

for ((i = 0; i < LOAD; i++)); do
	if command -v stress-ng >/dev/null; then
		stress-ng --cpu 1 --quiet &
	else
		while :; do :; done &
	fi
	HOGS+=($!)
done

# start INDEX: one boot in the background.
start() {
	local log=$DIR/boot-$1.log

	local root=initrd=$DIR/init.cpio

	[ -n "${BOOT_ROOT:-}" ] && root=ubd0r=$BOOT_ROOT
	# shellcheck disable=SC2086
	"$LINUX" "$root" mem="${BOOT_MEM:-64M}" ${BOOT_ARGS:-} \
		>"$log" 2>&1 </dev/null &
	RUNNING[$!]="$1 $(now_ms)"
}

# reap: look at every running boot once.
reap() {
	local pid idx t0 t log

	for pid in "${!RUNNING[@]}"; do
		read -r idx t0 <<<"${RUNNING[$pid]}"
		log=$DIR/boot-$idx.log
		t=$(($(now_ms) - t0))
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			unset "RUNNING[$pid]"
			boots=$((boots + 1))
			if grep -q '^reboot: Power down' "$log"; then
				[ "$t" -gt "$slowest" ] && slowest=$t
				rm -f "$log"
			else
				stalls=$((stalls + 1))
				echo "boot $idx ended without powering off:" \
					"$(tail -n 1 "$log")"
			fi
		elif [ "$t" -gt $((STALL * 1000)) ]; then
			boots=$((boots + 1))
			stalls=$((stalls + 1))
			echo "boot $idx (pid $pid) stalled after: $(tail -n 1 "$log")"
			if [ "$KEEP" = 1 ]; then
				kept=$pid
				echo "left running for inspection: pid $pid, log $log"
				return 1
			fi
			kill -KILL "$pid"
			wait "$pid" 2>/dev/null
			unset "RUNNING[$pid]"
		fi
	done
	return 0
}

next=0
while [ "$next" -lt "$COUNT" ] || [ "${#RUNNING[@]}" -gt 0 ]; do
	while [ "$next" -lt "$COUNT" ] && [ "${#RUNNING[@]}" -lt "$PARALLEL" ]; do
		start "$next"
		next=$((next + 1))
	done
	sleep 0.05
	reap || break
done

echo "boots $boots, stalls $stalls, slowest ${slowest} ms (kernel $LINUX," \
	"parallel $PARALLEL, load $LOAD)"
if [ "$stalls" -eq 0 ] && [ -z "${LOOP_DIR:-}" ]; then
	rm -rf "$DIR"
else
	echo "logs in $DIR"
fi
[ "$stalls" -eq 0 ]

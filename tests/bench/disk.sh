#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Disk benchmark (not a test): one static program (guest/diskbench.c)
# measures sequential 1 MiB writes and reads and random 4 KiB reads at
# queue depth 1 and 32 three ways, in one run, on one image file:
#
#   ceiling    on the host, the image file opened with O_DIRECT
#   ours       /dev/ubdb in ./linux (ubd1=IMAGE)
#   same CPU   the ceiling again, pinned (taskset) to the one host CPU our
#              guest ran on: the guest keeps itself on one CPU by design
#              (host-helpers/cpu.c), while the host program may use both;
#              shown for what it explains, the goal is against the ceiling
#   upstream   /dev/ubdb in upstream's UML (build/upstream/linux, made by
#              tests/bench/upstream-uml.sh; same ubd1=IMAGE syntax)
#
# Each figure gets its own guest boot, and before every measurement the
# image's pages are dropped from the host page cache: upstream's driver
# reads and writes the image through that cache (ours and the ceiling use
# O_DIRECT), and pages left there by an earlier figure would make a later
# one a memory benchmark.  Within a figure upstream still gets whatever its
# own I/O brings into the cache (host read-ahead, re-read blocks); that is
# how it behaves for its users.
#
# Usage: tests/bench/disk.sh
#   MIB=n     sequential figures over n MiB (default 256)
#   SECS=n    seconds of each random figure (default 5)
#   RUNS=n    measurements of each figure, the median is shown (default 1)
#   FIGURES="rand_qd32 ..."  only these figures
#   OURS=PROGRAM   the build measured as ours (default ./linux)
#   OTHER=PROGRAM  another build of ours (say, the same tree without a
#             change), measured in each run right after ./linux, the two
#             compared at the end: what a change costs, in the same run
# The 512 MiB image, filled with random data once so that reads hit real
# blocks rather than holes, is kept as build/bench/disk.img.  As root,
# guests and the host measurement run as nobody (uid/gid 65534).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench
MIB=${MIB:-256}
SECS=${SECS:-5}
RUNS=${RUNS:-1}
image_mib=512
image=$out/disk.img
read -r -a figures <<<"${FIGURES:-seq_write seq_read rand_qd1 rand_qd32}"
mkdir -p "$out"

# O_DIRECT on tmpfs works, and measures memory: the image must be on a disk.
fstype=$(stat -f -c %T "$out")
case $fstype in
tmpfs|ramfs)
	echo "disk.sh: $out is on $fstype; the image needs a disk-backed file system" >&2
	exit 1
	;;
esac

gcc -O2 -static -pthread -o "$out/diskbench" "$top/tests/bench/guest/diskbench.c"

if [ "$(stat -c %s "$image" 2>/dev/null || echo 0)" -ne $((image_mib << 20)) ]; then
	echo "disk.sh: writing $image_mib MiB of random data to $image" >&2
	dd if=/dev/urandom of="$image.tmp" bs=1M count=$image_mib conv=fsync status=none
	mv "$image.tmp" "$image"
fi

# Guests run as nobody when we are root, as people run them.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	chown 65534:65534 "$image"
fi

for f in "${figures[@]}"; do
	"$top/tools/mkinitramfs" -o "$out/disk-$f.img" \
		--add "$out/diskbench:/bin/diskbench" \
		--cmd "/bin/diskbench -m $MIB -t $SECS /dev/ubdb $f" >/dev/null
	chmod o+r "$out/disk-$f.img"
done

ours=${OURS:-$top/linux}
upstream=$top/build/upstream/linux
have_upstream=1
if [ ! -x "$upstream" ]; then
	echo "disk.sh: no $upstream (run tests/bench/upstream-uml.sh)" >&2
	have_upstream=0
elif ! grep -q '^CONFIG_BLK_DEV_UBD=y' "$top/build/upstream/src/.config" 2>/dev/null; then
	echo "disk.sh: upstream's UML is built without CONFIG_BLK_DEV_UBD" >&2
	have_upstream=0
fi

# The host disk beneath the image: its statistics show what a guest run
# really kept in flight on the host (shared with anything else running).
host_stat=/sys/dev/block/$(stat -c '%Hd:%Ld' "$image")/stat

host_disk() {	# -> "ios time_in_queue_ms", or "" without statistics
	if [ -r "$host_stat" ]; then
		awk '{ print $1 + $5, $11 }' "$host_stat"
	fi
}

value() {	# LOG KEY
	# The console may add \r and interleave kernel messages.
	grep -a -o "$2=[0-9.]*" "$1" | tail -1 | cut -d= -f2 || true
}

# A guest run's wall time includes its boot and power-off, so the host-side
# in-flight figure is the time-in-queue increase over the test's own seconds.
host_side() {	# BEFORE AFTER LOG FIGURE -> host_ios=... host_avg_inflight=...
	local secs
	secs=$(value "$3" "$4_secs")
	[ -n "$1" ] && [ -n "$2" ] && [ -n "$secs" ] || return 0
	awk -v a="$1" -v b="$2" -v s="$secs" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		printf "host_ios=%d host_avg_inflight=%.1f\n", y[1] - x[1],
		       (s > 0 ? (y[2] - x[2]) / (s * 1000) : 0) }'
}

run_guest() {	# BINARY FIGURE LOG
	local home before after side pid cpus=
	home=$(mktemp -d /dev/shm/diskbench.XXXXXX)
	chmod 777 "$home"
	"$out/diskbench" --evict "$image"
	before=$(host_disk)
	HOME=$home TMPDIR=$home timeout -k 5 300 "${as_user[@]}" "$1" \
		mem=256M initrd="$out/disk-$2.img" ubd1="$image" \
		</dev/null >"$3" 2>&1 &
	# The CPUs the guest (timeout's child) keeps to, once it has chosen.
	# Looked up during boot only: polling later would take CPU time from
	# the measurement.
	while kill -0 $! 2>/dev/null && ! [[ $cpus =~ ^[0-9]+$ ]]; do
		sleep 0.1
		pid=$(pgrep -P $! | head -n 1) || true
		if [ -n "$pid" ]; then
			cpus=$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || true
		fi
	done
	wait $! || true
	after=$(host_disk)
	rm -rf "$home"
	side=$(host_side "$before" "$after" "$3" "$2")
	if [ -n "$side" ]; then
		echo "$side" >>"$3"
	fi
	echo "guest_cpus=$cpus" >>"$3"
}

run_host() {	# FIGURE LOG [CPUS]
	local pin=()
	[ -z "${3:-}" ] || pin=(taskset -c "$3")
	"$out/diskbench" --evict "$image"
	"${pin[@]}" "${as_user[@]}" "$out/diskbench" -m "$MIB" -t "$SECS" "$image" "$1" \
		>"$2" 2>&1 || true
}

unit() {
	case $1 in seq_*) echo MBps ;; *) echo iops ;; esac
}

median() {	# VALUES... (empty ones are failures and left out)
	printf '%s\n' "$@" | awk 'NF' | sort -g |
		awk '{ v[NR] = $1 } END {
			if (NR) print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

complain() {	# WHO LOG
	echo "disk.sh: $1 gave no figure; the end of $2:" >&2
	tail -n 15 "$2" | sed 's/^/    /' >&2
}

declare -A result detail runs runs_other
for f in "${figures[@]}"; do
	key=${f}_$(unit "$f")
	h=() o=() u=() c=() b=()
	for ((r = 1; r <= RUNS; r++)); do
		run_host "$f" "$out/disk-host-$f.log"
		h+=("$(value "$out/disk-host-$f.log" "$key")")
		[ -n "${h[-1]}" ] || complain "the host" "$out/disk-host-$f.log"

		run_guest "$ours" "$f" "$out/disk-ours-$f.log"
		o+=("$(value "$out/disk-ours-$f.log" "$key")")
		[ -n "${o[-1]}" ] || complain "our guest" "$out/disk-ours-$f.log"

		if [ -n "${OTHER:-}" ]; then
			run_guest "$OTHER" "$f" "$out/disk-other-$f.log"
			b+=("$(value "$out/disk-other-$f.log" "$key")")
			[ -n "${b[-1]}" ] || complain "the other build" "$out/disk-other-$f.log"
		fi

		cpu=$(value "$out/disk-ours-$f.log" guest_cpus)
		if [[ $cpu =~ ^[0-9]+$ ]]; then
			run_host "$f" "$out/disk-host-cpu-$f.log" "$cpu"
			c+=("$(value "$out/disk-host-cpu-$f.log" "$key")")
		fi

		if [ "$have_upstream" = 1 ]; then
			run_guest "$upstream" "$f" "$out/disk-upstream-$f.log"
			u+=("$(value "$out/disk-upstream-$f.log" "$key")")
			[ -n "${u[-1]}" ] ||
				complain "upstream's guest" "$out/disk-upstream-$f.log"
		fi
	done
	# Each run's share of the ceiling measured just before it: the VM's
	# speed drifts over minutes, and this shows how much.
	pairs=()
	for ((r = 0; r < RUNS; r++)); do
		if [ -n "${h[r]}" ] && [ -n "${o[r]}" ]; then
			pairs+=("$(awk -v o="${o[r]}" -v h="${h[r]}" 'BEGIN { printf "%.0f%%", 100 * o / h }')")
		fi
	done
	runs[$f]=${pairs[*]}
	result[$f,host]=$(median "${h[@]}")
	result[$f,ours]=$(median "${o[@]}")
	result[$f,cpu]=
	if [ ${#c[@]} -gt 0 ]; then
		result[$f,cpu]=$(median "${c[@]}")
	fi
	result[$f,other]=
	if [ ${#b[@]} -gt 0 ]; then
		result[$f,other]=$(median "${b[@]}")
		runs_other[$f]=$(for ((r = 0; r < ${#b[@]}; r++)); do
			printf '%s/%s ' "${o[r]:-n/a}" "${b[r]:-n/a}"; done)
	fi
	result[$f,upstream]=
	if [ ${#u[@]} -gt 0 ]; then
		result[$f,upstream]=$(median "${u[@]}")
	fi

	# What each side kept in flight (the last run of the figure).
	for who in host ours upstream; do
		log=$out/disk-$who-$f.log
		[ -f "$log" ] || continue
		detail[$f,$who]=$(awk -v f="$f" '
			{ sub(/\r$/, "") }
			index($0, f "_disk_avg_inflight=") == 1 { split($0, v, "="); a = v[2] }
			index($0, f "_inflight_mean=") == 1 { split($0, v, "="); m = v[2] }
			index($0, f "_inflight_max=") == 1 { split($0, v, "="); x = v[2] }
			index($0, f "_disk_ios=") == 1 { split($0, v, "="); n = v[2] }
			/^host_ios=/ { hs = $0 }
			END {
				if (n != "") printf "requests %s, avg in flight %s, sampled mean %s max %s", n, a, m, x
				if (hs != "") printf "; host disk: %s", hs
			}' "$log")
	done
done

printf '\ndisk benchmark: %s MiB sequential, %s s random, %s run(s) each; image %s (%s)\n' \
	"$MIB" "$SECS" "$RUNS" "$image" "$fstype"
printf 'MB/s = 10^6 bytes/s; IOPS = 4 KiB reads/s\n\n'
printf '%-10s %-5s %10s %10s %10s %12s %12s %10s %9s\n' figure unit ceiling ours upstream \
	ours/ceiling ours/upstream "same CPU" ours/same
for f in "${figures[@]}"; do
	awk -v f="$f" -v un="$( [ "$(unit "$f")" = MBps ] && echo MB/s || echo IOPS)" \
	    -v h="${result[$f,host]}" -v o="${result[$f,ours]}" \
	    -v u="${result[$f,upstream]}" -v c="${result[$f,cpu]}" 'BEGIN {
		rh = (o != "" && h > 0) ? sprintf("%.0f%%", 100 * o / h) : "n/a"
		ru = (o != "" && u > 0) ? sprintf("%.2f", o / u) : "n/a"
		rc = (o != "" && c > 0) ? sprintf("%.0f%%", 100 * o / c) : "n/a"
		printf "%-10s %-5s %10s %10s %10s %12s %12s %10s %9s\n", f, un,
		       h == "" ? "n/a" : h, o == "" ? "n/a" : o,
		       u == "" ? "n/a" : u, rh, ru, c == "" ? "n/a" : c, rc }'
done

# "avg in flight" is time in queue over wall time (Little's law), from
# allocation to completion; "sampled" reads the inflight file every 20 ms
# from a second thread, which on a one-CPU guest runs mostly when the I/O
# loop does not, so it shows the low points of a bursty pattern.
printf '\nin flight (block layer statistics of each disk; last run):\n'
for f in "${figures[@]}"; do
	for who in host ours upstream; do
		if [ -n "${detail[$f,$who]:-}" ]; then
			printf '  %-10s %-9s %s\n' "$f" "$who" "${detail[$f,$who]}"
		fi
	done
done

printf '\nours/ceiling in each run (against the ceiling measured just before it):\n'
for f in "${figures[@]}"; do
	printf '  %-10s %s\n' "$f" "${runs[$f]:-n/a}"
done

if [ -n "${OTHER:-}" ]; then
	printf '\nours (%s) against OTHER (%s), medians; each run ours/other:\n' \
		"$ours" "$OTHER"
	for f in "${figures[@]}"; do
		awk -v f="$f" -v o="${result[$f,ours]}" -v b="${result[$f,other]}" \
		    -v r="${runs_other[$f]:-}" 'BEGIN {
			printf "  %-10s ours %10s  other %10s  ours/other %s   (%s)\n", f,
			       o == "" ? "n/a" : o, b == "" ? "n/a" : b,
			       (o != "" && b > 0) ? sprintf("%.3f", o / b) : "n/a", r }'
	done
fi

# The goals: depth 32 at 80% of the ceiling, and above upstream everywhere.
printf '\ngoals:\n'
awk -v h="${result[rand_qd32,host]}" -v o="${result[rand_qd32,ours]}" 'BEGIN {
	if (o == "" || h == "")
		print "  rand_qd32 >= 80% of the ceiling: n/a"
	else
		printf "  rand_qd32 >= 80%% of the ceiling: %s (%.0f%%)\n",
		       (o >= 0.8 * h ? "met" : "NOT met"), 100 * o / h }'
for f in "${figures[@]}"; do
	awk -v f="$f" -v o="${result[$f,ours]}" -v u="${result[$f,upstream]}" 'BEGIN {
		if (o == "" || u == "")
			printf "  %s above upstream: n/a\n", f
		else
			printf "  %s above upstream: %s\n", f, (o > u ? "met" : "NOT met") }'
done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale benchmark: many Debian (systemd) guests at once on this machine,
# ours through tools/umrun, upstream User-Mode Linux (build/upstream/linux,
# tests/bench/upstream-uml.sh) through a plain shell loop (xargs -P), over
# the same base image and the same tests, in one run.
#
#   tests/bench/scale.sh [N...]             (default: 1 2 4 8 16 32)
#   tests/bench/scale.sh idle               (the idle guests only)
#
# For each N: a fixed list of short tests (each boots the image on a fresh
# overlay to multi-user.target, runs one command, powers off); the list
# has LIST tests (default 8), or N when N is larger, so that every guest
# of the biggest runs is up at once.  Printed: wall-clock seconds, runs
# per minute, failures, and the peak host memory in use beyond what was in
# use before (MemTotal - MemAvailable, sampled every 0.2 s: the guests'
# memory files are on tmpfs, so they count).  Then IDLE guests (default
# 8) of each kernel are booted and left idle at once: host memory per
# idle guest, beside the memory the guest itself says it uses (MemTotal -
# MemAvailable inside), the difference being what the host pays beyond
# what the guest touched.  Ratios ours / upstream come last.
#
# Env: BASE=IMG (default: the suite's systemd image, made if missing),
# MEM (each guest's mem=, default 256M), LIST, IDLE (0: skip), SKIP_UPSTREAM=1.
# As root, the guests run as nobody.  It prints figures; it is not a test.

# The guests' shell expands what is quoted here (SC2016); CMD is a string
# for the guests, not words for us (SC2089, SC2090).
# shellcheck disable=SC2016,SC2089,SC2090
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$TOP/tests/lib
MEM=${MEM:-256M}
LIST=${LIST:-8}
IDLE=${IDLE:-8}
UPSTREAM=$TOP/build/upstream/linux
[ -x "$UPSTREAM" ] || UPSTREAM=/work/main/build/upstream/linux
NS=("$@")
[ ${#NS[@]} -gt 0 ] || NS=(1 2 4 8 16 32)

if [ -z "${BASE:-}" ]; then
	# shellcheck source=tests/lib/debian.sh
	. "$LIB/debian.sh"
	debian_systemd_image || { echo "scale.sh: $DEBIAN_WHY" >&2; exit 2; }
	BASE=$DEBIAN_SYSTEMD_IMG
fi
AS=()
WORK=$(mktemp -d /dev/shm/bench-scale.XXXXXX)
if [ "$(id -u)" = 0 ]; then
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chown 65534:65534 "$WORK"
fi
trap 'pkill -KILL -f -- "$WORK/" 2>/dev/null; rm -rf "$WORK"' EXIT
# shellcheck disable=SC2016  # the guests' shell expands it
CMD='echo "$(uname -r) $(systemctl is-system-running)"; test -d /run/systemd/system'

used_kib() {
	awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo
}

# sample FILE: the highest used_kib until FILE.stop appears, into FILE.
sample() {
	local out=$1 peak=0 u
	while [ ! -e "$out.stop" ]; do
		u=$(used_kib)
		[ "$u" -gt "$peak" ] && peak=$u
		sleep 0.2
	done
	echo "$peak" >"$out"
}

# measure NAME N COMMAND...: runs COMMAND, prints one result line.
measure() {
	local name=$1 n=$2 base start end peak secs
	shift 2
	base=$(used_kib)
	rm -f "$WORK/peak" "$WORK/peak.stop"
	sample "$WORK/peak" &
	start=$(date +%s.%N)
	"$@" >"$WORK/$name-$n.out" 2>&1
	end=$(date +%s.%N)
	touch "$WORK/peak.stop"
	wait
	peak=$(cat "$WORK/peak")
	secs=$(echo "$end - $start" | bc -l)
	fails=$(grep -c '^FAILED' "$WORK/$name-$n.out")
	printf '%-9s N=%-3s tests=%-3s %7.1f s  %6.1f runs/min  failed %-3s peak +%5d MiB\n' \
		"$name" "$n" "$TESTS" "$secs" "$(echo "$TESTS * 60 / $secs" | bc -l)" \
		"$fails" $(((peak - base) / 1024))
	echo "$name $n $TESTS $secs $fails $(((peak - base) / 1024))" >>"$WORK/results"
}

ours() {
	local n=$1 i list=$WORK/list
	: >"$list"
	for i in $(seq "$TESTS"); do echo "t$i: $CMD" >>"$list"; done
	"${AS[@]}" "$TOP/tools/umrun" --base "$BASE" -j "$n" --tests "$list" \
		--mem "$MEM" --timeout 600 --run-dir "$WORK/ours" |
		awk '$2 ~ /^(pass|fail|timeout|hang|panic|error|disk-full)$/ && $1 ~ /^\[/ {
			if ($2 != "pass") print "FAILED " $0; else print }'
}

# One upstream run: a fresh overlay (upstream makes its own COW file),
# the command on the kernel command line for the image's console script.
upstream_one() {
	local i=$1 dir=$WORK/up/$1 job st
	mkdir -p "$dir"
	job=$(printf '%s' "$CMD" | base64 -w0)
	HOME=$dir TMPDIR=$dir timeout 600 "$UPSTREAM" "ubd0=$dir/ov.cow,$BASE" \
		mem="$MEM" umid="scale$i-$$" "umrun.cmd=$job" </dev/null >"$dir/log" 2>&1
	st=$(sed -n 's/^umrun: exit status \([0-9]*\).*/\1/p' "$dir/log" | tr -d '\r')
	if [ "$st" = 0 ]; then echo "pass t$i"; else echo "FAILED t$i (status ${st:-none})"; fi
	rm -rf "$dir"
}
export -f upstream_one
export WORK CMD UPSTREAM BASE MEM

upstream() {
	local n=$1
	mkdir -p "$WORK/up" && chmod a+rwx "$WORK/up"
	seq "$TESTS" | "${AS[@]}" xargs -P "$n" -I{} bash -c 'upstream_one {}'
}

# idle NAME: IDLE guests booted and idle at once; host memory per guest.
idle_ours_one() {
	local i=$1
	"${AS[@]}" "$TOP/tools/umrun" --base "$BASE" --mem "$MEM" --timeout 300 \
		--run-dir "$WORK/idle$i" --name "idle$i" -- \
		'awk "/^MemTotal:/ { t = \$2 } /^MemAvailable:/ { a = \$2 } END { print \"guest-used \" t - a }" /proc/meminfo; touch /run/idle; sleep 40'
}
idle_up_one() {
	local i=$1 dir=$WORK/upidle/$1 job
	mkdir -p "$dir"
	job=$(printf '%s' 'awk "/^MemTotal:/ { t = \$2 } /^MemAvailable:/ { a = \$2 } END { print \"guest-used \" t - a }" /proc/meminfo; sleep 40' | base64 -w0)
	HOME=$dir TMPDIR=$dir "$UPSTREAM" "ubd0=$dir/ov.cow,$BASE" mem="$MEM" \
		umid="idle$i-$$" "umrun.cmd=$job" </dev/null 2>&1
	rm -rf "$dir"
}
export -f idle_up_one

idle() {
	local name=$1 base i u peak=0 guest
	base=$(used_kib)
	mkdir -p "$WORK/upidle" && chmod a+rwx "$WORK/upidle"
	for i in $(seq "$IDLE"); do
		if [ "$name" = ours ]; then
			idle_ours_one "$i" >"$WORK/idle-$name-$i.out" 2>&1 &
		else
			"${AS[@]}" bash -c "idle_up_one $i" >"$WORK/idle-$name-$i.out" 2>&1 &
		fi
	done
	# Wait until every guest prints its own figure, then let them settle.
	for _ in $(seq 300); do
		[ "$(cat "$WORK"/idle-"$name"-*.out 2>/dev/null | grep -c '^guest-used')" -ge "$IDLE" ] && break
		sleep 1
	done
	sleep 8
	for _ in 1 2 3; do
		u=$(used_kib)
		[ "$u" -gt "$peak" ] && peak=$u
		sleep 1
	done
	guest=$(cat "$WORK"/idle-"$name"-*.out | awk '/^guest-used/ { s += $2; n++ } END { if (n) print int(s / n); else print 0 }')
	# The same from the guests' own processes: their PSS (the memory
	# file's pages they map included), which the rest of the host does
	# not disturb.
	pss=$(for p in $(pgrep -f -- "ubd0=$WORK/$( [ "$name" = ours ] && echo idle || echo upidle)"); do
		awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null
	done | awk '{ s += $1 } END { print int(s) }')
	printf '%-9s %d idle guests: their processes'"'"' PSS %d MiB, %.1f MiB per guest; beyond what the guest uses: %.1f MiB\n' \
		"$name" "$IDLE" $((pss / 1024)) "$(echo "$pss / $IDLE / 1024" | bc -l)" \
		"$(echo "($pss / $IDLE - $guest) / 1024" | bc -l)"
	echo "pss-$name $(echo "$pss / $IDLE / 1024" | bc -l)" >>"$WORK/results"
	printf '%-9s %d idle guests: host +%d MiB, %.1f MiB per guest; inside, each uses %.1f MiB; beyond that: %.1f MiB\n' \
		"$name" "$IDLE" $(((peak - base) / 1024)) "$(echo "($peak - $base) / $IDLE / 1024" | bc -l)" \
		"$(echo "$guest / 1024" | bc -l)" "$(echo "(($peak - $base) / $IDLE - $guest) / 1024" | bc -l)"
	echo "idle-$name $(echo "($peak - $base) / $IDLE / 1024" | bc -l)" >>"$WORK/results"
	wait
}

echo "scale: base $BASE, mem=$MEM, $(nproc) CPUs, $(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024)) MiB"
echo "scale: test: $CMD"
: >"$WORK/results"
[ "${NS[*]}" != idle ] || NS=()
for n in "${NS[@]}"; do
	TESTS=$LIST
	[ "$n" -le "$LIST" ] || TESTS=$n
	measure ours "$n" ours "$n"
	[ -n "${SKIP_UPSTREAM:-}" ] || measure upstream "$n" upstream "$n"
done
if [ "$IDLE" -gt 0 ]; then
	idle ours
	[ -n "${SKIP_UPSTREAM:-}" ] || idle upstream
fi

echo
echo "ratios (ours / upstream): runs per minute, peak memory"
awk '
$1 == "ours" || $1 == "upstream" { rpm[$1, $2] = $3 * 60 / $4; mem[$1, $2] = $6; ns[$2] = 1 }
$1 ~ /^(idle|pss)-/ { idle[$1] = $2 }
END {
	for (n in ns) if (("upstream", n) in rpm && rpm["upstream", n] > 0)
		printf "N=%-3s runs/min %.2f  peak memory %.2f\n", n,
			rpm["ours", n] / rpm["upstream", n],
			mem["upstream", n] ? mem["ours", n] / mem["upstream", n] : 0
	if (("ours", 1) in rpm && ("ours", 8) in rpm)
		printf "ours: throughput at N=8 is %.2f times N=1\n", rpm["ours", 8] / rpm["ours", 1]
	if (("upstream", 1) in rpm && ("upstream", 8) in rpm)
		printf "upstream: throughput at N=8 is %.2f times N=1\n", rpm["upstream", 8] / rpm["upstream", 1]
	if ("idle-ours" in idle && "idle-upstream" in idle && idle["idle-upstream"] > 0)
		printf "idle memory per guest: %.2f\n", idle["idle-ours"] / idle["idle-upstream"]
	if ("pss-ours" in idle && "pss-upstream" in idle && idle["pss-upstream"] > 0)
		printf "idle PSS per guest: %.2f\n", idle["pss-ours"] / idle["pss-upstream"]
}' "$WORK/results" | sort -t= -k2 -n

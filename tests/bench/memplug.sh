#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory hotplug benchmark (not a test): the guest touches SIZE of memory
# (a tmpfs file, written and removed), then the host unplugs SIZE with
# "config mem=-SIZE" and plugs it again with "config mem=+SIZE", through
# Debian's uml_mconsole, in our guest and in upstream's UML
# (tests/bench/upstream-uml.sh) in the same run.  Printed: the time of
# each request as the client sees it, and the guest memory file's
# allocated size on the host before and after the unplug.
#
#   tests/bench/memplug.sh [MIB...]     sizes, default 256 1024
#   UPSTREAM=PROGRAM: upstream's UML (default build/upstream/linux)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
upstream=${UPSTREAM:-$top/build/upstream/linux}
out=$top/build/bench
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(256 1024)
mkdir -p "$out"

as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# mem_file_kib PID PATTERN: KiB allocated to PID's open file named PATTERN.
mem_file_kib() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) == *$2* ]] || continue
		echo $(($(stat -L -c %b "$fd") / 2))
		return
	done
	echo 0
}

# run KERNEL NAME MIB: print "unplug_ms plug_ms before_kib after_kib"
run() {
	local kernel=$1 name=$2 mib=$3 dir log pid sock n t0 t1 t2 b0 b1 r1 r2 pat
	dir=$(mktemp -d /dev/shm/memplug.XXXXXX)
	chmod 777 "$dir"
	log=$out/memplug-$name-$mib.log
	"$top/tools/mkinitramfs" -o "$dir/init.img" --cmd "mount -t tmpfs -o size=$((mib + 64))M t /mnt &&
		dd if=/dev/zero of=/mnt/f bs=1M count=$mib 2>/dev/null && rm /mnt/f && echo memplug-touched;
		while :; do sleep 1; done" >/dev/null
	chmod o+r "$dir/init.img"
	HOME=$dir TMPDIR=$dir timeout -k 5 600 "${as_user[@]}" "$kernel" \
		mem=$((mib + 192))M umid=mp uml_dir="$dir" initrd="$dir/init.img" \
		</dev/null >"$log" 2>&1 &
	n=0
	while ! grep -aq memplug-touched "$log" && ((n < 1200)); do
		sleep 0.1
		n=$((n + 1))
	done
	pid=$(cat "$dir/mp/pid")
	sock=$dir/mp/mconsole
	# Ours: the memfd; upstream: its unlinked file in TMPDIR.
	pat=um-physmem
	[ "$name" = upstream ] && pat=$dir/
	sleep 1
	b0=$(mem_file_kib "$pid" "$pat")
	t0=$(now_ms)
	r1=$("${as_user[@]}" uml_mconsole "$sock" config mem=-${mib}M 2>/dev/null | tr '\n' ' ')
	t1=$(now_ms)
	b1=$(mem_file_kib "$pid" "$pat")
	r2=$("${as_user[@]}" uml_mconsole "$sock" config mem=+${mib}M 2>/dev/null | tr '\n' ' ')
	t2=$(now_ms)
	echo "$name $mib: unplug: $r1; plug: $r2" >>"$out/memplug-replies.log"
	"${as_user[@]}" uml_mconsole "$sock" halt >/dev/null 2>&1 || true
	sleep 2
	kill -s KILL "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
	echo "$((t1 - t0)) $((t2 - t1)) $b0 $b1"
}

: >"$out/memplug-replies.log"
have_upstream=0
[ -x "$upstream" ] && have_upstream=1
[ "$have_upstream" = 1 ] ||
	echo "memplug.sh: no build/upstream/linux (run tests/bench/upstream-uml.sh)" >&2

printf '%-9s %5s %10s %10s %9s %14s %14s\n' kernel MiB "unplug ms" "GiB/s" "plug ms" "file before K" "file after K"
for mib in "${sizes[@]}"; do
	read -r ou op ob oa < <(run "$top/linux" ours "$mib")
	printf '%-9s %5s %10s %10s %9s %14s %14s\n' ours "$mib" "$ou" \
		"$(awk -v m="$mib" -v t="$ou" 'BEGIN { printf "%.2f", (t > 0 ? m / 1024 / (t / 1000) : 0) }')" \
		"$op" "$ob" "$oa"
	if [ "$have_upstream" = 1 ]; then
		read -r uu up ub ua < <(run "$upstream" upstream "$mib")
		printf '%-9s %5s %10s %10s %9s %14s %14s\n' upstream "$mib" "$uu" \
			"$(awk -v m="$mib" -v t="$uu" 'BEGIN { printf "%.2f", (t > 0 ? m / 1024 / (t / 1000) : 0) }')" \
			"$up" "$ub" "$ua"
		awk -v a="$ou" -v b="$uu" -v c="$op" -v d="$up" -v m="$mib" 'BEGIN {
			printf "ratio     %5s  unplug time ours/upstream %.3f, plug time ours/upstream %.2f\n", m, (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
	fi
done
echo "(replies in $out/memplug-replies.log)"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Page-fault benchmark (not a test): fresh anonymous memory touched page
# by page, in order and in random order, over a region larger than our
# host-mapping bound covers (guest/faultbench.c), in our guest and in
# upstream's UML built from the same tree (tests/bench/upstream-uml.sh),
# beside the same program on the host and a bare PTRACE_SYSEMU round trip
# measured in the same run.
#
#   tests/bench/faults.sh [MIB]     region size, default 1024 (mem=2G)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench
mib=${1:-1024}
mem=$((mib * 2))M
mkdir -p "$out"

gcc -O2 -static -o "$out/faultbench" "$top/tests/bench/guest/faultbench.c"
gcc -O2 -o "$out/ptrace_rt" "$top/tests/bench/guest/ptrace_rt.c"
"$top/tools/mkinitramfs" -o "$out/faultbench.img" \
	--add "$out/faultbench:/bin/faultbench" --cmd "/bin/faultbench $mib" \
	>/dev/null
chmod o+r "$out/faultbench.img"

# Hosts allow 65530 mappings a process by default (vm.max_map_count); a
# machine set higher would hide what the bound is for.  As root, the runs
# use the default, and the setting is put back afterwards.
limit_file=/proc/sys/vm/max_map_count
old_limit=$(cat "$limit_file")
if [ "$(id -u)" -eq 0 ] && [ "$old_limit" != 65530 ]; then
	trap 'echo "$old_limit" >"$limit_file"' EXIT
	echo 65530 >"$limit_file"
fi
map_limit=$(cat "$limit_file")

as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

run_guest() {	# BINARY LOG
	local home
	home=$(mktemp -d /dev/shm/faultbench.XXXXXX)
	chmod 777 "$home"
	HOME=$home TMPDIR=$home timeout -k 5 900 "${as_user[@]}" "$1" \
		mem="$mem" initrd="$out/faultbench.img" </dev/null >"$2" 2>&1 || true
	rm -rf "$home"
}

read -r bare_one bare_two < <("$out/ptrace_rt")
"$out/faultbench" "$mib" >"$out/faults-host.log"
run_guest "$top/linux" "$out/faults-ours.log"
have_upstream=0
if [ -x "$top/build/upstream/linux" ]; then
	run_guest "$top/build/upstream/linux" "$out/faults-upstream.log"
	have_upstream=1
else
	echo "faults.sh: no build/upstream/linux (run tests/bench/upstream-uml.sh)" >&2
fi

figure() {	# LOG NAME: ns per page, "failed", or nothing
	tr -d '\r' <"$1" | awk -v n="$2" '$1 == "faultbench" && $2 == n { print $3 }' | tail -1
}

printf 'region %s MiB (%d pages); vm.max_map_count %s; bare PTRACE_SYSEMU round trip: %s ns on one CPU, %s ns across two\n\n' \
	"$mib" $((mib * 256)) "$map_limit" "$bare_one" "$bare_two"
printf '%-12s %10s %10s %10s %8s %9s %10s\n' touch "host ns" "ours ns" "upstream" "ours/up" "ours/host" "ours/bare"
for n in sequential random; do
	h=$(figure "$out/faults-host.log" "$n")
	o=$(figure "$out/faults-ours.log" "$n")
	u=-
	[ "$have_upstream" = 1 ] && u=$(figure "$out/faults-upstream.log" "$n")
	awk -v n="$n" -v h="${h:-}" -v o="${o:-}" -v u="${u:-}" -v b="$bare_one" '
	function num(x) { return x ~ /^[0-9]+$/ }
	BEGIN {
		r = (num(o) && num(u) && u > 0) ? sprintf("%.2f", o / u) : "-"
		rh = (num(o) && num(h) && h > 0) ? sprintf("%.1f", o / h) : "-"
		rb = (num(o) && b > 0) ? sprintf("%.2f", o / b) : "-"
		printf "%-12s %10s %10s %10s %8s %9s %10s\n", n, h == "" ? "failed" : h,
		       o == "" ? "failed" : o, u == "" ? "failed" : u, r, rh, rb }'
done
if [ "$have_upstream" = 1 ] && grep -aq 'out of memory on the host side' "$out/faults-upstream.log"; then
	echo
	echo "upstream: $(grep -a -m1 'out of memory on the host side' "$out/faults-upstream.log" | tr -d '\r')"
fi

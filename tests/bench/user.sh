#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest user-space benchmark (not a test): the same static program
# (guest/ubench.c) in our guest and in upstream's UML built from the same
# tree (tests/bench/upstream-uml.sh), beside the same program on the bare
# host and a bare PTRACE_SYSEMU round trip between two host processes,
# measured in the same run.  ours/host is the figure the vDSO is judged by
# (clock_gettime: at most 2).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench
mkdir -p "$out"

gcc -O2 -static -pthread -o "$out/ubench" "$top/tests/bench/guest/ubench.c"
gcc -O2 -o "$out/ptrace_rt" "$top/tests/bench/guest/ptrace_rt.c"
"$top/tools/mkinitramfs" -o "$out/ubench.img" \
	--add "$out/ubench:/bin/ubench" --cmd /bin/ubench >/dev/null
chmod o+r "$out/ubench.img"

# Guests run as nobody when we are root, as people run them.
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

run_guest() {	# BINARY LOG
	local home
	home=$(mktemp -d /dev/shm/ubench.XXXXXX)
	chmod 777 "$home"
	HOME=$home TMPDIR=$home timeout -k 5 300 "${as_user[@]}" "$1" \
		mem=256M initrd="$out/ubench.img" </dev/null >"$2" 2>&1 || true
	rm -rf "$home"
}

read -r bare_one bare_two < <("$out/ptrace_rt")
"$out/ubench" >"$out/host.log" 2>&1 || true
run_guest "$top/linux" "$out/ours.log"
have_upstream=0
if [ -x "$top/build/upstream/linux" ]; then
	run_guest "$top/build/upstream/linux" "$out/upstream.log"
	have_upstream=1
else
	echo "user.sh: no build/upstream/linux (run tests/bench/upstream-uml.sh)" >&2
fi

figure() {	# LOG NAME
	awk -v n="$2" '$1 == "ubench" && $2 == n { print $3 }' "$1" | tail -1
}

printf 'bare PTRACE_SYSEMU round trip: %s ns on one CPU, %s ns across two\n\n' \
	"$bare_one" "$bare_two"
printf '%-20s %10s %10s %10s %8s %9s %9s\n' figure "host (ns)" "ours" "upstream" "ours/up" "ours/host" "ours/bare"
for n in getppid page-fault fork-exit-wait fork-exec-wait pipe-round-trip \
	 thread-create-join clock_gettime; do
	h=$(figure "$out/host.log" "$n")
	o=$(figure "$out/ours.log" "$n")
	u=-
	[ "$have_upstream" = 1 ] && u=$(figure "$out/upstream.log" "$n")
	awk -v n="$n" -v h="${h:-}" -v o="${o:-}" -v u="${u:-}" -v b="$bare_one" 'BEGIN {
		r = (o != "" && u != "" && u != "-" && u > 0) ? sprintf("%.2f", o / u) : "-"
		rh = (o != "" && h != "" && h > 0) ? sprintf("%.2f", o / h) : "-"
		rb = (o != "" && b > 0) ? sprintf("%.2f", o / b) : "-"
		printf "%-20s %10s %10s %10s %8s %9s %9s\n", n, h == "" ? "failed" : h,
		       o == "" ? "failed" : o, u == "" ? "failed" : u, r, rh, rb }'
done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's own package tests (autopkgtest) in guests of ./linux, beside the
# same tests run on this host (autopkgtest's null runner): for each
# package, both summaries, and whether every test's verdict agrees.
#
#   tests/bench/autopkgtest.sh [-j N] [PACKAGE...]
#
# The packages' sources come from Debian's archive (deb-src, through a
# private apt configuration under build/apt-src: the host's own apt setup
# is left alone), unpacked on the host and handed to autopkgtest as built
# trees with -B (no build: the archive's binaries, already installed in the
# guest image, are tested, since the guest has no network).  The guest
# image is made once, with the packages' binaries and dpkg-dev in it
# (build/images/debian-autopkgtest.img, see tests/lib/debian.sh; for other
# packages than the default ones, set DEBIAN_AUTOPKGTEST_PKGS to every
# binary their tests depend on).  The
# guests run -j at a time (default 2) through GNU parallel, or xargs when
# parallel is missing.  The host runs need the packages installed on the
# host; the script says which are missing and does not install them.
#
# Needs root for debootstrap the first time (or fakeroot and fakechroot),
# autopkgtest and dpkg-dev on the host.  Exit status 0 when every verdict
# agrees.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$TOP/tests/lib
JOBS=2
if [ "${1:-}" = -j ]; then
	JOBS=$2
	shift 2
fi

# PACKAGE[:TEST,TEST]: the tests left out need a compiler or the
# package's build dependencies, which the guest image does not carry.
DEFAULT=(hello gzip sed less file bzip2:link-with-shared
	 grep:upstream-test-suite)
[ $# -gt 0 ] || set -- "${DEFAULT[@]}"

# shellcheck source=tests/lib/debian.sh
. "$LIB/debian.sh"
# shellcheck source=tests/lib/apt-source.sh
. "$LIB/apt-source.sh"

OUT=$TOP/build/bench-autopkgtest
rm -rf "$OUT" && mkdir -p "$OUT"

debian_autopkgtest_image || { echo "no image: $DEBIAN_WHY"; exit 2; }

# One run: NAME WHERE(um|host) SPEC; its summary in $OUT/NAME.WHERE.
one_run() {
	local spec=$1 where=$2 pkg=${1%%:*} skip tree
	skip=${spec#"$pkg"}
	skip=${skip#:}
	tree=$(apt_source_tree "$pkg") || { echo "$pkg: no source"; return 1; }
	local args=(-B --summary-file "$OUT/$pkg.$where" -o "$OUT/$pkg.$where.d")
	[ -z "$skip" ] || args+=(--skip-test "$skip")
	local start=$SECONDS
	if [ "$where" = um ]; then
		autopkgtest "${args[@]}" "$tree//" -- "$TOP/tools/autopkgtest-virt-um" \
			--image "$DEBIAN_AUTOPKGTEST_IMG" >"$OUT/$pkg.$where.log" 2>&1
	else
		autopkgtest "${args[@]}" "$tree//" -- null >"$OUT/$pkg.$where.log" 2>&1
	fi
	echo "$pkg $where: status $? in $((SECONDS - start)) s"
}
export -f one_run apt_source_tree
export OUT TOP DEBIAN_AUTOPKGTEST_IMG APT_SOURCE_DIR

# Fetch every source first (network), then run.
for spec in "$@"; do
	apt_source_tree "${spec%%:*}" >/dev/null || echo "${spec%%:*}: cannot fetch its source"
done

echo "== on the host (null runner), one at a time"
for spec in "$@"; do
	pkg=${spec%%:*}
	if ! dpkg -s "$pkg" >/dev/null 2>&1; then
		echo "$pkg: not installed on the host, its host run is left out"
		continue
	fi
	one_run "$spec" host
done

echo "== in guests of ./linux, $JOBS at a time"
start=$SECONDS
if command -v parallel >/dev/null; then
	SHELL=/bin/bash parallel -j "$JOBS" one_run {} um ::: "$@"
else
	# shellcheck disable=SC2016  # bash -c expands it
	printf '%s\n' "$@" | xargs -P "$JOBS" -I{} bash -c 'one_run "$1" um' _ {}
fi
echo "guest runs: $((SECONDS - start)) s wall-clock for $# packages"

echo
printf '%-10s %-28s %-10s %-10s %s\n' package test host guest agree
rc=0
for spec in "$@"; do
	pkg=${spec%%:*}
	while read -r test verdict _; do
		[ -n "$test" ] || continue
		host=$(awk -v t="$test" '$1 == t { print $2 }' "$OUT/$pkg.host" 2>/dev/null)
		same=yes
		[ "${host:-none}" = "$verdict" ] || { same=NO; rc=1; }
		printf '%-10s %-28s %-10s %-10s %s\n' "$pkg" "$test" "${host:-none}" "$verdict" "$same"
	done <"$OUT/$pkg.um" 2>/dev/null || { echo "$pkg: no guest summary (see $OUT/$pkg.um.log)"; rc=1; }
done
exit $rc

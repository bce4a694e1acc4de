#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel selftests named in selftests.list as static programs
# (an initramfs has no C library) from the private kernel tree, which is
# only read, and install them with the list and the runner into one folder
# ready for tools/mkinitramfs --add ROOT:/selftests.
#
# Usage: tests/selftests/build.sh [--out DIR] [--ksrc DIR] [--run]
#   --out DIR   where everything goes (default build/selftests):
#                 DIR/obj    uapi headers (make headers) and the kselftest
#                            build (DIR/obj/kselftest/TARGET)
#                 DIR/root   the installed tests, selftests.list,
#                            run-selftests.sh
#                 DIR/build.log
#   --ksrc DIR  the kernel tree (default build/linux)
#   --run       then run them on the host (tests marked "guest" skipped),
#               writing DIR/host.log and DIR/host-results.txt
#
# Compiles at nice 19 with one job.  Targets: exec futex timers sigaltstack
# ptrace size kcmp timens x86 through the selftests Makefiles (O=DIR/obj); the mm
# tests are compiled directly with gcc, because mm/Makefile writes its
# probe results (local_config.h) into the source tree.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=$TOP/build/selftests
KSRC=$TOP/build/linux
RUN=0

while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--ksrc) KSRC=$2; shift 2 ;;
	--run) RUN=1; shift ;;
	-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

ST=$KSRC/tools/testing/selftests
OBJ=$OUT/obj
ROOT=$OUT/root
LOG=$OUT/build.log
[ -d "$ST" ] || { echo "build.sh: no selftests in $KSRC (run make first)" >&2; exit 1; }
mkdir -p "$OBJ" "$ROOT"
OBJ=$(cd "$OBJ" && pwd)
: >"$LOG"

quiet_make() {
	nice -n 19 make -j1 "$@" >>"$LOG" 2>&1
}

# step WHAT: a progress line on the terminal, a marker in the log.
step() {
	echo "build.sh: $*"
	echo "=== $*" >>"$LOG"
}

# --- uapi headers, x86 (the guest's user ABI), into OBJ/usr/include -----
if ! [ -f "$OBJ/usr/include/linux/futex.h" ]; then
	step "installing the kernel's x86 uapi headers into $OBJ/usr/include"
	quiet_make -C "$KSRC" O="$OBJ" ARCH=x86 headers ||
		{ echo "build.sh: make headers failed, see $LOG" >&2; exit 1; }
fi

# --- the targets with usable Makefiles ----------------------------------
# CC carries -static so that every compile-and-link is static; -k so that
# one program that does not build does not stop the rest.
selftest_make() {
	local target=$1
	shift
	quiet_make -k -C "$ST" TARGETS="$target" O="$OBJ" "$@" ||
		echo "build.sh: (some of $target did not build, see $LOG)"
}

for target in futex sigaltstack ptrace size kcmp timens x86; do
	step "target $target"
	selftest_make "$target" CC="gcc -static"
done

# valid-adjtimex defines its own clock_adjtime(), as does the static libc.
step "target timers"
selftest_make timers CC="gcc -static -Wl,--allow-multiple-definition"

# exec: load_address.* choose -pie or -static-pie themselves, which clash
# with -static: build everything with the plain compiler first (the -pie
# ones stay dynamic, marked "dyn" in the list), then the rest again static.
step "target exec"
selftest_make exec CC=gcc
(cd "$OBJ/kselftest/exec" && rm -f execveat non-regular null-argv recursion-depth)
selftest_make exec CC="gcc -static"

# --- mm, compiled directly ------------------------------------------------
MM_TESTS=(cow mremap_dontunmap mremap_test map_fixed_noreplace map_populate
	madv_populate mlock2-tests mkdirty mseal_test seal_elf mdwe_test
	mrelease_test soft-dirty virtual_address_range)
step "mm: ${MM_TESTS[*]}"
MMOBJ=$OBJ/kselftest/mm
mkdir -p "$MMOBJ/include"
# what mm/check_config.sh would write: no liburing
echo "// No liburing support found" >"$MMOBJ/include/local_config.h"
for t in "${MM_TESTS[@]}"; do
	echo "  CC $t" >>"$LOG"
	nice -n 19 gcc -static -Wall -O2 -U_FORTIFY_SOURCE -no-pie \
		-I "$MMOBJ/include" -I "$KSRC" -isystem "$OBJ/usr/include" \
		-isystem "$KSRC/tools/include/uapi" \
		"$ST/mm/$t.c" "$ST/mm/vm_util.c" "$ST/mm/thp_settings.c" \
		-lrt -lpthread -lm -o "$MMOBJ/$t" >>"$LOG" 2>&1 ||
		echo "build.sh: (mm/$t did not build, see $LOG)"
done

# --- install what the list names ------------------------------------------
step "installing into $ROOT"
rm -rf "$ROOT"
mkdir -p "$ROOT"
missing=()
declare -A seen=()
while read -r name _ where dir cmd; do
	case $name in ''|'#'*) continue ;; esac
	prog=${cmd%% *}
	prog=${prog#./}
	src=$OBJ/kselftest/$dir
	[ "$dir" = futex ] && src=$OBJ/kselftest/futex/functional
	if ! [ -x "$src/$prog" ]; then
		missing+=("$name")
		continue
	fi
	mkdir -p "$ROOT/$dir"
	[ -n "${seen[$dir/$prog]:-}" ] || cp "$src/$prog" "$ROOT/$dir/$prog"
	seen[$dir/$prog]=1
	if [ "$where" != dyn ] && readelf -l "$ROOT/$dir/$prog" | grep -q 'program interpreter'; then
		echo "build.sh: warning: $dir/$prog is not static" >&2
	fi
done <"$HERE/selftests.list"

# execveat's companions.  Its script says #!/bin/bash, and one check wants
# bash's exit status 127 for a script it cannot open (dash and busybox sh
# give 2): an image must hold bash (see guest_selftests_image).
if [ -d "$ROOT/exec" ]; then
	cp "$ST/exec/Makefile" "$OBJ/kselftest/exec/script" "$ROOT/exec/"
	mkdir -p "$ROOT/exec/subdir"
	cp "$ROOT/exec/execveat" "$ROOT/exec/execveat.denatured"
	chmod -x "$ROOT/exec/execveat.denatured"
	ln -sf execveat "$ROOT/exec/execveat.symlink"
fi
cp "$HERE/selftests.list" "$HERE/run-selftests.sh" "$ROOT/"
chmod 755 "$ROOT/run-selftests.sh"

total=$(grep -cv '^[[:space:]]*\(#\|$\)' "$HERE/selftests.list")
echo "build.sh: $((total - ${#missing[@]})) of $total listed tests built into $ROOT"
[ ${#missing[@]} -eq 0 ] || echo "build.sh: not built: ${missing[*]}"

# --- run on the host ------------------------------------------------------
if [ "$RUN" = 1 ]; then
	step "running them on the host: $OUT/host.log"
	"$ROOT/run-selftests.sh" --host "$ROOT" >"$OUT/host.log" 2>&1 || true
	{
		echo "# selftests on the host: $(uname -sr), $(date -u +%Y-%m-%d)"
		grep -E '^(not )?ok ' "$OUT/host.log"
		grep '^# guest-test selftests:' "$OUT/host.log"
	} >"$OUT/host-results.txt"
	tail -n 1 "$OUT/host-results.txt"
fi

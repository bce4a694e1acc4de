#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build upstream User-Mode Linux from Debian's linux-source-6.12 as a
# reference binary for tests/bench/boot.sh.  Nothing of it ships: the source
# is unpacked into build/upstream/src and the result is build/upstream/linux
# (build/ is not committed).
#
# Usage: tests/bench/upstream-uml.sh        (from anywhere in the project)
# Idempotent: does nothing if build/upstream/linux is newer than the tarball.

set -euo pipefail

TARBALL=/usr/src/linux-source-6.12.tar.xz
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/build/upstream
SRC=$OUT/src
BIN=$OUT/linux
JOBS=${JOBS:-2}

if [ -f "$BIN" ] && [ "$BIN" -nt "$TARBALL" ] &&
	grep -q '^CONFIG_BLK_DEV_INITRD=y' "$SRC/.config" 2>/dev/null; then
	echo "upstream-uml: $BIN is up to date"
	exit 0
fi

# Host tools the kernel build needs.
missing=()
for p in build-essential bc flex bison libelf-dev linux-source-6.12 xz-utils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "upstream-uml: missing packages; install them with:" >&2
	echo "  apt-get install -y ${missing[*]}" >&2
	exit 1
fi

# Unpack a private copy.  The stamp marks a complete unpack, so an
# interrupted one is redone rather than built half-way.
if [ ! -f "$SRC/.unpacked" ] || [ "$TARBALL" -nt "$SRC/.unpacked" ]; then
	echo "upstream-uml: unpacking $TARBALL into $SRC"
	rm -rf "$SRC" "$OUT/linux-source-6.12"
	mkdir -p "$OUT"
	tar xJf "$TARBALL" -C "$OUT"
	mv "$OUT/linux-source-6.12" "$SRC"
	touch "$SRC/.unpacked"
	rm -f "$SRC/.config"
fi

cd "$SRC"
KMAKE=(nice -n 19 make ARCH=um SUBARCH=x86_64)

if [ ! -f .config ]; then
	"${KMAKE[@]}" defconfig
	# Trim: debug info only slows the build and bloats the binary; the
	# benchmark needs no modules.  Everything else stays as defconfig, which
	# boots with mem=256M and no disk to the "VFS: Unable to mount root fs"
	# panic (root defaults to ubd0, which is absent).
	scripts/config --disable DEBUG_INFO \
		--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
		--enable DEBUG_INFO_NONE \
		--disable MODULES
	"${KMAKE[@]}" olddefconfig
fi
# The user-space benchmark boots the same initramfs in both kernels.
if ! grep -q '^CONFIG_BLK_DEV_INITRD=y' .config; then
	scripts/config --enable BLK_DEV_INITRD --enable RD_GZIP
	"${KMAKE[@]}" olddefconfig
fi

# Run niced: the lead compiles on the same 2-core machine.
"${KMAKE[@]}" -j"$JOBS" linux
cp "$SRC/linux" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "upstream-uml: built $BIN"

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A Debian guest for the test cases: one image made with tools/mkrootimg
# --debootstrap (stress-ng, fio and procps in it), kept in build/images
# and made again only when mkrootimg changes.  Each run boots a copy of
# it whose /etc/init.cmd is the run's command.  Sourced by case files.

DEBIAN_IMG=$TOP/build/images/debian-tests.img
DEBIAN_PKGS=stress-ng,fio,procps

# debian_make IMG WHAT MKROOTIMG-ARGS...: make IMG with tools/mkrootimg
# --debootstrap and those arguments, unless it exists and is newer than
# mkrootimg.  Returns 1 with DEBIAN_WHY set when it cannot be made here.
debian_make() {
	local img=$1 what=$2 log=${1%.img}.log
	shift 2
	DEBIAN_WHY=
	if [ -f "$img" ] && [ "$img" -nt "$TOP/tools/mkrootimg" ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ] &&
		! { command -v fakechroot && command -v fakeroot; } >/dev/null; then
		DEBIAN_WHY="debootstrap needs root, or fakeroot and fakechroot"
		return 1
	fi
	mkdir -p "$TOP/build/images"
	echo "making the Debian $what image $img (debootstrap, a few minutes)"
	if ! "$TOP/tools/mkrootimg" --debootstrap "$@" -o "$img" -f >"$log" 2>&1; then
		rm -f "$img"
		DEBIAN_WHY="tools/mkrootimg --debootstrap $* failed, see $log"
		return 1
	fi
	chmod a+r "$img"
}

# debian_image: make DEBIAN_IMG (see debian_make).
debian_image() {
	debian_make "$DEBIAN_IMG" test --include "$DEBIAN_PKGS" -s 3G
}

# debian_copy OUT CMD: a copy of the image at OUT (sparse, writable by the
# guest user) whose init runs CMD and powers off.
debian_copy() {
	local out=$1 cmd=$2
	cp --sparse=always "$DEBIAN_IMG" "$out" || return 1
	printf '%s\n' "$cmd" >"$out.cmd"
	debugfs -w -R "rm /etc/init.cmd" "$out" >/dev/null 2>&1
	debugfs -w -R "write $out.cmd /etc/init.cmd" "$out" >"$out.debugfs" 2>&1 ||
		return 1
	chmod 666 "$out"
}

# The same Debian with systemd as init (tools/mkrootimg --systemd), for the
# checks of a distribution as it boots: kept as DEBIAN_SYSTEMD_IMG, made
# again only when mkrootimg changes.  Returns 1 with DEBIAN_WHY set when
# it cannot be made here.
DEBIAN_SYSTEMD_IMG=$TOP/build/images/debian-systemd.img

debian_systemd_image() {
	debian_make "$DEBIAN_SYSTEMD_IMG" systemd --systemd --include procps -s 2G
}

# The systemd image again, with what autopkgtest runs need in the guest,
# which has no network: dpkg-dev (autopkgtest looks for dpkg-source in the
# testbed) and the binaries the tests depend on (DEBIAN_AUTOPKGTEST_PKGS, a
# comma list; "Depends: @" means every binary of the source package).  The
# default serves tests/bench/autopkgtest.sh's packages (gzip, sed and grep
# are in every Debian already) and tests/cases/69-autopkgtest.sh.
# Made again when mkrootimg or the list changes.  Returns 1 with
# DEBIAN_WHY set when it cannot be made here.
DEBIAN_AUTOPKGTEST_IMG=$TOP/build/images/debian-autopkgtest.img
DEBIAN_AUTOPKGTEST_PKGS=${DEBIAN_AUTOPKGTEST_PKGS:-hello,less,file,libmagic-dev,bzip2,libbz2-dev,bzip2-doc}

debian_autopkgtest_image() {
	local log=$TOP/build/images/debian-autopkgtest.log
	local pkgs=procps,dpkg-dev,$DEBIAN_AUTOPKGTEST_PKGS
	DEBIAN_WHY=
	if [ -f "$DEBIAN_AUTOPKGTEST_IMG" ] &&
		[ "$DEBIAN_AUTOPKGTEST_IMG" -nt "$TOP/tools/mkrootimg" ] &&
		[ "$(cat "$DEBIAN_AUTOPKGTEST_IMG.pkgs" 2>/dev/null)" = "$pkgs" ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ] &&
		! { command -v fakechroot && command -v fakeroot; } >/dev/null; then
		DEBIAN_WHY="debootstrap needs root, or fakeroot and fakechroot"
		return 1
	fi
	mkdir -p "$TOP/build/images"
	echo "making the Debian autopkgtest image $DEBIAN_AUTOPKGTEST_IMG (debootstrap, a few minutes)"
	if ! "$TOP/tools/mkrootimg" --debootstrap --systemd --include "$pkgs" \
		-o "$DEBIAN_AUTOPKGTEST_IMG" -s 2G -f >"$log" 2>&1; then
		rm -f "$DEBIAN_AUTOPKGTEST_IMG"
		DEBIAN_WHY="tools/mkrootimg --debootstrap --systemd failed, see $log"
		return 1
	fi
	echo "$pkgs" >"$DEBIAN_AUTOPKGTEST_IMG.pkgs"
	chmod a+r "$DEBIAN_AUTOPKGTEST_IMG"
}

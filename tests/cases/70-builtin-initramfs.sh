# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# An initramfs built into the kernel (CONFIG_INITRAMFS_SOURCE) is unpacked
# and its init runs, with no initrd= given.  Needs a second kernel: the
# same tree and defconfig plus that option, built in build/obj-initramfs.
# That folder starts as a copy of build/obj (kbuild's records there name
# no absolute path of it), so only what the option touches is rebuilt:
# well under a minute.  SKIP_BUILTIN_INITRAMFS=1 skips it.  Sourced by
# tests/run.

builtin_initramfs_case() {
	local obj=$TOP/build/obj-initramfs cpio log=$TEST_DIR/builtin.log
	local bin=$TEST_DIR/builtin-linux marker why=()
	if [ "${SKIP_BUILTIN_INITRAMFS:-}" = 1 ]; then
		skip builtin-initramfs "SKIP_BUILTIN_INITRAMFS=1"
		return
	fi
	# The marker is made now, so no stale image can pass for this one.
	marker="builtin-$RANDOM-$$-$SECONDS"
	cpio=$obj/initramfs.cpio
	if [ ! -f "$obj/.config" ] && [ -f "$TOP/build/obj/.config" ]; then
		rm -rf "$obj"
		cp -a "$TOP/build/obj" "$obj"
	fi
	mkdir -p "$obj"
	if ! "$TOP/tools/mkinitramfs" -o "$TEST_DIR/builtin.img" \
		--cmd "echo $marker; test -e /proc/self || exit 3" \
		>"$TEST_DIR/builtin-img.log" 2>&1; then
		fail builtin-initramfs-image "mkinitramfs failed" "$TEST_DIR/builtin-img.log"
		return
	fi
	zcat "$TEST_DIR/builtin.img" >"$cpio.new" && mv "$cpio.new" "$cpio"
	echo "building the kernel with a built-in initramfs in $obj"
	local kmake=(make -C "$TOP/build/linux" O="$obj" ARCH=um SUBARCH=x86_64)
	if ! "${kmake[@]}" host_defconfig >"$TEST_DIR/builtin-build.log" 2>&1 ||
	   ! "$TOP/build/linux/scripts/config" --file "$obj/.config" \
		--set-str INITRAMFS_SOURCE "$cpio" >>"$TEST_DIR/builtin-build.log" 2>&1 ||
	   ! "${kmake[@]}" olddefconfig >>"$TEST_DIR/builtin-build.log" 2>&1 ||
	   ! "${kmake[@]}" -j"$(nproc)" linux >>"$TEST_DIR/builtin-build.log" 2>&1; then
		fail builtin-initramfs-build "the kernel did not build" "$TEST_DIR/builtin-build.log"
		return
	fi
	grep -q "^CONFIG_INITRAMFS_SOURCE=\"$cpio\"" "$obj/.config" ||
		why+=("CONFIG_INITRAMFS_SOURCE did not take")
	cp "$obj/linux" "$bin" && chmod 755 "$bin"
	CHECK_LOGS=("$log" "$log.err")
	local saved=("${GUEST_CMD[@]}") finished=1
	GUEST_CMD=(env --default-signal "${AS_GUEST[@]}" "$bin")
	guest_run "$BOOT_TIMEOUT" "$log" "mem=$BOOT_MEM" || finished=0
	GUEST_CMD=("${saved[@]}")
	if [ "$finished" = 0 ]; then
		fail builtin-initramfs "still running after ${BOOT_TIMEOUT}s, killed" "${CHECK_LOGS[@]}"
		return
	fi
	grep -aq "^$marker" "$log" || why+=("no $marker from the built-in init")
	grep -aq 'init: command exited with status 0' "$log" ||
		why+=("init did not end with status 0")
	[ "$GUEST_STATUS" -eq 0 ] || why+=("exit status $GUEST_STATUS")
	verdict builtin-initramfs "${why[@]}"
}

builtin_initramfs_case

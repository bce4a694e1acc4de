# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Guest user space: the tests/guest programs, static x86-64 binaries,
# run inside a booted guest from an initramfs; each of their checks counts
# here.  Sourced by tests/run.

# shellcheck source=../lib/guestrun.sh
. "$LIB/guestrun.sh"

guest_programs() {
	local img=$TEST_DIR/guest-tests.img log=$TEST_DIR/guest-tests.log
	if ! guest_tests_image "$img"; then
		fail guest-tests-image "could not build it" "$img.log"
		return
	fi
	chmod o+r "$img"
	if ! guest_run 1800 "$log" "mem=$BOOT_MEM" "initrd=$img"; then
		fail guest-tests "still running after 1800s, killed" "$log"
		return
	fi
	CHECK_LOGS=("$log")
	parse_guest_results "$log"
	check_kernel_log guest-tests-kernel-log "$log"
	if [ "$GUEST_STATUS" -eq 0 ]; then
		pass guest-powers-off
	else
		fail guest-powers-off "exit status $GUEST_STATUS" "$log"
	fi
}

# Booted with vdso=0, programs find no vDSO and their C library's clocks
# are system calls (t-vdso checks that side when /proc/cmdline says so).
guest_without_vdso() {
	local bin=$TEST_DIR/guest-tests.img.bin img=$TEST_DIR/vdso-off.img
	local log=$TEST_DIR/vdso-off.log
	if ! [ -x "$bin/t-vdso" ] || ! "$TOP/tools/mkinitramfs" -o "$img" \
		--add "$bin/t-vdso:/tests/t-vdso" \
		--add "$bin/run-in-guest.sh:/tests/run-in-guest.sh" \
		--cmd "/tests/run-in-guest.sh /tests" >"$img.log" 2>&1; then
		fail vdso-off-image "could not build it" "$img.log"
		return
	fi
	chmod o+r "$img"
	if ! guest_run 300 "$log" "mem=$BOOT_MEM" vdso=0 "initrd=$img"; then
		fail vdso-off "still running after 300s, killed" "$log"
		return
	fi
	parse_guest_results "$log"
	check_kernel_log vdso-off-kernel-log "$log"
}

guest_programs
guest_without_vdso

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

guest_programs

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Disk stress with fio in a Debian guest (tests/lib/debian.sh), about 3
# minutes: two disks at once besides the root, an ext4 image and a
# copy-on-write overlay over a base of random data, under fio with
# verification (libaio at depths 1 to 64 and psync, direct, 512 B to
# 1 MiB, think time), the file system filled by fio to ENOSPC, emptied
# and trimmed, idle spells between; tests/guest/disk-stress.sh is the
# guest's part, tests/lib/disk-stress.sh the host's.  Checks: every fio
# run exits 0 with its data verified, no kernel message of level warning
# or above after boot, the guest powers off with status 0, e2fsck finds
# both file systems clean, the file system image is sparse again after the
# trims, the overlay showed its base where nothing was written, and the
# overlay merged into its base (tools/ubd-cow) is what the guest read
# last.  Skipped when the Debian image cannot be made (no root, no
# network).  Sourced by tests/run.
#
# STRESS_ROUNDS (default 8) sets the length; DISK_STRESS_ARGS adds ./linux
# parameters: DISK_STRESS_ARGS=ubd_fail=eio:50:ubd2 must make it fail.

# shellcheck source=../lib/debian.sh
. "$LIB/debian.sh"
# shellcheck source=../lib/disk-stress.sh
. "$LIB/disk-stress.sh"

: "${STRESS_TIMEOUT:=900}"

disk_stress_fio() {
	local d=$TEST_DIR/disk-stress log=$TEST_DIR/disk-stress-fio.log rc
	# shellcheck disable=SC2206  # a list of parameters
	local extra=(${DISK_STRESS_ARGS:-})
	mkdir -p "$d"
	# The guest user makes the overlay here.
	[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$d"
	stress_prepare "$d" 256M "stress ${STRESS_ROUNDS:-8}"
	rc=$?
	if [ $rc = 2 ]; then
		skip disk-stress-fio "$STRESS_WHY"
		return
	elif [ $rc != 0 ]; then
		fail disk-stress-fio "$STRESS_WHY"
		return
	fi
	echo "disk stress with fio (about 3 minutes)"
	guest_run "$STRESS_TIMEOUT" "$log" "ubd0=$d/root.img" "ubd1=$d/fs.img" \
		"ubd2=$d/fio.ovl,$d/base.img" mem=512M "${extra[@]}" ||
		{ fail disk-stress-fio "still running after ${STRESS_TIMEOUT}s, killed" "$log"; return; }
	stress_checks disk-stress-fio "$d" "$log" $((64 * 1024))
	rm -f "$d"/*.img "$d/fio.ovl"
}

disk_stress_fio

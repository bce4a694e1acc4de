# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# The host's half of the fio disk stress: the disks it needs and the
# checks made after the guest (tests/guest/disk-stress.sh) has run.  Used
# by tests/cases/55-disk-stress.sh and tests/soak/disk-soak.sh, with
# tests/lib/report.sh, guest.sh and debian.sh sourced first.
#
# In DIR: root.img (a copy of the Debian test image whose init runs the
# guest script), fs.img (ext4, filled and trimmed by the guest), base.img
# (256 MiB of random data) and fio.ovl (the guest's overlay over it), to
# boot as
#   ubd0=DIR/root.img ubd1=DIR/fs.img ubd2=DIR/fio.ovl,DIR/base.img

# stress_prepare DIR FS_SIZE ARGS: the disks, the guest script run with
# ARGS.  Returns 1 with STRESS_WHY set when it cannot, and 2 (with
# STRESS_WHY) when the Debian image cannot be made here: a reason to skip.
stress_prepare() {
	local d=$1
	STRESS_WHY=
	if ! debian_image; then
		STRESS_WHY=$DEBIAN_WHY
		return 2
	fi
	if ! debian_copy "$d/root.img" "bash /root/disk-stress.sh $3" ||
		! debugfs -w -R "write $TOP/tests/guest/disk-stress.sh /root/disk-stress.sh" \
			"$d/root.img" >"$d/root.img.add" 2>&1; then
		STRESS_WHY="could not copy the Debian image (see $d/root.img.debugfs)"
		return 1
	fi
	rm -f "$d/fs.img" "$d/fio.ovl"
	truncate -s "$2" "$d/fs.img"
	if ! mkfs.ext4 -q -F -E nodiscard "$d/fs.img" >"$d/fs.img.mkfs" 2>&1; then
		STRESS_WHY="mkfs.ext4 failed: $(head -n 1 "$d/fs.img.mkfs")"
		return 1
	fi
	head -c 256M /dev/urandom >"$d/base.img"
	chmod 666 "$d/fs.img"
	chmod 644 "$d/base.img"
}

# stress_value LOG KEY: the text after "KEY " in the last such line.
stress_value() {
	tr -d '\r' <"$1" | sed -n "s/^$2 //p" | tail -n 1
}

# no_stress_kmsg LOG: no kernel message of level warning or above after
# boot, as the guest listed them.
no_stress_kmsg() {
	! grep -aq '^STRESS-KMSG ' "$1"
}

# stress_checks NAME DIR LOG [MAX_KIB]: the checks, as pass and fail lines
# named NAME-...; MAX_KIB is how much of fs.img may stay allocated after
# the last trim (default a quarter of it).
stress_checks() {
	local name=$1 d=$2 log=$3 max=${4:-} why=() want got used
	CHECK_LOGS=("$log" "$log.err")
	check "$name-powers-off" "status $GUEST_STATUS" test "$GUEST_STATUS" = 0
	check "$name-all-passed" "a fio run or a check in the guest failed" \
		grep -aq 'init: command exited with status 0' "$log"
	check_kernel_log "$name-kernel-log" "$log"
	check "$name-no-warnings" "kernel messages of level warning or above" \
		no_stress_kmsg "$log"
	grep -aE '^STRESS-(FIO|FILL|TRIM|TREE|FAILED|KMSG)' "$log" | tr -d '\r' |
		sed "s/^/    /" | tail -n 12

	CHECK_LOGS=("$d/root.img.fsck" "$d/fs.img.fsck")
	e2fsck -fn "$d/root.img" >"$d/root.img.fsck" 2>&1 ||
		why+=("the root file system is not clean")
	e2fsck -fn "$d/fs.img" >"$d/fs.img.fsck" 2>&1 ||
		why+=("the stressed file system is not clean")
	verdict "$name-fsck-clean" "${why[@]}"
	used=$(du -k "$d/fs.img" | cut -f1)
	[ -n "$max" ] || max=$(($(stat -c %s "$d/fs.img") / 4096))
	check "$name-trimmed-sparse" "${used}K of fs.img allocated after the trims" \
		test "$used" -le "$max"

	why=()
	CHECK_LOGS=("$log" "$d/fio.ovl.merge")
	want=$(tail -c +$((144 * 1048576 + 1)) "$d/base.img" | md5sum | cut -c1-32)
	got=$(stress_value "$log" STRESS-BASE-MD5)
	[ "$got" = "$want" ] || why+=("the base did not show through the overlay")
	got=$(stress_value "$log" STRESS-RAW-MD5)
	if [ -z "$got" ]; then
		why+=("no md5 of the overlay from the guest")
	elif ! "$TOP/tools/ubd-cow" merge "$d/fio.ovl" >"$d/fio.ovl.merge" 2>&1; then
		why+=("ubd-cow merge failed")
	elif [ "$(md5sum <"$d/base.img" | cut -c1-32)" != "$got" ]; then
		why+=("the merged base is not what the guest read last")
	fi
	verdict "$name-overlay-merged" "${why[@]}"
}

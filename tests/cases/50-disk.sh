# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Disks: ext4 root images made by tools/mkrootimg, booted as
# `./linux ubd0=root.img`; what the guest writes is in the image after
# power-off and e2fsck finds it clean; a SIGKILL during heavy writes is
# repaired by journal replay alone; copy-on-write overlays leave their base
# untouched, merge, and share a base between guests; an image in use is
# locked; every bad disk parameter is refused, losing nothing.  Sourced
# by tests/run.

DISK_DIR=$TEST_DIR/disk
mkdir -p "$DISK_DIR"
# The guest user makes overlays here and writes the images.
[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$DISK_DIR"

# give_guest FILE...: the guest user may read and write FILE.
give_guest() {
	if [ ${#AS_GUEST[@]} -gt 0 ]; then
		chown "$GUEST_UID" "$@"
	fi
}

# make_image NAME SIZE COMMAND: a root image whose init runs COMMAND.
make_image() {
	local img=$DISK_DIR/$1
	if ! "$TOP/tools/mkrootimg" -f -o "$img" -s "$2" --cmd "$3" \
		>"$img.log" 2>&1; then
		fail "disk-image-$1" "tools/mkrootimg failed" "$img.log"
		return 1
	fi
	give_guest "$img"
}

# in_image IMAGE PATH: the file's contents, read from outside.
in_image() {
	debugfs -R "cat $2" "$1" 2>/dev/null
}

# ran_ok LOG: the guest's command exited 0 and the guest powered off.
ran_ok() {
	[ "$GUEST_STATUS" = 0 ] &&
		grep -aq 'init: command exited with status 0' "$1"
}

disk_boot() {
	local img=$DISK_DIR/root.img log=$TEST_DIR/disk-boot.log
	make_image root.img 64M 'grep " / " /proc/mounts;
		echo written-in-the-guest >/root/note.txt' || return
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" mem=256M ||
		{ fail disk-boot "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-boot "status $GUEST_STATUS" ran_ok "$log"
	check disk-root-is-ubda-read-write "no rw ext4 root in /proc/mounts" \
		grep -aqE '^/dev/root / ext4 rw' "$log"
	check disk-written-file-in-image "not in the image after power-off" \
		test "$(in_image "$img" /root/note.txt)" = written-in-the-guest
	CHECK_LOGS=("$img.fsck")
	check disk-fsck-clean-after-power-off "e2fsck -fn found problems" \
		fsck_clean "$img"
}

# A guest killed while it writes: the journal alone repairs the image and
# what was fsync'ed survives.
disk_sigkill() {
	local img=$DISK_DIR/kill.img log=$TEST_DIR/disk-kill.log sum
	make_image kill.img 160M 'dd if=/dev/urandom of=/root/synced bs=1M \
		count=8 conv=fsync 2>/dev/null && md5sum /root/synced &&
		echo SYNCED; i=0; while :; do
			dd if=/dev/zero of=/root/junk$i bs=1M count=24 2>/dev/null
			i=$(( (i + 1) % 4 )); done' || return
	guest_start "$log" "ubd0=$img" mem=256M
	CHECK_LOGS=("$log" "$log.err")
	if ! guest_wait_log '^SYNCED' "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail disk-sigkill-during-writes "the guest never wrote" "$log"
		return
	fi
	sleep 2
	guest_stop KILL
	check disk-sigkill-during-writes "status $GUEST_STATUS, want 137" \
		test "$GUEST_STATUS" = 137
	e2fsck -fy -E journal_only "$img" >"$img.replay" 2>&1
	CHECK_LOGS=("$img.replay" "$img.fsck")
	check disk-journal-replay-leaves-clean-fs "e2fsck -fn after the replay" \
		fsck_clean "$img"
	sum=$(grep -aoE '^[0-9a-f]{32}  /root/synced' "$log" | cut -c1-32)
	check disk-fsynced-file-intact "md5 in the guest $sum" \
		test "$(in_image "$img" /root/synced | md5sum | cut -c1-32)" = "$sum"
}

# Two guests on one base at once, each with its own overlay.
disk_cow() {
	local base=$DISK_DIR/base.img before after i ok=1
	local -a pids=()
	make_image base.img 64M 'echo overlay-$(cat /proc/sys/kernel/random/uuid) \
		>/root/cow.txt; sync; sleep 3; cat /root/cow.txt' || return
	chmod 644 "$base"
	before=$(md5sum <"$base")
	for i in 1 2; do
		guest_start "$TEST_DIR/disk-cow$i.log" \
			"ubd0=$DISK_DIR/cow$i.ovl,$base" mem=256M
		pids+=("$GUEST_PID")
	done
	for i in 1 2; do
		GUEST_PID=${pids[i - 1]}
		GUEST_LOG=$TEST_DIR/disk-cow$i.log
		GUEST_PROCS=$GUEST_LOG.procs
		guest_wait_exit "$BOOT_TIMEOUT" || guest_stop KILL
		ran_ok "$GUEST_LOG" || ok=0
	done
	CHECK_LOGS=("$TEST_DIR"/disk-cow1.log* "$TEST_DIR"/disk-cow2.log*)
	check disk-cow-two-guests-share-a-base "a guest failed" test $ok = 1
	after=$(md5sum <"$base")
	check disk-cow-base-unchanged "the base changed" test "$before" = "$after"
	check disk-cow-writes-in-overlay "ubd-cow show: no block in cow1.ovl" \
		grep -qE 'in overlay: *[1-9]' <("$TOP/tools/ubd-cow" show \
			"$DISK_DIR/cow1.ovl" 2>&1)
	check disk-cow-base-lacks-guest-file "the base has /root/cow.txt" \
		test -z "$(in_image "$base" /root/cow.txt)"
	"$TOP/tools/ubd-cow" merge "$DISK_DIR/cow1.ovl" >"$TEST_DIR/merge.log" 2>&1
	CHECK_LOGS=("$TEST_DIR/merge.log")
	check disk-cow-merge "the merged base lacks the guest's file" \
		grep -q "$(in_image "$base" /root/cow.txt)" "$TEST_DIR/disk-cow1.log"
	CHECK_LOGS=("$base.fsck")
	check disk-cow-merged-fsck-clean "e2fsck -fn found problems" \
		fsck_clean "$base"
}

# disk_dir_state: names, sizes, times, modes and sums of the disk folder's
# files, but for lock.img, which its running guest may write.
disk_dir_state() {
	find "$DISK_DIR" -maxdepth 1 -type f ! -name lock.img \
		-printf '%f %s %T@ %m\n' | LC_ALL=C sort
	find "$DISK_DIR" -maxdepth 1 -type f ! -name lock.img \
		-exec md5sum {} + | LC_ALL=C sort
}

# fsck_clean IMAGE: e2fsck -fn finds nothing to fix (output to IMAGE.fsck).
fsck_clean() {
	e2fsck -fn "$1" >"$1.fsck" 2>&1
}

# refused NAME WANT ARG...: ./linux ARG... is refused before boot with
# exit status 2 and a message matching WANT, and changes no file.
refused() {
	local name=$1 want=$2 log=$TEST_DIR/disk-refused-$1.log before after
	shift 2
	before=$(disk_dir_state)
	timeout "$EXIT_TIMEOUT" "${GUEST_CMD[@]}" mem=128M "$@" \
		</dev/null >"$log" 2>&1
	local status=$?
	after=$(disk_dir_state)
	local why=()
	[ "$status" = 2 ] || why+=("exit status $status, want 2")
	grep -aqE -- "$want" "$log" || why+=("no message matching '$want'")
	[ "$before" = "$after" ] || why+=("files in the disk folder changed")
	CHECK_LOGS=("$log")
	verdict "disk-refuses-$name" "${why[@]}"
}

disk_locking() {
	local img=$DISK_DIR/lock.img log=$TEST_DIR/disk-lock.log
	make_image lock.img 64M 'echo LOCKED-UP; sleep 600' || return
	guest_start "$log" "ubd0=$img" mem=256M
	CHECK_LOGS=("$log" "$log.err")
	if ! guest_wait_log '^LOCKED-UP' "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail disk-lock "the first guest did not boot" "$log"
		return
	fi
	refused image-in-use "lock\.img is in use by process $GUEST_PID" \
		"ubd0=$img"
	refused image-in-use-read-only "lock\.img is being written by process $GUEST_PID" \
		"ubd0r=$img"
	refused image-in-use-as-backing "lock\.img is in use read-write \(locked by process $GUEST_PID\)" \
		"ubd0=$DISK_DIR/new.ovl,$img"
	guest_stop TERM
	check disk-lock-holder-powers-off "status $GUEST_STATUS" \
		test "$GUEST_STATUS" = 0
}

disk_bad_input() {
	local d=$DISK_DIR base=$DISK_DIR/base.img
	[ -f "$base" ] || return
	cp "$base" "$d/other.img"
	cp "$base" "$d/base2.img"
	cp "$base" "$d/ro.img"
	cp "$base" "$d/secret.img"
	give_guest "$d/other.img" "$d/base2.img" "$d/ro.img" "$d/secret.img"
	chmod 444 "$d/ro.img"
	chmod 000 "$d/secret.img"
	refused missing-file "missing\.img: No such file" "ubd0=$d/missing.img"
	refused directory "is a directory" "ubd0=$d"
	refused unreadable-file "secret\.img: Permission denied" "ubd0r=$d/secret.img"
	refused unwritable-file "ro\.img: not writable" "ubd0=$d/ro.img"
	refused no-equals "ubd0: not ubdN=FILE" ubd0
	refused no-file "ubd0=: not ubdN=FILE" ubd0=
	refused disk-number "ubd16=.*no such disk" "ubd16=$base"
	refused garbled-name "ubd0x=.*not ubdN=FILE" "ubd0x=$base"
	refused three-files "not ubdN=FILE" "ubd0=a,b,c"
	refused empty-overlay-name "not ubdN=FILE" "ubd0=,$base"
	refused given-twice "ubd1 is given twice" "ubd1r=$base" "ubd1r=$d/other.img"
	refused same-file-twice "already a disk of this guest" \
		"ubd0r=$base" "ubd1r=$base"
	refused bad-mem-keeps-new-overlay-away "mem=" \
		"ubd0=$d/never.ovl,$base" mem=abc
	check disk-refused-overlay-not-left "never.ovl was left behind" \
		test ! -e "$d/never.ovl"
	refused missing-backing "gone\.img: No such file" "ubd0=$d/x.ovl,$d/gone.img"

	# Overlays gone wrong.
	"$TOP/tools/ubd-cow" create "$d/good.ovl" "$d/base2.img" >/dev/null
	give_guest "$d/good.ovl"
	cp "$d/good.ovl" "$d/magic.ovl"
	printf 'X' | dd of="$d/magic.ovl" bs=1 seek=1 conv=notrunc 2>/dev/null
	cp "$d/good.ovl" "$d/crc.ovl"
	printf 'X' | dd of="$d/crc.ovl" bs=1 seek=300 conv=notrunc 2>/dev/null
	give_guest "$d/magic.ovl" "$d/crc.ovl"
	refused overlay-bad-magic "not a copy-on-write overlay" \
		"ubd0=$d/magic.ovl,$d/base2.img"
	refused overlay-bad-checksum "corrupt header" \
		"ubd0=$d/crc.ovl,$d/base2.img"
	refused overlay-other-backing "belongs to backing file" \
		"ubd0=$d/good.ovl,$d/other.img"
	refused overlay-read-only "an overlay is for writing" \
		"ubd0r=$d/good.ovl,$d/base2.img"
	touch -d '2001-01-01' "$d/base2.img"
	refused overlay-backing-changed "modified since" \
		"ubd0=$d/good.ovl,$d/base2.img"
	chmod 644 "$d/secret.img"
}

# A size that is no multiple of 4 KiB (nor of 512): the tail is unused.
disk_odd_size() {
	local img=$DISK_DIR/odd.img log=$TEST_DIR/disk-odd.log size
	make_image odd.img 64M 'cat /sys/block/ubda/size' || return
	truncate -s $(( (64 << 20) + 4096 + 512 + 100 )) "$img"
	size=$(( ((64 << 20) + 4096 + 512) / 512 ))
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" mem=256M ||
		{ fail disk-odd-size "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-odd-size-boots "status $GUEST_STATUS" ran_ok "$log"
	check disk-odd-size-capacity "no $size sectors" grep -aq "^$size" "$log"
	check disk-odd-size-notice "no notice of the 100-byte tail" \
		grep -aq 'last 100 bytes are not a whole sector' "$log.err"
}

# Discard punches holes: a file written and deleted, then fstrim, leaves
# the image about as sparse as before.
disk_discard() {
	local img=$DISK_DIR/trim.img log=$TEST_DIR/disk-trim.log before after
	make_image trim.img 128M 'dd if=/dev/urandom of=/root/big bs=1M \
		count=48 conv=fsync 2>/dev/null; rm /root/big; sync;
		fstrim -v /' || return
	before=$(du -k "$img" | cut -f1)
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" mem=256M ||
		{ fail disk-discard "still running, killed" "$log"; return; }
	after=$(du -k "$img" | cut -f1)
	CHECK_LOGS=("$log" "$log.err")
	check disk-discard-keeps-image-sparse \
		"allocated ${before} KiB before, ${after} KiB after" \
		test $((after - before)) -lt 16384
}

# Completions reach a guest that never idles: a busy loop keeps the CPU,
# so only the host thread watching the completion eventfd can bring them
# in (the idle wait, which also does, never comes).
disk_busy() {
	local img=$DISK_DIR/busy.img log=$TEST_DIR/disk-busy.log
	make_image busy.img 64M '(while :; do :; done) & spin=$!;
		dd if=/dev/ubda of=/dev/null bs=4k count=8192 iflag=direct &&
		echo READ-WHILE-BUSY; kill $spin' || return
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" mem=256M ||
		{ fail disk-reads-while-cpu-busy "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-reads-while-cpu-busy "status $GUEST_STATUS" \
		grep -aq '^READ-WHILE-BUSY' "$log"
}

# session_cpus: the distinct CPU lists that the threads of every process
# in the guest's session may run on (the guest leads its session).
session_cpus() {
	local pid
	for pid in $(ps -e -o pid=,sid= | awk -v s="$GUEST_PID" '$2 == s { print $1 }'); do
		cat /proc/"$pid"/task/*/status 2>/dev/null
	done | awk '/^Cpus_allowed_list:/ { print $2 }' | sort -u
}

# The guest keeps all its host threads and processes on one CPU (which one
# is host-helpers/cpu.c's choice), and taskset chooses for the user.
disk_cpu() {
	local img=$DISK_DIR/cpu.img log cpus ncpu pin
	local plain=("${GUEST_CMD[@]}")
	ncpu=$(nproc)
	make_image cpu.img 64M 'echo ON-ITS-CPU; sleep 600' || return
	for pin in "" 0 $((ncpu - 1)); do
		log=$TEST_DIR/disk-cpu${pin:+-$pin}.log
		if [ -n "$pin" ]; then
			GUEST_CMD=(taskset -c "$pin" "${plain[@]}")
		fi
		guest_start "$log" "ubd0=$img" mem=256M
		GUEST_CMD=("${plain[@]}")
		CHECK_LOGS=("$log" "$log.err")
		if ! guest_wait_log '^ON-ITS-CPU' "$BOOT_TIMEOUT"; then
			guest_stop KILL
			fail "disk-cpu${pin:+-taskset-$pin}" "the guest did not boot" "$log"
			continue
		fi
		cpus=$(session_cpus | tr '\n' ' ')
		guest_stop TERM
		if [ -z "$pin" ]; then
			check disk-cpu-one-for-the-whole-guest "CPU lists: $cpus" \
				test "$(wc -w <<<"$cpus")" = 1 -a "${cpus%% *}" -ge 0
		else
			check "disk-cpu-taskset-$pin" "CPU lists: $cpus" \
				test "$cpus" = "$pin "
		fi
	done
}

disk_boot
disk_busy
disk_cpu
disk_sigkill
disk_cow
disk_locking
disk_bad_input
disk_odd_size
disk_discard

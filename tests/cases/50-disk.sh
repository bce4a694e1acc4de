# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Disks: ext4 root images made by tools/mkrootimg, booted as
# `./linux ubd0=root.img`; what the guest writes is in the image after
# power-off and e2fsck finds it clean; a SIGKILL during heavy writes is
# repaired by journal replay alone; copy-on-write overlays leave their base
# untouched, merge, and share a base between guests; an image in use is
# locked; every bad disk parameter is refused, losing nothing; with
# failures forced part-way through split requests (ubd_fail=), every
# request ends exactly once with the right status and the data is intact.
# Sourced by tests/run.  DISK_TESTS="fail_eagain stress" runs only those
# (the functions below without disk_).

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
	refused fail-no-value "ubd_fail: not ubd_fail=KIND:N" ubd_fail
	refused fail-kind "ubd_fail=bogus:3: not ubd_fail=KIND:N" ubd_fail=bogus:3
	refused fail-eagain-every-time "ubd_fail=eagain:1: not ubd_fail=KIND:N" \
		ubd_fail=eagain:1
	refused fail-no-count "ubd_fail=eio:: not ubd_fail=KIND:N" ubd_fail=eio:
	refused fail-disk-number "ubd_fail=eio:3:ubd16: no such disk" \
		ubd_fail=eio:3:ubd16
	refused fail-trailing "ubd_fail=eio:3:ubd1x: not ubd_fail=KIND:N" \
		ubd_fail=eio:3:ubd1x
	refused fail-given-twice "ubd_fail is given twice" ubd_fail=eio:3 \
		ubd_fail=eagain:3

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

# Forced failures (ubd_fail=, Documentation/disks.rst).  A base of random
# data and an overlay over it whose first MiB is written in holes: every
# other sector of the first 256 KiB (by the host, with tests/lib/cow_poke:
# busybox's dd cannot write 512 bytes directly), every other 4 KiB block
# of the rest (by the guest), so a direct read of it is split into up to
# 512 host operations, handed to the host in pieces of 8.  FAIL_PAT is
# what is written (added to the guest's image); FAIL_EXP the disk as it
# must read afterwards; FAIL_OVL the overlay before the guest writes.
FAIL_BASE=$DISK_DIR/fail-base.img
FAIL_PAT=$DISK_DIR/fail-pat
FAIL_EXP=$DISK_DIR/fail-expected.img
FAIL_OVL=$DISK_DIR/fail-holes.ovl

# The guest's writes, as a script for either side: DD is the dd to use
# (busybox's in the guest with oflag=direct, the host's on a copy).
fail_writes() {
	cat <<'EOS'
j=0
while [ $j -lt 96 ]; do
	$DD if=$PAT of=$DISK bs=4k skip=$((64 + j)) seek=$((64 + 2 * j)) \
		count=1 $FLAGS 2>/dev/null || echo "WRITE-FAILED 4k $j"
	j=$((j + 1))
done
# A plain stretch at 2 MiB, written whole.
$DD if=$PAT of=$DISK bs=128k seek=16 count=8 $FLAGS 2>/dev/null ||
	echo "WRITE-FAILED 128k"
EOS
}

# fail_setup: the base, the pattern, the overlay with holes of a sector
# and the expected contents, once.  Fails if it cannot make them.
fail_setup() {
	local poke=$DISK_DIR/cow_poke piece=$DISK_DIR/fail-piece i
	[ -f "$FAIL_EXP" ] && return
	head -c 8M /dev/urandom >"$FAIL_BASE"
	head -c 1M /dev/urandom >"$FAIL_PAT"
	chmod 644 "$FAIL_BASE" "$FAIL_PAT"
	cp "$FAIL_BASE" "$FAIL_EXP"
	if ! cc -O2 -Wall -I"$TOP/ubd" -I"$TOP/host-helpers/include" -o "$poke" \
		"$TOP/tests/lib/cow_poke.c" \
		"$TOP/ubd/cow_format.c" >"$poke.log" 2>&1 ||
	   ! "$TOP/tools/ubd-cow" create "$FAIL_OVL" "$FAIL_BASE" \
		>>"$poke.log" 2>&1; then
		fail disk-fail-setup "cannot build cow_poke or make an overlay" \
			"$poke.log"
		return 1
	fi
	for ((i = 0; i < 256; i++)); do
		dd if="$FAIL_PAT" of="$piece" bs=512 skip=$i count=1 status=none
		"$poke" "$FAIL_OVL" $((2 * i * 512)) "$piece" >>"$poke.log" 2>&1 ||
			{ fail disk-fail-setup "cow_poke failed" "$poke.log"; return 1; }
		dd if="$piece" of="$FAIL_EXP" bs=512 seek=$((2 * i)) \
			conv=notrunc status=none
	done
	DD=dd PAT=$FAIL_PAT DISK=$FAIL_EXP FLAGS=conv=notrunc \
		bash -c "$(fail_writes)"
}

# fail_image NAME SCRIPT: a root image whose init runs SCRIPT (a file),
# with the pattern as /root/pat.
fail_image() {
	local img=$DISK_DIR/$1
	if ! "$TOP/tools/mkrootimg" -f -o "$img" -s 64M \
		--add "$FAIL_PAT:/root/pat" --add "$2:/root/t.sh" \
		--cmd 'sh /root/t.sh' >"$img.log" 2>&1; then
		fail "disk-image-$1" "tools/mkrootimg failed" "$img.log"
		return 1
	fi
	give_guest "$img"
}

# expected_sum OFFSET LENGTH: md5 of that byte range of the expected disk.
expected_sum() {
	tail -c +$(($1 + 1)) "$FAIL_EXP" | head -c "$2" | md5sum | cut -c1-32
}

# clean_console LOG: no oops, BUG, warning or broken invariant in it.
clean_console() {
	! grep -aqE 'BUG:|WARNING:|Oops|Kernel panic|host engine|ended twice|dispatched while in flight|general protection' "$1"
}

# forced LOG KIND: the last "(N forced, M part-way)" of ubd_fail's lines
# for KIND, as "N M"; "0 0" if none.
forced() {
	grep -aoE "ubd_fail: forced $2 .*\\(([0-9]+) forced, ([0-9]+) part-way\\)" "$1" |
		tail -n 1 | sed -E 's/.*\(([0-9]+) forced, ([0-9]+) part-way\)/\1 \2/' |
		grep . || echo "0 0"
}

# no_request_failed LOG: the block layer reported no failed ubd request.
no_request_failed() {
	! grep -aq 'error, dev ubd' "$1"
}

# param_kept_by_kernel LOG: the guest saw ubd_fail= in /proc/cmdline, but
# neither in init's environment nor as an unknown parameter.
param_kept_by_kernel() {
	grep -aq '^INIT-ENV-UBD 0' "$1" &&
		grep -aq '^CMDLINE-HAS-UBD-FAIL' "$1" &&
		! grep -aq 'Unknown kernel command line' "$1"
}

# EAGAIN part-way through split requests, on every disk, the root file
# system's included: retried in the host, invisible to the guest; what the
# guest wrote reads back right, split or not, direct or cached, in
# parallel too, and matches what the host computes.
disk_fail_eagain() {
	local img=$DISK_DIR/eagain.img log=$TEST_DIR/disk-eagain.log
	local script=$DISK_DIR/eagain.sh why=() n partway name want got
	fail_setup || return
	cp "$FAIL_OVL" "$DISK_DIR/eagain.ovl"
	give_guest "$DISK_DIR/eagain.ovl"
	{
		echo 'DD=dd PAT=/root/pat DISK=/dev/ubdb FLAGS=oflag=direct'
		fail_writes
		cat <<'EOS'
sum() {
	dd if=/dev/ubdb bs=$1 count=$2 skip=${3:-0} iflag=direct 2>/dev/null |
		md5sum | cut -c1-32
}
echo "SUM 0 1048576 $(sum 512k 2)"
echo "SUM 0 1048576 $(sum 64k 16)"
echo "SUM 0 1048576 $(sum 4k 256)"
echo "SUM 0 8388608 $(sum 1M 8)"
echo "SUM 0 8388608 $(md5sum </dev/ubdb | cut -c1-32)"
for k in 1 2 4 8; do
	echo "SUM 0 4194304 $(sum $((k * 32))k $((128 / k)))" &
done
wait
echo "INIT-ENV-UBD $(tr '\0' '\n' </proc/1/environ | grep -c '^ubd')"
grep -q 'ubd_fail=eagain:5' /proc/cmdline && echo CMDLINE-HAS-UBD-FAIL
sync
EOS
	} >"$script"
	fail_image eagain.img "$script" || return
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" \
		"ubd1=$DISK_DIR/eagain.ovl,$FAIL_BASE" ubd_fail=eagain:5 mem=256M ||
		{ fail disk-fail-eagain "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-fail-eagain-powers-off "status $GUEST_STATUS" ran_ok "$log"
	check disk-fail-eagain-console-clean "a BUG, warning or broken invariant" \
		clean_console "$log"
	check disk-fail-eagain-no-request-failed "a request failed" \
		no_request_failed "$log"
	check disk-fail-param-stays-in-the-kernel \
		"init's environment has it, or the kernel called it unknown" \
		param_kept_by_kernel "$log"
	read -r n partway < <(forced "$log" EAGAIN)
	check disk-fail-eagain-forced-part-way \
		"$n forced, $partway part-way through a split request" \
		test "$n" -ge 100 -a "$partway" -gt 0
	! grep -aq WRITE-FAILED "$log" || why+=("a write failed")
	n=0
	while read -r name off len got; do
		want=$(expected_sum "$off" "$len")
		[ "$got" = "$want" ] || why+=("bytes $off+$len read $got, want $want")
		n=$((n + 1))
	done < <(grep -aE '^SUM [0-9]+ [0-9]+ [0-9a-f]{32}' "$log" | tr -d '\r')
	[ "$n" = 9 ] || why+=("$n sums on the console, want 9")
	verdict disk-fail-eagain-data-intact "${why[@]}"
	CHECK_LOGS=("$img.fsck")
	check disk-fail-eagain-root-fsck-clean "e2fsck -fn found problems" \
		fsck_clean "$img"
}

# EIO part-way through split requests of the second disk: the guest's
# direct reads and writes fail with an I/O error where a piece failed;
# what reads without error is the right data; nothing is ended twice or
# left hanging (the guest powers off).
disk_fail_eio() {
	local img=$DISK_DIR/eio.img log=$TEST_DIR/disk-eio.log
	local script=$DISK_DIR/eio.sh why=() n partway i got want ok=0 bad=0
	[ -f "$DISK_DIR/eagain.ovl" ] || return
	cp "$DISK_DIR/eagain.ovl" "$DISK_DIR/eio.ovl"
	give_guest "$DISK_DIR/eio.ovl"
	cat >"$script" <<'EOS'
i=0
while [ $i -lt 128 ]; do
	if dd if=/dev/ubdb of=/tmp/c bs=64k skip=$i count=1 iflag=direct \
		2>/tmp/err; then
		echo "CHUNK $i $(md5sum </tmp/c | cut -c1-32)"
	else
		echo "CHUNK $i EIO $(grep -o 'Input/output error' /tmp/err)"
	fi
	i=$((i + 1))
done
for k in 1 2 3; do
	dd if=/dev/ubdb of=/dev/null bs=$((k * 128))k iflag=direct 2>/dev/null &
done
wait
if dd if=/root/pat of=/dev/ubdb bs=4k count=32 seek=1024 oflag=direct \
	2>/tmp/err; then
	echo WRITE-OK
else
	echo "WRITE-EIO $(grep -o 'Input/output error' /tmp/err)"
fi
EOS
	fail_image eio.img "$script" || return
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" \
		"ubd1=$DISK_DIR/eio.ovl,$FAIL_BASE" ubd_fail=eio:9:ubd1 mem=256M ||
		{ fail disk-fail-eio "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-fail-eio-powers-off "status $GUEST_STATUS" ran_ok "$log"
	check disk-fail-eio-console-clean "a BUG, warning or broken invariant" \
		clean_console "$log"
	read -r n partway < <(forced "$log" EIO)
	check disk-fail-eio-forced-part-way \
		"$n forced, $partway part-way through a split request" \
		test "$n" -ge 20 -a "$partway" -gt 0
	n=0
	while read -r _ i got; do
		n=$((n + 1))
		if [ "$got" = "EIO Input/output error" ]; then
			bad=$((bad + 1))
			continue
		fi
		want=$(expected_sum $((i * 65536)) 65536)
		if [ "$got" = "$want" ]; then
			ok=$((ok + 1))
		else
			why+=("chunk $i read $got, want $want")
		fi
	done < <(grep -aE '^CHUNK [0-9]+ ' "$log" | tr -d '\r')
	[ "$n" = 128 ] || why+=("$n chunks on the console, want 128")
	[ "$bad" -gt 0 ] || why+=("no read failed")
	[ "$ok" -gt 0 ] || why+=("no read succeeded")
	verdict disk-fail-eio-reads-fail-or-are-right "${why[@]}"
	check disk-fail-eio-write-fails "no I/O error from the write" \
		grep -aq '^WRITE-EIO Input/output error' "$log"
}

# A request's end reported twice (ubd_fail=twice): the driver's check
# tells it loudly, once, and does not act on it; the data is intact.
disk_fail_twice() {
	local img=$DISK_DIR/twice.img log=$TEST_DIR/disk-twice.log
	local script=$DISK_DIR/twice.sh want
	[ -f "$DISK_DIR/eagain.ovl" ] || return
	cp "$DISK_DIR/eagain.ovl" "$DISK_DIR/twice.ovl"
	give_guest "$DISK_DIR/twice.ovl"
	cat >"$script" <<'EOS'
echo "SUM $(dd if=/dev/ubdb bs=64k iflag=direct 2>/dev/null | md5sum | cut -c1-32)"
EOS
	fail_image twice.img "$script" || return
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" \
		"ubd1=$DISK_DIR/twice.ovl,$FAIL_BASE" ubd_fail=twice:10:ubd1 mem=256M ||
		{ fail disk-fail-twice "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-fail-twice-powers-off "status $GUEST_STATUS" ran_ok "$log"
	check disk-fail-twice-reported "no report of a request ended twice" \
		grep -aqE 'ubd: ended twice, or not in flight; not ended: ubdb tag [0-9]+ READ sector [0-9]+, [0-9]+ bytes' "$log"
	check disk-fail-twice-warned-once "not one WARNING" \
		test "$(grep -ac 'WARNING:' "$log")" = 1
	want=$(md5sum <"$FAIL_EXP" | cut -c1-32)
	check disk-fail-twice-data-intact "read other than $want" \
		grep -aq "^SUM $want" "$log"
}

# Stress: two disks at once, a plain image and an overlay over a base of
# random data, each with 16 jobs in parallel (busybox's dd: direct writes
# and reads of 4 KiB to 1 MiB in mixed pairs, buffered ones of 512 bytes,
# cached reads, discards, short idle spells), with EAGAIN forced on every
# 11th host operation.  Each job checks its own random MiB in the guest;
# the host then checks the image, and the overlay merged into its base.
disk_stress() {
	local img=$DISK_DIR/stress.img log=$TEST_DIR/disk-stress.log
	local script=$DISK_DIR/stress.sh disk1=$DISK_DIR/stress-plain.img
	local base=$DISK_DIR/stress-base.img ovl=$DISK_DIR/stress.ovl
	local why=() n=0 disk slot sum want file
	truncate -s 64M "$disk1"
	head -c 64M /dev/urandom >"$base"
	chmod 644 "$base"
	give_guest "$disk1"
	rm -f "$ovl"
	cat >"$script" <<'EOS'
ZERO=$(head -c 1048576 /dev/zero | md5sum | cut -c1-32)
# job DISK SLOT: the job's own MiB at SLOT (MiB) of DISK.
job() {
	d=/dev/$1 off=$(($2 * 1048576)) data=/tmp/$1-$2 n=0
	head -c 1048576 /dev/urandom >$data
	want=$(md5sum <$data | cut -c1-32)
	for pair in 4k:1M 16k:4k 64k:64k 256k:16k 1M:256k 512:32k; do
		w=${pair%:*} r=${pair#*:}
		dd if=$data of=$d bs=$w seek=$off oflag=direct,seek_bytes \
			2>/dev/null || echo "STRESS-FAILED write $1 $2 $w"
		got=$(dd if=$d bs=$r skip=$off count=1048576 \
			iflag=direct,skip_bytes,count_bytes 2>/dev/null |
			md5sum | cut -c1-32)
		[ "$got" = "$want" ] || echo "STRESS-FAILED read $1 $2 w$w r$r"
		n=$((n + 1))
		[ $((n % 3)) = $(($2 % 3)) ] && sleep 0.2
	done
	# A MiB further on: written, read cached, discarded, read as zeroes.
	off2=$((off + 16 * 1048576))
	dd if=$data of=$d bs=128k seek=$off2 oflag=direct,seek_bytes \
		2>/dev/null || echo "STRESS-FAILED write2 $1 $2"
	got=$(dd if=$d bs=64k skip=$off2 count=1048576 \
		iflag=skip_bytes,count_bytes 2>/dev/null | md5sum | cut -c1-32)
	[ "$got" = "$want" ] || echo "STRESS-FAILED cached $1 $2"
	# blkdiscard opens the disk exclusively: one job at a time.
	t=0
	until blkdiscard -o $off2 -l 1048576 $d 2>/dev/null; do
		t=$((t + 1))
		[ $t -lt 100 ] || { echo "STRESS-FAILED discard $1 $2"; break; }
		sleep 0.1
	done
	got=$(dd if=$d bs=256k skip=$off2 count=1048576 \
		iflag=direct,skip_bytes,count_bytes 2>/dev/null |
		md5sum | cut -c1-32)
	[ "$got" = "$ZERO" ] || echo "STRESS-FAILED discarded $1 $2"
	echo "STRESS-DATA $1 $2 $want"
}
for slot in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	job ubdb $slot &
	job ubdc $slot &
done
# The base shows through where nothing was written: MiB 32 on.
echo "STRESS-BASE $(dd if=/dev/ubdc bs=1M skip=32 count=32 iflag=direct \
	2>/dev/null | md5sum | cut -c1-32)"
wait
sync
EOS
	if ! "$TOP/tools/mkrootimg" -f -o "$img" -s 64M \
		--add "$script:/root/t.sh" --cmd 'sh /root/t.sh' \
		>"$img.log" 2>&1; then
		fail disk-image-stress.img "tools/mkrootimg failed" "$img.log"
		return
	fi
	give_guest "$img"
	guest_run "$BOOT_TIMEOUT" "$log" "ubd0=$img" "ubd1=$disk1" \
		"ubd2=$ovl,$base" ubd_fail=eagain:11 mem=256M ||
		{ fail disk-stress "still running, killed" "$log"; return; }
	CHECK_LOGS=("$log" "$log.err")
	check disk-stress-powers-off "status $GUEST_STATUS" ran_ok "$log"
	check disk-stress-console-clean "a BUG, warning or broken invariant" \
		clean_console "$log"
	check disk-stress-no-request-failed "a request failed" \
		no_request_failed "$log"
	grep -aq STRESS-FAILED "$log" &&
		why+=("$(grep -a STRESS-FAILED "$log" | head -n 3 | tr '\r\n' '  ')")
	want=$(tail -c +$((32 * 1048576 + 1)) "$base" | md5sum | cut -c1-32)
	grep -aq "^STRESS-BASE $want" "$log" ||
		why+=("the base did not show through the overlay")
	"$TOP/tools/ubd-cow" merge "$ovl" >"$ovl.merge" 2>&1 ||
		why+=("ubd-cow merge failed")
	while read -r _ disk slot sum; do
		n=$((n + 1))
		file=$disk1
		[ "$disk" = ubdc ] && file=$base
		want=$(tail -c +$((slot * 1048576 + 1)) "$file" | head -c 1048576 |
			md5sum | cut -c1-32)
		[ "$want" = "$sum" ] || why+=("$disk MiB $slot differs on the host")
	done < <(grep -aE '^STRESS-DATA ubd[bc] [0-9]+ [0-9a-f]{32}' "$log" | tr -d '\r')
	[ "$n" = 32 ] || why+=("$n jobs finished, want 32")
	verdict disk-stress-data-intact "${why[@]}"
}

if [ -n "${DISK_TESTS:-}" ]; then
	for t in $DISK_TESTS; do
		"disk_$t"
	done
	return
fi
disk_boot
disk_busy
disk_cpu
disk_sigkill
disk_cow
disk_locking
disk_bad_input
disk_odd_size
disk_discard
disk_fail_eagain
disk_fail_eio
disk_fail_twice
disk_stress

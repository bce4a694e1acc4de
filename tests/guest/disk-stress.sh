#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the fio disk stress (tests/cases/55-disk-stress.sh) and of
# the disk soak (tests/soak/disk-soak.sh).  Runs in the Debian test image
# (tests/lib/debian.sh), which has fio.
#
# Usage: disk-stress.sh stress [ROUNDS]
#        disk-stress.sh soak SECONDS
#
# Disks: /dev/ubdb holds an ext4 file system (made on the host), /dev/ubdc
# is a raw disk of at least 256 MiB (an overlay over a base of random data).
#
# A round has two phases, each followed by an idle spell.  Phase a: fio
# with verification on the raw disk (libaio at depths 1, 8 and 64, psync
# with think time, 512 B to 1 MiB, a reader over the whole disk) while fio
# jobs with verification write files on the file system (direct libaio
# and psync, buffered with fsync).  Phase b: another pass on the raw disk
# (another seed, the other checksum) while the file system is filled by
# fio to ENOSPC (verified), emptied and trimmed, twice (direct libaio,
# then buffered psync).
#
# stress: ROUNDS rounds (default 8, about 2.5 minutes).
# soak: rounds until SECONDS have passed (a round is not cut short); phase
# a adds file system work beside the fio jobs (tar and untar of parts of
# /usr, cp -a, diff -r, rm -rf, sync, fstrim), phase b fills only once.
#
# Prints, for the host to check:
#   STRESS-FIO NAME rc=N ...   each fio run, with its throughput
#   STRESS-FILL N avail=K      free space left after a fill (want ~0)
#   STRESS-TRIM N BYTES        what fstrim trimmed after emptying
#   STRESS-TREE N ...          (soak) the tree work's size
#   STRESS-FAILED WHAT         anything that went wrong
#   STRESS-BASE-MD5 SUM        MiB 144 to 256 of the raw disk (never written)
#   STRESS-RAW-MD5 SUM         the whole raw disk at the end
#   STRESS-KMSG LINE           kernel messages of level warning or above
#                              since boot
#   STRESS-KMSG-HOST LINE      the two of them that tell of the host, not
#                              of disks (see the end)
#   STRESS-ROUNDS N            rounds completed
# and exits 0 only if nothing failed.

FS=/dev/ubdb
RAW=/dev/ubdc
MNT=/mnt/stress
OUT=/tmp/stress
mkdir -p "$MNT" "$OUT"
: >"$OUT/failed"

# failed WHAT: note a failure; works from background jobs too.
failed() {
	echo "STRESS-FAILED $*"
	echo "$*" >>"$OUT/failed"
}

# run_fio NAME ARG...: fio ARG..., its report in $OUT/NAME.log.
run_fio() {
	local name=$1 rc
	shift
	fio --eta=never --output="$OUT/$name.log" "$@" 2>"$OUT/$name.err"
	rc=$?
	echo "STRESS-FIO $name rc=$rc" \
		"$(grep -hE '^ +(READ|WRITE): ' "$OUT/$name.log" |
			sed -E 's/^ +([A-Z]+): bw=([^ ]+) .* io=([^ ]+) .*/\1 bw=\2 io=\3/' |
			paste -sd ' ')"
	if [ $rc != 0 ]; then
		failed "fio $name exited with status $rc"
		grep -aiE 'err=|verify|error|bad' "$OUT/$name.log" "$OUT/$name.err" |
			head -n 20
	fi
	return $rc
}

# raw_jobs PASS: the job file for a pass over the raw disk.  The writers
# own disjoint ranges (MiB 0 to 144); the reader reads the whole disk.
raw_jobs() {
	local verify=crc32c
	[ $(($1 % 2)) = 0 ] && verify=md5
	cat <<EOF
[global]
filename=$RAW
direct=1
verify=$verify
verify_fatal=1
verify_backlog=64
randseed=$((7000 + $1))
[raw-qd1]
ioengine=libaio
iodepth=1
rw=randwrite
bsrange=512-64k
offset=0
size=16m
[raw-qd64]
ioengine=libaio
iodepth=64
rw=randwrite
bsrange=4k-1m
offset=16m
size=64m
[raw-psync]
ioengine=psync
rw=randwrite
bsrange=512-1m
offset=80m
size=32m
thinktime=20000
thinktime_blocks=32
[raw-qd8]
ioengine=libaio
iodepth=8
rw=randwrite
bssplit=512/10:4k/40:64k/30:1m/20
offset=112m
size=32m
[raw-reader]
ioengine=libaio
iodepth=16
rw=randread
bsrange=512-1m
verify=0
offset=0
size=256m
io_size=96m
thinktime=50000
thinktime_blocks=64
EOF
}

# fs_jobs PASS: files with verification on the file system.
fs_jobs() {
	cat <<EOF
[global]
directory=$MNT
verify=crc32c
verify_fatal=1
randseed=$((9000 + $1))
[fs-aio]
ioengine=libaio
iodepth=32
direct=1
rw=randwrite
bsrange=512-1m
size=48m
verify_backlog=128
filename=aio.dat
[fs-psync]
ioengine=psync
direct=1
rw=randwrite
bsrange=4k-256k
size=32m
thinktime=5000
thinktime_blocks=16
filename=psync.dat
[fs-buffered]
ioengine=psync
direct=0
rw=write
bs=64k
size=32m
verify=md5
fsync=16
filename=buffered.dat
EOF
}

# fill_and_trim N: fill the file system with fio to ENOSPC (verified),
# then empty it and trim.  Odd N: direct libaio; even: buffered psync.
fill_and_trim() {
	local n=$1 avail trimmed engine=(--ioengine=libaio --iodepth=16 --direct=1)
	[ $((n % 2)) = 0 ] && engine=(--ioengine=psync --direct=0 --bsrange=4k-1m)
	run_fio "fill$n" --name="fill$n" --filename="$MNT/fill$n" --rw=write \
		--bs=1m "${engine[@]}" --fill_device=1 --verify=crc32c \
		--verify_fatal=1 --randseed=$((n + 300))
	avail=$(df -k --output=avail "$MNT" | tail -n 1 | tr -d ' ')
	echo "STRESS-FILL $n avail=${avail}K"
	[ "${avail:-9999}" -lt 1024 ] || failed "fill $n left ${avail}K free"
	rm -f "$MNT/fill$n"
	# Freed blocks become free, and trimmable, when the journal commits.
	sync
	sleep 1
	trimmed=$(fstrim -v "$MNT" | sed -nE 's/.*\(([0-9]+) bytes\).*/\1/p')
	echo "STRESS-TRIM $n ${trimmed:-none}"
	[ "${trimmed:-0}" -gt $((64 << 20)) ] ||
		failed "fstrim $n trimmed ${trimmed:-nothing}"
}

# raw_pass N: fio over the raw disk.
raw_pass() {
	raw_jobs "$1" >"$OUT/raw$1.fio"
	run_fio "raw$1" "$OUT/raw$1.fio"
}

# fs_pass N: the file jobs, then their files removed.
fs_pass() {
	fs_jobs "$1" >"$OUT/fs$1.fio"
	run_fio "fs$1" "$OUT/fs$1.fio"
	rm -f "$MNT"/*.dat
}

# tree_work N: copy parts of /usr about on the file system and compare.
# (diff --no-dereference: links to /etc/alternatives and the like are
# compared as links, and relative ones need not resolve in the copy.)
TREE="usr/bin usr/lib/x86_64-linux-gnu usr/share/doc"
tree_work() {
	local d=$MNT/tree$1 t
	mkdir -p "$d/a"
	# shellcheck disable=SC2086  # a list of folders
	tar -C / -cf "$d/usr.tar" $TREE || failed "tar $1"
	tar -C "$d/a" -xf "$d/usr.tar" || failed "untar $1"
	cp -a "$d/a" "$d/b" || failed "cp $1"
	sync
	echo "STRESS-TREE $1 $(du -sm "$d/a" | cut -f1) MiB copied twice"
	for t in $TREE; do
		if ! diff -r --no-dereference "$d/b/$t" "/$t" >"$OUT/diff$1" 2>&1; then
			head -n 5 "$OUT/diff$1"
			failed "tree $1: the copy of /$t differs"
		fi
	done
	rm -rf "$d"
	sync
	fstrim "$MNT" || failed "fstrim after tree $1"
}

# raw_md5 SKIP COUNT: md5 of COUNT MiB of the raw disk from MiB SKIP.
raw_md5() {
	dd if=$RAW bs=1M skip="$1" count="$2" iflag=direct 2>/dev/null |
		md5sum | cut -c1-32
}

# phase_a N: raw pass 2N-1 while the file jobs (and, soaking, tree work)
# run on the file system.
phase_a() {
	local raw
	raw_pass $((2 * $1 - 1)) &
	raw=$!
	if [ "$MODE" = soak ]; then
		tree_work "$1" &
		fs_pass "$1"
		wait $!
	else
		fs_pass "$1"
	fi
	wait $raw
}

# phase_b N: raw pass 2N while the file system is filled and trimmed.
phase_b() {
	local raw
	raw_pass $((2 * $1)) &
	raw=$!
	fill_and_trim $((2 * $1 - 1))
	sleep 2
	[ "$MODE" = soak ] || fill_and_trim $((2 * $1))
	wait $raw
}

# round N: both phases, idle spells after each.
round() {
	echo "STRESS: round $1 phase a, $(date +%T)"
	phase_a "$1"
	sleep $(($1 % 3 + 2))
	echo "STRESS: round $1 phase b, $(date +%T)"
	phase_b "$1"
	sleep 3
	echo "STRESS-ROUNDS $1"
}

MODE=$1
mount -o noatime "$FS" "$MNT" || failed "mount $FS"
echo "STRESS-BASE-MD5 $(raw_md5 144 112)"

case $MODE in
stress)
	for n in $(seq "${2:-8}"); do
		round "$n"
	done
	;;
soak)
	end=$((SECONDS + $2))
	n=0
	while [ $SECONDS -lt $end ]; do
		n=$((n + 1))
		round $n
	done
	;;
*)
	failed "usage: disk-stress.sh stress [ROUNDS] | soak SECONDS"
	;;
esac

umount "$MNT" || failed "umount $MNT"
echo "STRESS-BASE-MD5 $(raw_md5 144 112)"
echo "STRESS-RAW-MD5 $(raw_md5 0 "$(($(blockdev --getsize64 $RAW) >> 20))")"
# Two warnings say nothing about disks: every boot's, that the port has
# no read-only kernel text (no ARCH_HAS_STRICT_KERNEL_RWX), and the timer
# code's "hrtimer: interrupt took N ns", printed once when the host did
# not run the guest's CPU for a while (an overloaded host: the one-hour
# soak met it once at a load average of 17 on two cores).  They are
# listed apart, for the record.
dmesg --level=emerg,alert,crit,err,warn >"$OUT/kmsg"
grep -E 'This architecture does not have kernel memory protection|hrtimer: interrupt took' \
	"$OUT/kmsg" | sed 's/^/STRESS-KMSG-HOST /'
grep -vE 'This architecture does not have kernel memory protection|hrtimer: interrupt took' \
	"$OUT/kmsg" | sed 's/^/STRESS-KMSG /'
n=$(wc -l <"$OUT/failed")
echo "STRESS: done, $(date +%T), $n failures"
[ "$n" = 0 ]

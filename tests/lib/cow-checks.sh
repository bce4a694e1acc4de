# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Checks of the copy-on-write overlay format (ubd/cow_format.c) and of the
# ubd-cow tool, run on the host without a guest.  Sourced; cow_checks runs
# them all.  Needs report.sh's pass/fail/skip/verdict, TEST_DIR (a scratch
# directory) and TOP (the project root) with tools/ubd-cow built.
#
# Standalone:
#   make -C tools && bash -c '. tests/lib/report.sh;
#     . tests/lib/cow-checks.sh; TEST_DIR=$(mktemp -d); TOP=$PWD;
#     cow_checks; summary; rm -rf "$TEST_DIR"'

COW_BS=512

# cow_run NAME ARG...: run ubd-cow ARG..., its stdout to COW_OUT and its
# stderr to COW_ERR (both named after NAME); sets COW_STATUS.
cow_run() {
	local name=$1
	shift
	COW_OUT=$COW_DIR/$name.out
	COW_ERR=$COW_DIR/$name.err
	"$UBD_COW" "$@" >"$COW_OUT" 2>"$COW_ERR"
	COW_STATUS=$?
	CHECK_LOGS=("$COW_OUT" "$COW_ERR")
}

# cow_want STATUS WHAT: unless ubd-cow's last exit status was STATUS, add a
# reason to the caller's why array.
cow_want() {
	[ "$COW_STATUS" -eq "$1" ] || why+=("$2: exit status $COW_STATUS")
}

# cow_fresh NAME SIZE: a new directory $COW_DIR/NAME holding base.img,
# SIZE random bytes; prints the directory.
cow_fresh() {
	local d=$COW_DIR/$1
	rm -rf "$d"
	mkdir -p "$d"
	head -c "$2" /dev/urandom >"$d/base.img"
	realpath "$d"
}

# cow_flip FILE OFFSET: invert the byte at OFFSET of FILE.
cow_flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059  # the format is the byte
	printf "$(printf '\\%03o' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# cow_patch FILE OFFSET DATA: write DATA's bytes into FILE at OFFSET.
cow_patch() {
	dd if="$3" of="$1" bs=1M seek="$2" oflag=seek_bytes conv=notrunc \
		status=none
}

# cow_blocks OFFSET LENGTH: how many 512-byte blocks the range touches.
cow_blocks() {
	echo $((($1 + $2 - 1) / COW_BS - $1 / COW_BS + 1))
}

# cow_cmp DIR: where DIR/base.img and DIR/expected first differ.
cow_cmp() {
	cmp "$1/base.img" "$1/expected" 2>&1 | head -n 1
}

# cow_in_overlay FILE: the block count of a "show" output.
cow_in_overlay() {
	sed -n 's/^in overlay: *\([0-9]*\) blocks.*/\1/p' "$1"
}

# cow_poke_data DIR NAME OFFSET LENGTH: random bytes written into the
# guest's disk through DIR/ov at OFFSET, and into DIR/expected alike.
cow_poke_data() {
	local d=$1 data=$1/$2.data
	head -c "$4" /dev/urandom >"$data"
	"$COW_POKE" "$d/ov" "$3" "$data" >>"$d/poke.log" 2>&1 || return
	cow_patch "$d/expected" "$3" "$data"
}

cow_usage() {
	local why=()
	cow_run help --help
	cow_want 0 --help
	grep -q 'create OVERLAY BACKING' "$COW_OUT" ||
		why+=("--help lacks create")
	grep -q 'merge OVERLAY' "$COW_OUT" || why+=("--help lacks merge")
	cow_run noargs
	cow_want 2 "no arguments"
	cow_run badcmd frobnicate x
	cow_want 2 "unknown command"
	cow_run badargs show
	cow_want 2 "show without OVERLAY"
	cow_run badopt show -x
	cow_want 2 "unknown option"
	verdict cow-usage "${why[@]}"
}

# Create with a relative backing path, then show: the stored path is
# absolute, nothing is in the overlay, the backing file matches.
cow_create_show() {
	local d why=() n
	d=$(cow_fresh create $((3 * 1024 * 1024)))
	(cd "$d" && "$UBD_COW" create ov base.img) \
		>"$COW_DIR/create.log" 2>&1 || why+=("create failed")
	cow_run create-show show "$d/ov"
	cow_want 0 show
	grep -qx "backing file: *$d/base.img" "$COW_OUT" ||
		why+=("show does not give the backing path $d/base.img")
	n=$(cow_in_overlay "$COW_OUT")
	[ "$n" = 0 ] || why+=("show says ${n:-?} blocks in the overlay, not 0")
	grep -q '^blocks: *6144$' "$COW_OUT" || why+=("not 6144 blocks")
	grep -q 'present and matches' "$COW_OUT" ||
		why+=("show does not say the backing file matches")
	printf '\177UBDCOW\n' | cmp -s -n 8 - "$d/ov" || why+=("wrong magic")
	CHECK_LOGS+=("$COW_DIR/create.log")
	verdict cow-create-show "${why[@]}"
}

# An existing file, overlay or not, is never overwritten.
cow_create_existing() {
	local d why=()
	d=$(cow_fresh exists 100000)
	"$UBD_COW" create "$d/ov" "$d/base.img" || why+=("first create failed")
	cp "$d/ov" "$d/ov.orig"
	cow_run exists create "$d/ov" "$d/base.img"
	cow_want 1 "second create"
	grep -q "^ubd-cow: $d/ov: .*exists" "$COW_ERR" ||
		why+=("no \"ubd-cow: OVERLAY: ... exists\" message")
	cmp -s "$d/ov" "$d/ov.orig" || why+=("the overlay was changed")
	echo precious >"$d/precious"
	cow_run exists2 create "$d/precious" "$d/base.img"
	cow_want 1 "create over a file"
	[ "$(cat "$d/precious")" = precious ] ||
		why+=("a plain file was overwritten")
	verdict cow-create-refuses-existing "${why[@]}"
}

cow_create_missing() {
	local d why=()
	d=$(cow_fresh missing 1000)
	cow_run missing create "$d/ov" "$d/nonesuch.img"
	cow_want 1 create
	grep -q "nonesuch.img: No such file" "$COW_ERR" ||
		why+=("the message does not name the missing file")
	[ ! -e "$d/ov" ] || why+=("an overlay was left behind")
	verdict cow-create-missing-backing "${why[@]}"
}

# An overlay over an overlay would show the guest the header: refused.
cow_create_chained() {
	local d why=()
	d=$(cow_fresh chain 1000)
	"$UBD_COW" create "$d/ov" "$d/base.img" || why+=("create failed")
	cow_run chain create "$d/ov2" "$d/ov"
	cow_want 1 create
	grep -q "itself an overlay" "$COW_ERR" || why+=("no clear message")
	[ ! -e "$d/ov2" ] || why+=("an overlay was left behind")
	verdict cow-create-refuses-overlay-backing "${why[@]}"
}

cow_show_not_overlay() {
	local d why=() f
	d=$(cow_fresh notov 100000)
	: >"$d/empty"
	echo short >"$d/short"
	for f in base.img empty short; do
		cow_run "notov-$f" show "$d/$f"
		cow_want 1 "$f"
		grep -q "^ubd-cow: $d/$f: not a copy-on-write overlay" \
			"$COW_ERR" || why+=("$f: no clear message")
	done
	verdict cow-show-refuses-non-overlay "${why[@]}"
}

# cow_corrupt NAME OFFSET PATTERN: flip a header byte; show must refuse
# the overlay with a message matching PATTERN.
cow_corrupt() {
	local d why=()
	d=$(cow_fresh "$1" 100000)
	"$UBD_COW" create "$d/ov" "$d/base.img" || why+=("create failed")
	cow_flip "$d/ov" "$2"
	cow_run "$1" show "$d/ov"
	cow_want 1 show
	grep -q "^ubd-cow: $d/ov: .*$3" "$COW_ERR" ||
		why+=("no message matching \"$3\"")
	verdict "cow-$1" "${why[@]}"
}

# A changed backing file: show still prints the header, says the backing
# file does not match on stdout and why on stderr, and exits 1.
cow_stale() {
	local name=$1 pattern=$2 d why=()
	d=$(cow_fresh "$name" 100000)
	"$UBD_COW" create "$d/ov" "$d/base.img" || why+=("create failed")
	case $name in
	stale-mtime)	touch -d '2001-02-03 04:05:06' "$d/base.img" ;;
	stale-size)	printf x >>"$d/base.img" ;;
	stale-missing)	rm "$d/base.img" ;;
	esac
	cow_run "$name" show "$d/ov"
	cow_want 1 show
	grep -q "^backing file: *$d/base.img" "$COW_OUT" ||
		why+=("the header was not shown")
	grep -q "^backing check: *\(does not match\|missing\)" "$COW_OUT" ||
		why+=("stdout does not say the backing file does not match")
	grep -q "^ubd-cow: $d/ov: .*$pattern" "$COW_ERR" ||
		why+=("no message matching \"$pattern\"")
	verdict "cow-$name" "${why[@]}"
}

# cow_prepare NAME SIZE: a fresh base.img of SIZE bytes, its overlay ov
# and expected (base.img as it should be after merging); prints the
# directory.
cow_prepare() {
	local d
	d=$(cow_fresh "$1" "$2")
	cp "$d/base.img" "$d/expected"
	"$UBD_COW" create "$d/ov" "$d/base.img" >"$d/poke.log" 2>&1
	echo "$d"
}

# Merge: pokes at unaligned places (one inside a block already in the
# overlay), into a backing file whose size is not a multiple of 512.
cow_merge() {
	local d why=() n want
	d=$(cow_prepare merge $((1024 * 1024 + 100)))
	CHECK_LOGS=("$d/poke.log")
	if ! { cow_poke_data "$d" a 1000 3000 &&
	       cow_poke_data "$d" b 600000 70000 &&
	       cow_poke_data "$d" c 1200 100 &&
	       cow_poke_data "$d" d $((1024 * 1024 - 512)) 512; }; then
		fail cow-merge "cow_poke failed" "$d/poke.log"
		return
	fi
	want=$(($(cow_blocks 1000 3000) + $(cow_blocks 600000 70000) + 1))
	cp "$d/base.img" "$d/base.before"
	cow_run merge-show1 show "$d/ov"
	n=$(cow_in_overlay "$COW_OUT")
	[ "$n" = "$want" ] ||
		why+=("show says ${n:-?} blocks before merging, not $want")
	cmp -s "$d/base.img" "$d/base.before" ||
		why+=("poking changed base.img")

	cow_run merge merge "$d/ov"
	cow_want 0 merge
	grep -q "merged $want blocks" "$COW_OUT" ||
		why+=("merge does not say it merged $want blocks")
	cmp -s "$d/base.img" "$d/expected" ||
		why+=("base.img is not what was written: $(cow_cmp "$d")")
	cow_run merge-show2 show "$d/ov"
	cow_want 0 "show after merging"
	n=$(cow_in_overlay "$COW_OUT")
	[ "$n" = 0 ] || why+=("show says ${n:-?} blocks after merging, not 0")
	grep -q 'present and matches' "$COW_OUT" ||
		why+=("after merging, the backing file does not match")
	n=$(stat -c %b "$d/ov")
	[ "$n" -le 64 ] ||
		why+=("the data area was not punched ($n blocks allocated)")

	cp "$d/base.img" "$d/base.before"
	cow_run merge-again merge "$d/ov"
	cow_want 0 "a second merge"
	grep -q 'nothing to merge' "$COW_OUT" ||
		why+=("a second merge does not say there is nothing to merge")
	cmp -s "$d/base.img" "$d/base.before" ||
		why+=("a second merge changed base.img")
	verdict cow-merge "${why[@]}"
}

# The bitmap written through an O_DIRECT descriptor (aligned chunks).
cow_odirect() {
	local d why=() n status
	d=$(cow_prepare odirect $((2 * 1024 * 1024)))
	head -c 5000 /dev/urandom >"$d/data"
	"$COW_POKE" -d "$d/ov" 70000 "$d/data" >"$d/poke.log" 2>&1
	status=$?
	if [ "$status" -eq 77 ]; then
		skip cow-odirect-mark "the file system of $d refuses O_DIRECT"
		return
	fi
	[ "$status" -eq 0 ] || why+=("cow_poke -d: exit status $status")
	cow_patch "$d/expected" 70000 "$d/data"
	cow_run odirect-show show "$d/ov"
	n=$(cow_in_overlay "$COW_OUT")
	[ "$n" = "$(cow_blocks 70000 5000)" ] ||
		why+=("show says ${n:-?} blocks")
	cow_run odirect-merge merge "$d/ov"
	cow_want 0 merge
	cmp -s "$d/base.img" "$d/expected" || why+=("merged base.img is wrong")
	CHECK_LOGS+=("$d/poke.log")
	verdict cow-odirect-mark "${why[@]}"
}

# Random ranges marked in the bitmap, buffered and O_DIRECT, against a
# plain array of bits; then read back.  The disk (sparse, 512 MiB and two
# blocks) has a 128 KiB bitmap: ranges cross its 4096-byte chunks.
cow_marks() {
	local d why=() mode status opt
	d=$COW_DIR/marks
	rm -rf "$d"
	mkdir -p "$d"
	truncate -s $((512 * 1024 * 1024 + 1000)) "$d/base.img"
	for mode in buffered direct; do
		"$UBD_COW" create "$d/$mode" "$d/base.img" ||
			why+=("$mode: create failed")
		opt=()
		[ $mode = buffered ] || opt=(-d)
		"$COW_POKE" "${opt[@]}" --marks "$d/$mode" 300 \
			>"$d/$mode.log" 2>&1
		status=$?
		if [ $mode = direct ] && [ $status -eq 77 ]; then
			skip cow-marks-direct "the file system refuses O_DIRECT"
			continue
		fi
		[ $status -eq 0 ] ||
			why+=("$mode: $(tail -n 1 "$d/$mode.log")")
	done
	verdict cow-marks "${why[@]}"
}

# cow_hold_lock FILE MODE: a background process holding an fcntl lock
# (MODE sh: a read lock, as a guest holds on backing files; ex: a write
# lock, as on overlays) on FILE; sets COW_HOLDER to its pid.
cow_hold_lock() {
	local ready=$COW_DIR/lock-ready
	rm -f "$ready"
	python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "rb" if sys.argv[2] == "sh" else "r+b")
fcntl.lockf(f, fcntl.LOCK_SH if sys.argv[2] == "sh" else fcntl.LOCK_EX)
open(sys.argv[3], "w").close()
time.sleep(120)
' "$1" "$2" "$ready" &
	COW_HOLDER=$!
	for _ in $(seq 100); do
		[ -e "$ready" ] && return 0
		sleep 0.1
	done
	cow_release_lock
	return 1
}

cow_release_lock() {
	kill "$COW_HOLDER" 2>/dev/null
	wait "$COW_HOLDER" 2>/dev/null
}

# cow_locked NAME FILE MODE WHAT: merge refused while another process
# holds a lock on FILE (ov or base.img), naming WHAT and the holder; it
# succeeds once the lock is gone.
cow_locked() {
	local name=cow-merge-refuses-locked-$1 d why=() n
	if ! command -v python3 >/dev/null; then
		skip "$name" "no python3 to hold a lock"
		return
	fi
	d=$(cow_prepare "locked-$1" 100000)
	if ! cow_poke_data "$d" a 5000 600; then
		fail "$name" "cow_poke failed" "$d/poke.log"
		return
	fi
	cp "$d/base.img" "$d/base.before"
	if ! cow_hold_lock "$d/$2" "$3"; then
		fail "$name" "could not take a lock with python3"
		return
	fi
	cow_run "locked-$1" merge "$d/ov"
	cow_release_lock
	cow_want 1 merge
	grep -q "^ubd-cow: $d/ov: $4.*in use (locked by process $COW_HOLDER)" \
		"$COW_ERR" ||
		why+=("no message naming $4 and process $COW_HOLDER")
	cmp -s "$d/base.img" "$d/base.before" || why+=("base.img was changed")
	cow_run "locked-$1-show" show "$d/ov"
	n=$(cow_in_overlay "$COW_OUT")
	[ "$COW_STATUS" -eq 0 ] && [ "$n" = 2 ] ||
		why+=("then show exits $COW_STATUS, says ${n:-?} blocks, not 2")
	cow_run "locked-$1-after" merge "$d/ov"
	cow_want 0 "merge after unlocking"
	cmp -s "$d/base.img" "$d/expected" ||
		why+=("merge after unlocking: base.img is wrong")
	verdict "$name" "${why[@]}"
}

# A backing file changed since the overlay was made is not merged into.
cow_merge_stale() {
	local d why=()
	d=$(cow_prepare merge-stale 100000)
	if ! cow_poke_data "$d" a 5000 600; then
		fail cow-merge-refuses-stale "cow_poke failed" "$d/poke.log"
		return
	fi
	touch -d '2001-02-03 04:05:06' "$d/base.img"
	cp -p "$d/base.img" "$d/base.before"
	cow_run merge-stale merge "$d/ov"
	cow_want 1 merge
	grep -q "^ubd-cow: $d/ov: .*modified since.*refusing to merge" \
		"$COW_ERR" || why+=("no clear message")
	cmp -s "$d/base.img" "$d/base.before" || why+=("base.img was changed")
	[ "$(stat -c %Y "$d/base.img")" = "$(stat -c %Y "$d/base.before")" ] ||
		why+=("base.img was written")
	verdict cow-merge-refuses-stale "${why[@]}"
}

# A merge interrupted after it began writing the backing file: the header
# says so, guests refuse the overlay, and merge finishes the job.
cow_merge_interrupted() {
	local d why=() n
	d=$(cow_prepare interrupted 300000)
	if ! { cow_poke_data "$d" a 5000 600 &&
	       cow_poke_data "$d" b 200000 9000; }; then
		fail cow-merge-interrupted "cow_poke failed" "$d/poke.log"
		return
	fi
	# The state a merge killed halfway leaves: flag set, some blocks copied.
	"$COW_POKE" --merging "$d/ov" >>"$d/poke.log" 2>&1 ||
		why+=("cow_poke --merging failed")
	cow_patch "$d/base.img" 5000 "$d/a.data"
	cow_run interrupted-show show "$d/ov"
	cow_want 1 show
	grep -q '^state: *merge interrupted' "$COW_OUT" ||
		why+=("show does not say a merge was interrupted")
	grep -q "interrupted" "$COW_ERR" || why+=("no message on stderr")
	cow_run interrupted-merge merge "$d/ov"
	cow_want 0 merge
	grep -q 'finishing an interrupted merge' "$COW_OUT" ||
		why+=("merge does not say it finishes an interrupted merge")
	cmp -s "$d/base.img" "$d/expected" || why+=("base.img is wrong")
	cow_run interrupted-show2 show "$d/ov"
	n=$(cow_in_overlay "$COW_OUT")
	[ "$COW_STATUS" -eq 0 ] && [ "$n" = 0 ] ||
		why+=("afterwards show exits $COW_STATUS, says ${n:-?} blocks")
	grep -q '^state: *clean' "$COW_OUT" || why+=("the state is not clean")
	verdict cow-merge-interrupted "${why[@]}"
}

# A merge that fails once it has begun writing the backing file (here: a
# truncated overlay) leaves the header saying the merge was interrupted.
cow_merge_fails() {
	local d why=()
	d=$(cow_prepare merge-fails 300000)
	if ! { cow_poke_data "$d" a 5000 600 &&
	       cow_poke_data "$d" b 200000 9000; }; then
		fail cow-merge-failure-marks-interrupted "cow_poke failed" \
			"$d/poke.log"
		return
	fi
	truncate -s $((1024 * 1024 + 100000)) "$d/ov"
	cow_run merge-fails merge "$d/ov"
	cow_want 1 merge
	grep -q "^ubd-cow: $d/ov: truncated" "$COW_ERR" ||
		why+=("no message saying the overlay is truncated")
	cow_run merge-fails-show show "$d/ov"
	cow_want 1 show
	grep -q '^state: *merge interrupted' "$COW_OUT" ||
		why+=("show does not say a merge was interrupted")
	grep -q "^in overlay: *$(($(cow_blocks 5000 600) + \
		$(cow_blocks 200000 9000))) blocks" "$COW_OUT" ||
		why+=("the overlay no longer lists all its blocks")
	verdict cow-merge-failure-marks-interrupted "${why[@]}"
}

# SIGKILL at some moment during a merge; a second merge must give the
# right backing file, whatever the moment was.
cow_merge_killed() {
	local d why=() delay n
	for delay in 0.002 0.01 0.03 0.08; do
		d=$(cow_prepare killed $((24 * 1024 * 1024)))
		if ! cow_poke_data "$d" a 3000000 $((16 * 1024 * 1024)); then
			fail cow-merge-killed "cow_poke failed" "$d/poke.log"
			return
		fi
		"$UBD_COW" merge "$d/ov" >/dev/null 2>&1 &
		sleep "$delay"
		kill -KILL $! 2>/dev/null
		wait $! 2>/dev/null
		cow_run "killed-$delay" merge "$d/ov"
		cow_want 0 "killed after ${delay}s: merge again"
		cmp -s "$d/base.img" "$d/expected" ||
			why+=("killed after ${delay}s: base.img is wrong")
		cow_run "killed-$delay-show" show "$d/ov"
		n=$(cow_in_overlay "$COW_OUT")
		[ "$COW_STATUS" -eq 0 ] && [ "$n" = 0 ] ||
			why+=("killed after ${delay}s: show exits" \
			      "$COW_STATUS, ${n:-?} blocks")
	done
	verdict cow-merge-killed "${why[@]}"
}

cow_checks() {
	COW_DIR=$TEST_DIR/cow
	UBD_COW=$TOP/tools/ubd-cow
	COW_POKE=$COW_DIR/cow_poke
	mkdir -p "$COW_DIR"
	COW_DIR=$(realpath "$COW_DIR")
	if ! [ -x "$UBD_COW" ]; then
		fail cow-tool "$UBD_COW was not built"
		return
	fi
	cow_usage
	cow_create_show
	cow_create_existing
	cow_create_missing
	cow_create_chained
	cow_show_not_overlay
	cow_corrupt corrupt-magic 1 'not a copy-on-write overlay'
	cow_corrupt corrupt-path 300 'checksum'
	cow_corrupt corrupt-block-size 17 'checksum'
	cow_stale stale-mtime 'modified since the overlay was made'
	cow_stale stale-size 'size was 100000 bytes, now 100001'
	cow_stale stale-missing 'No such file'

	if ! cc -O2 -Wall -Wextra -I"$TOP/ubd" -I"$TOP/host-helpers/include" \
		-o "$COW_POKE" \
		"$TOP/tests/lib/cow_poke.c" "$TOP/ubd/cow_format.c" \
		>"$COW_DIR/cow_poke.log" 2>&1; then
		fail cow-poke-build "cc failed" "$COW_DIR/cow_poke.log"
		return
	fi
	cow_merge
	cow_odirect
	cow_marks
	cow_locked backing base.img sh \
		"backing file $COW_DIR/locked-backing/base.img"
	cow_locked overlay ov ex overlay
	cow_merge_stale
	cow_merge_interrupted
	cow_merge_fails
	cow_merge_killed
}

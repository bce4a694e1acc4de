# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The FUSE export (fuse-export/, Documentation/fuse-export.rst): a guest
# booted with fuse=HOSTDIR serves its root file system on HOSTDIR, mounted
# by the guest user through fusermount3.  From the host, as that user:
# ordinary tools (cp -a, tar, diff -r, find, du, sha256sum) on the export;
# files written by either side seen by the other at once; mkdir, rename
# and unlink; a second, read-only export of a guest directory; after
# power-off the mounts are gone, the image is clean and holds what the host
# wrote.  A guest killed with SIGKILL during host writes gives the writer
# ENOTCONN, and the mount goes away with it.  Bad exports are refused
# before boot.  Sourced by tests/run.
#
# The guest's command serves requests through the export itself: the host
# drops a script in /ctl as NAME.cmd, the guest runs it and leaves NAME.out
# and NAME.rc beside it (guest_do below).

FUSE_DIR=$TEST_DIR/fuse
mkdir -p "$FUSE_DIR"
[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$FUSE_DIR"

# as_guest CMD...: run a host command as the guest user: the mount is
# theirs, and FUSE lets no other user in (root included).
as_guest() {
	"${AS_GUEST[@]}" "$@"
}

# fuse_mounted DIR: DIR is a mount point now.
fuse_mounted() {
	awk -v d="$1" '$2 == d { found = 1 } END { exit !found }' /proc/self/mounts
}

# fuse_gone DIR...: no DIR is a mount point any more within 10 s.
fuse_gone() {
	local i dir left
	for ((i = 0; i < 50; i++)); do
		left=0
		for dir; do
			fuse_mounted "$dir" && left=1
		done
		[ $left = 0 ] && return 0
		sleep 0.2
	done
	return 1
}

# A fresh empty mount point of the guest user.
fuse_mountpoint() {
	local dir=$FUSE_DIR/$1
	mkdir -p "$dir"
	[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$dir"
	echo "$dir"
}

# The mode /dev/fuse had before this case, if it changed it.
FUSE_DEV_MODE=

# fuse_usable: can the guest user use FUSE here?  Debian's fuse3 makes
# /dev/fuse 0666 through a udev rule; a host without udev may have left it
# 0600.  As root, the case then gives it that mode for its run (and puts
# the old one back at the end); as anyone else it is skipped.
fuse_usable() {
	FUSE_WHY=
	if ! [ -c /dev/fuse ]; then
		FUSE_WHY="no /dev/fuse on this host"
		return 1
	fi
	if ! command -v fusermount3 >/dev/null; then
		FUSE_WHY="no fusermount3 (package fuse3)"
		return 1
	fi
	as_guest sh -c 'exec 3<>/dev/fuse' 2>/dev/null && return 0
	if [ "$(id -u)" -eq 0 ]; then
		FUSE_DEV_MODE=$(stat -c %a /dev/fuse)
		echo "    note: /dev/fuse was mode $FUSE_DEV_MODE; 0666 (Debian's) for this case"
		chmod 0666 /dev/fuse
		as_guest sh -c 'exec 3<>/dev/fuse' 2>/dev/null && return 0
	fi
	FUSE_WHY="uid $GUEST_UID cannot open /dev/fuse"
	return 1
}

fuse_restore_dev() {
	[ -z "$FUSE_DEV_MODE" ] || chmod "$FUSE_DEV_MODE" /dev/fuse
}

# The guest's command: write a file, then serve /ctl until /ctl/stop.
FUSE_GUEST_CMD='mkdir -p /ctl /root/data
dd if=/dev/urandom of=/root/from-guest.bin bs=1M count=3 2>/dev/null
sha256sum /root/from-guest.bin
echo FUSE-GUEST-READY
while [ ! -e /ctl/stop ]; do
	for f in /ctl/*.cmd; do
		[ -e "$f" ] || continue
		sh "$f" >"${f%.cmd}.out" 2>&1
		echo $? >"${f%.cmd}.rc.tmp"
		mv "${f%.cmd}.rc.tmp" "${f%.cmd}.rc"
		rm -f "$f"
	done
	sleep 0.1
done
rm -f /ctl/stop
echo FUSE-GUEST-DONE'

# guest_do MNT NAME SCRIPT: have the guest run SCRIPT; prints its output,
# returns its status (124 if it never answered).
guest_do() {
	local mnt=$1 name=$2 i
	printf '%s\n' "$3" | as_guest sh -c "cat >'$mnt/ctl/$name.tmp' &&
		mv '$mnt/ctl/$name.tmp' '$mnt/ctl/$name.cmd'" || return 124
	for ((i = 0; i < 600; i++)); do
		if as_guest test -e "$mnt/ctl/$name.rc"; then
			as_guest cat "$mnt/ctl/$name.out"
			return "$(as_guest cat "$mnt/ctl/$name.rc")"
		fi
		sleep 0.1
	done
	return 124
}

# fuse_sum FILE: its sha256, read by the guest user.
fuse_sum() {
	as_guest sha256sum "$1" | cut -c1-64
}

# A tree with what trips file-system code up: hard links, symbolic links,
# odd names, a 255-byte name, empty and large files, modes, a fifo.
fuse_make_tree() {
	local src=$1 long
	mkdir -p "$src/a/b/c" "$src/empty-dir" "$src/with space"
	cp -r /usr/include/linux "$src/include"
	printf 'hello\n' >"$src/a/hello.txt"
	ln "$src/a/hello.txt" "$src/a/b/hard-link.txt"
	ln -s ../hello.txt "$src/a/b/sym-link"
	ln -s /nonexistent "$src/dangling"
	: >"$src/empty-file"
	head -c 5000000 /dev/urandom >"$src/a/b/c/big.bin"
	printf 'x' >"$src/with space/ünïcödé ✓"
	long=$(printf 'n%.0s' $(seq 255))
	echo long >"$src/a/$long"
	chmod 0600 "$src/a/hello.txt"
	chmod 0751 "$src/a/b"
	mkfifo "$src/a/fifo"
	touch -d '2001-02-03 04:05:06.789' "$src/empty-file"
}

# fuse_listing DIR: each entry's type, mode, size, link count, mtime and
# link target, one a line, sorted: what cp -a must keep.
fuse_listing() {
	as_guest find "$1" -mindepth 1 -printf '%P %y %m %s %n %T@ %l\n' | LC_ALL=C sort
}

fuse_host_tools() {
	local mnt=$1 src=$FUSE_DIR/src back=$FUSE_DIR/back out
	rm -rf "$src" "$back"
	fuse_make_tree "$src"
	[ ${#AS_GUEST[@]} -eq 0 ] || chown -R "$GUEST_UID" "$src"
	mkdir -p "$back"
	[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$back"

	check fuse-cp-a-to-export "cp -a failed" \
		as_guest cp -a "$src" "$mnt/root/data/tree"
	# (diff -r calls two fifos a difference: the listing checks them.)
	check fuse-diff-r-after-cp "diff -r differs" \
		as_guest diff -r --no-dereference -x fifo "$src" "$mnt/root/data/tree"
	check fuse-cp-a-keeps-modes-links-times "find listings differ" \
		cmp -s <(fuse_listing "$src") <(fuse_listing "$mnt/root/data/tree")
	check fuse-tar-roundtrip "tar out of the export and back differs" \
		as_guest sh -c "tar -C '$mnt/root/data/tree' -cf - . |
			tar -C '$back' -xf - && diff -r --no-dereference -x fifo '$src' '$back'"
	check fuse-find-counts "find counts differ" \
		test "$(as_guest find "$src" | wc -l)" = \
		"$(as_guest find "$mnt/root/data/tree" | wc -l)"
	out=$(as_guest du -sk "$mnt/root/data/tree" | cut -f1)
	check fuse-du "du -sk gave '$out'" test "${out:-0}" -gt 5000
	check fuse-sha256-large-file "checksums differ" \
		test "$(fuse_sum "$src/a/b/c/big.bin")" = \
		"$(fuse_sum "$mnt/root/data/tree/a/b/c/big.bin")"
	out=$(as_guest stat -c %i "$mnt/root/data/tree/a/hello.txt")
	check fuse-hard-link-one-inode "inode numbers differ" \
		test "$out" = "$(as_guest stat -c %i \
			"$mnt/root/data/tree/a/b/hard-link.txt")"
	# The guest's inode numbers and owners, as the guest sees them.
	check fuse-inode-numbers-are-the-guests "stat in the guest differs" \
		test "$(guest_do "$mnt" ino 'stat -c "%i %u" /root/data/tree/a/hello.txt')" = \
		"$out $GUEST_UID"
}

fuse_both_ways() {
	local mnt=$1 log=$2 sum out
	sum=$(grep -aoE '^[0-9a-f]{64}  /root/from-guest.bin' "$log" | cut -c1-64)
	check fuse-guest-file-on-host "sha256 differs (guest said ${sum:-nothing})" \
		test "$(fuse_sum "$mnt/root/from-guest.bin")" = "$sum"
	as_guest sh -c "head -c 7000000 /dev/urandom >'$mnt/root/from-host.bin'"
	sum=$(fuse_sum "$mnt/root/from-host.bin")
	out=$(guest_do "$mnt" sum 'sha256sum /root/from-host.bin')
	check fuse-host-file-in-guest "guest's sha256 '$out', host's $sum" \
		test "${out:0:64}" = "$sum"
	FUSE_HOST_SUM=$sum

	# Changes made in the guest, seen at the host's next look: the same
	# size rewritten, grown, truncated, renamed, removed, new.
	guest_do "$mnt" w1 'echo one >/root/data/coh.txt' >/dev/null
	check fuse-guest-write-seen "host read '$(as_guest cat "$mnt/root/data/coh.txt")'" \
		test "$(as_guest cat "$mnt/root/data/coh.txt")" = one
	guest_do "$mnt" w2 'echo two >/root/data/coh.txt' >/dev/null
	check fuse-guest-rewrite-same-size-seen "host read '$(as_guest cat "$mnt/root/data/coh.txt")'" \
		test "$(as_guest cat "$mnt/root/data/coh.txt")" = two
	guest_do "$mnt" w3 'echo three-longer >>/root/data/coh.txt; mv /root/data/coh.txt /root/data/coh2.txt' >/dev/null
	check fuse-guest-append-rename-seen "host read '$(as_guest cat "$mnt/root/data/coh2.txt" 2>&1 | paste -sd,)'" \
		test "$(as_guest cat "$mnt/root/data/coh2.txt" | paste -sd,)" = two,three-longer
	check fuse-guest-rename-old-name-gone "coh.txt still there" \
		as_guest test ! -e "$mnt/root/data/coh.txt"
	guest_do "$mnt" w4 'rm /root/data/coh2.txt; mkdir /root/data/gdir' >/dev/null
	check fuse-guest-unlink-mkdir-seen "listing: $(as_guest ls "$mnt/root/data" | paste -sd' ')" \
		as_guest sh -c "test ! -e '$mnt/root/data/coh2.txt' && test -d '$mnt/root/data/gdir'"

	# The host caches names, attributes and pages for long now: what it
	# has just looked at, changed in the guest, must still show at once
	# (the guest's notifications, fuse-export/watch.c).
	as_guest sh -c "cd '$mnt/root/data' && ls -l >/dev/null && cat * >/dev/null 2>&1" || true
	guest_do "$mnt" c0 'cd /root/data && printf 0123456789 >c1 && printf abc >c2 &&
		printf old >c3 && printf new >c4' >/dev/null
	as_guest sh -c "cd '$mnt/root/data' && ls -l >/dev/null && cat c1 c2 c3 c4 >/dev/null &&
		stat c1 c2 c3 c4 >/dev/null"
	guest_do "$mnt" c1 'cd /root/data && printf XY | dd of=c1 bs=1 seek=3 conv=notrunc 2>/dev/null &&
		chmod 0604 c2 && ln c2 c2-link && truncate -s 4 c1 && mv c4 c3 && touch c5' >/dev/null
	out=$(as_guest sh -c "cd '$mnt/root/data' && cat c1 && echo && stat -c '%a %h' c2 && cat c3 && echo &&
		ls | grep -c '^c[0-9]' && stat -c %s c1")
	check fuse-cached-guest-changes-seen "host saw: $(echo "$out" | paste -sd' ')" \
		test "$(echo "$out" | paste -sd' ')" = "012X 604 2 new 5 4"
	guest_do "$mnt" c2 'cd /root/data && rm c1 c2 c2-link c3 c5' >/dev/null
	check fuse-cached-guest-removals-seen "left: $(as_guest ls "$mnt/root/data" | grep '^c[0-9]' | paste -sd' ')" \
		test "$(as_guest ls "$mnt/root/data" | grep -c '^c[0-9]')" = 0

	# Unlinked in the guest while open on the host: still readable.
	as_guest sh -c "echo still-here >'$mnt/root/data/open.txt'"
	as_guest sh -c "exec 3<'$mnt/root/data/open.txt'; sleep 3; cat <&3" \
		>"$FUSE_DIR/open.out" 2>&1 &
	local reader=$!
	sleep 1
	guest_do "$mnt" rmopen 'rm /root/data/open.txt' >/dev/null
	wait "$reader"
	check fuse-unlinked-while-open-reads-on "the reader got '$(cat "$FUSE_DIR/open.out")'" \
		test "$(cat "$FUSE_DIR/open.out")" = still-here
	check fuse-unlinked-name-gone "open.txt still listed" \
		as_guest test ! -e "$mnt/root/data/open.txt"

	# Changes made on the host, seen by guest programs.
	as_guest sh -c "cd '$mnt/root/data' && mkdir -p h1/h2 && echo x >h1/h2/f &&
		mv h1/h2 h1/h3 && echo y >h1/gone && rm h1/gone && ln -s h3/f h1/l &&
		chmod 0640 h1/h3/f && touch -d '2010-01-01 00:00:00' h1/h3/f"
	out=$(guest_do "$mnt" ls 'cd /root/data/h1 && ls -A && cat l && stat -c "%a %Y" h3/f')
	check fuse-host-changes-in-guest "guest saw: $(echo "$out" | paste -sd' ')" \
		test "$(echo "$out" | paste -sd' ')" = "h3 l x 640 1262304000"
	out=$(as_guest sh -c "truncate -s 10 '$mnt/root/data/h1/h3/f'; stat -c %s '$mnt/root/data/h1/h3/f'")
	check fuse-host-truncate "size $out" test "$out" = 10
	check fuse-host-rename-noreplace-refused "mv -n replaced the file" \
		as_guest sh -c "echo a >'$mnt/root/data/r1' && echo b >'$mnt/root/data/r2' &&
			mv -n '$mnt/root/data/r1' '$mnt/root/data/r2'; test \"\$(cat '$mnt/root/data/r2')\" = b"
	check fuse-host-rmdir-nonempty-refused "rmdir of a full directory succeeded" \
		as_guest sh -c "! rmdir '$mnt/root/data/h1' 2>/dev/null"
	check fuse-statfs "df shows no size" \
		as_guest sh -c "df -k '$mnt' | awk 'NR == 2 && \$2 > 0 { ok = 1 } END { exit !ok }'"
	check fuse-xattr "user.test did not come back" \
		as_guest /usr/bin/python3 -c "import os; p='$mnt/root/data/r2'
os.setxattr(p, 'user.test', b'value'); assert os.getxattr(p, 'user.test') == b'value'
assert 'user.test' in os.listxattr(p); os.removexattr(p, 'user.test')
assert 'user.test' not in os.listxattr(p)"
	check fuse-name-too-long "a 256-byte name was taken" \
		as_guest sh -c "! touch '$mnt/root/data/$(printf 'n%.0s' $(seq 256))' 2>/dev/null"
}

# fuse_host_sums DIR / fuse_guest_sums MNT NAME GUESTDIR: one checksum over
# the sha256 of every regular file under a directory, as the host (the
# original) and the guest (through its own VFS) read them.
fuse_host_sums() {
	as_guest sh -c "cd '$1' && find . -type f -exec sha256sum {} + |
		LC_ALL=C sort | sha256sum" | cut -c1-64
}

fuse_guest_sums() {
	guest_do "$1" "$2" \
		"cd '$3' && find . -type f -exec sha256sum {} + | sort | sha256sum" | cut -c1-64
}

# Real host tools on the export: rsync -a (twice, the second with
# changes and --delete), tar -x, git, stress-ng's file-system stressors
# and fio with verification; what they leave compared with what the guest
# reads.
fuse_real_tools() {
	local mnt=$1 src=$FUSE_DIR/src d=$1/root/data out sum git
	git=(env HOME="$FUSE_DIR" git -c user.name=t -c user.email=t@example.org
		-c safe.directory='*' -c init.defaultBranch=main)
	check fuse-rsync-a "rsync -a failed" as_guest rsync -a "$src/" "$d/rsync/"
	sum=$(fuse_host_sums "$src")
	out=$(fuse_guest_sums "$mnt" sums1 /root/data/rsync)
	check fuse-rsync-checksums-in-guest "guest $out, host $sum" test "$out" = "$sum"
	as_guest sh -c "echo changed >>'$src/a/hello.txt' && rm -r '$src/include/netfilter' &&
		echo new >'$src/new-file'"
	check fuse-rsync-a-delete-again "rsync -a --delete failed" \
		as_guest rsync -a --delete "$src/" "$d/rsync/"
	sum=$(fuse_host_sums "$src")
	out=$(fuse_guest_sums "$mnt" sums2 /root/data/rsync)
	check fuse-rsync-again-checksums-in-guest "guest $out, host $sum" test "$out" = "$sum"
	check fuse-rsync-nothing-left-to-do "a third rsync still copied" \
		test -z "$(as_guest rsync -a --delete -i "$src/" "$d/rsync/")"

	as_guest tar -C "$src" -cf "$FUSE_DIR/tree.tar" .
	as_guest mkdir "$d/tarx"
	check fuse-tar-x "tar -x failed" as_guest tar -C "$d/tarx" -xf "$FUSE_DIR/tree.tar"
	out=$(fuse_guest_sums "$mnt" sums3 /root/data/tarx)
	check fuse-tar-x-checksums-in-guest "guest $out, host $sum" test "$out" = "$sum"

	as_guest mkdir "$d/repo"
	check fuse-git-init-add-commit "git failed" \
		as_guest sh -c "cd '$d/repo' && cp -r '$src/include' . &&
			$(printf '%q ' "${git[@]}") init -q &&
			$(printf '%q ' "${git[@]}") add -A &&
			$(printf '%q ' "${git[@]}") commit -qm first &&
			$(printf '%q ' "${git[@]}") fsck --strict 2>&1 &&
			test -z \"\$($(printf '%q ' "${git[@]}") status --porcelain)\""
	out=$(guest_do "$mnt" gitguest 'cd /root/data/repo && cat .git/HEAD &&
		echo guest-edit >>include/fs.h && echo x >guest-new')
	check fuse-git-head-in-guest "guest read '$out'" test "$out" = "ref: refs/heads/main"
	out=$(as_guest sh -c "cd '$d/repo' && $(printf '%q ' "${git[@]}") status --porcelain" | paste -sd,)
	check fuse-git-status-sees-guest-edits "git status: '$out'" \
		test "$out" = " M include/fs.h,?? guest-new"

	as_guest mkdir "$d/stress"
	check fuse-stress-ng-fs-stressors "stress-ng failed" \
		as_guest sh -c "cd '$FUSE_DIR' && timeout 120 stress-ng --hdd 1 --hdd-bytes 8M \
			--dir 1 --dir-dirs 256 --rename 1 --lockf 1 -t 8 --verify \
			--temp-path '$d/stress' >'$FUSE_DIR/stress-ng.log' 2>&1 &&
			grep -q 'successful run completed' '$FUSE_DIR/stress-ng.log'"

	check fuse-fio-verify "fio failed" \
		as_guest sh -c "cd '$FUSE_DIR' && timeout 120 fio --name=export \
			--filename='$d/fio.bin' --size=32M --bs=64k --rw=randrw \
			--ioengine=psync --numjobs=1 --verify=crc32c --do_verify=1 \
			--verify_fatal=1 >'$FUSE_DIR/fio.log' 2>&1 &&
			grep -q 'err= 0' '$FUSE_DIR/fio.log'"
	sum=$(fuse_sum "$d/fio.bin")
	out=$(guest_do "$mnt" fiosum 'sha256sum /root/data/fio.bin' | cut -c1-64)
	check fuse-fio-file-checksum-in-guest "guest $out, host $sum" test "$out" = "$sum"
}

# fuse_wait_file FILE WORD: FILE holds WORD within 5 s.
fuse_wait_file() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Locks across the boundary, flock() and POSIX both: one taken on the host
# keeps the guest out and the other way round; a host waiting for a guest's
# lock gets it when the guest lets go.  tests/lib/fuse_lock.c, built
# static, runs on both sides.
fuse_locks() {
	local mnt=$1 lk=$FUSE_DIR/fuse_lock kind f out holder
	if ! cc -static -O2 -o "$lk" "$TOP/tests/lib/fuse_lock.c" \
		>"$lk.log" 2>&1; then
		fail fuse-lock-helper "cannot build tests/lib/fuse_lock.c static" "$lk.log"
		return
	fi
	chmod 755 "$lk"
	as_guest cp "$lk" "$mnt/root/fuse_lock"
	for kind in flock posix; do
		f=/root/data/lock-$kind
		as_guest "$lk" $kind "$mnt$f" hold 4 >"$lk.$kind.out" 2>&1 &
		holder=$!
		fuse_wait_file "$lk.$kind.out" locked
		out=$(guest_do "$mnt" "lk1$kind" "/root/fuse_lock $kind $f try; echo \$?")
		check "fuse-$kind-host-lock-keeps-guest-out" "guest's try gave '$out'" \
			test "$out" = 1
		wait "$holder"
		out=$(guest_do "$mnt" "lk2$kind" "/root/fuse_lock $kind $f try; echo \$?")
		check "fuse-$kind-host-unlock-lets-guest-in" "guest's try gave '$out'" \
			test "$out" = 0

		out=$(guest_do "$mnt" "lk3$kind" "(/root/fuse_lock $kind $f hold 6 >/tmp/held 2>&1 &)
			sleep 1; cat /tmp/held")
		check "fuse-$kind-guest-lock-held" "guest said '$out'" test "$out" = locked
		as_guest "$lk" $kind "$mnt$f" try
		check "fuse-$kind-guest-lock-keeps-host-out" "host's try gave $?" test $? = 1
		if [ $kind = posix ]; then
			out=$(as_guest "$lk" posix "$mnt$f" test)
			check fuse-posix-getlk-sees-guest-lock "F_GETLK said '$out'" test "$out" = held
		fi
		out=$(timeout 20 "${AS_GUEST[@]}" "$lk" $kind "$mnt$f" wait)
		check "fuse-$kind-host-waits-for-guest-lock" "host waited '$out' s" \
			test "${out:-x}" -ge 1 -a "${out:-x}" -le 8
	done
}

# mmap() on the host: a shared mapping reads what the guest wrote, writes
# that the guest then reads, and sees a later guest write in place.
fuse_mmap() {
	local mnt=$1 out sum
	guest_do "$mnt" mm0 'head -c 1048576 /dev/zero | tr "\0" G >/root/data/mm.bin' >/dev/null
	coproc FUSE_MM {
		as_guest /usr/bin/python3 -u -c "import mmap, hashlib, sys
f = open(sys.argv[1], 'r+b'); m = mmap.mmap(f.fileno(), 0)
print(m[:4].decode(), m[-4:].decode())
m[4096:4100] = b'HOST'; m.flush()
print(hashlib.sha256(m[:]).hexdigest())
sys.stdin.readline()
print(m[8192:8196].decode())" "$mnt/root/data/mm.bin" 2>&1
	}
	read -r -t 20 out <&"${FUSE_MM[0]}"
	check fuse-mmap-host-reads-guest-data "mapping began '$out'" test "$out" = "GGGG GGGG"
	read -r -t 20 sum <&"${FUSE_MM[0]}"
	out=$(guest_do "$mnt" mm1 'dd if=/root/data/mm.bin bs=1 skip=4096 count=4 2>/dev/null; echo; sha256sum /root/data/mm.bin')
	check fuse-mmap-host-write-in-guest "guest read: $(echo "$out" | paste -sd' ')" \
		test "$(echo "$out" | head -n 1)" = HOST -a "$(echo "$out" | tail -n 1 | cut -c1-64)" = "$sum"
	guest_do "$mnt" mm2 'printf GST2 | dd of=/root/data/mm.bin bs=1 seek=8192 conv=notrunc 2>/dev/null' >/dev/null
	echo go >&"${FUSE_MM[1]}"
	read -r -t 20 out <&"${FUSE_MM[0]}"
	check fuse-mmap-host-sees-guest-write-in-place "mapping read '$out'" test "$out" = GST2
	wait "$FUSE_MM_PID" 2>/dev/null
}

# A directory of many entries listed with attributes (READDIRPLUS).
fuse_readdirplus() {
	local mnt=$1 out
	guest_do "$mnt" rdp 'mkdir /root/data/many && cd /root/data/many &&
		i=0; while [ $i -lt 1500 ]; do echo $i >f$i; i=$((i + 1)); done' >/dev/null
	out=$(as_guest sh -c "ls -l '$mnt/root/data/many' | grep -c '^-rw-r--r-- 1 '")
	check fuse-readdirplus-ls-l "ls -l listed $out of 1500 files" test "$out" = 1500
	out=$(as_guest sh -c "cd '$mnt/root/data/many' && cat f0 f777 f1499 | paste -sd' '")
	check fuse-readdirplus-entries-usable "read '$out'" test "$out" = "0 777 1499"
}

fuse_readonly_export() {
	local ro=$1 out
	out=$(as_guest cat "$ro/hostname" 2>&1)
	check fuse-second-export-guest-dir "read '$out' from the guest's /etc" \
		test "$out" = linux
	out=$(as_guest sh -c "echo x >'$ro/new-file'" 2>&1)
	check fuse-read-only-export-refuses-writes "writing said: ${out:-nothing}" \
		grep -q 'Read-only file system' <<<"$out"
}

# An export acting as uid=1000,gid=1000: the guest's permission checks
# apply, and what it makes is that user's.
fuse_uid_export() {
	local mnt=$1 user=$2 out
	guest_do "$mnt" mkuser 'mkdir -p /home/u && chown 1000:1000 /home/u' >/dev/null
	out=$(as_guest sh -c "touch '$user/denied'" 2>&1)
	check fuse-uid-export-permission-denied "touch in root's /home said: ${out:-nothing}" \
		grep -q 'Permission denied' <<<"$out"
	as_guest sh -c "echo mine >'$user/u/mine'"
	out=$(guest_do "$mnt" owner 'stat -c "%u:%g" /home/u/mine')
	check fuse-uid-export-owner "owner in the guest: $out" test "$out" = 1000:1000
}

# The main guest: root exported read-write, /etc read-only and /home as
# uid 1000 beside it.
fuse_main() {
	local img=$FUSE_DIR/root.img log=$TEST_DIR/fuse-main.log mnt ro user sum
	mnt=$(fuse_mountpoint main)
	ro=$(fuse_mountpoint etc)
	user=$(fuse_mountpoint user)
	if ! "$TOP/tools/mkrootimg" -f -o "$img" -s 256M --cmd "$FUSE_GUEST_CMD" \
		>"$img.log" 2>&1; then
		fail fuse-image "tools/mkrootimg failed" "$img.log"
		return
	fi
	[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$img"
	guest_start "$log" "ubd0=$img" mem=256M "fuse=$mnt" "fuse=$ro:/etc,ro" \
		"fuse=$user:/home,uid=1000,gid=1000"
	CHECK_LOGS=("$log" "$log.err")
	if ! guest_wait_log '^FUSE-GUEST-READY' "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail fuse-boot "the guest never got ready" "$log" "$log.err"
		return
	fi
	check fuse-mounted "$mnt is no mount point" fuse_mounted "$mnt"
	check fuse-export-in-kernel-log "no fuse-export line" \
		grep -aq "fuse-export: guest / on host $mnt" "$log"
	check fuse-root-listing "no /etc or /root on the export" \
		as_guest test -d "$mnt/etc" -a -d "$mnt/root"
	check fuse-other-users-kept-out "another user got in" \
		sh -c "[ ${#AS_GUEST[@]} -eq 0 ] || ! ls '$mnt' >/dev/null 2>&1"

	fuse_both_ways "$mnt" "$log"
	fuse_locks "$mnt"
	fuse_mmap "$mnt"
	fuse_readdirplus "$mnt"
	fuse_host_tools "$mnt"
	if command -v rsync >/dev/null && command -v stress-ng >/dev/null &&
		command -v fio >/dev/null && command -v git >/dev/null; then
		fuse_real_tools "$mnt"
	else
		skip fuse-real-tools "rsync, git, stress-ng or fio missing (tools/install-deps)"
	fi
	fuse_readonly_export "$ro"
	fuse_uid_export "$mnt" "$user"

	as_guest touch "$mnt/ctl/stop"
	if ! guest_wait_exit "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail fuse-power-off "the guest did not end" "$log"
		return
	fi
	check fuse-power-off "status $GUEST_STATUS" \
		sh -c "[ '$GUEST_STATUS' = 0 ] && grep -aq FUSE-GUEST-DONE '$log'"
	check fuse-unmounted-at-exit "still mounted after power-off" \
		fuse_gone "$mnt" "$ro" "$user"
	# Nothing of the export kept the guest from a clean shutdown.
	check fuse-guest-remounted-read-only "no read-only remount of / at power-off" \
		grep -aqE 'EXT4-fs \(ubda\): re-mounted .* ro' "$log"
	check_kernel_log fuse-kernel-log-clean "$log"
	CHECK_LOGS=("$img.fsck")
	check fuse-fsck-clean-after-power-off "e2fsck -fn found problems" \
		sh -c "e2fsck -fn '$img' >'$img.fsck' 2>&1"
	sum=$(debugfs -R "cat /root/from-host.bin" "$img" 2>/dev/null | sha256sum | cut -c1-64)
	check fuse-host-writes-in-image "sha256 in the image $sum" \
		test "$sum" = "${FUSE_HOST_SUM:-none}"
	check fuse-host-tree-in-image "tree/a/hello.txt not in the image" \
		test "$(debugfs -R "cat /root/data/tree/a/hello.txt" "$img" 2>/dev/null)" = hello
}

# SIGKILL while the host writes: ENOTCONN, not a hang; the mount goes.
fuse_sigkill() {
	local img=$FUSE_DIR/root.img log=$TEST_DIR/fuse-kill.log mnt err bad
	mnt=$(fuse_mountpoint kill)
	bad=$(fuse_mountpoint bad)
	tmp_listing >"$log.tmp"
	guest_start "$log" "ubd0=$img" mem=256M "fuse=$mnt" "fuse=$bad:/no/such/dir"
	CHECK_LOGS=("$log" "$log.err")
	if ! guest_wait_log '^FUSE-GUEST-READY' "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail fuse-sigkill "the guest never got ready" "$log"
		return
	fi
	# A guest directory missing when the export starts: a clear error on
	# the host, not a hang.
	err=$(timeout 30 "${AS_GUEST[@]}" ls "$bad" 2>&1)
	check fuse-missing-guest-dir-refuses-connection "ls said: ${err:-nothing}" \
		grep -q 'Connection refused' <<<"$err"
	check fuse-missing-guest-dir-in-kernel-log "no message naming it" \
		grep -aq 'guest directory /no/such/dir: error -2' "$log"

	as_guest sh -c "while :; do dd if=/dev/zero of='$mnt/root/junk' bs=1M count=20 2>&1 || exit; done" \
		>"$log.writer" 2>&1 &
	local writer=$!
	sleep 2
	guest_stop KILL
	check fuse-sigkill-status "status $GUEST_STATUS, want 137" test "$GUEST_STATUS" = 137
	if ! timeout 30 tail --pid="$writer" -f /dev/null; then
		kill "$writer" 2>/dev/null
		fail fuse-sigkill-writer-ends "the host writer hung" "$log.writer"
	else
		# ENOTCONN for a request made after the guest died; one the
		# host kernel had in flight at that moment is ended with
		# ECONNABORTED instead.  Either is the dead guest, told.
		err=$(grep -av records "$log.writer" | tail -n 1)
		check fuse-sigkill-writer-gets-enotconn "writer said: $err" \
			grep -aqE 'Transport endpoint is not connected|Software caused connection abort' "$log.writer"
	fi
	check fuse-sigkill-unmounted "still mounted 10 s after SIGKILL" \
		fuse_gone "$mnt" "$bad"
	check_clean_exit fuse- sigkill "$GUEST_PROCS" "$GUEST_PID" "$log.tmp" "$log"
	e2fsck -fy -E journal_only "$img" >"$img.replay" 2>&1
	CHECK_LOGS=("$img.replay" "$img.fsck")
	check fuse-sigkill-fsck-clean-after-replay "e2fsck -fn after the replay" \
		sh -c "e2fsck -fn '$img' >'$img.fsck' 2>&1"
}

# Exports made and ended at run time through the control socket
# (umctl NAME export/unexport), on a guest booted without fuse=.
fuse_runtime() {
	local img=$FUSE_DIR/root.img log=$TEST_DIR/fuse-runtime.log mnt full
	local uml=$FUSE_DIR/uml umctl out rc
	mnt=$(fuse_mountpoint rt)
	full=$(fuse_mountpoint rt-full)
	touch "$full/something"
	mkdir -p "$uml"
	[ ${#AS_GUEST[@]} -eq 0 ] || chown "$GUEST_UID" "$uml"
	umctl=("${AS_GUEST[@]}" "$TOP/tools/umctl" --uml-dir "$uml" fuse-rt)
	guest_start "$log" "ubd0=$img" mem=256M umid=fuse-rt uml_dir="$uml"
	CHECK_LOGS=("$log" "$log.err")
	if ! guest_wait_log '^FUSE-GUEST-READY' "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail fuse-runtime "the guest never got ready" "$log" "$log.err"
		return
	fi
	out=$("${umctl[@]}" export "$mnt" 2>&1)
	check fuse-umctl-export "umctl said: $out" \
		sh -c "[ '$out' = 'guest / on host $mnt' ] && grep -q ' $mnt fuse' /proc/self/mounts"
	out=$(guest_do "$mnt" rt1 'cat /etc/hostname')
	check fuse-umctl-export-serves "guest_do said: $out" test "$out" = linux
	out=$("${umctl[@]}" export "$full" 2>&1)
	rc=$?
	check fuse-umctl-export-non-empty-refused "status $rc, said: $out" \
		sh -c "[ $rc = 1 ] && echo '$out' | grep -q 'not empty' &&
			! grep -q ' $full ' /proc/self/mounts"
	out=$("${umctl[@]}" export "$FUSE_DIR/rt-missing" 2>&1)
	rc=$?
	check fuse-umctl-export-missing-refused "status $rc, said: $out" \
		sh -c "[ $rc != 0 ] && echo '$out' | grep -q 'No such file'"
	out=$("${umctl[@]}" export "$mnt" 2>&1)
	check fuse-umctl-export-twice-refused "said: $out" grep -q 'exported already' <<<"$out"
	out=$("${umctl[@]}" export "$mnt/root" 2>&1)
	check fuse-umctl-export-inside-refused "said: $out" grep -q 'inside an export' <<<"$out"
	if [ "$(id -u)" = 0 ] && [ ${#AS_GUEST[@]} -gt 0 ]; then
		chmod 0600 /dev/fuse
		out=$("${umctl[@]}" export "$(fuse_mountpoint rt-nodev)" 2>&1)
		rc=$?
		chmod 0666 /dev/fuse
		check fuse-umctl-export-without-dev-fuse-refused "status $rc, said: $out" \
			sh -c "[ $rc = 1 ] && echo '$out' | grep -q '/dev/fuse: Permission denied'"
	fi
	out=$("${umctl[@]}" unexport "$mnt" 2>&1)
	check fuse-umctl-unexport "umctl said: $out" \
		sh -c "[ '$out' = unexported ] && ! grep -q ' $mnt ' /proc/self/mounts"
	out=$("${umctl[@]}" unexport "$mnt" 2>&1)
	check fuse-umctl-unexport-again-refused "said: $out" test "$out" = "not exported"
	out=$("${umctl[@]}" export "$mnt" 2>&1)
	check fuse-umctl-export-again "umctl said: $out" test "$out" = "guest / on host $mnt"
	as_guest sh -c "echo runtime >'$mnt/root/runtime.txt'"
	as_guest touch "$mnt/ctl/stop"
	if ! guest_wait_exit "$BOOT_TIMEOUT"; then
		guest_stop KILL
		fail fuse-runtime-power-off "the guest did not end" "$log"
		return
	fi
	check fuse-runtime-unmounted-at-exit "still mounted after power-off" fuse_gone "$mnt"
	CHECK_LOGS=("$img.fsck")
	check fuse-runtime-fsck-clean "e2fsck -fn found problems" \
		sh -c "e2fsck -fn '$img' >'$img.fsck' 2>&1"
	check fuse-runtime-write-in-image "runtime.txt not in the image" \
		test "$(debugfs -R "cat /root/runtime.txt" "$img" 2>/dev/null)" = runtime
}

# fuse_refused NAME WANT ARG...: refused before boot, status 2, WANT said.
fuse_refused() {
	local name=$1 want=$2 log=$TEST_DIR/fuse-refused-$1.log
	shift 2
	guest_run "$EXIT_TIMEOUT" "$log" mem=256M "$@" ||
		{ fail "fuse-refuses-$name" "still running, killed" "$log.err"; return; }
	CHECK_LOGS=("$log.err")
	check "fuse-refuses-$name" "status $GUEST_STATUS or no '$want'" \
		sh -c "[ '$GUEST_STATUS' = 2 ] && grep -aq -- '$want' '$log.err'"
}

fuse_refusals() {
	local full
	full=$(fuse_mountpoint full)
	touch "$full/something"
	fuse_refused missing-dir 'No such file or directory' "fuse=$FUSE_DIR/missing"
	fuse_refused non-empty-dir 'not empty' "fuse=$full"
	fuse_refused not-a-dir 'not a directory' "fuse=$full/something"
	fuse_refused relative-guest-path 'GUESTPATH an absolute' "fuse=$(fuse_mountpoint r1):etc"
	fuse_refused bad-option 'unknown option' "fuse=$(fuse_mountpoint r2),bogus"
	fuse_refused twice 'exported twice' "fuse=$(fuse_mountpoint r3)" \
		"fuse=$FUSE_DIR/r3"
	check fuse-refusal-mounts-nothing "a refused boot left a mount" \
		sh -c "! grep -q ' $FUSE_DIR/' /proc/self/mounts"
}

if fuse_usable; then
	fuse_refusals
	fuse_main
	fuse_sigkill
	fuse_runtime
else
	skip fuse "$FUSE_WHY"
fi
fuse_restore_dev

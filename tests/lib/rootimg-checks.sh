# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Checks of tools/mkrootimg, the root image builder: it is run as an
# unprivileged user (nobody when we are root), and what it writes is
# looked at from the host with e2fsck and debugfs.  No guest is booted.
#
# Sourced, not run: defines rootimg_checks, which uses pass and fail from
# tests/lib/report.sh, TEST_DIR (a scratch directory) and TOP (the project
# root).

# ROOTIMG_AS: how the builder is run.  As root we drop to nobody, which is
# the case that matters: the image must come out root-owned all the same.
if [ "$(id -u)" -eq 0 ]; then
	ROOTIMG_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
else
	ROOTIMG_AS=()
fi

# rootimg_run LOG ARG...: run tools/mkrootimg ARG... as the builder, in
# ROOTIMG_DIR, its output and errors to LOG; returns its exit status.
rootimg_run() {
	local log=$1
	shift
	(cd "$ROOTIMG_DIR" && env TMPDIR="$ROOTIMG_DIR" "${ROOTIMG_AS[@]}" \
		"$TOP/tools/mkrootimg" "$@") >"$log" 2>&1
}

# rootimg_walk IMG: every entry of the ext4 image IMG but . and .., one a
# line as "MODE UID GID PATH" (MODE in octal with its type bits), read
# with one debugfs per level of the tree.
rootimg_walk() {
	local img=$1 dir line i name mode uid gid cmds
	local -a level=(/) next
	while [ ${#level[@]} -gt 0 ]; do
		cmds=
		for dir in "${level[@]}"; do
			cmds+="ls -p \"${dir//\"/\"\"}\""$'\n'
		done
		next=()
		i=-1
		# debugfs echoes each command before its output, as
		# "debugfs: ls -p ...": that moves us to the next directory.
		# An entry reads /INODE/MODE/UID/GID/NAME/SIZE/.
		while IFS= read -r line; do
			case $line in
			'debugfs: '*) i=$((i + 1)); continue ;;
			/*/*/*/*/*/*) ;;
			*) continue ;;
			esac
			IFS=/ read -r _ _ mode uid gid name _ <<<"$line"
			case $name in
			.|..) continue ;;
			esac
			dir=${level[$i]%/}
			echo "$mode $uid $gid $dir/$name"
			case $mode in
			04*) next+=("$dir/$name") ;;
			esac
		done < <(debugfs -f - "$img" <<<"$cmds" 2>/dev/null)
		level=("${next[@]}")
	done
}

# rootimg_dump IMG PATH OUT: copy file PATH out of IMG; false if absent.
rootimg_dump() {
	rm -f "$3"
	debugfs -R "dump \"$2\" $3" "$1" >/dev/null 2>&1 && [ -f "$3" ]
}

# rootimg_stat IMG PATH: "TYPE MODE" of PATH in IMG, like "regular 0755".
rootimg_stat() {
	debugfs -R "stat \"$2\"" "$1" 2>/dev/null |
		sed -n 's/^Inode: [0-9]*  *Type: \([a-z ]*[a-z]\)  *Mode:  *\([0-7]*\).*/\1 \2/p'
}

# rootimg_leftovers: temporary files of the builder left in ROOTIMG_DIR.
rootimg_leftovers() {
	find "$ROOTIMG_DIR" -mindepth 1 -maxdepth 1 \( -name '.*' -o -name 'mkrootimg.*' \) \
		-printf '%f '
}

# rootimg_refusal NAME LOG EXPECT-RE OUT ARG...: mkrootimg ARG... must fail,
# say something matching EXPECT-RE, and leave no OUT and no temporary file.
rootimg_refusal() {
	local name=$1 log=$2 re=$3 out=$4 left
	local -a why=()
	shift 4
	if rootimg_run "$log" "$@"; then
		why+=("exit status 0")
	fi
	grep -Eq "$re" "$log" || why+=("no message matching /$re/")
	[ ! -e "$ROOTIMG_DIR/$out" ] || why+=("$out was written")
	left=$(rootimg_leftovers)
	[ -z "$left" ] || why+=("left behind: $left")
	if [ ${#why[@]} -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "$(printf '%s; ' "${why[@]}")" "$log"
	fi
}

rootimg_checks() {
	local img log walk payload before after n link mode
	local -a why

	ROOTIMG_DIR=$TEST_DIR/rootimg
	mkdir -p "$ROOTIMG_DIR"
	[ ${#ROOTIMG_AS[@]} -eq 0 ] || chown 65534:65534 "$ROOTIMG_DIR"

	# --- a build, with an extra file and a command ---------------------
	img=$ROOTIMG_DIR/root.img
	log=$TEST_DIR/rootimg-build.log
	payload=$ROOTIMG_DIR/payload
	head -c 3000 /dev/urandom | base64 >"$payload"
	chmod 0644 "$payload"
	if ! rootimg_run "$log" -o root.img -s 32M \
			--add "$payload:/opt/check/payload" --cmd 'echo checked'; then
		fail rootimg-build "mkrootimg failed" "$log"
		return
	fi
	if ! [ -f "$img" ] || [ "$(stat -c %s "$img")" -ne $((32 << 20)) ]; then
		fail rootimg-build "no 32M root.img" "$log"
		return
	fi
	n=$(rootimg_leftovers)
	if [ -n "$n" ]; then
		fail rootimg-build "left behind: $n" "$log"
	else
		pass rootimg-build
	fi

	log=$TEST_DIR/rootimg-e2fsck.log
	if e2fsck -fn "$img" >"$log" 2>&1; then
		pass rootimg-e2fsck
	else
		fail rootimg-e2fsck "e2fsck -fn found errors" "$log"
	fi

	# Every inode root's, whoever built the image; and enough of them
	# that the walk cannot have missed the tree.
	walk=$TEST_DIR/rootimg-walk.txt
	rootimg_walk "$img" >"$walk"
	n=$(wc -l <"$walk")
	awk '$2 != 0 || $3 != 0' "$walk" >"$walk.notroot"
	why=()
	[ "$n" -ge 200 ] || why+=("only $n entries found in the image")
	[ ! -s "$walk.notroot" ] ||
		why+=("$(wc -l <"$walk.notroot") of $n entries not owned by 0:0")
	grep -q ' /bin/busybox$' "$walk" || why+=("no /bin/busybox in the walk")
	if [ ${#why[@]} -eq 0 ]; then
		pass rootimg-owners
	else
		fail rootimg-owners "$(printf '%s; ' "${why[@]}")" "$walk.notroot"
	fi
	# "MODE UID GID PATH" of the two directories with special modes.
	n=$(grep -E ' /(tmp|root)$' "$walk" | sort | tr '\n' ',')
	if [ "$n" = "040700 0 0 /root,041777 0 0 /tmp," ]; then
		pass rootimg-modes
	else
		fail rootimg-modes "want /root 040700 and /tmp 041777, both 0:0; got: $n"
	fi

	# init: /sbin/init leads to an executable busybox, the host's own,
	# and the scripts init runs are there and executable.
	why=()
	link=$(debugfs -R 'stat /sbin/init' "$img" 2>/dev/null |
		sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')
	case $link in
	/bin/busybox|../bin/busybox) ;;
	'') mode=$(rootimg_stat "$img" /sbin/init)
	    case $mode in
	    "regular "*[1357]) ;;
	    *) why+=("/sbin/init is neither a link to busybox nor executable ($mode)") ;;
	    esac ;;
	*) why+=("/sbin/init leads to $link") ;;
	esac
	mode=$(rootimg_stat "$img" /bin/busybox)
	case $mode in
	"regular 0755") ;;
	*) why+=("/bin/busybox: '$mode', not a regular file of mode 0755") ;;
	esac
	if ! rootimg_dump "$img" /bin/busybox "$TEST_DIR/rootimg-busybox"; then
		why+=("no /bin/busybox to read")
	elif ! cmp -s "$TEST_DIR/rootimg-busybox" /bin/busybox; then
		why+=("/bin/busybox differs from the host's")
	fi
	for n in /etc/init.d/rcS /etc/init.d/console /etc/init.d/rcK; do
		mode=$(rootimg_stat "$img" "$n")
		case $mode in
		"regular 0755") ;;
		*) why+=("$n: '$mode'") ;;
		esac
	done
	if ! rootimg_dump "$img" /etc/inittab "$TEST_DIR/rootimg-inittab" ||
	   ! grep -q '^::sysinit:/etc/init.d/rcS$' "$TEST_DIR/rootimg-inittab"; then
		why+=("no inittab running /etc/init.d/rcS")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		pass rootimg-init
	else
		fail rootimg-init "$(printf '%s; ' "${why[@]}")"
	fi

	# --add and --cmd: the very bytes given.
	why=()
	if ! rootimg_dump "$img" /opt/check/payload "$TEST_DIR/rootimg-payload"; then
		why+=("no /opt/check/payload in the image")
	elif ! cmp -s "$payload" "$TEST_DIR/rootimg-payload"; then
		why+=("/opt/check/payload differs from what was added")
	fi
	if ! rootimg_dump "$img" /etc/init.cmd "$TEST_DIR/rootimg-cmd" ||
	   [ "$(cat "$TEST_DIR/rootimg-cmd")" != 'echo checked' ]; then
		why+=("/etc/init.cmd is not the --cmd command")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		pass rootimg-add
	else
		fail rootimg-add "$(printf '%s; ' "${why[@]}")"
	fi

	# --- refusals ------------------------------------------------------

	# An existing output is kept, byte for byte, without -f ...
	log=$TEST_DIR/rootimg-noclobber.log
	before=$(sha256sum <"$img")
	why=()
	if rootimg_run "$log" -o root.img; then
		why+=("exit status 0")
	fi
	grep -q 'exists' "$log" || why+=("no message saying root.img exists")
	after=$(sha256sum <"$img")
	[ "$before" = "$after" ] || why+=("root.img changed")
	n=$(rootimg_leftovers)
	[ -z "$n" ] || why+=("left behind: $n")
	if [ ${#why[@]} -eq 0 ]; then
		pass rootimg-no-clobber
	else
		fail rootimg-no-clobber "$(printf '%s; ' "${why[@]}")" "$log"
	fi

	# ... and replaced with it.
	log=$TEST_DIR/rootimg-force.log
	if ! rootimg_run "$log" -f -o root.img; then
		fail rootimg-force "mkrootimg -f failed" "$log"
	elif [ "$(sha256sum <"$img")" = "$before" ]; then
		fail rootimg-force "root.img was not replaced" "$log"
	elif ! e2fsck -fn "$img" >>"$log" 2>&1; then
		fail rootimg-force "the new root.img fails e2fsck -fn" "$log"
	else
		pass rootimg-force
	fi

	rootimg_refusal rootimg-bad-size "$TEST_DIR/rootimg-badsize.log" \
		"bad size" bad.img -o bad.img -s 12Q
	rootimg_refusal rootimg-small-size "$TEST_DIR/rootimg-smallsize.log" \
		"too small" small.img -o small.img -s 1M
	rootimg_refusal rootimg-add-missing "$TEST_DIR/rootimg-addmissing.log" \
		"no such file.*/nonexistent/file" missing.img \
		-o missing.img --add /nonexistent/file:/x
	rootimg_refusal rootimg-systemd-alone "$TEST_DIR/rootimg-systemd.log" \
		"go with --debootstrap" sd.img -o sd.img --systemd
}

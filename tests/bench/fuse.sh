#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# FUSE export benchmark (not a test): the same work, from the host, on
#
#   export     a running guest's root exported with fuse= (fuse-export/)
#   fuse2fs    fuse2fs serving an offline copy of the same image (the anchor
#              of issue 13; skipped when fuse2fs is not installed:
#              apt-get install fuse2fs)
#
# in one run: sequential 1 MiB writes and reads (MB/s, the write ending
# with fsync), 4 KiB reads of that file at random places for 3 s (IOPS;
# what the host kernel kept cached of it counts, on both), then create,
# stat and unlink of FILES empty files in one directory (per second), and
# tar -x of a tarball of the host's /usr/share/doc (seconds).  The work is a small Python program run as the
# guest user (nobody when we are root), since the mounts are that user's.
#
# Usage: tests/bench/fuse.sh
#   MIB=n     sequential figures over n MiB (default 256)
#   FILES=n   files for the metadata figures (default 10000)
#
# As root, /dev/fuse is given mode 0666 (Debian's) for the run if the
# guest user cannot open it, and put back afterwards.

set -u -o pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MIB=${MIB:-256}
FILES=${FILES:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-fuse.XXXXXX") || exit 1
chmod 711 "$WORK"

if [ "$(id -u)" -eq 0 ]; then
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chown 65534 "$WORK"
else
	AS=()
fi
DEV_MODE=
GUEST=

cleanup() {
	[ -z "$GUEST" ] || kill -KILL "$GUEST" 2>/dev/null
	fusermount3 -u -z -q "$WORK/fuse2fs" 2>/dev/null
	[ -z "$DEV_MODE" ] || chmod "$DEV_MODE" /dev/fuse
	rm -rf "$WORK"
}
trap cleanup EXIT

if ! "${AS[@]}" sh -c 'exec 3<>/dev/fuse' 2>/dev/null; then
	if [ "$(id -u)" -eq 0 ]; then
		DEV_MODE=$(stat -c %a /dev/fuse)
		chmod 0666 /dev/fuse
	else
		echo "fuse.sh: this user cannot open /dev/fuse" >&2
		exit 1
	fi
fi

# The measurements, on the directory given; one line of figures.
measure() {
	"${AS[@]}" /usr/bin/python3 - "$1" "$MIB" "$FILES" "$WORK/doc.tar" <<'PY'
import os, sys, time
top, mib, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = os.path.join(top, "bench")
os.makedirs(d, exist_ok=True)
buf = os.urandom(1 << 20)
big = os.path.join(d, "big")

t = time.monotonic()
fd = os.open(big, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for _ in range(mib):
    os.write(fd, buf)
os.fsync(fd)
os.close(fd)
write = mib / (time.monotonic() - t)

t = time.monotonic()
fd = os.open(big, os.O_RDONLY)
while os.read(fd, 1 << 20):
    pass
os.close(fd)
read = mib / (time.monotonic() - t)

# 4 KiB reads at random places, for 3 seconds.
import random
fd = os.open(big, os.O_RDONLY)
size = mib << 20
n = 0
t = time.monotonic()
while time.monotonic() - t < 3:
    for _ in range(256):
        os.pread(fd, 4096, random.randrange(size >> 12) << 12)
    n += 256
rand = n / (time.monotonic() - t)
os.close(fd)
os.unlink(big)

names = [os.path.join(d, "f%05d" % i) for i in range(files)]
t = time.monotonic()
for n in names:
    os.close(os.open(n, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
create = files / (time.monotonic() - t)
t = time.monotonic()
for n in names:
    os.stat(n)
stat = files / (time.monotonic() - t)
t = time.monotonic()
for n in names:
    os.unlink(n)
unlink = files / (time.monotonic() - t)

import subprocess
x = os.path.join(d, "tarx")
os.mkdir(x)
t = time.monotonic()
subprocess.run(["tar", "-C", x, "-xf", sys.argv[4]], check=True)
tarx = time.monotonic() - t
subprocess.run(["rm", "-rf", x], check=True)
os.rmdir(d)
print("%8.0f %8.0f %8.0f %9.0f %9.0f %9.0f %7.1f" % (write * 1.048576,
      read * 1.048576, rand, create, stat, unlink, tarx))
PY
}

IMG=$WORK/root.img
if ! "$TOP/tools/mkrootimg" -f -o "$IMG" -s 2G \
	--cmd 'echo BENCH-READY; while [ ! -e /stop ]; do sleep 0.2; done; rm /stop' \
	>"$WORK/mkrootimg.log" 2>&1; then
	echo "fuse.sh: tools/mkrootimg failed:" >&2
	cat "$WORK/mkrootimg.log" >&2
	exit 1
fi
cp --sparse=always "$IMG" "$WORK/offline.img"
tar -C /usr/share -cf "$WORK/doc.tar" doc
chmod 644 "$WORK/doc.tar"
mkdir -p "$WORK/export" "$WORK/fuse2fs"
[ ${#AS[@]} -eq 0 ] || chown 65534 "$IMG" "$WORK/offline.img" "$WORK/export" "$WORK/fuse2fs"

printf '%-9s %8s %8s %8s %9s %9s %9s %7s\n' "" "write" "read" "4k-rand" "create" "stat" "unlink" "tar -x"
printf '%-9s %8s %8s %8s %9s %9s %9s %7s\n' "" "MB/s" "MB/s" "IOPS" "/s" "/s" "/s" "s"

env --default-signal "${AS[@]}" "$TOP/linux" "ubd0=$IMG" mem=512M \
	"fuse=$WORK/export" </dev/null >"$WORK/guest.log" 2>&1 &
GUEST=$!
for ((i = 0; i < 600; i++)); do
	grep -aq BENCH-READY "$WORK/guest.log" && break
	sleep 0.2
done
if grep -aq BENCH-READY "$WORK/guest.log"; then
	printf '%-9s %s\n' export "$(measure "$WORK/export/root")"
	"${AS[@]}" touch "$WORK/export/stop"
	wait "$GUEST"
else
	echo "fuse.sh: the guest did not start; its log:" >&2
	tail -20 "$WORK/guest.log" >&2
fi
GUEST=

if command -v fuse2fs >/dev/null; then
	if "${AS[@]}" fuse2fs -o fakeroot "$WORK/offline.img" "$WORK/fuse2fs" \
		>"$WORK/fuse2fs.log" 2>&1; then
		printf '%-9s %s\n' fuse2fs "$(measure "$WORK/fuse2fs/root")"
		"${AS[@]}" fusermount3 -u "$WORK/fuse2fs"
	else
		echo "fuse2fs: could not mount: $(tail -1 "$WORK/fuse2fs.log")"
	fi
else
	echo "fuse2fs: not installed (apt-get install fuse2fs), no anchor"
fi

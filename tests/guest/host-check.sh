#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the guest-side tooling on the host itself, without a guest:
#  - the guest test programs build and pass when run directly (with
#    GUEST_HOST_RUN=1: the host may allow what the port must refuse);
#  - parse_guest_results (tests/lib/guestrun.sh) reads their output, and
#    catches failures, crashes, lying summaries and unfinished runs;
#  - tools/mkinitramfs builds an image holding what it should;
#  - as root, with unshare(1): the image's own /init, run in a private
#    mount and pid namespace chrooted into the unpacked image, runs a
#    command and then the whole guest test suite under busybox.
#
# Usage: tests/guest/host-check.sh    (TESTS_KEEP=1 keeps its directory)
# Prints PASS:/FAIL:/SKIP: lines and "N passed, N failed"; exits 0 only if
# nothing failed.

set -u -o pipefail
# shellcheck source-path=SCRIPTDIR

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lib/report.sh
. "$TOP/tests/lib/report.sh"
# shellcheck source=SCRIPTDIR/../lib/guestrun.sh
. "$TOP/tests/lib/guestrun.sh"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/guest-host-check.XXXXXX") || exit 1
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	if [ "${TESTS_KEEP:-}" = 1 ]; then
		echo "kept $DIR"
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT

# quietly NAME FUNCTION ARG...: run a parse in a subshell with its own
# counters and return "passed failed skipped status" on stdout.
# shellcheck disable=SC2030,SC2034  # on purpose: the counts stay inside
quietly() {
	(
		PASSED=0 FAILED=0 SKIPPED=0
		"$@" >/dev/null
		echo "$GUEST_PASSED $GUEST_FAILED $GUEST_SKIPPED $?"
	)
}

# --- the programs on the host ------------------------------------------------

echo "== programs"
if ! nice -n 19 make -C "$TOP/tests/guest" O="$DIR/bin" >"$DIR/make.log" 2>&1; then
	fail build "make -C tests/guest failed" "$DIR/make.log"
	summary
	exit 1
fi
pass build
GUEST_HOST_RUN=1 "$DIR/bin/run-in-guest.sh" "$DIR/bin" >"$DIR/host.log" 2>&1
check run-in-guest-status "run-in-guest.sh exited non-zero" test $? -eq 0
echo "== their results, as parse_guest_results reports them"
parse_guest_results "$DIR/host.log"
host_status=$?
check parse-host-run "parse_guest_results returned $host_status" \
	test "$host_status" -eq 0 -a "$GUEST_PASSED" -gt 150

# --- the parser on broken runs ---------------------------------------------

echo "== the parser on doctored logs"
sed -n '1,/^# guest-tests: t-proc exited/p' "$DIR/host.log" >"$DIR/one.log"
echo "# guest-tests: done, 0 of 1 programs failed" >>"$DIR/one.log"
want=$(grep -c '^ok ' "$DIR/one.log")

# a check that failed (and the program then exits 1)
sed -e '0,/^ok 3 - /s/^ok 3 - /not ok 3 - /' \
	-e 's/^# guest-test t-proc: \([0-9]*\) passed, 0 failed/# guest-test t-proc: X passed, 1 failed/' \
	-e 's/t-proc exited with status 0/t-proc exited with status 1/' "$DIR/one.log" |
	awk -v p=$((want - 1)) '{ sub(/: X passed/, ": " p " passed"); print }' >"$DIR/notok.log"
r=$(quietly parse_guest_results "$DIR/notok.log")
check parse-not-ok "got '$r', want '$((want - 1)) 1 0 1'" test "$r" = "$((want - 1)) 1 0 1"

# a program that crashed half way: no summary, then the run went on
head -n 12 "$DIR/one.log" >"$DIR/crash.log"
printf '%s\n' "# guest-tests: t-proc exited with status 139" \
	"# guest-tests: done, 1 of 1 programs failed" >>"$DIR/crash.log"
r=$(quietly parse_guest_results "$DIR/crash.log")
check parse-crash "got '$r', want '10 1 0 1'" test "$r" = "10 1 0 1"

# a summary that disagrees with the lines
sed 's/^# guest-test t-proc: [0-9]* passed/# guest-test t-proc: 999 passed/' \
	"$DIR/one.log" >"$DIR/lie.log"
r=$(quietly parse_guest_results "$DIR/lie.log")
check parse-summary-mismatch "got '$r', want '$want 1 0 1'" test "$r" = "$want 1 0 1"

# an unfinished run, with console CRs and kernel lines mixed in
sed -e '/^# guest-tests: done/d' -e 's/$/\r/' -e '5i [   12.345678] random: crng init done' \
	"$DIR/one.log" >"$DIR/cut.log"
r=$(quietly parse_guest_results "$DIR/cut.log")
check parse-unfinished "got '$r', want '$want 1 0 1'" test "$r" = "$want 1 0 1"

# skips, and an empty log
printf '%s\n' "# guest-tests: start" "# guest-tests: running t-x" "ok 1 - a" \
	"ok 2 - # SKIP no AVX" "# guest-test t-x: 1 passed, 0 failed, 1 skipped" \
	"# guest-tests: t-x exited with status 0" "# guest-tests: done, 0 of 1 programs failed" \
	>"$DIR/skip.log"
r=$(quietly parse_guest_results "$DIR/skip.log")
check parse-skip "got '$r', want '1 0 1 0'" test "$r" = "1 0 1 0"
# a summary that counts the skip as passed disagrees with the lines
sed 's/: 1 passed, 0 failed, 1 skipped/: 2 passed, 0 failed, 0 skipped/' \
	"$DIR/skip.log" >"$DIR/skip-as-pass.log"
r=$(quietly parse_guest_results "$DIR/skip-as-pass.log")
check parse-skip-as-pass "got '$r', want '1 1 1 1'" test "$r" = "1 1 1 1"
: >"$DIR/empty.log"
r=$(quietly parse_guest_results "$DIR/empty.log")
check parse-empty "got '$r', want '0 1 0 1'" test "$r" = "0 1 0 1"

# --- mkinitramfs -----------------------------------------------------------

echo "== mkinitramfs"
MK=$TOP/tools/mkinitramfs
check mkinitramfs-help "--help fails or lacks --add" \
	bash -c "'$MK' --help | grep -q -- --add"
check mkinitramfs-refuses "accepts an unknown option" \
	bash -c "! '$MK' -o '$DIR/x.img' --bogus 2>/dev/null"

printf 'extra\n' >"$DIR/extra.txt"
if "$MK" -o "$DIR/cmd.img" --cmd 'echo hello from init; exit 3' \
	--add "$DIR/extra.txt:/opt/deep/extra.txt" >"$DIR/mk.log" 2>&1; then
	pass mkinitramfs-builds
else
	fail mkinitramfs-builds "it failed" "$DIR/mk.log"
fi
zcat "$DIR/cmd.img" 2>/dev/null | cpio -tv >"$DIR/cmd.list" 2>/dev/null
why=()
# name, then an extended regex its "cpio -tv" line must match
while read -r name re; do
	grep -Eq "$re" "$DIR/cmd.list" || why+=("$name")
done <<'EOF'
console ^crw-------.* 5, +1 .* dev/console$
null ^crw-rw-rw-.* 1, +3 .* dev/null$
busybox ^-rwxr-xr-x .* root +root .* bin/busybox$
sh ^lrwxrwxrwx .* bin/sh -> /bin/busybox$
poweroff ^l.* sbin/poweroff -> /bin/busybox$
setsid ^l.* usr/bin/setsid -> /bin/busybox$
cttyhack ^l.* bin/cttyhack -> /bin/busybox$
mount ^l.* bin/mount -> /bin/busybox$
init ^-rwxr-xr-x .* init$
init.cmd ^-rw-r--r-- .* etc/init.cmd$
tmp ^drwxrwxrwt .* tmp$
proc ^d.* proc$
sys ^d.* sys$
root ^drwx------ .* root$
opt ^d.* opt/deep$
extra ^-.* opt/deep/extra.txt$
EOF
verdict mkinitramfs-contents "${why[@]/#/missing or wrong: }"
n=$(grep -c ' -> /bin/busybox$' "$DIR/cmd.list")
check mkinitramfs-applets "only $n applet links" test "$n" -ge 250

if guest_tests_image "$DIR/tests.img" >/dev/null 2>&1 &&
	zcat "$DIR/tests.img" | cpio -t 2>/dev/null | grep -qx tests/run-in-guest.sh &&
	zcat "$DIR/tests.img" | cpio -t 2>/dev/null | grep -qx tests/t-contain; then
	pass guest-tests-image
else
	fail guest-tests-image "no image, or it lacks the programs" "$DIR/tests.img.log"
fi

# --- the images' /init, in a namespace ---------------------------------------

# boot_image NAME IMG: unpack IMG and run its /init as pid 1 of a fresh
# pid and mount namespace, chrooted into it; output in DIR/NAME.out.
boot_image() {
	local root=$DIR/$1.root
	mkdir -p "$root"
	(cd "$root" && zcat "$2" | cpio -idm --quiet 2>/dev/null)
	GUEST_HOST_RUN=1 timeout -k 10 900 \
		unshare --mount --pid --fork --propagation private \
		chroot "$root" /init </dev/null >"$DIR/$1.out" 2>&1
}

echo "== the images' /init in a namespace"
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
	skip init-runs-command "needs root and unshare"
	skip init-runs-guest-tests "needs root and unshare"
else
	boot_image cmd "$DIR/cmd.img"
	CHECK_LOGS=("$DIR/cmd.out")
	why=()
	grep -q '^hello from init$' "$DIR/cmd.out" || why+=("the command did not run")
	grep -q '^init: command exited with status 3$' "$DIR/cmd.out" ||
		why+=("no \"init: command exited with status 3\"")
	verdict init-runs-command "${why[@]}"

	boot_image tests "$DIR/tests.img"
	CHECK_LOGS=("$DIR/tests.out")
	grep -q '^init: command exited with status 0$' "$DIR/tests.out"
	check init-runs-guest-tests "the suite did not pass under the image's busybox" \
		test $? -eq 0
	r=$(quietly parse_guest_results "$DIR/tests.out")
	check parse-init-run "got '$r' (passed failed skipped status)" \
		test "${r% *}" != "" -a "${r##* }" = 0
	CHECK_LOGS=()
	: "${CHECK_LOGS[@]}"	# (read by check and verdict)
fi

summary
# shellcheck disable=SC2031  # FAILED of this shell, not quietly's
exit $((FAILED > 0))

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tools/umrun, the test runner: one test in one guest with each of its
# statuses (pass, fail, timeout, hang, panic, the overlay's disk full),
# many tests at once with JUnit XML (read back by python3-junitparser)
# and TAP, overlays isolated from one another, the base image unchanged,
# nothing left after SIGTERM or Ctrl-C mid-run, GNU parallel driving it,
# bad input refused.  Run as the guest user.  Sourced by tests/run.

UMRUN=$TOP/tools/umrun

# shellcheck source=tests/lib/debian.sh
. "$LIB/debian.sh"

# umrun_as ARGS...: tools/umrun as the guest user, its output in $UR_OUT,
# its exit status returned.
umrun_as() {
	"${AS_GUEST[@]}" "$UMRUN" --linux "$LINUX" "$@" >"$UR_OUT" 2>&1
}

# umrun_leftovers DIR: guest processes still running from DIR, and what
# DIR still holds.
umrun_leftovers() {
	local dir=$1 procs left
	procs=$(pgrep -f -- "$dir/" | paste -sd ' ')
	[ -z "$procs" ] || echo "processes $procs"
	left=$(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null)
	[ -z "$left" ] || echo "files $(printf '%s\n' "$left" | paste -sd ' ')"
}

# shellcheck disable=SC2016  # the guest's shell expands it
umrun_single() {
	local rc out
	umrun_as --base "$UR_BASE" --run-dir "$UR_RUN" --mem 128M -- \
		'echo "hello from $(uname -r)"; echo "$(id -u)" >/root/uid; cat /root/uid; exit 0'
	rc=$?
	out=$(cat "$UR_OUT")
	CHECK_LOGS=("$UR_OUT")
	check umrun-pass "status $rc, output: $out" \
		grep -qx 'hello from 6\.12\.[0-9]*' "$UR_OUT"
	check umrun-pass-status "status $rc" test "$rc" = 0
	check umrun-runs-as-root "no uid 0 line" grep -qx 0 "$UR_OUT"

	umrun_as --base "$UR_BASE" --run-dir "$UR_RUN" --mem 128M -- \
		'echo failing; exit 7'
	rc=$?
	check umrun-fail-status "status $rc, not 7" test "$rc" = 7

	umrun_as --base "$UR_BASE" --run-dir "$UR_RUN" --mem 128M \
		--timeout 8 -- 'sleep 1000'
	rc=$?
	check umrun-timeout "status $rc, not 124" test "$rc" = 124
	check umrun-timeout-says "no message" grep -q 'umrun: timeout: still running after 8 s' "$UR_OUT"

	umrun_as --base "$UR_BASE" --run-dir "$UR_RUN" --mem 128M \
		--hang 8 -- 'sleep 1000'
	rc=$?
	check umrun-hang "status $rc, not 127" test "$rc" = 127
	check umrun-hang-says "no message" grep -q 'umrun: hang: no console output for 8 s' "$UR_OUT"

	umrun_as --base "$UR_BASE" --run-dir "$UR_RUN" --mem 128M --timeout 120 -- \
		'echo 1 >/proc/sys/vm/panic_on_oom; x=$(dd if=/dev/zero bs=1048576 count=900 2>/dev/null | tr "\0" a); echo survived'
	rc=$?
	check umrun-panic "status $rc, not 126" test "$rc" = 126
	check umrun-panic-says "no message" grep -q 'umrun: panic: the guest kernel panicked' "$UR_OUT"

	check umrun-single-leaves-nothing "$(umrun_leftovers "$UR_RUN")" \
		test -z "$(umrun_leftovers "$UR_RUN")"
}

# The overlay's host file system fills up: a tmpfs of 8 MiB, so root only.
umrun_disk_full() {
	local small=$TEST_DIR/umrun-small rc
	if [ "$(id -u)" != 0 ]; then
		skip umrun-disk-full "needs root to mount a small tmpfs"
		return
	fi
	mkdir -p "$small"
	if ! mount -t tmpfs -o size=8M,mode=0777 umrun-small "$small"; then
		skip umrun-disk-full "cannot mount a tmpfs"
		return
	fi
	umrun_as --base "$UR_BASE" --run-dir "$small/run" --mem 128M --timeout 120 -- \
		'dd if=/dev/urandom of=/root/big bs=1048576 count=40 2>/dev/null; sync; echo synced'
	rc=$?
	check umrun-disk-full "status $rc, not 123" test "$rc" = 123
	check umrun-disk-full-says "no message" grep -q 'umrun: disk-full: the host file system holding the overlay is full' "$UR_OUT"
	check umrun-disk-full-leaves-nothing "$(umrun_leftovers "$small/run")" \
		test -z "$(umrun_leftovers "$small/run")"
	umount "$small" || umount -l "$small"
}

umrun_many() {
	local list=$TEST_DIR/umrun.tests junit=$TEST_DIR/umrun.xml
	local tap=$TEST_DIR/umrun.tap rc parsed
	cat >"$list" <<'EOF'
# name: command
first-writes: echo private >/root/mine; sync; test "$(cat /root/mine)" = private
second-sees-none: sleep 1; test ! -e /root/mine
passes: true
fails: echo "this one fails"; exit 3
kernel: uname -r | grep -q '^6\.12\.'
EOF
	chmod a+r "$list"
	: >"$junit" && : >"$tap"
	chmod a+w "$junit" "$tap" "$TEST_DIR"
	umrun_as --base "$UR_BASE" --run-dir "$UR_RUN" --mem 128M -j 2 \
		--tests "$list" --junit "$junit" --tap "$tap"
	rc=$?
	CHECK_LOGS=("$UR_OUT")
	check umrun-many-status "status $rc, not 1 (one test fails)" test "$rc" = 1
	check umrun-many-summary "no summary line" \
		grep -qx '1 fail, 4 pass' "$UR_OUT"
	check umrun-overlays-isolated "second-sees-none did not pass" \
		grep -q '^second-sees-none  *pass ' "$UR_OUT"
	# JUnit as CI systems read it.
	parsed=$(/usr/bin/python3 - "$junit" <<'EOF'
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
cases = [c for suite in xml for c in suite]
failed = [c.name for c in cases if any(isinstance(r, Failure) for r in c.result)]
print(len(cases), ",".join(failed))
EOF
)
	check umrun-junit "junitparser read: ${parsed:-nothing}" \
		test "$parsed" = "5 fails"
	check umrun-tap "TAP: $(paste -sd '|' "$tap")" \
		test "$(grep -c '^ok ' "$tap"):$(grep -c '^not ok ' "$tap"):$(sed -n 2p "$tap")" = "4:1:1..5"
	check umrun-many-leaves-nothing "$(umrun_leftovers "$UR_RUN")" \
		test -z "$(umrun_leftovers "$UR_RUN")"
}

# SIGNAL EXIT-STATUS: umrun stopped mid-run leaves nothing behind.
umrun_stopped() {
	local sig=$1 want=$2 list=$TEST_DIR/umrun-long.tests pid rc i n
	printf 'long-%d: sleep 1000\n' 1 2 3 4 >"$list"
	chmod a+r "$list"
	"${AS_GUEST[@]}" "$UMRUN" --linux "$LINUX" --base "$UR_BASE" \
		--run-dir "$UR_RUN" --mem 128M -j 2 --tests "$list" \
		>"$UR_OUT" 2>&1 &
	pid=$!
	# Two guests started (their console logs exist), maybe mid-boot.
	for ((i = 0; i < 100; i++)); do
		n=$(find "$UR_RUN" -name console.log 2>/dev/null | wc -l)
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	kill "-$sig" "$pid"
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "umrun-$sig-stops" "still running 60 s after SIG$sig" "$UR_OUT"
		kill -KILL "$pid"
	fi
	wait "$pid"
	rc=$?
	CHECK_LOGS=("$UR_OUT")
	check "umrun-$sig-status" "status $rc, not $want" test "$rc" = "$want"
	check "umrun-$sig-leaves-nothing" "$(umrun_leftovers "$UR_RUN")" \
		test -z "$(umrun_leftovers "$UR_RUN")"
}

umrun_parallel() {
	local log=$TEST_DIR/umrun-parallel.log rc codes
	if ! command -v parallel >/dev/null; then
		fail umrun-gnu-parallel "GNU parallel is not installed (tools/install-deps)"
		return
	fi
	"${AS_GUEST[@]}" env HOME="$UR_RUN" parallel --will-cite -j 2 \
		--joblog "$log.jobs" "$UMRUN" --linux "$LINUX" --base "$UR_BASE" \
		--run-dir "$UR_RUN" --mem 128M -- {} ::: 'exit 0' 'exit 3' \
		'test -e /etc/inittab' >"$log" 2>&1
	rc=$?
	codes=$(awk 'NR > 1 { print $7 }' "$log.jobs" 2>/dev/null | sort | paste -sd ' ')
	# shellcheck disable=SC2034  # check() shows them
	CHECK_LOGS=("$log")
	check umrun-gnu-parallel "parallel's status $rc (failed jobs), exit values '$codes'" \
		test "$rc:$codes" = "1:0 0 3"
	rm -rf "$UR_RUN/.parallel"
}

# The Debian image of the tests (sysvinit), as it is: the same console
# script runs the command.
# shellcheck disable=SC2016  # the guest's shell expands it
umrun_debian() {
	local rc
	if ! debian_image; then
		skip umrun-debian "$DEBIAN_WHY"
		return
	fi
	umrun_as --base "$DEBIAN_IMG" --run-dir "$UR_RUN" --mem 256M --timeout 300 -- \
		'dpkg-query -W -f="\${Package} \${Status}\n" fio; exit 5'
	rc=$?
	# shellcheck disable=SC2034  # check() shows them
	CHECK_LOGS=("$UR_OUT")
	check umrun-debian "status $rc (want 5), output: $(head -c 300 "$UR_OUT")" \
		test "$rc:$(grep -c '^fio install ok installed' "$UR_OUT")" = 5:1
	check umrun-debian-leaves-nothing "$(umrun_leftovers "$UR_RUN")" \
		test -z "$(umrun_leftovers "$UR_RUN")"
}

umrun_refusals() {
	umrun_as --base "$TEST_DIR/no-such.img" -- true
	check umrun-missing-base "status $?, $(head -c 200 "$UR_OUT")" \
		grep -q 'the base image .* does not exist' "$UR_OUT"
	umrun_as --base "$UR_BASE" --mem 64T -j 2 --tests "$TEST_DIR/umrun.tests"
	check umrun-too-much-memory "$(head -c 300 "$UR_OUT")" \
		grep -q 'need .* MiB of host memory' "$UR_OUT"
	printf 'no colon here\n' >"$TEST_DIR/umrun-bad.tests"
	chmod a+r "$TEST_DIR/umrun-bad.tests"
	umrun_as --base "$UR_BASE" --tests "$TEST_DIR/umrun-bad.tests"
	check umrun-bad-list "status $?, $(head -c 200 "$UR_OUT")" \
		grep -q 'not "NAME: COMMAND"' "$UR_OUT"
}

umrun_case() {
	local sum_before sum_after
	UR_BASE=$TEST_DIR/umrun-base.img
	UR_RUN=$TEST_DIR/umrun-run
	UR_OUT=$TEST_DIR/umrun.out
	if ! "$TOP/tools/mkrootimg" -o "$UR_BASE" -s 64M >"$UR_BASE.log" 2>&1; then
		fail umrun-base-image "mkrootimg failed" "$UR_BASE.log"
		return
	fi
	chmod a+r "$UR_BASE"
	mkdir -p "$UR_RUN"
	: >"$UR_OUT"
	chmod a+rwx "$UR_RUN"
	chmod a+rw "$UR_OUT"
	sum_before=$(sha256sum <"$UR_BASE")

	umrun_single
	umrun_disk_full
	umrun_many
	umrun_stopped TERM 143
	umrun_stopped INT 130
	umrun_parallel
	umrun_debian
	umrun_refusals

	sum_after=$(sha256sum <"$UR_BASE")
	check umrun-base-unchanged "the base image changed" \
		test "$sum_before" = "$sum_after"
}

umrun_case

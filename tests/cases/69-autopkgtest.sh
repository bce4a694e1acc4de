# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debian's autopkgtest with tools/autopkgtest-virt-um as its testbed, run
# as the guest user: a source package of our own (tests/autopkgtest/
# um-smoke) whose tests check the server (output, input and exit status
# through the agent, stderr kept apart, failures reported as failures,
# artifacts copied up, a revert giving a fresh overlay, a reboot), then a
# real Debian package, hello, with the same verdicts as on the host when
# its source can be fetched.  Sourced by tests/run.

# shellcheck source=tests/lib/debian.sh
. "$LIB/debian.sh"
# shellcheck source=tests/lib/apt-source.sh
. "$LIB/apt-source.sh"

AVUM=$TOP/tools/autopkgtest-virt-um

# avum_run NAME TREE [AUTOPKGTEST-ARGS...]: autopkgtest on TREE (a built
# tree) in our guest as the guest user; the summary in $TEST_DIR/NAME.sum,
# the output directory $TEST_DIR/NAME.d, the log $TEST_DIR/NAME.log.
avum_run() {
	local name=$1 tree=$2
	shift 2
	mkdir -p "$TEST_DIR/$name.tmp" && chmod a+rwx "$TEST_DIR/$name.tmp"
	rm -rf "$TEST_DIR/$name.d"
	: >"$TEST_DIR/$name.sum" && chmod a+rw "$TEST_DIR/$name.sum"
	: >"$TEST_DIR/$name.log" && chmod a+rw "$TEST_DIR/$name.log"
	chmod a+rwx "$TEST_DIR"
	cp -a "$tree" "$TEST_DIR/$name.src" && chmod -R a+rwX "$TEST_DIR/$name.src"
	"${AS_GUEST[@]}" env HOME="$TEST_DIR/$name.tmp" TMPDIR="$TEST_DIR/$name.tmp" \
		autopkgtest -B "$@" --summary-file "$TEST_DIR/$name.sum" \
		-o "$TEST_DIR/$name.d" "$TEST_DIR/$name.src//" -- \
		"$AVUM" --linux "$LINUX" --mem 512M \
		--image "$DEBIAN_AUTOPKGTEST_IMG" >"$TEST_DIR/$name.log" 2>&1
}

# verdict_of NAME TEST: the verdict of TEST in NAME's summary.
verdict_of() {
	awk -v t="$2" '$1 == t { print $2 }' "$TEST_DIR/$1.sum"
}

avum_smoke() {
	local t want got bad=()
	avum_run smoke "$TOP/tests/autopkgtest/um-smoke"
	CHECK_LOGS=("$TEST_DIR/smoke.log")
	for t in pass-io fail-status fail-stderr pass-artifacts pass-breaks \
		pass-reverted pass-reboot; do
		want=PASS
		[ "${t%%-*}" = pass ] || want=FAIL
		got=$(verdict_of smoke "$t")
		[ "$got" = "$want" ] || bad+=("$t: ${got:-no verdict}, not $want")
	done
	verdict autopkgtest-verdicts "${bad[@]}"
	check autopkgtest-artifacts "no um-smoke.txt copied up" \
		grep -qx 'made in the guest' "$TEST_DIR/smoke.d/artifacts/um-smoke.txt"
	check autopkgtest-our-kernel "pass-io did not print our kernel's release" \
		grep -q '^6\.12\.' "$TEST_DIR/smoke.d/pass-io-stdout"
	check autopkgtest-rebooted "no 'rebooted' from pass-reboot" \
		grep -qx rebooted "$TEST_DIR/smoke.d/pass-reboot-stdout"
	check autopkgtest-cleaned-up "processes left: $(pgrep -u "$GUEST_UID" -f "$LINUX" | paste -sd ' ')" \
		sh -c "! pgrep -u '$GUEST_UID' -f -- '$LINUX ' >/dev/null"
	check autopkgtest-no-run-dir "left behind: $(ls "$TEST_DIR/smoke.tmp")" \
		sh -c "! ls -d '$TEST_DIR/smoke.tmp'/avum.* >/dev/null 2>&1"
}

# A failure of the server's own: an image that is not there.
avum_bad_image() {
	local rc
	"${AS_GUEST[@]}" "$AVUM" --image "$TEST_DIR/no-such.img" </dev/null \
		>"$TEST_DIR/bad.log" 2>&1
	rc=$?
	CHECK_LOGS=("$TEST_DIR/bad.log")
	check autopkgtest-bad-image "status $rc" \
		sh -c "[ $rc != 0 ] && grep -q 'cannot read the image' '$TEST_DIR/bad.log'"
}

# hello from Debian's archive: the same verdicts in our guest as on the
# host (autopkgtest's null runner, as root: it installs nothing, hello
# being installed).
avum_hello() {
	local tree t host guest bad=()
	if ! tree=$(apt_source_tree hello); then
		skip autopkgtest-hello "hello's source cannot be fetched here"
		return
	fi
	if ! dpkg -s hello >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
		skip autopkgtest-hello "hello is not installed on the host (or not root) for the null runner"
		return
	fi
	avum_run hello "$tree"
	autopkgtest -B --summary-file "$TEST_DIR/hello-host.sum" "$tree//" -- null \
		>"$TEST_DIR/hello-host.log" 2>&1
	CHECK_LOGS=("$TEST_DIR/hello.log" "$TEST_DIR/hello-host.log")
	while read -r t host _; do
		guest=$(verdict_of hello "$t")
		[ "$guest" = "$host" ] || bad+=("$t: ${guest:-none} in the guest, $host on the host")
	done <"$TEST_DIR/hello-host.sum"
	[ -s "$TEST_DIR/hello-host.sum" ] || bad+=("no host summary")
	verdict autopkgtest-hello "${bad[@]}"
}

if ! command -v autopkgtest >/dev/null; then
	fail autopkgtest "autopkgtest is not installed (tools/install-deps)"
elif ! debian_autopkgtest_image; then
	fail autopkgtest-image "$DEBIAN_WHY"
else
	avum_bad_image
	avum_smoke
	avum_hello
fi

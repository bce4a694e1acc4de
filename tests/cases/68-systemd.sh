# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debian as it ships, with systemd as init (tools/mkrootimg --systemd),
# booted as the guest user on a copy-on-write overlay of the image by
# tools/umrun: it reaches multi-user.target with no failed unit, and goes
# down in order both from inside (the console session's power-off) and
# from SIGTERM to ./linux.  Sourced by tests/run.

# shellcheck source=tests/lib/debian.sh
. "$LIB/debian.sh"

# shellcheck disable=SC2016  # the guest's shell expands it
systemd_boot() {
	local out=$TEST_DIR/systemd.out run=$TEST_DIR/systemd-run rc failed
	mkdir -p "$run" && chmod a+rwx "$run"
	: >"$out" && chmod a+rw "$out"
	"${AS_GUEST[@]}" "$TOP/tools/umrun" --linux "$LINUX" \
		--base "$DEBIAN_SYSTEMD_IMG" --run-dir "$run" --mem 512M \
		--timeout 600 --logs "$run" --name boot -- \
		'echo "state: $(systemctl is-system-running --wait)";
		 echo "failed: $(systemctl --failed --no-legend --plain | wc -l)";
		 systemctl --failed --no-legend --plain;
		 systemd-analyze time' >"$out" 2>&1
	rc=$?
	CHECK_LOGS=("$out" "$run/boot.log")
	check systemd-multi-user "status $rc; $(grep -m1 '^state:' "$out")" \
		grep -qx 'state: running' "$out"
	failed=$(sed -n 's/^failed: //p' "$out")
	check systemd-no-failed-units "failed units: ${failed:-?} $(grep -A5 '^failed:' "$out" | tail -n +2 | paste -sd ' ')" \
		test "$failed" = 0
	check systemd-powers-off "umrun status $rc, no power-off in the log" \
		grep -q 'systemd-shutdown\[1\]: Powering off' "$run/boot.log"
	grep -h 'Startup finished' "$out" | sed 's/^/  /'
}

# SIGTERM to ./linux once systemd is up: systemd's own shutdown, status 0,
# and the file system clean afterwards.
systemd_sigterm() {
	local img=$TEST_DIR/systemd-term.img log=$TEST_DIR/systemd-term.log
	cp --sparse=always "$DEBIAN_SYSTEMD_IMG" "$img" && chmod a+rw "$img"
	guest_start "$log" mem=512M "ubd0=$img"
	guest_wait_log 'Reached target.*Multi-User System' 300 ||
		{ fail systemd-sigterm "never reached multi-user.target" "$log"; guest_stop KILL; return; }
	guest_stop TERM 120
	CHECK_LOGS=("$log")
	check systemd-sigterm-status "exit status ${GUEST_STATUS:-none}" \
		test "${GUEST_STATUS:-}" = 0
	check systemd-sigterm-orderly "no systemd shutdown in the log" \
		grep -q 'systemd-shutdown\[1\]: Powering off' "$log"
	CHECK_LOGS=("$img.fsck")
	check systemd-sigterm-fs-clean "e2fsck -fn found problems" \
		sh -c "e2fsck -fn '$img' >'$img.fsck' 2>&1"
}

# `umctl NAME halt` once systemd is up: the kernel asks user space to
# power off (systemd's own shutdown), status 0, the file system clean.
systemd_halt() {
	local img=$TEST_DIR/systemd-halt.img log=$TEST_DIR/systemd-halt.log
	local dir=$TEST_DIR/halt-uml out=$TEST_DIR/systemd-halt.umctl rc
	cp --sparse=always "$DEBIAN_SYSTEMD_IMG" "$img" && chmod a+rw "$img"
	mkdir -p "$dir" && chmod a+rwx "$dir"
	guest_start "$log" mem=512M "ubd0=$img" "uml_dir=$dir" umid=sd-halt
	guest_wait_log 'Reached target.*Multi-User System' 300 ||
		{ fail systemd-halt "never reached multi-user.target" "$log"; guest_stop KILL; return; }
	"${AS_GUEST[@]}" "$TOP/tools/umctl" --uml-dir "$dir" sd-halt halt >"$out" 2>&1
	rc=$?
	CHECK_LOGS=("$out" "$log")
	check systemd-halt-answered "umctl halt status $rc" test "$rc" = 0
	guest_wait_exit 120 || { guest_stop KILL; }
	check systemd-halt-status "exit status ${GUEST_STATUS:-none}" \
		test "${GUEST_STATUS:-}" = 0
	check systemd-halt-orderly "no systemd shutdown in the log" \
		grep -q 'systemd-shutdown\[1\]: Powering off' "$log"
	CHECK_LOGS=("$img.fsck")
	check systemd-halt-fs-clean "e2fsck -fn found problems" \
		sh -c "e2fsck -fn '$img' >'$img.fsck' 2>&1"
	rm -f "$img"
}

if debian_systemd_image; then
	systemd_boot
	systemd_sigterm
	systemd_halt
else
	fail systemd-image "$DEBIAN_WHY"
fi

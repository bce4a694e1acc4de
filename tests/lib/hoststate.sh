# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What a guest must leave behind however it ends: no processes, no
# temporary files.  Sourced by tests/run after report.sh and guest.sh.

# Where a guest could leave temporary files.
TMP_PLACES=(/tmp /dev/shm)

# tmp_listing: the guest user's entries in TMP_PLACES, one level deep and
# one below that (a file dropped into an existing shared folder), minus
# this run's own directory.  Only the guest user's files count, so other
# users' activity on the host cannot fail a check.
tmp_listing() {
	find "${TMP_PLACES[@]}" -xdev -mindepth 1 -maxdepth 2 \
		-uid "$GUEST_UID" ! -path "$TEST_DIR" ! -path "$TEST_DIR/*" \
		-print 2>/dev/null | LC_ALL=C sort
}

# tmp_new_since BEFORE-FILE: entries listed now that were not before.
tmp_new_since() {
	tmp_listing | LC_ALL=C comm -13 "$1" -
}

# survivors_of PROCS-FILE SID: a guest's processes still alive.  Waits up
# to 10 s for them to go, since a helper may take a moment to notice its
# parent is gone; prints what is left.
survivors_of() {
	local procs=$1 sid=$2 left i
	for ((i = 0; i < 50; i++)); do
		left=$(python3 "$LIB/proctree.py" survivors "$procs" "$sid")
		[ -z "$left" ] && return 0
		sleep 0.2
	done
	printf '%s\n' "$left"
}

# check_clean_exit PREFIX HOW RECORD-FILE SID TMP-BEFORE LOG...: the checks
# PREFIXno-stray-processes-after-HOW and PREFIXno-temp-files-after-HOW for
# an ended guest.  Stray processes are killed afterwards so they cannot
# disturb later checks; stray files are left for whoever investigates.
check_clean_exit() {
	local prefix=$1 how=$2 procs=$3 sid=$4 before=$5
	shift 5
	local left
	left=$(survivors_of "$procs" "$sid")
	if [ -z "$left" ]; then
		pass "${prefix}no-stray-processes-after-$how"
	else
		fail "${prefix}no-stray-processes-after-$how" \
			"still running: $(printf "%s\n" "$left" | paste -sd ';')" "$@"
		python3 "$LIB/proctree.py" kill "$procs" "$sid"
	fi
	check_no_temp_files "${prefix}no-temp-files-after-$how" "$procs" \
		"$before" "$@"
}

# check_no_temp_files NAME RECORD-FILE TMP-BEFORE LOG...: an ended guest
# left no new entry in TMP_PLACES.  Other programs of the guest user may
# have made some meanwhile (a benchmark run as nobody, say), so entries are
# judged by tests/lib/leftovers.py: one the guest was seen holding fails
# the check, one in use by a live process is not the guest's, and one with
# no evidence either way fails unless processes of the guest user other
# than the guest's ran meanwhile; then it is only noted.
check_no_temp_files() {
	local name=$1 record=$2 before=$3
	shift 3
	local new judged ours=() unsure=() foreign=() kind what
	new=$(tmp_new_since "$before")
	if [ -z "$new" ]; then
		pass "$name"
		return
	fi
	# Let short-lived files of other programs go first.
	sleep 1
	mapfile -t new < <(printf '%s\n' "$new")
	judged=$(python3 "$LIB/leftovers.py" "$record" "${new[@]}")
	while read -r kind what; do
		case $kind in
		ours) ours+=("$what") ;;
		unsure) unsure+=("$what") ;;
		foreign) foreign+=("$what") ;;
		esac
	done < <(printf '%s\n' "$judged")
	if [ ${#foreign[@]} -eq 0 ]; then
		ours+=("${unsure[@]}")
		unsure=()
	fi
	if [ ${#ours[@]} -gt 0 ]; then
		fail "$name" "left: ${ours[*]}" "$@"
		return
	fi
	pass "$name"
	[ ${#unsure[@]} -eq 0 ] || echo "    note: new, maybe not the guest's:" \
		"${unsure[*]}; uid $GUEST_UID also ran: $(printf '%s; ' "${foreign[@]}")"
}

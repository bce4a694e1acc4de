# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Guest memory against the host's limits.  A guest process's pages need
# host mappings in its address-space process, and the host allows a
# process only vm.max_map_count of them (65530): the port keeps each
# address space under UM_HOST_MAPS_MAX (arch-um/kernel/mmu.c) whatever the
# guest does, and survives the host refusing a mapping.  Sourced by
# tests/run.

# shellcheck source=../lib/guestrun.sh
. "$LIB/guestrun.sh"
# shellcheck source=../lib/debian.sh
. "$LIB/debian.sh"

# The bound of arch-um/kernel/mmu.c, plus the stub's two mappings, the
# host's [vsyscall] page and the host's vDSO the guest's vDSO calls (its
# [vvar], [vvar_vclock] and [vdso]).
HOST_MAPS_BOUND=$((32768 + 6))

# memory_image OUT PROGRAM...: an initramfs with the guest test programs
# in /tests that runs each PROGRAM (a name and its arguments) in turn,
# framed the way parse_guest_results reads (as run-in-guest.sh does).
memory_image() {
	local out=$1 prog cmd='echo "# guest-tests: start"'
	shift
	for prog in "$@"; do
		cmd+="; echo \"# guest-tests: running ${prog%% *}\"; /tests/$prog"
		cmd+="; echo \"# guest-tests: ${prog%% *} exited with status \$?\""
	done
	cmd+='; echo "# guest-tests: done"'
	make -C "$TOP/tests/guest" O="$out.bin" >"$out.log" 2>&1 &&
		"$TOP/tools/mkinitramfs" -o "$out" --add "$out.bin:/tests" \
			--cmd "$cmd" >>"$out.log" 2>&1 &&
		chmod a+r "$out"
}

# memory_run NAME TIMEOUT IMG ARG...: boot initrd IMG with ARG..., sampling the
# host mappings of its address-space processes (tests/lib/mapcount.py)
# until it ends; then the guest programs' results, a clean kernel log and
# power-off.  Sets MAPCOUNT to the sampler's line.
memory_run() {
	local name=$1 timeout=$2 img=$3 log=$TEST_DIR/$1.log sampler
	shift 3
	CHECK_LOGS=("$log" "$log.err")
	if [ "$img" = - ]; then
		guest_start "$log" "$@"
	else
		guest_start "$log" "initrd=$img" "$@"
	fi
	python3 "$LIB/mapcount.py" "$GUEST_PID" 0.2 >"$log.maps" &
	sampler=$!
	if ! guest_wait_exit "$timeout"; then
		guest_stop KILL
		fail "$name" "still running after ${timeout}s, killed" "${CHECK_LOGS[@]}"
	fi
	wait "$sampler"
	MAPCOUNT=$(cat "$log.maps")
	[ "$img" = - ] || parse_guest_results "$log"
	check "$name-powers-off" "exit status $GUEST_STATUS" \
		test "$GUEST_STATUS" -eq 0
}

# The host mappings stay bounded: 2 GiB touched page by page in random
# order, every other page of 1 GiB mprotect()ed, 50,000 small mappings,
# forks of all that.
hostmaps_bound() {
	local img=$TEST_DIR/hostmaps.img most
	if ! memory_image "$img" "t-hostmaps 2048"; then
		fail hostmaps-image "could not build it" "$img.log"
		return
	fi
	memory_run hostmaps 1800 "$img" mem=3G
	check_kernel_log hostmaps-kernel-log "$TEST_DIR/hostmaps.log"
	echo "host mappings sampled: $MAPCOUNT (bound $HOST_MAPS_BOUND)"
	most=${MAPCOUNT#max=}
	most=${most%% *}
	if [ -z "$most" ] || [ "$most" -le 0 ]; then
		fail hostmaps-sampled "no address-space process was sampled ($MAPCOUNT)"
	elif [ "$most" -gt "$HOST_MAPS_BOUND" ]; then
		fail hostmaps-bounded "$most host mappings in one process, bound $HOST_MAPS_BOUND"
	else
		pass hostmaps-bounded
	fi
	# The random touch needs a mapping per page, 524288 without the
	# bound; each counts as two towards it, so the count climbs to about
	# half of it before the flush.  Less means the test did not press it.
	if [ -n "$most" ] && [ "$most" -gt 12000 ]; then
		pass hostmaps-bound-was-reached
	else
		fail hostmaps-bound-was-reached "at most $most mappings: the test did not press the bound"
	fi
}

# The host refuses every 500th mapping (fail_host_map=500): the guest
# programs must not notice beyond a slower run, the kernel must say so and
# stay whole.
hostmaps_refused() {
	local img=$TEST_DIR/refused.img log=$TEST_DIR/refused.log
	if ! memory_image "$img" "t-hostmaps 64" t-clonefail t-mm; then
		fail refused-image "could not build it" "$img.log"
		return
	fi
	memory_run refused 900 "$img" "mem=$BOOT_MEM" fail_host_map=500
	if grep -aq 'the host refused a mapping change' "$log"; then
		pass refused-reported
	else
		fail refused-reported "no report of a refused mapping" "$log"
	fi
	check_kernel_log refused-kernel-log "$log"
}

# mapcount_within NAME: MAPCOUNT's most stays under the bound.
mapcount_within() {
	local most=${MAPCOUNT#max=}
	most=${most%% *}
	echo "host mappings sampled: $MAPCOUNT (bound $HOST_MAPS_BOUND)"
	if [ -z "$most" ] || [ "$most" -le 0 ]; then
		fail "$1" "no address-space process was sampled ($MAPCOUNT)"
	elif [ "$most" -gt "$HOST_MAPS_BOUND" ]; then
		fail "$1" "$most host mappings in one process, bound $HOST_MAPS_BOUND"
	else
		pass "$1"
	fi
}

# A Debian guest running stress-ng's memory stressors with verification:
# first the ones that once brought this port down (vm, mmap, fork, clone,
# pthread) for a minute, then every stressor of the memory class in turn
# (but numa: this machine has one node, and stress-ng calls that a
# resource failure).
# All finish, stress-ng reports no failure, the kernel reports no trouble,
# and the host mappings stay under the bound meanwhile.
stress_ng_memory() {
	local img=$TEST_DIR/stress.img log=$TEST_DIR/stress.log line status
	if ! debian_image; then
		skip stress-ng-memory "$DEBIAN_WHY"
		return
	fi
	if ! debian_copy "$img" '
stress-ng --vm 1 --mmap 1 --fork 1 --clone 1 --pthread 1 -t 60 --verify --metrics-brief
echo "stress-ng-first $?"
stress-ng --class memory --seq 1 -t 3 --verify --metrics-brief --exclude numa
echo "stress-ng-class $?"'; then
		fail stress-ng-image "could not copy the Debian image" "$img.debugfs"
		return
	fi
	memory_run stress 1800 - "ubd0=$img" mem=2G
	for line in first class; do
		status=$(tr -d '\r' <"$log" | sed -n "s/^stress-ng-$line \([0-9]*\)$/\1/p")
		check "stress-ng-$line-passes" "stress-ng exited ${status:-never}" \
			test "${status:-x}" = 0
	done
	check_kernel_log stress-ng-kernel-log "$log"
	mapcount_within stress-ng-hostmaps-bounded
	rm -f "$img"
}

# Page tables are given back when processes end: the kernel's count of
# them (PageTables in /proc/meminfo) does not grow with 300 processes
# started and ended.  A page table freed without its destructor keeps
# its "table" type in the word that is the next user's mapcount.
memory_page_tables() {
	local img=$TEST_DIR/pgtables.img log=$TEST_DIR/pgtables.log before after
	# shellcheck disable=SC2016  # the guest's shell expands it
	if ! "$TOP/tools/mkinitramfs" -o "$img" --cmd 'pt() { grep PageTables: /proc/meminfo; }
		pt; i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done; pt' \
		>"$img.log" 2>&1 || ! chmod a+r "$img"; then
		fail page-tables-image "tools/mkinitramfs failed" "$img.log"
		return
	fi
	guest_run "$BOOT_TIMEOUT" "$log" "initrd=$img" "mem=$BOOT_MEM" ||
		{ fail page-tables-freed "still running, killed" "$log"; return; }
	before=$(tr -d '\r' <"$log" | awk '/^PageTables:/ { print $2; exit }')
	after=$(tr -d '\r' <"$log" | awk '/^PageTables:/ { n = $2 } END { print n }')
	CHECK_LOGS=("$log" "$log.err")
	check page-tables-freed "PageTables ${before:-?} kB before 300 processes, ${after:-?} kB after" \
		test "${after:-999999}" -le $((${before:-0} + 256))
}

hostmaps_bound
hostmaps_refused
stress_ng_memory
memory_page_tables

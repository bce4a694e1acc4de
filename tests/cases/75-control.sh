# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Managing running guests from the host (Documentation/control.rst): the
# run directory of each guest (umid=, uml_dir=), its control socket
# spoken to by our tools/umctl and by Debian's unchanged uml_mconsole,
# requests that must be refused, many clients at once, other users, and
# the run directory gone after every kind of ending.  Clients run as the
# guest's user, as its owner would run them.  Sourced by tests/run.

CTL=$TEST_DIR/control
CTL_UML=$CTL/uml		# uml_dir= of most guests
CTL_HOME=$CTL/home		# HOME of the guests that use ~/.uml
CTL_IMG_BASE=$CTL/base.img
UMCTL=$TOP/tools/umctl

ctl_setup() {
	mkdir -p "$CTL_UML" "$CTL_HOME"
	[ "$(id -u)" -eq 0 ] && chown "$GUEST_UID" "$CTL_UML" "$CTL_HOME"
	chmod 755 "$CTL"
}

# ctl_umctl ARG...: tools/umctl as the guest's owner, on CTL_UML.
ctl_umctl() {
	"${AS_GUEST[@]}" "$UMCTL" --uml-dir "$CTL_UML" "$@"
}

# ctl_mc ARG...: Debian's uml_mconsole as the guest's owner, whose ~/.uml
# is CTL_HOME's.  (It tells of the places it looked in on stderr.)
ctl_mc() {
	"${AS_GUEST[@]}" env HOME="$CTL_HOME" uml_mconsole "$@"
}

# ctl_start NAME ARG...: start a guest with HOME=CTL_HOME.
ctl_start() {
	local log=$CTL/$1.log saved=("${GUEST_CMD[@]}")
	shift
	CHECK_LOGS=("$log" "$log.err")
	GUEST_CMD=(env --default-signal HOME="$CTL_HOME" "${AS_GUEST[@]}" "$LINUX")
	guest_start "$log" "$@"
	GUEST_CMD=("${saved[@]}")
}

# ctl_wait_ready: the guest started last says its control socket is up.
ctl_wait_ready() {
	guest_wait_log 'control: guest [^ ]+, control socket' "$BOOT_TIMEOUT"
}

# ctl_image: the busybox image; its command says so and idles.
ctl_image() {
	[ -f "$CTL_IMG_BASE" ] && return 0
	"$TOP/tools/mkrootimg" -o "$CTL_IMG_BASE" -s 64M \
		--cmd 'echo "control-image-up"; while :; do sleep 1; done' \
		>"$CTL_IMG_BASE.log" 2>&1
}

# --- identity and run directory ----------------------------------------

ctl_identity() {
	local dir=$CTL_UML/ctl-a why=() mode pid
	ctl_start ctl-a "${IDLE_ARGS[@]}" umid=ctl-a uml_dir="$CTL_UML"
	if ! ctl_wait_ready; then
		guest_stop KILL
		fail control-run-dir "the guest never said its control socket is up" "${CHECK_LOGS[@]}"
		return 1
	fi
	guest_wait_log "$IDLE_RE" >/dev/null
	[ -d "$dir" ] || why+=("no $dir")
	mode=$(stat -c %a "$dir" 2>/dev/null)
	[ "$mode" = 700 ] || why+=("$dir has mode $mode, want 700")
	pid=$(cat "$dir/pid" 2>/dev/null)
	[ "$pid" = "$GUEST_PID" ] || why+=("pid file says \"$pid\", the guest is $GUEST_PID")
	[ -S "$dir/mconsole" ] || why+=("no socket $dir/mconsole")
	grep -aq "control: guest ctl-a, control socket $dir/mconsole" "$GUEST_LOG" ||
		why+=("the boot log does not name the guest and its socket")
	verdict control-run-dir "${why[@]}"
}

# A second guest of a running guest's name is refused; the first is untouched.
ctl_same_name() {
	local log=$CTL/ctl-a-twice.log status why=()
	"${GUEST_CMD[@]}" "${IDLE_ARGS[@]}" umid=ctl-a uml_dir="$CTL_UML" \
		</dev/null >"$log" 2>"$log.err" &
	local pid=$!
	if ! wait_pid_exit "$pid" "$EXIT_TIMEOUT"; then
		kill -s KILL "$pid" 2>/dev/null
		fail control-same-name-refused "the second guest booted" "$log" "$log.err"
		return
	fi
	wait "$pid"
	status=$?
	[ "$status" -eq 2 ] || why+=("exit status $status, want 2")
	grep -aq 'umid=ctl-a: a guest of that name is running' "$log.err" ||
		why+=("no clear message on stderr")
	[ "$(cat "$CTL_UML/ctl-a/pid" 2>/dev/null)" = "$GUEST_PID" ] ||
		why+=("the running guest's pid file changed")
	[ -S "$CTL_UML/ctl-a/mconsole" ] || why+=("the running guest's socket is gone")
	local saved=("${CHECK_LOGS[@]}")
	CHECK_LOGS=("$log" "$log.err")
	verdict control-same-name-refused "${why[@]}"
	CHECK_LOGS=("${saved[@]}")
}

# wait_pid_exit PID TIMEOUT: true once PID (a child) has ended.
wait_pid_exit() {
	local pid=$1 end=$((SECONDS + $2)) stat
	while ((SECONDS < end)); do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
		stat=${stat##*) }
		[ "${stat%% *}" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

# --- the commands, through both clients --------------------------------

ctl_commands() {
	local out why=() sock=$CTL_UML/ctl-a/mconsole

	out=$(ctl_umctl ctl-a version 2>&1)
	[[ $out == Linux\ *x86_64* ]] || why+=("umctl version: \"$out\"")
	out=$(ctl_mc "$sock" version 2>/dev/null)
	[[ $out == "OK Linux "*x86_64* ]] || why+=("uml_mconsole version: \"$out\"")
	verdict control-version "${why[@]}"

	why=()
	out=$(ctl_umctl ctl-a help 2>&1)
	grep -q 'sysrq KEY' <<<"$out" || why+=("umctl help lacks sysrq")
	out=$(ctl_mc "$sock" help 2>/dev/null)
	grep -q '^OK .*' <<<"$out" && grep -q 'proc FILE' <<<"$out" ||
		why+=("uml_mconsole help: \"$(head -n 2 <<<"$out")\"")
	verdict control-help "${why[@]}"

	why=()
	ctl_umctl ctl-a log "umctl-log-mark-$$" >/dev/null 2>&1 || why+=("umctl log failed")
	ctl_mc "$sock" log "mconsole-log-mark-$$" >/dev/null 2>&1 || why+=("uml_mconsole log failed")
	sleep 0.5
	grep -aq "umctl-log-mark-$$" "$GUEST_LOG" || why+=("umctl's text not in the kernel log")
	grep -aq "mconsole-log-mark-$$" "$GUEST_LOG" || why+=("uml_mconsole's text not in the kernel log")
	verdict control-log "${why[@]}"

	why=()
	out=$(ctl_umctl ctl-a proc meminfo 2>&1)
	grep -q '^MemTotal:' <<<"$out" || why+=("umctl proc meminfo: no MemTotal")
	out=$(ctl_mc "$sock" proc meminfo 2>/dev/null)
	grep -q '^OK MemTotal:' <<<"$out" || why+=("uml_mconsole proc meminfo: \"$(head -n 1 <<<"$out")\"")
	# Many packets: every line must come, in order.
	# Many packets: all of it must come, through both clients (the
	# counters change, the names in the first column do not).
	out=$(ctl_umctl ctl-a proc vmstat 2>&1)
	[ "${#out}" -gt 1600 ] || why+=("umctl proc vmstat: only ${#out} bytes")
	[ "$(awk '{print $1}' <<<"$out")" = \
	  "$(ctl_mc "$sock" proc vmstat 2>/dev/null | sed '1s/^OK //' | awk '{print $1}')" ] ||
		why+=("uml_mconsole proc vmstat differs from umctl's")
	out=$(ctl_umctl ctl-a proc no-such-file 2>&1)
	[ $? -eq 1 ] && grep -q 'no such file' <<<"$out" || why+=("proc of a missing file: \"$out\"")
	verdict control-proc "${why[@]}"

	why=()
	out=$(ctl_umctl ctl-a config 2>&1)
	grep -qx 'mem' <<<"$out" || why+=("umctl config lists \"$out\"")
	out=$(ctl_mc "$sock" config mem 2>/dev/null)
	[[ $out =~ ^OK\ [0-9]+K$ ]] || why+=("uml_mconsole config mem: \"$out\"")
	out=$(ctl_umctl ctl-a config mem=+64M 2>&1)
	[ $? -eq 1 ] && [[ $out == *"mem_max= is"* ]] ||
		why+=("config mem=+64M beyond mem_max did not fail: \"$out\"")
	verdict control-config "${why[@]}"

	why=()
	out=$(ctl_umctl ctl-a sysrq m 2>&1)
	if grep -q 'not built' <<<"$out"; then
		skip control-sysrq "sysrq is not built into this kernel"
	else
		ctl_mc "$sock" sysrq w >/dev/null 2>&1 || why+=("uml_mconsole sysrq w failed")
		sleep 0.5
		grep -aq 'Show Memory' "$GUEST_LOG" || why+=("no sysrq m output")
		grep -aq 'Show Blocked State' "$GUEST_LOG" || why+=("no sysrq w output")
		verdict control-sysrq "${why[@]}"
	fi

	why=()
	out=$(ctl_umctl ctl-a stop 2>&1) || why+=("umctl stop failed: $out")
	out=$(ctl_umctl ctl-a proc uptime 2>&1)
	[ $? -eq 1 ] && grep -q 'stopped' <<<"$out" ||
		why+=("while stopped, proc gave \"$out\"")
	out=$(ctl_mc "$sock" version 2>/dev/null)
	[[ $out == "OK Linux "* ]] || why+=("while stopped, version gave \"$out\"")
	out=$(ctl_mc "$sock" go 2>/dev/null)
	[[ $out == OK* ]] || why+=("uml_mconsole go: \"$out\"")
	out=$(ctl_umctl ctl-a proc uptime 2>&1) || why+=("after go, proc uptime: \"$out\"")
	out=$(ctl_umctl ctl-a go 2>&1)
	[ $? -eq 1 ] || why+=("go when not stopped did not fail")
	grep -aq 'control: guest resumed' "$GUEST_LOG" || why+=("no \"guest resumed\" in the log")
	verdict control-stop-go "${why[@]}"
}

# --- requests that must be refused -------------------------------------

# ctl_raw SOCKET KIND: send one raw datagram (tests/lib/mconsole_raw.py),
# with the system's python, which the guest's user can run.
ctl_raw() {
	"${AS_GUEST[@]}" /usr/bin/python3 "$LIB/mconsole_raw.py" "$@"
}

ctl_bad_requests() {
	local sock=$CTL_UML/ctl-a/mconsole kind out why=()
	for kind in bad-magic version-1 too-long short len-past-end empty \
		unknown; do
		out=$(ctl_raw "$sock" "$kind" 2>&1)
		[[ $out == ERR\ * ]] || why+=("$kind: \"$out\"")
	done
	out=$(ctl_umctl ctl-a version 2>&1) || why+=("the guest stopped answering: $out")
	guest_running || why+=("the guest ended")
	verdict control-bad-requests-refused "${why[@]}"
}

# 100 clients at once, each must get its answer.
ctl_many_clients() {
	local i ok=0 dir=$CTL/many why=()
	mkdir -p "$dir"
	for ((i = 0; i < 100; i++)); do
		if ((i % 10 == 0)); then
			(ctl_mc "$CTL_UML/ctl-a/mconsole" version >"$dir/$i" 2>/dev/null) &
		else
			(ctl_umctl ctl-a version >"$dir/$i" 2>&1) &
		fi
	done
	wait_children_of_many
	for ((i = 0; i < 100; i++)); do
		grep -q 'Linux' "$dir/$i" && ok=$((ok + 1))
	done
	[ "$ok" -eq 100 ] || why+=("only $ok of 100 clients got the version")
	verdict control-100-clients "${why[@]}"
}

# The background clients of ctl_many_clients, not the guest.
wait_children_of_many() {
	local p
	for p in $(jobs -pr); do
		[ "$p" = "$GUEST_PID" ] && continue
		wait "$p" 2>/dev/null
	done
}

# Another user cannot reach the socket; root reaches it but is refused.
ctl_other_user() {
	local out status why=()
	if [ "$(id -u)" -ne 0 ]; then
		skip control-other-user-refused "needs root to be another user"
		return
	fi
	out=$("$UMCTL" --uml-dir "$CTL_UML" ctl-a version 2>&1)
	status=$?
	[ $status -eq 1 ] && grep -q 'permission denied' <<<"$out" ||
		why+=("root: status $status, \"$out\"")
	out=$(setpriv --reuid=65533 --regid=65533 --clear-groups -- \
		"$UMCTL" --uml-dir "$CTL_UML" ctl-a version 2>&1)
	status=$?
	[ $status -eq 3 ] || why+=("uid 65533: status $status, \"$out\"")
	out=$(setpriv --reuid=65533 --regid=65533 --clear-groups -- \
		env HOME="$CTL_HOME" uml_mconsole "$CTL_UML/ctl-a/mconsole" proc meminfo 2>&1)
	grep -q 'MemTotal' <<<"$out" && why+=("uid 65533 read /proc/meminfo with uml_mconsole")
	verdict control-other-user-refused "${why[@]}"
}

ctl_list_status() {
	local out why=()
	out=$(ctl_umctl list 2>&1)
	grep -qE "^ctl-a +$GUEST_PID " <<<"$out" || why+=("list: \"$out\"")
	out=$(ctl_umctl ctl-a status --json 2>&1)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(not (d["running"] and d["pid"]==int(sys.argv[2]) and d["memory_kib"]>0))' \
		"$out" "$GUEST_PID" 2>/dev/null || why+=("status --json: \"$out\"")
	out=$(ctl_umctl ctl-a status 2>&1) || why+=("status failed: $out")
	out=$(ctl_umctl no-such-guest status 2>&1)
	[ $? -eq 3 ] || why+=("status of a missing guest did not exit 3")
	verdict control-list-and-status "${why[@]}"
}

# halt through uml_mconsole, with umctl wait watching: power-off, exit 0.
ctl_halt_a() {
	local waiter out why=()
	ctl_umctl ctl-a wait >"$CTL/wait.out" 2>&1 &
	waiter=$!
	# Let it take its look at the guest before the guest goes.
	sleep 1
	out=$(ctl_mc "$CTL_UML/ctl-a/mconsole" halt 2>/dev/null)
	[[ $out == OK* ]] || why+=("uml_mconsole halt: \"$out\"")
	if ! guest_wait_exit "$STOP_TIMEOUT"; then
		guest_stop KILL
		why+=("still running after halt")
	fi
	[ "$GUEST_STATUS" = 0 ] || why+=("exit status $GUEST_STATUS")
	grep -aq 'reboot: Power down' "$GUEST_LOG" || why+=("no power-down")
	if wait_pid_exit "$waiter" 20; then
		wait "$waiter" || why+=("umctl wait exited $?")
	else
		kill "$waiter"
		why+=("umctl wait still waiting")
	fi
	[ -e "$CTL_UML/ctl-a" ] && why+=("the run directory is still there")
	verdict control-halt-ends-guest "${why[@]}"
	check_kernel_log control-kernel-log "$GUEST_LOG"
}

# cad and reboot restart the guest under the same name; halt ends it.
ctl_reboots() {
	local img=$CTL/ctl-b.img n why=() out
	if ! ctl_image; then
		fail control-reboot "mkrootimg failed" "$CTL_IMG_BASE.log"
		return
	fi
	cp --sparse=always "$CTL_IMG_BASE" "$img"
	chmod 666 "$img"
	ctl_start ctl-b "ubd0=$img" "mem=$BOOT_MEM" umid=ctl-b
	if ! guest_wait_log 'control-image-up'; then
		guest_stop KILL
		fail control-reboot "the image never came up" "${CHECK_LOGS[@]}"
		return
	fi
	out=$(ctl_mc ctl-b cad 2>/dev/null)
	[[ $out == OK* ]] || why+=("uml_mconsole cad: \"$out\"")
	n=0
	while ((n < 300)) && [ "$(grep -ac 'control-image-up' "$GUEST_LOG")" -lt 2 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	[ "$(grep -ac 'control-image-up' "$GUEST_LOG")" -ge 2 ] ||
		why+=("no second boot after cad")
	out=$("${AS_GUEST[@]}" "$UMCTL" --uml-dir "$CTL_HOME/.uml" ctl-b reboot 2>&1) ||
		why+=("umctl reboot: $out")
	n=0
	while ((n < 300)) && [ "$(grep -ac 'control-image-up' "$GUEST_LOG")" -lt 3 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	[ "$(grep -ac 'control-image-up' "$GUEST_LOG")" -ge 3 ] ||
		why+=("no third boot after reboot")
	[ "$(cat "$CTL_HOME/.uml/ctl-b/pid" 2>/dev/null)" = "$GUEST_PID" ] ||
		why+=("after the reboots the run directory is not the guest's")
	verdict control-cad-and-reboot "${why[@]}"

	ctl_exec ctl-b


	why=()
	out=$("${AS_GUEST[@]}" "$UMCTL" --uml-dir "$CTL_HOME/.uml" ctl-b halt 2>&1) ||
		why+=("umctl halt: $out")
	if ! guest_wait_exit "$STOP_TIMEOUT"; then
		guest_stop KILL
		why+=("still running after halt")
	fi
	[ "$GUEST_STATUS" = 0 ] || why+=("exit status $GUEST_STATUS")
	grep -aq 'reboot: Power down' "$GUEST_LOG" || why+=("no power-down")
	[ -e "$CTL_HOME/.uml/ctl-b" ] && why+=("the run directory is still there")
	e2fsck -fn "$img" >"$img.fsck" 2>&1 || why+=("the image is not clean after halt")
	verdict control-umctl-halt "${why[@]}"
	rm -f "$img"
}

# ctl_exec NAME: commands run inside guest NAME (in CTL_HOME/.uml), their
# output and exit status, through both clients; several at once.
ctl_exec() {
	local name=$1 out status why=() i dir=$CTL/exec start
	local um=("${AS_GUEST[@]}" "$UMCTL" --uml-dir "$CTL_HOME/.uml" "$name")
	out=$("${um[@]}" exec -- uname -r 2>&1)
	status=$?
	[ $status -eq 0 ] && [[ $out == 6.12* ]] || why+=("uname -r: status $status, \"$out\"")
	out=$("${um[@]}" exec -- sh -c 'echo to-out; echo to-err >&2; exit 7' 2>&1)
	status=$?
	[ $status -eq 7 ] || why+=("exit 7 gave status $status")
	grep -qx to-out <<<"$out" && grep -qx to-err <<<"$out" ||
		why+=("output and errors: \"$out\"")
	"${um[@]}" exec -- sh -c 'kill -s KILL $$' >/dev/null 2>&1
	status=$?
	[ $status -eq 137 ] || why+=("killed by SIGKILL gave status $status, want 137")
	"${um[@]}" exec -- no-such-command >/dev/null 2>&1
	status=$?
	[ $status -eq 127 ] || why+=("a missing command gave status $status, want 127")
	# Many packets, every line, in order.
	out=$("${um[@]}" exec -- seq 1 20000 2>&1 | md5sum)
	[ "$out" = "$(seq 1 20000 | md5sum)" ] || why+=("seq 1 20000 came back changed")
	# Standard input: umctl's own, all of it, binary included.
	head -c 300000 /dev/urandom >"$CTL/exec-in"
	out=$("${um[@]}" exec -- md5sum <"$CTL/exec-in" 2>&1)
	[ "${out%% *}" = "$(md5sum <"$CTL/exec-in" | cut -d' ' -f1)" ] ||
		why+=("300000 bytes of input came through as \"$out\"")
	out=$(printf 'a\nb\nc\n' | "${um[@]}" exec -- sh -c 'wc -l; exit 5' 2>&1)
	status=$?
	[ $status -eq 5 ] && [ "$out" = 3 ] || why+=("input and exit 5: status $status, \"$out\"")
	out=$("${um[@]}" exec -- sh -c 'read x || echo end-of-input' </dev/null 2>&1)
	[ "$out" = end-of-input ] || why+=("empty input: \"$out\"")
	# A command that stops reading early: no hang, its status.
	seq 1 100000 >"$CTL/exec-seq"
	out=$(timeout 30 "${um[@]}" exec -- head -n 2 <"$CTL/exec-seq" 2>&1)
	status=$?
	[ $status -eq 0 ] && [ "$out" = "$(printf '1\n2')" ] || why+=("head -n 2: status $status, \"$out\"")
	out=$(ctl_mc "$name" exec echo via mconsole 2>/dev/null)
	[[ $out == "OK via mconsole"*"exit 0" ]] || why+=("uml_mconsole exec: \"$out\"")
	verdict control-exec "${why[@]}"

	why=()
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6 7 8; do
		("${um[@]}" exec -- sh -c "sleep 2; echo run-$i" >"$dir/$i" 2>&1) &
	done
	start=$SECONDS
	wait_children_of_many
	for i in 1 2 3 4 5 6 7 8; do
		grep -qx "run-$i" "$dir/$i" || why+=("exec $i: \"$(cat "$dir/$i")\"")
	done
	# Eight two-second commands at once take far less than sixteen.
	((SECONDS - start < 12)) ||
		why+=("8 execs took $((SECONDS - start)) s: not at once")
	verdict control-exec-parallel "${why[@]}"
}

# --- every kind of ending ----------------------------------------------

# ctl_ending HOW: start a guest, end it that way, check its run directory.
ctl_ending() {
	local how=$1 name=ctl-end-$1 why=() out waiter status want
	ctl_start "$name" "${IDLE_ARGS[@]}" umid="$name" uml_dir="$CTL_UML"
	if ! ctl_wait_ready; then
		guest_stop KILL
		fail "control-run-dir-gone-after-$how" "no control socket" "${CHECK_LOGS[@]}"
		return
	fi
	# umctl wait exits with the guest's status (none after SIGKILL: 255).
	ctl_umctl "$name" wait >"$CTL/wait-$how.out" 2>&1 &
	waiter=$!
	sleep 0.5
	case $how in
	sigterm) guest_stop TERM ;;
	panic)
		# sysrq c: the kernel panics (the waiter is in place by now).
		ctl_umctl "$name" sysrq c >/dev/null 2>&1
		guest_wait_exit "$BOOT_TIMEOUT" || guest_stop KILL
		grep -aq 'Kernel panic' "$GUEST_LOG" || why+=("no panic after sysrq c")
		;;
	sigkill)
		guest_stop KILL
		# A client of the dead guest: a clear error at once, no hang.
		out=$(timeout 20 "${AS_GUEST[@]}" "$UMCTL" --uml-dir "$CTL_UML" "$name" version 2>&1)
		[ $? -eq 3 ] && grep -q 'not running' <<<"$out" ||
			why+=("umctl against the dead guest: \"$out\"")
		;;
	esac
	[ -e "$CTL_UML/$name" ] && why+=("$CTL_UML/$name is still there")
	verdict "control-run-dir-gone-after-$how" "${why[@]}"

	why=()
	want=$GUEST_STATUS
	[ "$how" = sigkill ] && want=255
	[ "$how" = panic ] && [ "$want" = 0 ] && why+=("the panicked guest exited 0")
	if wait_pid_exit "$waiter" 20; then
		wait "$waiter"
		status=$?
		[ "$status" = "$want" ] ||
			why+=("umctl wait exited $status, the guest $GUEST_STATUS: want $want ($(cat "$CTL/wait-$how.out"))")
		[ "$how" = sigkill ] && ! grep -q 'without an exit status' "$CTL/wait-$how.out" &&
			why+=("umctl wait did not say the status is unknown")
	else
		kill "$waiter"
		why+=("umctl wait still waiting")
	fi
	verdict "control-wait-status-after-$how" "${why[@]}"
}

# A guest killed with SIGKILL leaves a stale directory: uml_mconsole gets
# an error, the next guest of that name takes it over, umctl list removes
# one.
ctl_stale() {
	local name=ctl-stale out status why=()
	ctl_start "$name" "${IDLE_ARGS[@]}" umid="$name" uml_dir="$CTL_UML"
	ctl_wait_ready || why+=("first guest: no control socket")
	guest_stop KILL
	[ -d "$CTL_UML/$name" ] || why+=("SIGKILL left no stale directory to test with")
	out=$(timeout 20 "${AS_GUEST[@]}" env HOME="$CTL_HOME" uml_mconsole "$CTL_UML/$name/mconsole" version 2>&1)
	status=$?
	[ $status -ne 0 ] && [ $status -ne 124 ] ||
		why+=("uml_mconsole against the dead guest: status $status")
	ctl_start "$name" "${IDLE_ARGS[@]}" umid="$name" uml_dir="$CTL_UML"
	if ctl_wait_ready; then
		[ "$(cat "$CTL_UML/$name/pid")" = "$GUEST_PID" ] ||
			why+=("the stale directory was not taken over")
		out=$(ctl_umctl "$name" version 2>&1) || why+=("the new guest does not answer: $out")
	else
		why+=("the second guest did not start: $(tail -n 1 "$GUEST_LOG.err")")
	fi
	guest_stop KILL
	out=$(ctl_umctl list 2>&1)
	grep -q "^$name " <<<"$out" && why+=("umctl list shows the killed guest")
	[ -e "$CTL_UML/$name" ] && why+=("umctl list left the stale directory")
	verdict control-stale-run-dir "${why[@]}"
}

# No umid=: a name from the pid, in ~/.uml; umctl halts it.
ctl_default_name() {
	local why=() name out
	ctl_start default "${IDLE_ARGS[@]}"
	if ! ctl_wait_ready; then
		guest_stop KILL
		fail control-default-name "no control socket" "${CHECK_LOGS[@]}"
		return
	fi
	name=linux-$GUEST_PID
	grep -aq "control: guest $name, control socket $CTL_HOME/.uml/$name/mconsole" "$GUEST_LOG" ||
		why+=("the boot log does not say $name")
	out=$("${AS_GUEST[@]}" env HOME="$CTL_HOME" "$UMCTL" "$name" halt 2>&1) ||
		why+=("umctl $name halt: $out")
	guest_wait_exit "$STOP_TIMEOUT" || { guest_stop KILL; why+=("did not end"); }
	[ -e "$CTL_HOME/.uml/$name" ] && why+=("the run directory is still there")
	verdict control-default-name "${why[@]}"
}

# Bad identity parameters refuse the boot.
ctl_bad_params() {
	local why=() log=$CTL/badparam.log arg
	for arg in umid=../x umid= "uml_dir=$CTL/no/such/dir"; do
		"${GUEST_CMD[@]}" "${IDLE_ARGS[@]}" umid=ok "$arg" </dev/null >"$log" 2>"$log.err"
		[ $? -eq 2 ] || why+=("$arg: exit status not 2")
		grep -aq 'linux: ' "$log.err" || why+=("$arg: no message")
	done
	CHECK_LOGS=("$log.err")
	verdict control-bad-identity-refused "${why[@]}"
}

ctl_umctl_usage() {
	local why=()
	"$UMCTL" --help | grep -q 'Exit status' || why+=("--help says no exit status")
	"$UMCTL" >/dev/null 2>&1
	[ $? -eq 2 ] || why+=("no arguments: not status 2")
	"$UMCTL" --bogus list >/dev/null 2>&1
	[ $? -eq 2 ] || why+=("unknown option: not status 2")
	verdict control-umctl-usage "${why[@]}"
}

# --- memory hotplug (config mem=) --------------------------------------

# ctl_mem_blocks PID: KiB of the memory file the host holds for the
# guest whose kernel process is PID (the file's allocated blocks).
ctl_mem_blocks() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd") == *um-physmem* ]] || continue
		echo $(($(stat -L -c %b "$fd") / 2))
		return 0
	done
	echo 0
}

# ctl_memtotal NAME: the guest's MemTotal in KiB, through umctl.
ctl_memtotal() {
	ctl_umctl "$1" proc meminfo 2>/dev/null | awk '/^MemTotal:/ { print $2 }'
}

# near A B SLACK: |A - B| <= SLACK
near() {
	local d=$(($1 - $2))
	((d < 0)) && d=$((-d))
	((d <= $3))
}

# Plug and unplug under guest workloads that use the memory before and
# after; the host's memory file gives back what was unplugged.
ctl_memplug() {
	local img=$CTL/ctl-m.img um=(ctl_umctl ctl-m) why=() out status
	local pid t0 t1 t2 b0 b1 shm0 shm1 fill
	if ! ctl_image; then
		fail control-memplug "mkrootimg failed" "$CTL_IMG_BASE.log"
		return
	fi
	cp --sparse=always "$CTL_IMG_BASE" "$img"
	chmod 666 "$img"
	ctl_start ctl-m "ubd0=$img" mem=128M mem_max=640M umid=ctl-m uml_dir="$CTL_UML"
	if ! guest_wait_log 'control-image-up'; then
		guest_stop KILL
		fail control-memplug "the image never came up" "${CHECK_LOGS[@]}"
		return
	fi
	pid=$(cat "$CTL_UML/ctl-m/pid")
	grep -aq 'control: memory 128M, up to 640M' "$GUEST_LOG" ||
		why+=("the boot log does not tell of mem_max")
	out=$(ctl_mc "$CTL_UML/ctl-m/mconsole" config mem 2>/dev/null)
	[ "$out" = "OK 131072K" ] || why+=("uml_mconsole config mem: \"$out\", want OK 131072K")
	t0=$(ctl_memtotal ctl-m)
	((t0 > 90000 && t0 <= 131072)) || why+=("MemTotal at boot ${t0}K for mem=128M")

	# Plug 512M through Debian's client: MemTotal follows.
	out=$(ctl_mc "$CTL_UML/ctl-m/mconsole" config mem=+512M 2>/dev/null)
	[ "$out" = "OK plugged 512M: the guest has 640M" ] || why+=("uml_mconsole mem=+512M: \"$out\"")
	t1=$(ctl_memtotal ctl-m)
	near "$t1" $((t0 + 524288)) 64 || why+=("MemTotal ${t0}K, after +512M ${t1}K")
	verdict control-memplug-plug "${why[@]}"

	# The guest fills nearly all of it (a tmpfs file), checks and frees it.
	why=()
	fill=$(( $(ctl_umctl ctl-m proc meminfo | awk '/^MemFree:/ { print $2 }') / 1024 - 48 ))
	out=$("${um[@]}" exec -- sh -c "mkdir -p /mnt/m && mount -t tmpfs -o size=600M m /mnt/m &&
		dd if=/dev/zero of=/mnt/m/f bs=1M count=$fill 2>/dev/null &&
		[ \$(wc -c </mnt/m/f) -eq $((fill << 20)) ] && rm /mnt/m/f && umount /mnt/m && echo filled" 2>&1)
	[ "$out" = filled ] || why+=("the guest could not use ${fill}M: \"$out\"")
	b0=$(ctl_mem_blocks "$pid")
	shm0=$(awk '/^RssShmem:/ { print $2 }' "/proc/$pid/status")
	((b0 > fill * 1024)) || why+=("the memory file holds ${b0}K after the guest used ${fill}M")

	# Unplug 384M through umctl: the host gets it back.
	out=$("${um[@]}" config mem=-384M 2>&1)
	status=$?
	[ $status -eq 0 ] && [ "$out" = "unplugged 384M: the guest has 256M" ] ||
		why+=("umctl mem=-384M: status $status, \"$out\"")
	t2=$(ctl_memtotal ctl-m)
	near "$t2" $((t1 - 393216)) 64 || why+=("MemTotal ${t1}K, after -384M ${t2}K")
	b1=$(ctl_mem_blocks "$pid")
	shm1=$(awk '/^RssShmem:/ { print $2 }' "/proc/$pid/status")
	# Nearly all free memory had been touched: most of the 384M returns.
	((b0 - b1 > 300 * 1024)) ||
		why+=("the memory file went from ${b0}K to ${b1}K only")
	((shm0 - shm1 > 300 * 1024)) ||
		why+=("the kernel's RssShmem went from ${shm0}K to ${shm1}K only")
	echo "    memplug: -384M: memory file ${b0}K -> ${b1}K, RssShmem ${shm0}K -> ${shm1}K"
	# And the guest still uses what it has.
	out=$("${um[@]}" exec -- sh -c "mount -t tmpfs -o size=600M m /mnt/m &&
		dd if=/dev/zero of=/mnt/m/f bs=1M count=150 2>/dev/null &&
		md5sum </mnt/m/f && rm /mnt/m/f && umount /mnt/m" 2>&1)
	[ "$out" = "$(head -c 150M /dev/zero | md5sum)" ] || why+=("150M in the guest after unplug: \"$out\"")
	verdict control-memplug-unplug "${why[@]}"

	# Refusals change nothing.
	why=()
	out=$("${um[@]}" config mem=+1G 2>&1)
	status=$?
	[ $status -eq 1 ] && [[ $out == *"mem_max= is 640M"* ]] || why+=("+1G: status $status, \"$out\"")
	out=$(ctl_mc "$CTL_UML/ctl-m/mconsole" config mem=-250M 2>/dev/null)
	[[ $out == "ERR cannot shrink below 32M"* ]] || why+=("uml_mconsole -250M: \"$out\"")
	for bad in 'mem=12Q' 'mem=+' 'mem=-x1M' 'mem='; do
		out=$("${um[@]}" config "$bad" 2>&1)
		status=$?
		[ $status -eq 1 ] && [[ $out == *size* ]] || why+=("$bad: status $status, \"$out\"")
	done
	out=$(ctl_mc "$CTL_UML/ctl-m/mconsole" config mem 2>/dev/null)
	[ "$out" = "OK 262144K" ] || why+=("after the refusals config mem says \"$out\"")
	near "$(ctl_memtotal ctl-m)" "$t2" 64 || why+=("a refusal changed MemTotal")
	verdict control-memplug-refused "${why[@]}"

	# Memory the guest holds stays with it: only part is unplugged, and
	# the guest lives on and gets it back.
	why=()
	out=$("${um[@]}" exec -- sh -c "mount -t tmpfs -o size=600M m /mnt/m &&
		dd if=/dev/zero of=/mnt/m/f bs=1M count=150 2>/dev/null && echo held" 2>&1)
	[ "$out" = held ] || why+=("the guest could not hold 150M: \"$out\"")
	out=$("${um[@]}" config mem=-200M 2>&1)
	status=$?
	[ $status -eq 1 ] && [[ $out == "unplugged only "*"the guest is using the rest"* ]] ||
		why+=("-200M with 150M held: status $status, \"$out\"")
	out=$("${um[@]}" exec -- sh -c "md5sum </mnt/m/f; rm /mnt/m/f; umount /mnt/m" 2>&1)
	[ "$out" = "$(head -c 150M /dev/zero | md5sum)" ] || why+=("the held file changed: \"$out\"")
	out=$("${um[@]}" config mem=256M 2>&1) || why+=("back to 256M: \"$out\"")
	out=$(ctl_mc "$CTL_UML/ctl-m/mconsole" config mem 2>/dev/null)
	[ "$out" = "OK 262144K" ] || why+=("after plugging back config mem says \"$out\"")
	verdict control-memplug-partial "${why[@]}"

	out=$("${um[@]}" halt 2>&1)
	guest_wait_exit "$STOP_TIMEOUT" || guest_stop KILL
	check_kernel_log control-memplug-kernel-log "$GUEST_LOG"
	rm -f "$img"
}

# The host refusing to take memory back (fail_host_release=1): the guest
# keeps it and says so.
ctl_memplug_host_fails() {
	local why=() out status t0
	ctl_start ctl-f "${IDLE_ARGS[@]}" fail_host_release=1 umid=ctl-f uml_dir="$CTL_UML"
	if ! ctl_wait_ready; then
		guest_stop KILL
		fail control-memplug-host-fails "no control socket" "${CHECK_LOGS[@]}"
		return
	fi
	t0=$(ctl_memtotal ctl-f)
	out=$(ctl_umctl ctl-f config mem=-64M 2>&1)
	status=$?
	[ $status -eq 1 ] && [[ $out == "unplugged only 0M of 64M (the host refused"* ]] ||
		why+=("status $status, \"$out\"")
	[ "$(ctl_memtotal ctl-f)" = "$t0" ] || why+=("MemTotal changed")
	out=$(ctl_umctl ctl-f config mem 2>&1)
	[ "$out" = "${BOOT_MEM%M}" ] || [ "$out" = $((${BOOT_MEM%M} * 1024))K ] ||
		why+=("config mem says \"$out\"")
	verdict control-memplug-host-fails "${why[@]}"
	guest_stop KILL
	"$UMCTL" --uml-dir "$CTL_UML" list >/dev/null 2>&1
}

# A HOME where ~/.uml cannot be made: a clear warning, and the guest boots
# on without a control socket.
ctl_home_unwritable() {
	local home=$CTL/rohome log=$CTL/rohome.log saved=("${GUEST_CMD[@]}") why=()
	mkdir -p "$home"
	chmod 555 "$home"
	CHECK_LOGS=("$log" "$log.err")
	GUEST_CMD=(env --default-signal HOME="$home" "${AS_GUEST[@]}" "$LINUX")
	guest_start "$log" "${IDLE_ARGS[@]}"
	GUEST_CMD=("${saved[@]}")
	if ! guest_wait_log "$IDLE_RE"; then
		guest_stop KILL
		fail control-home-unwritable "the guest did not boot" "${CHECK_LOGS[@]}"
		return
	fi
	grep -aq "no control socket: cannot make $home/.uml: Permission denied (give uml_dir=DIR)" \
		"$log" "$log.err" || why+=("no clear warning")
	[ -e "$home/.uml" ] && why+=("$home/.uml was made")
	guest_stop TERM
	verdict control-home-unwritable "${why[@]}"
}

# exec and memory hotplug in Debian with systemd as init, if its image is
# there (made by 68-systemd; tests/lib/debian.sh).
ctl_debian() {
	local img=$CTL/debian.img why=() out status um=(ctl_umctl ctl-deb) feeder
	if ! [ -f "$TOP/build/images/debian-systemd.img" ]; then
		skip control-debian-exec "no build/images/debian-systemd.img (tests/run systemd makes it)"
		return
	fi
	cp --sparse=always "$TOP/build/images/debian-systemd.img" "$img"
	chmod 666 "$img"
	# Its console shell powers off at end of input: keep one open.
	mkfifo "$CTL/debian.in"
	chmod 666 "$CTL/debian.in"
	sleep 600 >"$CTL/debian.in" &
	feeder=$!
	local log=$CTL/ctl-deb.log saved=("${GUEST_CMD[@]}")
	CHECK_LOGS=("$log" "$log.err")
	# shellcheck disable=SC2016  # for the inner shell
	GUEST_CMD=(env --default-signal HOME="$CTL_HOME" "${AS_GUEST[@]}"
		   sh -c 'f=$1; shift; exec "$@" <"$f"' sh "$CTL/debian.in" "$LINUX")
	guest_start "$log" "ubd0=$img" root=/dev/ubda mem=512M \
		umid=ctl-deb uml_dir="$CTL_UML"
	GUEST_CMD=("${saved[@]}")
	n=0
	until [ "$("${um[@]}" exec -- systemctl is-system-running --wait 2>/dev/null)" = running ] ||
		((n >= 30)); do
		sleep 2
		n=$((n + 1))
	done
	out=$("${um[@]}" exec -- cat /etc/debian_version 2>&1)
	[[ $out =~ ^[0-9]+ ]] || why+=("cat /etc/debian_version: \"$out\"")
	out=$(printf 'hello\n' | "${um[@]}" exec -- sh -c 'tr a-z A-Z; exit 9' 2>&1)
	status=$?
	[ $status -eq 9 ] && [ "$out" = HELLO ] || why+=("input and exit 9: status $status, \"$out\"")
	out=$("${um[@]}" config mem=-128M 2>&1) || why+=("mem=-128M: \"$out\"")
	out=$("${um[@]}" exec -- awk '/MemTotal/ { print $2 }' /proc/meminfo 2>&1)
	((out > 300000 && out < 400000)) || why+=("MemTotal after -128M of 512M: \"$out\"")
	out=$(ctl_mc "$CTL_UML/ctl-deb/mconsole" config mem=+128M 2>/dev/null)
	[[ $out == "OK plugged 128M"* ]] || why+=("uml_mconsole mem=+128M: \"$out\"")
	verdict control-debian-exec "${why[@]}"
	"${um[@]}" halt >/dev/null 2>&1
	guest_wait_exit 120 || guest_stop KILL
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	rm -f "$img" "$CTL/debian.in"
}

control_tests() {
	if ! command -v uml_mconsole >/dev/null; then
		fail control-uml-mconsole-installed "uml_mconsole is missing (package uml-utilities; make deps)"
		return
	fi
	if ! [ -x "$UMCTL" ]; then
		fail control-umctl-built "tools/umctl is missing"
		return
	fi
	ctl_setup
	ctl_umctl_usage
	ctl_bad_params
	if ctl_identity; then
		ctl_same_name
		ctl_commands
		ctl_bad_requests
		ctl_many_clients
		ctl_other_user
		ctl_list_status
		ctl_halt_a
	fi
	ctl_reboots
	ctl_memplug
	ctl_memplug_host_fails
	ctl_ending sigterm
	ctl_ending panic
	ctl_ending sigkill
	ctl_stale
	ctl_default_name
	ctl_home_unwritable
	ctl_debian
}

control_tests

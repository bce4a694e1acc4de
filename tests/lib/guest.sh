# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# Start, watch and stop guests (./linux) in the background.  Sourced by
# tests/run, which sets LINUX (the binary), LIB (this folder) and TEST_DIR
# (the run's private directory).
#
# A guest started with guest_start writes:
#   LOG        its stdout (the console)   LOG.err  its stderr
#   LOG.pid    its host pid               LOG.procs  its record: every host
#                                         process seen in its family and more,
#                                         see tests/lib/proctree.py snapshot
# and sets GUEST_PID, GUEST_LOG, GUEST_PROCS for the calls below, which
# always act on the guest started last.  A case juggling several guests
# saves and restores those three variables.

# Generous limits: a slow or busy machine must never fail a check.
: "${BOOT_TIMEOUT:=300}"	# start to a console line, or to exit
: "${STOP_TIMEOUT:=60}"		# signal to exit
: "${EXIT_TIMEOUT:=120}"	# --help and friends, refusals

# The two standard guests: with no root file system at all the kernel
# panics once booted; with a root device that never comes it waits for it
# for ever, which is the idle state tests use.
BOOT_MEM=256M
IDLE_ARGS=("mem=$BOOT_MEM" root=/dev/nothing rootwait)
IDLE_RE='Waiting for root device /dev/nothing\.\.\.'
PANIC_TEXT='Kernel panic - not syncing: VFS: Unable to mount root fs'

# Guests run unprivileged, as people run them: as nobody when we are root.
if [ "$(id -u)" -eq 0 ]; then
	GUEST_UID=65534
	AS_GUEST=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	# Other processes of the guest user are worth noting only when that
	# user is not us.
	GUEST_UID_FOREIGN=("$GUEST_UID")
else
	GUEST_UID=$(id -u)
	AS_GUEST=()
	GUEST_UID_FOREIGN=()
fi

# How a guest is started.  env resets every signal to its default: the
# shell starts background jobs with SIGINT and SIGQUIT ignored and Python
# ignores SIGPIPE, and a guest must not inherit that.
GUEST_CMD=(env --default-signal "${AS_GUEST[@]}" "$LINUX")

GUEST_PID=
GUEST_LOG=
GUEST_PROCS=
GUEST_STATUS=

# guest_start LOG ARG...: start ./linux ARG... in the background.
# setsid makes the guest a session leader, so whatever it starts stays
# findable by session id even after it is reparented.  The shell is not
# interactive, so the job is no group leader and setsid (like env and
# setpriv) execs in place: $! is the guest's own pid.
guest_start() {
	GUEST_LOG=$1
	GUEST_PROCS=$1.procs
	shift
	: >"$GUEST_PROCS"
	setsid "${GUEST_CMD[@]}" "$@" \
		</dev/null >"$GUEST_LOG" 2>"$GUEST_LOG.err" &
	GUEST_PID=$!
	echo "$GUEST_PID" >"$GUEST_LOG.pid"
	guest_record
}

# guest_running: true while the guest has not ended (a zombie has ended).
guest_running() {
	local stat
	stat=$(cat "/proc/$GUEST_PID/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# guest_record: add the guest's current host processes, and what they
# hold, to GUEST_PROCS.  As root, also other processes of the guest user:
# tests/lib/leftovers.py uses them to judge whose new files are whose.
guest_record() {
	python3 "$LIB/proctree.py" snapshot "$GUEST_PID" "${GUEST_UID_FOREIGN[@]}" \
		>>"$GUEST_PROCS" 2>/dev/null || true
}

# guest_poll TIMEOUT CHECK...: run CHECK every 0.2 s until it returns 0
# or 1, and return that; 2 when TIMEOUT seconds pass first.  Records the
# guest's processes about once a second meanwhile.
guest_poll() {
	local end=$((SECONDS + $1)) recorded=$SECONDS rc
	shift
	while ((SECONDS < end)); do
		"$@"
		rc=$?
		((rc < 2)) && return $rc
		if ((SECONDS != recorded)); then
			guest_record
			recorded=$SECONDS
		fi
		sleep 0.2
	done 2>/dev/null # (no "Killed" notices from the shell: we report)
	return 2
}

# One look for guest_wait_log: 0 seen, 1 the guest ended without it,
# 2 not yet.
log_seen() {
	grep -aqE -- "$1" "$GUEST_LOG" && return 0
	guest_running && return 2
	grep -aqE -- "$1" "$GUEST_LOG" && return 0
	return 1
}

# guest_wait_log REGEX [TIMEOUT]: wait for an extended regex on the
# console.  Returns 0 when it appears, 1 if the guest ended without it,
# 2 on timeout.
guest_wait_log() {
	guest_poll "${2:-$BOOT_TIMEOUT}" log_seen "$1"
}

# One look for guest_wait_exit: 0 (GUEST_STATUS set) when it ended.
exit_seen() {
	guest_running && return 2
	wait "$GUEST_PID"
	GUEST_STATUS=$?
	return 0
}

# guest_wait_exit [TIMEOUT]: wait for the guest to end and set
# GUEST_STATUS to its exit status as the shell reports it (128+N for
# signal N).  Returns 1 on timeout, leaving the guest running.
guest_wait_exit() {
	guest_poll "${1:-$EXIT_TIMEOUT}" exit_seen && return 0
	return 1
}

# guest_stop SIGNAL [TIMEOUT]: send SIGNAL and wait for the guest to end,
# setting GUEST_STATUS.  If it outlives TIMEOUT it is killed and 1 is
# returned (GUEST_STATUS then describes the kill, not SIGNAL).
guest_stop() {
	local sig=$1 timeout=${2:-$STOP_TIMEOUT}
	guest_record
	kill -s "$sig" "$GUEST_PID" 2>/dev/null
	guest_wait_exit "$timeout" && return 0
	kill -s KILL "$GUEST_PID" 2>/dev/null
	guest_wait_exit "$timeout"
	return 1
}

# guest_run TIMEOUT LOG ARG...: run a guest to its end; 1 if it had to be
# killed after TIMEOUT.
guest_run() {
	local timeout=$1
	shift
	guest_start "$@"
	guest_wait_exit "$timeout" && return 0
	guest_stop KILL
	return 1
}

# guest_kill_all: SIGKILL every guest of this run and whatever they left,
# for the runner's exit trap.  Background guests still running are this
# shell's jobs.  Every guest is also named by its LOG.pid file; its
# recorded processes are checked by start time, so nothing else is hit.
guest_kill_all() {
	local pidfile jobs
	jobs=$(jobs -pr)
	# shellcheck disable=SC2086  # one pid a word
	[ -z "$jobs" ] || kill -s KILL $jobs 2>/dev/null
	for pidfile in "$TEST_DIR"/*.pid; do
		[ -f "${pidfile%.pid}.procs" ] || continue
		python3 "$LIB/proctree.py" kill "${pidfile%.pid}.procs" \
			"$(cat "$pidfile")" 2>/dev/null
	done
}

# Kernel messages that mean the kernel itself went wrong, whatever the
# guest's programs did: a BUG or oops, a WARN_ON, a lockdep or SLUB debug
# report, a panic, or a host refusal the kernel could not place.
KERNEL_TROUBLE_RE='BUG[: ]|WARNING:|Oops|Kernel panic|cut here|general protection|possible recursive locking|possible circular locking|inconsistent lock state|Poison overwritten|Redzone|Object padding|list_(add|del) corruption|Bad page|cannot update its host process'

# check_kernel_log NAME LOG: passes if LOG holds none of those messages.
check_kernel_log() {
	local name=$1 log=$2 found
	found=$(tr -d '\r' <"$log" | grep -aE -m 5 "$KERNEL_TROUBLE_RE")
	if [ -z "$found" ]; then
		pass "$name"
	else
		fail "$name" "the kernel reported trouble: $(echo "$found" | head -n 1)"
		echo "$found" | sed 's/^/    | /'
	fi
}

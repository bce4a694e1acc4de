/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny TAP-like reporting shared by the guest test programs.
 *
 * Each program prints "ok N - what" or "not ok N - what" per check,
 * "ok N - # SKIP why" for a check that cannot run here, "# ..." lines for
 * diagnostics, and ends with
 * "# guest-test NAME: P passed, F failed, S skipped"; it exits 0 only if F
 * is 0.  A skip is counted as a skip, never as passed.
 * tests/lib/guestrun.sh parses exactly this.
 *
 * Output goes through write(2) on fd 1, one line per call, so that lines
 * of forked children never duplicate or tear stdio buffers.  A watchdog
 * (SIGALRM) turns a hang into a "not ok" line and a summary, so a run in
 * a guest always ends.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

/* Not every program uses every helper. */
#define TAP_HELPER static __attribute__((unused))

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *tap_name = "?";
static int tap_count, tap_failed, tap_skipped;
static pid_t tap_pid;	/* the reporting process; the watchdog spares children */

/* diag(fmt, ...): a "# ..." comment line. */
TAP_HELPER void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	char line[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dprintf(1, "# %s\n", line);
}

/* ok(cond, fmt, ...): one check; returns cond so callers can react. */
TAP_HELPER int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	tap_count++;
	if (!cond)
		tap_failed++;
	dprintf(1, "%sok %d - %s\n", cond ? "" : "not ", tap_count, what);
	return cond;
}

/* skip(fmt, ...): a check that cannot run here; counted as skipped. */
TAP_HELPER void __attribute__((format(printf, 1, 2))) skip(const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	tap_count++;
	tap_skipped++;
	dprintf(1, "ok %d - # SKIP %s\n", tap_count, what);
}

TAP_HELPER int tap_done(void)
{
	dprintf(1, "# guest-test %s: %d passed, %d failed, %d skipped\n",
		tap_name, tap_count - tap_failed - tap_skipped, tap_failed,
		tap_skipped);
	return tap_failed ? 1 : 0;
}

TAP_HELPER void tap_watchdog(int sig)
{
	(void)sig;
	if (getpid() != tap_pid)
		_exit(124);
	tap_count++;
	tap_failed++;
	dprintf(1, "not ok %d - watchdog: %s did not finish in time\n",
		tap_count, tap_name);
	_exit(tap_done());
}

/*
 * tap_init(name, seconds): start reporting.  No core files (children are
 * crashed on purpose), and a watchdog of SECONDS.  Programs must not use
 * SIGALRM or alarm() themselves.
 */
TAP_HELPER void tap_init(const char *name, unsigned int seconds)
{
	struct rlimit no_core = { 0, 0 };

	tap_name = name;
	tap_pid = getpid();
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGALRM, tap_watchdog);
	alarm(seconds);
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* host_run: true when GUEST_HOST_RUN=1, i.e. run on the host, not a guest. */
TAP_HELPER int host_run(void)
{
	const char *v = getenv("GUEST_HOST_RUN");

	return v && strcmp(v, "1") == 0;
}

/*
 * wait_asleep(pid, tid): wait until thread TID of process PID sleeps in the
 * kernel (state S in /proc), so that a following wake or signal finds it
 * there; gives up after about 30 s.  Without /proc, a pause is the best
 * it can do.
 */
TAP_HELPER void wait_asleep(pid_t pid, pid_t tid)
{
	char path[64], buf[256], *p;
	int fd, n, tries;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	for (tries = 0; tries < 30000; tries++) {
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			usleep(200000);
			return;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return;
		usleep(1000);
	}
}

/*
 * wait_child(pid, seconds): waitpid with a deadline.  Returns the wait
 * status, or -1 after killing a child that outlived SECONDS.
 */
TAP_HELPER int wait_child(pid_t pid, int seconds)
{
	int status, i;
	pid_t r;

	for (i = 0; i < seconds * 100; i++) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -2;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* status_str(status): "exit N", "signal N (NAME)" or why waiting failed. */
TAP_HELPER const char *status_str(int status)
{
	static char buf[64];

	if (status == -1)
		return "timed out, killed";
	if (status < 0)
		return "waitpid failed";
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", status);
	return buf;
}

/* killed_by(status, sig): the child died of signal SIG. */
TAP_HELPER int killed_by(int status, int sig)
{
	return status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* exited_with(status, code): the child called exit(CODE). */
TAP_HELPER int exited_with(int status, int code)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

#endif

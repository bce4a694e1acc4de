// SPDX-License-Identifier: GPL-2.0
/*
 * Time namespaces: a child in a new time namespace with CLOCK_MONOTONIC
 * 1000 s and CLOCK_BOOTTIME 2000 s ahead sees those offsets on every
 * clock they apply to (MONOTONIC, its RAW and COARSE forms, BOOTTIME and
 * BOOTTIME_ALARM) and no offset on the others (REALTIME and its COARSE
 * form, REALTIME_ALARM, TAI, the CPU-time clocks); each clock is checked
 * on its own.  Then the paths that take a namespace's absolute time:
 * clock_nanosleep, POSIX timers and timerfd with TIMER_ABSTIME, and
 * /proc/uptime.  No clock call may crash.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include "tap.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define MONO_OFF	1000
#define BOOT_OFF	2000
/* Slack for the time between two readings in two processes. */
#define SLACK		2.0

static const struct {
	clockid_t id;
	const char *name;
	int offset;	/* seconds the namespace adds */
} clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME", 0 },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC", MONO_OFF },
	{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", 0 },
	{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID", 0 },
	{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", MONO_OFF },
	{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", 0 },
	{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", MONO_OFF },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME", BOOT_OFF },
	{ CLOCK_REALTIME_ALARM, "CLOCK_REALTIME_ALARM", 0 },
	{ CLOCK_BOOTTIME_ALARM, "CLOCK_BOOTTIME_ALARM", BOOT_OFF },
	{ CLOCK_TAI, "CLOCK_TAI", 0 },
};
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NCLOCKS		ARRAY_SIZE(clocks)

/* A clock through the system call (not the vDSO), or -1 with errno. */
static double sys_secs(clockid_t id)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, id, &ts) < 0)
		return -1;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The same through the C library (the vDSO where there is one). */
static double lib_secs(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return -1;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double elapsed_since(double start)
{
	return lib_secs(CLOCK_MONOTONIC) - start;
}

/* What the child in the namespace measured, for the parent to report. */
struct report {
	double clock[2][NCLOCKS];	/* by the system call, by the C library */
	double uptime_diff;		/* /proc/uptime - CLOCK_BOOTTIME */
	double took[4];			/* seconds, -1: the call failed */
};

static const char *const abstime_what[4] = {
	"clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, now + 200 ms) returns",
	"clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, now + 200 ms) returns",
	"timer_settime(CLOCK_MONOTONIC, TIMER_ABSTIME, now + 200 ms) fires",
	"timerfd(CLOCK_BOOTTIME, TFD_TIMER_ABSTIME, now + 200 ms) fires",
};

/* In the namespace: the sleeping and timer paths, on their own clocks. */
static void abstime_paths(double *took)
{
	struct itimerspec its = { 0 };
	struct timespec ts;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGUSR1 };
	double start;
	uint64_t ticks;
	timer_t timer;
	sigset_t set;
	clockid_t sleepers[] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME };
	unsigned int i;
	int fd, sig;

	/* clock_nanosleep to 200 ms from now on each namespaced clock. */
	for (i = 0; i < 2; i++) {
		clock_gettime(sleepers[i], &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		start = lib_secs(CLOCK_MONOTONIC);
		errno = clock_nanosleep(sleepers[i], TIMER_ABSTIME, &ts, NULL);
		took[i] = errno ? -1 : elapsed_since(start);
	}

	/* A POSIX timer on CLOCK_MONOTONIC, absolute, 200 ms ahead. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &its.it_value);
		its.it_value.tv_sec += its.it_value.tv_nsec >= 800000000;
		its.it_value.tv_nsec = (its.it_value.tv_nsec + 200000000) %
				       1000000000;
		start = lib_secs(CLOCK_MONOTONIC);
		took[2] = timer_settime(timer, TIMER_ABSTIME, &its, NULL) ||
			  sigwait(&set, &sig) ? -1 : elapsed_since(start);
		timer_delete(timer);
	}

	/* A timerfd on CLOCK_BOOTTIME, absolute, 200 ms ahead. */
	fd = timerfd_create(CLOCK_BOOTTIME, 0);
	if (fd >= 0) {
		memset(&its, 0, sizeof(its));
		clock_gettime(CLOCK_BOOTTIME, &its.it_value);
		its.it_value.tv_sec += its.it_value.tv_nsec >= 800000000;
		its.it_value.tv_nsec = (its.it_value.tv_nsec + 200000000) %
				       1000000000;
		start = lib_secs(CLOCK_MONOTONIC);
		timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
		ticks = 0;
		took[3] = read(fd, &ticks, sizeof(ticks)) == sizeof(ticks) &&
			  ticks == 1 ? elapsed_since(start) : -1;
		close(fd);
	}
}

static double proc_uptime(void)
{
	char buf[64] = "";
	int fd = open("/proc/uptime", O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return atof(buf);
}

int main(void)
{
	double before[NCLOCKS], after[NCLOCKS];
	struct report r;
	int fds[2], fd, status, n;
	unsigned int i, way;
	pid_t pid;

	tap_init("t-timens", 120);
	if (unshare(CLONE_NEWTIME) < 0) {
		ok(0, "unshare(CLONE_NEWTIME): %s", strerror(errno));
		return tap_done();
	}
	ok(1, "unshare(CLONE_NEWTIME)");
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	n = fd < 0 ? -1 : dprintf(fd, "monotonic %d 0\nboottime %d 0\n",
				  MONO_OFF, BOOT_OFF);
	ok(n > 0, "offsets written to /proc/self/timens_offsets (%s)",
	   n > 0 ? "ok" : strerror(errno));
	if (fd >= 0)
		close(fd);

	if (pipe(fds) < 0)
		return tap_done();
	for (i = 0; i < NCLOCKS; i++)
		before[i] = sys_secs(clocks[i].id);
	pid = fork();
	if (pid == 0) {
		/* In the namespace: every clock both ways, then the rest. */
		memset(&r, 0, sizeof(r));
		for (way = 0; way < 2; way++)
			for (i = 0; i < NCLOCKS; i++)
				r.clock[way][i] = way ? lib_secs(clocks[i].id) :
						  sys_secs(clocks[i].id);
		r.uptime_diff = proc_uptime() - sys_secs(CLOCK_BOOTTIME);
		for (i = 0; i < 4; i++)
			r.took[i] = -1;
		abstime_paths(r.took);
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	n = read(fds[0], &r, sizeof(r));
	status = wait_child(pid, 60);
	for (i = 0; i < NCLOCKS; i++)
		after[i] = sys_secs(clocks[i].id);
	ok(exited_with(status, 0) && n == sizeof(r),
	   "the child in the namespace reported: %s", status_str(status));
	if (n != sizeof(r))
		return tap_done();

	for (way = 0; way < 2; way++) {
		for (i = 0; i < NCLOCKS; i++) {
			double off = clocks[i].offset, got = r.clock[way][i];
			int cpu = clocks[i].id == CLOCK_PROCESS_CPUTIME_ID ||
				  clocks[i].id == CLOCK_THREAD_CPUTIME_ID;

			if (before[i] < 0 && got < 0) {
				/* The ALARM clocks want an RTC. */
				skip("%s: not readable here (%s)",
				     clocks[i].name, strerror(EINVAL));
				continue;
			}
			/* A new process's CPU time starts near 0. */
			if (cpu)
				ok(got >= 0 && got < SLACK,
				   "%s by %s in the namespace: %.3f s, no offset",
				   clocks[i].name,
				   way ? "the C library" : "the system call",
				   got);
			else
				ok(got >= before[i] + off - 0.05 &&
				   got <= after[i] + off + 0.05,
				   "%s by %s in the namespace: %+.3f s from outside (offset %g)",
				   clocks[i].name,
				   way ? "the C library" : "the system call",
				   got - before[i], off);
		}
	}
	ok(r.uptime_diff > -SLACK && r.uptime_diff < SLACK,
	   "/proc/uptime in the namespace has the boottime offset (%+.2f s from CLOCK_BOOTTIME)",
	   r.uptime_diff);
	for (i = 0; i < 4; i++)
		ok(r.took[i] > 0.15 && r.took[i] < 5, "%s after %.3f s",
		   abstime_what[i], r.took[i]);
	return tap_done();
}

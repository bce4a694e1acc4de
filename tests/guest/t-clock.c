// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's clocks: CLOCK_MONOTONIC and CLOCK_BOOTTIME count from the
 * guest's boot (they agree with each other, with /proc/uptime and with
 * the start times of processes), and never go backwards, also across
 * sleeps, forks and other processes running.  The host side checks that
 * they start near zero and that CLOCK_REALTIME is the host's wall time
 * (tests/cases/20-boot.sh).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <time.h>
#include "tap.h"

static double secs(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double proc_uptime(void)
{
	double up = -1;
	FILE *f = fopen("/proc/uptime", "r");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = -1;
		fclose(f);
	}
	return up;
}

/* A process's start, in seconds after boot (/proc/PID/stat, field 22). */
static double start_time(const char *pid)
{
	char buf[1024], *p;
	unsigned long long ticks;
	int fd, n, i;

	snprintf(buf, sizeof(buf), "/proc/%s/stat", pid);
	fd = open(buf, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* after ") ": field 3 is the state; field 22 is 19 fields on */
	for (i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		return -1;
	return (double)ticks / sysconf(_SC_CLK_TCK);
}

static int never_backwards(clockid_t id, long n)
{
	struct timespec a, b;
	long i, back = 0;

	clock_gettime(id, &a);
	for (i = 0; i < n; i++) {
		clock_gettime(id, &b);
		if (b.tv_sec < a.tv_sec ||
		    (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec))
			back++;
		a = b;
		if (i % 1000 == 0)
			usleep(100);
	}
	return back == 0;
}

int main(void)
{
	double mono, boot, up, start, init_start;
	pid_t child;

	tap_init("t-clock", 120);
	mono = secs(CLOCK_MONOTONIC);
	boot = secs(CLOCK_BOOTTIME);
	up = proc_uptime();
	start = start_time("self");
	init_start = start_time("1");
	diag("monotonic %.3f boottime %.3f uptime %.2f started at %.2f",
	     mono, boot, up, start);
	ok(boot - mono >= 0 && boot - mono < 1,
	   "CLOCK_BOOTTIME and CLOCK_MONOTONIC agree (%.3f s apart)", boot - mono);
	ok(up >= 0 && up - boot < 1 && boot - up < 1,
	   "/proc/uptime agrees with CLOCK_BOOTTIME (%.2f, %.3f)", up, boot);
	ok(start >= 0 && start <= mono + 0.02 && mono - start < 30,
	   "this process started %.2f s after boot, %.2f s ago", start,
	   mono - start);
	/* Counted from the host's boot, init would seem to start late. */
	ok(init_start >= 0 && init_start < 60,
	   "the clocks count from this boot: init started %.2f s after it",
	   init_start);
	child = fork();
	if (child == 0)
		_exit(never_backwards(CLOCK_MONOTONIC, 100000) ? 0 : 1);
	ok(never_backwards(CLOCK_MONOTONIC, 100000) &&
	   exited_with(wait_child(child, 60), 0),
	   "CLOCK_MONOTONIC never goes backwards in two processes, 100,000 reads each");
	ok(never_backwards(CLOCK_BOOTTIME, 50000),
	   "CLOCK_BOOTTIME never goes backwards");
	return tap_done();
}

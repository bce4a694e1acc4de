// SPDX-License-Identifier: GPL-2.0
/*
 * The reference: a bare PTRACE_SYSEMU round trip between two host
 * processes, with both on one CPU and on two.  Prints "ns-one ns-two".
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static double round_trip(int child_cpu)
{
	long i, n = 50000;
	int status;
	double t;
	pid_t pid = fork();

	if (pid == 0) {
		pin(child_cpu);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (;;)
			syscall(SYS_getppid);
	}
	waitpid(pid, &status, 0);
	t = now_ns();
	for (i = 0; i < n; i++) {
		ptrace(PTRACE_SYSEMU, pid, NULL, NULL);
		waitpid(pid, &status, 0);
	}
	t = (now_ns() - t) / n;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return t;
}

int main(void)
{
	pin(0);
	printf("%.0f %.0f\n", round_trip(0),
	       sysconf(_SC_NPROCESSORS_ONLN) > 1 ? round_trip(1) : 0.0);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest micro-benchmarks: each prints "name ns-per-op".  Static, so it
 * runs from a bare initramfs in our guest and in upstream's UML alike.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *name, double start, long n)
{
	printf("ubench %s %.0f\n", name, (now_ns() - start) / n);
	fflush(stdout);
}

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long i, n;
	double t;
	int p1[2], p2[2];
	char c = 0;

	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;

	n = 100000;
	t = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	report("getppid", t, n);

	n = 16384;	/* 64 MiB of fresh pages */
	{
		char *m = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		t = now_ns();
		for (i = 0; i < n; i++)
			m[i * 4096] = 1;
		report("page-fault", t, n);
		munmap(m, n * 4096);
	}

	n = 1000;
	t = now_ns();
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	report("fork-exit-wait", t, n);

	n = 300;
	t = now_ns();
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl(argv[0], argv[0], "--exit", (char *)NULL);
			_exit(1);
		}
		waitpid(pid, NULL, 0);
	}
	report("fork-exec-wait", t, n);

	n = 20000;
	if (pipe(p1) || pipe(p2))
		return 1;
	if (fork() == 0) {
		for (i = 0; i < n; i++) {
			if (read(p1[0], &c, 1) != 1 || write(p2[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	t = now_ns();
	for (i = 0; i < n; i++) {
		if (write(p1[1], &c, 1) != 1 || read(p2[0], &c, 1) != 1)
			return 1;
	}
	report("pipe-round-trip", t, n);
	wait(NULL);

	n = 2000;
	t = now_ns();
	for (i = 0; i < n; i++) {
		pthread_t th;

		pthread_create(&th, NULL, nothing, NULL);
		pthread_join(th, NULL);
	}
	report("thread-create-join", t, n);

	n = 1000000;
	t = now_ns();
	for (i = 0; i < n; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
	}
	report("clock_gettime", t, n);
	return 0;
}

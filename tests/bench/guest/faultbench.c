// SPDX-License-Identifier: GPL-2.0
/*
 * Page-fault rate over a region larger than the port's host-mapping bound
 * covers (Documentation/memory.rst): a sequential touch, then a touch in
 * random order, of fresh anonymous memory.  Prints
 *   faultbench NAME ns-per-page pages
 * and "faultbench NAME failed" if the touch did not finish.  Static, so it
 * runs from a bare initramfs in our guest and in upstream's UML alike.
 *
 *   faultbench [MIB]   region size, default 1024
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE	4096UL

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One touch in a child, so that a guest kernel that kills it is seen. */
static void touch(const char *name, size_t n, const uint32_t *order)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		double t;
		size_t i;

		if (m == MAP_FAILED)
			_exit(1);
		t = now_ns();
		for (i = 0; i < n; i++)
			m[(order ? order[i] : i) * PAGE] = 1;
		printf("faultbench %s %.0f %zu\n", name, (now_ns() - t) / n, n);
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("faultbench %s failed\n", name);
}

int main(int argc, char **argv)
{
	size_t n = (argc > 1 ? strtoul(argv[1], NULL, 0) : 1024) << 20;
	uint64_t x = 88172645463325252ULL;
	uint32_t *order, t;
	size_t i, j;

	n /= PAGE;
	order = malloc(n * sizeof(*order));
	if (!order)
		return 1;
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	touch("sequential", n, NULL);
	touch("random", n, order);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Odds and ends: /proc/self, clocks and sleeps, uname, a few descriptor
 * basics, and that a 32-bit "int $0x80" system call is refused cleanly.
 *
 * The port refuses int $0x80 with -ENOSYS (it offers no 32-bit ABI); on
 * the host (GUEST_HOST_RUN=1) the host's IA32 emulation decides, and the
 * check skips.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include "tap.h"

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY), n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

static void test_proc(void)
{
	static char buf[65536];
	char *line, want[64];
	int n, in_range = 0, stack = 0;
	uintptr_t here = (uintptr_t)&n, code = (uintptr_t)test_proc;
	int code_x = 0;

	n = read_file("/proc/self/maps", buf, sizeof(buf));
	if (!ok(n > 0, "/proc/self/maps is readable (%d bytes)", n)) {
		skip("no /proc/self/maps to check");
		skip("no /proc/self/status to check");
		return;
	}
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (strstr(line, "[stack]")) {
			stack = 1;
			in_range |= here >= lo && here < hi;
		}
		if (code >= lo && code < hi)
			code_x = perms[0] == 'r' && perms[2] == 'x';
	}
	ok(stack && in_range, "maps has [stack], holding a local variable");
	ok(code_x, "maps shows our code as r-x");

	n = read_file("/proc/self/status", buf, sizeof(buf));
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	ok(n > 0 && strncmp(buf, "Name:\tt-misc", 12) == 0 && strstr(buf, want),
	   "/proc/self/status names us with our pid");
}

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void test_clocks(void)
{
	struct timespec a, b, req = { 0, 50 * 1000 * 1000 }, boot, cpu0, cpu1;
	struct timeval tv;
	time_t t;
	volatile unsigned long spin = 0;
	long long prev, cur, slept;
	int i, mono = 1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	prev = ns(&a);
	for (i = 0; i < 20000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		cur = ns(&b);
		mono &= cur >= prev;
		prev = cur;
	}
	ok(mono && ns(&b) > ns(&a), "CLOCK_MONOTONIC never goes back and advances "
	   "(%lld ns over 20000 reads)", ns(&b) - ns(&a));

	clock_gettime(CLOCK_MONOTONIC, &a);
	i = nanosleep(&req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	slept = ns(&b) - ns(&a);
	ok(i == 0 && slept >= 50000000LL && slept < 60000000000LL,
	   "nanosleep(50 ms) sleeps at least 50 ms (%lld us)", slept / 1000);

	clock_gettime(CLOCK_MONOTONIC, &a);
	req.tv_nsec = 20 * 1000 * 1000;
	i = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ok(i == 0 && ns(&b) - ns(&a) >= 20000000LL,
	   "clock_nanosleep(20 ms) likewise (%lld us)", (ns(&b) - ns(&a)) / 1000);

	a.tv_nsec += 200 * 1000 * 1000;	/* absolute: a + 200 ms */
	if (a.tv_nsec >= 1000000000L) {
		a.tv_sec++;
		a.tv_nsec -= 1000000000L;
	}
	i = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ok(i == 0 && ns(&b) >= ns(&a), "TIMER_ABSTIME sleep ends no earlier than asked");

	i = gettimeofday(&tv, NULL);
	ok(i == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000 &&
	   tv.tv_sec > 1577836800, "gettimeofday: a date after 2020 (%ld)",
	   (long)tv.tv_sec);
	clock_gettime(CLOCK_REALTIME, &a);
	ok(a.tv_sec - tv.tv_sec >= 0 && a.tv_sec - tv.tv_sec <= 10,
	   "CLOCK_REALTIME agrees with gettimeofday");
	/* Read in this order, no delay between the two can break it. */
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	ok(ns(&boot) >= ns(&b), "CLOCK_BOOTTIME >= CLOCK_MONOTONIC");
	/*
	 * time() reads the tick-updated coarse clock, so just after a second
	 * boundary it may lag gettimeofday() by one second, as on any Linux.
	 */
	t = time(NULL);
	ok(t >= tv.tv_sec - 1 && t <= a.tv_sec + 2,
	   "time() agrees with gettimeofday (%ld vs %ld)", (long)t, (long)tv.tv_sec);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
	for (spin = 0; spin < 20000000UL; spin++)
		;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
	ok(ns(&cpu1) > ns(&cpu0), "CLOCK_PROCESS_CPUTIME_ID counts a busy loop (%lld us)",
	   (ns(&cpu1) - ns(&cpu0)) / 1000);
	i = clock_getres(CLOCK_MONOTONIC, &a);
	ok(i == 0 && a.tv_sec == 0 && a.tv_nsec > 0 &&
	   a.tv_nsec <= 10000000, "clock_getres(CLOCK_MONOTONIC) is fine (%ld ns)",
	   a.tv_nsec);
}

static void test_uname(void)
{
	struct utsname u;

	ok(uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0,
	   "uname: sysname %s", u.sysname);
	ok(strcmp(u.machine, "x86_64") == 0, "uname: machine %s", u.machine);
	ok(u.release[0] >= '1' && u.release[0] <= '9' && strchr(u.release, '.'),
	   "uname: release %s", u.release);
	if (host_run())
		skip("uname: release 6.12 (host run: %s)", u.release);
	else
		ok(strncmp(u.release, "6.12", 4) == 0, "uname: release is 6.12 (%s)",
		   u.release);
}

static void test_fds(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	int pfd[2], ep, efd, r;
	struct pollfd p;
	uint64_t v = 3;
	char buf[16];
	struct timespec a, b;

	if (pipe(pfd))
		return;
	p.fd = pfd[0];
	p.events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = poll(&p, 1, 30);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ok(r == 0 && ns(&b) - ns(&a) >= 30000000LL, "poll times out after 30 ms");
	(void)!write(pfd[1], "x", 1);
	ok(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "poll sees a readable pipe");
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.u32 = 77;
	epoll_ctl(ep, EPOLL_CTL_ADD, pfd[0], &ev);
	ok(epoll_wait(ep, &got, 1, 1000) == 1 && got.data.u32 == 77,
	   "epoll_wait reports it");
	(void)!read(pfd[0], buf, 1);
	ok(epoll_wait(ep, &got, 1, 10) == 0, "and nothing once drained");
	close(ep);
	close(pfd[0]);
	close(pfd[1]);

	efd = eventfd(0, 0);
	(void)!write(efd, &v, 8);
	(void)!write(efd, &v, 8);
	r = read(efd, &v, 8);
	ok(r == 8 && v == 6, "eventfd adds up (%llu)", (unsigned long long)v);
	close(efd);

	ok(getrandom(buf, sizeof(buf), 0) == sizeof(buf), "getrandom");
	r = open("/dev/null", O_WRONLY);
	ok(r >= 0 && write(r, "x", 1) == 1, "/dev/null is writable");
	if (r >= 0)
		close(r);
}

/*
 * The legacy 32-bit entry from a 64-bit process: i386 getpid (20).  The
 * port has no IA32 emulation, so the call must not run as some 64-bit
 * call and must not hurt the kernel.
 */
static long int80_getpid(void)
{
	long ret = 20;

	/* the compat entry zeroes r8-r15 on the way back */
	asm volatile("int $0x80" : "+a"(ret) : : "memory", "rcx", "r8", "r9", "r10",
		     "r11", "r12", "r13", "r14", "r15");
	return ret;
}

/*
 * The host stops the address-space process at int $0x80 as at any system
 * call, and um_syscall() answers -ENOSYS; the child then goes on and
 * exits 0.  (A host without IA32 emulation would raise SIGSEGV instead,
 * before the port sees the call: such a host is not supported here.)
 */
static void test_int80(void)
{
	int pfd[2], status;
	long ret = 0;
	pid_t child;

	if (host_run()) {
		skip("int $0x80: on the host the host's IA32 emulation decides");
		return;
	}
	if (pipe(pfd))
		return;
	child = fork();
	if (child == 0) {
		ret = int80_getpid();
		(void)!write(pfd[1], &ret, sizeof(ret));
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = 0;	/* it died first */
	close(pfd[0]);
	status = wait_child(child, 20);
	ok(exited_with(status, 0) && ret == -ENOSYS,
	   "int $0x80 in a child returns -ENOSYS (%s, returned %ld)",
	   status_str(status), ret);
	ok(getpid() > 0 && kill(getpid(), 0) == 0, "the parent goes on");
}

int main(void)
{
	tap_init("t-misc", 120);
	test_proc();
	test_clocks();
	test_uname();
	test_fds();
	test_int80();
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Failed process creation leaves the kernel intact.  clone() and clone3()
 * are made to fail, many times each, in every way that fails after the
 * kernel has already copied the parent's task struct: a namespace this
 * kernel does not have, RLIMIT_NPROC, a set_tid that is taken, a pidfd
 * that cannot be stored, a cgroup descriptor that is not one, and (where
 * the kernel has fault injection) memory that runs out at each of the
 * allocations fork makes.  Then fork, exec, threads, FPU state and file
 * I/O must still work.  The host side checks the console for BUG and
 * WARNING lines (tests/cases/40-guest.sh).
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "tap.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define ROUNDS		30
#define CHILD_MAGIC	37

static char self_path[4096];

/* clone3(): glibc 2.36 has no wrapper. */
static long do_clone3(struct clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof(*args));
}

static int clone3_failures(struct clone_args *args, int want);

/* After a clone that should not have made a child but did: reap it. */
static void reap_if_child(long r)
{
	int status;

	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, &status, __WALL);
}

/* Every namespace clone3() can make: its /proc/self/ns name and flag. */
static const struct {
	const char *ns;
	unsigned long flag;
} spaces[] = {
	{ "user", CLONE_NEWUSER }, { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP },
	{ "time", CLONE_NEWTIME },
};

/* Does this kernel have namespace NAME (a file of /proc/self/ns)? */
static int has_ns(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return access(path, F_OK) == 0;
}

/*
 * A namespace this kernel lacks: clone() duplicates the task, then
 * copy_creds() or copy_namespaces() refuses with EINVAL.  One the kernel
 * has must give a child; both are asked ROUNDS times.  A kernel without
 * control groups has no cgroup namespace either and ignores the flag, as
 * there is nothing to separate: that one always gives a child.
 */
static void test_namespaces(void)
{
	unsigned int i, n;

	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		int have = has_ns(spaces[i].ns) ||
			   spaces[i].flag == CLONE_NEWCGROUP;
		int right = 0, status;
		struct clone_args args = {
			.flags = spaces[i].flag,
			.exit_signal = SIGCHLD,
		};
		long r = 0;

		for (n = 0; n < ROUNDS; n++) {
			r = do_clone3(&args);
			if (r == 0)
				_exit(CHILD_MAGIC);
			if (have && r > 0) {
				waitpid(r, &status, 0);
				right += exited_with(status, CHILD_MAGIC);
			} else if (!have && r < 0 && errno == EINVAL) {
				right++;
			} else {
				reap_if_child(r);
			}
		}
		ok(right == ROUNDS,
		   "clone3 with a new %s namespace %s %d times of %d",
		   spaces[i].ns, have ? "makes a child" : "fails with EINVAL",
		   right, ROUNDS);
	}
}

/*
 * A namespace the kernel has, but none left to give: with
 * user.max_<NAME>_namespaces at 0, copy_creds() or copy_namespaces() fails
 * with ENOSPC, again after the copy.  The limit is put back afterwards.
 */
static void test_namespace_limits(void)
{
	unsigned int i;

	if (host_run()) {
		skip("clone3 over the namespace limits: not on the host, whose limits they are");
		return;
	}
	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		char path[80], old[32] = "";
		struct clone_args args = {
			.flags = spaces[i].flag,
			.exit_signal = SIGCHLD,
		};
		int fd, n, right;

		if (!has_ns(spaces[i].ns)) {
			skip("clone3 over the %s namespace limit: this kernel has no %s namespaces",
			     spaces[i].ns, spaces[i].ns);
			continue;
		}
		snprintf(path, sizeof(path), "/proc/sys/user/max_%s_namespaces",
			 spaces[i].ns);
		fd = open(path, O_RDWR);
		if (fd < 0) {
			skip("clone3 over the %s namespace limit: no %s",
			     spaces[i].ns, path);
			continue;
		}
		n = read(fd, old, sizeof(old) - 1);
		if (n <= 0 || pwrite(fd, "0\n", 2, 0) != 2) {
			close(fd);
			ok(0, "set %s to 0", path);
			continue;
		}
		right = clone3_failures(&args, ENOSPC);
		(void)!pwrite(fd, old, n, 0);
		close(fd);
		ok(right == ROUNDS,
		   "clone3 over the %s namespace limit fails with ENOSPC %d times of %d",
		   spaces[i].ns, right, ROUNDS);
	}
}

/* The same for the old clone(), the call the bug was first seen with. */
static void test_old_clone(void)
{
	int have = has_ns("user"), right = 0, status, n;
	long r;

	for (n = 0; n < ROUNDS; n++) {
		r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(CHILD_MAGIC);
		if (have && r > 0) {
			waitpid(r, &status, 0);
			right += exited_with(status, CHILD_MAGIC);
		} else if (!have && r < 0 && errno == EINVAL) {
			right++;
		} else {
			reap_if_child(r);
		}
	}
	ok(right == ROUNDS, "clone(CLONE_NEWUSER) %s %d times of %d",
	   have ? "makes a child" : "fails with EINVAL", right, ROUNDS);
}

/*
 * RLIMIT_NPROC is checked just after the copy.  As root it does not
 * apply, so a child becomes an ordinary user with a limit of one process.
 */
static void test_nproc(void)
{
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		struct rlimit one = { 1, 1 };
		int n, right = 0;
		long r;

		if (setgid(4242) || setuid(4242) ||
		    setrlimit(RLIMIT_NPROC, &one))
			_exit(2);
		for (n = 0; n < ROUNDS; n++) {
			r = fork();
			if (r == 0)
				_exit(0);
			if (r < 0 && errno == EAGAIN)
				right++;
			else
				reap_if_child(r);
		}
		_exit(right == ROUNDS ? 0 : 1);
	}
	status = wait_child(child, 60);
	ok(exited_with(status, 0),
	   "fork over RLIMIT_NPROC fails with EAGAIN %d times (%s)", ROUNDS,
	   status_str(status));
}

/* clone3() with @args ROUNDS times: how often it failed with @want. */
static int clone3_failures(struct clone_args *args, int want)
{
	int n, right = 0;
	long r;

	for (n = 0; n < ROUNDS; n++) {
		r = do_clone3(args);
		if (r < 0 && errno == want)
			right++;
		else
			reap_if_child(r);
	}
	return right;
}

/* set_tid naming a pid in use: alloc_pid() refuses after copy_thread(). */
static void test_set_tid(void)
{
	pid_t taken = getpid();
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&taken,
		.set_tid_size = 1,
	};
	int right = clone3_failures(&args, EEXIST);

	ok(right == ROUNDS, "clone3 with a taken set_tid fails with EEXIST %d times of %d",
	   right, ROUNDS);
}

/* A pidfd that cannot be stored: the last step of copy_process(). */
static void test_bad_pidfd(void)
{
	struct clone_args args = {
		.flags = CLONE_PIDFD,
		.exit_signal = SIGCHLD,
		.pidfd = 8,		/* an address nobody maps */
	};
	int right = clone3_failures(&args, EFAULT);

	ok(right == ROUNDS, "clone3 storing its pidfd at a bad address fails with EFAULT %d times of %d",
	   right, ROUNDS);
}

/* CLONE_INTO_CGROUP with a descriptor that is no cgroup. */
static void test_bad_cgroup(void)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
	};
	int right;

	if (access("/proc/self/cgroup", F_OK) != 0) {
		skip("clone3 into a cgroup: this kernel has no control groups");
		return;
	}
	args.cgroup = open("/proc/self/exe", O_RDONLY);
	right = clone3_failures(&args, EBADF);
	close(args.cgroup);
	ok(right == ROUNDS, "clone3 into a file that is no cgroup fails with EBADF %d times of %d",
	   right, ROUNDS);
}

/* Write VALUE to a control file; 0 on success. */
static int put_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ok_ = -1;

	if (fd < 0)
		return -1;
	if (write(fd, value, strlen(value)) == (ssize_t)strlen(value))
		ok_ = 0;
	close(fd);
	return ok_;
}

/*
 * Fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and their
 * debugfs files): fail the n-th allocation of this thread's next system
 * call, for n = 1, 2, ... until fork gets through all of them.  Every
 * allocation fork makes fails once, at its own point in copy_process().
 */
static void test_fault_injection(void)
{
	char path[64], buf[32];
	int n, failed = 0, wrong = 0, done = 0, fd;
	long r;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(path, W_OK) != 0) {
		skip("fork under fault injection: this kernel has none (the debug build has)");
		return;
	}
	mkdir("/sys/kernel/debug", 0755);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	/* By default both points ignore allocations that may sleep. */
	put_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	put_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	put_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");

	for (n = 1; n < 2000 && !done; n++) {
		snprintf(buf, sizeof(buf), "%d", n);
		if (put_file(path, buf))
			break;
		r = fork();
		if (r == 0)
			_exit(0);
		fd = open(path, O_RDWR);
		buf[0] = 0;
		if (fd >= 0) {
			/* 0: the injected failure happened; else none was left */
			(void)!read(fd, buf, sizeof(buf) - 1);
			(void)!write(fd, "0", 1);
			close(fd);
		}
		if (r > 0) {
			reap_if_child(r);
			if (buf[0] != '0')
				done = 1;
		} else if (errno == ENOMEM || errno == EAGAIN) {
			failed++;
		} else {
			wrong++;
			diag("fork with allocation %d failing: errno %d", n, errno);
		}
	}
	ok(done && failed > 10 && !wrong,
	   "fork fails cleanly at each of its %d allocations (%d ENOMEM/EAGAIN, %d other)",
	   n - 1, failed, wrong);
}

/* --- is the kernel still whole? --- */

static void test_forks_and_execs(void)
{
	int n, good = 0, status;
	pid_t child;

	for (n = 0; n < 200; n++) {
		child = fork();
		if (child == 0) {
			if (n % 4 == 0)
				execl(self_path, self_path, "--exit-magic", NULL);
			_exit(CHILD_MAGIC);
		}
		if (child < 0)
			continue;
		status = wait_child(child, 30);
		good += exited_with(status, CHILD_MAGIC);
	}
	ok(good == 200, "200 forks afterwards, one in four execs: %d right", good);
}

static void *thread_sum(void *arg)
{
	volatile double x = 0;
	int i;

	for (i = 1; i <= 100000; i++)
		x += 1.0 / i;
	*(double *)arg = x;
	return NULL;
}

static void test_threads_and_fpu(void)
{
	double got[8], want = 0;
	pthread_t t[8];
	int i, right = 0;

	thread_sum(&want);
	for (i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, thread_sum, &got[i]))
			got[i] = -1;
		else
			right++;
	for (i = 0; i < 8; i++)
		if (got[i] != -1)
			pthread_join(t[i], NULL);
	for (i = 0; i < 8; i++)
		right -= got[i] != want;
	ok(right == 8, "8 threads afterwards compute the same sum as their parent");
}

static void test_file_io(void)
{
	static unsigned char out[1 << 20], in[1 << 20];
	const char *path = "/tmp/t-clonefail.data";
	size_t i;
	int fd, good = 0;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 131 + 7);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && write(fd, out, sizeof(out)) == sizeof(out) &&
	    fsync(fd) == 0 && pread(fd, in, sizeof(in), 0) == sizeof(in))
		good = memcmp(in, out, sizeof(in)) == 0;
	if (fd >= 0)
		close(fd);
	unlink(path);
	ok(good, "1 MiB written, synced and read back intact afterwards");
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 2 && strcmp(argv[1], "--exit-magic") == 0)
		return CHILD_MAGIC;
	tap_init("t-clonefail", 600);
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = 0;

	test_old_clone();
	test_namespaces();
	test_namespace_limits();
	test_nproc();
	test_set_tid();
	test_bad_pidfd();
	test_bad_cgroup();
	test_fault_injection();

	test_forks_and_execs();
	test_threads_and_fpu();
	test_file_io();
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Processes: fork, vfork, wait statuses, exit vs exit_group, execve of a
 * static program and of a #! script, getpid/getppid.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include "tap.h"

#define EXEC_MAGIC	42

static char self_path[4096];

/*
 * Run as "t-proc --exec-child WORD PID FD": what a freshly exec'd image
 * must see.  Exits EXEC_MAGIC if all is right, else a code naming what
 * was wrong.
 */
static int exec_child(int argc, char **argv)
{
	const char *env = getenv("T_PROC_ENV");

	if (argc != 5 || strcmp(argv[2], "hello world") != 0)
		return 1;
	if (!env || strcmp(env, "passed") != 0)
		return 2;
	if (atoi(argv[3]) != getpid())	/* execve keeps the pid */
		return 3;
	/* the O_CLOEXEC descriptor must be gone, the plain one kept */
	if (fcntl(atoi(argv[4]), F_GETFD) != -1 || errno != EBADF)
		return 4;
	if (fcntl(1, F_GETFD) == -1)
		return 5;
	return EXEC_MAGIC;
}

static void test_pids(void)
{
	pid_t me = getpid(), child;
	int pfd[2], status;
	pid_t seen[2] = { 0, 0 };

	ok(me > 0 && me == syscall(SYS_getpid), "getpid %d matches raw syscall", me);
	ok(getppid() > 0 && getppid() != me, "getppid %d differs from pid", getppid());
	ok(syscall(SYS_gettid) == me, "main thread's tid equals pid");

	if (pipe(pfd))
		return;
	child = fork();
	if (child == 0) {
		seen[0] = getpid();
		seen[1] = getppid();
		(void)!write(pfd[1], seen, sizeof(seen));
		_exit(0);
	}
	close(pfd[1]);
	ok(child > 0, "fork returns the child's pid (%d)", child);
	ok(read(pfd[0], seen, sizeof(seen)) == sizeof(seen), "child reports back");
	ok(seen[0] == child, "child's getpid %d equals fork's return", seen[0]);
	ok(seen[1] == me, "child's getppid %d equals parent's pid", seen[1]);
	close(pfd[0]);
	status = wait_child(child, 20);
	ok(exited_with(status, 0), "child exit status 0 (%s)", status_str(status));
}

static void test_fork_memory(void)
{
	static volatile int value = 1;
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		if (value != 1)
			_exit(1);
		value = 2;
		_exit(value == 2 ? 0 : 2);
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 0), "forked child sees and changes its copy (%s)",
	   status_str(status));
	ok(value == 1, "parent's copy unchanged after child wrote (%d)", value);
}

static void test_vfork(void)
{
	static volatile int shared;
	struct timespec t0, t1;
	pid_t child;
	int status;

	shared = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = vfork();
	if (child == 0) {
		/* parent is suspended until we exit: it must see our write */
		struct timespec d = { 0, 100 * 1000 * 1000 };

		nanosleep(&d, NULL);
		shared = 7;
		_exit(7);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(child > 0, "vfork returns a pid");
	ok(shared == 7, "vfork child shares memory (saw %d)", shared);
	ok((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >= 90000000L,
	   "vfork parent waited for the child's exit");
	status = wait_child(child, 20);
	ok(exited_with(status, 7), "vfork child exit status 7 (%s)", status_str(status));
}

static void test_wait_statuses(void)
{
	static const int codes[] = { 0, 1, 77, 255 };
	pid_t child, r;
	int status, i, gate[2];

	for (i = 0; i < 4; i++) {
		child = fork();
		if (child == 0)
			_exit(codes[i]);
		r = waitpid(child, &status, 0);
		ok(r == child && WIFEXITED(status) && WEXITSTATUS(status) == codes[i],
		   "waitpid reports exit(%d) (%s)", codes[i], status_str(status));
	}

	child = fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	r = waitpid(child, &status, WNOHANG);
	ok(r == 0, "WNOHANG on a running child returns 0 (%d)", r);
	kill(child, SIGKILL);
	r = waitpid(child, &status, 0);
	ok(r == child && killed_by(status, SIGKILL), "SIGKILLed child: %s",
	   status_str(status));

	/*
	 * The child waits on a pipe after it is continued: had it exited at
	 * once, waitpid(WCONTINUED) would rightly report the exit instead.
	 */
	if (pipe(gate))
		return;
	child = fork();
	if (child == 0) {
		char c;

		close(gate[1]);
		raise(SIGSTOP);
		_exit(read(gate[0], &c, 1) == 0 ? 5 : 6);
	}
	close(gate[0]);
	r = waitpid(child, &status, WUNTRACED);
	ok(r == child && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
	   "WUNTRACED sees the child stopped by SIGSTOP (0x%x)", status);
	kill(child, SIGCONT);
	r = waitpid(child, &status, WCONTINUED);
	ok(r == child && WIFCONTINUED(status), "WCONTINUED sees it continued (0x%x)",
	   status);
	close(gate[1]);
	r = waitpid(child, &status, 0);
	ok(r == child && exited_with(status, 5), "then it exits 5 (%s)",
	   status_str(status));

	child = fork();
	if (child == 0)
		_exit(3);
	r = wait(&status);
	ok(r == child && exited_with(status, 3), "wait() reaps any child (%d, %s)",
	   r, status_str(status));
	errno = 0;
	r = wait(&status);
	ok(r == -1 && errno == ECHILD, "wait() with no children gives ECHILD");
	r = waitpid(1, &status, WNOHANG);
	ok(r == -1 && errno == ECHILD, "waitpid on a non-child gives ECHILD");

	/* the full siginfo route, as waitid(2) reports it */
	child = fork();
	if (child == 0)
		_exit(9);
	{
		siginfo_t si;

		int r2;

		memset(&si, 0, sizeof(si));
		r2 = waitid(P_PID, child, &si, WEXITED);
		ok(r2 == 0 && si.si_pid == child &&
		   si.si_code == CLD_EXITED && si.si_status == 9,
		   "waitid: CLD_EXITED, status 9 (code %d status %d)", si.si_code,
		   si.si_status);
	}
}

/* Threads for the exit vs exit_group checks run inside a forked child. */
static void *thread_exit9(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 9);	/* ends this thread only */
	return NULL;
}

static void *thread_exit_group5(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 5);	/* ends every thread */
	return NULL;
}

static void *thread_late_exit_group6(void *arg)
{
	struct timespec d = { 0, 200 * 1000 * 1000 };

	(void)arg;
	nanosleep(&d, NULL);
	syscall(SYS_exit_group, 6);
	return NULL;
}

static void test_exit_vs_exit_group(void)
{
	pthread_t t;
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		if (pthread_create(&t, NULL, thread_exit9, NULL))
			_exit(100);
		/* join works through CLONE_CHILD_CLEARTID even for a raw exit */
		pthread_join(t, NULL);
		_exit(4);
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 4), "exit in a thread ends that thread only (%s)",
	   status_str(status));

	child = fork();
	if (child == 0) {
		if (pthread_create(&t, NULL, thread_exit_group5, NULL))
			_exit(100);
		for (;;)
			pause();
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 5), "exit_group in a thread ends the process (%s)",
	   status_str(status));

	child = fork();
	if (child == 0) {
		if (pthread_create(&t, NULL, thread_late_exit_group6, NULL))
			_exit(100);
		syscall(SYS_exit, 1);	/* main thread leaves, process lives on */
		_exit(101);
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 6),
	   "process outlives its main thread's exit; status from exit_group (%s)",
	   status_str(status));
}

static void test_exec_self(void)
{
	char pidbuf[16], fdbuf[16];
	pid_t child;
	int status, fd;

	fd = open("/", O_RDONLY | O_CLOEXEC);
	child = fork();
	if (child == 0) {
		char *argv[] = { self_path, "--exec-child", "hello world", pidbuf,
				 fdbuf, NULL };
		char *envp[] = { "T_PROC_ENV=passed", NULL };

		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		snprintf(fdbuf, sizeof(fdbuf), "%d", fd);
		execve(self_path, argv, envp);
		_exit(99);
	}
	close(fd);
	status = wait_child(child, 30);
	ok(exited_with(status, EXEC_MAGIC),
	   "execve of a static binary: argv, envp, pid, O_CLOEXEC (%s)",
	   status_str(status));
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	int n = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return chmod(path, mode);
}

static int exec_status(const char *path, char *const argv[], int *err)
{
	int pfd[2], status;
	pid_t child;

	*err = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -2;
	child = fork();
	if (child == 0) {
		execv(path, argv);
		(void)!write(pfd[1], &errno, sizeof(errno));
		_exit(99);
	}
	close(pfd[1]);
	if (read(pfd[0], err, sizeof(*err)) != sizeof(*err))
		*err = 0;
	close(pfd[0]);
	status = wait_child(child, 30);
	return status;
}

/* hello.c as dynamic PIE, dynamic non-PIE and static PIE (Makefile). */
static void test_exec_elf_kinds(void)
{
	static const char *const kinds[] = { "pie", "nopie", "static-pie" };
	char dir[4096], path[4200], want[64], got[64];
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s", self_path);
	*strrchr(dir, '/') = 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int pfd[2], status, n = 0;
		pid_t child;

		snprintf(path, sizeof(path), "%s/elf/hello-%s", dir, kinds[i]);
		snprintf(want, sizeof(want), "hello %s\n", kinds[i]);
		if (access(path, X_OK)) {
			ok(0, "execve of %s: %s is missing", kinds[i], path);
			continue;
		}
		if (pipe(pfd))
			continue;
		child = fork();
		if (child == 0) {
			char *argv[] = { path, (char *)kinds[i], NULL };

			dup2(pfd[1], 1);
			execv(path, argv);
			_exit(99);
		}
		close(pfd[1]);
		memset(got, 0, sizeof(got));
		while (n < (int)sizeof(got) - 1) {
			int r = read(pfd[0], got + n, sizeof(got) - 1 - n);

			if (r <= 0)
				break;
			n += r;
		}
		close(pfd[0]);
		status = wait_child(child, 30);
		ok(exited_with(status, 42) && !strcmp(got, want),
		   "execve of a %s ELF program (%s, printed \"%.20s\")",
		   kinds[i], status_str(status), got);
	}
}

static void test_exec_script(void)
{
	char script[64], garbage[64], noexec[64];
	int status, err;

	snprintf(script, sizeof(script), "/tmp/t-proc-%d.sh", getpid());
	snprintf(garbage, sizeof(garbage), "/tmp/t-proc-%d.bin", getpid());
	snprintf(noexec, sizeof(noexec), "/tmp/t-proc-%d.txt", getpid());

	if (access("/bin/sh", X_OK) != 0) {
		skip("no /bin/sh for the #! script test");
	} else if (write_file(script, "#!/bin/sh\n[ \"$1\" = arg1 ] && [ \"$2\" = arg2 ] && exit 33\nexit 1\n",
			      0755)) {
		ok(0, "write a script to /tmp: %s", strerror(errno));
	} else {
		char *argv[] = { script, "arg1", "arg2", NULL };

		status = exec_status(script, argv, &err);
		ok(exited_with(status, 33), "execve of a #!/bin/sh script with arguments (%s%s%s)",
		   status_str(status), err ? ", " : "", err ? strerror(err) : "");
	}
	unlink(script);

	if (write_file(garbage, "\x01\x02\x03 this is not a program\n", 0755) == 0) {
		char *argv[] = { garbage, NULL };

		status = exec_status(garbage, argv, &err);
		ok(err == ENOEXEC, "execve of an unknown format fails ENOEXEC (%s)",
		   err ? strerror(err) : status_str(status));
	}
	unlink(garbage);

	if (write_file(noexec, "#!/bin/sh\nexit 0\n", 0644) == 0) {
		char *argv[] = { noexec, NULL };

		status = exec_status(noexec, argv, &err);
		ok(err == EACCES, "execve of a file without x bits fails EACCES (%s)",
		   err ? strerror(err) : status_str(status));
	}
	unlink(noexec);

	{
		char *argv[] = { "/nonexistent/program", NULL };

		status = exec_status(argv[0], argv, &err);
		ok(err == ENOENT, "execve of a missing file fails ENOENT (%s)",
		   err ? strerror(err) : status_str(status));
	}
}

static void find_self(const char *argv0)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);

	if (n > 0) {
		self_path[n] = 0;
		return;
	}
	/* no /proc: fall back on how we were started */
	snprintf(self_path, sizeof(self_path), "%s", argv0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argc, argv);

	tap_init("t-proc", 120);
	find_self(argv[0]);
	test_pids();
	test_fork_memory();
	test_vfork();
	test_wait_statuses();
	test_exit_vs_exit_group();
	test_exec_self();
	test_exec_script();
	test_exec_elf_kinds();
	return tap_done();
}

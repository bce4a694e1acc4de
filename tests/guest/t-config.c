// SPDX-License-Identifier: GPL-2.0
/*
 * What distributions and test suites look for in a kernel's configuration
 * (Documentation/config.rst): /proc/config.gz, cgroup v2 with its usual
 * controllers, seccomp filters, BSD process accounting, AF_PACKET and IPv6
 * sockets, user namespaces, loop devices, /proc/sysrq-trigger.  Run as
 * root, as the guest's init runs it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef ETH_P_ALL
#define ETH_P_ALL	0x0003
#endif

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* A filter that makes getppid fail with EPERM and sends SIGSYS for getuid. */
static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getuid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	_exit(si->si_code == 1 /* SYS_SECCOMP */ &&
	      si->si_syscall == SYS_getuid ? 42 : 43);
}

static void seccomp_checks(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_sigsys,
					.sa_flags = SA_SIGINFO };

		sigaction(SIGSYS, &sa, NULL);
		if (install_filter())
			_exit(10);
		if (syscall(SYS_getppid) != -1 || errno != EPERM)
			_exit(11);
		if (syscall(SYS_getpid) <= 0)
			_exit(12);
		syscall(SYS_getuid);
		_exit(13);
	}
	status = wait_child(pid, 30);
	ok(exited_with(status, 42),
	   "seccomp filter: RET_ERRNO fails getppid, RET_TRAP sends SIGSYS (%s)",
	   status_str(status));

	pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		};
		struct sock_fprog prog = { .len = 1, .filter = f };

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
		syscall(SYS_getpid);
		_exit(0);
	}
	status = wait_child(pid, 30);
	ok(killed_by(status, SIGSYS), "seccomp RET_KILL_PROCESS: %s",
	   status_str(status));

	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
			_exit(10);
		syscall(SYS_getpid);
		_exit(0);
	}
	status = wait_child(pid, 30);
	ok(killed_by(status, SIGKILL), "seccomp strict mode: %s",
	   status_str(status));
}

int main(void)
{
	char buf[4096], dir[] = "/tmp/t-config.XXXXXX", path[128];
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	unsigned char magic[2] = { 0, 0 };
	struct stat st;
	int fd, err, status, guest = !host_run();
	pid_t pid;

	tap_init("t-config", 60);

	fd = open("/proc/config.gz", O_RDONLY);
	ok(fd >= 0 && read(fd, magic, 2) == 2 && magic[0] == 0x1f &&
	   magic[1] == 0x8b, "/proc/config.gz is there and gzip");
	if (fd >= 0)
		close(fd);

	if (mkdtemp(dir) && mount("none", dir, "cgroup2", 0, NULL) == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
		read_file(path, buf, sizeof(buf));
		diag("cgroup v2 controllers: %s", strtok(buf, "\n") ?: "");
		read_file(path, buf, sizeof(buf));
		/* The host's controllers may be taken by a v1 hierarchy. */
		if (guest)
			ok(strstr(buf, "cpu") && strstr(buf, "memory") &&
			   strstr(buf, "pids") && strstr(buf, "io"),
			   "cgroup v2 mounts, with the cpu, io, memory and pids controllers");
		if (!guest)
			umount(dir);
		else
			ok(umount(dir) == 0, "cgroup v2 unmounts");
	} else {
		ok(0, "mount cgroup2: %s", strerror(errno));
	}
	rmdir(dir);

	seccomp_checks();

	/* Accounting covers the whole system: only in a guest. */
	snprintf(path, sizeof(path), "/tmp/t-config-acct.%d", getpid());
	if (!guest)
		goto sockets;
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	if (syscall(SYS_acct, path) == 0) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		wait_child(pid, 10);
		syscall(SYS_acct, NULL);
		if (stat(path, &st))
			st.st_size = -1;
		/* Version 3 records of 64 bytes: the child's and ours. */
		ok(st.st_size >= 64 && st.st_size % 64 == 0,
		   "BSD process accounting writes records (%lld bytes)",
		   (long long)st.st_size);
	} else {
		ok(0, "acct(): %s", strerror(errno));
	}
	unlink(path);

sockets:
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ok(fd >= 0, "socket(AF_PACKET, SOCK_RAW): %s",
	   fd >= 0 ? "ok" : strerror(errno));
	if (fd >= 0)
		close(fd);

	/* ::1 is there once lo is up, as a distribution's boot leaves it. */
	if (guest)
		loopback_up();
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	err = fd < 0 ? errno : 0;
	if (!err && bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
		err = errno;
	if (!err && listen(fd, 1))
		err = errno;
	ok(!err, "an IPv6 socket listens on ::1 (%s)",
	   err ? strerror(err) : "ok");
	if (fd >= 0)
		close(fd);

	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	status = wait_child(pid, 10);
	ok(exited_with(status, 0), "unshare(CLONE_NEWUSER): %s",
	   status_str(status));

	ok(stat("/dev/loop-control", &st) == 0 ||
	   (read_file("/proc/devices", buf, sizeof(buf)) > 0 &&
	    strstr(buf, " loop\n")), "loop devices are there");
	if (guest)
		ok(access("/proc/sysrq-trigger", W_OK) == 0,
		   "/proc/sysrq-trigger is there");
	return tap_done();
}

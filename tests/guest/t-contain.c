// SPDX-License-Identifier: GPL-2.0
/*
 * Containment: a process that misbehaves dies alone.  Wild writes and
 * jumps end in SIGSEGV; no page it does not own (low memory, the top of
 * user space where a port may keep helper pages, the kernel half) can be
 * read, written or mprotect()ed; a fork bomb under RLIMIT_NPROC meets
 * EAGAIN; eating memory ends in the OOM killer (in a guest: on the host
 * the host's memory decides, so that check skips).  After each, the
 * parent goes on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include "tap.h"

static long page;

/* The lowest address above user space on x86-64 (47-bit). */
#define USER_TOP	0x800000000000UL
/*
 * The port's stub (host-helpers/include/host/stub.h): its code page and
 * data pages are the one thing an address space holds besides the guest's
 * own mappings.  Readable, and the data writable, by design; the kernel
 * trusts nothing it reads back from them.
 */
#define PORT_STUB_LO	0x7fc0000000UL
#define PORT_STUB_HI	(PORT_STUB_LO + 9 * 0x1000UL)

/*
 * The host's own vDSO, which the port maps again there for the guest's
 * vDSO to call (host-helpers/include/host/vdso.h): the host kernel's clock
 * code and data, readable by every host process.  Readable, never
 * writable.
 */
#define PORT_HOST_VDSO_LO	0x7fc0100000UL
#define PORT_HOST_VDSO_HI	(PORT_HOST_VDSO_LO + 64 * 0x1000UL)

static int in_host_vdso(unsigned long addr)
{
	return addr >= PORT_HOST_VDSO_LO && addr < PORT_HOST_VDSO_HI;
}

/* Where upstream UML kept its stub pages: a port's helpers may be there. */
#define STUB_AREA	0x7fbfff000000UL

/* --- children that must die by SIGSEGV --- */

static void die_write(unsigned long addr)
{
	*(volatile int *)addr = 0x5a5a5a5a;
}

static void die_read(unsigned long addr)
{
	(void)*(volatile int *)addr;
}

static void die_jump(unsigned long addr)
{
	((void (*)(void))addr)();
}

static void die_nx(unsigned long unused)
{
	/* a "ret" in a page mapped without PROT_EXEC */
	unsigned char *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(3);
	p[0] = 0xc3;
	((void (*)(void))p)();
}

static int owned(unsigned long addr)
{
	/* msync fails (ENOMEM) on any range that is not entirely mapped */
	return msync((void *)(addr & ~(page - 1)), page, MS_ASYNC) == 0;
}

static void must_segv(const char *what, void (*fn)(unsigned long), unsigned long addr)
{
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		if (fn != die_nx && owned(addr))
			_exit(77);	/* legitimately ours here: nothing to show */
		fn(addr);
		_exit(0);
	}
	status = wait_child(child, 20);
	if (exited_with(status, 77))
		skip("%s %#lx: mapped in this process", what, addr);
	else if (fn == die_nx)
		ok(killed_by(status, SIGSEGV), "%s: child dies by SIGSEGV (%s)", what,
		   status_str(status));
	else
		ok(killed_by(status, SIGSEGV), "%s %#lx: child dies by SIGSEGV (%s)", what,
		   addr, status_str(status));
}

static void test_wild(void)
{
	must_segv("write to", die_write, 0x1000);
	must_segv("write to", die_write, 0x10);
	must_segv("write to", die_write, STUB_AREA);
	must_segv("write to", die_write, USER_TOP - 0x1000);
	must_segv("write to", die_write, 0xffff888000000000UL);
	must_segv("write to", die_write, 0xffffffff81000000UL);
	must_segv("read of", die_read, STUB_AREA + 0x1000);
	must_segv("read of", die_read, 0xffffffff81000000UL);
	must_segv("jump to", die_jump, 0xdead000);
	must_segv("jump to", die_jump, STUB_AREA);
	must_segv("jump to", die_jump, 0xffffffff81000000UL);
	must_segv("jump into a non-executable page", die_nx, 0);
	ok(getpid() > 0, "the parent goes on");
}

/* --- scanning the address space for pages we can reach but do not own --- */

static sigjmp_buf probe_env;

static void probe_handler(int sig)
{
	siglongjmp(probe_env, 1);
}

static int reaches(unsigned long addr, int write)
{
	volatile int reached = 0;

	if (sigsetjmp(probe_env, 1) == 0) {
		if (write)
			*(volatile char *)addr = 0;
		else
			(void)*(volatile char *)addr;
		reached = 1;
	}
	return reached;
}

struct scan {
	unsigned long probes, skipped, bad;
	unsigned long first_bad;
	char how[16];
};

/* Below the stack, any access grows it: that memory is ours to take. */
static unsigned long stack_lo, stack_hi;

static void probe(struct scan *s, unsigned long addr)
{
	addr &= ~(page - 1);
	if (owned(addr) || (addr >= stack_lo && addr < stack_hi) ||
	    (addr >= PORT_STUB_LO && addr < PORT_STUB_HI)) {
		s->skipped++;
		return;
	}
	s->probes++;
	if (mprotect((void *)addr, page, PROT_READ | PROT_WRITE | PROT_EXEC) == 0)
		strcpy(s->how, "mprotect");
	/* the vsyscall page may be readable on the host; it is x86's, not ours */
	else if (addr != 0xffffffffff600000UL && !in_host_vdso(addr) &&
		 reaches(addr, 0))
		strcpy(s->how, "read");
	else if (reaches(addr, 1))
		strcpy(s->how, "write");
	else
		return;
	if (!s->bad++)
		s->first_bad = addr;
}

/*
 * Probe: every power of two, the last 16 MiB below USER_TOP and the 16 MiB
 * above our highest mapping page by page, the top 64 GiB every 4 MiB, and
 * the kernel half here and there.
 */
static void scan(struct scan *s)
{
	unsigned long a, highest = 0, sp = (unsigned long)&a;
	struct rlimit rl = { 8UL << 20, 8UL << 20 };
	char line[512];
	FILE *maps;
	int k;

	/* with an 8 MiB stack limit, growth stays within 8 MiB (+ guard) */
	setrlimit(RLIMIT_STACK, &rl);
	stack_lo = (sp & ~(page - 1)) - (32UL << 20);
	for (stack_hi = sp & ~(page - 1); owned(stack_hi); stack_hi += page)
		;

	for (k = 12; k < 47; k++)
		probe(s, 1UL << k);
	for (a = USER_TOP - (16UL << 20); a < USER_TOP; a += page)
		probe(s, a);
	for (a = USER_TOP - (64UL << 30); a < USER_TOP; a += 4UL << 20)
		probe(s, a);
	maps = fopen("/proc/self/maps", "r");
	while (maps && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi < USER_TOP && hi > highest)
			highest = hi;
	}
	if (maps)
		fclose(maps);
	for (a = highest; a && a < highest + (16UL << 20) && a < USER_TOP; a += page)
		probe(s, a);
	for (k = 0; k < 64; k++)
		probe(s, 0xffff800000000000UL + ((unsigned long)k << 40));
	probe(s, 0xffffffffff600000UL);
	probe(s, 0xfffffffffffff000UL);
}

static void test_scan(void)
{
	struct scan s;
	int pfd[2], status;
	pid_t child;

	memset(&s, 0, sizeof(s));
	if (pipe(pfd))
		return;
	child = fork();
	if (child == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = probe_handler;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		scan(&s);
		(void)!write(pfd[1], &s, sizeof(s));
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &s, sizeof(s)) != sizeof(s))
		s.probes = 0;
	close(pfd[0]);
	status = wait_child(child, 100);
	if (s.bad)
		ok(0, "%lu unowned pages probed: %lu reachable, the first %#lx by %s",
		   s.probes, s.bad, s.first_bad, s.how);
	else
		ok(exited_with(status, 0) && s.probes > 1000,
		   "%lu unowned pages: none can be mprotected, read or written "
		   "(%lu owned skipped; child %s)", s.probes, s.skipped,
		   status_str(status));
}

/* mmap at the very top of user space: refused, or memory that works. */
static void test_top_mmap(void)
{
	static const unsigned long where[] = {
		USER_TOP - 0x1000, USER_TOP - 0x200000, STUB_AREA, STUB_AREA - 0x1000,
	};
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		unsigned i;

		for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
			char *p = mmap((void *)where[i], page, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				       -1, 0);

			if (p == MAP_FAILED)
				continue;
			if (p != (char *)where[i])
				_exit(10 + i);
			memset(p, 0xa5, page);
			if (p[page - 1] != (char)0xa5)
				_exit(20 + i);
			munmap(p, page);
		}
		_exit(0);
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 0),
	   "mmap at the top of user space is refused or gives working memory (%s)",
	   status_str(status));
}

/* --- fork bomb under RLIMIT_NPROC --- */

#define NPROC_LIMIT	32
#define BOMB_CAP	(NPROC_LIMIT + 64)	/* bound even if the limit fails */

/* count_tasks(uid): this user's tasks (threads count), from /proc; -1 if unknown. */
static int count_tasks(uid_t uid)
{
	char path[300], line[128];
	struct dirent *d;
	DIR *proc;
	int n = 0;
	FILE *f;

	proc = opendir("/proc");
	if (!proc)
		return -1;
	while ((d = readdir(proc))) {
		unsigned int r;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "Uid:\t%u", &r) == 1 && r != uid)
				break;
			if (sscanf(line, "Threads:\t%u", &r) == 1)
				n += r;
		}
		fclose(f);
	}
	closedir(proc);
	return n;
}

static void bomb(int ev, volatile int *count)
{
	pid_t p;
	char c;

	for (;;) {
		if (__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST) > BOMB_CAP) {
			c = 'N';	/* the limit never bit */
			break;
		}
		p = fork();
		if (p < 0) {
			c = errno == EAGAIN ? 'E' : 'X';
			break;
		}
		/* parent and child both go on forking */
	}
	(void)!write(ev, &c, 1);
	for (;;)
		pause();
}

/* The bomb's controller, in its own child: exits 0 on EAGAIN. */
static void bomb_controller(void)
{
	volatile int *count = mmap(NULL, page, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct rlimit rl;
	struct pollfd pf;
	int ev[2], code = 3, tasks = 0, i;
	pid_t root;
	char c;

	if (count == MAP_FAILED || pipe(ev))
		_exit(10);
	if (getuid() == 0) {
		/*
		 * RLIMIT_NPROC does not bind root: become a user of our own, who
		 * has no other processes (and no capabilities).
		 */
		uid_t uid = 3000000 + getpid() % 100000;

		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid))
			_exit(11);
		rl.rlim_cur = rl.rlim_max = NPROC_LIMIT;
	} else {
		tasks = count_tasks(getuid());
		if (tasks <= 0)
			_exit(12);
		rl.rlim_cur = rl.rlim_max = tasks + NPROC_LIMIT;
	}
	if (setrlimit(RLIMIT_NPROC, &rl))
		_exit(13);
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* orphans of the bomb come to us */
	root = fork();
	if (root == 0) {
		setpgid(0, 0);
		close(ev[0]);
		bomb(ev[1], count);
	}
	if (root < 0)
		_exit(14);
	setpgid(root, root);
	close(ev[1]);
	pf.fd = ev[0];
	pf.events = POLLIN;
	if (poll(&pf, 1, 30000) == 1 && read(ev[0], &c, 1) == 1)
		code = c == 'E' ? 0 : c == 'N' ? 2 : 1;
	/* kill the whole group until nothing of it is left */
	for (i = 0; i < 6000; i++) {
		int gone = kill(-root, SIGKILL) && errno == ESRCH;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (gone && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		usleep(10000);
	}
	_exit(i == 6000 ? 4 : code);
}

static void test_fork_bomb(void)
{
	pid_t child;
	int status;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child == 0)
		bomb_controller();
	status = wait_child(child, 90);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (exited_with(status, 12)) {
		skip("fork bomb: cannot count this user's processes without /proc");
		return;
	}
	ok(exited_with(status, 0),
	   "fork bomb under RLIMIT_NPROC: fork fails EAGAIN, all cleaned up in %lds "
	   "(%s; exit 1: other errno, 2: limit never hit, 3: no answer, 4: not all killed)",
	   (long)(t1.tv_sec - t0.tv_sec), status_str(status));
}

/* --- running out of memory --- */

#define OOM_STEP	(64UL << 20)
#define OOM_BOUND	(2UL << 30)

/* The OOM killer's kill count (oom_kill of /proc/vmstat), or -1. */
static long oom_kills(void)
{
	static char buf[32768];
	int fd = open("/proc/vmstat", O_RDONLY), n, total = 0;
	char *s;

	if (fd < 0)
		return -1;
	while (total < (int)sizeof(buf) - 1 &&
	       (n = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	s = strstr(buf, "\noom_kill ");
	return s ? strtol(s + 10, NULL, 10) : -1;
}

/*
 * A child eats memory (touching every page) up to a bound well beyond the
 * guest's memory.  The guest has no swap and overcommits by heuristic, so
 * each 64 MiB mmap succeeds and the one outcome is the OOM killer's
 * SIGKILL, for this child (it asks to be first), counted in oom_kill.
 */
static void test_oom(void)
{
	unsigned long reached = 0;
	int pfd[2], status, fd;
	long kills_before, kills_after;
	pid_t child;
	char *p;

	if (host_run()) {
		skip("eating memory: on the host the host's memory decides");
		goto parent;
	}
	kills_before = oom_kills();
	if (pipe(pfd))
		return;
	child = fork();
	if (child == 0) {
		unsigned long total, off;

		close(pfd[0]);
		/* be the OOM killer's first choice, not the parent or init */
		fd = open("/proc/self/oom_score_adj", O_WRONLY);
		if (fd >= 0) {
			(void)!write(fd, "1000", 4);
			close(fd);
		}
		for (total = 0; total < OOM_BOUND; total += OOM_STEP) {
			p = mmap(NULL, OOM_STEP, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(0);
			for (off = 0; off < OOM_STEP; off += page)
				p[off] = 1;
			off = total + OOM_STEP;
			(void)!write(pfd[1], &off, sizeof(off));
		}
		_exit(1);
	}
	close(pfd[1]);
	status = wait_child(child, 150);
	while (read(pfd[0], &reached, sizeof(reached)) == sizeof(reached))
		;
	close(pfd[0]);
	kills_after = oom_kills();
	ok(killed_by(status, SIGKILL) && kills_before >= 0 &&
	   kills_after == kills_before + 1,
	   "eating memory: the OOM killer kills the eater, once (%s after %lu MiB; oom_kill %ld -> %ld)",
	   status_str(status), reached >> 20, kills_before, kills_after);

parent:
	p = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 1, 16 << 20);
		munmap(p, 16 << 20);
	}
	ok(p != MAP_FAILED, "the parent goes on and can allocate 16 MiB");
}

/* A child forks and exits normally: process creation still works. */
static int fork_works(void)
{
	pid_t child = fork();

	if (child == 0)
		_exit(7);
	return child > 0 && exited_with(wait_child(child, 30), 7);
}

/*
 * The stub's data pages are the guest's to write, by design: garbage in
 * them (a batch count the kernel would index with, results, fault
 * details) must cost the kernel nothing.  A child scribbles there, then
 * makes the kernel change its mappings; whatever becomes of the child,
 * this process and fork go on.
 */
static void test_stub_garbage(void)
{
	static const long junk[] = { -1000000, -1, 0x7fffffffffffffffL, 123456 };
	unsigned int i;
	int good = 0, status;
	pid_t child;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		child = fork();
		if (child == 0) {
			volatile long *data = (volatile long *)(PORT_STUB_LO + 0x1000);
			char *m;
			int k;

			for (k = 0; k < 8; k++)
				data[k] = junk[i];
			m = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m != MAP_FAILED) {
				for (k = 0; k < 64; k++)
					m[k * page] = 1;
				munmap(m, 64 * page);
			}
			_exit(0);
		}
		status = wait_child(child, 60);
		good += status >= 0 && fork_works();
	}
	ok(good == 4, "garbage in the stub's data pages: %d of 4 children ended and fork still works",
	   good);
}

int main(void)
{
	tap_init("t-contain", 600);
	page = sysconf(_SC_PAGESIZE);
	test_wild();
	test_scan();
	test_top_mmap();
	test_stub_garbage();
	test_fork_bomb();
	test_oom();
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The vDSO: clock_gettime(), gettimeofday(), time(), clock_getres() and
 * getcpu() answer in user space, agree with the system calls they stand
 * for (a vDSO reading lies between the system-call readings taken just
 * before and just after it), never go backwards, work after fork() and
 * after exec, and cost far less than the system call.  A program that
 * makes the system calls itself works beside it.
 *
 * Booted with vdso=0 (/proc/cmdline says so), there must be no vDSO
 * (no AT_SYSINFO_EHDR, no [vdso] mapping), and the C library's clocks,
 * now system calls, must work all the same: the checks are then named
 * t-vdso-off.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <sched.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include "tap.h"

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*tod_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef int (*getcpu_fn)(unsigned int *, unsigned int *, void *);

/* A symbol of the vDSO at @base, through its dynamic section and DT_HASH. */
static void *vdso_sym(unsigned long base, const char *name)
{
	const Elf64_Ehdr *eh = (const void *)base;
	const Elf64_Phdr *ph = (const void *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const Elf32_Word *hash = NULL;
	const char *str = NULL;
	unsigned long load = 0;
	int i, have_load = 0;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			load = base + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		}
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(base + ph[i].p_offset);
	}
	if (!dyn || !have_load)
		return NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(load + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(load + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_HASH)
			hash = (const void *)(load + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (i = 0; i < (int)hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF &&
		    !strcmp(str + sym[i].st_name, name))
			return (void *)(load + sym[i].st_value);
	return NULL;
}

static int64_t ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void sys_gettime(clockid_t id, struct timespec *ts)
{
	syscall(SYS_clock_gettime, id, ts);
}

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME" },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
	{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
	{ CLOCK_TAI, "CLOCK_TAI" },
	{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
	{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
};

/* sys before <= vdso <= sys after, @n times over. */
static int brackets(gettime_fn fn, clockid_t id, int n)
{
	struct timespec a, v, b;
	int i;

	for (i = 0; i < n; i++) {
		sys_gettime(id, &a);
		if (fn(id, &v))
			return 0;
		sys_gettime(id, &b);
		if (ns(&v) < ns(&a) || ns(&v) > ns(&b)) {
			diag("clock %d: system call %lld, vDSO %lld, system call %lld",
			     id, (long long)ns(&a), (long long)ns(&v),
			     (long long)ns(&b));
			return 0;
		}
	}
	return 1;
}

static int never_backwards(gettime_fn fn, clockid_t id, long n)
{
	struct timespec a, b;
	long i;

	fn(id, &a);
	for (i = 0; i < n; i++) {
		if (i % 64 == 0)
			sys_gettime(id, &b);
		else
			fn(id, &b);
		if (ns(&b) < ns(&a))
			return 0;
		a = b;
	}
	return 1;
}

/* Average nanoseconds of one call, over @n. */
static double cost(gettime_fn fn, long n)
{
	struct timespec a, b, t;
	long i;

	sys_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		fn(CLOCK_MONOTONIC, &t);
	sys_gettime(CLOCK_MONOTONIC, &b);
	return (double)(ns(&b) - ns(&a)) / n;
}

static int sys_gettime_fn(clockid_t id, struct timespec *ts)
{
	return syscall(SYS_clock_gettime, id, ts);
}

static int vdso_off(void)
{
	char buf[4096];
	int fd = open("/proc/cmdline", O_RDONLY), n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, "vdso=0") != NULL;
}

static int maps_has(const char *what)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			found = 1;
	fclose(f);
	return found;
}

/* Exec'd by the fork check: read the clock through the vDSO, exit 0 if fine. */
static int exec_child(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	gettime_fn fn = base ? vdso_sym(base, "__vdso_clock_gettime") : NULL;

	return fn && brackets(fn, CLOCK_MONOTONIC, 1000) ? 0 : 1;
}

static void without_vdso(void)
{
	struct timespec a, b;
	struct timeval tv;
	time_t t;

	ok(!getauxval(AT_SYSINFO_EHDR), "vdso=0: no AT_SYSINFO_EHDR");
	ok(maps_has("[vdso]") == 0 && maps_has("[vvar]") == 0,
	   "vdso=0: no [vdso] or [vvar] mapping");
	ok(!clock_gettime(CLOCK_MONOTONIC, &a) &&
	   never_backwards(sys_gettime_fn, CLOCK_MONOTONIC, 20000),
	   "the C library's clock_gettime() works as a system call");
	clock_gettime(CLOCK_REALTIME, &b);
	ok(!gettimeofday(&tv, NULL) && tv.tv_sec >= b.tv_sec - 1 &&
	   tv.tv_sec <= b.tv_sec + 1, "gettimeofday() agrees with CLOCK_REALTIME");
	t = time(NULL);
	ok(t >= b.tv_sec && t <= b.tv_sec + 2, "time() agrees with CLOCK_REALTIME");
}

int main(int argc, char **argv)
{
	unsigned long base;
	gettime_fn gettime, getres;
	tod_fn tod;
	time_fn tm;
	getcpu_fn gc;
	unsigned int i, cpu = 99, node = 99;
	double c_vdso, c_sys;
	struct timeval tv;
	struct timespec a, b;
	pid_t pid;
	int status;

	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return exec_child();
	if (vdso_off()) {
		tap_init("t-vdso-off", 120);
		without_vdso();
		return tap_done();
	}
	tap_init("t-vdso", 120);

	base = getauxval(AT_SYSINFO_EHDR);
	if (!ok(base != 0, "AT_SYSINFO_EHDR names the vDSO"))
		return tap_done();
	ok(maps_has("[vdso]") == 1 && maps_has("[vvar]") == 1,
	   "[vdso] and [vvar] are mapped");
	ok(!memcmp((void *)base, ELFMAG, SELFMAG), "it is an ELF image");
	gettime = vdso_sym(base, "__vdso_clock_gettime");
	getres = vdso_sym(base, "__vdso_clock_getres");
	tod = vdso_sym(base, "__vdso_gettimeofday");
	tm = vdso_sym(base, "__vdso_time");
	gc = vdso_sym(base, "__vdso_getcpu");
	if (!ok(gettime && getres && tod && tm && gc,
		"it has clock_gettime, clock_getres, gettimeofday, time, getcpu"))
		return tap_done();

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		ok(brackets(gettime, clocks[i].id, 2000),
		   "%s: the vDSO's reading lies between two system calls",
		   clocks[i].name);
	for (i = 0; i < 3; i++) {
		struct timespec r1, r2;

		syscall(SYS_clock_getres, clocks[i].id, &r1);
		ok(!getres(clocks[i].id, &r2) && ns(&r1) == ns(&r2),
		   "%s: clock_getres agrees with the system call",
		   clocks[i].name);
	}
	ok(gettime(12345, &a) == -EINVAL || gettime(12345, &a) == -1,
	   "an invalid clock is refused");
	ok(never_backwards(gettime, CLOCK_MONOTONIC, 1000000),
	   "CLOCK_MONOTONIC never goes backwards (10^6 reads, system calls among them)");

	sys_gettime(CLOCK_REALTIME, &a);
	tod(&tv, NULL);
	sys_gettime(CLOCK_REALTIME, &b);
	ok((int64_t)tv.tv_sec * 1000000 + tv.tv_usec >= ns(&a) / 1000 &&
	   (int64_t)tv.tv_sec * 1000000 + tv.tv_usec <= ns(&b) / 1000,
	   "gettimeofday lies between two CLOCK_REALTIME system calls");
	sys_gettime(CLOCK_REALTIME, &a);
	{
		time_t t1 = tm(NULL), t2 = 0;

		tm(&t2);
		sys_gettime(CLOCK_REALTIME, &b);
		ok(t1 >= a.tv_sec && t1 <= b.tv_sec &&
		   (t2 == t1 || t2 == t1 + 1),
		   "time() agrees with CLOCK_REALTIME");
	}
	status = gc(&cpu, &node, NULL);
	ok(!status && (int)cpu < sysconf(_SC_NPROCESSORS_CONF) &&
	   (host_run() || (cpu == 0 && node == 0)),
	   "getcpu says CPU %u, node %u", cpu, node);

	/* The C library's own calls go to it too. */
	ok(brackets((gettime_fn)clock_gettime, CLOCK_MONOTONIC, 1000),
	   "the C library's clock_gettime() agrees with the system call");

	c_vdso = cost(gettime, 200000);
	c_sys = cost(sys_gettime_fn, 20000);
	diag("clock_gettime: vDSO %.0f ns, system call %.0f ns", c_vdso, c_sys);
	ok(c_vdso * 2 < c_sys, "the vDSO costs less than half the system call");

	/* A forked child's address space (a new host process) has it too. */
	pid = fork();
	if (pid == 0)
		_exit(brackets(gettime, CLOCK_MONOTONIC, 1000) ? 0 : 1);
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 0, "after fork, the child reads the vDSO clock");
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "exec-child", (char *)NULL);
		_exit(2);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 0, "after exec, the new program reads the vDSO clock");
	return tap_done();
}

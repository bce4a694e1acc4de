// SPDX-License-Identifier: GPL-2.0
/*
 * The host's vDSO, mapped again in address-space processes so that the
 * guest's vDSO can read the host's clock without a system call
 * (host/vdso.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <asm/prctl.h>
#include <host/vdso.h>
#include "internal.h"

/* Where this process has the host's vDSO: its data pages and code. */
static int find_mapping(unsigned long *start, unsigned long *end)
{
	char line[256], name[64];
	unsigned long s, e;
	FILE *maps = fopen("/proc/self/maps", "re");

	if (!maps)
		return -errno;
	*start = ~0UL;
	*end = 0;
	while (fgets(line, sizeof(line), maps)) {
		name[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %63s", &s, &e,
			   name) < 2)
			continue;
		/* [vvar], [vvar_vclock] (newer hosts) and [vdso]. */
		if (strncmp(name, "[vvar", 5) && strcmp(name, "[vdso]"))
			continue;
		if (s < *start)
			*start = s;
		if (e > *end)
			*end = e;
	}
	fclose(maps);
	return *end ? 0 : -ENOENT;
}

typedef int (*clock_fn)(clockid_t, struct timespec *);

/* The child of host_vdso_probe(): do it, and say whether it worked. */
static void __attribute__((noreturn))
try_move(unsigned long start, const struct host_vdso *v)
{
	struct timespec ts = { 0, 0 };

	if (munmap((void *)start, v->len) ||
	    syscall(SYS_arch_prctl, ARCH_MAP_VDSO_64, HOST_VDSO_AT) < 0)
		_exit(1);
	if (((clock_fn)v->clock_gettime)(CLOCK_MONOTONIC, &ts) ||
	    (!ts.tv_sec && !ts.tv_nsec))
		_exit(2);
	_exit(0);
}

int host_vdso_probe(struct host_vdso *v)
{
	unsigned long start, end, text = getauxval(AT_SYSINFO_EHDR);
	void *vdso, *fn;
	int err, pid, status;

	if (!text)
		return -ENOENT;
	err = find_mapping(&start, &end);
	if (err)
		return err;
	if (text < start || text >= end)
		return -ENOENT;
	vdso = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	fn = vdso ? dlvsym(vdso, "__vdso_clock_gettime", "LINUX_2.6") : NULL;
	if (!fn || (unsigned long)fn < text || (unsigned long)fn >= end)
		return -ENOENT;
	v->len = end - start;
	v->clock_gettime = HOST_VDSO_AT + ((unsigned long)fn - start);

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		try_move(start, v);
	err = host_wait_child(pid, &status);
	if (err)
		return err;
	if (!WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status) ? -ENOSYS : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The guest vDSO's functions.  The clocks are the generic vDSO code's,
 * over the data page the kernel keeps current and the host clock read of
 * asm/vdso/gettimeofday.h.  getcpu() has a fixed answer: the guest has
 * one CPU and one memory node.
 */
#include <linux/time.h>
#include <linux/types.h>
#include <vdso/gettime.h>

#include "gettimeofday.c"

int __vdso_getcpu(unsigned int *cpu, unsigned int *node, void *unused);

int __vdso_clock_gettime(clockid_t clock, struct __kernel_timespec *ts)
{
	return __cvdso_clock_gettime(clock, ts);
}

int __vdso_gettimeofday(struct __kernel_old_timeval *tv, struct timezone *tz)
{
	return __cvdso_gettimeofday(tv, tz);
}

__kernel_old_time_t __vdso_time(__kernel_old_time_t *t)
{
	return __cvdso_time(t);
}

int __vdso_clock_getres(clockid_t clock, struct __kernel_timespec *res)
{
	return __cvdso_clock_getres(clock, res);
}

int __vdso_getcpu(unsigned int *cpu, unsigned int *node, void *unused)
{
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

/* The plain names, for programs that look those up. */
int clock_gettime(clockid_t clock, struct __kernel_timespec *ts)
	__weak __alias(__vdso_clock_gettime);
int gettimeofday(struct __kernel_old_timeval *tv, struct timezone *tz)
	__weak __alias(__vdso_gettimeofday);
__kernel_old_time_t time(__kernel_old_time_t *t)
	__weak __alias(__vdso_time);
int getcpu(unsigned int *cpu, unsigned int *node, void *unused)
	__weak __alias(__vdso_getcpu);
int clock_getres(clockid_t clock, struct __kernel_timespec *res)
	__weak __alias(__vdso_clock_getres);

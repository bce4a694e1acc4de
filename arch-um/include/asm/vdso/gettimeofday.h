/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the generic vDSO code (lib/vdso/gettimeofday.c) asks of the
 * architecture, for the guest's vDSO (arch-um/kernel/vdso/).  The kernel
 * includes this header too, through <vdso/datapage.h>, and needs none of
 * it: everything is for the vDSO's build only.
 *
 * The clocksource's counter is the host's CLOCK_MONOTONIC in nanoseconds
 * (arch-um/kernel/time.c); the vDSO reads it by calling the host's own
 * vDSO, mapped in every address-space process (host/vdso.h), so a clock
 * read costs no trap and gives what the system call would.
 */
#ifndef _ASM_UM_VDSO_GETTIMEOFDAY_H
#define _ASM_UM_VDSO_GETTIMEOFDAY_H

#if defined(UM_BUILD_VDSO) && !defined(__ASSEMBLY__)

#include <asm/unistd.h>
#include <asm/vdso/vvar.h>
#include <uapi/linux/time.h>
#include <vdso/time64.h>

/* time() and clock_getres() come from the generic code too. */
#define VDSO_HAS_TIME		1
#define VDSO_HAS_CLOCK_GETRES	1

/* What the counter reads when the host clock cannot be read. */
#define UM_VDSO_NO_COUNTER	(~0ULL)

/* The vDSO's own ELF header, the start of its code pages. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static __always_inline const char *um_vvar(void)
{
	return __ehdr_start - UM_VVAR_PAGES * UM_VDSO_PAGE_SIZE;
}

/* A system call from guest code: the guest kernel answers it. */
static __always_inline long um_vdso_syscall2(long nr, long a, long b)
{
	long ret;

	asm volatile("syscall"
		     : "=a" (ret)
		     : "0" (nr), "D" (a), "S" (b)
		     : "rcx", "r11", "memory");
	return ret;
}

static __always_inline long
clock_gettime_fallback(clockid_t clock, struct __kernel_timespec *ts)
{
	return um_vdso_syscall2(__NR_clock_gettime, clock, (long)ts);
}

static __always_inline long
gettimeofday_fallback(struct __kernel_old_timeval *tv, struct timezone *tz)
{
	return um_vdso_syscall2(__NR_gettimeofday, (long)tv, (long)tz);
}

static __always_inline long
clock_getres_fallback(clockid_t clock, struct __kernel_timespec *res)
{
	return um_vdso_syscall2(__NR_clock_getres, clock, (long)res);
}

static __always_inline const struct vdso_data *__arch_get_vdso_data(void)
{
	return (const struct vdso_data *)um_vvar();
}

#ifdef CONFIG_TIME_NS
static __always_inline const struct vdso_data *
__arch_get_timens_vdso_data(const struct vdso_data *vd)
{
	return (const struct vdso_data *)(um_vvar() + UM_VDSO_PAGE_SIZE);
}
#endif

/*
 * The counter: the host's CLOCK_MONOTONIC, read by the host's vDSO.  @vd
 * is in the kernel's data page, which says where that is.
 * UM_VDSO_NO_COUNTER when it cannot be read: the caller then makes the
 * system call.
 */
static __always_inline u64 __arch_get_hw_counter(s32 clock_mode,
						 const struct vdso_data *vd)
{
	const struct um_vdso_host *host = (const void *)
		(((unsigned long)vd & ~(UM_VDSO_PAGE_SIZE - 1)) + UM_VDSO_HOST_OFFSET);
	int (*host_clock)(clockid_t, struct __kernel_timespec *);
	struct __kernel_timespec ts;

	if (clock_mode != VDSO_CLOCKMODE_HOSTMONO)
		return UM_VDSO_NO_COUNTER;
	host_clock = (void *)READ_ONCE(host->clock_gettime);
	if (host_clock(CLOCK_MONOTONIC, &ts))
		return UM_VDSO_NO_COUNTER;
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline bool vdso_cycles_ok(u64 cycles)
{
	return cycles != UM_VDSO_NO_COUNTER;
}
#define vdso_cycles_ok vdso_cycles_ok

#endif /* UM_BUILD_VDSO && !__ASSEMBLY__ */

#endif /* _ASM_UM_VDSO_GETTIMEOFDAY_H */

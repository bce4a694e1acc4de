// SPDX-License-Identifier: GPL-2.0
/*
 * The vDSO data page and time namespaces.
 *
 * Guest programs read their clocks with system calls, and the generic
 * code applies a time namespace's offsets on every one of those paths
 * (clock_gettime, clock_nanosleep and timers with TIMER_ABSTIME, timerfd,
 * /proc/uptime).  What the architecture adds is only for a vDSO, which
 * this port does not have yet: the kernel's data page, kept current by
 * the timekeeping code, and each namespace's page of offsets, which a
 * vDSO would map in its place.  Neither is mapped into guest programs,
 * and joining a namespace has no mapping to change.
 */
#include <linux/linkage.h>
#include <linux/time_namespace.h>
#include <linux/timekeeper_internal.h>
#include <vdso/datapage.h>
#include <vdso/vsyscall.h>

struct vdso_data um_vdso_data[CS_BASES] __page_aligned_data;

struct vdso_data *arch_get_vdso_data(void *vvar_page)
{
	return vvar_page;
}

int vdso_join_timens(struct task_struct *task, struct time_namespace *ns)
{
	return 0;
}

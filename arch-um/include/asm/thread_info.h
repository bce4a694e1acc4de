/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_THREAD_INFO_H
#define _ASM_UM_THREAD_INFO_H

#include <asm/page.h>

#define THREAD_SIZE_ORDER	CONFIG_KERNEL_STACK_ORDER
#define THREAD_SIZE		(PAGE_SIZE << THREAD_SIZE_ORDER)

#ifndef __ASSEMBLY__

struct thread_info {
	unsigned long flags;
	int preempt_count;
};

#define INIT_THREAD_INFO(tsk)				\
{							\
	.flags		= 0,				\
	.preempt_count	= INIT_PREEMPT_COUNT,		\
}

#endif

#define TIF_SYSCALL_TRACE	0	/* syscall trace active */
#define TIF_SIGPENDING		1	/* signal pending */
#define TIF_NEED_RESCHED	2	/* rescheduling necessary */
#define TIF_NOTIFY_SIGNAL	3	/* signal notifications exist */
#define TIF_NOTIFY_RESUME	4	/* callback before returning to user */
#define TIF_RESTORE_SIGMASK	5
#define TIF_MEMDIE		6	/* oom killer chose this task */
#define TIF_SINGLESTEP		7	/* ptrace single-stepping */
#define TIF_SECCOMP		9	/* seccomp filters, once configured */
#define TIF_FORCED_TF		11	/* the trap flag is ptrace's, not the program's */

#define _TIF_SYSCALL_TRACE	(1 << TIF_SYSCALL_TRACE)
#define _TIF_SIGPENDING		(1 << TIF_SIGPENDING)
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)
#define _TIF_NOTIFY_SIGNAL	(1 << TIF_NOTIFY_SIGNAL)
#define _TIF_NOTIFY_RESUME	(1 << TIF_NOTIFY_RESUME)
#define _TIF_RESTORE_SIGMASK	(1 << TIF_RESTORE_SIGMASK)
#define _TIF_MEMDIE		(1 << TIF_MEMDIE)
#define _TIF_SINGLESTEP		(1 << TIF_SINGLESTEP)
#define _TIF_SECCOMP		(1 << TIF_SECCOMP)
#define _TIF_FORCED_TF		(1 << TIF_FORCED_TF)

#endif /* _ASM_UM_THREAD_INFO_H */

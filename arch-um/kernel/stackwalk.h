/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one walk over a kernel stack.  Kernel code is built without frame
 * pointers, so the walk reports every word on the stack that is a kernel
 * text address: the return addresses are among them, with some stale ones.
 */
#ifndef _UM_KERNEL_STACKWALK_H
#define _UM_KERNEL_STACKWALK_H

#include <linux/kallsyms.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/stacktrace.h>

/*
 * Hand each kernel text address on @task's stack (current if NULL) to
 * @consume until it returns false, from @sp up, or if @sp is NULL from
 * where the task's stack is now.  Inline, so that for the current task
 * "now" is the caller's frame.
 */
static __always_inline void um_stack_walk(struct task_struct *task,
					  unsigned long *sp,
					  stack_trace_consume_fn consume,
					  void *cookie)
{
	unsigned long *end;

	if (!task)
		task = current;
	if (!sp)
		sp = task == current ?
		     (unsigned long *)__builtin_frame_address(0) :
		     (unsigned long *)task->thread.frame.sp;
	end = (unsigned long *)(task_stack_page(task) + THREAD_SIZE);

	for (; sp < end; sp++)
		if (__kernel_text_address(*sp) && !consume(cookie, *sp))
			break;
}

#endif /* _UM_KERNEL_STACKWALK_H */

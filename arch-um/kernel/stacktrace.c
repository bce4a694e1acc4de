// SPDX-License-Identifier: GPL-2.0
/*
 * Stack traces.  Kernel code is built without frame pointers, so the walk
 * reports every word on the stack that is a kernel text address: the
 * return addresses are among them, with some stale ones.
 */
#include <linux/kallsyms.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/stacktrace.h>

void arch_stack_walk(stack_trace_consume_fn consume_entry, void *cookie,
		     struct task_struct *task, struct pt_regs *regs)
{
	unsigned long *sp, *end;

	if (!task)
		task = current;
	if (task == current)
		sp = (unsigned long *)__builtin_frame_address(0);
	else
		sp = (unsigned long *)task->thread.frame.sp;
	end = (unsigned long *)(task_stack_page(task) + THREAD_SIZE);

	for (; sp < end; sp++)
		if (__kernel_text_address(*sp) && !consume_entry(cookie, *sp))
			break;
}

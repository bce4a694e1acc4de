// SPDX-License-Identifier: GPL-2.0
/* Stack traces, from the one stack walk (stackwalk.h). */
#include <linux/stacktrace.h>
#include "stackwalk.h"

void arch_stack_walk(stack_trace_consume_fn consume_entry, void *cookie,
		     struct task_struct *task, struct pt_regs *regs)
{
	um_stack_walk(task, NULL, consume_entry, cookie);
}

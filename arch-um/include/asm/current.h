/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_CURRENT_H
#define _ASM_UM_CURRENT_H

#ifndef __ASSEMBLY__

struct task_struct;

/* One CPU: the running task is a plain variable, set by the switch. */
extern struct task_struct *um_current_task;

static __always_inline struct task_struct *get_current(void)
{
	return um_current_task;
}

#define current get_current()

#endif

#endif /* _ASM_UM_CURRENT_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_SWITCH_TO_H
#define _ASM_UM_SWITCH_TO_H

struct task_struct;

/* Returns the task that was running before this one resumed. */
struct task_struct *um_switch_to(struct task_struct *prev,
				 struct task_struct *next);

#define switch_to(prev, next, last)	((last) = um_switch_to(prev, next))

#endif /* _ASM_UM_SWITCH_TO_H */

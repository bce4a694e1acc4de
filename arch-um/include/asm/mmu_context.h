/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_MMU_CONTEXT_H
#define _ASM_UM_MMU_CONTEXT_H

#include <linux/mm_types.h>

/*
 * The kernel's own host address space never changes; a guest address
 * space is entered when the kernel resumes a thread in its host process,
 * so there is nothing to load on a switch.
 */
static inline void switch_mm(struct mm_struct *prev, struct mm_struct *next,
			     struct task_struct *tsk)
{
}
#define switch_mm switch_mm

/*
 * exec: the registers the old address space's process holds may be this
 * thread's, from before the exec; they must not come back as its state.
 */
void um_fpstate_leave_mm(struct mm_struct *mm);

static inline void activate_mm(struct mm_struct *prev, struct mm_struct *next)
{
	um_fpstate_leave_mm(prev);
}
#define activate_mm activate_mm

/* Each mm gets its host process when it is created (arch-um/kernel/mmu.c). */
int init_new_context(struct task_struct *tsk, struct mm_struct *mm);
#define init_new_context init_new_context
void destroy_context(struct mm_struct *mm);
#define destroy_context destroy_context

#include <asm-generic/mm_hooks.h>
#include <asm-generic/mmu_context.h>

#endif /* _ASM_UM_MMU_CONTEXT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registers of a guest thread.  The general registers are laid out as the
 * host's struct user_regs_struct, so that one PTRACE_GETREGS on the
 * address-space process fills them in.
 */
#ifndef _ASM_UM_PTRACE_H
#define _ASM_UM_PTRACE_H

#include <uapi/asm/ptrace-abi.h>

#ifndef __ASSEMBLY__

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx;
	unsigned long r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax, ip, cs, flags, sp, ss;
	unsigned long fs_base, gs_base, ds, es, fs, gs;
	/* Non-zero when these are a user context, not a kernel one. */
	unsigned long from_user;
};

#define UM_NR_GREGS	27

#define user_mode(regs)			((regs)->from_user != 0)
#define instruction_pointer(regs)	((regs)->ip)
#define user_stack_pointer(regs)	((regs)->sp)
#define profile_pc(regs)		instruction_pointer(regs)
#define regs_return_value(regs)		((regs)->ax)
#define current_pt_regs()		task_pt_regs(current)
#define current_user_stack_pointer()	user_stack_pointer(current_pt_regs())

static inline void instruction_pointer_set(struct pt_regs *regs,
					   unsigned long val)
{
	regs->ip = val;
}

static inline long regs_get_register(struct pt_regs *regs, unsigned int off)
{
	return *(unsigned long *)((char *)regs + off);
}

#define arch_has_single_step()	(1)

#endif /* __ASSEMBLY__ */

#endif /* _ASM_UM_PTRACE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace of guest tasks: the x86-64 register requests that strace and gdb
 * use, as regsets (PTRACE_GETREGSET) and as the older fixed requests, and
 * single-stepping.
 *
 * A tracee's general registers are its pt_regs, which have the layout of
 * struct user_regs_struct.  Its FPU state may still sit in its host
 * process (see um_fpstate_load()), so it is fetched into the task's buffer
 * before it is read or changed.  Whatever a tracer writes is reloaded into
 * the host process at the tracee's next return to user mode, and the host
 * kernel takes only what it would take from its own tracers: the checks
 * here keep a tracer from handing it something that would kill the
 * address-space process instead of the guest program.
 */
#include <linux/elf.h>
#include <linux/elfcore.h>
#include <linux/init.h>
#include <linux/ptrace.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/user.h>
#include <host/aspace.h>
#include <host/x86.h>
#include "um.h"

#define UM_GREGS_SIZE	(UM_NR_GREGS * sizeof(unsigned long))

enum { UM_REGSET_GENERAL, UM_REGSET_FP, UM_REGSET_XSTATE };

/*
 * Write one general register at byte offset @off as a tracer asks.
 * Segment selectors are the host's to choose and stay as they are; base
 * addresses must be user addresses; only user flags change.
 */
static int um_set_greg(struct task_struct *t, unsigned int off,
		       unsigned long val)
{
	struct pt_regs *regs = task_pt_regs(t);
	unsigned long *slot = (unsigned long *)regs + off / sizeof(long);

	switch (off) {
	case offsetof(struct pt_regs, cs):
	case offsetof(struct pt_regs, ss):
	case offsetof(struct pt_regs, ds):
	case offsetof(struct pt_regs, es):
	case offsetof(struct pt_regs, fs):
	case offsetof(struct pt_regs, gs):
		return val == *slot ? 0 : -EIO;
	case offsetof(struct pt_regs, fs_base):
	case offsetof(struct pt_regs, gs_base):
		if (val >= TASK_SIZE)
			return -EIO;
		break;
	case offsetof(struct pt_regs, flags):
		val = (*slot & ~UM_USER_FLAGS) | (val & UM_USER_FLAGS);
		/* While single-stepping, the trap flag stays ptrace's. */
		if (test_tsk_thread_flag(t, TIF_FORCED_TF) &&
		    (*slot & X86_EFLAGS_TF))
			val |= X86_EFLAGS_TF;
		break;
	}
	*slot = val;
	return 0;
}

/* The flags as the program sees them: a trap flag set to single-step is not. */
static unsigned long um_user_flags(struct task_struct *t)
{
	unsigned long flags = task_pt_regs(t)->flags;

	if (test_tsk_thread_flag(t, TIF_FORCED_TF))
		flags &= ~X86_EFLAGS_TF;
	return flags;
}

static int um_gregs_get(struct task_struct *target,
			const struct user_regset *regset, struct membuf to)
{
	struct pt_regs regs = *task_pt_regs(target);

	regs.flags = um_user_flags(target);
	return membuf_write(&to, &regs, UM_GREGS_SIZE);
}

static int um_gregs_set(struct task_struct *target,
			const struct user_regset *regset, unsigned int pos,
			unsigned int count, const void *kbuf,
			const void __user *ubuf)
{
	struct pt_regs *regs = task_pt_regs(target);
	unsigned long vals[UM_NR_GREGS];
	unsigned int off;
	int err;

	memcpy(vals, regs, UM_GREGS_SIZE);
	vals[offsetof(struct pt_regs, flags) / sizeof(long)] =
		um_user_flags(target);
	err = user_regset_copyin(&pos, &count, &kbuf, &ubuf, vals, 0,
				 UM_GREGS_SIZE);
	if (err)
		return err;
	for (off = 0; off < UM_GREGS_SIZE; off += sizeof(long)) {
		unsigned long val = vals[off / sizeof(long)];

		if (val != *((unsigned long *)regs + off / sizeof(long))) {
			err = um_set_greg(target, off, val);
			if (err)
				return err;
		}
	}
	return 0;
}

static int um_fp_get(struct task_struct *target,
		     const struct user_regset *regset, struct membuf to)
{
	um_fpstate_save_task(target);
	return membuf_write(&to, target->thread.fpstate,
			    regset->n * regset->size);
}

static int um_fp_set(struct task_struct *target,
		     const struct user_regset *regset, unsigned int pos,
		     unsigned int count, const void *kbuf,
		     const void __user *ubuf)
{
	unsigned int size = regset->n * regset->size;
	u8 *fp = target->thread.fpstate;
	u8 sw[HOST_X86_FXSAVE_SW_SIZE];
	u32 *mxcsr = (u32 *)(fp + HOST_X86_MXCSR_OFFSET);
	int err;

	um_fpstate_save_task(target);
	memcpy(sw, fp + HOST_X86_FXSAVE_SW_OFFSET, sizeof(sw));
	err = user_regset_copyin(&pos, &count, &kbuf, &ubuf, fp, 0, size);
	/* What the host's xsave format reserves stays the host's. */
	memcpy(fp + HOST_X86_FXSAVE_SW_OFFSET, sw, sizeof(sw));
	*mxcsr &= 0xffff;
	return err;
}

static struct user_regset um_regsets[] __ro_after_init = {
	[UM_REGSET_GENERAL] = {
		.core_note_type = NT_PRSTATUS,
		.n = UM_NR_GREGS,
		.size = sizeof(long),
		.align = sizeof(long),
		.regset_get = um_gregs_get,
		.set = um_gregs_set,
	},
	[UM_REGSET_FP] = {
		.core_note_type = NT_PRFPREG,
		.n = HOST_X86_FXSAVE_SIZE / sizeof(u64),
		.size = sizeof(u64),
		.align = sizeof(u64),
		.regset_get = um_fp_get,
		.set = um_fp_set,
	},
	[UM_REGSET_XSTATE] = {
		.core_note_type = NT_X86_XSTATE,
		.size = sizeof(u64),
		.align = sizeof(u64),
		.regset_get = um_fp_get,
		.set = um_fp_set,
	},
};

static const struct user_regset_view um_regset_view = {
	.name = "x86_64",
	.e_machine = EM_X86_64,
	.regsets = um_regsets,
	.n = ARRAY_SIZE(um_regsets),
};

/* The xsave area is as large as the host's. */
static int __init um_regsets_init(void)
{
	um_regsets[UM_REGSET_XSTATE].n = host_fpstate_size / sizeof(u64);
	return 0;
}
early_initcall(um_regsets_init);

const struct user_regset_view *task_user_regset_view(struct task_struct *t)
{
	return &um_regset_view;
}

void user_enable_single_step(struct task_struct *child)
{
	struct pt_regs *regs = task_pt_regs(child);

	set_tsk_thread_flag(child, TIF_SINGLESTEP);
	if (!(regs->flags & X86_EFLAGS_TF)) {
		set_tsk_thread_flag(child, TIF_FORCED_TF);
		regs->flags |= X86_EFLAGS_TF;
	}
}

void user_disable_single_step(struct task_struct *child)
{
	clear_tsk_thread_flag(child, TIF_SINGLESTEP);
	if (test_and_clear_tsk_thread_flag(child, TIF_FORCED_TF))
		task_pt_regs(child)->flags &= ~X86_EFLAGS_TF;
}

void ptrace_disable(struct task_struct *child)
{
	user_disable_single_step(child);
}

/* PTRACE_PEEKUSR: the registers, and zeroes for the rest of struct user. */
static int um_peek_user(struct task_struct *child, unsigned long addr,
			unsigned long __user *data)
{
	unsigned long val = 0;

	if (addr & (sizeof(long) - 1) || addr >= sizeof(struct user))
		return -EIO;
	if (addr == offsetof(struct pt_regs, flags))
		val = um_user_flags(child);
	else if (addr < UM_GREGS_SIZE)
		val = *((unsigned long *)task_pt_regs(child) +
			addr / sizeof(long));
	return put_user(val, data);
}

/*
 * PTRACE_POKEUSR: the registers.  There are no debug registers to hand
 * out, so only clearing them is accepted (gdb then watches in software).
 */
static int um_poke_user(struct task_struct *child, unsigned long addr,
			unsigned long val)
{
	unsigned long dr = offsetof(struct user, u_debugreg);

	if (addr & (sizeof(long) - 1) || addr >= sizeof(struct user))
		return -EIO;
	if (addr < UM_GREGS_SIZE)
		return um_set_greg(child, addr, val);
	if (addr >= dr && addr < dr + 8 * sizeof(long))
		return val ? -EIO : 0;
	return -EIO;
}

long arch_ptrace(struct task_struct *child, long request,
		 unsigned long addr, unsigned long data)
{
	void __user *datap = (void __user *)data;

	switch (request) {
	case PTRACE_PEEKUSR:
		return um_peek_user(child, addr, datap);
	case PTRACE_POKEUSR:
		return um_poke_user(child, addr, data);
	case PTRACE_GETREGS:
		return copy_regset_to_user(child, &um_regset_view,
					   UM_REGSET_GENERAL, 0,
					   UM_GREGS_SIZE, datap);
	case PTRACE_SETREGS:
		return copy_regset_from_user(child, &um_regset_view,
					     UM_REGSET_GENERAL, 0,
					     UM_GREGS_SIZE, datap);
	case PTRACE_GETFPREGS:
		return copy_regset_to_user(child, &um_regset_view,
					   UM_REGSET_FP, 0, HOST_X86_FXSAVE_SIZE,
					   datap);
	case PTRACE_SETFPREGS:
		return copy_regset_from_user(child, &um_regset_view,
					     UM_REGSET_FP, 0, HOST_X86_FXSAVE_SIZE,
					     datap);
	default:
		return ptrace_request(child, request, addr, data);
	}
}

void show_regs(struct pt_regs *regs)
{
	show_regs_print_info(KERN_DEFAULT);
	pr_info("RIP: %016lx RSP: %016lx RFLAGS: %08lx\n",
		regs->ip, regs->sp, regs->flags);
	pr_info("RAX: %016lx RBX: %016lx RCX: %016lx\n",
		regs->ax, regs->bx, regs->cx);
	pr_info("RDX: %016lx RSI: %016lx RDI: %016lx\n",
		regs->dx, regs->si, regs->di);
	pr_info("RBP: %016lx R08: %016lx R09: %016lx\n",
		regs->bp, regs->r8, regs->r9);
	pr_info("R10: %016lx R11: %016lx R12: %016lx\n",
		regs->r10, regs->r11, regs->r12);
	pr_info("R13: %016lx R14: %016lx R15: %016lx\n",
		regs->r13, regs->r14, regs->r15);
	if (!user_mode(regs))
		show_stack(NULL, NULL, KERN_DEFAULT);
}

/* A core dump's FPU note: the legacy part of the task's state. */
int elf_core_copy_task_fpregs(struct task_struct *t, elf_fpregset_t *fpu)
{
	if (!t->thread.fpstate)
		return 0;
	um_fpstate_save_task(t);
	memcpy(fpu, t->thread.fpstate, sizeof(*fpu));
	return 1;
}

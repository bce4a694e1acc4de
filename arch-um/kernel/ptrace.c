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
#include <linux/slab.h>
#include <linux/string.h>
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
/* The legacy (fxsave) part of the FPU state, and its MXCSR. */
#define UM_FXSAVE_SIZE	HOST_X86_FXSAVE_SIZE
#define UM_MXCSR_OFFSET	HOST_X86_MXCSR_OFFSET
/* Bytes of the xsave area the kernel, not the program, owns. */
#define UM_XSAVE_SW_OFFSET	HOST_X86_FXSAVE_SW_OFFSET
#define UM_XSAVE_SW_SIZE	HOST_X86_FXSAVE_SW_SIZE

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

/* The MXCSR bits this CPU implements, as x86 finds them (fxsave). */
static u32 um_mxcsr_mask __ro_after_init = 0xffbf;

/* Components of the xsave area, and the x87, SSE and AVX ones. */
#define UM_XFEATURE_FP		0x1ULL
#define UM_XFEATURE_SSE		0x2ULL
#define UM_XFEATURE_YMM		0x4ULL
#define UM_XSAVE_HDR_OFFSET	512
#define UM_XSAVE_HDR_SIZE	64

/*
 * Whether the host will load @fp (an xsave area in the standard format),
 * checked as x86 checks what a tracer or a signal frame hands it: only
 * components the host enabled, no compacted format, reserved header bytes
 * and MXCSR bits clear.  0 or -EINVAL.
 */
int um_fpstate_check(const void *fp)
{
	const u8 *hdr = (const u8 *)fp + UM_XSAVE_HDR_OFFSET;
	u64 xfeatures, xcomp_bv;
	u32 mxcsr;

	memcpy(&xfeatures, hdr, sizeof(xfeatures));
	memcpy(&xcomp_bv, hdr + 8, sizeof(xcomp_bv));
	memcpy(&mxcsr, (const u8 *)fp + UM_MXCSR_OFFSET, sizeof(mxcsr));
	if (xfeatures & ~host_xfeatures || xcomp_bv ||
	    memchr_inv(hdr + 16, 0, UM_XSAVE_HDR_SIZE - 16))
		return -EINVAL;
	if (xfeatures & (UM_XFEATURE_FP | UM_XFEATURE_SSE | UM_XFEATURE_YMM) &&
	    mxcsr & ~um_mxcsr_mask)
		return -EINVAL;
	return 0;
}

/* NT_PRFPREG, PTRACE_SETFPREGS: the legacy area, whole, as on x86. */
static int um_fp_set(struct task_struct *target,
		     const struct user_regset *regset, unsigned int pos,
		     unsigned int count, const void *kbuf,
		     const void __user *ubuf)
{
	u8 *fp = target->thread.fpstate;
	u8 legacy[UM_FXSAVE_SIZE];
	u64 xfeatures;
	u32 mxcsr;
	int err;

	if (pos != 0 || count != UM_FXSAVE_SIZE)
		return -EINVAL;
	err = user_regset_copyin(&pos, &count, &kbuf, &ubuf, legacy, 0, -1);
	if (err)
		return err;
	memcpy(&mxcsr, legacy + UM_MXCSR_OFFSET, sizeof(mxcsr));
	if (mxcsr & ~um_mxcsr_mask)
		return -EINVAL;
	um_fpstate_save_task(target);
	/* What the host's xsave format reserves stays the host's. */
	memcpy(fp, legacy, UM_XSAVE_SW_OFFSET);
	/* The x87 and SSE registers are in use now. */
	memcpy(&xfeatures, fp + UM_XSAVE_HDR_OFFSET, sizeof(xfeatures));
	xfeatures |= UM_XFEATURE_FP | UM_XFEATURE_SSE;
	memcpy(fp + UM_XSAVE_HDR_OFFSET, &xfeatures, sizeof(xfeatures));
	return 0;
}

/*
 * NT_X86_XSTATE: the whole xsave area or nothing, checked here so that a
 * bad one is the tracer's error (x86's: EFAULT for a partial write, EINVAL
 * for a bad header or MXCSR), not a failure to load it into the host.
 */
static int um_xstate_set(struct task_struct *target,
			 const struct user_regset *regset, unsigned int pos,
			 unsigned int count, const void *kbuf,
			 const void __user *ubuf)
{
	unsigned int size = regset->n * regset->size;
	u8 *fp = target->thread.fpstate;
	u8 *buf;
	int err;

	if (pos != 0 || count != size)
		return -EFAULT;
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = user_regset_copyin(&pos, &count, &kbuf, &ubuf, buf, 0, -1);
	if (!err)
		err = um_fpstate_check(buf);
	if (!err) {
		um_fpstate_save_task(target);
		memcpy(fp, buf, UM_XSAVE_SW_OFFSET);
		memcpy(fp + UM_FXSAVE_SIZE, buf + UM_FXSAVE_SIZE,
		       size - UM_FXSAVE_SIZE);
	}
	kfree(buf);
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
		.n = UM_FXSAVE_SIZE / sizeof(u64),
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
		.set = um_xstate_set,
	},
};

static const struct user_regset_view um_regset_view = {
	.name = "x86_64",
	.e_machine = EM_X86_64,
	.regsets = um_regsets,
	.n = ARRAY_SIZE(um_regsets),
};

/*
 * The xsave area is as large as the host's; MXCSR takes the bits the CPU
 * reports in an fxsave image (none reported: all but DAZ, as on x86).
 */
static int __init um_regsets_init(void)
{
	u8 fx[UM_FXSAVE_SIZE] __aligned(16) = { };
	u32 mask;

	um_regsets[UM_REGSET_XSTATE].n = host_fpstate_size / sizeof(u64);
	asm volatile("fxsave %0" : "=m" (fx));
	memcpy(&mask, fx + UM_MXCSR_OFFSET + 4, sizeof(mask));
	if (mask)
		um_mxcsr_mask = mask;
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

/*
 * The debug registers.  Each guest thread would need its own set of the
 * host's, switched in its address-space process whenever another thread
 * of the same process runs there, with the host's DR6 and breakpoint traps
 * mapped back to the right guest thread; none of that exists yet.  So the
 * interface answers as x86 Linux does on a machine whose four breakpoint
 * slots are all taken (by perf, say): every check on the values is made,
 * in x86's order and with its errors, and arming a breakpoint then fails
 * with ENOSPC, which gdb reports as too many hardware watchpoints (it
 * watches in software with "set can-use-hw-watchpoints 0").  DR6 keeps
 * what a tracer writes; DR7 keeps what it last wrote successfully.
 */
#define UM_DR_FIRST	offsetof(struct user, u_debugreg[0])
#define UM_DR_LAST	offsetof(struct user, u_debugreg[7])
#define UM_NR_BPS	4
#define UM_DR6_RESERVED	0xffff0ff0UL
#define UM_DR7_RESERVED	0xffffffff0000fc00UL
/* A breakpoint's type (R/W) and length (LEN) fields in DR7. */
#define UM_DR7_RW(dr7, i)	(((dr7) >> (16 + 4 * (i))) & 3)
#define UM_DR7_LEN(dr7, i)	(((dr7) >> (18 + 4 * (i))) & 3)
#define UM_DR7_ENABLED(dr7, i)	(((dr7) >> (2 * (i))) & 3)
#define UM_DR_RW_EXEC	0
#define UM_DR_RW_IO	2

static unsigned long um_get_debugreg(struct task_struct *t, unsigned int n)
{
	/* DR6 is kept with its always-one bits flipped, so 0 is its reset. */
	if (n == 6)
		return t->thread.ptrace_dr6 ^ UM_DR6_RESERVED;
	if (n == 7)
		return t->thread.ptrace_dr7;
	/* DR0-DR3 of a breakpoint that was never armed, and DR4, DR5. */
	return 0;
}

/* What x86 accepts as a breakpoint's type and length. */
static bool um_dr7_fields_valid(unsigned long dr7, unsigned int i)
{
	unsigned long rw = UM_DR7_RW(dr7, i);

	if (rw == UM_DR_RW_IO)
		return false;
	/* An instruction breakpoint covers one byte. */
	return rw != UM_DR_RW_EXEC || UM_DR7_LEN(dr7, i) == 0;
}

static int um_set_debugreg(struct task_struct *t, unsigned int n,
			   unsigned long val)
{
	unsigned long dr7 = val & ~UM_DR7_RESERVED;
	unsigned int i;

	if (n < UM_NR_BPS)
		return -ENOSPC;
	if (n == 6) {
		t->thread.ptrace_dr6 = val ^ UM_DR6_RESERVED;
		return 0;
	}
	if (n != 7)
		return -EIO;
	for (i = 0; i < UM_NR_BPS; i++) {
		if (!UM_DR7_ENABLED(dr7, i))
			continue;
		return um_dr7_fields_valid(dr7, i) ? -ENOSPC : -EINVAL;
	}
	t->thread.ptrace_dr7 = val;
	return 0;
}

/* PTRACE_PEEKUSR: the registers, the debug registers, zeroes elsewhere. */
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
	else if (addr >= UM_DR_FIRST && addr <= UM_DR_LAST)
		val = um_get_debugreg(child,
				      (addr - UM_DR_FIRST) / sizeof(long));
	return put_user(val, data);
}

/* PTRACE_POKEUSR: the registers and the debug registers. */
static int um_poke_user(struct task_struct *child, unsigned long addr,
			unsigned long val)
{
	if (addr & (sizeof(long) - 1) || addr >= sizeof(struct user))
		return -EIO;
	if (addr < UM_GREGS_SIZE)
		return um_set_greg(child, addr, val);
	if (addr >= UM_DR_FIRST && addr <= UM_DR_LAST)
		return um_set_debugreg(child,
				       (addr - UM_DR_FIRST) / sizeof(long),
				       val);
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
					   UM_REGSET_FP, 0, UM_FXSAVE_SIZE,
					   datap);
	case PTRACE_SETFPREGS:
		return copy_regset_from_user(child, &um_regset_view,
					     UM_REGSET_FP, 0, UM_FXSAVE_SIZE,
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

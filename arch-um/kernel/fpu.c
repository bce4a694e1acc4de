// SPDX-License-Identifier: GPL-2.0
/*
 * The FPU state of guest threads.  Each thread has a buffer of the host's
 * XSAVE size (host_fpstate_size).  The registers themselves live in the
 * address-space process, which all threads of an mm share, so the process
 * holds one thread's state at a time (mm->context.fp_owner): it is loaded
 * before that thread runs if another ran there last, and fetched into the
 * buffer whenever the kernel must read or change it (signal frames,
 * ptrace, fork, exec).  Documentation/user-space.rst, "FPU state".
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/mmu_context.h>
#include <host/aspace.h>
#include <host/stub.h>
#include <host/user.h>
#include <host/x86.h>
#include "um.h"

/* A fresh FPU state: what a new program starts with. */
void um_fpstate_init(struct task_struct *tsk)
{
	u8 *fp = tsk->thread.fpstate;

	memset(fp, 0, host_fpstate_size);
	*(u16 *)(fp + HOST_X86_FCW_OFFSET) = HOST_X86_FCW_START;
	*(u32 *)(fp + HOST_X86_MXCSR_OFFSET) = HOST_X86_MXCSR_START;
}

int um_fpstate_alloc(struct task_struct *tsk)
{
	if (!tsk->thread.fpstate)
		tsk->thread.fpstate = kmalloc(host_fpstate_size, GFP_KERNEL);
	return tsk->thread.fpstate ? 0 : -ENOMEM;
}

void arch_release_task_struct(struct task_struct *tsk)
{
	kfree(tsk->thread.fpstate);
	tsk->thread.fpstate = NULL;
}

/*
 * The current thread's FPU state into its buffer, if its process holds
 * it; afterwards the buffer is the truth.
 */
void um_fpstate_save(void)
{
	um_fpstate_save_task(current);
}

/* The same for @tsk, current or stopped (a ptrace tracee). */
void um_fpstate_save_task(struct task_struct *tsk)
{
	mm_context_t *ctx;

	if (!tsk->mm)
		return;
	ctx = &tsk->mm->context;
	if (ctx->fp_owner != tsk)
		return;
	host_user_get_fpstate(ctx->host_pid, tsk->thread.fpstate);
	ctx->fp_owner = NULL;
	put_task_struct(tsk);
}

/*
 * The current thread leaves @mm for good (exec).  If @mm's process holds
 * its registers, they are the old program's and stay there: without this,
 * the next thread to run in @mm (the parent of a vfork()) would save them
 * into the buffer that now holds the new program's fresh state.
 */
void um_fpstate_leave_mm(struct mm_struct *mm)
{
	mm_context_t *ctx;

	if (!mm || mm == &init_mm)
		return;
	ctx = &mm->context;
	if (ctx->fp_owner != current)
		return;
	ctx->fp_owner = NULL;
	put_task_struct(current);
}

/* Make the process hold the current thread's FPU state. */
int um_fpstate_load(mm_context_t *ctx)
{
	struct task_struct *owner = ctx->fp_owner;
	int err;

	if (owner == current)
		return 0;
	if (owner) {
		/*
		 * Only a thread still in this address space gets its state
		 * back: one that left it keeps the buffer of its new life
		 * (um_fpstate_leave_mm() gives up the claim at exec already;
		 * this also covers a thread that exited).
		 */
		if (owner->mm == current->mm)
			host_user_get_fpstate(ctx->host_pid,
					      owner->thread.fpstate);
		put_task_struct(owner);
		ctx->fp_owner = NULL;
	}
	err = host_user_set_fpstate(ctx->host_pid, current->thread.fpstate);
	if (err)
		return err;
	get_task_struct(current);
	ctx->fp_owner = current;
	return 0;
}

/*
 * After a page fault the stub's signal handler has run, which reset the
 * process's FPU registers; the guest's are in the handler's signal frame,
 * in the stub's data pages.  The address comes from those pages too, so
 * it is checked before use.
 */
void um_fpstate_from_frame(mm_context_t *ctx, unsigned long where)
{
	unsigned long off = where - STUB_DATA;

	if (ctx->fp_owner) {
		put_task_struct(ctx->fp_owner);
		ctx->fp_owner = NULL;
	}
	if (where < STUB_DATA || off > STUB_DATA_PAGES * PAGE_SIZE ||
	    STUB_DATA_PAGES * PAGE_SIZE - off < host_fpstate_size ||
	    (off & (HOST_X86_XSAVE_ALIGN - 1))) {
		um_fpstate_init(current);
		return;
	}
	memcpy(current->thread.fpstate, (u8 *)ctx->stub + off,
	       host_fpstate_size);
}

// SPDX-License-Identifier: GPL-2.0
/* Tasks: creating their kernel context, switching between them. */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <asm/switch_to.h>
#include <host/aspace.h>
#include "stackwalk.h"
#include "um.h"


struct task_struct *um_switch_to(struct task_struct *prev,
				 struct task_struct *next)
{
	um_current_task = next;
	return um_switch_stacks(&prev->thread.frame.sp, next->thread.frame.sp,
				prev);
}

/*
 * fork() copies the parent's task struct wholesale, so the child starts
 * with the parent's pointers.  A clone() that fails after this copy (a
 * refused namespace, RLIMIT_NPROC, a bad pidfd) frees the child through
 * arch_release_task_struct() before copy_thread() ever ran: the child must
 * not own anything of its parent's by then.  Only the FPU buffer in
 * thread_struct is owned memory; the rest are values or borrowed pointers
 * (a kernel thread's function and argument) that are never freed.
 */
int arch_dup_task_struct(struct task_struct *dst, struct task_struct *src)
{
	*dst = *src;
	dst->thread.fpstate = NULL;
	return 0;
}

/* Callee-saved registers that um_switch_stacks() pops, then its return. */
#define UM_FRAME_WORDS	7

int copy_thread(struct task_struct *p, const struct kernel_clone_args *args)
{
	unsigned long *sp = (unsigned long *)(task_stack_page(p) + THREAD_SIZE);

	sp -= 1;			/* keep the frame 16-byte aligned */
	sp -= UM_FRAME_WORDS;
	memset(sp, 0, UM_FRAME_WORDS * sizeof(*sp));
	sp[UM_FRAME_WORDS - 1] = (unsigned long)um_thread_entry;
	p->thread.frame.sp = (unsigned long)sp;

	/* p->thread.fpstate is NULL here: see arch_dup_task_struct(). */
	if (args->fn) {
		p->thread.kthread_fn = args->fn;
		p->thread.kthread_arg = args->fn_arg;
		memset(&p->thread.regs, 0, sizeof(p->thread.regs));
	} else {
		/* A copy of the current guest thread, FPU state included. */
		if (um_fpstate_alloc(p))
			return -ENOMEM;
		if (current->thread.fpstate) {
			um_fpstate_save();
			memcpy(p->thread.fpstate, current->thread.fpstate,
			       host_fpstate_size);
		} else {
			um_fpstate_init(p);
		}
		p->thread.kthread_fn = NULL;
		p->thread.ptrace_dr6 = 0;
		p->thread.ptrace_dr7 = 0;
		p->thread.regs = *current_pt_regs();
		p->thread.regs.ax = 0;
		if (args->stack)
			p->thread.regs.sp = args->stack;
		if (args->flags & CLONE_SETTLS)
			p->thread.regs.fs_base = args->tls;
	}
	return 0;
}

/* A new task's first code, called from um_thread_entry. */
void um_new_thread_tail(struct task_struct *prev)
{
	schedule_tail(prev);
	if (current->thread.kthread_fn) {
		current->thread.kthread_fn(current->thread.kthread_arg);
		/* A kernel thread that returns has become a user process. */
	}
	um_user_loop();
}

/* exec: the new program starts with a fresh FPU state. */
void flush_thread(void)
{
	if (um_fpstate_alloc(current)) {
		force_sig(SIGKILL);
		return;
	}
	if (current->mm && current->mm->context.fp_owner == current)
		um_fpstate_save();
	um_fpstate_init(current);
	/* As x86 does: a new program starts with no ptrace debug state. */
	current->thread.ptrace_dr6 = 0;
	current->thread.ptrace_dr7 = 0;
}

static bool um_show_entry(void *loglvl, unsigned long addr)
{
	printk("%s [<%016lx>] %pS\n", (const char *)loglvl, addr,
	       (void *)addr);
	return true;
}

void show_stack(struct task_struct *task, unsigned long *sp,
		const char *loglvl)
{
	printk("%sCall Trace (stack words that are kernel text):\n", loglvl);
	um_stack_walk(task, sp, um_show_entry, (void *)loglvl);
}

static bool um_wchan_entry(void *wchan, unsigned long addr)
{
	if (in_sched_functions(addr))
		return true;
	*(unsigned long *)wchan = addr;
	return false;
}

/* Where a sleeping task waits: its first return address outside the scheduler. */
unsigned long __get_wchan(struct task_struct *p)
{
	unsigned long wchan = 0;

	um_stack_walk(p, (unsigned long *)p->thread.frame.sp, um_wchan_entry,
		      &wchan);
	return wchan;
}

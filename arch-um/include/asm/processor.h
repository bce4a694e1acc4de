/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_PROCESSOR_H
#define _ASM_UM_PROCESSOR_H

#include <linux/types.h>
#include <asm/page.h>
#include <asm/processor-flags.h>
#include <asm/ptrace.h>
#include <host/x86.h>
#include <asm/vdso/processor.h>

/*
 * Guest address spaces are separate host processes, so user space may
 * use almost all of what one table tree covers.  The top is kept free for
 * the stub that runs inside each address-space process.
 */
#define TASK_SIZE		0x7fc0000000UL
#define TASK_SIZE_MAX		TASK_SIZE
#define TASK_SIZE_OF(tsk)	TASK_SIZE
#define STACK_TOP		(TASK_SIZE - 2 * PAGE_SIZE)
#define STACK_TOP_MAX		STACK_TOP
#define TASK_UNMAPPED_BASE	(PAGE_ALIGN(TASK_SIZE / 3))

#ifndef __ASSEMBLY__

struct task_struct;
struct mm_struct;

/*
 * Kernel context of a task that is switched out: its stack pointer.  The
 * callee-saved registers are on that stack, pushed by um_switch_stacks()
 * (switch.S).
 */
struct um_switch_frame {
	unsigned long sp;
};

struct thread_struct {
	struct um_switch_frame frame;
	/* A new kernel thread's entry point and argument. */
	int (*kthread_fn)(void *arg);
	void *kthread_arg;
	struct pt_regs regs;
	/* Host FPU state (xsave area) of a guest thread, or NULL. */
	void *fpstate;
	/* The last page fault, for a SIGSEGV frame's cr2 and err. */
	unsigned long fault_addr, fault_err;
	/*
	 * The x86 debug registers as ptrace shows them: no breakpoint is
	 * ever armed (see ptrace.c), so DR6 (its always-one bits flipped)
	 * and DR7 are all there is.
	 */
	unsigned long ptrace_dr6, ptrace_dr7;
};

#define INIT_THREAD { }

#define task_pt_regs(tsk)	(&(tsk)->thread.regs)
#define KSTK_EIP(tsk)		(task_pt_regs(tsk)->ip)
#define KSTK_ESP(tsk)		(task_pt_regs(tsk)->sp)

/* A new program: x86-64 user code and stack selectors, nothing else set. */
static inline void start_thread(struct pt_regs *regs, unsigned long ip,
				unsigned long sp)
{
	__builtin_memset(regs, 0, sizeof(*regs));
	regs->ip = ip;
	regs->sp = sp;
	regs->cs = HOST_X86_USER_CS;
	regs->ss = HOST_X86_USER_SS;
	regs->flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
}

unsigned long __get_wchan(struct task_struct *p);

#define cache_line_size()	64

#endif /* __ASSEMBLY__ */

#endif /* _ASM_UM_PROCESSOR_H */

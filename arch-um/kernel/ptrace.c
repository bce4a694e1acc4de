// SPDX-License-Identifier: GPL-2.0
/* ptrace of guest tasks: only the generic requests so far. */
#include <linux/ptrace.h>
#include <linux/elfcore.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>

void ptrace_disable(struct task_struct *child)
{
}

long arch_ptrace(struct task_struct *child, long request,
		 unsigned long addr, unsigned long data)
{
	return ptrace_request(child, request, addr, data);
}

void user_disable_single_step(struct task_struct *child)
{
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

/* Guest FPU state arrives with the user-space driver; none to dump yet. */
int elf_core_copy_task_fpregs(struct task_struct *t, elf_fpregset_t *fpu)
{
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The user-space driver: a guest thread runs natively in its address
 * space's host process until it makes a system call, faults or is kicked;
 * the kernel handles that, does the work due before a return to user mode
 * (signals, rescheduling) and lets it run again.
 */
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/userfaultfd_k.h>
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <asm/mmu_context.h>
#include <asm/tlbflush.h>
#include <host/aspace.h>
#include <host/stub.h>
#include <host/user.h>
#include <host/x86.h>
#include "pagetable.h"
#include "um.h"

/* The address-space process running guest code right now, if any. */
static int um_running_pid;

bool um_user_running(void)
{
	return um_running_pid != 0;
}

/* From the timer or another interrupt: give the CPU back to the kernel. */
void um_user_kick_if_needed(void)
{
	if (um_running_pid && (need_resched() ||
			       test_thread_flag(TIF_SIGPENDING) ||
			       test_thread_flag(TIF_NOTIFY_SIGNAL)))
		host_user_kick(um_running_pid);
}

/* Does the pte already allow this access?  Then only the host lags. */
static bool um_pte_allows(struct mm_struct *mm, unsigned long addr,
			  unsigned long err)
{
	bool write = err & HOST_X86_PF_WRITE;
	pte_t *ptep = um_pte_lookup(mm->pgd, addr);
	pte_t pte;

	if (!ptep)
		return false;
	pte = ptep_get(ptep);
	if (!(pte_val(pte) & _PAGE_PRESENT) || !pte_read(pte) ||
	    (write && !pte_write(pte)) ||
	    ((err & HOST_X86_PF_INSTR) && !pte_exec(pte)))
		return false;
	pte = pte_mkyoung(pte);
	if (write)
		pte = pte_mkdirty(pte);
	set_pte(ptep, pte);
	um_note_user_range(mm, addr, addr + PAGE_SIZE);
	return true;
}

/*
 * Fault-around.  A page fault costs a few host round trips; mapping a page
 * more in the round trip that maps the faulting one costs next to
 * nothing.  Two cases:
 *
 * - Neighbours already present in the page tables but not mapped on the
 *   host (a forked child's pages, which fork leaves old, or pages the
 *   generic code brought in without a fault): every present pte of the
 *   aligned UM_FAULT_AROUND block around the fault is made young, so the
 *   host maps it, with the access its own pte gives, in the same batch.
 *   The ptes are the truth for every page, whatever mapping it is in, so
 *   guard pages (no pte), PROT_NONE pages and mprotect() boundaries stay
 *   as they are: each page is mapped with its own access or not at all.
 *
 * - A program writing fresh anonymous memory page after page (the second
 *   write fault on the page right after the last one): the next pages of
 *   the same mapping, up to UM_FAULT_AHEAD, are faulted in for writing
 *   now, as the program is about to.  Not in a userfaultfd range, whose
 *   faults belong to its handler.
 */
#define UM_FAULT_AROUND	16
#define UM_FAULT_AHEAD	32

static void um_fault_around(struct mm_struct *mm, unsigned long addr)
{
	unsigned long start = ALIGN_DOWN(addr, UM_FAULT_AROUND * PAGE_SIZE);
	unsigned long end = min(start + UM_FAULT_AROUND * PAGE_SIZE, TASK_SIZE);
	unsigned long a;
	pte_t *ptep = um_pte_lookup(mm->pgd, start);

	if (!ptep)
		return;
	/* The block lies in one page table: ptes follow each other. */
	for (a = start; a < end; a += PAGE_SIZE, ptep++) {
		pte_t pte = ptep_get(ptep);

		if (!pte_present(pte) || !pte_read(pte) || pte_young(pte))
			continue;
		set_pte(ptep, pte_mkyoung(pte));
	}
	um_note_user_range(mm, start, end);
}

static void um_fault_ahead(struct vm_area_struct *vma, unsigned long addr)
{
	mm_context_t *ctx = &vma->vm_mm->context;
	unsigned long next = addr + PAGE_SIZE, end;
	bool sequential = addr == ctx->last_write_fault + PAGE_SIZE;

	ctx->last_write_fault = addr;
	if (!sequential || !vma_is_anonymous(vma) || userfaultfd_armed(vma))
		return;
	end = min(vma->vm_end, addr + UM_FAULT_AHEAD * PAGE_SIZE);
	for (; next < end; next += PAGE_SIZE) {
		pte_t *ptep = um_pte_lookup(vma->vm_mm->pgd, next);
		vm_fault_t fault;

		if (ptep && !pte_none(ptep_get(ptep)))
			break;
		/* No FAULT_FLAG_ALLOW_RETRY: mmap_lock stays held. */
		fault = handle_mm_fault(vma, next, FAULT_FLAG_USER |
					FAULT_FLAG_WRITE, NULL);
		if (fault & (VM_FAULT_ERROR | VM_FAULT_RETRY |
			     VM_FAULT_COMPLETED))
			break;
	}
	/* The program's next fault is where this stopped. */
	ctx->last_write_fault = next - PAGE_SIZE;
}

static void um_user_fault(struct pt_regs *regs, unsigned long addr,
			  unsigned long err)
{
	struct mm_struct *mm = current->mm;
	bool write = err & HOST_X86_PF_WRITE;
	unsigned int flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER;
	struct vm_area_struct *vma;
	vm_fault_t fault;
	int code = SEGV_MAPERR;

	if (addr >= TASK_SIZE)
		goto bad;
	if (um_pte_allows(mm, addr, err)) {
		um_fault_around(mm, addr);
		return;
	}
	if (write)
		flags |= FAULT_FLAG_WRITE;
	if (err & HOST_X86_PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;

retry:
	vma = lock_mm_and_find_vma(mm, addr, regs);
	if (!vma)
		goto bad;
	code = SEGV_ACCERR;
	if (write ? !(vma->vm_flags & VM_WRITE) :
	    (err & HOST_X86_PF_INSTR) ? !(vma->vm_flags & VM_EXEC) :
	    !(vma->vm_flags & (VM_READ | VM_EXEC))) {
		mmap_read_unlock(mm);
		goto bad;
	}
	fault = handle_mm_fault(vma, addr, flags, regs);
	if (fault_signal_pending(fault, regs))
		return;
	if (fault & VM_FAULT_COMPLETED)
		return;
	if (fault & VM_FAULT_RETRY) {
		flags |= FAULT_FLAG_TRIED;
		goto retry;
	}
	if (!(fault & VM_FAULT_ERROR)) {
		if (write)
			um_fault_ahead(vma, addr);
		mmap_read_unlock(mm);
		um_fault_around(mm, addr);
		return;
	}
	mmap_read_unlock(mm);
	if (fault & VM_FAULT_OOM) {
		pagefault_out_of_memory();
		return;
	}
	if (fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON)) {
		force_sig_fault(SIGBUS, BUS_ADRERR, (void __user *)addr);
		return;
	}
bad:
	current->thread.fault_addr = addr;
	current->thread.fault_err = err;
	force_sig_fault(SIGSEGV, code, (void __user *)addr);
}

/* A trap other than a page fault becomes the same guest signal. */
static void um_user_trap(struct pt_regs *regs, struct host_user_event *ev)
{
	switch (ev->signal) {
	case SIGTRAP:
	case SIGFPE:
	case SIGILL:
	case SIGBUS:
		force_sig_fault(ev->signal, ev->code, (void __user *)ev->addr);
		break;
	case SIGSEGV:
		/* A general protection fault: no address, like x86 says. */
		force_sig_fault(SIGSEGV, SI_KERNEL, NULL);
		break;
	default:
		force_sig(ev->signal);
		break;
	}
}

/* The work due before a return to user mode. */
static void um_exit_to_user(struct pt_regs *regs)
{
	for (;;) {
		unsigned long flags = READ_ONCE(current_thread_info()->flags);

		if (flags & _TIF_NEED_RESCHED) {
			schedule();
			continue;
		}
		if (flags & (_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL)) {
			um_do_signal(regs);
			continue;
		}
		if (flags & _TIF_NOTIFY_RESUME) {
			resume_user_mode_work(regs);
			continue;
		}
		break;
	}
}

void __noreturn um_user_loop(void)
{
	struct pt_regs *regs = current_pt_regs();
	struct host_user_event ev;

	for (;;) {
		struct mm_struct *mm;
		mm_context_t *ctx;
		int err;

		um_exit_to_user(regs);
		mm = current->mm;
		ctx = &mm->context;

		err = um_sync_user(mm);
		if (err) {
			pr_warn("%s[%d]: killed: the host will not map its memory (%d)\n",
				current->comm, task_pid_nr(current), err);
			force_sig(SIGKILL);
			continue;
		}
		err = um_fpstate_load(ctx);
		if (err) {
			pr_err("%s[%d]: cannot update its host process: %d\n",
			       current->comm, task_pid_nr(current), err);
			force_sig(SIGKILL);
			continue;
		}

		/*
		 * These registers are a user context from now on, also while
		 * the kernel handles the event below: generic code asks
		 * user_mode(regs), lock_mm_and_find_vma() for one, which
		 * fails a user fault that finds mmap_lock taken if it thinks
		 * the fault is the kernel's.
		 */
		regs->from_user = 1;
		um_running_pid = ctx->host_pid;
		err = host_user_run(ctx->host_pid, (unsigned long *)regs, &ev,
				    ctx->stub);
		um_running_pid = 0;
		if (err) {
			pr_err("%s[%d]: its host process failed: %d\n",
			       current->comm, task_pid_nr(current), err);
			force_sig(SIGKILL);
			continue;
		}

		switch (ev.kind) {
		case HOST_USER_SYSCALL:
			um_syscall(regs);
			break;
		case HOST_USER_FAULT:
			um_fpstate_from_frame(ctx, ev.fpstate);
			if (ev.trapno == HOST_X86_TRAP_PF)
				um_user_fault(regs, ev.addr, ev.err);
			else
				force_sig_fault(SIGSEGV, SI_KERNEL, NULL);
			break;
		case HOST_USER_SIGNAL:
			um_user_trap(regs, &ev);
			break;
		case HOST_USER_KICKED:
			break;
		case HOST_USER_GONE:
			pr_err("%s[%d]: its host process died (signal %d)\n",
			       current->comm, task_pid_nr(current), ev.signal);
			ctx->host_pid = 0;
			force_sig(SIGKILL);
			break;
		}
	}
}

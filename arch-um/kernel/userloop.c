// SPDX-License-Identifier: GPL-2.0
/*
 * The user-space driver: a guest thread runs natively in its address
 * space's host process until it makes a system call, faults or is kicked;
 * the kernel handles that, does the work due before a return to user mode
 * (signals, rescheduling) and lets it run again.
 */
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <asm/mmu_context.h>
#include <asm/tlbflush.h>
#include <host/aspace.h>
#include <host/stub.h>
#include <host/user.h>
#include "pagetable.h"
#include "um.h"

/* The address-space process running guest code right now, if any. */
static int um_running_pid;

/* x86 page-fault error code bits. */
#define UM_PF_WRITE	0x2
#define UM_PF_INSTR	0x10
#define UM_TRAP_PF	14

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

/* A fresh FPU state: what a new program starts with. */
void um_fpstate_init(struct task_struct *tsk)
{
	u8 *fp = tsk->thread.fpstate;

	memset(fp, 0, host_fpstate_size);
	*(u16 *)(fp + 0) = 0x37f;	/* x87 control word */
	*(u32 *)(fp + 24) = 0x1f80;	/* MXCSR */
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
 * Make the process hold the current thread's FPU state.
 *
 * The thread that held it before gets it back in its buffer only if it
 * still lives in this address space.  One that has left it (a vfork()
 * child after its execve(), a thread that exited) keeps its buffer: what
 * this process holds is its state from before, and its buffer may be the
 * truth of its new program by now (after a page fault there, say), which
 * a copy from here would overwrite with the old program's registers.
 */
static int um_fpstate_load(mm_context_t *ctx)
{
	struct task_struct *owner = ctx->fp_owner;
	int err;

	if (owner == current)
		return 0;
	if (owner) {
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
static void um_fpstate_from_frame(mm_context_t *ctx, unsigned long where)
{
	unsigned long off = where - STUB_DATA;

	if (ctx->fp_owner) {
		put_task_struct(ctx->fp_owner);
		ctx->fp_owner = NULL;
	}
	if (where < STUB_DATA || off > STUB_DATA_PAGES * PAGE_SIZE ||
	    STUB_DATA_PAGES * PAGE_SIZE - off < host_fpstate_size ||
	    (off & 63)) {
		um_fpstate_init(current);
		return;
	}
	memcpy(current->thread.fpstate, (u8 *)ctx->stub + off,
	       host_fpstate_size);
}

/* Does the pte already allow this access?  Then only the host lags. */
static bool um_pte_allows(struct mm_struct *mm, unsigned long addr,
			  unsigned long err)
{
	bool write = err & UM_PF_WRITE;
	pte_t *ptep = um_pte_lookup(mm->pgd, addr);
	pte_t pte;

	if (!ptep)
		return false;
	pte = ptep_get(ptep);
	if (!(pte_val(pte) & _PAGE_PRESENT) || !pte_read(pte) ||
	    (write && !pte_write(pte)) ||
	    ((err & UM_PF_INSTR) && !pte_exec(pte)))
		return false;
	pte = pte_mkyoung(pte);
	if (write)
		pte = pte_mkdirty(pte);
	set_pte(ptep, pte);
	um_note_user_range(mm, addr, addr + PAGE_SIZE);
	return true;
}

static void um_user_fault(struct pt_regs *regs, unsigned long addr,
			  unsigned long err)
{
	struct mm_struct *mm = current->mm;
	bool write = err & UM_PF_WRITE;
	unsigned int flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER;
	struct vm_area_struct *vma;
	vm_fault_t fault;
	int code = SEGV_MAPERR;

	if (addr >= TASK_SIZE)
		goto bad;
	if (um_pte_allows(mm, addr, err))
		return;
	if (write)
		flags |= FAULT_FLAG_WRITE;
	if (err & UM_PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;

retry:
	vma = lock_mm_and_find_vma(mm, addr, regs);
	if (!vma)
		goto bad;
	code = SEGV_ACCERR;
	if (write ? !(vma->vm_flags & VM_WRITE) :
	    (err & UM_PF_INSTR) ? !(vma->vm_flags & VM_EXEC) :
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
	mmap_read_unlock(mm);
	if (!(fault & VM_FAULT_ERROR))
		return;
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
			if (ev.trapno == UM_TRAP_PF)
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

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest signal delivery: the x86-64 signal frame, built on the guest's
 * stack through copy_to_user(), and rt_sigreturn() that takes it down.
 * The layout is the one x86-64 programs and their C libraries expect.
 */
#include <linux/errno.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <asm/ucontext.h>
#include <asm/sigcontext.h>
#include <host/aspace.h>
#include <host/x86.h>
#include "um.h"

struct um_rt_sigframe {
	unsigned long pretcode;		/* the handler returns here */
	struct ucontext uc;
	struct siginfo info;
	/* the FPU state follows, above, 64-byte aligned */
};

/* Where the frame goes: below the red zone, or on the alternate stack. */
static unsigned long um_frame_base(struct ksignal *ksig, struct pt_regs *regs,
				   unsigned long *fp_at)
{
	unsigned long sp = sigsp(regs->sp - 128, ksig);
	unsigned long fp_size = host_fpstate_size + sizeof(u32);

	sp = round_down(sp - fp_size, HOST_X86_XSAVE_ALIGN);
	*fp_at = sp;
	sp -= sizeof(struct um_rt_sigframe);
	/* At the handler's entry, sp + 8 is 16-byte aligned, as after a call. */
	return round_down(sp, 16) - 8;
}

static int um_put_sigcontext(struct sigcontext __user *sc,
			     struct pt_regs *regs, unsigned long mask,
			     unsigned long fpstate)
{
	struct sigcontext c = {
		.r8 = regs->r8, .r9 = regs->r9, .r10 = regs->r10,
		.r11 = regs->r11, .r12 = regs->r12, .r13 = regs->r13,
		.r14 = regs->r14, .r15 = regs->r15,
		.di = regs->di, .si = regs->si, .bp = regs->bp,
		.bx = regs->bx, .dx = regs->dx, .ax = regs->ax,
		.cx = regs->cx, .sp = regs->sp, .ip = regs->ip,
		.flags = regs->flags, .cs = regs->cs, .ss = regs->ss,
		.err = current->thread.fault_err,
		.trapno = current->thread.fault_err ? 14 : 0,
		.cr2 = current->thread.fault_addr,
		.oldmask = mask,
		.fpstate = fpstate,
	};

	return copy_to_user(sc, &c, sizeof(c)) ? -EFAULT : 0;
}

static int um_setup_frame(struct ksignal *ksig, sigset_t *set,
			  struct pt_regs *regs)
{
	unsigned long fp_at;
	struct um_rt_sigframe __user *frame =
		(void __user *)um_frame_base(ksig, regs, &fp_at);
	u32 magic2 = FP_XSTATE_MAGIC2;
	/* Tells the C library that an xsave area follows the legacy one. */
	struct _fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = host_fpstate_size + sizeof(magic2),
		.xfeatures = host_xfeatures,
		.xstate_size = host_fpstate_size,
	};

	if (!(ksig->ka.sa.sa_flags & SA_RESTORER))
		return -EFAULT;

	/* The guest's FPU state goes into the frame; the handler gets a fresh one. */
	um_fpstate_save();
	if (copy_to_user((void __user *)fp_at, current->thread.fpstate,
			 host_fpstate_size) ||
	    copy_to_user((void __user *)(fp_at + host_fpstate_size), &magic2,
			 sizeof(magic2)) ||
	    copy_to_user((void __user *)(fp_at + HOST_X86_FXSAVE_SW_OFFSET), &sw,
			 sizeof(sw)))
		return -EFAULT;

	if (put_user((unsigned long)ksig->ka.sa.sa_restorer, &frame->pretcode) ||
	    put_user(UC_FP_XSTATE | UC_SIGCONTEXT_SS, &frame->uc.uc_flags) ||
	    put_user(0, &frame->uc.uc_link) ||
	    __save_altstack(&frame->uc.uc_stack, regs->sp) ||
	    um_put_sigcontext(&frame->uc.uc_mcontext, regs, set->sig[0],
			      fp_at) ||
	    copy_to_user(&frame->uc.uc_sigmask, set, sizeof(*set)) ||
	    copy_siginfo_to_user(&frame->info, &ksig->info))
		return -EFAULT;

	um_fpstate_init(current);
	regs->di = ksig->sig;
	regs->si = (unsigned long)&frame->info;
	regs->dx = (unsigned long)&frame->uc;
	regs->ax = 0;
	regs->sp = (unsigned long)frame;
	regs->ip = (unsigned long)ksig->ka.sa.sa_handler;
	regs->cs = HOST_X86_USER_CS;
	regs->ss = HOST_X86_USER_SS;
	regs->flags &= ~(X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_RF);
	current->thread.fault_addr = 0;
	current->thread.fault_err = 0;
	return 0;
}

/* A system call interrupted by a signal: return -EINTR or run it again. */
static void um_syscall_restart(struct pt_regs *regs, struct ksignal *ksig)
{
	bool restart;

	switch ((long)regs->ax) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		restart = !ksig;
		break;
	case -ERESTARTSYS:
		restart = !ksig || (ksig->ka.sa.sa_flags & SA_RESTART);
		break;
	case -ERESTARTNOINTR:
		restart = true;
		break;
	default:
		return;
	}
	if (!restart) {
		regs->ax = -EINTR;
		return;
	}
	regs->ax = (long)regs->ax == -ERESTART_RESTARTBLOCK ?
		   __NR_restart_syscall : regs->orig_ax;
	regs->ip -= 2;		/* back to the syscall instruction */
}

void um_do_signal(struct pt_regs *regs)
{
	/* orig_ax is -1 unless the thread stopped in a system call. */
	bool in_syscall = (long)regs->orig_ax >= 0;
	struct ksignal ksig;

	if (get_signal(&ksig)) {
		if (in_syscall)
			um_syscall_restart(regs, &ksig);
		regs->orig_ax = -1;
		signal_setup_done(um_setup_frame(&ksig, sigmask_to_save(), regs),
				  &ksig, test_thread_flag(TIF_SINGLESTEP));
		return;
	}
	if (in_syscall)
		um_syscall_restart(regs, NULL);
	regs->orig_ax = -1;
	restore_saved_sigmask();
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct pt_regs *regs = current_pt_regs();
	struct um_rt_sigframe __user *frame =
		(void __user *)(regs->sp - sizeof(unsigned long));
	struct sigcontext c;
	sigset_t set;

	if (copy_from_user(&set, &frame->uc.uc_sigmask, sizeof(set)) ||
	    copy_from_user(&c, &frame->uc.uc_mcontext, sizeof(c)))
		goto bad;
	set_current_blocked(&set);

	regs->r8 = c.r8; regs->r9 = c.r9; regs->r10 = c.r10;
	regs->r11 = c.r11; regs->r12 = c.r12; regs->r13 = c.r13;
	regs->r14 = c.r14; regs->r15 = c.r15;
	regs->di = c.di; regs->si = c.si; regs->bp = c.bp;
	regs->bx = c.bx; regs->dx = c.dx; regs->ax = c.ax;
	regs->cx = c.cx; regs->sp = c.sp; regs->ip = c.ip;
	regs->flags = (regs->flags & ~UM_USER_FLAGS) | (c.flags & UM_USER_FLAGS);
	regs->cs = HOST_X86_USER_CS;
	regs->ss = HOST_X86_USER_SS;
	regs->orig_ax = -1;	/* not a system call to restart */

	um_fpstate_save();
	if (!c.fpstate || copy_from_user(current->thread.fpstate,
					 (void __user *)c.fpstate,
					 host_fpstate_size))
		um_fpstate_init(current);
	/* A state the host would refuse is a bad frame, as on x86. */
	if (um_fpstate_check(current->thread.fpstate)) {
		um_fpstate_init(current);
		goto bad;
	}

	if (restore_altstack(&frame->uc.uc_stack))
		goto bad;
	return regs->ax;

bad:
	force_sig(SIGSEGV);
	return 0;
}

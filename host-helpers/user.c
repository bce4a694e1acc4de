// SPDX-License-Identifier: GPL-2.0
/*
 * The ptrace loop: run a guest thread in its address-space process until
 * it makes a system call, faults, or is kicked, and say which.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <host/aspace.h>
#include <host/stub.h>
#include <host/user.h>
#include <host/x86.h>
#include "internal.h"

_Static_assert(sizeof(struct user_regs_struct) ==
	       HOST_NR_GREGS * sizeof(unsigned long), "register layout");
/* What stub.S reads in its SIGSEGV handler, where glibc puts it. */
_Static_assert(offsetof(siginfo_t, si_addr) == HOST_X86_SI_ADDR, "si_addr");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs) == HOST_X86_UC_GREGS,
	       "gregs");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_ERR]) ==
	       HOST_X86_UC_ERR, "REG_ERR");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_TRAPNO]) ==
	       HOST_X86_UC_TRAPNO, "REG_TRAPNO");
_Static_assert(offsetof(ucontext_t, uc_mcontext.fpregs) == HOST_X86_UC_FPREGS,
	       "fpregs");
_Static_assert(offsetof(struct user_fpregs_struct, mxcsr) ==
	       HOST_X86_MXCSR_OFFSET, "MXCSR");
_Static_assert(sizeof(struct user_fpregs_struct) == HOST_X86_FXSAVE_SIZE,
	       "FXSAVE area");

/*
 * A page fault: let the stub's handler read the error code the host
 * kernel saved, and stop again.  The guest's registers were read before.
 */
static int fault_details(int pid, struct host_user_event *ev,
			 struct stub_data *data)
{
	int err;

	if (ptrace(PTRACE_CONT, pid, NULL, SIGSEGV) < 0)
		return -errno;
	err = host_wait_trap(pid);
	if (err)
		return err;
	ev->kind = HOST_USER_FAULT;
	ev->addr = data->fault_addr;
	ev->err = data->fault_err;
	ev->trapno = data->fault_trapno;
	ev->fpstate = data->fault_fpstate;
	return 0;
}

int host_user_run(int pid, unsigned long *gregs, struct host_user_event *ev,
		  struct stub_data *data)
{
	siginfo_t si;
	int status, sig, err;

	memset(ev, 0, sizeof(*ev));
	if (ptrace(PTRACE_SETREGS, pid, NULL, gregs) < 0)
		return -errno;
again:
	if (ptrace(PTRACE_SYSEMU, pid, NULL, 0) < 0)
		return -errno;
	err = host_wait_child(pid, &status);
	if (err)
		return err;

	if (!WIFSTOPPED(status)) {
		ev->kind = HOST_USER_GONE;
		ev->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		return 0;
	}
	if (ptrace(PTRACE_GETREGS, pid, NULL, gregs) < 0)
		return -errno;

	sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		ev->kind = HOST_USER_SYSCALL;
		return 0;
	}
	if (sig == HOST_KICK_SIGNAL) {
		ev->kind = HOST_USER_KICKED;
		return 0;
	}
	if (ptrace(PTRACE_GETSIGINFO, pid, NULL, &si) < 0)
		return -errno;
	/*
	 * Sent by another host process (a process-group or cgroup kill, say):
	 * not the guest's business.  Swallowed, and the guest goes on.
	 */
	if (!host_signal_is_fault(sig, &si))
		goto again;
	if (sig == SIGSEGV && (si.si_code == SEGV_MAPERR ||
			       si.si_code == SEGV_ACCERR))
		return fault_details(pid, ev, data);

	ev->kind = HOST_USER_SIGNAL;
	ev->signal = sig;
	ev->code = si.si_code;
	ev->addr = (unsigned long)si.si_addr;
	return 0;
}

static int xstate(int pid, int request, void *buf)
{
	struct iovec iov = { .iov_base = buf, .iov_len = host_fpstate_size };

	return ptrace(request, pid, NT_X86_XSTATE, &iov) < 0 ? -errno : 0;
}

int host_user_set_fpstate(int pid, void *buf)
{
	return xstate(pid, PTRACE_SETREGSET, buf);
}

int host_user_get_fpstate(int pid, void *buf)
{
	return xstate(pid, PTRACE_GETREGSET, buf);
}

void host_user_kick(int pid)
{
	kill(pid, HOST_KICK_SIGNAL);
}

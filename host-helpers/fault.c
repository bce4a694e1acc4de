// SPDX-License-Identifier: GPL-2.0
/* Hardware faults of the kernel's process, passed to the kernel. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <host/fault.h>

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	struct host_fault f = {
		.ip = uc->uc_mcontext.gregs[REG_RIP],
		.sp = uc->uc_mcontext.gregs[REG_RSP],
		.addr = (unsigned long)si->si_addr,
		.signal = sig,
		.code = si->si_code,
	};
	int saved_errno = errno;

	uc->uc_mcontext.gregs[REG_RIP] = um_kernel_fault(&f);
	errno = saved_errno;
}

void host_fault_unblock(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
}

int host_faults_init(void)
{
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	/* Interrupts wait while the kernel looks at the fault. */
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGALRM);
	sigaddset(&sa.sa_mask, SIGIO);
	for (i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (sigaction(fault_signals[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}

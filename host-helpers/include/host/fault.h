/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Faults in the kernel's own process (SIGSEGV, SIGBUS, SIGILL, SIGFPE):
 * either an access that has an exception fixup (copy_from_kernel_nofault()
 * and friends) or a kernel bug.
 */
#ifndef _HOST_FAULT_H
#define _HOST_FAULT_H

struct host_fault {
	unsigned long ip;	/* instruction that faulted */
	unsigned long sp;	/* stack pointer at the fault */
	unsigned long addr;	/* address accessed (SIGSEGV, SIGBUS) */
	int signal;		/* host signal number */
	int code;		/* its si_code */
};

/* Install the fault handlers.  Returns 0 or a negative errno. */
int host_faults_init(void);

/*
 * Unblock every signal the fault handler blocked, for a fault handler
 * that will not return (the faulting task dies instead).
 */
void host_fault_unblock(void);

/*
 * Provided by the kernel: handle a fault in kernel code.  Returns the
 * address to resume at (the exception fixup for f->ip); does not return
 * when there is none.
 */
unsigned long um_kernel_fault(const struct host_fault *f);

#endif /* _HOST_FAULT_H */

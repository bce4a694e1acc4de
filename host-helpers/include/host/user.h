/* SPDX-License-Identifier: GPL-2.0 */
/* Running guest threads in their address-space process. */
#ifndef _HOST_USER_H
#define _HOST_USER_H

/* Why host_user_run() came back. */
enum host_user_stop {
	HOST_USER_SYSCALL,	/* a system call: regs hold it */
	HOST_USER_FAULT,	/* a page fault: addr, err, trapno */
	HOST_USER_SIGNAL,	/* a trap other than a page fault: signal, code */
	HOST_USER_KICKED,	/* stopped by host_user_kick() */
	HOST_USER_GONE,		/* the process died: signal that killed it */
};

struct host_user_event {
	int kind;		/* enum host_user_stop */
	int signal;		/* HOST_USER_SIGNAL, HOST_USER_GONE */
	int code;		/* si_code of the signal */
	unsigned long addr;	/* fault address, or si_addr */
	unsigned long err;	/* page-fault error code */
	unsigned long trapno;	/* x86 trap number */
	/* HOST_USER_FAULT: the FPU state the stub's handler saved, an
	 * address in its data pages.
	 */
	unsigned long fpstate;
};

/* Number of general registers: the layout of struct user_regs_struct. */
#define HOST_NR_GREGS	27

/**
 * host_user_run() - run guest code until it stops.
 * @pid: the address-space process.
 * @gregs: HOST_NR_GREGS registers to start from; on return, the guest's
 *	registers where it stopped.
 * @ev: why it stopped.
 * @data: the process's stub data, as the kernel sees it.
 *
 * Returns 0, or a negative errno when the process cannot be run.
 */
struct stub_data;
int host_user_run(int pid, unsigned long *gregs, struct host_user_event *ev,
		  struct stub_data *data);

/* Load or save the FPU state (host_fpstate_size bytes). 0 or -errno. */
int host_user_set_fpstate(int pid, void *buf);
int host_user_get_fpstate(int pid, void *buf);

/* Stop a running guest so that the kernel gets the CPU back. */
void host_user_kick(int pid);

#endif /* _HOST_USER_H */

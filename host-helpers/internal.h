/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the host-side files only; never seen by the kernel. */
#ifndef _HOST_INTERNAL_H
#define _HOST_INTERNAL_H

#include <signal.h>

/* The guest-memory file (physmem.c). */
extern int host_physmem_fd;

/* What the kernel sends to get the CPU back from guest code. */
#define HOST_KICK_SIGNAL	SIGVTALRM

/*
 * Wait for @pid to stop with SIGTRAP (the stub's int3).  A kick that was
 * still pending on the way is passed over.  0, or -errno (-ECHILD when the
 * process stopped or ended otherwise).
 */
int host_wait_trap(int pid);

/* Run the stub of @pid from entry point @entry to its next int3. */
int host_stub_call(int pid, unsigned long entry);

/* Fork a process that runs the stub's start (stub.S).  Pid or -errno. */
int host_stub_clone(unsigned long data_phys, int memfd);

#endif /* _HOST_INTERNAL_H */

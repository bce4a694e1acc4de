/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the host-side files only; never seen by the kernel. */
#ifndef _HOST_INTERNAL_H
#define _HOST_INTERNAL_H

/* The guest-memory file (physmem.c). */
extern int host_physmem_fd;

/* Run the stub of @pid from entry point @entry to its next int3. */
int host_stub_call(int pid, unsigned long entry);

/* Fork a process that runs the stub's start (stub.S).  Pid or -errno. */
int host_stub_clone(unsigned long data_phys, int memfd);

#endif /* _HOST_INTERNAL_H */

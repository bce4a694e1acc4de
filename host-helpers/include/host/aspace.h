/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest address spaces.  Each is one host process, traced by the kernel,
 * that maps nothing but the guest's pages and the stub (host/stub.h).
 * Guest code runs natively in it; PTRACE_SYSEMU stops it at each system
 * call, and its faults stop it as signals.
 */
#ifndef _HOST_ASPACE_H
#define _HOST_ASPACE_H

/* The stub's code, to be copied into a page of guest memory at boot. */
extern const char host_stub_code[], host_stub_code_end[];

/**
 * host_aspace_init() - prepare for creating address-space processes.
 * @stub_code_phys: physical address of the page holding the stub's code.
 *
 * Returns 0, or a negative errno if the host cannot trace processes the
 * way the guest needs.
 */
int host_aspace_init(unsigned long stub_code_phys);

/**
 * host_aspace_create() - start a new, empty address-space process.
 * @stub_data_phys: physical address of its STUB_DATA_PAGES data pages.
 *
 * Returns the host pid, stopped and traced, or a negative errno.
 */
int host_aspace_create(unsigned long stub_data_phys);

/* Kill an address-space process and reap it. */
void host_aspace_destroy(int pid);

/**
 * host_aspace_ended() - has something outside killed an address-space process?
 * @pid: the process, or 0 for any child of the kernel's process.
 *
 * 1 if it has ended and is waiting to be reaped (host_aspace_destroy()
 * does that).  Does not reap it.
 */
int host_aspace_ended(int pid);

struct stub_data;

/**
 * host_aspace_run_ops() - run the system calls queued in its stub data.
 * @pid: the address-space process.
 * @data: its stub data, as the kernel sees it (nr_ops and ops filled in).
 *
 * Returns 0 when all ran, or the negative errno of the first that failed.
 * nr_ops is zero again afterwards.
 */
int host_aspace_run_ops(int pid, struct stub_data *data);

/* Access bits for host_stub_queue_map(). */
#define HOST_PROT_READ	1
#define HOST_PROT_WRITE	2
#define HOST_PROT_EXEC	4

/**
 * host_stub_queue_map() - queue a mapping of guest memory in @data.
 * @addr: guest virtual address; @len: bytes; @phys: physical address of
 *	the first page; @prot: HOST_PROT_* bits.
 *
 * Returns 0, or -ENOSPC when the batch is full (run it, then queue again),
 * or -ENOMEM when a test asked for refusals (fail_host_map=N).
 */
int host_stub_queue_map(struct stub_data *data, unsigned long addr,
			unsigned long len, unsigned long phys, int prot);

/* Queue the removal of [@addr, @addr + @len).  0 or -ENOSPC. */
int host_stub_queue_unmap(struct stub_data *data, unsigned long addr,
			  unsigned long len);

/* Bytes of the host's FPU state (xsave area) for one guest thread. */
extern unsigned long host_fpstate_size;
/* The state components the host enabled (XCR0). */
extern unsigned long long host_xfeatures;

#endif /* _HOST_ASPACE_H */

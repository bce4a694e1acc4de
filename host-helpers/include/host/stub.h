/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub: a page of code and a few pages of data mapped at the top of
 * every guest address space (every address-space process).  The kernel
 * fills in system calls for it to run (mapping changes, batched), the stub
 * runs them and traps back.  Its SIGSEGV handler reports the details of a
 * guest page fault the same way.
 *
 * The guest can read and write the data pages too, so whatever the kernel
 * reads back from them is untrusted.
 *
 * Included by C in both worlds and by the stub's assembly: constants only
 * outside the C part, no C suffixes.
 */
#ifndef _HOST_STUB_H
#define _HOST_STUB_H

#define STUB_PAGE_SIZE		4096
#define STUB_CODE		0x7fc0000000
#define STUB_DATA		(STUB_CODE + STUB_PAGE_SIZE)
#define STUB_DATA_PAGES		8
#define STUB_END		(STUB_DATA + STUB_DATA_PAGES * STUB_PAGE_SIZE)
/* The stub's stack, used by the batch runner and the signal handler. */
#define STUB_STACK_TOP		(STUB_END - 64)

/* Offsets in struct stub_data, for the assembly. */
#define STUB_NR_OPS		0
#define STUB_DONE		8
#define STUB_RESULT		16
#define STUB_FAULT_ADDR		24
#define STUB_FAULT_ERR		32
#define STUB_FAULT_TRAPNO	40
#define STUB_FAULT_FPSTATE	48
#define STUB_OPS		64
#define STUB_OP_SIZE		56
#define STUB_MAX_OPS		((2 * STUB_PAGE_SIZE - STUB_OPS) / STUB_OP_SIZE)

/* Entry points, as offsets in the code page. */
#define STUB_ENTRY_START	0
#define STUB_ENTRY_OPS		128
#define STUB_ENTRY_SEGV		256

#ifndef __ASSEMBLY__

/* One host system call: number and arguments. */
struct stub_op {
	long nr;
	long args[6];
};

struct stub_data {
	long nr_ops;			/* in: ops to run */
	long done;			/* out: ops that succeeded */
	long result;			/* out: result of the last op run */
	unsigned long fault_addr;	/* out: SIGSEGV address (cr2) */
	unsigned long fault_err;	/* out: x86 page-fault error code */
	unsigned long fault_trapno;	/* out: x86 trap number */
	unsigned long fault_fpstate;	/* out: FPU state in the signal frame */
	unsigned long reserved;
	struct stub_op ops[STUB_MAX_OPS];
};

#endif /* __ASSEMBLY__ */

#endif /* _HOST_STUB_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time checks of the values the kernel and the host side must agree
 * on but each also gets from headers of its own world.  Nothing here
 * runs: a mismatch stops the build.  The host side checks its half
 * against glibc in host-helpers/user.c.
 */
#include <linux/build_bug.h>
#include <linux/signal.h>
#include <linux/stddef.h>
#include <asm/processor.h>
#include <asm/ptrace.h>
#include <asm/setup.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <host/boot.h>
#include <host/stub.h>
#include <host/user.h>
#include <host/x86.h>

/* The stub sits right above user space, in every address space. */
static_assert(TASK_SIZE == STUB_CODE);

/* pt_regs starts with the registers one PTRACE_GETREGS fills in. */
static_assert(UM_NR_GREGS == HOST_NR_GREGS);
static_assert(offsetof(struct pt_regs, from_user) ==
	      HOST_NR_GREGS * sizeof(unsigned long));

/* The host joins the command line into a buffer the kernel can take. */
static_assert(COMMAND_LINE_SIZE == HOST_CMDLINE_SIZE);

/* What stub.S stores, where struct stub_data has it. */
static_assert(offsetof(struct stub_data, nr_ops) == STUB_NR_OPS);
static_assert(offsetof(struct stub_data, done) == STUB_DONE);
static_assert(offsetof(struct stub_data, result) == STUB_RESULT);
static_assert(offsetof(struct stub_data, fault_addr) == STUB_FAULT_ADDR);
static_assert(offsetof(struct stub_data, fault_err) == STUB_FAULT_ERR);
static_assert(offsetof(struct stub_data, fault_trapno) == STUB_FAULT_TRAPNO);
static_assert(offsetof(struct stub_data, fault_fpstate) == STUB_FAULT_FPSTATE);
static_assert(offsetof(struct stub_data, ops) == STUB_OPS);
static_assert(sizeof(struct stub_op) == STUB_OP_SIZE);
static_assert(sizeof(struct stub_data) <= STUB_DATA_PAGES * STUB_PAGE_SIZE);

/* The signal frame the stub's handler reads is the x86-64 one. */
static_assert(offsetof(struct ucontext, uc_mcontext) == HOST_X86_UC_GREGS);
static_assert(offsetof(struct ucontext, uc_mcontext.err) == HOST_X86_UC_ERR);
static_assert(offsetof(struct ucontext, uc_mcontext.trapno) ==
	      HOST_X86_UC_TRAPNO);
static_assert(offsetof(struct ucontext, uc_mcontext.fpstate) ==
	      HOST_X86_UC_FPREGS);

/* The legacy FPU area, as the signal frame and ptrace describe it. */
static_assert(sizeof(struct _fpstate_64) == HOST_X86_FXSAVE_SIZE);
static_assert(offsetof(struct _fpstate_64, cwd) == HOST_X86_FCW_OFFSET);
static_assert(offsetof(struct _fpstate_64, mxcsr) == HOST_X86_MXCSR_OFFSET);
static_assert(offsetof(struct _fpstate_64, sw_reserved) ==
	      HOST_X86_FXSAVE_SW_OFFSET);
static_assert(sizeof(struct _fpx_sw_bytes) == HOST_X86_FXSAVE_SW_SIZE);

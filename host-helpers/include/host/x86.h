/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86-64 numbers both worlds use: what the CPU and the host kernel
 * hand to, or expect from, a guest thread.  Each is defined here once,
 * under one name, for the kernel side (signal frames, ptrace, the user
 * loop), the host side and the stub's assembly; values the two sides also
 * get from their own headers are checked against them at build time
 * (host-helpers/user.c, arch-um/kernel/fpu.c).
 *
 * Plain numbers without C suffixes: stub.S includes this file too.
 */
#ifndef _HOST_X86_H
#define _HOST_X86_H

/* The selectors of 64-bit user code and user data/stack. */
#define HOST_X86_USER_CS		0x33
#define HOST_X86_USER_SS		0x2b

/* The page-fault trap, and the bits of its error code we look at. */
#define HOST_X86_TRAP_PF		14
#define HOST_X86_PF_WRITE		0x2
#define HOST_X86_PF_INSTR		0x10

/*
 * The FPU state: the legacy FXSAVE area starts every XSAVE area.  Its
 * control word and MXCSR have reset values; bytes 464 to 511 are left to
 * software (the host kernel keeps its own marker there).
 */
#define HOST_X86_FXSAVE_SIZE		512
#define HOST_X86_FCW_OFFSET		0
#define HOST_X86_FCW_START		0x37f
#define HOST_X86_MXCSR_OFFSET		24
#define HOST_X86_MXCSR_START		0x1f80
#define HOST_X86_FXSAVE_SW_OFFSET	464
#define HOST_X86_FXSAVE_SW_SIZE		48
/* XSAVE areas must be this aligned. */
#define HOST_X86_XSAVE_ALIGN		64

/*
 * Where a host signal handler finds what the fault left: offsets into
 * siginfo_t and ucontext_t (gregs[REG_ERR], gregs[REG_TRAPNO] and
 * uc_mcontext.fpregs) as glibc lays them out for x86-64.
 */
#define HOST_X86_SI_ADDR		16
#define HOST_X86_UC_GREGS		40
#define HOST_X86_UC_ERR			(HOST_X86_UC_GREGS + 19 * 8)
#define HOST_X86_UC_TRAPNO		(HOST_X86_UC_GREGS + 20 * 8)
#define HOST_X86_UC_FPREGS		(HOST_X86_UC_GREGS + 23 * 8)

/*
 * The host system calls the stub makes, and the flags and signal numbers
 * it passes (checked against glibc's in host-helpers/aspace.c).
 */
#define HOST_X86_NR_MMAP			9
#define HOST_X86_NR_MUNMAP			11
#define HOST_X86_NR_RT_SIGACTION		13
#define HOST_X86_NR_RT_SIGPROCMASK		14
#define HOST_X86_NR_CLONE			56
#define HOST_X86_NR_EXIT			60
#define HOST_X86_NR_PTRACE			101
#define HOST_X86_NR_SIGALTSTACK			131
#define HOST_X86_NR_PRCTL			157
#define HOST_X86_NR_CLOSE_RANGE			436
#define HOST_X86_PR_SET_PDEATHSIG		1
#define HOST_X86_SIGKILL			9
#define HOST_X86_SIGSEGV			11
#define HOST_X86_SIGCHLD			17
#define HOST_X86_SIG_SETMASK			2
#define HOST_X86_PROT_READ			1
#define HOST_X86_PROT_WRITE			2
#define HOST_X86_MAP_SHARED			1
#define HOST_X86_MAP_FIXED			0x10
#define HOST_X86_SA_SIGINFO			4
/* glibc keeps SA_RESTORER to itself: this one is unchecked. */
#define HOST_X86_SA_RESTORER			0x04000000
#define HOST_X86_SA_ONSTACK			0x08000000
#define HOST_X86_SA_NODEFER			0x40000000
#define HOST_X86_PTRACE_TRACEME			0

#endif /* _HOST_X86_H */

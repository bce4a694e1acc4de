/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub, copied into one page of guest memory and mapped at STUB_CODE
 * in every address-space process.  Position-independent: it addresses
 * only its own fixed data pages.  Every entry ends in int3, which stops
 * the process for the kernel that traces it.
 *
 * This runs on the host, inside the address-space process, only when the
 * kernel resumes it with PTRACE_CONT at one of the entry points; guest
 * code that jumps here runs under PTRACE_SYSEMU, so its system calls are
 * guest system calls and do nothing on the host.
 */
#include <host/stub.h>
#include <host/x86.h>

	.section .um_stub, "ax"
	.balign STUB_PAGE_SIZE
	.globl host_stub_code
host_stub_code:

/*
 * Entered once, by the new process straight from clone(): it is a copy of
 * the kernel's process.  Reset what it inherited, map the stub's data
 * pages, arrange for page faults to come to the handler below, ask to be
 * traced, drop every mapping but the stub's, and stop.  Only raw system
 * calls: nothing of the kernel's process may run here.
 *   %rdi: physical address of the data pages, %rsi: the memory file.
 */
	.org host_stub_code + STUB_ENTRY_START
	movq	%rdi, %r12
	movq	%rsi, %r13
	movl	$HOST_X86_NR_PRCTL, %eax
	movl	$HOST_X86_PR_SET_PDEATHSIG, %edi
	movl	$HOST_X86_SIGKILL, %esi
	syscall
	movl	$HOST_X86_NR_MMAP, %eax
	movabsq	$STUB_DATA, %rdi
	movl	$(STUB_DATA_PAGES * STUB_PAGE_SIZE), %esi
	movl	$(HOST_X86_PROT_READ | HOST_X86_PROT_WRITE), %edx
	movl	$(HOST_X86_MAP_SHARED | HOST_X86_MAP_FIXED), %r10d
	movq	%r13, %r8
	movq	%r12, %r9
	syscall
	cmpq	%rdi, %rax
	jne	.Lexit
	movabsq	$STUB_STACK_TOP, %rsp
	jmp	.Lsetup
/*
 * Run stub_data.ops[0 .. nr_ops): host system calls.  Stops at the first
 * that fails; done counts those that succeeded, result is the last result.
 */
	.org host_stub_code + STUB_ENTRY_OPS
	movabsq	$STUB_STACK_TOP, %rsp
	movabsq	$STUB_DATA, %rbx
	xorl	%r12d, %r12d
	leaq	STUB_OPS(%rbx), %r13
	jmp	.Lops
.Lop_ok:
	incq	%r12
	addq	$STUB_OP_SIZE, %r13
.Lops:
	movq	%r12, STUB_DONE(%rbx)
	cmpq	STUB_NR_OPS(%rbx), %r12
	jae	.Lops_done
	/* Pop the op's number and arguments off it, as if it were a stack. */
	movq	%r13, %rsp
	popq	%rax
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%r10
	popq	%r8
	popq	%r9
	movabsq	$STUB_STACK_TOP, %rsp
	syscall
	movq	%rax, STUB_RESULT(%rbx)
	/* -4095 .. -1 are errors; mmap's addresses are above. */
	cmpq	$-4095, %rax
	jb	.Lop_ok
.Lops_done:
	int3
	jmp	.Lexit

/*
 * HOST_X86_SIGSEGV handler (on the stub's alternate stack): report the fault's
 * address, error code and trap number, and where the interrupted FPU
 * state was saved, then stop.  The kernel restores the guest context
 * itself, so the handler never returns.
 *   %rdi: signal, %rsi: siginfo_t *, %rdx: ucontext_t *
 */
	.org host_stub_code + STUB_ENTRY_SEGV
	movabsq	$STUB_DATA, %rbx
	movq	HOST_X86_SI_ADDR(%rsi), %rax
	movq	%rax, STUB_FAULT_ADDR(%rbx)
	movq	HOST_X86_UC_ERR(%rdx), %rax
	movq	%rax, STUB_FAULT_ERR(%rbx)
	movq	HOST_X86_UC_TRAPNO(%rdx), %rax
	movq	%rax, STUB_FAULT_TRAPNO(%rbx)
	movq	HOST_X86_UC_FPREGS(%rdx), %rax
	movq	%rax, STUB_FAULT_FPSTATE(%rbx)
	int3

/* The rest of the start: room was short at its entry point. */
.Lsetup:
	/* Every signal to its default action, none blocked. */
	subq	$32, %rsp
	movq	$0, 0(%rsp)
	movq	$0, 8(%rsp)
	movq	$0, 16(%rsp)
	movq	$0, 24(%rsp)
	movl	$1, %ebx
1:	movl	$HOST_X86_NR_RT_SIGACTION, %eax
	movl	%ebx, %edi
	movq	%rsp, %rsi
	xorl	%edx, %edx
	movl	$8, %r10d
	syscall
	incl	%ebx
	cmpl	$64, %ebx
	jbe	1b
	movl	$HOST_X86_NR_RT_SIGPROCMASK, %eax
	movl	$HOST_X86_SIG_SETMASK, %edi
	leaq	24(%rsp), %rsi
	xorl	%edx, %edx
	movl	$8, %r10d
	syscall

	/* No descriptor of the host's but the memory file. */
	testq	%r13, %r13
	jz	2f
	movl	$HOST_X86_NR_CLOSE_RANGE, %eax
	xorl	%edi, %edi
	leaq	-1(%r13), %rsi
	xorl	%edx, %edx
	syscall
2:	movl	$HOST_X86_NR_CLOSE_RANGE, %eax
	leaq	1(%r13), %rdi
	movl	$0xffffffff, %esi
	xorl	%edx, %edx
	syscall

	/* Page faults: the handler below, on the data pages as a stack. */
	movabsq	$(STUB_DATA + 2 * STUB_PAGE_SIZE), %rax
	movq	%rax, 0(%rsp)			/* ss_sp */
	movq	$0, 8(%rsp)			/* ss_flags */
	movq	$(STUB_STACK_TOP - 4096 - STUB_DATA - 2 * STUB_PAGE_SIZE), 16(%rsp)
	movl	$HOST_X86_NR_SIGALTSTACK, %eax
	movq	%rsp, %rdi
	xorl	%esi, %esi
	syscall
	testq	%rax, %rax
	jnz	.Lexit
	movabsq	$(STUB_CODE + STUB_ENTRY_SEGV), %rax
	movq	%rax, 0(%rsp)			/* handler */
	movq	%rax, 16(%rsp)			/* restorer: never used */
	movq	$(HOST_X86_SA_SIGINFO | HOST_X86_SA_ONSTACK | HOST_X86_SA_NODEFER | HOST_X86_SA_RESTORER), 8(%rsp)
	movq	$0, 24(%rsp)			/* mask */
	movl	$HOST_X86_NR_RT_SIGACTION, %eax
	movl	$HOST_X86_SIGSEGV, %edi
	movq	%rsp, %rsi
	xorl	%edx, %edx
	movl	$8, %r10d
	syscall
	testq	%rax, %rax
	jnz	.Lexit

	movl	$HOST_X86_NR_PTRACE, %eax
	movl	$HOST_X86_PTRACE_TRACEME, %edi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	testq	%rax, %rax
	jnz	.Lexit

	/* Drop the copy of the kernel's process: all but the stub. */
	movl	$HOST_X86_NR_MUNMAP, %eax
	movl	$STUB_PAGE_SIZE, %edi
	movabsq	$(STUB_CODE - STUB_PAGE_SIZE), %rsi
	syscall
	movl	$HOST_X86_NR_MUNMAP, %eax
	movabsq	$STUB_END, %rdi
	movabsq	$(0x7ffffffff000 - STUB_END), %rsi
	syscall
	int3
	jmp	.Lexit

.Lexit:
	movl	$HOST_X86_NR_EXIT, %eax
	movl	$1, %edi
	syscall
	ud2

	.balign STUB_PAGE_SIZE
	.globl host_stub_code_end
host_stub_code_end:
	.previous

/*
 * int host_stub_clone(unsigned long data_phys, int memfd);
 *
 * In the kernel's process: fork, and send the child straight to the
 * stub's start (mapped at STUB_CODE in the kernel's process too, so that
 * the child has it).  Returns the child's pid or -errno.
 */
	.text
	.globl host_stub_clone
	.type host_stub_clone, @function
host_stub_clone:
	movq	%rdi, %r8
	movq	%rsi, %r9
	movl	$HOST_X86_NR_CLONE, %eax
	movl	$HOST_X86_SIGCHLD, %edi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	testq	%rax, %rax
	jz	1f
	ret
1:	movq	%r8, %rdi
	movq	%r9, %rsi
	movabsq	$(STUB_CODE + STUB_ENTRY_START), %rax
	jmp	*%rax
	.size host_stub_clone, . - host_stub_clone

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A program without a C library, which would use the SSE registers before
 * anyone could look at them: it exits 0 if it starts with the FPU state
 * every new x86-64 program gets (XMM0-15 zero, MXCSR 0x1f80, x87 control
 * word 0x37f), 1 if not.  t-fpu execs it from a vfork() child whose
 * registers it filled, and from a fork() child.
 */
	.globl	_start
	.text
_start:
	por	%xmm1, %xmm0
	por	%xmm2, %xmm0
	por	%xmm3, %xmm0
	por	%xmm4, %xmm0
	por	%xmm5, %xmm0
	por	%xmm6, %xmm0
	por	%xmm7, %xmm0
	por	%xmm8, %xmm0
	por	%xmm9, %xmm0
	por	%xmm10, %xmm0
	por	%xmm11, %xmm0
	por	%xmm12, %xmm0
	por	%xmm13, %xmm0
	por	%xmm14, %xmm0
	por	%xmm15, %xmm0
	subq	$16, %rsp
	movdqu	%xmm0, (%rsp)
	movq	(%rsp), %rax
	orq	8(%rsp), %rax
	jnz	.Lstale
	stmxcsr	(%rsp)
	cmpl	$0x1f80, (%rsp)
	jne	.Lstale
	fnstcw	(%rsp)
	cmpw	$0x37f, (%rsp)
	jne	.Lstale
	xorl	%edi, %edi
	jmp	.Lexit
.Lstale:
	movl	$1, %edi
.Lexit:
	movl	$60, %eax		/* exit */
	syscall
	hlt

	.section .note.GNU-stack, "", @progbits

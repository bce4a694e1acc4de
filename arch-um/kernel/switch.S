/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel stack switching.  A switched-out task keeps its callee-saved
 * registers on its own stack; only the stack pointer is stored in its
 * thread_struct.
 */
#include <linux/linkage.h>

	.text

/*
 * struct task_struct *um_switch_stacks(unsigned long *save_sp,
 *					 unsigned long new_sp,
 *					 struct task_struct *prev);
 *
 * Saves the current context, resumes the one saved at @new_sp and returns
 * there with @prev: the resumed task learns which task ran before it.
 */
SYM_FUNC_START(um_switch_stacks)
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	movq	%rdx, %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
SYM_FUNC_END(um_switch_stacks)

/*
 * A new task's first switch "returns" here, with the previous task in
 * %rax.  Align the stack as the C ABI wants and go on in C.
 */
SYM_FUNC_START(um_thread_entry)
	movq	%rax, %rdi
	andq	$-16, %rsp
	call	um_new_thread_tail
	ud2
SYM_FUNC_END(um_thread_entry)

/*
 * void um_call_on_stack(void (*fn)(void), unsigned long stack_top);
 *
 * Used once, to leave the host's main stack for init_task's.
 */
SYM_FUNC_START(um_call_on_stack)
	movq	%rsi, %rsp
	andq	$-16, %rsp
	xorl	%ebp, %ebp
	call	*%rdi
	ud2
SYM_FUNC_END(um_call_on_stack)

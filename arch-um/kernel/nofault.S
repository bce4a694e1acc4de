/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int um_nofault_copy(void *dst, const void *src, unsigned long len);
 *
 * Copies len bytes; returns 0, or -EFAULT if an access faulted.  The
 * copy instruction has an exception-table entry, so a fault resumes at
 * the failure path instead of being a kernel bug (see fault.c).
 */
#include <linux/linkage.h>
#include <uapi/asm-generic/errno-base.h>

	.text
SYM_FUNC_START(um_nofault_copy)
	movq	%rdx, %rcx
.Lum_copy:
	rep movsb
	xorl	%eax, %eax
	ret
.Lum_copy_failed:
	movl	$-EFAULT, %eax
	ret
SYM_FUNC_END(um_nofault_copy)

	.pushsection __ex_table, "a"
	.balign 8
	.quad	.Lum_copy, .Lum_copy_failed
	.popsection

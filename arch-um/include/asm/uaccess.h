/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory is not mapped in the kernel's host process, so user
 * accesses walk the current task's page tables and copy through the
 * linear map of the memory file (arch-um/kernel/uaccess.c).
 */
#ifndef _ASM_UM_UACCESS_H
#define _ASM_UM_UACCESS_H

#include <asm/processor.h>

unsigned long raw_copy_from_user(void *to, const void __user *from,
				 unsigned long n);
unsigned long raw_copy_to_user(void __user *to, const void *from,
			       unsigned long n);
unsigned long __clear_user(void __user *mem, unsigned long len);
long strncpy_from_user(char *dst, const char __user *src, long count);
long strnlen_user(const char __user *str, long n);

#define __clear_user __clear_user

/* Copy that returns -EFAULT instead of faulting (nofault.S). */
int um_nofault_copy(void *dst, const void *src, unsigned long len);

#define __get_kernel_nofault(dst, src, type, err_label)			\
do {									\
	if (um_nofault_copy((dst), (src), sizeof(type)))		\
		goto err_label;						\
} while (0)

#define __put_kernel_nofault(dst, src, type, err_label)			\
	__get_kernel_nofault(dst, src, type, err_label)

#include <asm-generic/uaccess.h>

#endif /* _ASM_UM_UACCESS_H */

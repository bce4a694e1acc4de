/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's copy of the vDSO data page, which the timekeeping code
 * keeps current (kernel/time/vsyscall.c).  No guest program maps it yet:
 * it is here because time namespaces are built on it (a namespace's own
 * page holds its offsets in the same layout), and a vDSO will map it.
 */
#ifndef _ASM_UM_VDSO_VSYSCALL_H
#define _ASM_UM_VDSO_VSYSCALL_H

#ifndef __ASSEMBLY__

#include <vdso/datapage.h>

extern struct vdso_data um_vdso_data[CS_BASES];

static __always_inline struct vdso_data *__arch_get_k_vdso_data(void)
{
	return um_vdso_data;
}
#define __arch_get_k_vdso_data __arch_get_k_vdso_data

#include <asm-generic/vdso/vsyscall.h>

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_UM_VDSO_VSYSCALL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's vDSO data page, which the timekeeping code keeps current
 * (kernel/time/vsyscall.c).  It is a page of guest memory (allocated at
 * boot, arch-um/kernel/vdso.c), so that guest processes can map it.
 */
#ifndef _ASM_UM_VDSO_VSYSCALL_H
#define _ASM_UM_VDSO_VSYSCALL_H

#ifndef __ASSEMBLY__

#include <vdso/datapage.h>

extern struct vdso_data *um_vdso_data;

static __always_inline struct vdso_data *__arch_get_k_vdso_data(void)
{
	return um_vdso_data;
}
#define __arch_get_k_vdso_data __arch_get_k_vdso_data

#include <asm-generic/vdso/vsyscall.h>

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_UM_VDSO_VSYSCALL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest vDSO's data pages, mapped right below its code ("[vvar]"):
 *
 *   page 0  the kernel's vDSO data page, or, in a time namespace, the
 *           namespace's page (its offsets, clock_mode VDSO_CLOCKMODE_TIMENS)
 *   page 1  in a time namespace, the kernel's data page; else nothing
 *
 * The kernel's data page holds the generic struct vdso_data[CS_BASES] at
 * its start and, at UM_VDSO_HOST_OFFSET, where the host's vDSO is.
 */
#ifndef _ASM_UM_VDSO_VVAR_H
#define _ASM_UM_VDSO_VVAR_H

#define UM_VDSO_PAGE_SIZE	4096
#define UM_VVAR_PAGES		2
#define UM_VDSO_HOST_OFFSET	2048

#ifndef __ASSEMBLY__

struct um_vdso_host {
	/* The host's __vdso_clock_gettime() in every address-space process. */
	unsigned long clock_gettime;
};

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_UM_VDSO_VVAR_H */

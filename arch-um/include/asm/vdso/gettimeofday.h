/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <vdso/datapage.h> wants the architecture's vDSO clock helpers.  There is
 * no vDSO yet: guest programs read every clock with a system call, and the
 * generic time-namespace code only needs the data page's layout, which is
 * generic.  So there is nothing to provide; x86's version of this header
 * reads the host's clock hardware and must not be picked up instead.
 */
#ifndef _ASM_UM_VDSO_GETTIMEOFDAY_H
#define _ASM_UM_VDSO_GETTIMEOFDAY_H

#endif /* _ASM_UM_VDSO_GETTIMEOFDAY_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpu_relax() for <asm/processor.h> and <vdso/processor.h> alike (the
 * time-namespace code includes the latter); x86's version of this header
 * would define it a second time.
 */
#ifndef _ASM_UM_VDSO_PROCESSOR_H
#define _ASM_UM_VDSO_PROCESSOR_H

#ifndef __ASSEMBLY__

static __always_inline void cpu_relax(void)
{
	__asm__ __volatile__("rep; nop" ::: "memory");
}

#endif /* __ASSEMBLY__ */

#endif /* _ASM_UM_VDSO_PROCESSOR_H */

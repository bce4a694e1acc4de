/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest vDSO's one way of reading the clocksource: the host's
 * CLOCK_MONOTONIC, through the host's own vDSO (asm/vdso/gettimeofday.h).
 */
#ifndef _ASM_UM_VDSO_CLOCKSOURCE_H
#define _ASM_UM_VDSO_CLOCKSOURCE_H

#define VDSO_ARCH_CLOCKMODES	\
	VDSO_CLOCKMODE_HOSTMONO

#endif /* _ASM_UM_VDSO_CLOCKSOURCE_H */

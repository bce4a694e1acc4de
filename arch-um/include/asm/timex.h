/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_TIMEX_H
#define _ASM_UM_TIMEX_H

#include <host/time.h>

typedef unsigned long cycles_t;

static inline cycles_t get_cycles(void)
{
	return host_monotonic_ns();
}

#define CLOCK_TICK_RATE		1000000000UL

#endif /* _ASM_UM_TIMEX_H */

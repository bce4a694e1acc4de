/* SPDX-License-Identifier: GPL-2.0 */
/* Short delays spin on the host's monotonic clock, not on a loop count. */
#ifndef _ASM_UM_DELAY_H
#define _ASM_UM_DELAY_H

#include <host/time.h>

/* loops_per_jiffy is set so that one loop is one nanosecond. */
static inline void __delay(unsigned long loops)
{
	host_delay_ns(loops);
}

static inline void udelay(unsigned long usecs)
{
	host_delay_ns(usecs * 1000ULL);
}

static inline void ndelay(unsigned long nsecs)
{
	host_delay_ns(nsecs);
}
#define ndelay(n) ndelay(n)

#endif /* _ASM_UM_DELAY_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time: a clocksource read from the host's CLOCK_MONOTONIC and a one-shot
 * host timer that raises HOST_IRQ_TIMER.
 */
#ifndef _HOST_TIME_H
#define _HOST_TIME_H

/* Nanoseconds of the host's CLOCK_MONOTONIC. */
unsigned long long host_monotonic_ns(void);

/*
 * Nanoseconds since this program started (host_time_start()): the guest's
 * own clock, which starts at its boot like any machine's.
 */
unsigned long long host_uptime_ns(void);

/* Note the program's start; main() calls it first of all. */
void host_time_start(void);

/* Nanoseconds since the epoch, from the host's CLOCK_REALTIME. */
unsigned long long host_realtime_ns(void);

/* Create the host timer.  Returns 0 or a negative errno. */
int host_timer_init(void);

/* Fire HOST_IRQ_TIMER once, @ns nanoseconds from now.  0 or -errno. */
int host_timer_oneshot(unsigned long long ns);

/* Fire HOST_IRQ_TIMER every @ns nanoseconds.  0 or -errno. */
int host_timer_periodic(unsigned long long ns);

/* Disarm the timer. */
void host_timer_stop(void);

/* Busy-wait @ns nanoseconds (for udelay() and friends). */
void host_delay_ns(unsigned long long ns);

#endif /* _HOST_TIME_H */

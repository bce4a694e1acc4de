// SPDX-License-Identifier: GPL-2.0
/*
 * Time: the clocksource is the host's CLOCK_MONOTONIC, in nanoseconds;
 * the clock-event device is a host timer, one-shot or periodic.
 *
 * The guest's CLOCK_MONOTONIC and CLOCK_BOOTTIME start near zero at its
 * boot, not at the host's: timekeeping_init() takes the time since boot
 * from sched_clock(), which counts from the program's start
 * (host_uptime_ns()), and runs the clocksource on from there.
 * CLOCK_REALTIME is the host's wall time at boot, run on the same way.
 */
#include <linux/init.h>
#include <linux/clockchips.h>
#include <linux/clocksource.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>
#include <host/time.h>
#include <asm/irq.h>
#include "um.h"

static u64 um_clock_read(struct clocksource *cs)
{
	return host_monotonic_ns();
}

static struct clocksource um_clocksource = {
	.name		= "host-monotonic",
	.rating		= 300,
	.read		= um_clock_read,
	.mask		= CLOCKSOURCE_MASK(64),
	.flags		= CLOCK_SOURCE_IS_CONTINUOUS,
};

static int um_timer_next(unsigned long delta,
			 struct clock_event_device *evt)
{
	return host_timer_oneshot(delta);
}

static int um_timer_shutdown(struct clock_event_device *evt)
{
	host_timer_stop();
	return 0;
}

static int um_timer_periodic(struct clock_event_device *evt)
{
	return host_timer_periodic(NSEC_PER_SEC / HZ);
}

static struct clock_event_device um_clockevent = {
	.name			= "host-timer",
	.features		= CLOCK_EVT_FEAT_PERIODIC |
				  CLOCK_EVT_FEAT_ONESHOT,
	.rating			= 300,
	.set_next_event		= um_timer_next,
	.set_state_shutdown	= um_timer_shutdown,
	.set_state_periodic	= um_timer_periodic,
	.set_state_oneshot	= um_timer_shutdown,
	.irq			= TIMER_IRQ,
};

static irqreturn_t um_timer_interrupt(int irq, void *dev)
{
	struct clock_event_device *evt = dev;

	evt->event_handler(evt);
	return IRQ_HANDLED;
}

/* Nanoseconds since boot, for the scheduler and timekeeping_init(). */
unsigned long long notrace sched_clock(void)
{
	return host_uptime_ns();
}

void read_persistent_clock64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(host_realtime_ns());
}

void __init time_init(void)
{
	int err;

	err = host_timer_init();
	if (err)
		panic("cannot create the host timer: %d", err);

	/* One delay "loop" is one nanosecond (see asm/delay.h). */
	lpj_fine = NSEC_PER_SEC / HZ;

	if (request_irq(TIMER_IRQ, um_timer_interrupt, IRQF_TIMER,
			"timer", &um_clockevent))
		panic("cannot request the timer interrupt");

	/* The guest's vDSO reads this clock too, through the host's vDSO. */
	if (um_vdso_on())
		um_clocksource.vdso_clock_mode = VDSO_CLOCKMODE_HOSTMONO;
	clocksource_register_hz(&um_clocksource, NSEC_PER_SEC);
	um_clockevent.cpumask = cpumask_of(0);
	clockevents_config_and_register(&um_clockevent, NSEC_PER_SEC,
					1000, LONG_MAX);
}

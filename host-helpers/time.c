// SPDX-License-Identifier: GPL-2.0
/* The host clock and the host timer behind the guest's clock events. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <host/time.h>

#define NSEC_PER_SEC	1000000000ULL

static timer_t guest_timer;
static unsigned long long start_ns;

static unsigned long long read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

unsigned long long host_monotonic_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

void host_time_start(void)
{
	start_ns = host_monotonic_ns();
}

unsigned long long host_uptime_ns(void)
{
	return host_monotonic_ns() - start_ns;
}

unsigned long long host_realtime_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

int host_timer_init(void)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	return timer_create(CLOCK_MONOTONIC, &sev, &guest_timer) < 0 ?
		-errno : 0;
}

static struct timespec to_timespec(unsigned long long ns)
{
	struct timespec ts = {
		.tv_sec = ns / NSEC_PER_SEC,
		.tv_nsec = ns % NSEC_PER_SEC,
	};

	return ts;
}

static int arm(unsigned long long first, unsigned long long interval)
{
	struct itimerspec its = {
		.it_value = to_timespec(first),
		.it_interval = to_timespec(interval),
	};

	return timer_settime(guest_timer, 0, &its, NULL) < 0 ? -errno : 0;
}

int host_timer_oneshot(unsigned long long ns)
{
	/* A zero it_value would disarm the timer instead. */
	return arm(ns ? ns : 1, 0);
}

int host_timer_periodic(unsigned long long ns)
{
	return arm(ns, ns);
}

void host_timer_stop(void)
{
	arm(0, 0);
}

void host_delay_ns(unsigned long long ns)
{
	unsigned long long end = host_monotonic_ns() + ns;

	while (host_monotonic_ns() < end)
		__asm__ __volatile__("pause");
}

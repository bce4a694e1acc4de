// SPDX-License-Identifier: GPL-2.0
/*
 * Host signals as guest interrupts.  Every interrupt signal blocks the
 * others while its handler runs, so the kernel's interrupt code never
 * nests on the host side; the kernel's own flag (host_irqs_on) decides
 * whether a source is handled now or recorded for later.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <host/boot.h>
#include <host/irq.h>
#include "internal.h"

volatile int host_irqs_on;
volatile unsigned long host_irqs_pending;

/* The signal behind the last HOST_IRQ_CTRL, until the kernel takes it. */
static volatile sig_atomic_t ctrl_signal;
/* Set once any control signal came: a second one ends the program. */
static volatile sig_atomic_t ctrl_seen;

static const int irq_signals[] = {
	SIGALRM, SIGIO, SIGTERM, SIGINT, SIGHUP, SIGCHLD
};

/*
 * The idle wait's timeout.  The kernel looks at host_irqs_pending and
 * then waits; a signal that comes between the two sets this to zero, so
 * that the wait, which reads it on entry, ends at once.  (One that comes
 * during the wait interrupts it.)  Blocking the signals around the look
 * would do the same for two system calls on every idle wait, one of them
 * on the way from a disk's completion to the guest's next request.
 */
static struct timespec idle_timeout;
static volatile sig_atomic_t idle_looking;

/* Longest idle wait: the idle loop then just waits again. */
#define IDLE_WAIT_MAX_SEC	3600

static void end_idle_wait(void)
{
	if (idle_looking) {
		idle_timeout.tv_sec = 0;
		idle_timeout.tv_nsec = 0;
	}
}

void host_irqs_replay(void)
{
	unsigned long pending;

	while ((pending = __atomic_exchange_n(&host_irqs_pending, 0,
					      __ATOMIC_SEQ_CST))) {
		host_irqs_on = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		um_irq_entry(pending);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		host_irqs_on = 1;
	}
}

static void raise_irq(enum host_irq irq)
{
	int saved_errno = errno;

	__atomic_fetch_or(&host_irqs_pending, 1UL << irq, __ATOMIC_SEQ_CST);
	end_idle_wait();
	if (host_irqs_on)
		host_irqs_replay();
	errno = saved_errno;
}

static void on_timer(int sig)
{
	raise_irq(HOST_IRQ_TIMER);
}

/*
 * SIGIO comes from a host thread (host_irq_from_thread()), which has
 * already recorded its source: wake the idle loop and deliver it.
 */
static void on_io(int sig, siginfo_t *info, void *ctx)
{
	int saved_errno = errno;

	end_idle_wait();
	if (host_irqs_on && host_irqs_pending)
		host_irqs_replay();
	errno = saved_errno;
}

/*
 * A child ended: an address-space process killed from outside, most
 * likely (the kernel's own kills are reaped at once).  SA_NOCLDSTOP keeps
 * the ptrace stops of every round trip from sending SIGCHLD too.
 */
static void on_child(int sig)
{
	raise_irq(HOST_IRQ_CHILD);
}

/* Seconds a requested power-off may take before the program just ends. */
#define POWEROFF_GRACE	30

static void on_poweroff_overdue(int sig)
{
	host_exit(128 + ctrl_seen);
}

/*
 * A guest that does not manage to power off (hung, or ignoring the
 * request) must still end: a second timer, on its own signal.
 */
static void arm_poweroff_deadline(void)
{
	struct sigevent sev;
	struct itimerspec its;
	struct sigaction sa;
	timer_t deadline;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_poweroff_overdue;
	sigfillset(&sa.sa_mask);
	sigaction(SIGXCPU, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGXCPU;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = POWEROFF_GRACE;
	if (timer_create(CLOCK_MONOTONIC, &sev, &deadline) == 0)
		timer_settime(deadline, 0, &its, NULL);
}

static void on_ctrl(int sig)
{
	if (ctrl_seen)
		host_exit(128 + sig);
	ctrl_seen = sig;
	arm_poweroff_deadline();
	ctrl_signal = sig;
	raise_irq(HOST_IRQ_CTRL);
}

int host_ctrl_request(void)
{
	int sig = ctrl_signal;

	ctrl_signal = 0;
	return sig;
}

static int install(int sig, void (*handler)(int),
		   void (*info_handler)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
	if (info_handler) {
		sa.sa_sigaction = info_handler;
		sa.sa_flags |= SA_SIGINFO;
	} else {
		sa.sa_handler = handler;
	}
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(irq_signals) / sizeof(irq_signals[0]); i++)
		sigaddset(&sa.sa_mask, irq_signals[i]);
	return sigaction(sig, &sa, NULL) < 0 ? -errno : 0;
}

int host_irqs_init(void)
{
	struct sigaction ign;
	int err;

	/* A closed stdout must not kill the guest. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, NULL);

	err = install(SIGALRM, on_timer, NULL);
	if (!err)
		err = install(SIGIO, NULL, on_io);
	if (!err)
		err = install(SIGTERM, on_ctrl, NULL);
	if (!err)
		err = install(SIGINT, on_ctrl, NULL);
	if (!err)
		err = install(SIGHUP, on_ctrl, NULL);
	if (!err)
		err = install(SIGCHLD, on_child, NULL);
	return err;
}

void host_idle_wait(void)
{
	idle_timeout.tv_sec = IDLE_WAIT_MAX_SEC;
	idle_timeout.tv_nsec = 0;
	idle_looking = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (!host_irqs_pending)
		host_idle_epoll_wait(&idle_timeout);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	idle_looking = 0;
}

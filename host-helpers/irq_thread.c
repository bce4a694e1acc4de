// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts from descriptors that cannot signal by themselves.  An
 * eventfd (where libaio reports completions) has no O_ASYNC, so a host
 * thread waits on it for the kernel and, when it is written, records the
 * interrupt source and sends SIGIO to the kernel's thread.  The thread
 * blocks every signal and touches nothing else; taking the count before
 * signalling means no completion is ever missed: one that comes after
 * the kernel looked wakes the thread again.
 *
 * When the kernel is idle it waits on the same eventfds itself
 * (host_idle_epoll_wait()), and then it takes the count: a disk completion
 * costs one host wake-up, not two plus a signal.  For that the thread
 * keeps out of the way: its watch is taken off the eventfds (EPOLL_CTL_DEL on its own epoll)
 * for as long as the kernel's wait lasts, and put back after: a write
 * meanwhile wakes the kernel alone.  Putting it back looks at the eventfd,
 * so a count that comes after the kernel took them still wakes the thread.
 * Should the thread take a count first (it was awake already), its signal
 * ends the kernel's wait as any signal would.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <host/irq.h>
#include "internal.h"

struct irq_watch {
	int fd;
	int epoll;		/* the thread's own, holding fd alone */
	enum host_irq irq;
};

static struct irq_watch watches[HOST_NR_IRQS];
/* The thread that runs the kernel and takes its interrupts. */
static pid_t kernel_tid;
/* Every watched eventfd, for the kernel's idle wait; -1 until one is. */
static int idle_epoll = -1;
/* The sources with a watched eventfd, one bit each. */
static unsigned long watched_irqs;

void host_irq_from_thread(int irq)
{
	__atomic_fetch_or(&host_irqs_pending, 1UL << irq, __ATOMIC_SEQ_CST);
	syscall(SYS_tgkill, getpid(), kernel_tid, SIGIO);
}

int host_start_thread(void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	pthread_t thread;
	int err;

	if (!kernel_tid)
		kernel_tid = gettid();
	/* The thread inherits this mask: it must never take a signal. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	pthread_detach(thread);
	return 0;
}

/* Take an eventfd's count; true if there was one to take. */
static bool take_count(int fd)
{
	uint64_t count;

	return read(fd, &count, sizeof(count)) == sizeof(count);
}

static void *watch_eventfd(void *arg)
{
	struct irq_watch *w = arg;
	struct epoll_event ev;

	for (;;) {
		if (epoll_wait(w->epoll, &ev, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		/* The kernel may have taken it, from its idle wait. */
		if (take_count(w->fd))
			host_irq_from_thread(w->irq);
	}
}

static int watch(int epoll, int fd, enum host_irq irq, unsigned int edge)
{
	struct epoll_event ev = {
		.events = EPOLLIN | edge,
		.data.u32 = irq,
	};

	return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Take the thread's watch off every eventfd, or put it back. */
static void thread_watches(bool on)
{
	int i;

	for (i = 0; i < HOST_NR_IRQS; i++) {
		if (!(watched_irqs & (1UL << i)))
			continue;
		if (on)
			watch(watches[i].epoll, watches[i].fd, i, EPOLLET);
		else
			epoll_ctl(watches[i].epoll, EPOLL_CTL_DEL,
				  watches[i].fd, NULL);
	}
}

int host_idle_epoll_wait(const sigset_t *mask)
{
	struct epoll_event ev[HOST_NR_IRQS];
	int n, i;

	if (idle_epoll < 0)
		return sigsuspend(mask);
	thread_watches(false);
	n = epoll_pwait(idle_epoll, ev, HOST_NR_IRQS, -1, mask);
	/* Every watched count, also one that a signal's end of the wait left. */
	for (i = 0; i < HOST_NR_IRQS; i++)
		if ((watched_irqs & (1UL << i)) && take_count(watches[i].fd))
			__atomic_fetch_or(&host_irqs_pending, 1UL << i,
					  __ATOMIC_SEQ_CST);
	/* A count that comes from here on makes the thread's epoll ready. */
	thread_watches(true);
	return n;
}

int host_irq_eventfd(enum host_irq irq)
{
	struct irq_watch *w = &watches[irq];
	int err;

	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0)
		return -errno;
	w->irq = irq;
	w->epoll = epoll_create1(EPOLL_CLOEXEC);
	if (w->epoll < 0) {
		err = -errno;
		goto close_fd;
	}
	if (idle_epoll < 0) {
		idle_epoll = epoll_create1(EPOLL_CLOEXEC);
		if (idle_epoll < 0) {
			err = -errno;
			goto close_epoll;
		}
	}
	err = watch(idle_epoll, w->fd, irq, 0);
	if (err)
		goto close_epoll;
	err = watch(w->epoll, w->fd, irq, EPOLLET);
	if (!err)
		err = host_start_thread(watch_eventfd, w);
	if (err) {
		epoll_ctl(idle_epoll, EPOLL_CTL_DEL, w->fd, NULL);
		goto close_epoll;
	}
	watched_irqs |= 1UL << irq;
	return w->fd;

close_epoll:
	close(w->epoll);
close_fd:
	close(w->fd);
	return err;
}

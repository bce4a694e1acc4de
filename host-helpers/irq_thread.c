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
 * The thread's watch costs system calls to put on and take off, so it is
 * on only while the source has work in flight (host_irq_expect()) and the
 * kernel is not idle.  When the kernel is idle it waits on the eventfds
 * itself (host_idle_epoll_wait()), and a completion then wakes it alone:
 * the thread's watch comes off for the wait.  After a wait that the
 * eventfd ended, the watch stays off until the source, having looked at
 * what finished, says it still expects more: in the common case of a disk
 * that finished everything it had, the way from the completion to the
 * guest's next request holds no system call of ours.
 *
 * The kernel's own watch is edge-triggered and it never reads the count:
 * every write wakes its wait, or ends the next one at once if the kernel
 * was not waiting.  host_irq_expect() takes the count before the thread
 * watches again, so the thread wakes only for writes that come later.
 */
#include <errno.h>
#include <poll.h>
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
	int epoll;		/* the thread's own: fd, while watched */
	bool open;		/* host_irq_eventfd() made it */
	bool watched;
	int irq;
};

static struct irq_watch watches[HOST_NR_IRQS];
/* The thread that runs the kernel and takes its interrupts. */
static pid_t kernel_tid;
/* Every source's eventfd, for the kernel's idle wait; -1 until one. */
static int idle_epoll = -1;

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
		/* host_irq_expect() may have taken it meanwhile. */
		if (take_count(w->fd))
			host_irq_from_thread(w->irq);
	}
}

static int watch(int epoll, int fd, int irq, unsigned int edge)
{
	struct epoll_event ev = {
		.events = EPOLLIN | edge,
		.data.u32 = irq,
	};

	return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void host_irq_expect(int irq)
{
	struct irq_watch *w = &watches[irq];

	if (!w->open || w->watched)
		return;
	/* A count from before: the kernel may not have seen its work yet. */
	if (take_count(w->fd))
		__atomic_fetch_or(&host_irqs_pending, 1UL << irq,
				  __ATOMIC_SEQ_CST);
	if (watch(w->epoll, w->fd, irq, EPOLLET) == 0)
		w->watched = true;
}

/*
 * Wait with epoll_pwait2(), or with ppoll() where the host lacks it (any
 * failure but a signal's says so: the arguments are always valid).
 */
static int wait_idle_epoll(struct epoll_event *ev, int max,
			   const struct timespec *timeout)
{
	static bool no_pwait2;
	struct pollfd pfd = { .fd = idle_epoll, .events = POLLIN };
	int n;

	if (!no_pwait2) {
		n = epoll_pwait2(idle_epoll, ev, max, timeout, NULL);
		if (n >= 0 || errno == EINTR)
			return n;
		no_pwait2 = true;
	}
	n = ppoll(&pfd, 1, timeout, NULL);
	if (n <= 0)
		return n;
	return epoll_wait(idle_epoll, ev, max, 0);
}

int host_idle_epoll_wait(const struct timespec *timeout)
{
	struct epoll_event ev[HOST_NR_IRQS];
	unsigned long was_watched = 0, fired = 0;
	int n, i;

	if (idle_epoll < 0)
		return ppoll(NULL, 0, timeout, NULL);
	for (i = 0; i < HOST_NR_IRQS; i++) {
		if (!watches[i].watched)
			continue;
		epoll_ctl(watches[i].epoll, EPOLL_CTL_DEL, watches[i].fd,
			  NULL);
		watches[i].watched = false;
		was_watched |= 1UL << i;
	}
	n = wait_idle_epoll(ev, HOST_NR_IRQS, timeout);
	for (i = 0; i < n; i++)
		fired |= 1UL << ev[i].data.u32;
	if (fired)
		__atomic_fetch_or(&host_irqs_pending, fired, __ATOMIC_SEQ_CST);
	/* A source the wait did not hear from still has its work out. */
	for (i = 0; i < HOST_NR_IRQS; i++)
		if (was_watched & ~fired & (1UL << i))
			host_irq_expect(i);
	return n;
}

int host_irq_eventfd(int irq)
{
	struct irq_watch *w = &watches[irq];
	int err;

	if (irq < 0 || irq >= HOST_NR_IRQS || w->open)
		return -EINVAL;
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
	err = watch(idle_epoll, w->fd, irq, EPOLLET);
	if (err)
		goto close_epoll;
	err = host_start_thread(watch_eventfd, w);
	if (err) {
		epoll_ctl(idle_epoll, EPOLL_CTL_DEL, w->fd, NULL);
		goto close_epoll;
	}
	w->open = true;
	return w->fd;

close_epoll:
	close(w->epoll);
close_fd:
	close(w->fd);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts from descriptors that cannot signal by themselves.  An
 * eventfd (where libaio reports completions) has no O_ASYNC, so a host
 * thread sleeps in read() on it for the kernel and, when it is written,
 * records the interrupt source and sends SIGIO to the kernel's thread.
 * The thread blocks every signal and touches nothing else; reading the
 * count before signalling means no completion is ever missed: one that
 * comes after the kernel looked wakes the thread again.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <host/irq.h>
#include "internal.h"

struct irq_watch {
	int fd;
	enum host_irq irq;
};

static struct irq_watch watches[HOST_NR_IRQS];
/* The thread that runs the kernel and takes its interrupts. */
static pid_t kernel_tid;

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

static void *watch_eventfd(void *arg)
{
	struct irq_watch *w = arg;
	uint64_t count;

	for (;;) {
		if (read(w->fd, &count, sizeof(count)) != sizeof(count)) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		host_irq_from_thread(w->irq);
	}
}

int host_irq_eventfd(enum host_irq irq)
{
	struct irq_watch *w = &watches[irq];
	int err;

	w->fd = eventfd(0, EFD_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	w->irq = irq;
	err = host_start_thread(watch_eventfd, w);
	if (err) {
		close(w->fd);
		return err;
	}
	return w->fd;
}

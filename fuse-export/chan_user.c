// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's request mover, host side.  One thread per export
 * reads the host kernel's requests from /dev/fuse into the buffers the
 * kernel side lent (guest memory, mapped in this process), queues each
 * filled buffer on a ring the kernel empties from its interrupt handler,
 * and raises the export interrupt through an eventfd.  The kernel gives buffers
 * back through a pipe once it has written the reply, so the thread
 * never reads more requests than there are buffers: the rest wait in the
 * host kernel's queue.  The thread blocks every signal and looks at
 * nothing inside the requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <host/irq.h>
#include "fe_user.h"

/* The eventfd behind the export interrupt, shared by every export. */
static int irq_fd = -1;

static void raise_fuse_irq(void)
{
	uint64_t one = 1;

	while (write(irq_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Read one request into buffer @idx; 0, or -1 once the export ended. */
static int read_request(struct fe_export *e, unsigned int idx)
{
	ssize_t n;

	for (;;) {
		n = read(e->fd, e->bufs[idx], e->size);
		if (n > 0)
			break;
		/*
		 * ENOENT: the request was interrupted before we got it;
		 * EINTR and EAGAIN: nothing read.  Anything else (ENODEV
		 * once unmounted) ends the export.
		 */
		if (n < 0 && (errno == ENOENT || errno == EINTR ||
			      errno == EAGAIN))
			continue;
		return -1;
	}
	e->lens[idx] = n;
	e->ring[e->head % HOST_FUSE_MAX_BUFS] = idx;
	__atomic_store_n(&e->head, e->head + 1, __ATOMIC_RELEASE);
	return 0;
}

static void *mover(void *arg)
{
	struct fe_export *e = arg;
	unsigned char idx;
	ssize_t n;

	for (;;) {
		n = read(e->free_pipe[0], &idx, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1 || idx >= e->nbufs)
			break;
		if (read_request(e, idx))
			break;
		raise_fuse_irq();
	}
	__atomic_store_n(&e->ended, 1, __ATOMIC_RELEASE);
	raise_fuse_irq();
	return NULL;
}

int host_fuse_start(int n, int irq, void *const *bufs, int nbufs,
		    unsigned long size)
{
	struct fe_export *e = &fe_exports[n];
	sigset_t all, old;
	pthread_t thread;
	unsigned char i;
	int err;

	if (n < 0 || n >= fe_nr_exports || e->fd < 0 || nbufs < 1 ||
	    nbufs > HOST_FUSE_MAX_BUFS)
		return -EINVAL;
	if (irq_fd < 0) {
		irq_fd = host_irq_eventfd(irq);
		if (irq_fd < 0)
			return irq_fd;
	}
	if (pipe2(e->free_pipe, O_CLOEXEC) < 0)
		return -errno;
	for (i = 0; i < nbufs; i++) {
		e->bufs[i] = bufs[i];
		if (write(e->free_pipe[1], &i, 1) != 1) {
			err = -errno;
			goto close_pipe;
		}
	}
	e->nbufs = nbufs;
	e->size = size;

	/* The thread inherits this mask: it must never take a signal. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&thread, NULL, mover, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto close_pipe;
	pthread_detach(thread);
	return 0;

close_pipe:
	close(e->free_pipe[0]);
	close(e->free_pipe[1]);
	return err;
}

int host_fuse_take(int n, unsigned long *len)
{
	struct fe_export *e = &fe_exports[n];
	unsigned int idx;

	if (e->tail == __atomic_load_n(&e->head, __ATOMIC_ACQUIRE))
		return -1;
	idx = e->ring[e->tail % HOST_FUSE_MAX_BUFS];
	*len = e->lens[idx];
	__atomic_store_n(&e->tail, e->tail + 1, __ATOMIC_RELEASE);
	return idx;
}

void host_fuse_give(int n, int buf)
{
	unsigned char idx = buf;

	/* The pipe holds far more than HOST_FUSE_MAX_BUFS bytes. */
	while (write(fe_exports[n].free_pipe[1], &idx, 1) < 0 &&
	       errno == EINTR)
		;
}

int host_fuse_write(int n, const void *data, unsigned long len)
{
	ssize_t done;

	do {
		done = write(fe_exports[n].fd, data, len);
	} while (done < 0 && errno == EINTR);
	if (done < 0)
		return -errno;
	return (unsigned long)done == len ? 0 : -EIO;
}

int host_fuse_ended(int n)
{
	return __atomic_load_n(&fe_exports[n].ended, __ATOMIC_ACQUIRE);
}

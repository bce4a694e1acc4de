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
 *
 * A second thread per export writes the kernel's notifications (what
 * changed in the guest, for the host kernel to drop from its caches) to
 * /dev/fuse.  The kernel queues them on a pipe without waiting: writing
 * one may wait for the host kernel to unlock a page that a request the
 * kernel has yet to answer holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
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

/* Read exactly @len bytes from @fd; 0, or -1 at its end. */
static int read_all(int fd, void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

/*
 * The notifier: each message went into the pipe in one write (it is far
 * shorter than PIPE_BUF), its length in its first four bytes.  An error
 * from /dev/fuse (ENOENT: the host kernel has no such inode cached) is
 * nothing to act on.
 */
static void *notifier(void *arg)
{
	struct fe_export *e = arg;
	unsigned char msg[HOST_FUSE_NOTE_MAX];
	uint32_t len;

	for (;;) {
		if (read_all(e->note_pipe[0], msg, sizeof(len)))
			break;
		memcpy(&len, msg, sizeof(len));
		if (len < sizeof(len) || len > sizeof(msg) ||
		    read_all(e->note_pipe[0], msg + sizeof(len),
			     len - sizeof(len)))
			break;
		__atomic_store_n(&e->notes_taken, e->notes_taken + 1,
				 __ATOMIC_RELEASE);
		while (write(e->fd, msg, len) < 0 && errno == EINTR)
			;
		__atomic_store_n(&e->notes_done, e->notes_done + 1,
				 __ATOMIC_RELEASE);
	}
	return NULL;
}

int host_fuse_notify(int n, const void *data, unsigned long len)
{
	struct fe_export *e = &fe_exports[n];
	ssize_t done;

	if (len > HOST_FUSE_NOTE_MAX || e->note_pipe[1] <= 0)
		return -EINVAL;
	do {
		done = write(e->note_pipe[1], data, len);
	} while (done < 0 && errno == EINTR);
	if (done < 0)
		return -errno;
	return (unsigned long)done == len ? 0 : -EIO;
}

unsigned long host_fuse_notes(int n, unsigned long *taken)
{
	struct fe_export *e = &fe_exports[n];

	*taken = __atomic_load_n(&e->notes_taken, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&e->notes_done, __ATOMIC_ACQUIRE);
}

/* Start a thread that takes every signal blocked. */
static int start_thread(void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	pthread_t thread;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		pthread_detach(thread);
	return err;
}

/*
 * The notifications' pipe: non-blocking for the kernel, as large as an
 * unprivileged user may make it (1 MiB by default), so that it is seldom
 * full.
 */
static int start_notifier(struct fe_export *e)
{
	int err;

	if (pipe2(e->note_pipe, O_CLOEXEC) < 0)
		return -errno;
	fcntl(e->note_pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(e->note_pipe[1], F_SETPIPE_SZ, 1024 * 1024);
	err = start_thread(notifier, e);
	if (err) {
		close(e->note_pipe[0]);
		close(e->note_pipe[1]);
		e->note_pipe[1] = 0;
	}
	return err;
}

int host_fuse_start(int n, int irq, void *const *bufs, int nbufs,
		    unsigned long size)
{
	struct fe_export *e = &fe_exports[n];
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

	err = start_notifier(e);
	if (err)
		goto close_pipe;
	/* The threads must never take a signal. */
	err = start_thread(mover, e);
	if (err)
		goto close_pipe;
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

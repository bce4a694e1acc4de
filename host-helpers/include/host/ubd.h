/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block driver's boundary.  The host side opens, checks and locks
 * every disk image before boot (so a bad ubd parameter never starts a
 * guest) and later runs the guest's requests on them with libaio; the
 * kernel side (ubd/disk.c) is a blk-mq driver that hands it requests and
 * completes them from the HOST_IRQ_DISK interrupt.
 *
 * Plain C types only: this header is included from both worlds.
 */
#ifndef _HOST_UBD_H
#define _HOST_UBD_H

/* ubd0 to ubd15: /dev/ubda to /dev/ubdp. */
#define HOST_UBD_MAX		16

/* Request operations. */
enum host_ubd_op {
	HOST_UBD_READ,
	HOST_UBD_WRITE,
	HOST_UBD_FLUSH,		/* make completed writes durable */
	HOST_UBD_DISCARD,	/* forget a range; it reads back as zeroes */
	HOST_UBD_WRITE_ZEROES,	/* a range reads back as zeroes */
};

/* Request flags. */
#define HOST_UBD_FUA		1	/* durable when it completes */

/* What the kernel learns of one configured disk. */
struct host_ubd_info {
	unsigned long long sectors;	/* capacity in 512-byte sectors */
	int read_only;			/* ubdNr=, or an unwritable file */
	int cow;			/* an overlay over a backing file */
	const char *path;		/* the image (or overlay) as given */
};

/* One piece of a request's memory, in the kernel's address space. */
struct host_ubd_seg {
	void *addr;
	unsigned long len;
};

/**
 * host_ubd_param() - take one ubdN=, ubdNr= or ubdN=OVERLAY,BACKING
 * parameter: parse it, open the files, lock them and check an overlay.
 * @arg: the whole parameter, "ubd0=root.img" say.
 *
 * Prints a message naming the parameter and the problem on standard error
 * and returns -1 if it cannot be used; leaves every file as it was then.
 * Returns 0 on success.
 */
int host_ubd_param(const char *arg);

/* Close every disk and remove overlays this run created (boot refused). */
void host_ubd_abort(void);

/* Is @arg a ubd parameter (ubd followed by a digit)? */
int host_ubd_is_param(const char *arg);

/**
 * host_ubd_info() - describe disk @n.
 *
 * Returns 0 and fills @info, or -1 if ubd@n was not given.
 */
int host_ubd_info(int n, struct host_ubd_info *info);

/**
 * host_ubd_start() - set up the asynchronous engine: the AIO context and
 * the eventfd whose completions raise HOST_IRQ_DISK.
 *
 * Returns 0, or a negative errno.
 */
int host_ubd_start(void);

/**
 * host_ubd_submit() - start one request on disk @n.
 * @cookie: handed back to the completion callback.
 * @op, @flags: enum host_ubd_op and HOST_UBD_FUA.
 * @offset, @len: the byte range on the disk.
 * @segs, @nsegs: the memory for reads and writes, @len bytes in all.
 *
 * Called with interrupts off.  The request starts at the next
 * host_ubd_commit().  Returns 0 once queued, -EAGAIN when the engine has
 * no room now (retry after a completion), or another negative errno for a
 * request that can never be done.
 */
int host_ubd_submit(int n, void *cookie, int op, int flags,
		    unsigned long long offset, unsigned long long len,
		    const struct host_ubd_seg *segs, int nsegs);

/*
 * Start every request submitted since the last call (the engine starts
 * them in pieces of a few as they come, and the rest here).
 */
void host_ubd_commit(void);

/**
 * host_ubd_reap() - finish the requests whose host I/O has completed.
 * @done: called once per finished request with its cookie and 0 or a
 *        negative errno.
 *
 * Called from the HOST_IRQ_DISK interrupt.  Returns how many finished.
 */
int host_ubd_reap(void (*done)(void *cookie, int err));

#endif /* _HOST_UBD_H */

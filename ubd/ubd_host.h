/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block driver's boundary.  The host side opens, checks and locks
 * every disk image before boot (so a bad ubd parameter never starts a
 * guest) and later runs the guest's requests on them with libaio; the
 * kernel side (ubd/disk.c) is a blk-mq driver that hands it requests and
 * completes them from the disk interrupt.
 *
 * The parameters (ubdN=, ubd_fail=) are the host half's own business: it
 * takes them through its struct host_driver (host/driver.h), in
 * open_user.c.
 *
 * Plain C types only: this header is included from both worlds.
 */
#ifndef _UBD_HOST_H
#define _UBD_HOST_H

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
 * host_ubd_info() - describe disk @n.
 *
 * Returns 0 and fills @info, or -1 if ubd@n was not given.
 */
int host_ubd_info(int n, struct host_ubd_info *info);

/**
 * struct host_ubd_calls - what the host engine calls in the kernel.
 * @done: a request has ended: called exactly once for every request that
 *        host_ubd_submit() took, with the @cookie and @ticket it was given
 *        and 0 or a negative errno, and never for any other.
 * @report: a line for the kernel log: a forced failure (ubd_fail=) when
 *          @bug is 0; when @bug is 1, an invariant of the engine found
 *          broken (a completion for an operation not in flight, say),
 *          which the engine did not act on.
 *
 * Both are called only from host_ubd_submit(), host_ubd_commit() and
 * host_ubd_reap(), with the kernel's interrupts off.
 */
struct host_ubd_calls {
	void (*done)(void *cookie, unsigned int ticket, int err);
	void (*report)(int bug, const char *msg);
};

/**
 * host_ubd_start() - set up the asynchronous engine: the AIO context and
 * the eventfd whose completions raise the disk interrupt.
 * @calls: how requests end; kept for good.
 * @irq: the disk interrupt, as the kernel half got it.
 *
 * Returns 0, or a negative errno.
 */
int host_ubd_start(const struct host_ubd_calls *calls, int irq);

/**
 * host_ubd_submit() - start one request on disk @n.
 * @cookie, @ticket: handed back to @calls->done when the request ends.
 * @op, @flags: enum host_ubd_op and HOST_UBD_FUA.
 * @offset, @len: the byte range on the disk.
 * @segs, @nsegs: the memory for reads and writes, @len bytes in all.
 *
 * Called with interrupts off.  All or nothing: returns 0 once the engine
 * has taken the whole request (every host operation it needs is reserved,
 * and it starts at the next host_ubd_commit() at the latest), and the
 * request is then the engine's until @calls->done ends it, exactly once,
 * whatever fails on the way.  Otherwise the engine took none of it:
 * -EAGAIN when it has no room now (retry after a completion), another
 * negative errno for a request that can never be done.
 */
int host_ubd_submit(int n, void *cookie, unsigned int ticket, int op,
		    int flags, unsigned long long offset,
		    unsigned long long len, const struct host_ubd_seg *segs,
		    int nsegs);

/*
 * Start every request submitted since the last call (the engine starts
 * them in pieces of a few as they come, and the rest here).  Operations
 * the host turns away for now stay queued in order and go at the next
 * completion.
 */
void host_ubd_commit(void);

/**
 * host_ubd_reap() - end the requests whose host I/O has completed, each
 * through @calls->done.
 *
 * Called with interrupts off, from the disk interrupt and from
 * the request path; the only reader of the completions.  A call made while
 * another is under way (from a completion's callback) returns 0 at once:
 * the one under way takes what has come.  Returns how many ended.
 */
int host_ubd_reap(void);

#endif /* _UBD_HOST_H */

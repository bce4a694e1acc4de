/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FUSE export's boundary.  The host side takes the fuse= parameters,
 * checks the host directories and mounts them (through fusermount3)
 * before boot; once the guest runs, a host thread per export reads the
 * host kernel's FUSE requests into buffers the kernel side lent it and
 * raises the export interrupt.  The kernel side (fuse-export/export.c, ops.c)
 * answers each request through the guest's VFS and hands the reply back
 * to be written to /dev/fuse.  Nothing of the file system is known on
 * the host side: it moves bytes (Documentation/fuse-export.rst).
 *
 * Plain C types only: this header is included from both worlds.
 */
#ifndef _FE_HOST_H
#define _FE_HOST_H

/* fuse= may be given this many times. */
#define HOST_FUSE_MAX		8
/* Request buffers one export may lend the host side. */
#define HOST_FUSE_MAX_BUFS	16

/* What the kernel learns of one export. */
struct host_fuse_info {
	const char *host_dir;	/* the mount point, as an absolute path */
	const char *guest_path;	/* the guest directory served, "/" by default */
	int read_only;		/* ,ro */
	int uid, gid;		/* ,uid=N,gid=N; -1: requests act as root */
};

/**
 * host_fuse_info() - describe export @n.
 *
 * Returns 0 and fills @info, or -1 if there is no export @n.  The strings
 * live as long as the program.
 */
int host_fuse_info(int n, struct host_fuse_info *info);

/**
 * host_fuse_add() - mount an export while the guest runs.
 * @spec: as fuse= takes it, "fuse=HOSTDIR[:GUESTPATH][,ro]...".
 * @msg, @len: where the reason for a refusal goes.
 *
 * Returns the export's number (for host_fuse_info() and the rest), or -1.
 */
int host_fuse_add(const char *spec, char *msg, unsigned long len);

/**
 * host_fuse_find() - the number of the mounted export on @host_dir, or -1.
 */
int host_fuse_find(const char *host_dir);

/**
 * host_fuse_remove() - unmount export @n (lazily: a host program inside
 * gets errors).  Its reading thread then ends.
 */
void host_fuse_remove(int n);

/**
 * host_fuse_start() - start reading export @n's requests.
 * @irq: the interrupt to raise, as the kernel half got it (the same for
 *       every export).
 * @bufs, @nbufs: the buffers requests are read into, @size bytes each, in
 *                the kernel's address space; all of them start out free.
 *
 * Starts the host thread that reads a request into a free buffer, queues
 * it for host_fuse_take() and raises @irq.  Returns 0, or a
 * negative errno.
 */
int host_fuse_start(int n, int irq, void *const *bufs, int nbufs,
		    unsigned long size);

/**
 * host_fuse_take() - the next request read for export @n.
 * @len: set to the request's length in bytes.
 *
 * Returns the index of the buffer that holds it (the buffer is then the
 * kernel's until host_fuse_give()), or -1 if none is waiting.  Safe from
 * the interrupt handler.
 */
int host_fuse_take(int n, unsigned long *len);

/**
 * host_fuse_give() - buffer @buf of export @n is free for a new request.
 */
void host_fuse_give(int n, int buf);

/**
 * host_fuse_write() - write a reply (or a notification) to /dev/fuse.
 * @data, @len: the whole message, struct fuse_out_header first.
 *
 * Returns 0; -ENOENT when the request was interrupted or aborted and the
 * host kernel no longer waits for it; another negative errno otherwise.
 */
int host_fuse_write(int n, const void *data, unsigned long len);

/**
 * host_fuse_notify() - queue a notification for /dev/fuse, without waiting.
 * @data, @len: the whole message (struct fuse_out_header first, unique 0),
 *              at most HOST_FUSE_NOTE_MAX bytes.
 *
 * A host thread of the export writes it to /dev/fuse, in the order
 * queued: writing it may wait for the host kernel to drop pages that a
 * request this kernel has yet to answer holds, so the kernel never writes
 * it itself.  Returns 0, -EAGAIN when the queue is full (try again later),
 * or another negative errno.
 */
#define HOST_FUSE_NOTE_MAX	512
int host_fuse_notify(int n, const void *data, unsigned long len);

/**
 * host_fuse_notes() - how far export @n's notifications have gone.
 * @taken: set to how many the host thread has begun to write.
 *
 * Returns how many have been written to /dev/fuse (and so acted on by the
 * host kernel), counting from the first host_fuse_notify() that succeeded.
 */
unsigned long host_fuse_notes(int n, unsigned long *taken);

/**
 * host_fuse_ended() - has export @n ended on the host (unmounted from
 * outside, with fusermount3 -u say)?  Returns 1 or 0.
 */
int host_fuse_ended(int n);

#endif /* _FE_HOST_H */

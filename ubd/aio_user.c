// SPDX-License-Identifier: GPL-2.0
/*
 * The host I/O engine of the block driver: guest requests become libaio
 * operations on the image files, many in flight at once; their
 * completions are counted on an eventfd whose watcher raises the disk interrupt,
 * and host_ubd_reap() then finishes them.
 *
 * The eventfd is watched while the kernel runs only when operations are
 * in flight (host_irq_expect()): a disk that finished everything it had
 * costs no host system call between its interrupt and the next request.
 *
 * A request needs one AIO operation ("slot"), except a read of an overlay,
 * which needs one per run of blocks that lie together in the overlay or
 * in the backing file.  Slots and request records come from fixed pools:
 * this code runs with the kernel's interrupts off or from its interrupt,
 * where host malloc() is not safe.
 *
 * O_DIRECT wants offsets, lengths and memory aligned; a request that is
 * not, or that the file system still refuses with EINVAL, goes through the
 * buffered descriptor instead.  Both see the same file: the host kernel
 * keeps direct and buffered I/O of one file coherent.
 */
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <host/irq.h>
#include "ubd_user.h"

/* AIO operations in flight at most, and requests. */
#define NR_SLOTS	1024
#define NR_REQS		1024
/* Memory pieces of one operation; the kernel side sends no more. */
#define SLOT_IOVS	130
/* io_submit() saying EAGAIN with nothing in flight: tries before failing. */
#define SUBMIT_TRIES	16

/*
 * A request's life here (Documentation/disks.rst): FREE until
 * host_ubd_submit() takes it, OPEN while any of its operations is
 * prepared or in flight, ENDING once they are all done but it waits on
 * done_list for host_ubd_reap(), which ends it and makes it FREE again.
 */
enum req_state {
	REQ_FREE,
	REQ_OPEN,
	REQ_ENDING,
};

struct ubd_req {
	void *cookie;
	unsigned int ticket;
	enum req_state state;
	int pending;		/* operations not yet completed or refused */
	int nops;		/* operations it was split into */
	int started;		/* of them handed to the host */
	int err;		/* the first error: sticky */
	int disk;
	int op;
	int flags;
	unsigned long long offset, len;
	int next_free;
};

struct ubd_slot {
	struct iocb cb;
	struct iovec iov[SLOT_IOVS];
	int niov;
	int req;
	int piece;		/* which of the request's operations, from 1 */
	bool used;
	size_t expect;		/* bytes the operation must move */
	int buffered_fd;	/* where to retry if O_DIRECT says EINVAL */
	int next_free;
};

static const struct host_ubd_calls *calls;
static io_context_t aio;
/* Completions are taken from the ring itself (see take_events()). */
static bool ring_readable;
static int completion_fd = -1;
/* The interrupt the kernel half gave us (host_ubd_start()). */
static int disk_irq = -1;
static struct ubd_slot slots[NR_SLOTS];
static struct ubd_req reqs[NR_REQS];
static int free_slot = -1, free_req = -1;
static int nr_free_slots;
/* Operations the host has taken and not yet reported finished. */
static int in_flight;

/*
 * Operations prepared but not yet handed to the host: blk-mq passes
 * requests one by one and says which is the last of a batch, and one
 * io_submit() for the batch saves a system call per request.
 */
static struct iocb *unsubmitted[NR_SLOTS];
static int nr_unsubmitted;

/*
 * Operations handed to the host at most in one io_submit().  The host disk
 * starts on a batch only when it is kicked, at the end of the call, and a
 * call of 32 takes tens of microseconds: handing them over in pieces lets
 * the disk work on the first while the rest are prepared.  8 did best in
 * random reads at depth 32 (Documentation/disks.rst).
 */
#define SUBMIT_CHUNK	8

/* Requests finished outside reap (discard, refusals): ended by reap. */
static int done_list[NR_REQS];
static int nr_done;

static const char *const op_names[] = {
	[HOST_UBD_READ] = "read",
	[HOST_UBD_WRITE] = "write",
	[HOST_UBD_FLUSH] = "flush",
	[HOST_UBD_DISCARD] = "discard",
	[HOST_UBD_WRITE_ZEROES] = "write-zeroes",
};

static const char *op_name(int op)
{
	return op >= 0 && op <= HOST_UBD_WRITE_ZEROES ? op_names[op] : "?";
}

/* A line for the kernel log: a forced failure, or a broken invariant. */
static void say(int bug, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	calls->report(bug, msg);
}

/* A broken invariant about request @req, with its details. */
static void req_bug(int req, const char *what)
{
	const struct ubd_req *r = &reqs[req];

	say(1, "host request %d (ubd%d %s of %llu bytes at %llu, ticket %u, state %d, %d of %d operations pending): %s",
	    req, r->disk, op_name(r->op), r->len, r->offset, r->ticket,
	    r->state, r->pending, r->nops, what);
}

/*
 * io_setup() answers with the address of the completion ring that the
 * host kernel shares with us; libaio reads it the same way.  Events from
 * head to tail are finished operations, and moving head on hands their
 * places back.  Taking them here rather than with io_getevents() saves a
 * host system call on every interrupt, which is on the path from the
 * disk's completion to the guest's next request.
 */
struct aio_ring_header {
	unsigned int id;
	unsigned int nr;	/* places in the ring */
	unsigned int head;	/* next event to take: ours to move */
	unsigned int tail;	/* next place the host fills */
	unsigned int magic;
	unsigned int compat_features;
	unsigned int incompat_features;
	unsigned int header_length;
	struct io_event events[];
};

#define AIO_RING_MAGIC		0xa10a10a1

static struct aio_ring_header *ring(void)
{
	return (struct aio_ring_header *)aio;
}

static bool ring_layout_known(void)
{
	return ring()->magic == AIO_RING_MAGIC &&
	       ring()->incompat_features == 0 &&
	       ring()->header_length == sizeof(struct aio_ring_header);
}

/* Up to @max finished operations, without waiting. */
static int take_events(struct io_event *ev, int max)
{
	struct aio_ring_header *r = ring();
	struct timespec now = { 0, 0 };
	unsigned int head, tail;
	int n = 0;

	if (!ring_readable)
		return io_getevents(aio, 0, max, ev, &now);
	/* Only this thread takes events, so head cannot move under us. */
	head = r->head;
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	while (head != tail && n < max) {
		ev[n++] = r->events[head];
		if (++head == r->nr)
			head = 0;
	}
	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	return n;
}

int host_ubd_start(const struct host_ubd_calls *c, int irq)
{
	int i, err;

	calls = c;
	disk_irq = irq;
	for (i = 0; i < NR_SLOTS; i++) {
		slots[i].next_free = free_slot;
		free_slot = i;
	}
	nr_free_slots = NR_SLOTS;
	for (i = 0; i < NR_REQS; i++) {
		reqs[i].next_free = free_req;
		free_req = i;
	}
	err = io_setup(NR_SLOTS, &aio);
	if (err)
		return err;
	ring_readable = ring_layout_known();
	completion_fd = host_irq_eventfd(disk_irq);
	return completion_fd < 0 ? completion_fd : 0;
}

/* A slot for the next operation of request @req; one is free. */
static struct ubd_slot *get_slot(int req)
{
	struct ubd_slot *s = &slots[free_slot];

	free_slot = s->next_free;
	nr_free_slots--;
	s->used = true;
	s->req = req;
	s->niov = 0;
	s->expect = 0;
	s->buffered_fd = -1;
	reqs[req].pending++;
	s->piece = ++reqs[req].nops;
	return s;
}

static void put_slot(struct ubd_slot *s)
{
	s->used = false;
	s->next_free = free_slot;
	free_slot = s - slots;
	nr_free_slots++;
}

/* The request that queued operation @cb belongs to. */
static struct ubd_req *slot_req(struct iocb *cb)
{
	return &reqs[((struct ubd_slot *)cb->data)->req];
}

/* Queue slot @s's operation for the next io_submit(). */
static void queue_op(struct ubd_slot *s)
{
	io_set_eventfd(&s->cb, completion_fd);
	s->cb.data = s;
	unsubmitted[nr_unsubmitted++] = &s->cb;
}

/*
 * Cut the request's memory at byte @skip, for @len bytes, into the
 * slot's vector.  Returns whether all of it is aligned for O_DIRECT.
 */
static bool take_memory(struct ubd_slot *s, const struct host_ubd_seg *segs,
			int nsegs, unsigned long long skip,
			unsigned long long len)
{
	bool aligned = true;
	int i;

	for (i = 0; i < nsegs && len; i++) {
		unsigned long long n = segs[i].len;
		char *addr = segs[i].addr;

		if (skip >= n) {
			skip -= n;
			continue;
		}
		addr += skip;
		n -= skip;
		skip = 0;
		if (n > len)
			n = len;
		if ((unsigned long)addr % UBD_DIRECT_ALIGN ||
		    n % UBD_DIRECT_ALIGN)
			aligned = false;
		s->iov[s->niov].iov_base = addr;
		s->iov[s->niov].iov_len = n;
		s->niov++;
		s->expect += n;
		len -= n;
	}
	return aligned;
}

/* Fill slot @s for a read or write of the file at @fd / @dfd. */
static void prep_rw(struct ubd_slot *s, bool write, int fd, int dfd,
		    unsigned long long pos, bool aligned, int flags)
{
	int use = fd;

	if (aligned && pos % UBD_DIRECT_ALIGN == 0 && dfd != fd) {
		use = dfd;
		s->buffered_fd = fd;
	}
	/* One piece needs no vector: the host then copies none in. */
	if (s->niov == 1 && write)
		io_prep_pwrite(&s->cb, use, s->iov[0].iov_base,
			       s->iov[0].iov_len, pos);
	else if (s->niov == 1)
		io_prep_pread(&s->cb, use, s->iov[0].iov_base,
			      s->iov[0].iov_len, pos);
	else if (write)
		io_prep_pwritev(&s->cb, use, s->iov, s->niov, pos);
	else
		io_prep_preadv(&s->cb, use, s->iov, s->niov, pos);
	if (write && (flags & HOST_UBD_FUA))
		s->cb.aio_rw_flags = RWF_DSYNC;
}

/* How many runs of equal overlay bits [first, first + count) holds. */
static int count_runs(const struct ubd_cow *c, uint64_t first, uint64_t count)
{
	int runs = 1;
	uint64_t b;

	for (b = first + 1; b < first + count; b++)
		if (ubd_cow_test(c, b) != ubd_cow_test(c, b - 1))
			runs++;
	return runs;
}

/* Split an overlay read into one operation per run of blocks. */
static void prep_cow_read(struct ubd_disk *d, int req,
			  const struct host_ubd_seg *segs, int nsegs,
			  unsigned long long offset, unsigned long long len)
{
	uint64_t bs = d->cow.block_size;
	uint64_t first = offset / bs, end = (offset + len) / bs, b = first;

	while (b < end) {
		int in_overlay = ubd_cow_test(&d->cow, b);
		uint64_t run_end = b + 1;
		struct ubd_slot *s = get_slot(req);
		unsigned long long pos = b * bs;
		bool aligned;

		while (run_end < end &&
		       ubd_cow_test(&d->cow, run_end) == in_overlay)
			run_end++;
		aligned = take_memory(s, segs, nsegs, pos - offset,
				      (run_end - b) * bs);
		if (in_overlay)
			prep_rw(s, false, d->fd, d->dfd,
				d->cow.data_offset + pos, aligned, 0);
		else
			prep_rw(s, false, d->bfd, d->bdfd, pos, aligned, 0);
		queue_op(s);
		b = run_end;
	}
}

/* Discard and write-zeroes: punch the range out, at once. */
static int punch(struct ubd_disk *d, int op, unsigned long long offset,
		 unsigned long long len)
{
	unsigned long long pos = offset;
	int mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	if (d->is_cow)
		pos += d->cow.data_offset;
	if (fallocate(d->fd, mode, pos, len) < 0 &&
	    fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		      pos, len) < 0) {
		/* A discard may be ignored; zeroes must be written. */
		if (op == HOST_UBD_DISCARD && !d->is_cow)
			return 0;
		return -errno;
	}
	if (d->is_cow)
		return ubd_cow_mark(&d->cow, offset / d->cow.block_size,
				    len / d->cow.block_size);
	return 0;
}

/* Every operation of @req is done: put it on done_list for reap. */
static void finish_now(int req)
{
	uint64_t one = 1;

	if (reqs[req].state != REQ_OPEN || reqs[req].pending) {
		req_bug(req, "finished while not open, or with operations out; left alone");
		return;
	}
	reqs[req].state = REQ_ENDING;
	done_list[nr_done++] = req;
	/* The interrupt that ends it; reap from the request path may too. */
	if (write(completion_fd, &one, sizeof(one)) < 0)
		reqs[req].err = reqs[req].err ?: -errno;
}

/* An operation the host would not take: its request fails. */
static void refused(struct iocb *cb, int err)
{
	struct ubd_slot *s = cb->data;
	struct ubd_req *r = &reqs[s->req];
	int req = s->req;

	/* Not the guest's to retry: EAGAIN would reach its programs. */
	if (err == -EAGAIN || err == -EINTR)
		err = -EIO;
	put_slot(s);
	r->err = r->err ?: err;
	if (--r->pending == 0)
		finish_now(req);
}

/*
 * Forced failures (ubd_fail=): the operation picked to fail when it comes
 * to the head of the queue, how many operations were counted and how many
 * were failed, and of those how many part-way through a split request.
 */
static struct iocb *fail_victim;
static unsigned long fail_seen, fail_forced, fail_partway;

/* How many of the queued operations from @first may go before a victim. */
static int fail_pick(int first)
{
	int i, count = nr_unsubmitted - first;

	if (ubd_fail.kind != UBD_FAIL_EAGAIN && ubd_fail.kind != UBD_FAIL_EIO)
		return count;
	for (i = 0; i < count; i++) {
		struct iocb *cb = unsubmitted[first + i];

		if (cb == fail_victim)
			return i;
		if (ubd_fail.disk >= 0 && slot_req(cb)->disk != ubd_fail.disk)
			continue;
		if (++fail_seen % ubd_fail.every == 0) {
			fail_victim = cb;
			return i;
		}
	}
	return count;
}

/* The victim is at the head of the queue: what the host "answers". */
static int fail_now(struct iocb *cb)
{
	struct ubd_slot *s = cb->data;
	const struct ubd_req *r = &reqs[s->req];
	bool eio = ubd_fail.kind == UBD_FAIL_EIO;
	bool partway = r->started > 0;

	fail_victim = NULL;
	fail_forced++;
	fail_partway += partway;
	if (fail_forced <= 20 || fail_forced % 100 == 0)
		say(0, "ubd_fail: forced %s on ubd%d %s of %llu bytes at %llu, operation %d of %d%s (%lu forced, %lu part-way)",
		    eio ? "EIO" : "EAGAIN", r->disk, op_name(r->op), r->len,
		    r->offset, s->piece, r->nops, partway ? ", part-way" : "",
		    fail_forced, fail_partway);
	return eio ? -EIO : -EAGAIN;
}

/*
 * Hand the host every queued operation, in order.  What it turns away for
 * now (EAGAIN) stays queued, in order, while something is in flight: its
 * completion brings host_ubd_reap(), which tries again.  The requests
 * those operations belong to stay open meanwhile; only the host engine
 * ends them.
 */
static void submit_prepared(void)
{
	int done = 0, tries = 0, ret, n, i;

	while (done < nr_unsubmitted) {
		n = fail_pick(done);
		if (n)
			ret = io_submit(aio, n, unsubmitted + done);
		else
			ret = fail_now(unsubmitted[done]);
		if (ret > 0) {
			for (i = done; i < done + ret; i++)
				slot_req(unsubmitted[i])->started++;
			done += ret;
			in_flight += ret;
			tries = 0;
			continue;
		}
		if (ret == -EAGAIN || ret == -EINTR) {
			if (in_flight)
				break;
			if (++tries < SUBMIT_TRIES)
				continue;
		}
		/* The first one is refused; the rest may go. */
		refused(unsubmitted[done++], ret ?: -EIO);
	}
	nr_unsubmitted -= done;
	memmove(unsubmitted, unsubmitted + done,
		nr_unsubmitted * sizeof(*unsubmitted));
}

int host_ubd_submit(int n, void *cookie, unsigned int ticket, int op,
		    int flags, unsigned long long offset,
		    unsigned long long len, const struct host_ubd_seg *segs,
		    int nsegs)
{
	struct ubd_disk *d = &ubd_disks[n];
	struct ubd_req *r;
	struct ubd_slot *s;
	int need = 1, req;
	bool aligned;

	if (nsegs > SLOT_IOVS - 2)
		return -EINVAL;
	if (op != HOST_UBD_READ && op != HOST_UBD_FLUSH && d->read_only)
		return -EROFS;
	if (d->is_cow && op == HOST_UBD_READ) {
		need = count_runs(&d->cow, offset / d->cow.block_size,
				  len / d->cow.block_size);
		if (need > NR_SLOTS)
			return -EINVAL;
	}
	/* All or nothing: every operation it needs is reserved now. */
	if (free_req < 0 || nr_free_slots < need)
		return -EAGAIN;

	req = free_req;
	r = &reqs[req];
	if (r->state != REQ_FREE) {
		req_bug(req, "on the free list but not free; the free list is dropped");
		free_req = -1;
		return -EAGAIN;
	}
	free_req = r->next_free;
	r->cookie = cookie;
	r->ticket = ticket;
	r->state = REQ_OPEN;
	r->pending = 0;
	r->nops = 0;
	r->started = 0;
	r->err = 0;
	r->disk = n;
	r->op = op;
	r->flags = flags;
	r->offset = offset;
	r->len = len;

	switch (op) {
	case HOST_UBD_READ:
		if (d->is_cow) {
			prep_cow_read(d, req, segs, nsegs, offset, len);
			break;
		}
		__attribute__((fallthrough));
	case HOST_UBD_WRITE:
		s = get_slot(req);
		aligned = take_memory(s, segs, nsegs, 0, len);
		prep_rw(s, op == HOST_UBD_WRITE, d->fd, d->dfd,
			offset + (d->is_cow ? d->cow.data_offset : 0),
			aligned, flags);
		queue_op(s);
		break;
	case HOST_UBD_FLUSH:
		s = get_slot(req);
		io_prep_fdsync(&s->cb, d->fd);
		queue_op(s);
		break;
	case HOST_UBD_DISCARD:
	case HOST_UBD_WRITE_ZEROES:
		r->err = punch(d, op, offset, len);
		finish_now(req);
		return 0;
	default:
		r->err = -EOPNOTSUPP;
		finish_now(req);
		return 0;
	}

	if (nr_unsubmitted >= SUBMIT_CHUNK)
		submit_prepared();
	return 0;
}

void host_ubd_commit(void)
{
	submit_prepared();
	/*
	 * finish_now() writes the eventfd too: that is its requests' news.
	 * Arming costs two system calls, which would hold back the pieces
	 * started before; this end of the batch looks at every count.
	 */
	if (in_flight || nr_done)
		host_irq_expect(disk_irq);
}

/* A request whose operations are all done: the overlay's bitmap last. */
static int complete_req(struct ubd_req *r)
{
	struct ubd_disk *d = &ubd_disks[r->disk];
	uint64_t bs, first, count;
	int err = r->err;

	if (!err && d->is_cow && r->op == HOST_UBD_WRITE) {
		bs = d->cow.block_size;
		first = r->offset / bs;
		count = r->len / bs;
		err = ubd_cow_mark(&d->cow, first, count);
		if (!err && (r->flags & HOST_UBD_FUA) && fdatasync(d->fd) < 0)
			err = -errno;
	}
	return err;
}

/* Hand request @req back to the kernel, which ends it, and free it. */
static void end_req(int req, int err)
{
	struct ubd_req *r = &reqs[req];
	void *cookie = r->cookie;
	unsigned int ticket = r->ticket;
	bool twice = false;

	if (r->state == REQ_FREE || r->pending) {
		req_bug(req, "ending while free, or with operations out; not ended");
		return;
	}
	if (ubd_fail.kind == UBD_FAIL_TWICE &&
	    (ubd_fail.disk < 0 || ubd_fail.disk == r->disk))
		twice = ++fail_seen % ubd_fail.every == 0;
	if (twice)
		say(0, "ubd_fail: ending ubd%d %s of %llu bytes at %llu twice, ticket %u",
		    r->disk, op_name(r->op), r->len, r->offset, ticket);
	/* Free first: the kernel's callback may submit again. */
	r->state = REQ_FREE;
	r->next_free = free_req;
	free_req = req;
	calls->done(cookie, ticket, err);
	if (twice)
		calls->done(cookie, ticket, err);
}

/* Is @s a slot whose operation is in flight?  Says why not if not. */
static bool slot_in_flight(struct ubd_slot *s)
{
	uintptr_t off = (uintptr_t)s - (uintptr_t)slots;

	if ((uintptr_t)s < (uintptr_t)slots || off >= sizeof(slots) ||
	    off % sizeof(*s)) {
		say(1, "completion of no operation of ours (%p); ignored", s);
		return false;
	}
	if (!s->used || s->req < 0 || s->req >= NR_REQS) {
		say(1, "completion of operation %ld, which is not in flight; ignored",
		    (long)(s - slots));
		return false;
	}
	if (reqs[s->req].state != REQ_OPEN || reqs[s->req].pending <= 0) {
		req_bug(s->req, "completion of an operation of a request not open; ignored");
		return false;
	}
	return true;
}

/* One finished operation.  Returns whether its request is now done. */
static bool slot_done(struct ubd_slot *s, long res)
{
	struct ubd_req *r = &reqs[s->req];
	struct iocb *cb = &s->cb;

	if (res == -EINVAL && s->buffered_fd >= 0) {
		/* Once more through the buffered descriptor, queued. */
		cb->aio_fildes = s->buffered_fd;
		s->buffered_fd = -1;
		unsubmitted[nr_unsubmitted++] = cb;
		return false;
	}
	if (res < 0)
		r->err = r->err ?: res;
	else if (cb->aio_lio_opcode != IO_CMD_FDSYNC && (size_t)res != s->expect)
		r->err = r->err ?: -EIO;
	put_slot(s);
	return --r->pending == 0;
}

int host_ubd_reap(void)
{
	static bool reaping;
	struct io_event events[64];
	int ended = 0, n, i;

	/* From a callback of ours: the reap under way takes what came. */
	if (reaping)
		return 0;
	reaping = true;
	do {
		while (nr_done) {
			int req = done_list[--nr_done];

			if (reqs[req].state != REQ_ENDING) {
				req_bug(req, "on the done list but not ending; dropped");
				continue;
			}
			end_req(req, reqs[req].err);
			ended++;
		}
		n = take_events(events, 64);
		if (n < 0)
			n = 0;
		in_flight -= n;
		for (i = 0; i < n; i++) {
			struct ubd_slot *s = events[i].data;
			int req;

			if (!slot_in_flight(s))
				continue;
			req = s->req;
			if (!slot_done(s, (long)events[i].res))
				continue;
			end_req(req, complete_req(&reqs[req]));
			ended++;
		}
		/* Operations turned away for now, and EINVAL retries. */
		if (nr_unsubmitted)
			submit_prepared();
	} while (n == 64 || nr_done);
	reaping = false;
	if (in_flight || nr_done)
		host_irq_expect(disk_irq);
	return ended;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The block driver, kernel side: one blk-mq disk per ubdN parameter,
 * /dev/ubda to /dev/ubdp.  The host side has opened and checked the files
 * before boot; here each request's pages are handed to the host I/O
 * engine (aio_user.c) and ended when the host engine reports it done
 * (Documentation/disks.rst, "The life of a request").  Guest memory is
 * host memory, so the host reads and writes the request's pages in place.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/slab.h>
#include <asm/driver_irq.h>
#include "ubd_host.h"

/* Requests in flight per disk, and memory pieces per request. */
#define UBD_QUEUE_DEPTH		64
#define UBD_MAX_SEGS		128
#define UBD_MINORS		16

struct ubd {
	int index;
	struct gendisk *disk;
	struct blk_mq_tag_set tags;
};

/*
 * One request as the host engine takes it: its memory, and its ticket,
 * non-zero exactly while the host engine has it.  A report of its end
 * that does not carry that ticket is not acted on.
 */
struct ubd_cmd {
	unsigned int ticket;
	struct host_ubd_seg segs[UBD_MAX_SEGS];
};

static int ubd_major;
static struct ubd *ubds[HOST_UBD_MAX];
/*
 * A request was turned away for lack of host room: rerun the queues.
 * Both only change with interrupts off.
 */
static bool ubd_starved;
static unsigned int ubd_last_ticket;

/* Keep ubdN= parameters away from init: the host side took them. */
static int __init ubd_param_seen(char *str)
{
	return 1;
}
__setup("ubd", ubd_param_seen);

static int ubd_op(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return HOST_UBD_READ;
	case REQ_OP_WRITE:
		return HOST_UBD_WRITE;
	case REQ_OP_FLUSH:
		return HOST_UBD_FLUSH;
	case REQ_OP_DISCARD:
		return HOST_UBD_DISCARD;
	case REQ_OP_WRITE_ZEROES:
		return HOST_UBD_WRITE_ZEROES;
	default:
		return -1;
	}
}

/* The request's pages as host memory pieces, neighbours merged. */
static int ubd_map(struct request *rq, struct host_ubd_seg *segs)
{
	struct req_iterator iter;
	struct bio_vec bv;
	int n = 0;

	rq_for_each_segment(bv, rq, iter) {
		void *addr = bvec_virt(&bv);

		if (n && segs[n - 1].addr + segs[n - 1].len == addr) {
			segs[n - 1].len += bv.bv_len;
			continue;
		}
		if (n == UBD_MAX_SEGS)
			return -EINVAL;
		segs[n].addr = addr;
		segs[n].len = bv.bv_len;
		n++;
	}
	return n;
}

/* A request's details for a report: disk, tag, operation, place, size. */
static void ubd_describe(struct request *rq, const char *what,
			 unsigned int ticket)
{
	struct ubd_cmd *cmd = blk_mq_rq_to_pdu(rq);

	pr_err("ubd: %s: %s tag %d %s sector %llu, %u bytes, state %d, ticket %u, held ticket %u\n",
	       what, rq->q->disk ? rq->q->disk->disk_name : "?", rq->tag,
	       blk_op_str(req_op(rq)), (unsigned long long)blk_rq_pos(rq),
	       blk_rq_bytes(rq), blk_mq_rq_state(rq), ticket, cmd->ticket);
}

/*
 * The host engine ends a request: the only place a request it took is
 * ended, called exactly once per request from host_ubd_reap().  A second
 * report, or one for a request the host does not hold, is told loudly and
 * not acted on: ending it would free a bio someone else now owns.
 */
static void ubd_done(void *cookie, unsigned int ticket, int err)
{
	struct request *rq = cookie;
	struct ubd_cmd *cmd;

	if (unlikely(!virt_addr_valid(rq))) {
		pr_err("ubd: end of request %p, ticket %u: no request\n",
		       rq, ticket);
		WARN_ONCE(1, "ubd: a request ended that does not exist\n");
		return;
	}
	cmd = blk_mq_rq_to_pdu(rq);
	if (unlikely(!ticket || cmd->ticket != ticket ||
		     blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)) {
		ubd_describe(rq, "ended twice, or not in flight; not ended",
			     ticket);
		WARN_ONCE(1, "ubd: a request ended twice or not in flight\n");
		return;
	}
	cmd->ticket = 0;
	blk_mq_end_request(rq, errno_to_blk_status(err));
}

/* What the host engine has to tell: forced failures, broken invariants. */
static void ubd_report(int bug, const char *msg)
{
	if (!bug) {
		pr_notice("ubd: %s\n", msg);
		return;
	}
	pr_err("ubd: host engine: %s\n", msg);
	WARN_ONCE(1, "ubd: the host engine found a broken invariant\n");
}

static const struct host_ubd_calls ubd_calls = {
	.done = ubd_done,
	.report = ubd_report,
};

/* Hand @rq to the host engine; interrupts are off. */
static int ubd_submit(struct ubd *ubd, struct request *rq, int op, int flags,
		      int nsegs)
{
	struct ubd_cmd *cmd = blk_mq_rq_to_pdu(rq);
	unsigned int ticket = ++ubd_last_ticket;
	int err;

	if (!ticket)
		ticket = ++ubd_last_ticket;
	cmd->ticket = ticket;
	err = host_ubd_submit(ubd->index, rq, ticket, op, flags,
			      (unsigned long long)blk_rq_pos(rq) << SECTOR_SHIFT,
			      blk_rq_bytes(rq), cmd->segs, nsegs);
	/* Taken whole, or not at all: then it is still ours alone. */
	if (err)
		cmd->ticket = 0;
	return err;
}

/*
 * A request is the host engine's from a successful host_ubd_submit() until
 * ubd_done(); blk-mq gets it back only through blk_mq_end_request() there,
 * or through an error status returned here for a request the engine did
 * not take (BLK_STS_DEV_RESOURCE when it had no room: blk-mq dispatches it
 * again later, and no piece of it is in flight).
 */
static blk_status_t ubd_queue_rq(struct blk_mq_hw_ctx *hctx,
				 const struct blk_mq_queue_data *bd)
{
	struct request *rq = bd->rq;
	struct ubd *ubd = hctx->queue->queuedata;
	struct ubd_cmd *cmd = blk_mq_rq_to_pdu(rq);
	int op = ubd_op(rq), nsegs = 0, flags = 0, err;
	unsigned long irqflags;

	if (op < 0)
		return BLK_STS_NOTSUPP;
	if (unlikely(cmd->ticket)) {
		/* Dispatched while the host has it: it must not go twice. */
		ubd_describe(rq, "dispatched while in flight; failed", 0);
		WARN_ONCE(1, "ubd: a request dispatched while in flight\n");
		return BLK_STS_IOERR;
	}
	if (op == HOST_UBD_READ || op == HOST_UBD_WRITE) {
		nsegs = ubd_map(rq, cmd->segs);
		if (nsegs < 0)
			return BLK_STS_IOERR;
	}
	if (rq->cmd_flags & REQ_FUA)
		flags |= HOST_UBD_FUA;

	blk_mq_start_request(rq);
	local_irq_save(irqflags);
	err = ubd_submit(ubd, rq, op, flags, nsegs);
	if (err == -EAGAIN) {
		/*
		 * No room: start what is queued and take what has finished,
		 * which may make some, and try once more.
		 */
		host_ubd_commit();
		if (host_ubd_reap())
			err = ubd_submit(ubd, rq, op, flags, nsegs);
		/* Still none: a completion reruns the queues. */
		if (err == -EAGAIN)
			ubd_starved = true;
	}
	/*
	 * The rest of the batch goes to the host with its last request; then
	 * requests the host has finished meanwhile end at once, without
	 * waiting for the interrupt to carry the news (it will find nothing
	 * left).  This one among them, maybe: it is then ended, and the
	 * status below is BLK_STS_OK, as blk-mq wants.
	 */
	if (bd->last || err) {
		host_ubd_commit();
		host_ubd_reap();
	}
	local_irq_restore(irqflags);

	if (err == -EAGAIN)
		return BLK_STS_DEV_RESOURCE;
	return errno_to_blk_status(err);
}

/* blk-mq stopped a batch early: what was submitted must still start. */
static void ubd_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	unsigned long irqflags;

	local_irq_save(irqflags);
	host_ubd_commit();
	local_irq_restore(irqflags);
}

static irqreturn_t ubd_interrupt(int irq, void *dev_id)
{
	int i;

	host_ubd_reap();
	/* Requests held back for room may go now. */
	if (ubd_starved) {
		ubd_starved = false;
		for (i = 0; i < HOST_UBD_MAX; i++)
			if (ubds[i])
				blk_mq_run_hw_queues(ubds[i]->disk->queue,
						     true);
	}
	return IRQ_HANDLED;
}

static const struct blk_mq_ops ubd_mq_ops = {
	.queue_rq = ubd_queue_rq,
	.commit_rqs = ubd_commit_rqs,
};

static const struct block_device_operations ubd_fops = {
	.owner = THIS_MODULE,
};

static int __init ubd_add(int index, const struct host_ubd_info *info)
{
	struct queue_limits lim = {
		.logical_block_size = SECTOR_SIZE,
		.physical_block_size = PAGE_SIZE,
		.max_hw_sectors = 1024,
		.max_segments = UBD_MAX_SEGS,
		.max_segment_size = UINT_MAX,
	};
	struct gendisk *disk;
	struct ubd *ubd;
	int err;

	if (!info->read_only) {
		lim.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA;
		lim.max_hw_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim.max_write_zeroes_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim.discard_granularity = PAGE_SIZE;
	}

	ubd = kzalloc(sizeof(*ubd), GFP_KERNEL);
	if (!ubd)
		return -ENOMEM;
	ubd->index = index;
	ubd->tags.ops = &ubd_mq_ops;
	ubd->tags.nr_hw_queues = 1;
	ubd->tags.queue_depth = UBD_QUEUE_DEPTH;
	ubd->tags.numa_node = NUMA_NO_NODE;
	ubd->tags.cmd_size = sizeof(struct ubd_cmd);
	ubd->tags.flags = BLK_MQ_F_SHOULD_MERGE;
	err = blk_mq_alloc_tag_set(&ubd->tags);
	if (err)
		goto free;

	disk = blk_mq_alloc_disk(&ubd->tags, &lim, ubd);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto free_tags;
	}
	disk->major = ubd_major;
	disk->first_minor = index * UBD_MINORS;
	disk->minors = UBD_MINORS;
	disk->fops = &ubd_fops;
	disk->private_data = ubd;
	snprintf(disk->disk_name, sizeof(disk->disk_name), "ubd%c",
		 'a' + index);
	set_capacity(disk, info->sectors);
	set_disk_ro(disk, info->read_only);
	ubd->disk = disk;
	ubds[index] = ubd;

	err = add_disk(disk);
	if (err)
		goto put_disk;
	pr_info("ubd%c: %s, %llu MiB%s%s\n", 'a' + index, info->path,
		info->sectors >> 11, info->read_only ? ", read-only" : "",
		info->cow ? ", copy-on-write" : "");
	return 0;

put_disk:
	ubds[index] = NULL;
	put_disk(disk);
free_tags:
	blk_mq_free_tag_set(&ubd->tags);
free:
	kfree(ubd);
	return err;
}

static int __init ubd_init(void)
{
	struct host_ubd_info info;
	int i, irq, err, count = 0;

	for (i = 0; i < HOST_UBD_MAX; i++)
		count += host_ubd_info(i, &info) == 0;
	if (!count)
		return 0;

	irq = um_request_driver_irq(ubd_interrupt, "ubd", NULL);
	if (irq < 0)
		return irq;
	err = host_ubd_start(&ubd_calls, irq);
	if (err) {
		pr_err("ubd: cannot start host I/O: %d\n", err);
		return err;
	}
	ubd_major = register_blkdev(0, "ubd");
	if (ubd_major < 0)
		return ubd_major;

	for (i = 0; i < HOST_UBD_MAX; i++) {
		if (host_ubd_info(i, &info))
			continue;
		err = ubd_add(i, &info);
		if (err)
			pr_err("ubd%c: cannot add the disk: %d\n", 'a' + i, err);
	}
	return 0;
}
device_initcall(ubd_init);

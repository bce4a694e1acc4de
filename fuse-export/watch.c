// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's watch on the inodes it hands out, and the
 * notifications that keep the host kernel's caches true.
 *
 * Every node's inode carries an fsnotify mark of the export's (a group
 * of our own; nothing of the generic code is changed).  Its events do
 * two things:
 *
 * - Tell the host kernel what changed in the guest, so that it may keep
 *   names, attributes and pages cached for long (the entry and attribute
 *   timeouts, FOPEN_KEEP_CACHE) and still see a guest program's change at
 *   its next look: a write or truncation (FS_MODIFY) drops the inode's
 *   attributes and pages (FUSE_NOTIFY_INVAL_INODE), a change of mode,
 *   owner, times or link count (FS_ATTRIB, FS_MOVE_SELF) its attributes,
 *   and a name made, removed or moved in a marked directory (FS_CREATE,
 *   FS_DELETE, FS_MOVED_FROM, FS_MOVED_TO) that name
 *   (FUSE_NOTIFY_INVAL_ENTRY, which drops the directory's attributes as
 *   well).  Changes the host itself asked for, through this export, are
 *   known to the host kernel already and not told.
 *
 * - Let a node go when a guest program removes the last name of its inode
 *   (FS_ATTRIB from unlink and rename-over, FS_DELETE of a directory's
 *   child from rmdir).  A node pins its inode until the host kernel
 *   forgets it, which may be much later; the pin would keep the file's
 *   blocks allocated and the guest could not remount its file system
 *   read-only at power-off.  The host then gets ESTALE for the id, but a
 *   file it holds open stays readable through its handle.
 *
 * The handler runs in the guest program's context, under its directory
 * locks: it only queues.  A notification goes to a host thread through a
 * non-blocking pipe (host_fuse_notify()), since writing it to /dev/fuse
 * may wait for a host page lock that a request still to be answered here
 * holds; when the pipe is full the rest wait on a list for a worker.
 * Before a reply is written, the worker answering it waits (a little, see
 * fe_notes_wait()) for the notifications queued so far to be acted on, so
 * that an answer never overtakes the news of a change made before it.
 */
#include <linux/delay.h>
#include <linux/fsnotify_backend.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include "fe.h"

/* Events that make notifications; FS_ATTRIB and FS_DELETE also unpin. */
#define FE_EVENTS	(FS_MODIFY | FS_ATTRIB | FS_MOVE_SELF | FS_CREATE | \
			 FS_DELETE | FS_MOVED_FROM | FS_MOVED_TO)
#define FE_DIR_EVENTS	(FS_CREATE | FS_DELETE | FS_MOVED_FROM | FS_MOVED_TO)

/*
 * How long a reply may wait for earlier notifications.  They normally
 * take microseconds; the bound is for the one case where one waits on a
 * page lock held for the very request being answered.
 */
#define FE_NOTE_WAIT_MS	20

struct fe_mark {
	struct fsnotify_mark mark;
	struct fe_export *fe;
	u64 id;				/* the node's id */
	/* The numbers of its last notifications still in the pipe. */
	unsigned long pages_seq, attr_seq;
};

/* A notification waiting for room in the pipe. */
struct fe_note {
	struct list_head list;
	size_t len;
	u8 msg[];
};

static struct fsnotify_group *fe_group;

static void fe_note_push(struct work_struct *work);

void fe_notes_init(struct fe_export *fe)
{
	spin_lock_init(&fe->note_lock);
	INIT_LIST_HEAD(&fe->notes);
	INIT_WORK(&fe->note_work, fe_note_push);
}

/*
 * Queue notification @msg of export @fe.  Returns its number in the pipe,
 * or 0 when it waits on the list (or was lost).
 */
static unsigned long fe_note(struct fe_export *fe, const void *msg,
			     size_t len)
{
	unsigned long seq = 0;
	struct fe_note *note;
	int err;

	spin_lock(&fe->note_lock);
	if (list_empty(&fe->notes)) {
		err = host_fuse_notify(fe->n, msg, len);
		if (!err) {
			fe->notes_queued++;
			seq = fe->notes_queued;
		}
		if (err != -EAGAIN) {
			spin_unlock(&fe->note_lock);
			return seq;
		}
	}
	note = kmalloc(struct_size(note, msg, len), GFP_ATOMIC | __GFP_NOWARN);
	if (note) {
		note->len = len;
		memcpy(note->msg, msg, len);
		list_add_tail(&note->list, &fe->notes);
		fe->notes_queued++;
		queue_work(system_unbound_wq, &fe->note_work);
	}
	spin_unlock(&fe->note_lock);
	if (!note)
		pr_warn_ratelimited("fuse-export: %s: a change was not told to the host\n",
				    fe->info.host_dir);
	return 0;
}

/* Move the waiting notifications into the pipe as it empties. */
static void fe_note_push(struct work_struct *work)
{
	struct fe_export *fe = container_of(work, struct fe_export, note_work);
	struct fe_note *note;
	int err;

	for (;;) {
		spin_lock(&fe->note_lock);
		note = list_first_entry_or_null(&fe->notes, struct fe_note,
						list);
		if (!note) {
			spin_unlock(&fe->note_lock);
			return;
		}
		err = host_fuse_notify(fe->n, note->msg, note->len);
		if (err == -EAGAIN) {
			spin_unlock(&fe->note_lock);
			usleep_range(500, 2000);
			continue;
		}
		list_del(&note->list);
		/* Lost: those who wait for it will stop waiting in time. */
		if (err)
			fe->notes_queued--;
		spin_unlock(&fe->note_lock);
		kfree(note);
	}
}

/*
 * Wait until the host kernel has acted on every notification queued so
 * far, for FE_NOTE_WAIT_MS at most: no reply then carries what a cache
 * the host is about to drop contradicts.
 */
void fe_notes_wait(struct fe_export *fe)
{
	unsigned long want = READ_ONCE(fe->notes_queued), taken;
	ktime_t end;

	if ((long)(host_fuse_notes(fe->n, &taken) - want) >= 0)
		return;
	end = ktime_add_ms(ktime_get(), FE_NOTE_WAIT_MS);
	while ((long)(host_fuse_notes(fe->n, &taken) - want) < 0 &&
	       ktime_before(ktime_get(), end)) {
		cond_resched();
		cpu_relax();
	}
}

/* Tell the host kernel that node @m's attributes (and pages) changed. */
static void fe_note_inode(struct fe_mark *m, bool pages)
{
	struct {
		struct fuse_out_header oh;
		struct fuse_notify_inval_inode_out arg;
	} msg = {
		.oh.len = sizeof(msg),
		.oh.error = FUSE_NOTIFY_INVAL_INODE,
		.arg.ino = m->id,
		.arg.off = pages ? 0 : -1,
	};
	unsigned long taken, seq;

	/*
	 * One not yet taken from the pipe covers this change too (a guest
	 * program writing a large file sends one event per write()).
	 */
	host_fuse_notes(m->fe->n, &taken);
	seq = READ_ONCE(m->pages_seq);
	if (!pages && (long)(READ_ONCE(m->attr_seq) - seq) > 0)
		seq = READ_ONCE(m->attr_seq);
	if (seq && (long)(seq - taken) > 0)
		return;
	seq = fe_note(m->fe, &msg, sizeof(msg));
	WRITE_ONCE(*(pages ? &m->pages_seq : &m->attr_seq), seq);
}

/* Tell the host kernel that @name in directory node @m changed. */
static void fe_note_entry(struct fe_mark *m, const struct qstr *name)
{
	struct {
		struct fuse_out_header oh;
		struct fuse_notify_inval_entry_out arg;
		char name[NAME_MAX + 1];
	} msg = {};
	size_t len = sizeof(msg.oh) + sizeof(msg.arg) + name->len + 1;

	if (name->len > NAME_MAX)
		return;
	msg.oh.len = len;
	msg.oh.error = FUSE_NOTIFY_INVAL_ENTRY;
	msg.arg.parent = m->id;
	msg.arg.namelen = name->len;
	memcpy(msg.name, name->name, name->len);
	fe_note(m->fe, &msg, len);
}

static int fe_event(struct fsnotify_mark *mark, u32 mask, struct inode *inode,
		    struct inode *dir, const struct qstr *name, u32 cookie)
{
	struct fe_mark *m = container_of(mark, struct fe_mark, mark);

	if (m->id && !fe_own_request(m->fe)) {
		if ((mask & FE_DIR_EVENTS) && name)
			fe_note_entry(m, name);
		else if (mask & FS_MODIFY)
			fe_note_inode(m, true);
		else if (mask & (FS_ATTRIB | FS_MOVE_SELF))
			fe_note_inode(m, false);
	}
	/*
	 * The remover still holds its own reference to the dentry: dropping
	 * ours here never ends the inode under the directory locks it holds.
	 */
	if ((mask & (FS_ATTRIB | FS_DELETE)) && inode && !inode->i_nlink)
		fe_node_unpin(m->fe, inode);
	return 0;
}

static void fe_free_mark(struct fsnotify_mark *mark)
{
	kfree(container_of(mark, struct fe_mark, mark));
}

static const struct fsnotify_ops fe_fsnotify_ops = {
	.handle_inode_event = fe_event,
	.free_mark = fe_free_mark,
};

int fe_watch_init(void)
{
	/* Several exports may hold marks on one inode. */
	fe_group = fsnotify_alloc_group(&fe_fsnotify_ops, FSNOTIFY_GROUP_DUPS);
	return PTR_ERR_OR_ZERO(fe_group);
}

/* Are changes told?  Only then may the host kernel cache anything. */
bool fe_watching(void)
{
	return !IS_ERR_OR_NULL(fe_group);
}

/* Mark @inode, node @id of export @fe; NULL if that cannot be done. */
struct fe_mark *fe_watch_add(struct fe_export *fe, struct inode *inode,
			     u64 id)
{
	struct fe_mark *m;

	if (IS_ERR_OR_NULL(fe_group))
		return NULL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	fsnotify_init_mark(&m->mark, fe_group);
	m->mark.mask = FE_EVENTS;
	m->fe = fe;
	m->id = id;
	if (fsnotify_add_inode_mark(&m->mark, inode, 0)) {
		fsnotify_put_mark(&m->mark);
		return NULL;
	}
	return m;
}

void fe_watch_drop(struct fe_mark *m)
{
	if (!m)
		return;
	fsnotify_destroy_mark(&m->mark, fe_group);
	fsnotify_put_mark(&m->mark);
}

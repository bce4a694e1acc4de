// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's locks: flock() and POSIX (fcntl(), lockf()) locks
 * taken on the host are taken in the guest, on the guest file the host
 * opened, so that they conflict with guest programs' locks both ways, as
 * on one machine.
 *
 * - A flock() lock belongs to the open file: its owner is the guest's
 *   struct file of the host's open, as flock() itself makes it, and it goes
 *   when that file is closed at RELEASE.
 * - A POSIX lock belongs to a host process (its files, really): the host
 *   kernel names it by a 64-bit lock owner, which is used as the guest
 *   lock's owner, and gives it again at each FLUSH (a close() in that
 *   process), when that owner's locks on the inode go.
 *
 * A lock the host waits for (SETLKW) is tried again every few
 * milliseconds rather than waited for in the guest's lock code, so that
 * the host can give up (a signal: FUSE_INTERRUPT) and the worker is
 * free again; a lock got after the host gave up is let go at once.
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include "fe.h"

/* How often a lock the host waits for is tried again. */
#define FE_LOCK_RETRY_MS	5

static fl_owner_t fe_lock_owner(u64 owner)
{
	return (fl_owner_t)(unsigned long)owner;
}

/* Make a guest lock from the host's request. */
static int fe_make_lock(struct file *file, const struct fuse_lk_in *in,
			struct file_lock *fl)
{
	const struct fuse_file_lock *lk = &in->lk;

	if (lk->type != F_RDLCK && lk->type != F_WRLCK && lk->type != F_UNLCK)
		return -EINVAL;
	locks_init_lock(fl);
	fl->c.flc_file = file;
	fl->c.flc_type = lk->type;
	fl->c.flc_pid = lk->pid;
	if (in->lk_flags & FUSE_LK_FLOCK) {
		fl->c.flc_flags = FL_FLOCK;
		fl->c.flc_owner = file;
		fl->fl_start = 0;
		fl->fl_end = OFFSET_MAX;
		return 0;
	}
	if (lk->start > OFFSET_MAX || lk->end > OFFSET_MAX ||
	    lk->end < lk->start)
		return -EINVAL;
	fl->c.flc_flags = FL_POSIX;
	fl->c.flc_owner = fe_lock_owner(in->owner);
	fl->fl_start = lk->start;
	fl->fl_end = lk->end;
	return 0;
}

static int fe_try_lock(struct file *file, struct file_lock *fl)
{
	if (fl->c.flc_flags & FL_FLOCK)
		return locks_lock_inode_wait(file_inode(file), fl);
	return vfs_lock_file(file, F_SETLK, fl, NULL);
}

int fe_getlk(struct fe_req *r)
{
	struct fuse_lk_out out = {};
	struct file_lock fl;
	struct fuse_lk_in in;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	err = fe_make_lock(file, &in, &fl);
	if (!err)
		err = vfs_test_lock(file, &fl);
	fput(file);
	if (err)
		return err;
	out.lk.type = fl.c.flc_type;
	if (fl.c.flc_type != F_UNLCK) {
		out.lk.start = fl.fl_start;
		out.lk.end = fl.fl_end;
		out.lk.pid = fl.c.flc_pid;
	}
	locks_release_private(&fl);
	return fe_reply(r, &out, sizeof(out));
}

int fe_setlk(struct fe_req *r)
{
	bool wait = r->in.opcode == FUSE_SETLKW;
	struct file_lock fl;
	struct fuse_lk_in in;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	err = fe_make_lock(file, &in, &fl);
	if (err) {
		fput(file);
		return err;
	}
	for (;;) {
		err = fe_try_lock(file, &fl);
		if (!wait || (err != -EAGAIN && err != -EWOULDBLOCK))
			break;
		if (fe_interrupted(r->fe, r->in.unique)) {
			err = -EINTR;
			break;
		}
		msleep(FE_LOCK_RETRY_MS);
	}
	locks_release_private(&fl);
	/* Asked for without waiting: EAGAIN is what fcntl() says then. */
	if (err == -EWOULDBLOCK)
		err = -EAGAIN;
	fput(file);
	return err;
}

/*
 * The host gave up a lock request it was waiting for: undo a lock that
 * came too late.  Called when its reply found no one waiting.
 */
void fe_setlk_abandoned(struct fe_export *fe, const struct fe_req *r)
{
	struct fuse_lk_in in;
	struct file_lock fl;
	struct file *file;

	if (r->in.opcode != FUSE_SETLKW || r->arglen < sizeof(in))
		return;
	memcpy(&in, r->arg, sizeof(in));
	file = fe_file_get(fe, in.fh);
	if (!file)
		return;
	in.lk.type = F_UNLCK;
	if (!fe_make_lock(file, &in, &fl)) {
		fe_try_lock(file, &fl);
		locks_release_private(&fl);
	}
	fput(file);
}

/* A close() in a host process: its POSIX locks on the file go. */
int fe_flush(struct fe_req *r)
{
	struct fuse_flush_in in;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	locks_remove_posix(file, fe_lock_owner(in.lock_owner));
	fput(file);
	return 0;
}

/* The last close: the POSIX locks of the closing owner go too. */
void fe_release_locks(struct file *file, u64 owner)
{
	locks_remove_posix(file, fe_lock_owner(owner));
}

/*
 * FUSE_INTERRUPT: the host gave up the request @unique.  Only a lock
 * being waited for looks (fe_interrupted()); the rest end soon anyway.
 * No reply: the interrupted request's own reply is the answer.
 */
int fe_interrupt_op(struct fe_req *r)
{
	struct fe_export *fe = r->fe;
	struct fuse_interrupt_in in;

	if (fe_args(r, &in, sizeof(in)))
		return FE_NO_REPLY;
	spin_lock(&fe->intr_lock);
	fe->interrupted[fe->next_intr++ % FE_INTR_KEPT] = in.unique;
	spin_unlock(&fe->intr_lock);
	return FE_NO_REPLY;
}

bool fe_interrupted(struct fe_export *fe, u64 unique)
{
	bool found = false;
	int i;

	spin_lock(&fe->intr_lock);
	for (i = 0; i < FE_INTR_KEPT; i++)
		if (fe->interrupted[i] == unique)
			found = true;
	spin_unlock(&fe->intr_lock);
	return found;
}

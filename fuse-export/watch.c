// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's watch on the inodes it hands out.  A node pins its
 * inode (through a dentry) for as long as the host kernel may name it,
 * which is until the host evicts its own inode, and that can be much
 * later.  When a guest program removes the last name of such an inode,
 * the pin must go at once: it would keep the file's blocks allocated and
 * an orphan on the file system, and the guest could not remount it
 * read-only at power-off.  So every node's inode carries an fsnotify mark
 * of the export's: a change of its link count (FS_ATTRIB, which unlink
 * and rename-over send) or the removal of a child of a marked directory
 * (FS_DELETE, which rmdir sends) that leaves it with no name drops the
 * node.  The host then gets ESTALE for it, but a file it holds open
 * stays readable through its open handle, as on one machine.
 *
 * The mark is also where telling the host kernel about changes made in
 * the guest will go (Documentation/fuse-export.rst, "Coherence").
 */
#include <linux/fsnotify_backend.h>
#include <linux/slab.h>
#include "fe.h"

struct fe_mark {
	struct fsnotify_mark mark;
	struct fe_export *fe;
};

static struct fsnotify_group *fe_group;

/*
 * Called by the process that unlinked, renamed over or removed the
 * inode, which still holds its own reference to the dentry: dropping
 * ours here never ends the inode under the directory locks it holds.
 */
static int fe_event(struct fsnotify_mark *mark, u32 mask, struct inode *inode,
		    struct inode *dir, const struct qstr *name, u32 cookie)
{
	struct fe_mark *m = container_of(mark, struct fe_mark, mark);

	if (inode && !inode->i_nlink)
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
	fe_group = fsnotify_alloc_group(&fe_fsnotify_ops, 0);
	return PTR_ERR_OR_ZERO(fe_group);
}

/* Mark @inode for export @fe; NULL if that cannot be done. */
struct fe_mark *fe_watch_add(struct fe_export *fe, struct inode *inode)
{
	struct fe_mark *m;

	if (IS_ERR_OR_NULL(fe_group))
		return NULL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	fsnotify_init_mark(&m->mark, fe_group);
	m->mark.mask = FS_ATTRIB | FS_DELETE;
	m->fe = fe;
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

// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export, kernel side: the channel to the host half, the table
 * of node ids and the table of file handles.
 *
 * The host side mounted every export before boot; the host kernel's
 * requests (FUSE_INIT first) wait there until this side lends it buffers,
 * once init is about to run and the root file system is in place.  Each
 * request then arrives in one of those buffers with the export interrupt; the
 * interrupt only queues it, and a worker answers it through the VFS
 * (ops.c), which may sleep, writes the reply from the same buffer and
 * gives the buffer back (Documentation/fuse-export.rst).
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <asm/driver_irq.h>
#include <host/irq.h>
#include "fe.h"

static struct fe_export *fe_exports[HOST_FUSE_MAX];
static struct workqueue_struct *fe_wq;
/* The interrupt that says requests came, for every export. */
static int fe_irq;
static DEFINE_MUTEX(fe_setup_lock);	/* exports made at run time */

/* The host side took the fuse= parameters; keep them away from init. */
static int __init fe_param_seen(char *str)
{
	return 1;
}
__setup("fuse=", fe_param_seen);

/* Node ids. */

struct fe_node *fe_node_get(struct fe_export *fe, u64 id)
{
	struct fe_node *node;

	if (id > U32_MAX)
		return NULL;
	mutex_lock(&fe->lock);
	node = xa_load(&fe->nodes, id);
	if (node)
		kref_get(&node->ref);
	mutex_unlock(&fe->lock);
	return node;
}

static void fe_node_free(struct kref *ref)
{
	struct fe_node *node = container_of(ref, struct fe_node, ref);

	path_put(&node->path);
	kfree(node);
}

void fe_node_put(struct fe_node *node)
{
	kref_put(&node->ref, fe_node_free);
}

/*
 * Take @node out of the tables: no request finds it any more.  Its path
 * goes with its last reference.  Returns its mark, for the caller to
 * drop once the lock is released.  Called with the lock held.
 */
static struct fe_mark *fe_node_unlist(struct fe_export *fe,
				      struct fe_node *node)
{
	struct fe_mark *mark = node->mark;

	xa_erase(&fe->nodes, node->id);
	hash_del(&node->by_inode);
	node->mark = NULL;
	node->listed = false;
	return mark;
}

/*
 * The host kernel learns of @path's inode: its node id, one lookup more.
 * An inode already known keeps its id (and its first path), so hard
 * links and repeated lookups give one node.  Takes over @path's
 * references.  Returns the id, or 0 when out of memory.
 */
u64 fe_node_add(struct fe_export *fe, struct path *path)
{
	struct inode *inode = d_inode(path->dentry);
	struct fe_mark *mark, *unused = NULL;
	struct fe_node *node;
	u32 id;

	mutex_lock(&fe->lock);
	hash_for_each_possible(fe->by_inode, node, by_inode,
			       (unsigned long)inode) {
		if (d_inode(node->path.dentry) != inode)
			continue;
		node->nlookup++;
		id = node->id;
		mutex_unlock(&fe->lock);
		path_put(path);
		return id;
	}
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node ||
	    xa_alloc_cyclic(&fe->nodes, &id, node,
			    XA_LIMIT(FUSE_ROOT_ID + 1, U32_MAX),
			    &fe->next_node, GFP_KERNEL) < 0) {
		mutex_unlock(&fe->lock);
		kfree(node);
		path_put(path);
		return 0;
	}
	node->id = id;
	node->path = *path;
	node->nlookup = 1;
	node->listed = true;
	kref_init(&node->ref);
	kref_get(&node->ref);
	hash_add(fe->by_inode, &node->by_inode, (unsigned long)inode);
	mutex_unlock(&fe->lock);

	/*
	 * The watch, outside the lock (its events take the lock).  The
	 * last name may have gone before the mark was on: look again.
	 */
	mark = fe_watch_add(fe, inode, id);
	mutex_lock(&fe->lock);
	if (node->listed)
		node->mark = mark;
	else
		unused = mark;
	mutex_unlock(&fe->lock);
	fe_watch_drop(unused);
	if (!inode->i_nlink)
		fe_node_unpin(fe, inode);
	fe_node_put(node);
	return id;
}

/* The host kernel forgets @nlookup lookups of node @id. */
void fe_node_forget(struct fe_export *fe, u64 id, u64 nlookup)
{
	struct fe_mark *mark;
	struct fe_node *node;

	/* The root is never forgotten: the mount holds it. */
	if (id == FUSE_ROOT_ID || id > U32_MAX)
		return;
	mutex_lock(&fe->lock);
	node = xa_load(&fe->nodes, id);
	if (!node) {
		mutex_unlock(&fe->lock);
		return;
	}
	node->nlookup -= min(nlookup, node->nlookup);
	if (node->nlookup) {
		mutex_unlock(&fe->lock);
		return;
	}
	mark = fe_node_unlist(fe, node);
	mutex_unlock(&fe->lock);
	/* Out of the lock: the last dput may write the inode. */
	fe_watch_drop(mark);
	fe_node_put(node);
}

/*
 * @inode lost its last name in the guest: let it go now rather than at
 * the host's FORGET (watch.c).  Its id then answers ESTALE.
 */
/* Does the host hold @inode open through export @fe? */
static bool fe_inode_open(struct fe_export *fe, struct inode *inode)
{
	struct file *file;
	unsigned long fh;
	bool open = false;

	xa_lock(&fe->files);
	xa_for_each(&fe->files, fh, file) {
		if (file_inode(file) == inode) {
			open = true;
			break;
		}
	}
	xa_unlock(&fe->files);
	return open;
}

void fe_node_unpin(struct fe_export *fe, struct inode *inode)
{
	struct fe_mark *mark;
	struct fe_node *node;

	/*
	 * Held open by the host: the node stays (fstat() of the open file
	 * names it), as a guest program's open file keeps an unlinked file.
	 * The last release lets it go.
	 */
	if (fe_inode_open(fe, inode))
		return;
	mutex_lock(&fe->lock);
	hash_for_each_possible(fe->by_inode, node, by_inode,
			       (unsigned long)inode) {
		if (node == fe->root || d_inode(node->path.dentry) != inode)
			continue;
		mark = fe_node_unlist(fe, node);
		mutex_unlock(&fe->lock);
		fe_watch_drop(mark);
		fe_node_put(node);
		return;
	}
	mutex_unlock(&fe->lock);
}

/* File handles: an open struct file each. */

u64 fe_file_add(struct fe_export *fe, struct file *file)
{
	u32 fh;

	if (xa_alloc(&fe->files, &fh, file, XA_LIMIT(1, U32_MAX),
		     GFP_KERNEL) < 0)
		return 0;
	return fh;
}

/* The file behind @fh, with a reference for the caller; or NULL. */
struct file *fe_file_get(struct fe_export *fe, u64 fh)
{
	struct file *file;

	if (fh > U32_MAX)
		return NULL;
	xa_lock(&fe->files);
	file = xa_load(&fe->files, fh);
	if (file)
		get_file(file);
	xa_unlock(&fe->files);
	return file;
}

void fe_file_drop(struct fe_export *fe, u64 fh, u64 lock_owner)
{
	struct file *file;

	if (fh > U32_MAX)
		return;
	file = xa_erase(&fe->files, fh);
	if (!file)
		return;
	/* Its flock() locks go with it; POSIX ones are their owner's. */
	fe_release_locks(file, lock_owner);
	/* An unlinked file's node went with its last name, or goes now. */
	if (!file_inode(file)->i_nlink)
		fe_node_unpin(fe, file_inode(file));
	/* Closed now, not later: a remount read-only may follow. */
	__fput_sync(file);
}

/* The channel. */

/* Kernel errors the FUSE protocol has no place for. */
static int fe_wire_error(int err)
{
	if (err == -ENOTSUPP)
		return -EOPNOTSUPP;
	if (err == -ERESTARTSYS || err == -ERESTARTNOINTR ||
	    err == -ERESTARTNOHAND)
		return -EINTR;
	if (err <= -512)
		return -EIO;
	return err;
}

static void fe_answer(struct fe_export *fe, void *data, unsigned long len)
{
	struct fuse_out_header *oh = data;
	const struct cred *old = NULL;
	struct fe_req r = { .fe = fe };
	int err;

	if (len < sizeof(r.in))
		return;
	memcpy(&r.in, data, sizeof(r.in));
	if (r.in.len != len)
		return;
	r.arg = data + sizeof(r.in);
	r.arglen = len - sizeof(r.in);
	r.out = data + sizeof(*oh);
	r.outmax = FE_BUF_SIZE - sizeof(*oh);

	if (fe->cred)
		old = override_creds(fe->cred);
	err = fe_dispatch(&r);
	if (old)
		revert_creds(old);
	if (err == FE_NO_REPLY)
		return;

	oh->unique = r.in.unique;
	oh->error = err ? fe_wire_error(err) : 0;
	oh->len = sizeof(*oh) + (err ? 0 : r.outlen);
	/* Not before the host kernel heard of what changed before. */
	fe_notes_wait(fe);
	err = host_fuse_write(fe->n, data, oh->len);
	/* A lock got for no one: let it go. */
	if (err == -ENOENT && !oh->error)
		fe_setlk_abandoned(fe, &r);
	/* -ENOENT: the host kernel stopped waiting (an interrupt). */
	if (err && err != -ENOENT)
		pr_warn_ratelimited("fuse-export: %s: reply to request %u: %d\n",
				    fe->info.host_dir, r.in.opcode, err);
}

static void fe_work(struct work_struct *work)
{
	struct fe_buf *buf = container_of(work, struct fe_buf, work);

	fe_answer(buf->fe, buf->data, buf->len);
	host_fuse_give(buf->fe->n, buf->index);
}

bool fe_own_request(struct fe_export *fe)
{
	struct work_struct *work = current_work();

	return work && work->func == fe_work &&
	       container_of(work, struct fe_buf, work)->fe == fe;
}

static irqreturn_t fe_interrupt(int irq, void *dev_id)
{
	struct fe_export *fe;
	unsigned long len;
	int i, b;

	for (i = 0; i < HOST_FUSE_MAX; i++) {
		fe = fe_exports[i];
		if (!fe || !fe->nbufs)
			continue;
		while ((b = host_fuse_take(fe->n, &len)) >= 0) {
			if (b >= fe->nbufs)
				continue;
			fe->bufs[b].len = len;
			queue_work(fe_wq, &fe->bufs[b].work);
		}
		if (!fe->ended && host_fuse_ended(fe->n)) {
			fe->ended = true;
			/* (At power-off the host side unmounts: no news.) */
			if (system_state == SYSTEM_RUNNING)
				pr_info("fuse-export: %s: unmounted on the host\n",
					fe->info.host_dir);
		}
	}
	/* Requests come whenever the host likes: keep listening. */
	host_irq_expect(fe_irq);
	return IRQ_HANDLED;
}

/* Requests act as uid=,gid= without privilege, when those were given. */
static const struct cred *fe_make_cred(int uid, int gid)
{
	struct cred *cred = prepare_kernel_cred(&init_task);
	kuid_t ku = make_kuid(&init_user_ns, uid);
	kgid_t kg = make_kgid(&init_user_ns, gid);

	if (!cred)
		return NULL;
	cred->uid = cred->euid = cred->suid = cred->fsuid = ku;
	cred->gid = cred->egid = cred->sgid = cred->fsgid = kg;
	cap_clear(cred->cap_inheritable);
	cap_clear(cred->cap_permitted);
	cap_clear(cred->cap_effective);
	cap_clear(cred->cap_ambient);
	return cred;
}

/* Resolve export @fe's guest directory and lend the host its buffers. */
static void fe_start(struct fe_export *fe)
{
	struct path path;
	void *data[FE_BUFS];
	int i, err;

	err = kern_path(fe->info.guest_path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			&path);
	if (err) {
		pr_err("fuse-export: %s: guest directory %s: error %d; the export answers with an error\n",
		       fe->info.host_dir, fe->info.guest_path, err);
		fe->failed = true;
	} else {
		fe->root->path = path;
		hash_add(fe->by_inode, &fe->root->by_inode,
			 (unsigned long)d_inode(path.dentry));
		fe->root->mark = fe_watch_add(fe, d_inode(path.dentry),
					      FUSE_ROOT_ID);
	}
	if (fe->info.uid >= 0) {
		fe->cred = fe_make_cred(fe->info.uid, fe->info.gid);
		if (!fe->cred)
			fe->failed = true;
	}

	for (i = 0; i < FE_BUFS; i++) {
		data[i] = alloc_pages_exact(FE_BUF_SIZE,
					    GFP_KERNEL | __GFP_NOWARN);
		if (!data[i])
			break;
		fe->bufs[i].fe = fe;
		fe->bufs[i].index = i;
		fe->bufs[i].data = data[i];
		INIT_WORK(&fe->bufs[i].work, fe_work);
	}
	if (!i) {
		pr_err("fuse-export: %s: no memory for request buffers\n",
		       fe->info.host_dir);
		return;
	}
	fe->nbufs = i;
	err = host_fuse_start(fe->n, fe_irq, data, i, FE_BUF_SIZE);
	if (err) {
		pr_err("fuse-export: %s: cannot start: %d\n",
		       fe->info.host_dir, err);
		fe->nbufs = 0;
		while (i--)
			free_pages_exact(data[i], FE_BUF_SIZE);
		return;
	}
	if (!fe->failed)
		pr_info("fuse-export: guest %s on host %s%s\n",
			fe->info.guest_path, fe->info.host_dir,
			fe->info.read_only ? ", read-only" : "");
}

/*
 * Serve once init is about to run: the root file system is then mounted,
 * and the guest path means what it means to the guest's programs.
 */
static int fe_starter(void *unused)
{
	unsigned long flags;
	int i;

	while (system_state < SYSTEM_RUNNING)
		msleep(20);
	for (i = 0; i < HOST_FUSE_MAX; i++)
		if (fe_exports[i])
			fe_start(fe_exports[i]);
	/* As from the interrupt handler: with interrupts off. */
	local_irq_save(flags);
	host_irq_expect(fe_irq);
	local_irq_restore(flags);
	return 0;
}

static struct fe_export *fe_alloc(int n, const struct host_fuse_info *info)
{
	struct fe_export *fe = kzalloc(sizeof(*fe), GFP_KERNEL);

	if (!fe)
		return NULL;
	fe->root = kzalloc(sizeof(*fe->root), GFP_KERNEL);
	if (!fe->root) {
		kfree(fe);
		return NULL;
	}
	fe->n = n;
	fe->info = *info;
	mutex_init(&fe->lock);
	xa_init_flags(&fe->nodes, XA_FLAGS_ALLOC);
	xa_init_flags(&fe->files, XA_FLAGS_ALLOC1);
	hash_init(fe->by_inode);
	fe_notes_init(fe);
	spin_lock_init(&fe->intr_lock);
	/* The root: never forgotten, its path set by fe_start(). */
	fe->root->id = FUSE_ROOT_ID;
	fe->root->nlookup = 1;
	fe->root->listed = true;
	kref_init(&fe->root->ref);
	if (xa_insert(&fe->nodes, FUSE_ROOT_ID, fe->root, GFP_KERNEL)) {
		kfree(fe->root);
		kfree(fe);
		return NULL;
	}
	fe->next_node = FUSE_ROOT_ID + 1;
	return fe;
}

/* What every export needs, made with the first one. */
static int fe_setup(void)
{
	static int done;
	int err;

	if (done)
		return 0;
	err = fe_watch_init();
	if (err)
		pr_err("fuse-export: no watch on guest changes: %d\n", err);
	/* Several requests at a time: one may wait on the disk. */
	fe_wq = alloc_workqueue("fuse-export", WQ_UNBOUND, FE_BUFS);
	if (!fe_wq)
		return -ENOMEM;
	fe_irq = um_request_driver_irq(fe_interrupt, "fuse-export", NULL);
	if (fe_irq < 0)
		return fe_irq;
	done = 1;
	return 0;
}

/* Start an export mounted at run time (runtime.c). */
int fe_export_start(int n)
{
	struct host_fuse_info info;
	struct fe_export *fe;
	unsigned long flags;
	int err;

	if (host_fuse_info(n, &info))
		return -ENODEV;
	mutex_lock(&fe_setup_lock);
	err = fe_setup();
	fe = err ? NULL : fe_alloc(n, &info);
	if (fe) {
		fe_exports[n] = fe;
		fe_start(fe);
		local_irq_save(flags);
		host_irq_expect(fe_irq);
		local_irq_restore(flags);
	}
	mutex_unlock(&fe_setup_lock);
	if (err)
		return err;
	return fe ? 0 : -ENOMEM;
}

/*
 * Export @n was unmounted on the host: answer nothing more from the
 * guest, and let go of every inode and file it held, so that the guest's
 * file systems are free again (runtime.c).
 */
void fe_export_stop(int n)
{
	struct fe_export *fe = fe_exports[n];
	struct fe_mark *mark;
	struct fe_node *node;
	struct file *file;
	unsigned long id;
	int i;

	if (!fe)
		return;
	fe->failed = true;
	for (i = 0; i < fe->nbufs; i++)
		flush_work(&fe->bufs[i].work);
	mutex_lock(&fe->lock);
	xa_for_each(&fe->nodes, id, node) {
		mark = fe_node_unlist(fe, node);
		mutex_unlock(&fe->lock);
		fe_watch_drop(mark);
		fe_node_put(node);
		mutex_lock(&fe->lock);
	}
	mutex_unlock(&fe->lock);
	xa_for_each(&fe->files, id, file)
		fe_file_drop(fe, id, 0);
	flush_work(&fe->note_work);
	pr_info("fuse-export: %s: unexported\n", fe->info.host_dir);
}

static int __init fe_init(void)
{
	struct host_fuse_info info;
	struct task_struct *task;
	int i, err, count = 0;

	for (i = 0; i < HOST_FUSE_MAX; i++) {
		if (host_fuse_info(i, &info))
			continue;
		fe_exports[i] = fe_alloc(i, &info);
		if (!fe_exports[i])
			pr_err("fuse-export: %s: out of memory\n",
			       info.host_dir);
		else
			count++;
	}
	if (!count)
		return 0;
	err = fe_setup();
	if (err)
		return err;
	task = kthread_run(fe_starter, NULL, "fuse-export");
	return PTR_ERR_OR_ZERO(task);
}
device_initcall(fe_init);

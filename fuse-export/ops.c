// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's operations on names and attributes, and the table of
 * every operation: each request is done with the guest's own VFS calls,
 * so the host sees exactly what guest programs see.  The operations on
 * open files and directories are in io.c.
 *
 * A request's arguments and its reply share one buffer (the reply starts
 * 24 bytes before the arguments do): a handler copies what it needs out
 * of the arguments before it writes the reply, and small replies are
 * built on the stack and copied at the end.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/statfs.h>
#include <linux/xattr.h>
#include "fe.h"

/*
 * How long the host kernel may trust names and attributes without
 * asking again, in seconds: long, since the guest tells it of every
 * change (watch.c).  Without the watch, zero: it then asks at every use.
 */
#define FE_CACHE_TIMEOUT	3600

static u64 fe_timeout(void)
{
	return fe_watching() ? FE_CACHE_TIMEOUT : 0;
}

/* Copy the fixed arguments, @size bytes; -EINVAL if the request is short. */
int fe_args(struct fe_req *r, void *dst, size_t size)
{
	if (r->arglen < size)
		return -EINVAL;
	memcpy(dst, r->arg, size);
	return 0;
}

/*
 * The NUL-terminated name at @off in the arguments (past the fixed ones),
 * and the offset after it in *@next; NULL if there is none.
 */
const char *fe_name(struct fe_req *r, size_t off, size_t *next)
{
	const char *s = r->arg + off;
	size_t len;

	if (off >= r->arglen)
		return NULL;
	len = strnlen(s, r->arglen - off);
	if (len == r->arglen - off || !len)
		return NULL;
	if (next)
		*next = off + len + 1;
	return s;
}

int fe_reply(struct fe_req *r, const void *data, size_t size)
{
	if (size > r->outmax)
		return -EIO;
	memcpy(r->out, data, size);
	r->outlen = size;
	return 0;
}

static void fe_fill_attr(struct fuse_attr *a, const struct kstat *st)
{
	memset(a, 0, sizeof(*a));
	a->ino = st->ino;
	a->size = st->size;
	a->blocks = st->blocks;
	a->atime = st->atime.tv_sec;
	a->atimensec = st->atime.tv_nsec;
	a->mtime = st->mtime.tv_sec;
	a->mtimensec = st->mtime.tv_nsec;
	a->ctime = st->ctime.tv_sec;
	a->ctimensec = st->ctime.tv_nsec;
	a->mode = st->mode;
	a->nlink = st->nlink;
	a->uid = from_kuid_munged(&init_user_ns, st->uid);
	a->gid = from_kgid_munged(&init_user_ns, st->gid);
	a->rdev = new_encode_dev(st->rdev);
	a->blksize = st->blksize;
}

static int fe_stat(const struct path *path, struct kstat *st)
{
	return vfs_getattr(path, st, STATX_BASIC_STATS,
			   AT_STATX_SYNC_AS_STAT);
}

/*
 * Fill @out for @path, which the host kernel now knows of: its attributes
 * and its node id, one lookup more.  Takes over @path's references.
 */
int fe_entry(struct fe_req *r, struct path *path, struct fuse_entry_out *out)
{
	struct kstat st;
	int err;

	memset(out, 0, sizeof(*out));
	err = fe_stat(path, &st);
	if (err) {
		path_put(path);
		return err;
	}
	fe_fill_attr(&out->attr, &st);
	out->entry_valid = fe_timeout();
	out->attr_valid = fe_timeout();
	out->nodeid = fe_node_add(r->fe, path);
	return out->nodeid ? 0 : -ENOMEM;
}

/* The node the request names, with a reference; NULL for a stale id. */
static struct fe_node *fe_req_node(struct fe_req *r)
{
	return fe_node_get(r->fe, r->in.nodeid);
}

static int fe_init_op(struct fe_req *r)
{
	struct fuse_init_in in;
	struct fuse_init_out out;
	u32 offered = FUSE_ASYNC_READ | FUSE_BIG_WRITES |
		      FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES |
		      FUSE_CACHE_SYMLINKS | FUSE_POSIX_LOCKS |
		      FUSE_FLOCK_LOCKS | FUSE_DO_READDIRPLUS |
		      FUSE_READDIRPLUS_AUTO;

	/* Only the first four words are sure to be there. */
	memset(&in, 0, sizeof(in));
	if (r->arglen < offsetof(struct fuse_init_in, flags2))
		return -EINVAL;
	memcpy(&in, r->arg, min(r->arglen, sizeof(in)));
	if (in.major < 7)
		return -EPROTO;
	if (r->fe->failed)
		return -EIO;
	/*
	 * Without the notifications, a changed size or modification time
	 * seen at a GETATTR is what drops the host's pages.
	 */
	if (!fe_watching())
		offered |= FUSE_AUTO_INVAL_DATA;

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = FUSE_KERNEL_MINOR_VERSION;
	/* A newer host kernel waits for this major version's reply. */
	if (in.major > 7)
		return fe_reply(r, &out, sizeof(out));
	out.max_readahead = min_t(u32, in.max_readahead, FE_MAX_WRITE);
	out.flags = in.flags & offered;
	out.max_background = 2 * FE_BUFS;
	out.congestion_threshold = 3 * FE_BUFS / 2;
	out.max_write = FE_MAX_WRITE;
	out.time_gran = 1;
	out.max_pages = FE_MAX_WRITE / PAGE_SIZE;
	return fe_reply(r, &out, sizeof(out));
}

static int fe_lookup(struct fe_req *r)
{
	struct fuse_entry_out out;
	struct fe_node *parent;
	struct dentry *dentry;
	const char *name = fe_name(r, 0, NULL);
	struct path path;
	int err;

	if (!name)
		return -EINVAL;
	parent = fe_req_node(r);
	if (!parent)
		return -ESTALE;
	dentry = lookup_one_positive_unlocked(mnt_idmap(parent->path.mnt),
					      name, parent->path.dentry,
					      strlen(name));
	if (IS_ERR(dentry)) {
		fe_node_put(parent);
		return PTR_ERR(dentry);
	}
	path.mnt = mntget(parent->path.mnt);
	path.dentry = dentry;
	fe_node_put(parent);
	err = fe_entry(r, &path, &out);
	return err ?: fe_reply(r, &out, sizeof(out));
}

static int fe_forget(struct fe_req *r)
{
	struct fuse_forget_in in;

	if (!fe_args(r, &in, sizeof(in)))
		fe_node_forget(r->fe, r->in.nodeid, in.nlookup);
	return FE_NO_REPLY;
}

static int fe_batch_forget(struct fe_req *r)
{
	struct fuse_batch_forget_in in;
	struct fuse_forget_one one;
	size_t off = sizeof(in);
	u32 i;

	if (fe_args(r, &in, sizeof(in)))
		return FE_NO_REPLY;
	for (i = 0; i < in.count && off + sizeof(one) <= r->arglen; i++) {
		memcpy(&one, r->arg + off, sizeof(one));
		fe_node_forget(r->fe, one.nodeid, one.nlookup);
		off += sizeof(one);
	}
	return FE_NO_REPLY;
}

static int fe_attr_reply(struct fe_req *r, const struct path *path)
{
	struct fuse_attr_out out;
	struct kstat st;
	int err;

	err = fe_stat(path, &st);
	if (err)
		return err;
	memset(&out, 0, sizeof(out));
	fe_fill_attr(&out.attr, &st);
	out.attr_valid = fe_timeout();
	return fe_reply(r, &out, sizeof(out));
}

/*
 * What a request about attributes acts on: the open file @fh when the
 * host gave one (an unlinked file stays reachable so), else the node.
 * Returns the path, holding a reference on *@node or *@file.
 */
static const struct path *fe_attr_target(struct fe_req *r, bool use_fh,
					 u64 fh, struct fe_node **node,
					 struct file **file)
{
	*node = NULL;
	*file = use_fh ? fe_file_get(r->fe, fh) : NULL;
	if (*file)
		return &(*file)->f_path;
	*node = fe_req_node(r);
	return *node ? &(*node)->path : NULL;
}

static void fe_attr_done(struct fe_node *node, struct file *file)
{
	if (node)
		fe_node_put(node);
	if (file)
		fput(file);
}

static int fe_getattr(struct fe_req *r)
{
	struct fuse_getattr_in in = {};
	const struct path *path;
	struct fe_node *node;
	struct file *file;
	int err;

	memcpy(&in, r->arg, min(r->arglen, sizeof(in)));
	path = fe_attr_target(r, in.getattr_flags & FUSE_GETATTR_FH, in.fh,
			      &node, &file);
	if (!path)
		return -ESTALE;
	err = fe_attr_reply(r, path);
	fe_attr_done(node, file);
	return err;
}

/* Mode, owner and times, as chmod, chown and utimensat make them. */
static int fe_change(const struct path *path, const struct fuse_setattr_in *in)
{
	struct dentry *dentry = path->dentry;
	struct inode *inode = d_inode(dentry);
	struct iattr ia = {};
	int err;

	if (in->valid & FATTR_MODE) {
		ia.ia_valid |= ATTR_MODE;
		ia.ia_mode = (in->mode & S_IALLUGO) | (inode->i_mode & ~S_IALLUGO);
	}
	if (in->valid & FATTR_UID) {
		ia.ia_valid |= ATTR_UID;
		ia.ia_vfsuid = VFSUIDT_INIT(make_kuid(&init_user_ns, in->uid));
	}
	if (in->valid & FATTR_GID) {
		ia.ia_valid |= ATTR_GID;
		ia.ia_vfsgid = VFSGIDT_INIT(make_kgid(&init_user_ns, in->gid));
	}
	if ((in->valid & (FATTR_UID | FATTR_GID)) && !S_ISDIR(inode->i_mode))
		ia.ia_valid |= ATTR_KILL_SUID | ATTR_KILL_SGID | ATTR_KILL_PRIV;
	if (in->valid & FATTR_ATIME) {
		ia.ia_valid |= ATTR_ATIME;
		if (!(in->valid & FATTR_ATIME_NOW)) {
			ia.ia_valid |= ATTR_ATIME_SET;
			ia.ia_atime.tv_sec = in->atime;
			ia.ia_atime.tv_nsec = in->atimensec;
		}
	}
	if (in->valid & FATTR_MTIME) {
		ia.ia_valid |= ATTR_MTIME;
		if (!(in->valid & FATTR_MTIME_NOW)) {
			ia.ia_valid |= ATTR_MTIME_SET;
			ia.ia_mtime.tv_sec = in->mtime;
			ia.ia_mtime.tv_nsec = in->mtimensec;
		}
	}
	if (!ia.ia_valid)
		return 0;
	ia.ia_valid |= ATTR_CTIME;
	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	inode_lock(inode);
	err = notify_change(mnt_idmap(path->mnt), dentry, &ia, NULL);
	inode_unlock(inode);
	mnt_drop_write(path->mnt);
	return err;
}

static int fe_setattr(struct fe_req *r)
{
	struct fuse_setattr_in in;
	const struct path *path;
	struct fe_node *node;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	path = fe_attr_target(r, in.valid & FATTR_FH, in.fh, &node, &file);
	if (!path)
		return -ESTALE;
	if (in.valid & FATTR_SIZE)
		err = vfs_truncate(path, in.size);
	if (!err)
		err = fe_change(path, &in);
	if (!err)
		err = fe_attr_reply(r, path);
	fe_attr_done(node, file);
	return err;
}

static int fe_readlink(struct fe_req *r)
{
	struct fe_node *node = fe_req_node(r);
	DEFINE_DELAYED_CALL(done);
	const char *target;
	int err = 0;

	if (!node)
		return -ESTALE;
	target = vfs_get_link(node->path.dentry, &done);
	if (IS_ERR(target)) {
		err = PTR_ERR(target);
	} else {
		touch_atime(&node->path);
		err = fe_reply(r, target, strlen(target));
	}
	do_delayed_call(&done);
	fe_node_put(node);
	return err;
}

static int fe_statfs(struct fe_req *r)
{
	struct fe_node *node = fe_req_node(r);
	struct fuse_statfs_out out;
	struct kstatfs ks;
	int err;

	if (!node)
		return -ESTALE;
	err = vfs_statfs(&node->path, &ks);
	fe_node_put(node);
	if (err)
		return err;
	memset(&out, 0, sizeof(out));
	out.st.blocks = ks.f_blocks;
	out.st.bfree = ks.f_bfree;
	out.st.bavail = ks.f_bavail;
	out.st.files = ks.f_files;
	out.st.ffree = ks.f_ffree;
	out.st.bsize = ks.f_bsize;
	out.st.namelen = ks.f_namelen;
	out.st.frsize = ks.f_frsize;
	return fe_reply(r, &out, sizeof(out));
}

static int fe_access(struct fe_req *r)
{
	struct fuse_access_in in;
	struct fe_node *node;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	node = fe_req_node(r);
	if (!node)
		return -ESTALE;
	err = inode_permission(mnt_idmap(node->path.mnt),
			       d_inode(node->path.dentry),
			       in.mask & (MAY_READ | MAY_WRITE | MAY_EXEC));
	fe_node_put(node);
	return err;
}

/* Extended attributes. */

/* Copy the attribute name at @off: it may lie where the reply goes. */
static int fe_xattr_name(struct fe_req *r, size_t off, char *name,
			 size_t *next)
{
	const char *s = fe_name(r, off, next);

	if (!s)
		return -EINVAL;
	if (strscpy(name, s, XATTR_NAME_MAX + 1) < 0)
		return -ERANGE;
	return 0;
}

/* The reply to getxattr and listxattr: a size when asked for 0 bytes. */
static int fe_xattr_reply(struct fe_req *r, ssize_t got, u32 size)
{
	struct fuse_getxattr_out out = {};

	if (got < 0)
		return got;
	if (!size) {
		out.size = got;
		return fe_reply(r, &out, sizeof(out));
	}
	r->outlen = got;
	return 0;
}

static int fe_getxattr(struct fe_req *r)
{
	char name[XATTR_NAME_MAX + 1];
	struct fuse_getxattr_in in;
	struct fe_node *node;
	ssize_t got;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (!err)
		err = fe_xattr_name(r, sizeof(in), name, NULL);
	if (err)
		return err;
	node = fe_req_node(r);
	if (!node)
		return -ESTALE;
	got = vfs_getxattr(mnt_idmap(node->path.mnt), node->path.dentry, name,
			   in.size ? r->out : NULL,
			   min_t(size_t, in.size, r->outmax));
	fe_node_put(node);
	return fe_xattr_reply(r, got, in.size);
}

static int fe_listxattr(struct fe_req *r)
{
	struct fuse_getxattr_in in;
	struct fe_node *node;
	ssize_t got;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	node = fe_req_node(r);
	if (!node)
		return -ESTALE;
	got = vfs_listxattr(node->path.dentry, in.size ? r->out : NULL,
			    min_t(size_t, in.size, r->outmax));
	fe_node_put(node);
	return fe_xattr_reply(r, got, in.size);
}

static int fe_setxattr(struct fe_req *r)
{
	char name[XATTR_NAME_MAX + 1];
	struct fuse_setxattr_in in;
	struct fe_node *node;
	size_t next;
	int err;

	/* FUSE_SETXATTR_EXT is not asked for: the short form. */
	err = fe_args(r, &in, FUSE_COMPAT_SETXATTR_IN_SIZE);
	if (!err)
		err = fe_xattr_name(r, FUSE_COMPAT_SETXATTR_IN_SIZE, name,
				    &next);
	if (err)
		return err;
	if (next + in.size > r->arglen)
		return -EINVAL;
	node = fe_req_node(r);
	if (!node)
		return -ESTALE;
	err = mnt_want_write(node->path.mnt);
	if (!err) {
		err = vfs_setxattr(mnt_idmap(node->path.mnt),
				   node->path.dentry, name, r->arg + next,
				   in.size, in.flags);
		mnt_drop_write(node->path.mnt);
	}
	fe_node_put(node);
	return err;
}

static int fe_removexattr(struct fe_req *r)
{
	char name[XATTR_NAME_MAX + 1];
	struct fe_node *node;
	int err;

	err = fe_xattr_name(r, 0, name, NULL);
	if (err)
		return err;
	node = fe_req_node(r);
	if (!node)
		return -ESTALE;
	err = mnt_want_write(node->path.mnt);
	if (!err) {
		err = vfs_removexattr(mnt_idmap(node->path.mnt),
				      node->path.dentry, name);
		mnt_drop_write(node->path.mnt);
	}
	fe_node_put(node);
	return err;
}

/* Names: make, link, remove, rename. */

/*
 * Lock directory @parent and look @name up in it, for a change.  Returns
 * the dentry (positive or not) with the directory locked and write access
 * to the mount taken, or an error with neither.
 */
struct dentry *fe_lock_name(struct fe_node *parent, const char *name)
{
	struct dentry *dir = parent->path.dentry, *dentry;
	int err;

	if (!d_is_dir(dir))
		return ERR_PTR(-ENOTDIR);
	err = mnt_want_write(parent->path.mnt);
	if (err)
		return ERR_PTR(err);
	inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
	dentry = lookup_one(mnt_idmap(parent->path.mnt), name, dir,
			    strlen(name));
	if (IS_ERR(dentry)) {
		inode_unlock(d_inode(dir));
		mnt_drop_write(parent->path.mnt);
	}
	return dentry;
}

/* Undo fe_lock_name() but for the dentry, which the caller puts. */
void fe_unlock_name(struct fe_node *parent)
{
	inode_unlock(d_inode(parent->path.dentry));
	mnt_drop_write(parent->path.mnt);
}

/*
 * The entry for @name, just made in @parent by @dentry: some file systems
 * leave the dentry unhashed or negative, and then it is looked up again
 * (so @parent must be unlocked by now).
 */
int fe_new_entry(struct fe_req *r, struct fe_node *parent,
		 struct dentry *dentry, const char *name,
		 struct fuse_entry_out *out)
{
	struct path path;

	if (d_unhashed(dentry) || d_really_is_negative(dentry))
		dentry = lookup_one_positive_unlocked(mnt_idmap(parent->path.mnt),
						      name, parent->path.dentry,
						      strlen(name));
	else
		dget(dentry);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	path.mnt = mntget(parent->path.mnt);
	path.dentry = dentry;
	return fe_entry(r, &path, out);
}

enum fe_make { FE_MKNOD, FE_MKDIR, FE_SYMLINK, FE_LINK };

/* mknod, mkdir, symlink and link: a new name, and the entry for it. */
static int fe_make(struct fe_req *r, enum fe_make what)
{
	struct mnt_idmap *idmap;
	struct fuse_entry_out out;
	struct fe_node *parent, *old = NULL;
	struct dentry *dentry;
	struct inode *dir;
	const char *name, *target = NULL;
	size_t fixed = 0, next;
	union {
		struct fuse_mknod_in mknod;
		struct fuse_mkdir_in mkdir;
		struct fuse_link_in link;
	} in;
	int err;

	if (what == FE_MKNOD)
		fixed = sizeof(in.mknod);
	else if (what == FE_MKDIR)
		fixed = sizeof(in.mkdir);
	else if (what == FE_LINK)
		fixed = sizeof(in.link);
	err = fe_args(r, &in, fixed);
	if (err)
		return err;
	name = fe_name(r, fixed, &next);
	if (!name)
		return -EINVAL;
	if (what == FE_SYMLINK) {
		target = fe_name(r, next, NULL);
		if (!target)
			return -EINVAL;
	}
	parent = fe_req_node(r);
	if (!parent)
		return -ESTALE;
	if (what == FE_LINK) {
		old = fe_node_get(r->fe, in.link.oldnodeid);
		if (!old) {
			fe_node_put(parent);
			return -ESTALE;
		}
	}
	idmap = mnt_idmap(parent->path.mnt);
	dir = d_inode(parent->path.dentry);

	dentry = fe_lock_name(parent, name);
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
		goto out;
	}
	if (d_really_is_positive(dentry)) {
		err = -EEXIST;
	} else if (what == FE_MKNOD && S_ISREG(in.mknod.mode)) {
		err = vfs_create(idmap, dir, dentry, in.mknod.mode, true);
	} else if (what == FE_MKNOD) {
		err = vfs_mknod(idmap, dir, dentry, in.mknod.mode,
				new_decode_dev(in.mknod.rdev));
	} else if (what == FE_MKDIR) {
		err = vfs_mkdir(idmap, dir, dentry, in.mkdir.mode);
	} else if (what == FE_SYMLINK) {
		err = vfs_symlink(idmap, dir, dentry, target);
	} else {
		err = vfs_link(old->path.dentry, idmap, dir, dentry, NULL);
	}
	fe_unlock_name(parent);
	if (!err)
		err = fe_new_entry(r, parent, dentry, name, &out);
	dput(dentry);
	if (!err)
		err = fe_reply(r, &out, sizeof(out));
out:
	if (old)
		fe_node_put(old);
	fe_node_put(parent);
	return err;
}

static int fe_mknod(struct fe_req *r)
{
	return fe_make(r, FE_MKNOD);
}

static int fe_mkdir(struct fe_req *r)
{
	return fe_make(r, FE_MKDIR);
}

static int fe_symlink(struct fe_req *r)
{
	return fe_make(r, FE_SYMLINK);
}

static int fe_link(struct fe_req *r)
{
	return fe_make(r, FE_LINK);
}

static int fe_remove(struct fe_req *r, bool dir)
{
	const char *name = fe_name(r, 0, NULL);
	struct fe_node *parent;
	struct dentry *dentry;
	struct mnt_idmap *idmap;
	int err;

	if (!name)
		return -EINVAL;
	parent = fe_req_node(r);
	if (!parent)
		return -ESTALE;
	idmap = mnt_idmap(parent->path.mnt);
	dentry = fe_lock_name(parent, name);
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
	} else {
		if (d_really_is_negative(dentry))
			err = -ENOENT;
		else if (dir)
			err = vfs_rmdir(idmap, d_inode(parent->path.dentry),
					dentry);
		else
			err = vfs_unlink(idmap, d_inode(parent->path.dentry),
					 dentry, NULL);
		fe_unlock_name(parent);
		dput(dentry);
	}
	fe_node_put(parent);
	return err;
}

static int fe_unlink(struct fe_req *r)
{
	return fe_remove(r, false);
}

static int fe_rmdir(struct fe_req *r)
{
	return fe_remove(r, true);
}

/* Rename @oldname in @from to @newname in @to, as renameat2() does. */
static int fe_do_rename(struct fe_node *from, const char *oldname,
			struct fe_node *to, const char *newname,
			unsigned int flags)
{
	struct mnt_idmap *idmap = mnt_idmap(from->path.mnt);
	struct dentry *odir = from->path.dentry, *ndir = to->path.dentry;
	struct dentry *trap, *old, *new;
	struct renamedata rd = {};
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) &&
	    (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (from->path.mnt != to->path.mnt)
		return -EXDEV;
	if (!d_is_dir(odir) || !d_is_dir(ndir))
		return -ENOTDIR;
	err = mnt_want_write(from->path.mnt);
	if (err)
		return err;
	trap = lock_rename(ndir, odir);
	if (IS_ERR(trap)) {
		err = PTR_ERR(trap);
		goto drop_write;
	}
	old = lookup_one(idmap, oldname, odir, strlen(oldname));
	err = PTR_ERR(old);
	if (IS_ERR(old))
		goto unlock;
	err = -ENOENT;
	if (d_really_is_negative(old))
		goto put_old;
	err = -EINVAL;
	if (old == trap)
		goto put_old;
	new = lookup_one(idmap, newname, ndir, strlen(newname));
	err = PTR_ERR(new);
	if (IS_ERR(new))
		goto put_old;
	err = -ENOTEMPTY;
	if (new == trap)
		goto put_new;
	err = -ENOENT;
	if ((flags & RENAME_EXCHANGE) && d_really_is_negative(new))
		goto put_new;
	err = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && d_really_is_positive(new))
		goto put_new;

	rd.old_mnt_idmap = idmap;
	rd.old_dir = d_inode(odir);
	rd.old_dentry = old;
	rd.new_mnt_idmap = idmap;
	rd.new_dir = d_inode(ndir);
	rd.new_dentry = new;
	rd.flags = flags;
	err = vfs_rename(&rd);
put_new:
	dput(new);
put_old:
	dput(old);
unlock:
	unlock_rename(ndir, odir);
drop_write:
	mnt_drop_write(from->path.mnt);
	return err;
}

static int fe_rename(struct fe_req *r)
{
	struct fuse_rename2_in in = {};
	struct fe_node *from, *to;
	const char *oldname, *newname;
	size_t fixed, next;
	int err;

	if (r->in.opcode == FUSE_RENAME) {
		fixed = sizeof(struct fuse_rename_in);
		err = fe_args(r, &in.newdir, fixed);
	} else {
		fixed = sizeof(in);
		err = fe_args(r, &in, fixed);
	}
	if (err)
		return err;
	oldname = fe_name(r, fixed, &next);
	newname = oldname ? fe_name(r, next, NULL) : NULL;
	if (!newname)
		return -EINVAL;
	from = fe_req_node(r);
	if (!from)
		return -ESTALE;
	to = fe_node_get(r->fe, in.newdir);
	if (!to) {
		fe_node_put(from);
		return -ESTALE;
	}
	err = fe_do_rename(from, oldname, to, newname, in.flags);
	fe_node_put(to);
	fe_node_put(from);
	return err;
}

static int fe_nothing(struct fe_req *r)
{
	return 0;
}

typedef int (*fe_op)(struct fe_req *r);

static const fe_op fe_ops[] = {
	[FUSE_INIT]		= fe_init_op,
	[FUSE_DESTROY]		= fe_nothing,
	[FUSE_INTERRUPT]	= fe_interrupt_op,
	[FUSE_LOOKUP]		= fe_lookup,
	[FUSE_FORGET]		= fe_forget,
	[FUSE_BATCH_FORGET]	= fe_batch_forget,
	[FUSE_GETATTR]		= fe_getattr,
	[FUSE_SETATTR]		= fe_setattr,
	[FUSE_READLINK]		= fe_readlink,
	[FUSE_SYMLINK]		= fe_symlink,
	[FUSE_MKNOD]		= fe_mknod,
	[FUSE_MKDIR]		= fe_mkdir,
	[FUSE_UNLINK]		= fe_unlink,
	[FUSE_RMDIR]		= fe_rmdir,
	[FUSE_RENAME]		= fe_rename,
	[FUSE_RENAME2]		= fe_rename,
	[FUSE_LINK]		= fe_link,
	[FUSE_STATFS]		= fe_statfs,
	[FUSE_ACCESS]		= fe_access,
	[FUSE_SETXATTR]		= fe_setxattr,
	[FUSE_GETXATTR]		= fe_getxattr,
	[FUSE_LISTXATTR]	= fe_listxattr,
	[FUSE_REMOVEXATTR]	= fe_removexattr,
	[FUSE_OPEN]		= fe_open,
	[FUSE_CREATE]		= fe_create,
	[FUSE_READ]		= fe_read,
	[FUSE_WRITE]		= fe_write,
	[FUSE_FLUSH]		= fe_flush,
	[FUSE_RELEASE]		= fe_release,
	[FUSE_FSYNC]		= fe_fsync,
	[FUSE_OPENDIR]		= fe_opendir,
	[FUSE_READDIR]		= fe_readdir,
	[FUSE_RELEASEDIR]	= fe_release,
	[FUSE_FSYNCDIR]		= fe_fsync,
	[FUSE_FALLOCATE]	= fe_fallocate,
	[FUSE_LSEEK]		= fe_lseek,
	[FUSE_COPY_FILE_RANGE]	= fe_copy_file_range,
	[FUSE_GETLK]		= fe_getlk,
	[FUSE_SETLK]		= fe_setlk,
	[FUSE_SETLKW]		= fe_setlk,
	[FUSE_READDIRPLUS]	= fe_readdirplus,
};

/* Operations that change the file system: refused on a read-only export. */
static bool fe_changes(u32 opcode)
{
	switch (opcode) {
	case FUSE_SETATTR: case FUSE_SYMLINK: case FUSE_MKNOD:
	case FUSE_MKDIR: case FUSE_UNLINK: case FUSE_RMDIR:
	case FUSE_RENAME: case FUSE_RENAME2: case FUSE_LINK:
	case FUSE_WRITE: case FUSE_CREATE: case FUSE_SETXATTR:
	case FUSE_REMOVEXATTR: case FUSE_FALLOCATE:
	case FUSE_COPY_FILE_RANGE:
		return true;
	}
	return false;
}

int fe_dispatch(struct fe_req *r)
{
	u32 op = r->in.opcode;

	/* ENOSYS is FUSE's "not implemented": the host kernel stops asking. */
	if (op >= ARRAY_SIZE(fe_ops) || !fe_ops[op])
		return -ENOSYS;
	if (r->fe->failed && op != FUSE_INIT)
		return op == FUSE_FORGET || op == FUSE_BATCH_FORGET ||
		       op == FUSE_INTERRUPT ? FE_NO_REPLY : -EIO;
	if (r->fe->info.read_only && fe_changes(op))
		return -EROFS;
	return fe_ops[op](r);
}

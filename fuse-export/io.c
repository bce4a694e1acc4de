// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's operations on open files and directories.  Every
 * open from the host is a struct file of the guest's, opened on the
 * node's path; its handle is an index in the export's table of files.
 * Reads and writes go through the guest's page cache like a guest
 * program's, at the offset the host kernel gives.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include "fe.h"

/*
 * The flags a host open keeps here.  Creating and truncating were done
 * by their own requests; an append offset is the host kernel's to give
 * (a page written back from a shared mapping must land where it
 * belongs); the buffers are not aligned for O_DIRECT.
 */
static int fe_open_flags(u32 flags)
{
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
		   O_DIRECT | O_NOATIME | O_PATH | O_TMPFILE | FASYNC |
		   O_CLOEXEC);
	return flags | O_LARGEFILE;
}

static int fe_open_reply(struct fe_req *r, struct file *file,
			 struct fuse_open_out *out)
{
	memset(out, 0, sizeof(*out));
	/* The guest tells of changes: the host's pages stay good (watch.c). */
	if (fe_watching() && S_ISREG(file_inode(file)->i_mode))
		out->open_flags = FOPEN_KEEP_CACHE;
	out->fh = fe_file_add(r->fe, file);
	if (!out->fh) {
		fput(file);
		return -ENOMEM;
	}
	return 0;
}

static int fe_open_common(struct fe_req *r, int flags)
{
	struct fuse_open_out out;
	struct fe_node *node;
	struct file *file;
	int err;

	node = fe_node_get(r->fe, r->in.nodeid);
	if (!node)
		return -ESTALE;
	file = dentry_open(&node->path, flags, current_cred());
	fe_node_put(node);
	if (IS_ERR(file))
		return PTR_ERR(file);
	err = fe_open_reply(r, file, &out);
	return err ?: fe_reply(r, &out, sizeof(out));
}

int fe_open(struct fe_req *r)
{
	struct fuse_open_in in;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	if (r->fe->info.read_only && (in.flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	return fe_open_common(r, fe_open_flags(in.flags));
}

int fe_opendir(struct fe_req *r)
{
	return fe_open_common(r, O_RDONLY | O_DIRECTORY | O_LARGEFILE);
}

int fe_create(struct fe_req *r)
{
	struct {
		struct fuse_entry_out entry;
		struct fuse_open_out open;
	} out;
	struct fuse_create_in in;
	struct fe_node *parent;
	struct dentry *dentry;
	struct file *file;
	struct path path;
	const char *name;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	name = fe_name(r, sizeof(in), NULL);
	if (!name)
		return -EINVAL;
	parent = fe_node_get(r->fe, r->in.nodeid);
	if (!parent)
		return -ESTALE;
	dentry = fe_lock_name(parent, name);
	if (IS_ERR(dentry)) {
		fe_node_put(parent);
		return PTR_ERR(dentry);
	}
	if (d_really_is_negative(dentry))
		err = vfs_create(mnt_idmap(parent->path.mnt),
				 d_inode(parent->path.dentry), dentry,
				 (in.mode & S_IALLUGO) | S_IFREG, true);
	else if (in.flags & O_EXCL)
		err = -EEXIST;
	else if (d_is_dir(dentry))
		err = -EISDIR;
	fe_unlock_name(parent);
	if (!err)
		err = fe_new_entry(r, parent, dentry, name, &out.entry);
	dput(dentry);
	fe_node_put(parent);
	if (err)
		return err;

	/* The entry's node holds the path for as long as the file is open. */
	parent = fe_node_get(r->fe, out.entry.nodeid);
	if (!parent)
		return -ESTALE;
	path = parent->path;
	file = dentry_open(&path, fe_open_flags(in.flags), current_cred());
	fe_node_put(parent);
	if (IS_ERR(file)) {
		/* The host kernel never learns of the entry: forget it. */
		fe_node_forget(r->fe, out.entry.nodeid, 1);
		return PTR_ERR(file);
	}
	err = fe_open_reply(r, file, &out.open);
	if (err) {
		fe_node_forget(r->fe, out.entry.nodeid, 1);
		return err;
	}
	return fe_reply(r, &out, sizeof(out));
}

int fe_release(struct fe_req *r)
{
	struct fuse_release_in in;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	fe_file_drop(r->fe, in.fh, in.lock_owner);
	return 0;
}

int fe_read(struct fe_req *r)
{
	struct fuse_read_in in;
	struct file *file;
	loff_t pos;
	ssize_t got;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	pos = in.offset;
	got = kernel_read(file, r->out, min_t(size_t, in.size, r->outmax),
			  &pos);
	fput(file);
	if (got < 0)
		return got;
	r->outlen = got;
	return 0;
}

int fe_write(struct fe_req *r)
{
	struct fuse_write_out out = {};
	struct fuse_write_in in;
	struct file *file;
	loff_t pos;
	ssize_t done;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	if (r->arglen - sizeof(in) < in.size)
		return -EINVAL;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	pos = in.offset;
	done = kernel_write(file, r->arg + sizeof(in), in.size, &pos);
	fput(file);
	if (done < 0)
		return done;
	out.size = done;
	return fe_reply(r, &out, sizeof(out));
}

int fe_fsync(struct fe_req *r)
{
	struct fuse_fsync_in in;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	err = vfs_fsync(file, in.fsync_flags & FUSE_FSYNC_FDATASYNC);
	fput(file);
	return err;
}

int fe_fallocate(struct fe_req *r)
{
	struct fuse_fallocate_in in;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	err = vfs_fallocate(file, in.mode, in.offset, in.length);
	fput(file);
	return err;
}

int fe_lseek(struct fe_req *r)
{
	struct fuse_lseek_out out = {};
	struct fuse_lseek_in in;
	struct file *file;
	loff_t pos;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	if (in.whence != SEEK_DATA && in.whence != SEEK_HOLE)
		return -EINVAL;
	file = fe_file_get(r->fe, in.fh);
	if (!file)
		return -EBADF;
	pos = vfs_llseek(file, in.offset, in.whence);
	fput(file);
	if (pos < 0)
		return pos;
	out.offset = pos;
	return fe_reply(r, &out, sizeof(out));
}

int fe_copy_file_range(struct fe_req *r)
{
	struct fuse_copy_file_range_in in;
	struct fuse_write_out out = {};
	struct file *fin, *fout;
	ssize_t done;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	if (in.flags)
		return -EINVAL;
	fin = fe_file_get(r->fe, in.fh_in);
	fout = fe_file_get(r->fe, in.fh_out);
	if (!fin || !fout) {
		done = -EBADF;
	} else {
		done = vfs_copy_file_range(fin, in.off_in, fout, in.off_out,
					   min_t(u64, in.len, UINT_MAX), 0);
	}
	if (fin)
		fput(fin);
	if (fout)
		fput(fout);
	if (done < 0)
		return done;
	out.size = done;
	return fe_reply(r, &out, sizeof(out));
}

/*
 * Directories.  The offset of an entry in a FUSE reply is where the
 * next read starts: the position the guest's file system gave the entry
 * after it, or the directory's position at the end for the last one.
 */
struct fe_dirbuf {
	struct dir_context ctx;
	char *buf;
	size_t size, used;
	size_t room;		/* what the reply may take */
	bool plus;		/* each entry takes its entry_out too */
	struct fuse_dirent *last;
};

static bool fe_filldir(struct dir_context *ctx, const char *name, int namlen,
		       loff_t offset, u64 ino, unsigned int d_type)
{
	struct fe_dirbuf *db = container_of(ctx, struct fe_dirbuf, ctx);
	size_t reclen = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namlen);
	size_t replen = db->plus ?
		FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + namlen) : reclen;
	struct fuse_dirent *de;

	if (db->last)
		db->last->off = offset;
	if (db->used + reclen > db->size || replen > db->room)
		return false;
	db->room -= replen;
	de = (struct fuse_dirent *)(db->buf + db->used);
	de->ino = ino;
	de->off = 0;
	de->namelen = namlen;
	de->type = d_type;
	memcpy(de->name, name, namlen);
	memset(de->name + namlen, 0, reclen - FUSE_NAME_OFFSET - namlen);
	db->last = de;
	db->used += reclen;
	return true;
}

/*
 * Read directory @fh from @offset into @db: plain FUSE entries, as many
 * as db->room allows.  Returns 0 or -errno.
 */
static int fe_read_dir(struct fe_req *r, struct fe_dirbuf *db, u64 fh,
		       u64 offset, struct file **filep)
{
	struct file *file;
	loff_t pos;
	int err;

	file = fe_file_get(r->fe, fh);
	if (!file)
		return -EBADF;
	if (file->f_pos != offset) {
		pos = vfs_llseek(file, offset, SEEK_SET);
		if (pos < 0) {
			fput(file);
			return pos;
		}
	}
	db->ctx.actor = fe_filldir;
	err = iterate_dir(file, &db->ctx);
	/* All of it fitted: the last entry's next is where it ended. */
	if (db->last && !db->last->off)
		db->last->off = file->f_pos;
	*filep = file;
	/* An entry that does not fit ends the reply, not the directory. */
	if (err && !db->used) {
		fput(file);
		return err;
	}
	return 0;
}

int fe_readdir(struct fe_req *r)
{
	struct fe_dirbuf db = {};
	struct fuse_read_in in;
	struct file *file;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	db.buf = r->out;
	db.size = min_t(size_t, in.size, r->outmax);
	db.room = db.size;
	err = fe_read_dir(r, &db, in.fh, in.offset, &file);
	if (err)
		return err;
	fput(file);
	r->outlen = db.used;
	return 0;
}

/*
 * READDIRPLUS: each entry with what a LOOKUP of it answers, which the
 * host kernel counts as a lookup (but for "." and "..", which it skips:
 * those get node id 0, as does a name gone since it was read).  The names
 * are read first and looked up after iterate_dir() let the directory go.
 */
int fe_readdirplus(struct fe_req *r)
{
	struct fe_dirbuf db = { .plus = true };
	struct fuse_direntplus *dp;
	struct fuse_dirent *de;
	struct fuse_read_in in;
	struct dentry *dentry;
	struct file *file;
	struct path path;
	size_t off, used = 0;
	int err;

	err = fe_args(r, &in, sizeof(in));
	if (err)
		return err;
	db.room = min_t(size_t, in.size, r->outmax);
	db.size = db.room;
	db.buf = kvmalloc(db.size, GFP_KERNEL);
	if (!db.buf)
		return -ENOMEM;
	err = fe_read_dir(r, &db, in.fh, in.offset, &file);
	if (err) {
		kvfree(db.buf);
		return err;
	}
	for (off = 0; off < db.used; off += FUSE_DIRENT_SIZE(de)) {
		de = (struct fuse_dirent *)(db.buf + off);
		dp = r->out + used;
		memset(&dp->entry_out, 0, sizeof(dp->entry_out));
		memcpy(&dp->dirent, de, FUSE_DIRENT_SIZE(de));
		used += FUSE_DIRENTPLUS_SIZE(dp);
		if (de->name[0] == '.' && (de->namelen == 1 ||
		    (de->namelen == 2 && de->name[1] == '.')))
			continue;
		dentry = lookup_one_positive_unlocked(file_mnt_idmap(file),
						      de->name,
						      file->f_path.dentry,
						      de->namelen);
		if (IS_ERR(dentry))
			continue;
		path.mnt = mntget(file->f_path.mnt);
		path.dentry = dentry;
		if (fe_entry(r, &path, &dp->entry_out))
			memset(&dp->entry_out, 0, sizeof(dp->entry_out));
	}
	fput(file);
	kvfree(db.buf);
	r->outlen = used;
	return 0;
}

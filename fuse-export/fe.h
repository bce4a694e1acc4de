/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FUSE export's kernel half, shared between export.c (the channel,
 * node ids and file handles) and ops.c (the operations).  Kernel code.
 */
#ifndef _FE_H
#define _FE_H

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/fuse.h>
#include "fe_host.h"

/*
 * The largest read or write one request carries, and a buffer: that, the
 * request's header and arguments, and room to spare.
 */
#define FE_MAX_WRITE		(1024 * 1024)
#define FE_BUF_SIZE		(FE_MAX_WRITE + PAGE_SIZE)
/* Requests one export answers at a time. */
#define FE_BUFS			8

/* Interrupted requests remembered. */
#define FE_INTR_KEPT		FE_BUFS

/* A handler's answer that must not be written: FORGET, INTERRUPT. */
#define FE_NO_REPLY		1

/*
 * What a FUSE node id stands for: one guest inode, reached through the
 * path of the dentry its first lookup found.  @nlookup counts the lookups
 * the host kernel has been told of and not yet forgotten; @ref the
 * users, the table included.
 */
struct fe_mark;

struct fe_node {
	u64 id;
	struct path path;
	u64 nlookup;
	struct kref ref;
	struct hlist_node by_inode;
	struct fe_mark *mark;		/* watch.c's, under the export's lock */
	bool listed;			/* in the tables (under the lock) */
};

struct fe_export;

/* A request buffer lent to the host side. */
struct fe_buf {
	struct fe_export *fe;
	int index;
	void *data;
	unsigned long len;
	struct work_struct work;
};

struct fe_export {
	int n;				/* the host side's number */
	struct host_fuse_info info;
	const struct cred *cred;	/* uid=,gid=; NULL: the kernel's */
	struct fe_node *root;		/* node id FUSE_ROOT_ID */
	bool failed;			/* no root: answer INIT with an error */
	bool ended;

	struct mutex lock;		/* @nodes' contents, @by_inode */
	struct xarray nodes;		/* id -> struct fe_node */
	u32 next_node;
	DECLARE_HASHTABLE(by_inode, 10);
	struct xarray files;		/* file handle -> struct file */

	struct fe_buf bufs[FE_BUFS];
	int nbufs;

	/* The last requests the host gave up (locks.c). */
	spinlock_t intr_lock;
	u64 interrupted[FE_INTR_KEPT];
	unsigned int next_intr;

	/* Notifications to the host kernel (watch.c). */
	spinlock_t note_lock;
	struct list_head notes;		/* waiting for room in the pipe */
	unsigned long notes_queued;	/* in the pipe or on the list */
	struct work_struct note_work;
};

/* A request being answered. */
struct fe_req {
	struct fe_export *fe;
	struct fuse_in_header in;
	const void *arg;		/* what follows the header */
	size_t arglen;
	void *out;			/* the reply's body goes here */
	size_t outmax;
	size_t outlen;			/* set by the handler */
};

/* Exports made and ended at run time (export.c, control.c). */
int fe_export_start(int n);
void fe_export_stop(int n);

/* Node ids (export.c). */
struct fe_node *fe_node_get(struct fe_export *fe, u64 id);
void fe_node_put(struct fe_node *node);
u64 fe_node_add(struct fe_export *fe, struct path *path);
void fe_node_forget(struct fe_export *fe, u64 id, u64 nlookup);
void fe_node_unpin(struct fe_export *fe, struct inode *inode);

/* Is the current task answering a request of @fe? (export.c) */
bool fe_own_request(struct fe_export *fe);

/* The watch on the inodes of nodes, the notifications (watch.c). */
int fe_watch_init(void);
bool fe_watching(void);
struct fe_mark *fe_watch_add(struct fe_export *fe, struct inode *inode,
			     u64 id);
void fe_watch_drop(struct fe_mark *mark);
void fe_notes_init(struct fe_export *fe);
void fe_notes_wait(struct fe_export *fe);

/* File handles (export.c). */
u64 fe_file_add(struct fe_export *fe, struct file *file);
struct file *fe_file_get(struct fe_export *fe, u64 fh);
void fe_file_drop(struct fe_export *fe, u64 fh, u64 lock_owner);

/* Answer one request (ops.c): 0 and r->outlen, FE_NO_REPLY, or -errno. */
int fe_dispatch(struct fe_req *r);

/* Helpers of the operations (ops.c). */
int fe_args(struct fe_req *r, void *dst, size_t size);
const char *fe_name(struct fe_req *r, size_t off, size_t *next);
int fe_reply(struct fe_req *r, const void *data, size_t size);
int fe_entry(struct fe_req *r, struct path *path, struct fuse_entry_out *out);
int fe_new_entry(struct fe_req *r, struct fe_node *parent,
		 struct dentry *dentry, const char *name,
		 struct fuse_entry_out *out);
struct dentry *fe_lock_name(struct fe_node *parent, const char *name);
void fe_unlock_name(struct fe_node *parent);

/* The operations on open files and directories (io.c). */
int fe_open(struct fe_req *r);
int fe_create(struct fe_req *r);
int fe_read(struct fe_req *r);
int fe_write(struct fe_req *r);
int fe_release(struct fe_req *r);
int fe_fsync(struct fe_req *r);
int fe_opendir(struct fe_req *r);
int fe_readdir(struct fe_req *r);
int fe_fallocate(struct fe_req *r);
int fe_lseek(struct fe_req *r);
int fe_copy_file_range(struct fe_req *r);
int fe_readdirplus(struct fe_req *r);

/* Locks (locks.c). */
int fe_getlk(struct fe_req *r);
int fe_setlk(struct fe_req *r);
int fe_flush(struct fe_req *r);
int fe_interrupt_op(struct fe_req *r);
bool fe_interrupted(struct fe_export *fe, u64 unique);
void fe_setlk_abandoned(struct fe_export *fe, const struct fe_req *r);
void fe_release_locks(struct file *file, u64 owner);

#endif /* _FE_H */

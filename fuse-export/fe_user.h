/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FUSE export's host half, shared between its files only: the
 * parameters and the mount (mount_user.c) and the request mover
 * (chan_user.c).  Host code: glibc, libfuse3, no kernel header.
 */
#ifndef _FE_USER_H
#define _FE_USER_H

#include <pthread.h>
#include "fe_host.h"

struct fuse_session;

struct fe_export {
	char *param;		/* the parameter as given, for messages */
	char *host_dir;		/* realpath of HOSTDIR */
	char *guest_path;	/* GUESTPATH, "/" by default */
	int read_only;
	int uid, gid;		/* -1 when not given */
	struct fuse_session *se;	/* set once mounted */
	int fd;			/* /dev/fuse, -1 until mounted */

	/* The request mover (chan_user.c). */
	void *bufs[HOST_FUSE_MAX_BUFS];
	unsigned long lens[HOST_FUSE_MAX_BUFS];
	unsigned long size;
	int nbufs;
	int free_pipe[2];	/* buffer numbers given back by the kernel */
	/* Filled buffers, thread to kernel: one writer, one reader. */
	unsigned int ring[HOST_FUSE_MAX_BUFS];
	unsigned int head, tail;
	int ended;

	/* Notifications, kernel to /dev/fuse (chan_user.c). */
	int note_pipe[2];
	unsigned long notes_taken, notes_done;
};

extern struct fe_export fe_exports[HOST_FUSE_MAX];
extern int fe_nr_exports;

#endif /* _FE_USER_H */

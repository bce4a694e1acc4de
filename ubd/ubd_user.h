/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side state of the block driver, shared by the parameter code
 * (open_user.c) and the I/O engine (aio_user.c).  Not part of the
 * boundary: the kernel side sees only ubd_host.h.
 */
#ifndef _UBD_USER_H
#define _UBD_USER_H

#include <stdbool.h>
#include <sys/types.h>
#include "ubd_host.h"
#include "cow_format.h"

/* One configured disk. */
struct ubd_disk {
	bool used;
	bool read_only;
	bool is_cow;
	const char *param;	/* the whole parameter, for messages */
	char *path;		/* the image, or the overlay */
	char *backing_path;	/* the backing file of an overlay */
	int fd;			/* the image or overlay, buffered */
	int dfd;		/* the same with O_DIRECT, or fd */
	int bfd;		/* the backing file, buffered; -1 if none */
	int bdfd;		/* the backing file with O_DIRECT, or bfd */
	bool created;		/* the overlay was made by this run */
	unsigned long long sectors;
	dev_t dev, bdev;	/* to refuse one file given twice */
	ino_t ino, bino;
	struct ubd_cow cow;
};

extern struct ubd_disk ubd_disks[HOST_UBD_MAX];

/*
 * Forced failures, a debug switch (ubd_fail=KIND:N[:ubdK]): every N-th
 * host operation handed to io_submit() on disk K (on any disk without
 * :ubdK) fails, as if the host had turned it away with EAGAIN or refused
 * it with EIO; or, for "twice", every N-th request that ends is reported
 * to the kernel a second time.
 */
enum ubd_fail_kind {
	UBD_FAIL_NONE,
	UBD_FAIL_EAGAIN,
	UBD_FAIL_EIO,
	UBD_FAIL_TWICE,
};

struct ubd_fail {
	enum ubd_fail_kind kind;
	unsigned long every;
	int disk;		/* -1 for every disk */
	const char *param;	/* for messages */
};

extern struct ubd_fail ubd_fail;

/* Byte alignment that O_DIRECT needs of offsets, lengths and memory. */
#define UBD_DIRECT_ALIGN	512

#endif /* _UBD_USER_H */

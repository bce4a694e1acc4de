// SPDX-License-Identifier: GPL-2.0
/*
 * ubd-cow: create, show and merge the copy-on-write overlays that
 * "./linux ubdN=OVERLAY,BACKING" uses (Documentation/cow-format.rst).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <host/say.h>
#include "cow_format.h"

#define COPY_CHUNK	(4 << 20)

static const char usage_text[] =
"Usage: ubd-cow create OVERLAY BACKING\n"
"       ubd-cow show OVERLAY\n"
"       ubd-cow merge OVERLAY\n"
"\n"
"Copy-on-write overlays for \"./linux ubdN=OVERLAY,BACKING\": the guest's\n"
"writes go to OVERLAY, the read-only BACKING file is shared.\n"
"\n"
"  create  make OVERLAY, an empty overlay over BACKING (a relative BACKING\n"
"          path is stored made absolute); OVERLAY must not exist\n"
"  show    print OVERLAY's header, how much of it is written, and whether\n"
"          its backing file is still the one it was made over (if not,\n"
"          say so on stderr and exit 1)\n"
"  merge   write every block of OVERLAY into its backing file, then empty\n"
"          OVERLAY; refused while a guest uses either file.  Safe to run\n"
"          again if it was interrupted.  Other overlays of the same\n"
"          backing file become unusable.\n"
"\n"
"  -h, --help  show this help\n"
"\n"
"Exit status: 0 success, 1 error, 2 usage error.\n";

/* "ubd-cow: FILE: reason"; returns 1, the error exit status. */
static int __attribute__((format(printf, 2, 3)))
error(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vsay("ubd-cow", file, fmt, ap);
	va_end(ap);
	return 1;
}

/* A usage error: says what, points to --help; returns 2. */
static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vsay("ubd-cow", NULL, fmt, ap);
	va_end(ap);
	fputs("Try 'ubd-cow --help'.\n", stderr);
	return 2;
}

/* Open and load the overlay at @path; prints the error itself. */
static int open_overlay(const char *path, int flags, struct ubd_cow *c)
{
	char err[256];
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return error(path, "%s", strerror(errno));
	if (ubd_cow_load(c, fd, err, sizeof(err))) {
		close(fd);
		return error(path, "%s", err);
	}
	return 0;
}

static void close_overlay(struct ubd_cow *c)
{
	ubd_cow_release(c);
	close(c->fd);
}

static int cmd_create(const char *overlay, const char *backing)
{
	char err[256];

	if (ubd_cow_create(overlay, backing, err, sizeof(err)))
		return error(overlay, "%s", err);
	return 0;
}

static void print_time(int64_t sec, uint32_t nsec)
{
	time_t t = sec;
	struct tm tm;
	char buf[64];

	if (localtime_r(&t, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
		printf("%s.%09u", buf, nsec);
	printf(" (%lld.%09u)\n", (long long)sec, nsec);
}

/* Who holds a lock on the file at @fd that would stop a guest using it? */
static void print_lock_holder(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		printf("in use:         no\n");
	else if (fl.l_pid > 0)
		printf("in use:         yes, locked by process %d\n", fl.l_pid);
	else
		printf("in use:         yes, locked by another process\n");
}

static int cmd_show(const char *overlay)
{
	struct ubd_cow c;
	uint64_t n;
	char err[512];
	int bfd, ret = 0;

	if (open_overlay(overlay, O_RDONLY, &c))
		return 1;
	n = ubd_cow_count(&c);
	printf("overlay:        %s\n", overlay);
	printf("format:         version %u, %u-byte blocks\n",
	       UBD_COW_VERSION, c.block_size);
	printf("backing file:   %s\n", c.backing);
	printf("backing size:   %llu bytes\n",
	       (unsigned long long)c.backing_size);
	printf("backing mtime:  ");
	print_time(c.backing_mtime, c.backing_mtime_nsec);
	printf("blocks:         %llu\n", (unsigned long long)c.nr_blocks);
	printf("in overlay:     %llu blocks (%llu bytes)\n",
	       (unsigned long long)n,
	       (unsigned long long)n * c.block_size);
	printf("bitmap:         %llu bytes at offset %llu\n",
	       (unsigned long long)c.bitmap_bytes,
	       (unsigned long long)c.bitmap_offset);
	printf("data offset:    %llu\n", (unsigned long long)c.data_offset);
	if (c.flags & UBD_COW_F_MERGING)
		printf("state:          merge interrupted; run \"ubd-cow merge\" again\n");
	else
		printf("state:          clean\n");
	print_lock_holder(c.fd);

	bfd = open(c.backing, O_RDONLY | O_CLOEXEC);
	if (bfd < 0) {
		printf("backing check:  missing (%s)\n", strerror(errno));
		ret = error(overlay, "backing file %s: %s", c.backing,
			    strerror(errno));
	} else if (ubd_cow_check_backing(&c, bfd, err, sizeof(err))) {
		printf("backing check:  does not match\n");
		ret = error(overlay, "%s", err);
	} else {
		printf("backing check:  present and matches\n");
	}
	if (bfd >= 0)
		close(bfd);
	close_overlay(&c);
	return ret;
}

/* Take a write lock on @fd or say who holds one; @what names the file. */
static int lock_or_say(const char *overlay, int fd, const char *what)
{
	int holder, ret = ubd_cow_lock(fd, F_WRLCK, &holder);

	if (ret == -EAGAIN && holder)
		return error(overlay, "%s is in use (locked by process %d)",
			     what, holder);
	if (ret == -EAGAIN)
		return error(overlay, "%s is in use (locked by another process)",
			     what);
	if (ret)
		return error(overlay, "cannot lock %s: %s", what,
			     strerror(-ret));
	return 0;
}

/* Copy blocks [first, first + count) of the overlay to the backing file. */
static int copy_run(const char *overlay, struct ubd_cow *c, int bfd,
		    uint64_t first, uint64_t count, char *buf)
{
	uint64_t off = first * c->block_size;
	uint64_t end = (first + count) * c->block_size;
	int ret;

	/* A last, partial block is never written past the backing's end. */
	if (end > c->backing_size)
		end = c->backing_size;
	while (off < end) {
		size_t n = end - off < COPY_CHUNK ? end - off : COPY_CHUNK;

		ret = ubd_cow_io_all(c->fd, buf, n, c->data_offset + off, 0);
		if (ret == -EIO)
			return error(overlay, "truncated: block %llu lies past its end",
				     (unsigned long long)(off / c->block_size));
		if (ret)
			return error(overlay, "reading: %s", strerror(-ret));
		ret = ubd_cow_io_all(bfd, buf, n, off, 1);
		if (ret)
			return error(overlay, "writing backing file %s: %s",
				     c->backing, strerror(-ret));
		off += n;
	}
	return 0;
}

/* Copy every block in the overlay to the backing file and sync it. */
static int copy_blocks(const char *overlay, struct ubd_cow *c, int bfd)
{
	uint64_t first, count, blk = 0;
	char *buf = malloc(COPY_CHUNK);
	int ret = 0;

	if (!buf)
		return error(overlay, "out of memory");
	while (!ret && ubd_cow_next_run(c, blk, &first, &count)) {
		ret = copy_run(overlay, c, bfd, first, count, buf);
		blk = first + count;
	}
	free(buf);
	if (!ret && fdatasync(bfd) < 0)
		ret = error(overlay, "syncing backing file %s: %s",
			    c->backing, strerror(errno));
	return ret;
}

/* Give the data area's space back: it reads as zeroes afterwards. */
static int punch_data(struct ubd_cow *c)
{
	struct stat st;

	if (fstat(c->fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size <= c->data_offset)
		return 0;
	if (!fallocate(c->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       c->data_offset, st.st_size - c->data_offset))
		return 0;
	if (errno != EOPNOTSUPP)
		return -errno;
	if (ftruncate(c->fd, c->data_offset) < 0 ||
	    ftruncate(c->fd, st.st_size) < 0)
		return -errno;
	return 0;
}

/* Write the overlay's header and make it durable before going on. */
static int store_header(const char *overlay, struct ubd_cow *c)
{
	int ret = ubd_cow_store_header(c);

	if (!ret && fsync(c->fd) < 0)
		ret = -errno;
	if (ret)
		return error(overlay, "writing the header: %s", strerror(-ret));
	return 0;
}

/*
 * Empty the overlay once the backing file holds its blocks.  The bitmap is
 * cleared and synced before the data is thrown away, so that no bit ever
 * points at a punched block; the header, last, records the backing file as
 * it now is and ends the merge.
 */
static int reset_overlay(const char *overlay, struct ubd_cow *c, int bfd)
{
	uint64_t size;
	int ret;

	ret = ubd_cow_clear(c);
	if (!ret && fsync(c->fd) < 0)
		ret = -errno;
	if (!ret)
		ret = punch_data(c);
	if (ret)
		return error(overlay, "emptying it: %s", strerror(-ret));

	ret = ubd_cow_stat_backing(bfd, &size, &c->backing_mtime,
				   &c->backing_mtime_nsec);
	if (ret)
		return error(overlay, "backing file %s: %s", c->backing,
			     strerror(-ret));
	if (size != c->backing_size)
		return error(overlay, "backing file %s changed size while merging",
			     c->backing);
	c->flags &= ~UBD_COW_F_MERGING;
	return store_header(overlay, c);
}

/*
 * Before the backing file is touched, the header says a merge began: from
 * then on the backing file no longer matches the recorded time, and a
 * second run must not refuse to finish the job.  Copying is idempotent as
 * long as the bitmap still lists the blocks.
 */
static int begin_merge(const char *overlay, struct ubd_cow *c, int bfd)
{
	char err[512];
	uint64_t size;
	int64_t sec;
	uint32_t nsec;
	int ret;

	if (c->flags & UBD_COW_F_MERGING) {
		ret = ubd_cow_stat_backing(bfd, &size, &sec, &nsec);
		if (ret)
			return error(overlay, "backing file %s: %s",
				     c->backing, strerror(-ret));
		if (size != c->backing_size)
			return error(overlay, "backing file %s changed size (was %llu bytes, now %llu); refusing to merge",
				     c->backing,
				     (unsigned long long)c->backing_size,
				     (unsigned long long)size);
		printf("%s: finishing an interrupted merge\n", overlay);
		return 0;
	}
	if (ubd_cow_check_backing(c, bfd, err, sizeof(err)))
		return error(overlay, "%s; refusing to merge", err);
	c->flags |= UBD_COW_F_MERGING;
	return store_header(overlay, c);
}

static int cmd_merge(const char *overlay)
{
	char what[sizeof(((struct ubd_cow *)0)->backing) + 16];
	struct ubd_cow c;
	uint64_t n;
	int bfd, ret;

	if (open_overlay(overlay, O_RDWR, &c))
		return 1;
	ret = lock_or_say(overlay, c.fd, "overlay");
	if (ret)
		goto out;
	n = ubd_cow_count(&c);
	if (!n && !(c.flags & UBD_COW_F_MERGING)) {
		printf("%s: no blocks in the overlay, nothing to merge\n",
		       overlay);
		goto out;
	}

	bfd = open(c.backing, O_RDWR | O_CLOEXEC);
	if (bfd < 0) {
		ret = error(overlay, "backing file %s: %s", c.backing,
			    strerror(errno));
		goto out;
	}
	snprintf(what, sizeof(what), "backing file %s", c.backing);
	ret = lock_or_say(overlay, bfd, what);
	if (!ret)
		ret = begin_merge(overlay, &c, bfd);
	if (!ret)
		ret = copy_blocks(overlay, &c, bfd);
	if (!ret)
		ret = reset_overlay(overlay, &c, bfd);
	if (!ret)
		printf("%s: merged %llu blocks (%llu bytes) into %s\n",
		       overlay, (unsigned long long)n,
		       (unsigned long long)n * c.block_size, c.backing);
	close(bfd);
out:
	close_overlay(&c);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
	}
	if (argc < 2)
		return usage_error("no command given");
	cmd = argv[1];
	argv += 2;
	argc -= 2;
	if (argc && !strcmp(argv[0], "--")) {
		argv++;
		argc--;
	} else {
		for (i = 0; i < argc; i++)
			if (argv[i][0] == '-' && argv[i][1])
				return usage_error("unknown option %s (use -- before a file name that starts with -)",
						   argv[i]);
	}

	if (!strcmp(cmd, "create")) {
		if (argc != 2)
			return usage_error("create takes OVERLAY and BACKING");
		return cmd_create(argv[0], argv[1]);
	}
	if (!strcmp(cmd, "show")) {
		if (argc != 1)
			return usage_error("show takes one OVERLAY");
		return cmd_show(argv[0]);
	}
	if (!strcmp(cmd, "merge")) {
		if (argc != 1)
			return usage_error("merge takes one OVERLAY");
		return cmd_merge(argv[0]);
	}
	return usage_error("unknown command \"%s\" (create, show or merge)",
			   cmd);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for the copy-on-write format: writes to an overlay the way
 * the ubd driver does, so that ubd-cow can be tested without a guest.
 *
 *   cow_poke [-d] OVERLAY OFFSET FILE
 *	Write FILE's bytes at byte OFFSET of the guest's disk: the blocks
 *	they touch are read (from the overlay if there, else from the
 *	backing file), patched, written to the overlay's data area and only
 *	then marked in its bitmap.  Then load the overlay afresh and check
 *	that those blocks are marked.  -d marks through an O_DIRECT
 *	descriptor (exit status 77 if the file system refuses O_DIRECT).
 *
 *   cow_poke --merging OVERLAY
 *	Set the header's merge-in-progress flag, as an interrupted
 *	"ubd-cow merge" leaves it.
 *
 *   cow_poke [-d] --marks OVERLAY N
 *	Mark N random ranges of blocks (only the bitmap, no data), short
 *	and long, against a plain array of the same bits; then check
 *	ubd_cow_test(), ubd_cow_count() and ubd_cow_next_run() on the
 *	overlay as loaded afresh.
 *
 * Exit status 0 on success, 1 on errors, 2 on usage errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cow_format.h"

static int die(const char *what, const char *why)
{
	fprintf(stderr, "cow_poke: %s: %s\n", what, why);
	return 1;
}

static int set_merging(const char *path)
{
	char err[512];
	struct ubd_cow c;
	int fd = open(path, O_RDWR), ret;

	if (fd < 0)
		return die(path, strerror(errno));
	if (ubd_cow_load(&c, fd, err, sizeof(err)))
		return die(path, err);
	c.flags |= UBD_COW_F_MERGING;
	ret = ubd_cow_store_header(&c);
	if (ret)
		return die(path, strerror(-ret));
	ubd_cow_release(&c);
	return fsync(fd) ? die(path, strerror(errno)) : 0;
}

/* Open @path (O_DIRECT with @direct) and load it into @c. */
static int load(const char *path, int direct, struct ubd_cow *c)
{
	char err[512];
	int fd = open(path, O_RDWR | (direct ? O_DIRECT : 0));

	if (fd < 0 && direct && errno == EINVAL)
		exit(77);
	if (fd < 0)
		exit(die(path, strerror(errno)));
	if (ubd_cow_load(c, fd, err, sizeof(err)))
		exit(die(path, err));
	return fd;
}

/* Check @c's bitmap against @ref, one byte a block. */
static int compare(const struct ubd_cow *c, const uint8_t *ref)
{
	uint64_t b, n = 0, first, count, from = 0, runs = 0;

	for (b = 0; b < c->nr_blocks; b++) {
		if (ubd_cow_test(c, b) != ref[b])
			return die("ubd_cow_test", "differs from the reference");
		n += ref[b];
	}
	if (ubd_cow_count(c) != n)
		return die("ubd_cow_count", "differs from the reference");
	while (ubd_cow_next_run(c, from, &first, &count)) {
		if (first < from || !count)
			return die("ubd_cow_next_run", "bad run");
		for (b = from; b < first; b++)
			if (ref[b])
				return die("ubd_cow_next_run", "skipped a block");
		for (b = first; b < first + count; b++)
			if (!ref[b])
				return die("ubd_cow_next_run", "a clear block");
		if (first + count < c->nr_blocks && ref[first + count])
			return die("ubd_cow_next_run", "a run cut short");
		runs += count;
		from = first + count;
	}
	if (runs != n)
		return die("ubd_cow_next_run", "missed blocks");
	return 0;
}

static int marks(const char *path, int direct, unsigned long n)
{
	struct ubd_cow c;
	uint64_t first, count, b;
	uint8_t *ref;
	int fd, ret;

	fd = load(path, direct, &c);
	ref = calloc(c.nr_blocks, 1);
	if (!ref)
		return die("marks", "out of memory");
	srandom(n);
	while (n--) {
		first = random() % c.nr_blocks;
		/* Mostly short ranges, some across bitmap chunks. */
		count = random() % 16 ? random() % 64 + 1 :
			random() % 70000 + 1;
		if (count > c.nr_blocks - first)
			count = c.nr_blocks - first;
		ret = ubd_cow_mark(&c, first, count);
		if (ret)
			return die("ubd_cow_mark", strerror(-ret));
		for (b = first; b < first + count; b++)
			ref[b] = 1;
	}
	if (ubd_cow_mark(&c, c.nr_blocks - 1, 2) != -EINVAL)
		return die("ubd_cow_mark", "a range past the end was not refused");
	ret = compare(&c, ref);
	ubd_cow_release(&c);
	close(fd);
	if (ret)
		return ret;
	fd = load(path, direct, &c);
	ret = compare(&c, ref);
	ubd_cow_release(&c);
	close(fd);
	free(ref);
	return ret;
}

/* Read all of @path into a new buffer; sets *@len. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	buf = malloc(st.st_size + 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = st.st_size;
	close(fd);
	return buf;
}

/* Read-modify-write blocks [first, last] with @data at byte @off. */
static int patch_blocks(struct ubd_cow *c, int data_fd, int bfd,
			uint64_t first, uint64_t last, uint64_t off,
			const char *data, size_t len)
{
	uint64_t n = last - first + 1, b;
	char *buf = malloc(n * UBD_COW_BLOCK_SIZE);
	char *p;
	ssize_t r;

	if (!buf)
		return die("patch", "out of memory");
	for (b = first; b <= last; b++) {
		p = buf + (b - first) * UBD_COW_BLOCK_SIZE;
		if (ubd_cow_test(c, b))
			r = pread(data_fd, p, UBD_COW_BLOCK_SIZE,
				  c->data_offset + b * UBD_COW_BLOCK_SIZE);
		else
			r = pread(bfd, p, UBD_COW_BLOCK_SIZE,
				  b * UBD_COW_BLOCK_SIZE);
		if (r != UBD_COW_BLOCK_SIZE)
			return die("reading a block", "short read");
	}
	memcpy(buf + off - first * UBD_COW_BLOCK_SIZE, data, len);
	r = pwrite(data_fd, buf, n * UBD_COW_BLOCK_SIZE,
		   c->data_offset + first * UBD_COW_BLOCK_SIZE);
	free(buf);
	if (r != (ssize_t)(n * UBD_COW_BLOCK_SIZE))
		return die("writing the overlay", "short write");
	return 0;
}

/* Load @path afresh: are blocks [first, last] marked? */
static int verify(const char *path, uint64_t first, uint64_t last)
{
	char err[512];
	struct ubd_cow c;
	uint64_t b;
	int fd = open(path, O_RDONLY), ret = 0;

	if (fd < 0)
		return die(path, strerror(errno));
	if (ubd_cow_load(&c, fd, err, sizeof(err)))
		return die(path, err);
	for (b = first; b <= last; b++)
		if (!ubd_cow_test(&c, b))
			ret = die(path, "a marked block is not marked on disk");
	ubd_cow_release(&c);
	close(fd);
	return ret;
}

static int poke(const char *path, int direct, uint64_t off, const char *file)
{
	uint64_t first, last;
	char err[512];
	struct ubd_cow c;
	int fd, data_fd, bfd, ret;
	size_t len;
	char *data = slurp(file, &len);

	if (!data)
		return die(file, "cannot read it");
	if (!len)
		return 0;
	fd = open(path, O_RDWR | (direct ? O_DIRECT : 0));
	if (fd < 0 && direct && errno == EINVAL)
		return 77;
	data_fd = open(path, O_RDWR);
	if (fd < 0 || data_fd < 0)
		return die(path, strerror(errno));
	if (ubd_cow_load(&c, fd, err, sizeof(err)))
		return die(path, err);
	bfd = open(c.backing, O_RDONLY);
	if (bfd < 0)
		return die(c.backing, strerror(errno));
	if (ubd_cow_check_backing(&c, bfd, err, sizeof(err)))
		return die(path, err);
	/* The guest's disk: whole sectors only, a partial tail left out. */
	if (off + len > c.backing_size / UBD_COW_BLOCK_SIZE *
			UBD_COW_BLOCK_SIZE)
		return die(file, "goes past the end of the guest's disk");

	first = off / UBD_COW_BLOCK_SIZE;
	last = (off + len - 1) / UBD_COW_BLOCK_SIZE;
	ret = patch_blocks(&c, data_fd, bfd, first, last, off, data, len);
	if (ret)
		return ret;
	/* Data before bitmap: the write above has completed. */
	ret = ubd_cow_mark(&c, first, last - first + 1);
	if (ret)
		return die("marking the bitmap", strerror(-ret));
	ubd_cow_release(&c);
	close(fd);
	close(data_fd);
	close(bfd);
	free(data);
	return verify(path, first, last);
}

int main(int argc, char **argv)
{
	int direct = 0;

	if (argc == 3 && !strcmp(argv[1], "--merging"))
		return set_merging(argv[2]);
	if (argc > 1 && !strcmp(argv[1], "-d")) {
		direct = 1;
		argv++;
		argc--;
	}
	if (argc == 4 && !strcmp(argv[1], "--marks"))
		return marks(argv[2], direct, strtoul(argv[3], NULL, 0));
	if (argc != 4) {
		fprintf(stderr, "usage: cow_poke [-d] OVERLAY OFFSET FILE\n"
				"       cow_poke --merging OVERLAY\n"
				"       cow_poke [-d] --marks OVERLAY N\n");
		return 2;
	}
	return poke(argv[1], direct, strtoull(argv[2], NULL, 0), argv[3]);
}

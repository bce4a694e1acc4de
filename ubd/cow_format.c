// SPDX-License-Identifier: GPL-2.0
/*
 * The copy-on-write overlay format: reading, checking and writing the
 * header and the bitmap.  Documentation/cow-format.rst has the layout.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <host/io.h>
#include "cow_format.h"

/* Where each header field lives; all are little-endian. */
#define H_MAGIC		0
#define H_VERSION	8
#define H_HEADER_SIZE	12
#define H_BLOCK_SIZE	16
#define H_FLAGS		20
#define H_BACKING_SIZE	24
#define H_MTIME		32
#define H_MTIME_NSEC	40
#define H_NR_BLOCKS	48
#define H_BITMAP_OFFSET	56
#define H_BITMAP_BYTES	64
#define H_DATA_OFFSET	72
#define H_PATH		256
#define H_CRC		(UBD_COW_HEADER_SIZE - 4)

#define ALIGN		4096
/* Keeps every offset and size well inside off_t. */
#define MAX_SIZE	(1ULL << 60)

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = v >> (8 * i);
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* CRC-32 as in IEEE 802.3 and zlib (reflected, polynomial 0x04c11db7). */
static uint32_t crc32_le(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

/* Write a one-line reason into @err; returns @ret. */
static int __attribute__((format(printf, 4, 5)))
reason(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static void *alloc_aligned(size_t size)
{
	void *p;

	if (posix_memalign(&p, ALIGN, size))
		return NULL;
	memset(p, 0, size);
	return p;
}

int ubd_cow_io_all(int fd, void *buf, size_t len, uint64_t off, int write)
{
	return host_io_all(fd, buf, len, (long long)off, write);
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	return ubd_cow_io_all(fd, buf, len, off, 0);
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	return ubd_cow_io_all(fd, (void *)buf, len, off, 1);
}

/* The bitmap's length in the file: whole 4096-byte chunks. */
static uint64_t bitmap_span(const struct ubd_cow *c)
{
	return round_up(c->bitmap_bytes, ALIGN);
}

/* Lay out an overlay for a backing file of @size bytes. */
static void layout(struct ubd_cow *c, uint64_t size)
{
	c->backing_size = size;
	c->block_size = UBD_COW_BLOCK_SIZE;
	c->nr_blocks = round_up(size, c->block_size) / c->block_size;
	c->bitmap_offset = UBD_COW_HEADER_SIZE;
	c->bitmap_bytes = round_up(c->nr_blocks, 8) / 8;
	c->data_offset = round_up(c->bitmap_offset + bitmap_span(c),
				  UBD_COW_DATA_ALIGN);
}

int ubd_cow_stat_backing(int fd, uint64_t *size, int64_t *mtime,
			 uint32_t *mtime_nsec)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return -errno;
	} else {
		return -EINVAL;
	}
	*mtime = st.st_mtim.tv_sec;
	*mtime_nsec = st.st_mtim.tv_nsec;
	return 0;
}

int ubd_cow_lock(int fd, int type, int *holder)
{
	struct flock fl;
	int tries;

	*holder = 0;
	/* A holder may let go between F_SETLK and F_GETLK: try again. */
	for (tries = 0; tries < 3; tries++) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES)
			return -errno;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &fl) < 0)
			return -errno;
		if (fl.l_type != F_UNLCK) {
			/* An open file description lock has no owner pid. */
			*holder = fl.l_pid > 0 ? fl.l_pid : 0;
			return -EAGAIN;
		}
	}
	return -EAGAIN;
}

int ubd_cow_is_overlay(int fd)
{
	uint8_t *buf = alloc_aligned(ALIGN);
	ssize_t n;
	int ret;

	if (!buf)
		return -ENOMEM;
	do {
		n = pread(fd, buf, ALIGN, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else
		ret = n >= UBD_COW_MAGIC_LEN &&
		      !memcmp(buf, UBD_COW_MAGIC, UBD_COW_MAGIC_LEN);
	free(buf);
	return ret;
}

int ubd_cow_store_header(const struct ubd_cow *c)
{
	size_t len = strnlen(c->backing, sizeof(c->backing));
	uint8_t *h;
	int ret;

	if (len >= UBD_COW_PATH_MAX)
		return -ENAMETOOLONG;
	h = alloc_aligned(UBD_COW_HEADER_SIZE);
	if (!h)
		return -ENOMEM;
	memcpy(h + H_MAGIC, UBD_COW_MAGIC, UBD_COW_MAGIC_LEN);
	put_le(h + H_VERSION, UBD_COW_VERSION, 4);
	put_le(h + H_HEADER_SIZE, UBD_COW_HEADER_SIZE, 4);
	put_le(h + H_BLOCK_SIZE, c->block_size, 4);
	put_le(h + H_FLAGS, c->flags, 4);
	put_le(h + H_BACKING_SIZE, c->backing_size, 8);
	put_le(h + H_MTIME, c->backing_mtime, 8);
	put_le(h + H_MTIME_NSEC, c->backing_mtime_nsec, 4);
	put_le(h + H_NR_BLOCKS, c->nr_blocks, 8);
	put_le(h + H_BITMAP_OFFSET, c->bitmap_offset, 8);
	put_le(h + H_BITMAP_BYTES, c->bitmap_bytes, 8);
	put_le(h + H_DATA_OFFSET, c->data_offset, 8);
	memcpy(h + H_PATH, c->backing, len);
	put_le(h + H_CRC, crc32_le(h, H_CRC), 4);
	ret = pwrite_all(c->fd, h, UBD_COW_HEADER_SIZE, 0);
	free(h);
	return ret;
}

/* Make the directory entry of a new file durable too (best effort). */
static void sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Open and examine the backing file for ubd_cow_create(); fills @c. */
static int create_backing(struct ubd_cow *c, const char *backing, char *err,
			  size_t errlen)
{
	char *abs = NULL;
	uint64_t size;
	size_t len;
	int fd, ret, holder;

	fd = open(backing, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return reason(err, errlen, -errno, "backing file %s: %s",
			      backing, strerror(errno));
	ret = ubd_cow_stat_backing(fd, &size, &c->backing_mtime,
				   &c->backing_mtime_nsec);
	if (ret == -EINVAL) {
		reason(err, errlen, ret,
		       "backing file %s is neither a regular file nor a block device",
		       backing);
		goto out;
	}
	if (ret) {
		reason(err, errlen, ret, "backing file %s: %s", backing,
		       strerror(-ret));
		goto out;
	}
	ret = -EINVAL;
	if (!size) {
		reason(err, errlen, ret, "backing file %s is empty", backing);
		goto out;
	}
	if (size > MAX_SIZE) {
		reason(err, errlen, ret, "backing file %s is too large",
		       backing);
		goto out;
	}
	ret = ubd_cow_is_overlay(fd);
	if (ret) {
		if (ret > 0)
			ret = reason(err, errlen, -EINVAL,
				     "backing file %s is itself an overlay; overlays do not chain",
				     backing);
		else
			reason(err, errlen, ret, "backing file %s: %s",
			       backing, strerror(-ret));
		goto out;
	}
	/* A guest using the file read-write holds a write lock on it. */
	ret = ubd_cow_lock(fd, F_RDLCK, &holder);
	if (ret == -EAGAIN) {
		ret = -EBUSY;
		if (holder)
			reason(err, errlen, ret,
			       "backing file %s is in use read-write (locked by process %d)",
			       backing, holder);
		else
			reason(err, errlen, ret,
			       "backing file %s is in use read-write (locked by another process)",
			       backing);
		goto out;
	}
	ret = 0;		/* files that cannot be locked are fine */

	if (backing[0] != '/') {
		abs = realpath(backing, NULL);
		if (!abs) {
			ret = reason(err, errlen, -errno, "backing file %s: %s",
				     backing, strerror(errno));
			goto out;
		}
		backing = abs;
	}
	len = strlen(backing);
	if (len >= UBD_COW_PATH_MAX) {
		ret = reason(err, errlen, -ENAMETOOLONG,
			     "backing path is longer than %d bytes",
			     UBD_COW_PATH_MAX - 1);
		goto out;
	}
	memcpy(c->backing, backing, len + 1);
	layout(c, size);
out:
	free(abs);
	close(fd);
	return ret;
}

int ubd_cow_create(const char *overlay, const char *backing, char *err,
		   size_t errlen)
{
	struct ubd_cow c;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = create_backing(&c, backing, err, errlen);
	if (ret)
		return ret;

	c.fd = open(overlay, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (c.fd < 0) {
		if (errno == EEXIST)
			return reason(err, errlen, -EEXIST,
				      "already exists; not overwriting it");
		return reason(err, errlen, -errno, "%s", strerror(errno));
	}
	/*
	 * The bitmap and the data area are a hole: they read as zeroes, that
	 * is, every block reads from the backing file.  Sizing the file to
	 * hold every block lets the driver write blocks without extending it.
	 */
	ret = ubd_cow_store_header(&c);
	if (!ret && ftruncate(c.fd, c.data_offset +
			      c.nr_blocks * c.block_size) < 0)
		ret = -errno;
	if (!ret && fsync(c.fd) < 0)
		ret = -errno;
	if (close(c.fd) < 0 && !ret)
		ret = -errno;
	if (ret) {
		unlink(overlay);
		return reason(err, errlen, ret, "writing it: %s",
			      strerror(-ret));
	}
	sync_parent(overlay);
	return 0;
}

/* Check the header fields read into @c against each other. */
static int check_layout(const struct ubd_cow *c, char *err, size_t errlen)
{
	if (c->block_size != UBD_COW_BLOCK_SIZE)
		return reason(err, errlen, -EINVAL,
			      "unsupported block size %u (only %u is supported)",
			      c->block_size, UBD_COW_BLOCK_SIZE);
	if (c->flags & ~UBD_COW_F_MERGING)
		return reason(err, errlen, -EINVAL,
			      "unsupported header flags 0x%x", c->flags);
	if (!c->backing_size || c->backing_size > MAX_SIZE)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: backing size %llu",
			      (unsigned long long)c->backing_size);
	if (c->backing_mtime_nsec >= 1000000000)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: mtime nanoseconds %u",
			      c->backing_mtime_nsec);
	if (c->nr_blocks != round_up(c->backing_size, c->block_size) /
			    c->block_size)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: %llu blocks for %llu bytes",
			      (unsigned long long)c->nr_blocks,
			      (unsigned long long)c->backing_size);
	if (c->bitmap_bytes != round_up(c->nr_blocks, 8) / 8)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: bitmap of %llu bytes for %llu blocks",
			      (unsigned long long)c->bitmap_bytes,
			      (unsigned long long)c->nr_blocks);
	if (c->bitmap_offset < UBD_COW_HEADER_SIZE ||
	    c->bitmap_offset % ALIGN || c->bitmap_offset > MAX_SIZE)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: bitmap offset %llu",
			      (unsigned long long)c->bitmap_offset);
	if (c->data_offset % ALIGN || c->data_offset > MAX_SIZE ||
	    c->data_offset < c->bitmap_offset + bitmap_span(c))
		return reason(err, errlen, -EINVAL,
			      "corrupt header: data offset %llu",
			      (unsigned long long)c->data_offset);
	if (c->backing[0] != '/')
		return reason(err, errlen, -EINVAL,
			      "corrupt header: backing path is not absolute");
	return 0;
}

/* Parse and check the header in @h into @c. */
static int parse_header(struct ubd_cow *c, const uint8_t *h, char *err,
			size_t errlen)
{
	const uint8_t *end;
	uint32_t v;

	if (memcmp(h + H_MAGIC, UBD_COW_MAGIC, UBD_COW_MAGIC_LEN))
		return reason(err, errlen, -EINVAL,
			      "not a copy-on-write overlay (bad magic)");
	v = get_le(h + H_VERSION, 4);
	if (v != UBD_COW_VERSION)
		return reason(err, errlen, -EINVAL,
			      "unsupported overlay version %u (this program reads version %u)",
			      v, UBD_COW_VERSION);
	v = get_le(h + H_HEADER_SIZE, 4);
	if (v != UBD_COW_HEADER_SIZE)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: header size %u", v);
	if (get_le(h + H_CRC, 4) != crc32_le(h, H_CRC))
		return reason(err, errlen, -EINVAL,
			      "corrupt header: checksum mismatch");
	end = memchr(h + H_PATH, 0, UBD_COW_PATH_MAX);
	if (!end)
		return reason(err, errlen, -EINVAL,
			      "corrupt header: backing path not terminated");
	memcpy(c->backing, h + H_PATH, end - (h + H_PATH) + 1);
	c->block_size = get_le(h + H_BLOCK_SIZE, 4);
	c->flags = get_le(h + H_FLAGS, 4);
	c->backing_size = get_le(h + H_BACKING_SIZE, 8);
	c->backing_mtime = (int64_t)get_le(h + H_MTIME, 8);
	c->backing_mtime_nsec = get_le(h + H_MTIME_NSEC, 4);
	c->nr_blocks = get_le(h + H_NR_BLOCKS, 8);
	c->bitmap_offset = get_le(h + H_BITMAP_OFFSET, 8);
	c->bitmap_bytes = get_le(h + H_BITMAP_BYTES, 8);
	c->data_offset = get_le(h + H_DATA_OFFSET, 8);
	return check_layout(c, err, errlen);
}

int ubd_cow_load(struct ubd_cow *c, int fd, char *err, size_t errlen)
{
	struct stat st;
	uint64_t span;
	uint8_t *h;
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (fstat(fd, &st) < 0)
		return reason(err, errlen, -errno, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return reason(err, errlen, -EINVAL,
			      "not a copy-on-write overlay (not a regular file)");
	if (st.st_size < UBD_COW_HEADER_SIZE)
		return reason(err, errlen, -EINVAL,
			      "not a copy-on-write overlay (too short)");

	h = alloc_aligned(UBD_COW_HEADER_SIZE);
	if (!h)
		return reason(err, errlen, -ENOMEM, "out of memory");
	ret = pread_all(fd, h, UBD_COW_HEADER_SIZE, 0);
	if (ret)
		reason(err, errlen, ret, "reading the header: %s",
		       strerror(-ret));
	else
		ret = parse_header(c, h, err, errlen);
	free(h);
	if (ret)
		return ret;
	if ((uint64_t)st.st_size < c->data_offset)
		return reason(err, errlen, -EINVAL,
			      "truncated: %llu bytes, but its data area starts at %llu",
			      (unsigned long long)st.st_size,
			      (unsigned long long)c->data_offset);

	/* The padded bitmap, then ubd_cow_mark()'s bounce page. */
	span = bitmap_span(c);
	c->bitmap = alloc_aligned(span + ALIGN);
	if (!c->bitmap)
		return reason(err, errlen, -ENOMEM,
			      "no memory for a bitmap of %llu bytes",
			      (unsigned long long)span);
	ret = pread_all(fd, c->bitmap, span, c->bitmap_offset);
	if (ret) {
		ubd_cow_release(c);
		return reason(err, errlen, ret, "reading the bitmap: %s",
			      strerror(-ret));
	}
	/* Bits past the last block mean nothing; keep them clear. */
	memset(c->bitmap + c->bitmap_bytes, 0, span - c->bitmap_bytes);
	if (c->nr_blocks % 8)
		c->bitmap[c->bitmap_bytes - 1] &= (1 << (c->nr_blocks % 8)) - 1;
	return 0;
}

int ubd_cow_check_backing(const struct ubd_cow *c, int backing_fd, char *err,
			  size_t errlen)
{
	uint64_t size;
	int64_t mtime;
	uint32_t nsec;
	int ret;

	if (c->flags & UBD_COW_F_MERGING)
		return reason(err, errlen, -ESTALE,
			      "a merge into backing file %s was interrupted; run \"ubd-cow merge\" on the overlay to finish it",
			      c->backing);
	ret = ubd_cow_stat_backing(backing_fd, &size, &mtime, &nsec);
	if (ret == -EINVAL)
		return reason(err, errlen, ret,
			      "backing file %s is neither a regular file nor a block device",
			      c->backing);
	if (ret)
		return reason(err, errlen, ret, "backing file %s: %s",
			      c->backing, strerror(-ret));
	if (size != c->backing_size)
		return reason(err, errlen, -ESTALE,
			      "backing file %s changed: its size was %llu bytes, now %llu",
			      c->backing,
			      (unsigned long long)c->backing_size,
			      (unsigned long long)size);
	if (mtime != c->backing_mtime || nsec != c->backing_mtime_nsec)
		return reason(err, errlen, -ESTALE,
			      "backing file %s was modified since the overlay was made (mtime was %lld.%09u, now %lld.%09u)",
			      c->backing, (long long)c->backing_mtime,
			      c->backing_mtime_nsec, (long long)mtime, nsec);
	return 0;
}

int ubd_cow_test(const struct ubd_cow *c, uint64_t blk)
{
	if (blk >= c->nr_blocks)
		return 0;
	return (c->bitmap[blk / 8] >> (blk % 8)) & 1;
}

/* The bits of byte @b that fall inside blocks [first, last]. */
static uint8_t byte_mask(uint64_t b, uint64_t first, uint64_t last)
{
	unsigned int lo = b == first / 8 ? first % 8 : 0;
	unsigned int hi = b == last / 8 ? last % 8 : 7;

	return (0xff << lo) & (0xff >> (7 - hi));
}

/*
 * The first of bitmap bytes [lo, hi) that marking blocks [first, last]
 * changes, or @hi if none does.
 */
static uint64_t first_change(const struct ubd_cow *c, uint64_t lo,
			     uint64_t hi, uint64_t first, uint64_t last)
{
	for (; lo < hi; lo++) {
		uint8_t m = byte_mask(lo, first, last);

		if ((c->bitmap[lo] & m) != m)
			break;
	}
	return lo;
}

/*
 * Mark the blocks of bitmap bytes [lo, hi), which lie in one 4096-byte
 * chunk.  The chunk's new contents are made in the bounce page, the page
 * that follows the padded bitmap in the same allocation, and written from
 * there; the in-memory bitmap changes only once the write has succeeded.
 * O_DIRECT wants aligned memory, offset and length: the bounce page is
 * aligned and the bitmap starts at an aligned offset in the file.
 */
static int mark_chunk(struct ubd_cow *c, int direct, uint64_t lo,
		      uint64_t hi, uint64_t first, uint64_t last)
{
	uint64_t start = lo / ALIGN * ALIGN, b;
	uint8_t *page = c->bitmap + bitmap_span(c);
	int ret;

	memcpy(page, c->bitmap + start, ALIGN);
	for (b = lo; b < hi; b++)
		page[b - start] |= byte_mask(b, first, last);
	if (direct)
		ret = pwrite_all(c->fd, page, ALIGN, c->bitmap_offset + start);
	else
		ret = pwrite_all(c->fd, page + lo - start, hi - lo,
				 c->bitmap_offset + lo);
	if (!ret)
		memcpy(c->bitmap + lo, page + lo - start, hi - lo);
	return ret;
}

int ubd_cow_mark(struct ubd_cow *c, uint64_t first, uint64_t count)
{
	uint64_t last, lo, hi, start, end;
	int fl, ret;

	if (!count)
		return 0;
	if (first >= c->nr_blocks || count > c->nr_blocks - first)
		return -EINVAL;
	last = first + count - 1;
	lo = first / 8;
	hi = last / 8 + 1;
	lo = first_change(c, lo, hi, first, last);
	if (lo == hi)
		return 0;

	fl = fcntl(c->fd, F_GETFL);
	if (fl < 0)
		return -errno;
	for (start = lo / ALIGN * ALIGN; start < hi; start += ALIGN) {
		uint64_t b = start > lo ? start : lo;

		end = start + ALIGN < hi ? start + ALIGN : hi;
		if (first_change(c, b, end, first, last) == end)
			continue;
		ret = mark_chunk(c, fl & O_DIRECT, b, end, first, last);
		if (ret)
			return ret;
	}
	return 0;
}

void ubd_cow_release(struct ubd_cow *c)
{
	free(c->bitmap);
	c->bitmap = NULL;
}

uint64_t ubd_cow_count(const struct ubd_cow *c)
{
	uint64_t b, n = 0;

	for (b = 0; b < c->bitmap_bytes; b++)
		n += __builtin_popcount(c->bitmap[b]);
	return n;
}

int ubd_cow_next_run(const struct ubd_cow *c, uint64_t from, uint64_t *first,
		     uint64_t *count)
{
	uint64_t i = from, end = c->nr_blocks;

	/* Whole bytes of clear bits are skipped 8 blocks at a time. */
	while (i < end && !ubd_cow_test(c, i)) {
		if (i % 8 == 0 && !c->bitmap[i / 8])
			i += 8;
		else
			i++;
	}
	if (i >= end)
		return 0;
	*first = i;
	while (i < end && ubd_cow_test(c, i)) {
		if (i % 8 == 0 && c->bitmap[i / 8] == 0xff && i + 8 <= end)
			i += 8;
		else
			i++;
	}
	*count = i - *first;
	return 1;
}

int ubd_cow_clear(struct ubd_cow *c)
{
	uint64_t span = bitmap_span(c);

	memset(c->bitmap, 0, span);
	/* A padded, aligned region: fine for O_DIRECT as it is. */
	return pwrite_all(c->fd, c->bitmap, span, c->bitmap_offset);
}

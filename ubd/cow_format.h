/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The copy-on-write overlay format (host side): a header, a bitmap with one
 * bit per 512-byte block of the backing file, and a data area where a block
 * whose bit is set lives at the same relative place as in the backing file.
 * Documentation/cow-format.rst describes the layout and the rules that keep
 * an overlay consistent whenever its user is killed.
 *
 * None of these functions is thread-safe: calls that change an overlay
 * (ubd_cow_mark(), ubd_cow_clear(), ubd_cow_store_header()) must be
 * serialised by the caller, and ubd_cow_test() may miss a bit being set
 * meanwhile.  They keep their large buffers on the heap, so they may run on
 * a small stack; ubd_cow_test() and ubd_cow_mark() allocate nothing.
 */
#ifndef _UBD_COW_FORMAT_H
#define _UBD_COW_FORMAT_H

#include <stdint.h>
#include <stddef.h>

/* The only block size this version writes and reads. */
#define UBD_COW_BLOCK_SIZE 512

/* The first 8 bytes of every overlay. */
#define UBD_COW_MAGIC		"\x7fUBDCOW\n"
#define UBD_COW_MAGIC_LEN	8
#define UBD_COW_VERSION		1
/* The header's size; also the alignment of the bitmap and the data area. */
#define UBD_COW_HEADER_SIZE	4096
/* The longest backing path the header holds, with its NUL. */
#define UBD_COW_PATH_MAX	3584
/* ubd_cow_create() puts the data area on a boundary of this many bytes. */
#define UBD_COW_DATA_ALIGN	(1024 * 1024)

/* Header flags. */
#define UBD_COW_F_MERGING	0x1	/* a merge into the backing file began */

/* An overlay, as ubd_cow_load() reads it. */
struct ubd_cow {
	int fd;			/* the overlay, as passed to ubd_cow_load() */
	char backing[4096];	/* the backing file's path as stored */
	uint64_t backing_size;	/* bytes, at creation time */
	int64_t backing_mtime;	/* seconds, at creation time */
	uint32_t backing_mtime_nsec;
	uint32_t block_size;	/* bytes per bitmap bit */
	uint64_t nr_blocks;	/* backing_size / block_size, rounded up */
	uint64_t bitmap_offset;	/* byte offset of the bitmap in the overlay */
	uint64_t bitmap_bytes;	/* its length in bytes */
	/*
	 * Byte offset of block 0's data; a multiple of 4096; block i is at
	 * data_offset + i * block_size.
	 */
	uint64_t data_offset;
	/*
	 * In-memory copy: bit i of byte i/8 (LSB first) set = block i is in
	 * the overlay.  4096-aligned, padded with zeroes to a multiple of
	 * 4096, and followed by a 4096-byte bounce page for ubd_cow_mark().
	 */
	uint8_t *bitmap;
	uint32_t flags;		/* UBD_COW_F_* as stored in the header */
};

/**
 * ubd_cow_create() - create a new, empty overlay at @overlay for @backing.
 * @overlay: path of the overlay to create; it must not exist.
 * @backing: path of the backing file (a regular file or a block device).
 * @err: where a one-line reason for a failure goes.
 * @errlen: size of @err in bytes.
 *
 * Writes the header and sizes the file; the bitmap reads as zeroes and the
 * data area is a hole.  The backing path is stored as given if absolute,
 * else made absolute with realpath().  The backing file is refused if it is
 * missing, empty, itself an overlay, or write-locked by another process (a
 * guest using it read-write).  The new overlay is synced to disk.
 *
 * It opens and closes the backing file: a process holding classic fcntl()
 * locks on that file loses them (POSIX drops them on any close), so take
 * or retake locks after creating overlays.
 *
 * Return: 0, or a negative errno (-EEXIST if @overlay exists, -ENAMETOOLONG
 * if the backing path does not fit, -EINVAL for an unusable backing file,
 * -EBUSY if the backing file is locked); on failure no file is left behind.
 */
int ubd_cow_create(const char *overlay, const char *backing, char *err,
		   size_t errlen);

/**
 * ubd_cow_is_overlay() - does the file open at @fd start with the magic?
 * @fd: any open file; it may be O_DIRECT.
 *
 * Return: 1 yes, 0 no (also for a file shorter than the magic), or a
 * negative errno if it cannot be read.
 */
int ubd_cow_is_overlay(int fd);

/**
 * ubd_cow_load() - read and check the header and bitmap of an overlay.
 * @c: filled in; its bitmap is allocated (free it with ubd_cow_release()).
 * @fd: the overlay, open for reading (for writing too if it is to be
 *      marked); it may be O_DIRECT.  It is kept in @c->fd, not duplicated.
 * @err: where a one-line reason for a failure goes.
 * @errlen: size of @err in bytes.
 *
 * Checks the magic, version, header size, checksum, block size, flags, that
 * the block count, bitmap length and offsets agree with each other and with
 * the backing size, that the file holds the bitmap, and that the stored
 * path is absolute.  Bits past the last block are ignored.  An overlay whose
 * merge was interrupted loads (ubd_cow_check_backing() refuses it).
 *
 * Return: 0, or a negative errno: -EINVAL for a file that is not an overlay
 * or whose header is corrupt or unsupported, -ENOMEM, or the read's error.
 * On failure @c->bitmap is NULL.
 */
int ubd_cow_load(struct ubd_cow *c, int fd, char *err, size_t errlen);

/**
 * ubd_cow_check_backing() - is the backing file still the one the overlay
 * was made over?
 * @c: a loaded overlay.
 * @backing_fd: the backing file, open in any mode.
 * @err: where a one-line reason for a failure goes.
 * @errlen: size of @err in bytes.
 *
 * Compares the backing file's size and modification time (seconds and
 * nanoseconds) with those in the header.
 *
 * Return: 0 if both match; -ESTALE if either differs, or if a merge into
 * the backing file was interrupted, with a reason naming what changed;
 * another negative errno if the backing file cannot be examined.
 */
int ubd_cow_check_backing(const struct ubd_cow *c, int backing_fd, char *err,
			  size_t errlen);

/**
 * ubd_cow_test() - is block @blk in the overlay?
 * @c: a loaded overlay.
 * @blk: block number; blocks past the end are never in the overlay.
 *
 * Return: 1 if the block's data is in the overlay, 0 if it is read from
 * the backing file.
 */
int ubd_cow_test(const struct ubd_cow *c, uint64_t blk);

/**
 * ubd_cow_mark() - record that blocks [@first, @first + @count) are in the
 * overlay.
 * @c: a loaded overlay whose fd is open for writing.
 * @first: first block.
 * @count: number of blocks; 0 does nothing.
 *
 * Call it only once the data of those blocks has been written to the
 * overlay (data before bitmap).  Writes the bitmap bytes that change to
 * @c->fd, one 4096-byte chunk of the bitmap (16 MiB of data) at a time,
 * from an aligned bounce page and rounded out to the whole chunk if the fd
 * is O_DIRECT (fcntl(F_GETFL) tells), and sets the bits in memory once
 * their write succeeded.  Makes no system call if every bit was already
 * set.  Allocates nothing and calls only fcntl() and pwrite(), so it may
 * run in a signal handler (which must then save errno).  Does not sync: a
 * flush of the overlay (fdatasync) makes the new bits durable along with
 * the data.
 *
 * Return: 0, -EINVAL if the range goes past the last block, or the write's
 * negative errno.  On failure the blocks whose bits could not be written
 * are not marked in memory (they still read from the backing file); those
 * of chunks written before the failure are marked, which is as consistent,
 * their data having been written.
 */
int ubd_cow_mark(struct ubd_cow *c, uint64_t first, uint64_t count);

/**
 * ubd_cow_release() - free the in-memory bitmap of @c.
 * @c: a loaded overlay, or one whose load failed.
 *
 * Does not close @c->fd.
 */
void ubd_cow_release(struct ubd_cow *c);

/**
 * ubd_cow_count() - how many blocks are in the overlay?
 * @c: a loaded overlay.
 *
 * Return: the number of set bits.
 */
uint64_t ubd_cow_count(const struct ubd_cow *c);

/**
 * ubd_cow_next_run() - find the next run of blocks that are in the overlay.
 * @c: a loaded overlay.
 * @from: the block to start looking at.
 * @first: set to the run's first block.
 * @count: set to its number of blocks.
 *
 * Return: 1 if a run was found, 0 if no block at or after @from is in the
 * overlay.
 */
int ubd_cow_next_run(const struct ubd_cow *c, uint64_t from, uint64_t *first,
		     uint64_t *count);

/**
 * ubd_cow_clear() - take every block out of the overlay.
 * @c: a loaded overlay whose fd is open for writing.
 *
 * Clears the bitmap in memory and writes it out whole.  Does not sync and
 * does not free the data area.
 *
 * Return: 0 or the write's negative errno.
 */
int ubd_cow_clear(struct ubd_cow *c);

/**
 * ubd_cow_store_header() - write the header of @c, with a fresh checksum.
 * @c: a loaded overlay whose fd is open for writing; the stored fields
 *     (backing path, size and time, flags, layout) are taken from it.
 *
 * Does not sync.
 *
 * Return: 0, -ENAMETOOLONG if the backing path does not fit, -ENOMEM, or
 * the write's negative errno.
 */
int ubd_cow_store_header(const struct ubd_cow *c);

/**
 * ubd_cow_stat_backing() - the size and modification time of a backing file.
 * @fd: the backing file (a regular file or a block device).
 * @size: set to its size in bytes.
 * @mtime: set to its modification time, seconds.
 * @mtime_nsec: set to the nanoseconds of that time.
 *
 * Return: 0, -EINVAL if it is neither a regular file nor a block device, or
 * another negative errno.
 */
int ubd_cow_stat_backing(int fd, uint64_t *size, int64_t *mtime,
			 uint32_t *mtime_nsec);

/**
 * ubd_cow_lock() - take an fcntl() record lock on all of the file at @fd.
 * @fd: the file; open for reading for F_RDLCK, for writing for F_WRLCK.
 * @type: F_RDLCK (guests take it on backing files) or F_WRLCK (guests
 *        take it on the overlays and plain images they use; merging takes
 *        it on both files).
 * @holder: set to the pid of a process that holds a conflicting lock, or to
 *          0 if it is not known.
 *
 * Classic (process-owned) locks, so that F_GETLK can name the holder: they
 * go away when the process closes any descriptor of the file.
 *
 * Return: 0, -EAGAIN if another process holds a conflicting lock, or
 * another negative errno.
 */
int ubd_cow_lock(int fd, int type, int *holder);

/**
 * ubd_cow_io_all() - pread() (or pwrite() if @write) all @len bytes at @off.
 *
 * Returns 0, -EIO at end of file, or -errno.
 */
int ubd_cow_io_all(int fd, void *buf, size_t len, uint64_t off, int write);

#endif /* _UBD_COW_FORMAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole reads and writes of host files (host side only: host-helpers, the
 * host halves of drivers and the tools that share their code).
 */
#ifndef _HOST_IO_H
#define _HOST_IO_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/**
 * host_io_all() - read or write all @len bytes at @fd.
 * @off: the file offset (pread/pwrite), or -1 for the file position.
 * @write_it: write @buf rather than read into it.
 *
 * Goes on after a signal and after a short count.  Returns 0, or a
 * negative errno (-EIO at an early end of file).
 */
static inline int host_io_all(int fd, void *buf, size_t len, long long off,
			      int write_it)
{
	char *p = buf;

	while (len) {
		ssize_t n;

		if (off < 0)
			n = write_it ? write(fd, p, len) : read(fd, p, len);
		else
			n = write_it ? pwrite(fd, p, len, off) :
				       pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

#endif /* _HOST_IO_H */

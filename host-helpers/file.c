// SPDX-License-Identifier: GPL-2.0
/* Whole reads and writes of host files, and reading files into guest memory. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <host/boot.h>
#include "internal.h"

int host_io_all(int fd, void *buf, unsigned long len, bool write_it)
{
	char *p = buf;

	while (len) {
		ssize_t n = write_it ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

int host_read_file(const char *path, void *buf, unsigned long size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = host_io_all(fd, buf, size, false);
	close(fd);
	return err;
}

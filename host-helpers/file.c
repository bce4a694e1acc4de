// SPDX-License-Identifier: GPL-2.0
/* Reading host files into guest memory at boot. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <host/boot.h>
#include <host/io.h>

int host_read_file(const char *path, void *buf, unsigned long size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = host_io_all(fd, buf, size, -1, 0);
	close(fd);
	return err;
}

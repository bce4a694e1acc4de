// SPDX-License-Identifier: GPL-2.0
/* Reading host files into guest memory at boot. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <host/boot.h>

int host_read_file(const char *path, void *buf, unsigned long size)
{
	char *p = buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	while (size) {
		ssize_t n = read(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		p += n;
		size -= n;
	}
	close(fd);
	return err;
}

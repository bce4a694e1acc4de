// SPDX-License-Identifier: GPL-2.0
/* Console output to the host's standard output. */
#include <errno.h>
#include <unistd.h>
#include <host/console.h>

int host_console_write(const char *buf, unsigned int len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

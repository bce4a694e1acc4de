// SPDX-License-Identifier: GPL-2.0
/* Console output to the host's standard output. */
#include <unistd.h>
#include <host/console.h>
#include <host/io.h>
#include "internal.h"

int host_console_write(const char *buf, unsigned int len)
{
	return host_io_all(STDOUT_FILENO, (char *)buf, len, -1, 1);
}

int host_console_write_log(const char *buf, unsigned int len)
{
	unsigned int start = 0, i;
	int err;

	if (!host_terminal_is_raw())
		return host_console_write(buf, len);
	/* A raw terminal does not turn "\n" into "\r\n" itself. */
	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		err = host_console_write(buf + start, i - start);
		if (!err)
			err = host_console_write("\r\n", 2);
		if (err)
			return err;
		start = i + 1;
	}
	return host_console_write(buf + start, len - start);
}

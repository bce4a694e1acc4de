// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel console writes to the host's standard output.  It is named
 * "tty" so that console=tty (which kunit.py passes) selects it.
 */
#include <linux/console.h>
#include <linux/init.h>
#include <host/console.h>
#include "um.h"

static void um_console_write(struct console *con, const char *s,
			     unsigned int n)
{
	host_console_write(s, n);
}

static struct console um_console = {
	.name	= "tty",
	.write	= um_console_write,
	.flags	= CON_PRINTBUFFER | CON_ANYTIME,
	.index	= -1,
};

void __init um_console_init(void)
{
	register_console(&um_console);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Leaving the program.  Guest memory is an unnamed file and goes with the
 * process; what else the guest holds on the host is released here.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <host/boot.h>
#include <host/driver.h>
#include "internal.h"

static char **saved_argv;
int host_exit_status = -1;

void host_save_args(int argc, char **argv)
{
	saved_argv = argv;
}

/* Each driver releases what the guest held through it. */
static void drivers_exit(void)
{
	const struct host_driver *const *drv;

	host_for_each_driver(drv)
		if ((*drv)->exit)
			(*drv)->exit();
}

void host_exit(int status)
{
	host_exit_status = status;
	drivers_exit();
	host_terminal_restore();
	_exit(status);
}

void host_restart(void)
{
	host_exit_status = -1;
	drivers_exit();
	host_terminal_restore();
	execv("/proc/self/exe", saved_argv);
	/* Cannot start again: end as a halt would. */
	_exit(0);
}

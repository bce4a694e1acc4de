// SPDX-License-Identifier: GPL-2.0
/*
 * From the host's main() to start_kernel(): take what the host side
 * prepared, leave the host's stack for init_task's and start the kernel.
 */
#include <linux/init.h>
#include <linux/init_task.h>
#include <linux/sched/task.h>
#include <linux/start_kernel.h>
#include <linux/string.h>
#include <asm/setup.h>
#include <host/boot.h>
#include "um.h"

struct task_struct *um_current_task = &init_task;

struct host_boot_info um_boot_info __ro_after_init;

static void __init um_start_on_init_stack(void)
{
	start_kernel();
}

void __ref um_boot(const struct host_boot_info *info)
{
	um_boot_info = *info;
	strscpy(boot_command_line, info->cmdline, COMMAND_LINE_SIZE);
	um_call_on_stack(um_start_on_init_stack,
			 (unsigned long)init_stack + THREAD_SIZE);
}

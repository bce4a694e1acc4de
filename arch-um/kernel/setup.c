// SPDX-License-Identifier: GPL-2.0
/* setup_arch(): memory, the boot console, and what the host told us. */
#include <linux/init.h>
#include <linux/initrd.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/seq_file.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/utsname.h>
#include <asm/setup.h>
#include "um.h"

static char um_command_line[COMMAND_LINE_SIZE] __initdata;

/* The host side checked initrd=FILE; read it into guest memory. */
static void __init um_initrd_setup(void)
{
	unsigned long size = um_boot_info.initrd_size;
	void *buf;
	int err;

	if (!IS_ENABLED(CONFIG_BLK_DEV_INITRD) || !um_boot_info.initrd)
		return;
	buf = memblock_alloc(size, PAGE_SIZE);
	if (!buf)
		panic("initrd=%s: no room for %lu bytes", um_boot_info.initrd,
		      size);
	err = host_read_file(um_boot_info.initrd, buf, size);
	if (err)
		panic("initrd=%s: cannot read it: %d", um_boot_info.initrd, err);
	initrd_start = (unsigned long)buf;
	initrd_end = initrd_start + size;
	pr_info("initrd: %s, %lu bytes\n", um_boot_info.initrd, size);
}

void __init setup_arch(char **cmdline_p)
{
	um_console_init();
	strscpy(um_command_line, boot_command_line, COMMAND_LINE_SIZE);
	*cmdline_p = um_command_line;
	parse_early_param();
	um_mem_setup();
	um_stub_setup();
	um_vdso_setup();
	um_initrd_setup();
	um_power_init();
}

/*
 * mem= is checked and applied by the host side before the kernel starts;
 * claim it here so that it does not end up in init's environment.
 */
static int __init um_mem_param(char *arg)
{
	return 0;
}
early_param("mem", um_mem_param);

/* /proc/cpuinfo: one CPU, the host's. */
static int cpuinfo_show(struct seq_file *m, void *v)
{
	seq_puts(m, "processor\t: 0\n");
	seq_puts(m, "vendor_id\t: host-process\n");
	seq_printf(m, "model name\t: %s\n", init_utsname()->machine);
	seq_printf(m, "bogomips\t: %lu.%02lu\n\n",
		   loops_per_jiffy / (500000 / HZ),
		   (loops_per_jiffy / (5000 / HZ)) % 100);
	return 0;
}

static void *cpuinfo_start(struct seq_file *m, loff_t *pos)
{
	return *pos == 0 ? (void *)1 : NULL;
}

static void *cpuinfo_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void cpuinfo_stop(struct seq_file *m, void *v)
{
}

const struct seq_operations cpuinfo_op = {
	.start	= cpuinfo_start,
	.next	= cpuinfo_next,
	.stop	= cpuinfo_stop,
	.show	= cpuinfo_show,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * The console: kernel messages and the tty behind /dev/console both write
 * to the host's standard output.  The console is named "tty" so that
 * console=tty (which kunit.py passes) selects it.
 *
 * Input: the host side puts a terminal in raw mode and raises the console
 * interrupt when there is something to read; the interrupt pushes it into
 * the tty, whose line discipline does the editing, echo and signal keys.
 */
#include <linux/console.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <host/console.h>
#include <host/irq.h>
#include "um.h"

static struct tty_driver *um_tty_driver;
static struct tty_port um_tty_port;

static void um_console_write(struct console *con, const char *s,
			     unsigned int n)
{
	host_console_write_log(s, n);
}

static struct tty_driver *um_console_device(struct console *con, int *index)
{
	*index = 0;
	return um_tty_driver;
}

static struct console um_console = {
	.name	= "tty",
	.write	= um_console_write,
	.device	= um_console_device,
	.flags	= CON_PRINTBUFFER | CON_ANYTIME,
	.index	= -1,
};

void __init um_console_init(void)
{
	register_console(&um_console);
}

static int um_tty_open(struct tty_struct *tty, struct file *filp)
{
	struct winsize ws = { 0 };

	if (host_console_size(&ws.ws_row, &ws.ws_col) == 0)
		tty_do_resize(tty, &ws);
	return tty_port_open(&um_tty_port, tty, filp);
}

static void um_tty_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(&um_tty_port, tty, filp);
}

static ssize_t um_tty_write(struct tty_struct *tty, const u8 *buf,
			    size_t count)
{
	return host_console_write((const char *)buf, count) ? -EIO : count;
}

static unsigned int um_tty_write_room(struct tty_struct *tty)
{
	return PAGE_SIZE;
}

static const struct tty_operations um_tty_ops = {
	.open		= um_tty_open,
	.close		= um_tty_close,
	.write		= um_tty_write,
	.write_room	= um_tty_write_room,
};

static const struct tty_port_operations um_tty_port_ops = {
};

static irqreturn_t um_console_interrupt(int irq, void *dev_id)
{
	char buf[256];
	int n;

	while ((n = host_console_read(buf, sizeof(buf))) > 0) {
		tty_insert_flip_string(&um_tty_port, buf, n);
		if (n < sizeof(buf))
			break;
	}
	tty_flip_buffer_push(&um_tty_port);
	if (n >= 0)
		host_console_input_done();
	return IRQ_HANDLED;
}

static int __init um_tty_init(void)
{
	struct tty_driver *driver;
	int err;

	driver = tty_alloc_driver(1, TTY_DRIVER_REAL_RAW);
	if (IS_ERR(driver))
		return PTR_ERR(driver);
	driver->driver_name = "host-console";
	driver->name = "ttyH";
	driver->major = 0;	/* dynamic */
	driver->type = TTY_DRIVER_TYPE_SYSTEM;
	driver->subtype = SYSTEM_TYPE_CONSOLE;
	driver->init_termios = tty_std_termios;
	tty_set_operations(driver, &um_tty_ops);

	tty_port_init(&um_tty_port);
	um_tty_port.ops = &um_tty_port_ops;
	tty_port_link_device(&um_tty_port, driver, 0);

	err = tty_register_driver(driver);
	if (err) {
		tty_driver_kref_put(driver);
		tty_port_destroy(&um_tty_port);
		return err;
	}
	um_tty_driver = driver;

	err = request_irq(HOST_IRQ_CONSOLE, um_console_interrupt, 0,
			  "console", NULL);
	if (!err)
		err = host_console_start_input();
	if (err)
		pr_warn("console: no input from the host: %d\n", err);
	return 0;
}
device_initcall(um_tty_init);

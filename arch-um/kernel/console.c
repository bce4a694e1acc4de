// SPDX-License-Identifier: GPL-2.0
/*
 * The console: kernel messages and the tty behind /dev/console both write
 * to the host's standard output.  The console is named "tty" so that
 * console=tty (which kunit.py passes) selects it.
 *
 * Input: the host side puts a terminal in raw mode and raises the console
 * interrupt when there is something to read; the interrupt pushes it into
 * the tty, whose line discipline does the editing, echo and signal keys.
 * Input is taken from the host only while the tty is open and its line
 * discipline has room (not throttled): until then it waits in the host's
 * pipe or terminal, so nothing typed or piped ahead of the guest's first
 * reader is lost.  The end of a piped or redirected standard input comes
 * as one end-of-file character (VEOF, Ctrl-D), as if typed: a shell at its
 * prompt exits.
 */
#include <linux/console.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/workqueue.h>
#include <host/console.h>
#include <host/irq.h>
#include "um.h"

static struct tty_driver *um_tty_driver;
static struct tty_port um_tty_port;

/* Open by someone, and its line discipline takes more input. */
static bool um_tty_open_now, um_tty_throttled;

/* Have the host side look for input again (it waits for this). */
static void um_tty_want_input(void)
{
	host_console_input_done();
}

static void um_tty_retry(struct work_struct *work)
{
	um_tty_want_input();
}

/* The tty's buffers were full: look again a little later. */
static DECLARE_DELAYED_WORK(um_tty_retry_work, um_tty_retry);

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

static void um_tty_throttle(struct tty_struct *tty)
{
	WRITE_ONCE(um_tty_throttled, true);
}

static void um_tty_unthrottle(struct tty_struct *tty)
{
	WRITE_ONCE(um_tty_throttled, false);
	um_tty_want_input();
}

static const struct tty_operations um_tty_ops = {
	.open		= um_tty_open,
	.close		= um_tty_close,
	.write		= um_tty_write,
	.write_room	= um_tty_write_room,
	.throttle	= um_tty_throttle,
	.unthrottle	= um_tty_unthrottle,
};

/* First open and last close of the tty. */
static int um_tty_activate(struct tty_port *port, struct tty_struct *tty)
{
	WRITE_ONCE(um_tty_open_now, true);
	um_tty_want_input();
	return 0;
}

static void um_tty_shutdown(struct tty_port *port)
{
	WRITE_ONCE(um_tty_open_now, false);
}

static const struct tty_port_operations um_tty_port_ops = {
	.activate	= um_tty_activate,
	.shutdown	= um_tty_shutdown,
};

/*
 * The end of input, once, as the character that means it to the tty.  It
 * must reach the reader in the mode the reader reads in: a shell switches
 * the tty between line mode (where VEOF ends a read) and raw mode (where
 * it is a key like any other) around each line it reads, so the character
 * is pushed only once someone waits to read and all input before it has
 * been taken.  Until then this looks again, every 50 ms at first, then
 * less and less often, down to once a second: a guest whose console
 * nobody reads does not wake for it more than that.
 */
static bool um_tty_input_ended;
static unsigned long um_tty_eof_wait;

static void um_tty_eof(struct work_struct *work);
static DECLARE_DELAYED_WORK(um_tty_eof_work, um_tty_eof);

static void um_tty_eof(struct work_struct *work)
{
	struct tty_struct *tty = tty_port_tty_get(&um_tty_port);
	bool waiting = false;

	if (tty && READ_ONCE(um_tty_open_now))
		/* A hint, taken again later if a reader comes just after. */
		waiting = waitqueue_active(&tty->read_wait);

	if (waiting) {
		tty_insert_flip_char(&um_tty_port, tty->termios.c_cc[VEOF],
				     TTY_NORMAL);
		tty_flip_buffer_push(&um_tty_port);
	} else {
		um_tty_eof_wait = min(2 * um_tty_eof_wait, (unsigned long)HZ);
		schedule_delayed_work(&um_tty_eof_work, um_tty_eof_wait);
	}
	tty_kref_put(tty);
}

static void um_tty_push_eof(void)
{
	if (um_tty_input_ended)
		return;
	um_tty_input_ended = true;
	um_tty_eof_wait = HZ / 20;
	schedule_delayed_work(&um_tty_eof_work, um_tty_eof_wait);
}

/*
 * Input is waiting.  Not taken while nobody has the tty open or while its
 * line discipline is full: the host side then waits for um_tty_activate()
 * or um_tty_unthrottle() to ask again.  Each round takes no more than the
 * tty's buffers have room for.
 */
static irqreturn_t um_console_interrupt(int irq, void *dev_id)
{
	char buf[256];
	unsigned int room;
	int n = 0;

	if (!READ_ONCE(um_tty_open_now) || READ_ONCE(um_tty_throttled))
		return IRQ_HANDLED;
	room = tty_buffer_space_avail(&um_tty_port);
	if (!room) {
		schedule_delayed_work(&um_tty_retry_work, HZ / 50);
		return IRQ_HANDLED;
	}
	n = host_console_read(buf, min_t(unsigned int, room, sizeof(buf)));
	if (n > 0)
		tty_insert_flip_string(&um_tty_port, buf, n);
	else if (n < 0)
		um_tty_push_eof();
	tty_flip_buffer_push(&um_tty_port);
	if (n >= 0)
		um_tty_want_input();
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

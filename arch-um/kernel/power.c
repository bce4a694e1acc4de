// SPDX-License-Identifier: GPL-2.0
/*
 * How the guest ends: power-off and halt end the host program with status
 * 0, a panic with status 1, a reboot starts the program afresh.  SIGTERM,
 * SIGINT and SIGHUP from the host ask for an orderly power-off, like a
 * power button, and force one if user space has not done it in time.
 */
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/pm.h>
#include <linux/reboot.h>
#include <linux/signal.h>
#include <linux/syscalls.h>
#include <linux/workqueue.h>
#include <host/boot.h>
#include <host/irq.h>
#include <asm/irq.h>
#include "um.h"

#define UM_EXIT_PANIC	1

void machine_halt(void)
{
	host_exit(0);
}

void machine_power_off(void)
{
	host_exit(0);
}

void machine_restart(char *cmd)
{
	host_restart();
}

/* panic() calls this once its report is out: the end of the guest. */
static long um_panic_exit(int state)
{
	host_exit(UM_EXIT_PANIC);
}

/*
 * User space gets this long to power off after a host signal asked for
 * it; an init that ignores the request (a script as PID 1, say) then gets
 * a forced power-off, with the file systems synced first.  The host side
 * ends the program for good later still (host-helpers/irq.c).
 */
#define UM_POWEROFF_GRACE_SECS	10

static void um_force_poweroff(struct work_struct *work)
{
	pr_warn("user space did not power off within %d s: forcing it\n",
		UM_POWEROFF_GRACE_SECS);
	ksys_sync();
	kernel_power_off();
}

static DECLARE_DELAYED_WORK(um_force_poweroff_work, um_force_poweroff);

static irqreturn_t um_ctrl_interrupt(int irq, void *dev)
{
	int sig = host_ctrl_request();

	if (sig) {
		pr_notice("host signal %d: powering off\n", sig);
		orderly_poweroff(true);
		schedule_delayed_work(&um_force_poweroff_work,
				      UM_POWEROFF_GRACE_SECS * HZ);
	}
	return IRQ_HANDLED;
}

void __init um_power_init(void)
{
	/* The guest can always be powered off: say so to kernel_power_off(). */
	pm_power_off = machine_power_off;
	panic_blink = um_panic_exit;
}

static int __init um_ctrl_irq_init(void)
{
	return request_irq(CTRL_IRQ, um_ctrl_interrupt, 0, "host-ctrl", NULL);
}
arch_initcall(um_ctrl_irq_init);

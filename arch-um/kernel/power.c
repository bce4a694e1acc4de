// SPDX-License-Identifier: GPL-2.0
/*
 * How the guest ends: power-off and halt end the host program with status
 * 0, a panic with status 1, a reboot starts the program afresh.  SIGTERM,
 * SIGINT and SIGHUP from the host ask for an orderly power-off, like a
 * power button.
 */
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/pm.h>
#include <linux/reboot.h>
#include <linux/signal.h>
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

static irqreturn_t um_ctrl_interrupt(int irq, void *dev)
{
	int sig = host_ctrl_request();

	if (sig) {
		pr_notice("host signal %d: powering off\n", sig);
		orderly_poweroff(true);
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

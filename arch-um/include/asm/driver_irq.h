/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupts for drivers.  A driver's host half raises its interrupt by
 * writing an eventfd that host_irq_eventfd() made for the number its
 * kernel half got here; nothing in the core knows which drivers exist.
 */
#ifndef _ASM_UM_DRIVER_IRQ_H
#define _ASM_UM_DRIVER_IRQ_H

#include <linux/interrupt.h>

/**
 * um_request_driver_irq() - take a free interrupt number and request it.
 * @handler: called in interrupt context when the host half raises it.
 * @name: shown in /proc/interrupts.
 * @dev: passed to @handler.
 *
 * Returns the number, for the driver's host half, or a negative errno
 * (-ENOSPC when every number is taken).
 */
int um_request_driver_irq(irq_handler_t handler, const char *name,
			  void *dev);

#endif /* _ASM_UM_DRIVER_IRQ_H */

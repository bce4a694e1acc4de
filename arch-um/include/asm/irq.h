/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_IRQ_H
#define _ASM_UM_IRQ_H

#include <host/irq.h>

/* Linux interrupt numbers are the host sources of host/irq.h. */
#define TIMER_IRQ	HOST_IRQ_TIMER
#define CTRL_IRQ	HOST_IRQ_CTRL
#define CONSOLE_IRQ	HOST_IRQ_CONSOLE
#define NR_IRQS		HOST_NR_IRQS

#include <asm-generic/irq.h>

#endif /* _ASM_UM_IRQ_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt masking is a flag in memory (see host/irq.h): turning
 * interrupts off costs one store, turning them on replays whatever
 * arrived in between.
 */
#ifndef _ASM_UM_IRQFLAGS_H
#define _ASM_UM_IRQFLAGS_H

#include <host/irq.h>

#define ARCH_IRQ_DISABLED	0
#define ARCH_IRQ_ENABLED	1

static __always_inline unsigned long arch_local_save_flags(void)
{
	return host_irqs_on;
}
#define arch_local_save_flags arch_local_save_flags

static __always_inline void arch_local_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("" ::: "memory");
	host_irqs_on = flags;
	__asm__ __volatile__("" ::: "memory");
	if (flags && host_irqs_pending)
		host_irqs_replay();
}
#define arch_local_irq_restore arch_local_irq_restore

static __always_inline void arch_local_irq_enable(void)
{
	arch_local_irq_restore(ARCH_IRQ_ENABLED);
}
#define arch_local_irq_enable arch_local_irq_enable

static __always_inline void arch_local_irq_disable(void)
{
	host_irqs_on = ARCH_IRQ_DISABLED;
	__asm__ __volatile__("" ::: "memory");
}
#define arch_local_irq_disable arch_local_irq_disable

static __always_inline int arch_irqs_disabled_flags(unsigned long flags)
{
	return flags == ARCH_IRQ_DISABLED;
}
#define arch_irqs_disabled_flags arch_irqs_disabled_flags

#include <asm-generic/irqflags.h>

#endif /* _ASM_UM_IRQFLAGS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts: each host source (host/irq.h) is one Linux interrupt with a
 * trivial chip; the host side calls um_irq_entry() with the sources that
 * fired, with the kernel's interrupt flag off.
 */
#include <linux/cpu.h>
#include <linux/bitmap.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqflags.h>
#include <linux/mutex.h>
#include <linux/hardirq.h>
#include <linux/sched.h>
#include <asm/irq_regs.h>
#include <asm/driver_irq.h>
#include <host/irq.h>
#include "um.h"

void um_irq_entry(unsigned long pending)
{
	/* Only whether guest code was running is known here. */
	struct pt_regs regs = { .from_user = um_user_running() };
	struct pt_regs *old = set_irq_regs(&regs);

	/*
	 * The host side turned interrupts off (host_irqs_on) before calling;
	 * tell lockdep, which otherwise only sees local_irq_*().  Interrupts
	 * were on, as lockdep saw them, where this one came in: a handler
	 * runs only then, or from local_irq_enable() and local_irq_restore(),
	 * which have said so before turning them on.
	 */
	trace_hardirqs_off();
	irq_enter();
	while (pending) {
		unsigned int irq = __ffs(pending);

		pending &= ~(1UL << irq);
		generic_handle_irq(irq);
	}
	irq_exit();
	set_irq_regs(old);
	um_user_kick_if_needed();
	trace_hardirqs_on();
}

void __init init_IRQ(void)
{
	int irq, err;

	for (irq = 0; irq < NR_IRQS; irq++)
		irq_set_chip_and_handler(irq, &dummy_irq_chip,
					 handle_simple_irq);

	err = host_irqs_init();
	if (err)
		panic("cannot install host signal handlers: %d", err);
}

/* The driver interrupts handed out so far: bits from HOST_IRQ_FIRST_DRIVER. */
static DECLARE_BITMAP(driver_irqs, NR_IRQS);
static DEFINE_MUTEX(driver_irqs_lock);

int um_request_driver_irq(irq_handler_t handler, const char *name,
			  void *dev)
{
	unsigned int irq;
	int err;

	mutex_lock(&driver_irqs_lock);
	irq = find_next_zero_bit(driver_irqs, NR_IRQS, HOST_IRQ_FIRST_DRIVER);
	if (irq < NR_IRQS)
		__set_bit(irq, driver_irqs);
	mutex_unlock(&driver_irqs_lock);
	if (irq >= NR_IRQS)
		return -ENOSPC;

	err = request_irq(irq, handler, 0, name, dev);
	if (err) {
		mutex_lock(&driver_irqs_lock);
		__clear_bit(irq, driver_irqs);
		mutex_unlock(&driver_irqs_lock);
		return err;
	}
	return irq;
}

/*
 * Sleep in the host until something fires; the caller is idle.  Called
 * with interrupts off and returns with them off, having run whatever
 * woke it.
 */
void arch_cpu_idle(void)
{
	host_idle_wait();
	local_irq_enable();
	local_irq_disable();
}

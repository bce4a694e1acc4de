/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupts are host signals.  The kernel masks them with a flag in
 * memory instead of a sigprocmask() call: a signal that arrives while the
 * flag is off only records its source in host_irqs_pending, and the kernel
 * replays recorded sources when it turns the flag back on.
 *
 * Plain C types only: this header is included from both worlds.
 */
#ifndef _HOST_IRQ_H
#define _HOST_IRQ_H

/*
 * Interrupt sources; each is one bit of host_irqs_pending.  The core's
 * own have fixed numbers.  A driver's are handed out at run time by the
 * kernel (um_request_driver_irq() in asm/driver_irq.h) from
 * HOST_IRQ_FIRST_DRIVER up, and its kernel half tells its host half the
 * number; so the core names no driver.
 */
enum host_irq {
	HOST_IRQ_TIMER = 0,	/* the clock-event timer expired */
	HOST_IRQ_CTRL = 1,	/* a host request: SIGTERM, SIGINT, SIGHUP */
	HOST_IRQ_CONSOLE = 2,	/* console input is readable */
	HOST_IRQ_CHILD = 3,	/* a child process ended (SIGCHLD) */
	HOST_IRQ_FIRST_DRIVER = 4,
	HOST_NR_IRQS = 16
};

/* Non-zero while the kernel accepts interrupts. */
extern volatile int host_irqs_on;
/* Sources that fired while host_irqs_on was zero. */
extern volatile unsigned long host_irqs_pending;

/**
 * host_irqs_replay() - deliver the recorded sources now.
 *
 * Called by the kernel when it turns interrupts back on and finds
 * host_irqs_pending non-zero.  Runs um_irq_entry() with interrupts off.
 */
void host_irqs_replay(void);

/**
 * host_irqs_init() - install the signal handlers for every source.
 *
 * Returns 0, or a negative errno.
 */
int host_irqs_init(void);

/**
 * host_idle_wait() - sleep in the host until an interrupt source fires.
 *
 * Called with host_irqs_on zero; returns at once if something is pending.
 * Burns no CPU while it waits.
 */
void host_idle_wait(void);

/**
 * host_ctrl_request() - what the last HOST_IRQ_CTRL asked for.
 *
 * Returns the host signal number that raised it (SIGTERM, SIGINT,
 * SIGHUP), and clears it; 0 when there is none.
 */
int host_ctrl_request(void);

/**
 * host_irq_eventfd() - an eventfd whose writes raise @irq.
 *
 * The kernel waits on it itself while it is idle; otherwise a host thread
 * does (eventfds cannot send SIGIO), but only after host_irq_expect().
 * Returns the descriptor, or a negative errno.
 */
int host_irq_eventfd(int irq);

/**
 * host_irq_expect() - writes to @irq's eventfd may come while the kernel runs.
 *
 * The source calls this when it has work out that will write the eventfd:
 * after starting some, and after handling its interrupt if some is still
 * out.  It lasts until the kernel's next idle wait that the eventfd ends.
 * A write from before the call raises @irq now.  Cheap when it is
 * already in force.
 */
void host_irq_expect(int irq);

/* Provided by the kernel: handle the sources in @pending (a bit mask). */
void um_irq_entry(unsigned long pending);

#endif /* _HOST_IRQ_H */

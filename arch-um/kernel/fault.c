// SPDX-License-Identifier: GPL-2.0
/*
 * A fault in the kernel's own code: resume at the exception fixup if the
 * instruction has one, otherwise report a kernel bug and end the task
 * (or the whole guest, in interrupt context).
 */
#include <linux/extable.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/pid.h>
#include <linux/sched/debug.h>
#include <linux/sched/task.h>
#include <linux/hardirq.h>
#include <host/fault.h>

unsigned long um_kernel_fault(const struct host_fault *f)
{
	const struct exception_table_entry *e = search_exception_tables(f->ip);

	if (e)
		return e->fixup;

	/* The handler's frame stays on this stack: let signals in again. */
	host_fault_unblock();
	console_verbose();
	pr_alert("BUG: kernel fault (host signal %d, code %d) at address %lx\n",
		 f->signal, f->code, f->addr);
	pr_alert("IP: %pS  SP: %lx  task: %s[%d]\n", (void *)f->ip, f->sp,
		 current->comm, task_pid_nr(current));
	add_taint(TAINT_DIE, LOCKDEP_NOW_UNRELIABLE);
	show_stack(NULL, (unsigned long *)f->sp, KERN_ALERT);

	if (in_interrupt() || !current->pid)
		panic("Fatal exception%s", in_interrupt() ? " in interrupt" : "");
	if (panic_on_oops)
		panic("Fatal exception");
	raw_local_irq_enable();
	make_task_dead(SIGSEGV);
}

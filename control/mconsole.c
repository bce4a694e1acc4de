// SPDX-License-Identifier: GPL-2.0
/*
 * The control channel's kernel half: requests from the host's control
 * socket are answered here, in process context.  The socket raises
 * the control interrupt when a datagram comes; the interrupt only queues the
 * work item, which takes every request queued, runs its command, and
 * rearms the interrupt once none is left.  The work
 * runs on an ordered workqueue of its own, so requests are answered one
 * at a time in the order they came and a slow one (reading a large proc
 * file) delays no other kernel work.
 */
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/nmi.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/driver_irq.h>
#include "control.h"

static struct workqueue_struct *control_wq;

/* How long a reply may wait for room in a slow client's queue. */
#define CONTROL_SEND_WAIT_MS	2000

static void send_packet(struct host_control_req *req, bool err, bool more,
			const char *text, size_t len)
{
	unsigned int waited = 0;
	int ret;

	for (;;) {
		ret = host_control_send(&req->peer, err, more, text, len);
		if (ret != -EAGAIN || waited >= CONTROL_SEND_WAIT_MS ||
		    irqs_disabled())
			return;
		msleep(20);
		waited += 20;
	}
}

void control_reply_len(struct host_control_req *req, bool err, bool more,
		       const char *text, size_t len)
{
	const size_t part = HOST_CONTROL_DATA - 1;

	while (len > part) {
		send_packet(req, err, true, text, part);
		text += part;
		len -= part;
	}
	send_packet(req, err, more, text, len);
}

/* The command @req names, and where its arguments start. */
static const struct control_cmd *find_cmd(struct host_control_req *req,
					  const char **args)
{
	const char *text = skip_spaces(req->text);
	const struct control_cmd *cmd;
	size_t len;

	for (cmd = control_cmds; cmd->name; cmd++) {
		len = strlen(cmd->name);
		if (!strncmp(text, cmd->name, len) &&
		    (!text[len] || isspace(text[len]))) {
			*args = skip_spaces(text + len);
			return cmd;
		}
	}
	return NULL;
}

/* Run @req; false when it was "go". */
static bool run_request(struct host_control_req *req, bool stopped)
{
	const struct control_cmd *cmd;
	const char *args;

	strim(req->text);
	cmd = find_cmd(req, &args);
	if (!cmd) {
		control_reply(req, true, "unknown command (try help)");
		return true;
	}
	if (!strcmp(cmd->name, "go")) {
		control_reply(req, !stopped, stopped ? "" : "not stopped");
		return false;
	}
	if (stopped && !cmd->when_stopped) {
		control_reply(req, true,
			      "the guest is stopped: only go, version, help and log are answered");
		return true;
	}
	cmd->run(req, args);
	return true;
}

/*
 * "stop": the whole guest holds still, as if its CPU were paused, with
 * interrupts off and the host process asleep on the control socket,
 * until "go".  Only the control channel is answered meanwhile.  The
 * clocks jump on resuming; the stall detectors are told so.
 */
void control_stop(struct host_control_req *req)
{
	struct host_control_req *next;
	unsigned long flags;
	bool stopped = true;
	int ret;

	next = kmalloc(sizeof(*next), GFP_KERNEL);
	if (!next) {
		control_reply(req, true, "out of memory");
		return;
	}
	control_reply(req, false, "stopped");
	pr_info("control: guest stopped\n");
	local_irq_save(flags);
	while (stopped) {
		ret = host_control_recv(next);
		if (ret == -EAGAIN) {
			host_control_wait();
			continue;
		}
		if (ret < 0)
			break;
		if (ret == 1)
			stopped = run_request(next, true);
	}
	rcu_cpu_stall_reset();
	touch_softlockup_watchdog();
	local_irq_restore(flags);
	kfree(next);
	pr_info("control: guest resumed\n");
}

static void control_work_fn(struct work_struct *work)
{
	struct host_control_req *req;
	int ret;

	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return;
	for (;;) {
		ret = host_control_recv(req);
		if (ret == -EAGAIN) {
			unsigned long flags;

			local_irq_save(flags);
			host_control_rearm();
			local_irq_restore(flags);
			break;
		}
		if (ret < 0) {
			pr_warn_ratelimited("control: receive failed: %d\n",
					    ret);
			break;
		}
		if (ret == 1)
			run_request(req, false);
		cond_resched();
	}
	kfree(req);
}

static DECLARE_WORK(control_work, control_work_fn);

static irqreturn_t control_interrupt(int irq, void *dev)
{
	queue_work(control_wq, &control_work);
	return IRQ_HANDLED;
}

static int __init control_init(void)
{
	const char *name = host_control_name();
	int irq, err;

	if (!name)
		return 0;
	control_wq = alloc_ordered_workqueue("control", 0);
	if (!control_wq)
		return -ENOMEM;
	irq = um_request_driver_irq(control_interrupt, "control", NULL);
	err = irq < 0 ? irq : host_control_start(irq);
	if (err) {
		pr_err("control: cannot answer on %s: %d\n",
		       host_control_socket(), err);
		return err;
	}
	pr_info("control: guest %s, control socket %s\n", name,
		host_control_socket());
	return 0;
}
device_initcall(control_init);

/* umid= and uml_dir= are the host half's; the kernel only accepts them. */
static int __init control_umid(char *str)
{
	return 1;
}
__setup("umid=", control_umid);

static int __init control_uml_dir(char *str)
{
	return 1;
}
__setup("uml_dir=", control_uml_dir);

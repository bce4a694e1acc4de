// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of the control channel, each answered in process context
 * from the channel's work item (mconsole.c).  Ending the guest goes
 * through the kernel's own paths: halt and reboot ask user space, as a
 * power button or ctrl-alt-del would, and force the kernel's power-off
 * or restart if it has not acted in time; cad is ctrl-alt-del, for init
 * to handle; sysrq is the kernel's sysrq.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/sysrq.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>
#include "control.h"

/* Also answered while the guest is stopped: nothing here may sleep. */
static void cmd_version(struct host_control_req *req, const char *args)
{
	/* Requests are answered one at a time: one buffer does. */
	static char text[5 * (__NEW_UTS_LEN + 2)];
	struct new_utsname *u = init_utsname();

	snprintf(text, sizeof(text), "%s %s %s %s %s", u->sysname,
		 u->nodename, u->release, u->version, u->machine);
	control_reply(req, false, text);
}

static const char help_text[] =
"Commands of this guest's control socket:\n"
"    version        the kernel's name, release and build\n"
"    help           this text\n"
"    halt           power the guest off (init is asked first)\n"
"    reboot         restart the guest (init is asked first)\n"
"    cad            ctrl-alt-del: init decides what it does\n"
"    sysrq KEY      the kernel's sysrq KEY (sysrq h lists them)\n"
"    stop           hold the whole guest still until go\n"
"    go             resume a stopped guest\n"
"    log TEXT       write TEXT to the kernel log\n"
"    proc FILE      the contents of /proc/FILE\n"
"    config         list what can be configured\n"
"    config NAME    show NAME's configuration (config mem)\n"
"    config mem=-SIZE  unplug SIZE of memory, back to the host\n"
"    config mem=+SIZE  plug it in again (up to mem_max=)\n"
"    exec CMD ARG.. run CMD in the guest as root; its output, then\n"
"                   \"exit N\" or \"signal N\"\n"
"    execin CMD ARG.. the same, its input from input ID HEX requests\n";

static void cmd_help(struct host_control_req *req, const char *args)
{
	control_reply(req, false, help_text);
}

/* User space gets this long to act on halt or reboot before it is forced. */
#define CONTROL_GRACE_SECS	10

static bool force_restart;

static void force_end(struct work_struct *work)
{
	pr_warn("control: user space did not %s within %d s: forcing it\n",
		force_restart ? "reboot" : "power off", CONTROL_GRACE_SECS);
	ksys_sync();
	if (force_restart)
		kernel_restart(NULL);
	else
		kernel_power_off();
}

static DECLARE_DELAYED_WORK(force_end_work, force_end);

static void end_guest(bool restart)
{
	force_restart = restart;
	pr_notice("control: %s requested\n", restart ? "reboot" : "halt");
	if (restart)
		orderly_reboot();
	else
		orderly_poweroff(true);
	schedule_delayed_work(&force_end_work, CONTROL_GRACE_SECS * HZ);
}

static void cmd_halt(struct host_control_req *req, const char *args)
{
	control_reply(req, false, "");
	end_guest(false);
}

static void cmd_reboot(struct host_control_req *req, const char *args)
{
	control_reply(req, false, "");
	end_guest(true);
}

static void cmd_cad(struct host_control_req *req, const char *args)
{
	ctrl_alt_del();
	control_reply(req, false, "");
}

static void cmd_sysrq(struct host_control_req *req, const char *args)
{
	if (!IS_ENABLED(CONFIG_MAGIC_SYSRQ)) {
		control_reply(req, true, "sysrq is not built into this kernel");
		return;
	}
	if (!args[0] || args[1]) {
		control_reply(req, true, "usage: sysrq KEY (one character)");
		return;
	}
	/* Like /proc/sysrq-trigger: the owner of the guest may use every key. */
	__handle_sysrq(args[0], false);
	control_reply(req, false, "");
}

static void cmd_stop(struct host_control_req *req, const char *args)
{
	control_stop(req);
}

static void cmd_log(struct host_control_req *req, const char *args)
{
	pr_info("%s\n", args);
	control_reply(req, false, "");
}

/* proc reads through a mount of its own: user space may have none. */
static struct vfsmount *proc_mount;

static struct vfsmount *get_proc_mount(void)
{
	struct file_system_type *type;
	struct vfsmount *mnt;

	if (proc_mount)
		return proc_mount;
	type = get_fs_type("proc");
	if (!type)
		return ERR_PTR(-ENODEV);
	mnt = kern_mount(type);
	put_filesystem(type);
	if (!IS_ERR(mnt))
		proc_mount = mnt;
	return mnt;
}

static void cmd_proc(struct host_control_req *req, const char *args)
{
	const size_t part = HOST_CONTROL_DATA - 1;
	struct vfsmount *mnt;
	struct file *file;
	loff_t pos = 0;
	bool first = true;
	ssize_t n;
	char *buf;

	if (!*args) {
		control_reply(req, true, "usage: proc FILE (a file under /proc)");
		return;
	}
	mnt = get_proc_mount();
	if (IS_ERR(mnt)) {
		control_reply(req, true, "proc is not available");
		return;
	}
	file = file_open_root_mnt(mnt, args, O_RDONLY, 0);
	if (IS_ERR(file)) {
		control_reply(req, true, PTR_ERR(file) == -ENOENT ?
			      "no such file in /proc" : "cannot open it");
		return;
	}
	/* The kernel can only read files that offer read_iter. */
	if (!file->f_op->read_iter) {
		control_reply(req, true, "the kernel cannot read this file itself");
		goto out;
	}
	buf = kmalloc(part, GFP_KERNEL);
	if (!buf) {
		control_reply(req, true, "out of memory");
		goto out;
	}
	/* Each piece as it is read; an empty last packet ends the reply. */
	while ((n = kernel_read(file, buf, part, &pos)) > 0) {
		control_reply_len(req, false, true, buf, n);
		first = false;
		cond_resched();
	}
	if (n < 0 && first)
		control_reply(req, true, "cannot read it");
	else
		control_reply_len(req, false, false, "", 0);
	kfree(buf);
out:
	fput(file);
}

static void cmd_config(struct host_control_req *req, const char *args)
{
	if (!*args) {
		control_reply(req, false, "mem\n");
		return;
	}
	if (!strcmp(args, "mem")) {
		memplug_show(req);
		return;
	}
	if (!strncmp(args, "mem=", 4)) {
		memplug_config(req, args + 4);
		return;
	}
	if (strchr(args, '='))
		control_reply(req, true,
			      "changing the configuration of a running guest is not supported yet");
	else
		control_reply(req, true, "no such device (config lists them)");
}

static void cmd_remove(struct host_control_req *req, const char *args)
{
	control_reply(req, true, "removing devices is not supported yet");
}

const struct control_cmd control_cmds[] = {
	{ "version",	cmd_version,	true },
	{ "help",	cmd_help,	true },
	{ "halt",	cmd_halt,	false },
	{ "reboot",	cmd_reboot,	false },
	{ "cad",	cmd_cad,	false },
	{ "sysrq",	cmd_sysrq,	false },
	{ "stop",	cmd_stop,	false },
	{ "go",		NULL,		true },
	{ "log",	cmd_log,	true },
	{ "proc",	cmd_proc,	false },
	{ "config",	cmd_config,	false },
	{ "remove",	cmd_remove,	false },
	{ "exec",	control_exec,	false },
	{ "export",	fe_control_export,	false },
	{ "unexport",	fe_control_unexport,	false },
	{ "execin",	control_execin,	false },
	{ "input",	control_input,	false },
	{ NULL }
};

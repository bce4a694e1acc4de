// SPDX-License-Identifier: GPL-2.0
/*
 * "exec CMD ARG...": run a command in the guest as root, the way the
 * kernel starts its own helpers (a usermode helper: nothing needs to be
 * installed in the guest for it), and send its output back as it comes.
 *
 * Each exec has a kernel thread of its own, so a long command holds up
 * neither the control channel's other requests nor other execs.  The
 * command's standard output and error are one pipe whose read end the
 * thread relays, a packet (more = 1) per piece; its standard input is an
 * empty pipe.  The last packet (more = 0) is the end: "exit N", "signal
 * N", or an error when it could not be started.
 *
 * The arguments come separated by NULs (umctl), so any argument can be
 * passed, or by spaces (uml_mconsole and other clients of the protocol).
 *
 * "execin" is exec with standard input: the command's input is a pipe
 * the client feeds with "input ID HEX" requests (ID from the first
 * packet of the answer, "input ID"; the data hex-encoded, since requests
 * are text), each answered with how many bytes the pipe took, and closes
 * with "input ID" and no data.
 */
#include <linux/completion.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hex.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/umh.h>
#include "control.h"

#define EXEC_MAX_ARGS	64

struct control_exec {
	struct host_control_req req;	/* the request; its peer gets the output */
	struct list_head node;		/* in exec_inputs, when it takes input */
	unsigned int id;
	struct file *in_write;		/* the input pipe's end, or NULL */
	char *argv[EXEC_MAX_ARGS + 1];
	char path[256];
	struct file *out_read, *out_write, *in_read;
	struct completion fds_given;	/* the child took its descriptors */
	struct completion ended;	/* the helper ended; @status is set */
	int status;
};

/* The running execs that take input, under exec_inputs_lock. */
static LIST_HEAD(exec_inputs);
static DEFINE_MUTEX(exec_inputs_lock);
static unsigned int exec_last_id;

static char *exec_envp[] = {
	"HOME=/",
	"TERM=dumb",
	"PATH=/sbin:/bin:/usr/sbin:/usr/bin",
	NULL
};

/*
 * Split @args, @len bytes, into @ex->argv: NUL-separated when
 * @nul_separated, else space-separated.
 */
static int split_args(struct control_exec *ex, char *args, size_t len,
		      bool nul_separated)
{
	char *p = args, *end = args + len;
	int n = 0;

	while (p < end && n < EXEC_MAX_ARGS) {
		char *word = p;

		if (nul_separated) {
			p += strnlen(p, end - p) + 1;
		} else {
			word = skip_spaces(p);
			if (!*word)
				break;
			p = word;
			while (p < end && *p && !isspace(*p))
				p++;
			if (p < end)
				*p++ = '\0';
		}
		ex->argv[n++] = word;
	}
	ex->argv[n] = NULL;
	return n;
}

/* The program to run: argv[0] as it is, or found in exec_envp's PATH. */
static int find_program(struct control_exec *ex)
{
	static const char *const dirs[] = {
		"/sbin/", "/bin/", "/usr/sbin/", "/usr/bin/"
	};
	struct path found;
	unsigned int i;

	if (strchr(ex->argv[0], '/')) {
		strscpy(ex->path, ex->argv[0], sizeof(ex->path));
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(ex->path, sizeof(ex->path), "%s%s", dirs[i],
			 ex->argv[0]);
		if (!kern_path(ex->path, LOOKUP_FOLLOW, &found)) {
			path_put(&found);
			return 0;
		}
	}
	return -ENOENT;
}

/* In the new process, before its exec: standard input, output, error. */
static int exec_child_init(struct subprocess_info *info, struct cred *new)
{
	struct control_exec *ex = info->data;
	int err;

	err = replace_fd(0, ex->in_read, 0);
	if (err >= 0)
		err = replace_fd(1, ex->out_write, 0);
	if (err >= 0)
		err = replace_fd(2, ex->out_write, 0);
	complete(&ex->fds_given);
	return err < 0 ? err : 0;
}

static int exec_helper(void *data)
{
	struct control_exec *ex = data;
	struct subprocess_info *info;

	info = call_usermodehelper_setup(ex->path, ex->argv, exec_envp,
					 GFP_KERNEL, exec_child_init, NULL,
					 ex);
	ex->status = info ? call_usermodehelper_exec(info, UMH_WAIT_PROC) :
		     -ENOMEM;
	/* If no child ever took the descriptors, stop waiting for it. */
	complete(&ex->fds_given);
	complete(&ex->ended);
	return 0;
}

/* How long one piece of output waits for a client that does not read. */
#define EXEC_SEND_WAIT_MS	30000

/* Send one piece of output; dropped if the client has gone or stalls. */
static void relay(struct control_exec *ex, const char *buf, size_t len)
{
	unsigned int waited = 0;

	while (host_control_send(&ex->req.peer, 0, 1, buf, len) == -EAGAIN &&
	       waited < EXEC_SEND_WAIT_MS) {
		msleep(20);
		waited += 20;
	}
}

static void finish(struct control_exec *ex)
{
	char text[64];
	int st = ex->status;

	if (st < 0)
		snprintf(text, sizeof(text), "cannot run %s: error %d",
			 ex->argv[0], st);
	else if (st & 0x7f)
		snprintf(text, sizeof(text), "signal %d", st & 0x7f);
	else
		snprintf(text, sizeof(text), "exit %d", (st >> 8) & 0xff);
	control_reply(&ex->req, st != 0, text);
}

static int exec_relay(void *data)
{
	struct control_exec *ex = data;
	const size_t part = HOST_CONTROL_DATA - 1;
	struct task_struct *helper;
	loff_t pos = 0;
	ssize_t n;
	char *buf;

	buf = kmalloc(part, GFP_KERNEL);
	helper = buf ? kthread_run(exec_helper, ex, "control-exec") :
		 ERR_PTR(-ENOMEM);
	if (IS_ERR(helper)) {
		fput(ex->out_write);
		fput(ex->in_read);
		ex->status = PTR_ERR(helper);
	} else {
		wait_for_completion(&ex->fds_given);
		/* The child holds its own: ours would keep the pipe open. */
		fput(ex->out_write);
		fput(ex->in_read);
		while ((n = kernel_read(ex->out_read, buf, part, &pos)) > 0)
			relay(ex, buf, n);
		wait_for_completion(&ex->ended);
	}
	finish(ex);
	fput(ex->out_read);
	mutex_lock(&exec_inputs_lock);
	if (ex->id)
		list_del(&ex->node);
	if (ex->in_write)
		fput(ex->in_write);
	mutex_unlock(&exec_inputs_lock);
	kfree(buf);
	kfree(ex);
	return 0;
}

/*
 * Two pipes: the command's output (ours to read) and its input, empty
 * unless @input (then ours to write, never blocking).
 */
static int make_pipes(struct control_exec *ex, bool input)
{
	struct file *out[2], *in[2];
	int err;

	err = create_pipe_files(out, 0);
	if (err)
		return err;
	err = create_pipe_files(in, 0);
	if (err) {
		fput(out[0]);
		fput(out[1]);
		return err;
	}
	if (input) {
		in[1]->f_flags |= O_NONBLOCK;
		ex->in_write = in[1];
	} else {
		fput(in[1]);	/* nothing is written: it reads end-of-file */
	}
	ex->out_read = out[0];
	ex->out_write = out[1];
	ex->in_read = in[0];
	return 0;
}

static void start_exec(struct host_control_req *req, const char *args,
		       bool input)
{
	size_t first = strlen(req->text), off = args - req->text;
	/* "exec", a NUL, and the arguments NUL-separated; or one line. */
	bool nuls = req->len > first + 1;
	struct control_exec *ex;
	struct task_struct *t;
	int err;

	ex = kzalloc(sizeof(*ex), GFP_KERNEL);
	if (!ex) {
		control_reply(req, true, "out of memory");
		return;
	}
	ex->req = *req;
	init_completion(&ex->fds_given);
	init_completion(&ex->ended);
	if (nuls)
		err = split_args(ex, ex->req.text + first + 1,
				 req->len - first - 1, true);
	else
		err = split_args(ex, ex->req.text + off, first - off, false);
	if (err == 0) {
		control_reply(req, true, "usage: exec CMD [ARG]...");
		goto free;
	}
	if (find_program(ex)) {
		control_reply(req, true, "no such command (looked in /sbin, /bin, /usr/sbin, /usr/bin)");
		goto free;
	}
	err = make_pipes(ex, input);
	if (err) {
		control_reply(req, true, "cannot make pipes");
		goto free;
	}
	if (input) {
		char text[32];

		mutex_lock(&exec_inputs_lock);
		ex->id = ++exec_last_id ? exec_last_id : ++exec_last_id;
		list_add(&ex->node, &exec_inputs);
		mutex_unlock(&exec_inputs_lock);
		snprintf(text, sizeof(text), "input %u", ex->id);
		control_reply_len(req, false, true, text, strlen(text));
	}
	t = kthread_run(exec_relay, ex, "control-relay");
	if (!IS_ERR(t))
		return;
	mutex_lock(&exec_inputs_lock);
	if (ex->id)
		list_del(&ex->node);
	mutex_unlock(&exec_inputs_lock);
	if (ex->in_write)
		fput(ex->in_write);
	fput(ex->out_read);
	fput(ex->out_write);
	fput(ex->in_read);
	control_reply(req, true, "cannot start a thread");
free:
	kfree(ex);
}

void control_exec(struct host_control_req *req, const char *args)
{
	start_exec(req, args, false);
}

void control_execin(struct host_control_req *req, const char *args)
{
	start_exec(req, args, true);
}

/* "input ID HEX": feed exec ID's input; "input ID": close it. */
void control_input(struct host_control_req *req, const char *args)
{
	struct control_exec *ex;
	unsigned int id;
	const char *end;
	char text[32];
	u8 *data = NULL;
	size_t len = 0;
	ssize_t n = 0;
	loff_t pos = 0;
	int used = 0;

	if (sscanf(args, "%u%n", &id, &used) != 1)
		id = 0;
	end = skip_spaces(args + used);
	len = strlen(end);
	if (!id || len % 2) {
		control_reply(req, true, "usage: input ID [HEX]");
		return;
	}
	if (len) {
		data = kmalloc(len / 2, GFP_KERNEL);
		if (!data || hex2bin(data, end, len / 2)) {
			kfree(data);
			control_reply(req, true, "input: not hex data");
			return;
		}
	}
	mutex_lock(&exec_inputs_lock);
	list_for_each_entry(ex, &exec_inputs, node)
		if (ex->id == id)
			goto found;
	mutex_unlock(&exec_inputs_lock);
	kfree(data);
	control_reply(req, true, "input: no such command running");
	return;
found:
	if (!ex->in_write) {
		n = -EPIPE;
	} else if (!len) {
		fput(ex->in_write);
		ex->in_write = NULL;
	} else {
		n = kernel_write(ex->in_write, data, len / 2, &pos);
		if (n == -EAGAIN)
			n = 0;
	}
	mutex_unlock(&exec_inputs_lock);
	kfree(data);
	if (n < 0) {
		control_reply(req, true, "input: the command's input is closed");
		return;
	}
	snprintf(text, sizeof(text), "%zd", n);
	control_reply(req, false, text);
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the control channel's kernel files only. */
#ifndef _CONTROL_H
#define _CONTROL_H

#include <linux/types.h>
#include "control_host.h"

/* One command the channel answers. */
struct control_cmd {
	const char *name;
	/* @args: what follows the name, spaces skipped; never NULL. */
	void (*run)(struct host_control_req *req, const char *args);
	/* Answered even while the guest is stopped (no sleeping in @run). */
	bool when_stopped;
};

/* The commands (commands.c), ending with an entry whose name is NULL. */
extern const struct control_cmd control_cmds[];

/*
 * Answer @req with @len bytes of @text, cut into as many packets as it
 * takes; @more says that further control_reply() calls continue it.
 * Only the first packet of a reply may carry @err.
 */
void control_reply_len(struct host_control_req *req, bool err, bool more,
		       const char *text, size_t len);

static inline void control_reply(struct host_control_req *req, bool err,
				 const char *text)
{
	control_reply_len(req, err, false, text, strlen(text));
}

/* "exec CMD ARG...": run a command in the guest (exec.c). */
void control_exec(struct host_control_req *req, const char *args);
/* "execin": the same, with input fed by "input ID HEX" requests. */
void control_execin(struct host_control_req *req, const char *args);
void control_input(struct host_control_req *req, const char *args);

/* "export" and "unexport": FUSE exports at run time (fuse-export/control.c). */
void fe_control_export(struct host_control_req *req, const char *args);
void fe_control_unexport(struct host_control_req *req, const char *args);

/* "stop": hold the whole guest until "go" (mconsole.c). */
void control_stop(struct host_control_req *req);

/* "config mem" and "config mem=..." (memplug.c); @arg follows "mem=". */
void memplug_show(struct host_control_req *req);
void memplug_config(struct host_control_req *req, const char *arg);

#endif /* _CONTROL_H */

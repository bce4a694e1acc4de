// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's commands on the control socket: exports made and
 * ended while the guest runs.
 *
 *   export HOSTDIR [GUESTPATH] [--ro]
 *	mount GUESTPATH (default /) on the empty host directory HOSTDIR, an
 *	absolute path (umctl makes it one), as fuse= would at boot
 *   unexport HOSTDIR
 *	unmount it on the host (lazily) and let go of everything it held in
 *	the guest
 *
 * A refused export changes nothing.  Kernel code.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../control/control.h"
#include "fe.h"

#define FE_SPEC_MAX	4096

void fe_control_export(struct host_control_req *req, const char *args)
{
	char *copy, *word, *rest, *spec, *msg;
	const char *dir = NULL, *guest = NULL;
	bool ro = false, bad = false;
	int n, err;

	copy = kstrdup(args, GFP_KERNEL);
	spec = kmalloc(FE_SPEC_MAX, GFP_KERNEL);
	msg = kmalloc(256, GFP_KERNEL);
	if (!copy || !spec || !msg) {
		control_reply(req, true, "out of memory");
		goto out;
	}
	rest = copy;
	while ((word = strsep(&rest, " ")) != NULL) {
		if (!*word)
			continue;
		if (!strcmp(word, "--ro"))
			ro = true;
		else if (!dir)
			dir = word;
		else if (!guest)
			guest = word;
		else
			bad = true;
	}
	if (bad || !dir || dir[0] != '/' || (guest && guest[0] != '/') ||
	    strpbrk(dir, ":,") || (guest && strchr(guest, ','))) {
		control_reply(req, true,
			      "usage: export HOSTDIR [GUESTPATH] [--ro] (absolute paths, no ':' or ',' in HOSTDIR)");
		goto out;
	}
	snprintf(spec, FE_SPEC_MAX, "fuse=%s%s%s%s", dir, guest ? ":" : "",
		 guest ?: "", ro ? ",ro" : "");
	n = host_fuse_add(spec, msg, 256);
	if (n < 0) {
		control_reply(req, true, msg[0] ? msg : "refused");
		goto out;
	}
	err = fe_export_start(n);
	if (err) {
		host_fuse_remove(n);
		snprintf(msg, 256, "cannot start the export: error %d", err);
		control_reply(req, true, msg);
		goto out;
	}
	snprintf(msg, 256, "guest %s on host %s%s", guest ?: "/", dir,
		 ro ? ", read-only" : "");
	control_reply(req, false, msg);
out:
	kfree(copy);
	kfree(spec);
	kfree(msg);
}

void fe_control_unexport(struct host_control_req *req, const char *args)
{
	int n;

	if (!*args || strchr(args, ' ')) {
		control_reply(req, true, "usage: unexport HOSTDIR");
		return;
	}
	n = host_fuse_find(args);
	if (n < 0) {
		control_reply(req, true, "not exported");
		return;
	}
	host_fuse_remove(n);
	fe_export_stop(n);
	control_reply(req, false, "unexported");
}

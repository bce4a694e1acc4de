/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the control channel's host files only (the kernel never sees it). */
#ifndef _CONTROL_USER_H
#define _CONTROL_USER_H

#include "control_host.h"

/* The socket's name in the run directory, as upstream's clients expect. */
#define CONTROL_SOCKET_NAME	"mconsole"
/* The pid file's name; the guest holds a lock on it while it lives. */
#define CONTROL_PID_NAME	"pid"

/*
 * Bind the control socket at @path (socket_user.c).  Returns 0, or -1
 * after a message on standard error.
 */
int control_socket_open(const char *path);

/* Close the socket and remove its file (socket_user.c). */
void control_socket_close(void);

#endif /* _CONTROL_USER_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* The console: the terminal (or whatever stdin and stdout are). */
#ifndef _HOST_CONSOLE_H
#define _HOST_CONSOLE_H

/* Write all of @buf to standard output.  Returns 0 or a negative errno. */
int host_console_write(const char *buf, unsigned int len);

#endif /* _HOST_CONSOLE_H */

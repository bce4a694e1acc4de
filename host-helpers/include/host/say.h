/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages to the user on standard error (host side only: host-helpers,
 * the host halves of drivers and the tools that share their code).  One
 * form everywhere: "PROGRAM: WHAT: reason", WHAT being the parameter or
 * file the message is about.
 */
#ifndef _HOST_SAY_H
#define _HOST_SAY_H

#include <stdarg.h>
#include <stdio.h>

/* Print "@prog: @what: " (or "@prog: " when @what is NULL), then @fmt. */
static inline void host_vsay(const char *prog, const char *what,
			     const char *fmt, va_list ap)
{
	if (what)
		fprintf(stderr, "%s: %s: ", prog, what);
	else
		fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/**
 * host_refuse() - say why the kernel will not start: "linux: WHAT: reason".
 * @what: the parameter at fault, or NULL.
 *
 * Returns -1, for "return host_refuse(...);" in parameter checks.
 */
static inline int __attribute__((format(printf, 2, 3)))
host_refuse(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vsay("linux", what, fmt, ap);
	va_end(ap);
	return -1;
}

#endif /* _HOST_SAY_H */

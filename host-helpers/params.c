// SPDX-License-Identifier: GPL-2.0
/* Parsing of parameter values on the host side. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

int host_parse_size(const char *text, unsigned long long *out)
{
	unsigned long long value, scale = 1;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	value = strtoull(text, &end, 0);
	if (errno)
		return -1;

	switch (*end) {
	case 'k': case 'K':
		scale = 1ULL << 10;
		break;
	case 'm': case 'M':
		scale = 1ULL << 20;
		break;
	case 'g': case 'G':
		scale = 1ULL << 30;
		break;
	case 't': case 'T':
		scale = 1ULL << 40;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	if (value > ~0ULL / scale)
		return -1;
	*out = value * scale;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line parameters handled on the host side before boot. */
#ifndef _HOST_PARAMS_H
#define _HOST_PARAMS_H

/**
 * host_parse_size() - parse a size such as 512M, 2G, 65536K or 1048576.
 * @text: the value; K, M, G and T suffixes (either case) are powers of 1024.
 * @out: the size in bytes.
 *
 * Returns 0, or -1 if @text is not a size or overflows.
 */
int host_parse_size(const char *text, unsigned long long *out);

#endif /* _HOST_PARAMS_H */

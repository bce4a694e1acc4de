/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one address both worlds agree on: where the program is linked.
 * Kernel "physical" address 0 is this virtual address.  No C suffixes:
 * the linker script includes this file too.
 */
#ifndef _HOST_LAYOUT_H
#define _HOST_LAYOUT_H

#define HOST_KERNEL_BASE	0x40000000

#endif /* _HOST_LAYOUT_H */

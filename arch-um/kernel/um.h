/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the files of arch-um/kernel. */
#ifndef _UM_KERNEL_UM_H
#define _UM_KERNEL_UM_H

#include <host/boot.h>

extern struct host_boot_info um_boot_info;

void um_mem_setup(void);
void um_console_init(void);
void um_power_init(void);

#endif /* _UM_KERNEL_UM_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the files of arch-um/kernel. */
#ifndef _UM_KERNEL_UM_H
#define _UM_KERNEL_UM_H

#include <host/boot.h>

extern struct host_boot_info um_boot_info;

struct task_struct;

void um_mem_setup(void);
void um_call_on_stack(void (*fn)(void), unsigned long stack_top);
struct task_struct *um_switch_stacks(unsigned long *save_sp,
				     unsigned long new_sp,
				     struct task_struct *prev);
void um_thread_entry(void);
void um_new_thread_tail(struct task_struct *prev);
void um_console_init(void);
void um_power_init(void);

#endif /* _UM_KERNEL_UM_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the files of arch-um/kernel. */
#ifndef _UM_KERNEL_UM_H
#define _UM_KERNEL_UM_H

#include <asm/mmu.h>
#include <asm/processor-flags.h>
#include <host/boot.h>

/*
 * The flags a guest program may change, by sigreturn or through its
 * tracer; the rest are the CPU's or the host kernel's.
 */
#define UM_USER_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_NT | \
			 X86_EFLAGS_RF | X86_EFLAGS_AC | X86_EFLAGS_ID)

extern struct host_boot_info um_boot_info;

struct task_struct;

void um_mem_setup(void);
void um_call_on_stack(void (*fn)(void), unsigned long stack_top);
struct task_struct *um_switch_stacks(unsigned long *save_sp,
				     unsigned long new_sp,
				     struct task_struct *prev);
void um_thread_entry(void);
void um_new_thread_tail(struct task_struct *prev);

struct pt_regs;
struct mm_struct;

void um_stub_setup(void);
int um_sync_user(struct mm_struct *mm);
void __noreturn um_user_loop(void);
void um_user_kick_if_needed(void);
bool um_user_running(void);
void um_syscall(struct pt_regs *regs);
void um_do_signal(struct pt_regs *regs);
/* FPU state (fpu.c). */
int um_fpstate_load(mm_context_t *ctx);
void um_fpstate_from_frame(mm_context_t *ctx, unsigned long where);
void um_fpstate_init(struct task_struct *tsk);
int um_fpstate_alloc(struct task_struct *tsk);
void um_fpstate_save(void);
void um_fpstate_save_task(struct task_struct *tsk);
int um_fpstate_check(const void *fp);
void um_console_init(void);
void um_power_init(void);
/* The vDSO (vdso.c), and its image (vdso/image.S). */
extern const char um_vdso_image[], um_vdso_image_end[];
struct host_vdso;
void um_vdso_setup(void);
bool um_vdso_on(void);
const struct host_vdso *um_vdso_host(void);
bool um_vdso_host_syscall(struct pt_regs *regs);

#endif /* _UM_KERNEL_UM_H */

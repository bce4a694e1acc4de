// SPDX-License-Identifier: GPL-2.0
/*
 * Guest system calls: the x86-64 table of the tree, dispatched with the
 * registers the address-space process stopped with.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <asm/prctl.h>
#include "um.h"

typedef long (*um_syscall_fn)(unsigned long, unsigned long, unsigned long,
			      unsigned long, unsigned long, unsigned long);

#define UM_NR_SYSCALLS	512

/* The x86-64 system calls that are the architecture's. */
asmlinkage long sys_mmap(unsigned long addr, unsigned long len,
			 unsigned long prot, unsigned long flags,
			 unsigned long fd, unsigned long off);
asmlinkage long sys_arch_prctl(int option, unsigned long arg2);
asmlinkage long sys_rt_sigreturn(void);

/*
 * No host I/O ports and no local descriptor tables for guests: these are
 * the entries of system calls this architecture does not have.
 */
#define sys_iopl	sys_ni_syscall
#define sys_ioperm	sys_ni_syscall
#define sys_modify_ldt	sys_ni_syscall

/* Every entry is called with the six argument registers. */
#define __SYSCALL(nr, sym)	[nr] = (um_syscall_fn)(void *)sym,
#define __SYSCALL_NORETURN(nr, sym)	__SYSCALL(nr, sym)
static const um_syscall_fn um_syscall_table[UM_NR_SYSCALLS] = {
	[0 ... UM_NR_SYSCALLS - 1] = (um_syscall_fn)(void *)sys_ni_syscall,
#include <asm/syscalls_64.h>
};
#undef __SYSCALL

/* int $0x80 from a 64-bit program: the 32-bit ABI, which is not offered. */
static bool um_is_int80(struct pt_regs *regs)
{
	u16 insn;

	return !copy_from_user(&insn, (void __user *)(regs->ip - 2), 2) &&
	       insn == 0x80cd;
}

void um_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->orig_ax;

	regs->ax = -ENOSYS;
	if (um_is_int80(regs) || um_vdso_host_syscall(regs))
		return;
	if (test_thread_flag(TIF_SYSCALL_TRACE) &&
	    ptrace_report_syscall_entry(regs))
		goto out;
	/*
	 * Seccomp after the tracer, as on x86: -1 skips the call, with the
	 * result the filter chose already in regs->ax.
	 */
	if (test_thread_flag(TIF_SECCOMP) && secure_computing() == -1)
		goto out;
	/* A tracer or a seccomp tracer may have changed the number. */
	nr = regs->orig_ax;
	if (nr < UM_NR_SYSCALLS)
		regs->ax = um_syscall_table[nr](regs->di, regs->si, regs->dx,
						regs->r10, regs->r8, regs->r9);
out:
	if (test_thread_flag(TIF_SYSCALL_TRACE) ||
	    test_thread_flag(TIF_SINGLESTEP))
		ptrace_report_syscall_exit(regs,
					   test_thread_flag(TIF_SINGLESTEP));
}

/* x86-64 mmap() takes a byte offset, the generic code a page number. */
SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len,
		unsigned long, prot, unsigned long, flags,
		unsigned long, fd, unsigned long, byte_offset)
{
	return offset_in_page(byte_offset) ? -EINVAL :
	       ksys_mmap_pgoff(addr, len, prot, flags, fd,
			       byte_offset >> PAGE_SHIFT);
}

SYSCALL_DEFINE2(arch_prctl, int, option, unsigned long, arg2)
{
	struct pt_regs *regs = current_pt_regs();

	switch (option) {
	case ARCH_SET_FS:
		if (arg2 >= TASK_SIZE)
			return -EPERM;
		regs->fs_base = arg2;
		return 0;
	case ARCH_SET_GS:
		if (arg2 >= TASK_SIZE)
			return -EPERM;
		regs->gs_base = arg2;
		return 0;
	case ARCH_GET_FS:
		return put_user(regs->fs_base, (unsigned long __user *)arg2);
	case ARCH_GET_GS:
		return put_user(regs->gs_base, (unsigned long __user *)arg2);
	default:
		return -EINVAL;
	}
}

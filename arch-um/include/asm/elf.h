/* SPDX-License-Identifier: GPL-2.0 */
/* Guest programs are x86-64 ELF files. */
#ifndef _ASM_UM_ELF_H
#define _ASM_UM_ELF_H

#include <asm/user.h>
#include <asm/processor.h>

typedef unsigned long elf_greg_t;
#define ELF_NGREG	UM_NR_GREGS
typedef elf_greg_t elf_gregset_t[ELF_NGREG];
typedef struct user_i387_struct elf_fpregset_t;

#define ELF_CLASS	ELFCLASS64
#define ELF_DATA	ELFDATA2LSB
#define ELF_ARCH	EM_X86_64

#define elf_check_arch(x)	((x)->e_machine == EM_X86_64)

#define ELF_EXEC_PAGESIZE	4096
#define ELF_ET_DYN_BASE		(TASK_SIZE / 3 * 2)
#define ELF_HWCAP		0
#define ELF_PLATFORM		"x86_64"

#define ELF_CORE_COPY_REGS(dest, regs)	\
	memcpy(&(dest), (regs), sizeof(elf_gregset_t));

/* The vDSO (arch-um/kernel/vdso.c), where C libraries look for it. */
#define ARCH_HAS_SETUP_ADDITIONAL_PAGES 1
struct linux_binprm;
int arch_setup_additional_pages(struct linux_binprm *bprm, int uses_interp);
#define ARCH_DLINFO							\
do {									\
	if (current->mm->context.vdso)					\
		NEW_AUX_ENT(AT_SYSINFO_EHDR, current->mm->context.vdso);	\
} while (0)

#define SET_PERSONALITY(ex)	set_personality(PER_LINUX)

#endif /* _ASM_UM_ELF_H */

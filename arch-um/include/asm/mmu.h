/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_MMU_H
#define _ASM_UM_MMU_H

struct stub_data;
struct task_struct;

/*
 * A guest address space on the host: the process that maps it, its stub
 * data pages, and what the host mappings still have to catch up with.
 */
typedef struct {
	int host_pid;			/* 0: no process (yet) */
	struct stub_data *stub;		/* its data pages, in the linear map */
	/* The thread whose FPU state the process holds, if any. */
	struct task_struct *fp_owner;
	/* Range whose host mappings may be out of date. */
	unsigned long sync_start, sync_end;
	/* At least as many as the host mappings made since the last flush. */
	unsigned long host_maps;
	/* Syncs in a row that the host refused (see um_sync_user()). */
	unsigned int host_refusals;
	/* The guest's vDSO (its ELF header), 0 if none; kept across fork. */
	unsigned long vdso;
	/* Where the last write fault was, for fault-ahead (userloop.c). */
	unsigned long last_write_fault;
	/* The host's vDSO is still to be mapped in the process. */
	bool host_vdso_due;
} mm_context_t;

#endif /* _ASM_UM_MMU_H */

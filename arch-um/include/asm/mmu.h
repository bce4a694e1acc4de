/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_MMU_H
#define _ASM_UM_MMU_H

/* Per address space: the host process that holds its mappings. */
typedef struct {
	int host_pid;
} mm_context_t;

#endif /* _ASM_UM_MMU_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Flushing the TLB" means bringing host mappings in line with the page
 * tables.  For the kernel's vmalloc area that happens at once, in the
 * kernel's own process.  For a guest address space the range is noted,
 * and the mappings of its host process are brought up to date in one
 * batch before guest code runs there again.
 */
#ifndef _ASM_UM_TLBFLUSH_H
#define _ASM_UM_TLBFLUSH_H

#include <linux/mm_types.h>
#include <asm/processor.h>

void um_sync_kernel_range(unsigned long start, unsigned long end);
void um_note_user_range(struct mm_struct *mm, unsigned long start,
			unsigned long end);

static inline void flush_tlb_kernel_range(unsigned long start,
					  unsigned long end)
{
	um_sync_kernel_range(start, end);
}

static inline void flush_tlb_mm(struct mm_struct *mm)
{
	um_note_user_range(mm, 0, TASK_SIZE);
}

static inline void flush_tlb_range(struct vm_area_struct *vma,
				   unsigned long start, unsigned long end)
{
	um_note_user_range(vma->vm_mm, start, end);
}

static inline void flush_tlb_page(struct vm_area_struct *vma,
				  unsigned long addr)
{
	um_note_user_range(vma->vm_mm, addr, addr + PAGE_SIZE);
}

static inline void flush_tlb_all(void)
{
}

#endif /* _ASM_UM_TLBFLUSH_H */

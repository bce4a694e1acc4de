/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Flushing the TLB" means bringing host mappings in line with the page
 * tables: for the kernel's vmalloc area, in the kernel's own process.
 */
#ifndef _ASM_UM_TLBFLUSH_H
#define _ASM_UM_TLBFLUSH_H

#include <linux/mm.h>

void um_sync_kernel_range(unsigned long start, unsigned long end);

static inline void flush_tlb_kernel_range(unsigned long start,
					  unsigned long end)
{
	um_sync_kernel_range(start, end);
}

static inline void flush_tlb_all(void)
{
}

static inline void flush_tlb_mm(struct mm_struct *mm)
{
}

static inline void flush_tlb_range(struct vm_area_struct *vma,
				   unsigned long start, unsigned long end)
{
}

static inline void flush_tlb_page(struct vm_area_struct *vma,
				  unsigned long addr)
{
}

#endif /* _ASM_UM_TLBFLUSH_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical addresses are offsets into the guest-memory file.  The kernel
 * sees that file through one linear mapping that starts at PAGE_OFFSET,
 * the address the program is linked at, so the program image itself sits
 * at the bottom of "physical" memory (reserved, never handed out) and
 * virt_to_page() works on kernel symbols as well as on allocations.
 */
#ifndef _ASM_UM_PAGE_H
#define _ASM_UM_PAGE_H

#include <linux/const.h>
#include <host/layout.h>

#define PAGE_SHIFT	CONFIG_PAGE_SHIFT
#define PAGE_SIZE	(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#ifndef __ASSEMBLY__

#include <linux/types.h>
#include <asm/pgtable_types.h>

struct page;

#define PAGE_OFFSET		((unsigned long)HOST_KERNEL_BASE)
#define ARCH_PFN_OFFSET		0UL

#define clear_page(page)	__builtin_memset((void *)(page), 0, PAGE_SIZE)
#define copy_page(to, from)	__builtin_memcpy((void *)(to), (void *)(from), PAGE_SIZE)

/* No cache aliasing: where a page is mapped in user space does not matter. */
static inline void clear_user_page(void *page, unsigned long vaddr,
				   struct page *pg)
{
	clear_page(page);
}

static inline void copy_user_page(void *to, void *from, unsigned long vaddr,
				  struct page *pg)
{
	copy_page(to, from);
}

#define __pa(virt)	((unsigned long)(virt) - PAGE_OFFSET)
#define __va(phys)	((void *)((unsigned long)(phys) + PAGE_OFFSET))
#define __pa_symbol(x)	__pa(RELOC_HIDE((unsigned long)(x), 0))

#define phys_to_pfn(p)	((p) >> PAGE_SHIFT)
#define pfn_to_phys(pfn) PFN_PHYS(pfn)

#define virt_to_page(v)	pfn_to_page(virt_to_pfn(v))
#define page_to_phys(pg)	((phys_addr_t)page_to_pfn(pg) << PAGE_SHIFT)
#define virt_to_pfn(v)	(phys_to_pfn(__pa(v)))
#define pfn_to_virt(pfn) __va(pfn_to_phys(pfn))

extern unsigned long um_phys_end;
/* The first usable physical address; the bytes mem= asked for (mem_max= may add room). */
extern unsigned long um_phys_start, um_mem_boot;
#define virt_addr_valid(v)	(__pa(v) < um_phys_end && \
				 (unsigned long)(v) >= PAGE_OFFSET)

#include <asm-generic/memory_model.h>
#include <asm-generic/getorder.h>

#endif /* __ASSEMBLY__ */


#endif /* _ASM_UM_PAGE_H */

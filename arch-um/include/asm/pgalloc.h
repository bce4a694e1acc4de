/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_PGALLOC_H
#define _ASM_UM_PGALLOC_H

#include <linux/mm.h>
#define __HAVE_ARCH_PGD_FREE
#include <asm-generic/pgalloc.h>

static inline void pmd_populate_kernel(struct mm_struct *mm, pmd_t *pmd,
				       pte_t *pte)
{
	set_pmd(pmd, __pmd(_PAGE_TABLE | __pa(pte)));
}

static inline void pmd_populate(struct mm_struct *mm, pmd_t *pmd,
				pgtable_t pte)
{
	set_pmd(pmd, __pmd(_PAGE_TABLE | page_to_phys(pte)));
}

static inline void pud_populate(struct mm_struct *mm, pud_t *pud, pmd_t *pmd)
{
	set_pud(pud, __pud(_PAGE_TABLE | __pa(pmd)));
}

pgd_t *pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm, pgd_t *pgd);

/*
 * A page-table page freed through the mmu_gather is an ordinary page by
 * the time the gather frees it: its table state (page type, split lock)
 * is undone first, as pte_free() and pmd_free() do for the direct path.
 * Left in place, the page type would sit in _mapcount of the reused page.
 */
#define um_table_free_tlb(tlb, pt, dtor, address)		\
	do {							\
		struct ptdesc *__pt = (pt);			\
								\
		(void)(address);				\
		dtor(__pt);					\
		tlb_remove_page_ptdesc((tlb), __pt);		\
	} while (0)

#define __pte_free_tlb(tlb, pte, address)			\
	um_table_free_tlb(tlb, page_ptdesc(pte), pagetable_pte_dtor, address)
#define __pmd_free_tlb(tlb, pmd, address)			\
	um_table_free_tlb(tlb, virt_to_ptdesc(pmd), pagetable_pmd_dtor, address)

#endif /* _ASM_UM_PGALLOC_H */

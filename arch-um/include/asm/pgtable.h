/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Three-level software page tables (pgd, pmd, pte; p4d and pud folded),
 * 4 KiB pages, 512 GiB of address per table tree.
 *
 * A pte names a page of the guest-memory file (its pfn) and the access the
 * guest wants.  _PAGE_NEEDSYNC marks an entry whose host mapping has not
 * been brought in line with it yet; the code that makes host mappings
 * clears it.
 */
#ifndef _ASM_UM_PGTABLE_H
#define _ASM_UM_PGTABLE_H

#include <asm-generic/pgtable-nopud.h>
#include <asm/page.h>
#include <linux/mm_types.h>

#define PGDIR_SHIFT	30
#define PGDIR_SIZE	(1UL << PGDIR_SHIFT)
#define PGDIR_MASK	(~(PGDIR_SIZE - 1))
#define PMD_SHIFT	21
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))

#define PTRS_PER_PGD	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PTE	512
#define USER_PTRS_PER_PGD	((TASK_SIZE + PGDIR_SIZE - 1) / PGDIR_SIZE)
#define FIRST_USER_ADDRESS	0UL

#define _PAGE_PRESENT	0x001UL
#define _PAGE_RW	0x002UL
#define _PAGE_USER	0x004UL
#define _PAGE_EXEC	0x008UL
#define _PAGE_ACCESSED	0x020UL
#define _PAGE_DIRTY	0x040UL
/* Present to the kernel but inaccessible to the guest (PROT_NONE). */
#define _PAGE_PROTNONE	0x080UL
#define _PAGE_NEEDSYNC	0x100UL
/* Only ever set in swap entries. */
#define _PAGE_SWP_EXCLUSIVE 0x400UL

#define _PAGE_CHG_MASK	(PAGE_MASK | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
			 _PAGE_ACCESSED | _PAGE_DIRTY)

#define PAGE_NONE	__pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
				 _PAGE_ACCESSED)
#define PAGE_SHARED_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
				 _PAGE_ACCESSED | _PAGE_EXEC)
#define PAGE_COPY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY_EXEC	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | \
				 _PAGE_EXEC)
#define PAGE_READONLY	PAGE_COPY
#define PAGE_READONLY_EXEC PAGE_COPY_EXEC
#define PAGE_KERNEL	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | \
				 _PAGE_ACCESSED)
#define PAGE_KERNEL_RO	__pgprot(_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_KERNEL_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | \
				 _PAGE_ACCESSED | _PAGE_EXEC)

#define PFN_PTE_SHIFT	PAGE_SHIFT

#ifndef __ASSEMBLY__

extern pgd_t swapper_pg_dir[PTRS_PER_PGD];

/* The kernel's vmalloc area follows the linear map; set at boot. */
extern unsigned long um_vmalloc_start;
#define VMALLOC_START	um_vmalloc_start
#define VMALLOC_END	0x7000000000UL
#define MODULES_VADDR	VMALLOC_START
#define MODULES_END	VMALLOC_END

extern struct page *um_zero_page;
#define ZERO_PAGE(vaddr)	(um_zero_page)

#define pte_ERROR(e) pr_err("%s:%d: bad pte %016lx\n", __FILE__, __LINE__, \
			    pte_val(e))
#define pmd_ERROR(e) pr_err("%s:%d: bad pmd %016lx\n", __FILE__, __LINE__, \
			    pmd_val(e))
#define pgd_ERROR(e) pr_err("%s:%d: bad pgd %016lx\n", __FILE__, __LINE__, \
			    pgd_val(e))

/* pte */
static inline unsigned long pte_flags(pte_t pte)
{
	return pte_val(pte) & ~PAGE_MASK;
}

static inline int pte_none(pte_t pte)
{
	return !(pte_val(pte) & ~_PAGE_NEEDSYNC);
}

static inline int pte_present(pte_t pte)
{
	return pte_val(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

/* Access bits count only when the page is not PROT_NONE. */
static inline int pte_access(pte_t pte, unsigned long bit)
{
	return (pte_val(pte) & (bit | _PAGE_PROTNONE)) == bit;
}

static inline int pte_read(pte_t pte) { return pte_access(pte, _PAGE_USER); }
static inline int pte_write(pte_t pte) { return pte_access(pte, _PAGE_RW); }
static inline int pte_exec(pte_t pte) { return pte_access(pte, _PAGE_EXEC); }
static inline int pte_dirty(pte_t pte) { return !!(pte_val(pte) & _PAGE_DIRTY); }
static inline int pte_young(pte_t pte) { return !!(pte_val(pte) & _PAGE_ACCESSED); }
#define pte_write pte_write

static inline int pte_needsync(pte_t pte)
{
	return pte_val(pte) & _PAGE_NEEDSYNC;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return pte_val(pte) >> PAGE_SHIFT;
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte((pfn << PAGE_SHIFT) | pgprot_val(prot) | _PAGE_NEEDSYNC);
}

#define pte_page(pte)	pfn_to_page(pte_pfn(pte))
#define mk_pte(page, prot)	pfn_pte(page_to_pfn(page), prot)

static inline pte_t pte_set_bits(pte_t pte, unsigned long bits)
{
	return __pte(pte_val(pte) | bits | _PAGE_NEEDSYNC);
}

static inline pte_t pte_clear_bits(pte_t pte, unsigned long bits)
{
	return __pte((pte_val(pte) & ~bits) | _PAGE_NEEDSYNC);
}

/* pte_mkdirty() and friends: each sets or clears one bit. */
#define UM_PTE_BIT_OP(name, op, bit)				\
	static inline pte_t name(pte_t pte)			\
	{ return op(pte, bit); }

UM_PTE_BIT_OP(pte_mkdirty, pte_set_bits, _PAGE_DIRTY)
UM_PTE_BIT_OP(pte_mkclean, pte_clear_bits, _PAGE_DIRTY)
UM_PTE_BIT_OP(pte_mkyoung, pte_set_bits, _PAGE_ACCESSED)
UM_PTE_BIT_OP(pte_mkold, pte_clear_bits, _PAGE_ACCESSED)
UM_PTE_BIT_OP(pte_mkwrite_novma, pte_set_bits, _PAGE_RW)
UM_PTE_BIT_OP(pte_wrprotect, pte_clear_bits, _PAGE_RW)

static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	return __pte((pte_val(pte) & _PAGE_CHG_MASK) | pgprot_val(newprot) |
		     _PAGE_NEEDSYNC);
}

static inline void set_pte(pte_t *ptep, pte_t pte)
{
	WRITE_ONCE(*ptep, __pte(pte_val(pte) | _PAGE_NEEDSYNC));
}

static inline void pte_clear(struct mm_struct *mm, unsigned long addr,
			     pte_t *ptep)
{
	WRITE_ONCE(*ptep, __pte(_PAGE_NEEDSYNC));
}

static inline int pte_same(pte_t a, pte_t b)
{
	return !((pte_val(a) ^ pte_val(b)) & ~_PAGE_NEEDSYNC);
}
#define __HAVE_ARCH_PTE_SAME

/*
 * The pmd and the pud (which is the pgd entry) each hold the physical
 * address of the next table down, and have the same helpers.
 */
#define UM_TABLE_ENTRY_HELPERS(level, entry_t)				\
static inline int level##_none(entry_t e)				\
{									\
	return !level##_val(e);						\
}									\
static inline int level##_present(entry_t e)				\
{									\
	return level##_val(e) & _PAGE_PRESENT;				\
}									\
static inline int level##_bad(entry_t e)				\
{									\
	return (level##_val(e) & ~PAGE_MASK) != _PAGE_TABLE;		\
}									\
static inline void set_##level(entry_t *p, entry_t e)			\
{									\
	WRITE_ONCE(*p, e);						\
}									\
static inline void level##_clear(entry_t *p)				\
{									\
	set_##level(p, __##level(0));					\
}									\
static inline int level##_leaf(entry_t e)				\
{									\
	return 0;							\
}

/* pmd: holds the physical address of a pte table */
UM_TABLE_ENTRY_HELPERS(pmd, pmd_t)
#define pmd_leaf pmd_leaf

#define pmd_pfn(pmd)		(pmd_val(pmd) >> PAGE_SHIFT)
#define pmd_page(pmd)		pfn_to_page(pmd_pfn(pmd))
#define pmd_page_vaddr(pmd)	((unsigned long)__va(pmd_val(pmd) & PAGE_MASK))

/* pud, which is the pgd entry: holds the physical address of a pmd table */
UM_TABLE_ENTRY_HELPERS(pud, pud_t)
#define pud_leaf pud_leaf

#define pud_pfn(pud)		(pud_val(pud) >> PAGE_SHIFT)
#define pud_page(pud)		pfn_to_page(pud_pfn(pud))
#define pud_pgtable(pud)	((pmd_t *)__va(pud_val(pud) & PAGE_MASK))

/* swap entries: not present, not PROTNONE; type in bits 1-5 */
#define __swp_type(x)		(((x).val >> 1) & 0x1f)
#define __swp_offset(x)		((x).val >> PAGE_SHIFT)
#define __swp_entry(type, offset) \
	((swp_entry_t) { ((type) << 1) | ((offset) << PAGE_SHIFT) })
#define __pte_to_swp_entry(pte) \
	((swp_entry_t) { pte_val(pte) & ~(_PAGE_NEEDSYNC | _PAGE_SWP_EXCLUSIVE) })
#define __swp_entry_to_pte(x)	((pte_t) { (x).val | _PAGE_NEEDSYNC })

static inline int pte_swp_exclusive(pte_t pte)
{
	return pte_val(pte) & _PAGE_SWP_EXCLUSIVE;
}

static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
	return __pte(pte_val(pte) | _PAGE_SWP_EXCLUSIVE);
}

static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	return __pte(pte_val(pte) & ~_PAGE_SWP_EXCLUSIVE);
}

struct vm_area_struct;
void um_update_mmu_cache(struct vm_area_struct *vma, unsigned long addr,
			 pte_t *ptep, unsigned int nr);
#define update_mmu_cache_range(vmf, vma, addr, ptep, nr) \
	um_update_mmu_cache(vma, addr, ptep, nr)
#define update_mmu_cache(vma, addr, ptep) \
	um_update_mmu_cache(vma, addr, ptep, 1)

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_UM_PGTABLE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-table entry types.  The guest's page tables are software only: the
 * host never walks them.  They are the kernel's record of what each guest
 * address space should map, and the source from which host mappings are
 * (re)made.
 */
#ifndef _ASM_UM_PGTABLE_TYPES_H
#define _ASM_UM_PGTABLE_TYPES_H

#ifndef __ASSEMBLY__

typedef struct { unsigned long pte; } pte_t;
typedef struct { unsigned long pmd; } pmd_t;
typedef struct { unsigned long pgd; } pgd_t;
typedef struct { unsigned long pgprot; } pgprot_t;
typedef struct page *pgtable_t;

#define pte_val(x)	((x).pte)
#define pmd_val(x)	((x).pmd)
#define pgd_val(x)	((x).pgd)
#define pgprot_val(x)	((x).pgprot)

#define __pte(x)	((pte_t) { (x) })
#define __pmd(x)	((pmd_t) { (x) })
#define __pgd(x)	((pgd_t) { (x) })
#define __pgprot(x)	((pgprot_t) { (x) })

#endif

#endif /* _ASM_UM_PGTABLE_TYPES_H */

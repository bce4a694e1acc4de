/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _UM_KERNEL_PAGETABLE_H
#define _UM_KERNEL_PAGETABLE_H

#include <linux/pgtable.h>

/* The pte for @addr in the tree at @pgd_base, or NULL if no table. */
pte_t *um_pte_lookup(pgd_t *pgd_base, unsigned long addr);

#endif /* _UM_KERNEL_PAGETABLE_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _UM_KERNEL_PAGETABLE_H
#define _UM_KERNEL_PAGETABLE_H

#include <linux/pgtable.h>

/* The pte for @addr in the tree at @pgd_base, or NULL if no table. */
pte_t *um_pte_lookup(pgd_t *pgd_base, unsigned long addr);

/* What the host should map at one page: nothing, or a page with access. */
struct um_page_view {
	bool mapped;
	int prot;		/* HOST_PROT_* */
	unsigned long phys;	/* where in the memory file */
};

/*
 * Pages gathered into runs: neighbours in address that the host can map
 * as one (contiguous in the memory file too, with the same access), or
 * unmap as one.  @emit is called once for each finished run, [start, end)
 * seen as @view; a caller that needs more state embeds this structure.
 */
struct um_page_runs {
	unsigned long start, end;
	struct um_page_view view;
	void (*emit)(struct um_page_runs *runs);
};

/**
 * um_walk_runs() - walk [@start, @end) of the tree at @pgd in runs.
 *
 * Missing tables are holes, skipped a table at a time.  For each pte,
 * @see fills in the host's view and returns true, or returns false if
 * the host already has that page right, which ends the current run.
 */
void um_walk_runs(pgd_t *pgd, unsigned long start, unsigned long end,
		  bool (*see)(pte_t *ptep, struct um_page_view *v),
		  struct um_page_runs *runs);

#endif /* _UM_KERNEL_PAGETABLE_H */

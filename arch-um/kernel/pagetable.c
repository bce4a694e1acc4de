// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the software page tables, and making the host's view of the
 * kernel's vmalloc area match init_mm's tables.  The walk in runs
 * (um_walk_runs()) serves guest address spaces too (um_sync_user()).
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm/cacheflush.h>
#include <host/mem.h>
#include "pagetable.h"

pte_t *um_pte_lookup(pgd_t *pgd_base, unsigned long addr)
{
	pgd_t *pgd = pgd_base + pgd_index(addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

/* Where the walk may skip ahead when a whole table is missing. */
static unsigned long um_next_table(pgd_t *pgd_base, unsigned long addr)
{
	pud_t *pud = pud_offset(p4d_offset(pgd_base + pgd_index(addr), addr),
				addr);

	if (pud_none(*pud))
		return (addr + PGDIR_SIZE) & PGDIR_MASK;
	return (addr + PMD_SIZE) & PMD_MASK;
}

/* End the current run: hand it to the caller if it covers anything. */
static void um_runs_end(struct um_page_runs *runs)
{
	if (runs->end > runs->start)
		runs->emit(runs);
}

/* Add [addr, end), seen as @v, to the current run or start a new one. */
static void um_runs_add(struct um_page_runs *runs, unsigned long addr,
			unsigned long end, const struct um_page_view *v)
{
	bool same = runs->end == addr && v->mapped == runs->view.mapped &&
		    (!v->mapped || (v->prot == runs->view.prot &&
				    v->phys == runs->view.phys +
					       (addr - runs->start)));

	if (!same) {
		um_runs_end(runs);
		runs->start = addr;
		runs->view = *v;
	}
	runs->end = end;
}

void um_walk_runs(pgd_t *pgd, unsigned long start, unsigned long end,
		  bool (*see)(pte_t *ptep, struct um_page_view *v),
		  struct um_page_runs *runs)
{
	static const struct um_page_view hole = { .mapped = false };
	unsigned long addr = start & PAGE_MASK;

	runs->start = addr;
	runs->end = addr;
	while (addr < end) {
		pte_t *ptep = um_pte_lookup(pgd, addr);
		unsigned long next = addr + PAGE_SIZE;
		struct um_page_view v;

		if (!ptep) {
			next = min(um_next_table(pgd, addr), end);
			um_runs_add(runs, addr, next, &hole);
		} else if (see(ptep, &v)) {
			um_runs_add(runs, addr, next, &v);
		} else {
			/* Already right on the host: ends any run. */
			um_runs_end(runs);
			runs->start = next;
			runs->end = next;
		}
		addr = next;
	}
	um_runs_end(runs);
}

/* The kernel's view of a pte: any present page, at its place in the file. */
static bool um_kernel_view(pte_t *ptep, struct um_page_view *v)
{
	pte_t pte = ptep_get(ptep);

	v->mapped = pte_present(pte);
	v->prot = 0;
	v->phys = pte_pfn(pte) << PAGE_SHIFT;
	return true;
}

static void um_kernel_emit(struct um_page_runs *runs)
{
	unsigned long len = runs->end - runs->start;

	if (runs->view.mapped)
		host_physmem_map(runs->start, runs->view.phys, len);
	else
		host_unmap(runs->start, len);
}

/*
 * Bring [start, end) of the kernel's host mappings in line with init_mm:
 * runs of pages that are contiguous both in address and in the memory
 * file become one host mapping, runs of holes one unmapping.
 *
 * Only the vmalloc area follows init_mm's tables; the linear map is one
 * fixed host mapping that no table describes.  A range may still reach
 * into it: vfree() of an area with VM_FLUSH_RESET_PERMS (a seccomp
 * filter's BPF program, say) flushes the pages' linear-map addresses
 * together with the area, and walking those would unmap kernel memory.
 */
void um_sync_kernel_range(unsigned long start, unsigned long end)
{
	struct um_page_runs runs = { .emit = um_kernel_emit };

	start = max(start, VMALLOC_START);
	end = min(end, VMALLOC_END);
	if (start >= end)
		return;
	um_walk_runs(swapper_pg_dir, start, end, um_kernel_view, &runs);
}

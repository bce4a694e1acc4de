// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the software page tables, and making the host's view of the
 * kernel's vmalloc area match init_mm's tables.
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
	unsigned long addr, run, run_phys = 0;
	bool run_mapped = false;

	start = max(start, VMALLOC_START);
	end = min(end, VMALLOC_END);
	if (start >= end)
		return;
	addr = start & PAGE_MASK;
	run = addr;
	while (addr < end) {
		pte_t *ptep = um_pte_lookup(swapper_pg_dir, addr);
		unsigned long next, phys = 0;
		bool mapped = false;

		if (ptep) {
			pte_t pte = ptep_get(ptep);

			mapped = pte_present(pte);
			phys = pte_pfn(pte) << PAGE_SHIFT;
			next = addr + PAGE_SIZE;
		} else {
			next = min(um_next_table(swapper_pg_dir, addr), end);
		}

		/* Does this page continue the current run? */
		if (addr != run && (mapped != run_mapped ||
		    (mapped && phys != run_phys + (addr - run)))) {
			if (run_mapped)
				host_physmem_map(run, run_phys, addr - run);
			else
				host_unmap(run, addr - run);
			run = addr;
		}
		if (addr == run) {
			run_mapped = mapped;
			run_phys = phys;
		}
		addr = next;
	}
	if (addr > run) {
		if (run_mapped)
			host_physmem_map(run, run_phys, min(addr, end) - run);
		else
			host_unmap(run, min(addr, end) - run);
	}
}

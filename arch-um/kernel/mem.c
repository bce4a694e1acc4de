// SPDX-License-Identifier: GPL-2.0
/*
 * Physical memory: the host side has created the memory file and mapped
 * it at PAGE_OFFSET + phys_start.  Everything below phys_start (the
 * program image, the host heap) is reserved: it has struct pages, so
 * virt_to_page() works on kernel symbols, but is never allocated.
 */
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/swap.h>
#include <asm/page.h>
#include <asm/pgtable.h>
#include <asm/pgalloc.h>
#include <asm/sections.h>
#include <host/mem.h>
#include "um.h"

pgd_t swapper_pg_dir[PTRS_PER_PGD] __page_aligned_bss;
unsigned long um_phys_start __ro_after_init;
unsigned long um_phys_end __ro_after_init;
unsigned long um_mem_boot __ro_after_init;
unsigned long um_vmalloc_start __ro_after_init;
struct page *um_zero_page __ro_after_init;

void __init um_mem_setup(void)
{
	unsigned long start = um_boot_info.phys_start;
	unsigned long end = um_boot_info.phys_end;
	unsigned long max_zone_pfn[MAX_NR_ZONES] = { 0 };
	void *zero;

	um_phys_start = start;
	um_phys_end = end;
	um_mem_boot = um_boot_info.mem_boot;
	/* Keep a gap after the linear map so that overruns fault. */
	um_vmalloc_start = ALIGN((unsigned long)__va(end) + SZ_16M, PMD_SIZE);

	memblock_add(0, end);
	memblock_reserve(0, start);

	min_low_pfn = PFN_UP(start);
	max_low_pfn = max_pfn = PFN_DOWN(end);
	set_max_mapnr(max_pfn);
	high_memory = __va(end);

	zero = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!zero)
		panic("no memory for the zero page");
	max_zone_pfn[ZONE_NORMAL] = max_pfn;
	free_area_init(max_zone_pfn);
	/* Only now is there a mem_map to find its struct page in. */
	um_zero_page = virt_to_page(zero);

	pr_info("guest memory: %lu MiB from physical %#lx, vmalloc from %#lx\n",
		(end - start) >> 20, start, um_vmalloc_start);
}

void __init mem_init(void)
{
	memblock_free_all();

}

/*
 * The init sections live in the program image, not in the memory file:
 * such pages could never be mapped into a guest process, so they are
 * kept rather than handed to the page allocator.
 */
void free_initmem(void)
{
}

pgd_t *pgd_alloc(struct mm_struct *mm)
{
	return (pgd_t *)__get_free_page(GFP_KERNEL | __GFP_ZERO);
}

void pgd_free(struct mm_struct *mm, pgd_t *pgd)
{
	free_page((unsigned long)pgd);
}

static const pgprot_t um_protection_map[16] = {
	[VM_NONE]					= PAGE_NONE,
	[VM_READ]					= PAGE_READONLY,
	[VM_WRITE]					= PAGE_COPY,
	[VM_WRITE | VM_READ]				= PAGE_COPY,
	[VM_EXEC]					= PAGE_READONLY_EXEC,
	[VM_EXEC | VM_READ]				= PAGE_READONLY_EXEC,
	[VM_EXEC | VM_WRITE]				= PAGE_COPY_EXEC,
	[VM_EXEC | VM_WRITE | VM_READ]			= PAGE_COPY_EXEC,
	[VM_SHARED]					= PAGE_NONE,
	[VM_SHARED | VM_READ]				= PAGE_READONLY,
	[VM_SHARED | VM_WRITE]				= PAGE_SHARED,
	[VM_SHARED | VM_WRITE | VM_READ]		= PAGE_SHARED,
	[VM_SHARED | VM_EXEC]				= PAGE_READONLY_EXEC,
	[VM_SHARED | VM_EXEC | VM_READ]			= PAGE_READONLY_EXEC,
	[VM_SHARED | VM_EXEC | VM_WRITE]		= PAGE_SHARED_EXEC,
	[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ]	= PAGE_SHARED_EXEC,
};

pgprot_t vm_get_page_prot(unsigned long vm_flags)
{
	return um_protection_map[vm_flags &
				 (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}
EXPORT_SYMBOL(vm_get_page_prot);

// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's vDSO: clock_gettime(), gettimeofday(), time(), getcpu()
 * and clock_getres() in guest user space, without a trap.
 *
 * Every program gets two mappings from exec on: "[vvar]", the kernel's
 * data page (kept current by the timekeeping code, kernel/time/vsyscall.c)
 * read-only, and "[vdso]", the shared object built from vdso/ (the
 * generic lib/vdso code) that C libraries find through AT_SYSINFO_EHDR.
 * The clocksource is the host's CLOCK_MONOTONIC; the vDSO reads it by
 * calling the host's own vDSO, which every address-space process maps at
 * HOST_VDSO_AT (host/vdso.h), so a guest clock read gives what the system
 * call gives, to the nanosecond the host's clock has.
 *
 * vdso=0 on the command line, or a host that cannot map its vDSO into a
 * process on request, leaves both out: C libraries then make system
 * calls.  Documentation/user-space.rst, "The vDSO".
 */
#include <linux/binfmts.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/time_namespace.h>
#include <linux/timekeeper_internal.h>
#include <asm/vdso/vvar.h>
#include <vdso/datapage.h>
#include <vdso/vsyscall.h>
#include <host/time.h>
#include <host/vdso.h>
#include "um.h"

/* The kernel's data page, in guest memory so that processes can map it. */
struct vdso_data *um_vdso_data;

static bool um_vdso_enabled = true;
static struct host_vdso um_host_vdso;

/* The vDSO image (um_vdso_image), copied into pages of guest memory. */
static struct page **um_vdso_pages;
static unsigned int um_vdso_nr_pages;

static int __init um_vdso_param(char *arg)
{
	return kstrtobool(arg, &um_vdso_enabled);
}
early_param("vdso", um_vdso_param);

bool um_vdso_on(void)
{
	return um_vdso_enabled;
}

const struct host_vdso *um_vdso_host(void)
{
	return &um_host_vdso;
}

/* From setup_arch(), before timekeeping starts writing the data page. */
void __init um_vdso_setup(void)
{
	struct um_vdso_host *host;
	int err;

	BUILD_BUG_ON(sizeof(struct vdso_data) * CS_BASES > UM_VDSO_HOST_OFFSET);
	um_vdso_data = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!um_vdso_data)
		panic("no room for the vDSO data page");
	if (!um_vdso_enabled)
		return;
	err = host_vdso_probe(&um_host_vdso);
	if (err) {
		pr_info("vdso: the host cannot lend its vDSO (%d); clocks are read with system calls\n",
			err);
		um_vdso_enabled = false;
		return;
	}
	host = (void *)um_vdso_data + UM_VDSO_HOST_OFFSET;
	host->clock_gettime = um_host_vdso.clock_gettime;
}

static int __init um_vdso_pages_init(void)
{
	unsigned long size = um_vdso_image_end - um_vdso_image;
	unsigned int i;

	if (!um_vdso_enabled)
		return 0;
	um_vdso_nr_pages = DIV_ROUND_UP(size, PAGE_SIZE);
	um_vdso_pages = kcalloc(um_vdso_nr_pages, sizeof(*um_vdso_pages),
				GFP_KERNEL);
	if (!um_vdso_pages)
		goto fail;
	for (i = 0; i < um_vdso_nr_pages; i++) {
		unsigned long off = i * PAGE_SIZE;

		um_vdso_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!um_vdso_pages[i])
			goto fail;
		memcpy(page_address(um_vdso_pages[i]), um_vdso_image + off,
		       min(size - off, PAGE_SIZE));
	}
	return 0;
fail:
	pr_warn("vdso: no memory for it; clocks are read with system calls\n");
	um_vdso_enabled = false;
	return 0;
}
arch_initcall(um_vdso_pages_init);

/*
 * A data page: the kernel's, or a time namespace's in front of it (see
 * asm/vdso/vvar.h).
 */
static vm_fault_t um_vvar_fault(const struct vm_special_mapping *sm,
				struct vm_area_struct *vma,
				struct vm_fault *vmf)
{
	struct page *ns_page = find_timens_vvar_page(vma);
	unsigned long pfn = PHYS_PFN(__pa(um_vdso_data));

	switch (vmf->pgoff) {
	case 0:
		if (ns_page)
			pfn = page_to_pfn(ns_page);
		break;
	case 1:
		if (!ns_page)
			return VM_FAULT_SIGBUS;
		break;
	default:
		return VM_FAULT_SIGBUS;
	}
	return vmf_insert_pfn(vma, vmf->address, pfn);
}

static int um_vdso_mremap(const struct vm_special_mapping *sm,
			  struct vm_area_struct *new_vma)
{
	current->mm->context.vdso = new_vma->vm_start;
	return 0;
}

static const struct vm_special_mapping um_vvar_mapping = {
	.name	= "[vvar]",
	.fault	= um_vvar_fault,
};

static struct vm_special_mapping um_vdso_mapping = {
	.name	= "[vdso]",
	.mremap	= um_vdso_mremap,
};

/* exec: map the data pages and the vDSO where there is room. */
int arch_setup_additional_pages(struct linux_binprm *bprm, int uses_interp)
{
	struct mm_struct *mm = current->mm;
	unsigned long vvar_len = UM_VVAR_PAGES * PAGE_SIZE;
	unsigned long len = vvar_len + um_vdso_nr_pages * PAGE_SIZE;
	struct vm_area_struct *vma;
	unsigned long addr;
	int err = 0;

	if (!um_vdso_enabled)
		return 0;
	um_vdso_mapping.pages = um_vdso_pages;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	addr = get_unmapped_area(NULL, 0, len, 0, 0);
	if (IS_ERR_VALUE(addr)) {
		err = addr;
		goto out;
	}
	vma = _install_special_mapping(mm, addr, vvar_len,
				       VM_READ | VM_MAYREAD | VM_IO |
				       VM_DONTDUMP | VM_PFNMAP,
				       &um_vvar_mapping);
	if (IS_ERR(vma)) {
		err = PTR_ERR(vma);
		goto out;
	}
	vma = _install_special_mapping(mm, addr + vvar_len, len - vvar_len,
				       VM_READ | VM_EXEC | VM_MAYREAD |
				       VM_MAYWRITE | VM_MAYEXEC,
				       &um_vdso_mapping);
	if (IS_ERR(vma)) {
		do_munmap(mm, addr, vvar_len, NULL);
		err = PTR_ERR(vma);
		goto out;
	}
	mm->context.vdso = addr + vvar_len;
out:
	mmap_write_unlock(mm);
	return err;
}

/*
 * A system call from the host's vDSO, mapped at HOST_VDSO_AT: on a host
 * whose clock cannot be read in user space, it falls back to one, which
 * PTRACE_SYSEMU stops like any.  It asked the host for the host's
 * CLOCK_MONOTONIC (the only clock the guest's vDSO reads through it), and
 * gets it from here.  Anything else is refused (EINVAL).
 */
bool um_vdso_host_syscall(struct pt_regs *regs)
{
	struct __kernel_timespec ts;
	unsigned long long ns;

	if (!um_vdso_enabled || regs->ip < HOST_VDSO_AT ||
	    regs->ip - HOST_VDSO_AT >= um_host_vdso.len)
		return false;
	regs->ax = -EINVAL;
	if (regs->orig_ax != __NR_clock_gettime || regs->di != CLOCK_MONOTONIC)
		return true;
	ns = host_monotonic_ns();
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	regs->ax = copy_to_user((void __user *)regs->si, &ts, sizeof(ts)) ?
		   -EFAULT : 0;
	return true;
}

struct vdso_data *arch_get_vdso_data(void *vvar_page)
{
	return vvar_page;
}

/*
 * A task joins a time namespace: its data pages change (see
 * um_vvar_fault()), so the old ones are dropped and fault in anew.
 */
int vdso_join_timens(struct task_struct *task, struct time_namespace *ns)
{
	struct vm_area_struct *vma;
	struct vma_iterator vmi;

	mmap_read_lock(task->mm);
	vma_iter_init(&vmi, task->mm, 0);
	for_each_vma(vmi, vma)
		if (vma_is_special_mapping(vma, &um_vvar_mapping))
			zap_vma_pages(vma);
	mmap_read_unlock(task->mm);
	return 0;
}

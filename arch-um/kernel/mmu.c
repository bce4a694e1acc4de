// SPDX-License-Identifier: GPL-2.0
/*
 * Guest address spaces on the host.  Every mm has a host process (see
 * host/aspace.h); its mappings follow the mm's page tables in batches:
 * page-table changes note a range (um_note_user_range()), and before
 * guest code runs again um_sync_user() walks that range and queues one
 * mmap() per run of pages contiguous in address, in the memory file and in
 * access, one munmap() per run of holes.  Host mappings of neighbouring
 * guest pages that are neighbours in the file merge.
 *
 * Pages that are not neighbours in the file need one host mapping each,
 * and a host process may hold only vm.max_map_count of them.  So the host
 * mappings of an address space are a cache of its page tables: each mm
 * counts an upper bound of the mappings it made, and when the next could
 * pass UM_HOST_MAPS_MAX, all of them are dropped at once (um_host_flush()).
 * The guest's page tables are untouched; a page whose host mapping is gone
 * faults, the fault finds a pte that allows the access, and the page is
 * mapped again (um_pte_allows() in userloop.c).  The same flush is how a
 * refusal by the host is survived.  Documentation/memory.rst has the
 * figures.
 */
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>
#include <asm/mmu_context.h>
#include <asm/tlbflush.h>
#include <host/aspace.h>
#include <host/stub.h>
#include <host/vdso.h>
#include "pagetable.h"
#include "um.h"

#define UM_STUB_DATA_ORDER	get_order(STUB_DATA_PAGES * PAGE_SIZE)

/*
 * The most host mappings one address space may make between flushes.  An
 * mmap() over part of an older mapping can split it, so each counts as
 * two, an munmap() as one.  Half of the host's default vm.max_map_count,
 * leaving the other half to spare.
 */
#define UM_HOST_MAPS_MAX	32768

void __init um_stub_setup(void)
{
	unsigned long size = host_stub_code_end - host_stub_code;
	void *page = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	int err;

	if (!page || size > PAGE_SIZE)
		panic("cannot place the stub");
	memcpy(page, host_stub_code, size);
	err = host_aspace_init(__pa(page));
	if (err)
		panic("this host cannot run guest processes: %d", err);
}

int init_new_context(struct task_struct *tsk, struct mm_struct *mm)
{
	mm_context_t *ctx = &mm->context;
	struct page *pages;
	int pid;

	pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, UM_STUB_DATA_ORDER);
	if (!pages)
		return -ENOMEM;
	pid = host_aspace_create(page_to_phys(pages));
	if (pid < 0) {
		__free_pages(pages, UM_STUB_DATA_ORDER);
		pr_warn_ratelimited("cannot create a host process: %d\n", pid);
		return -ENOMEM;
	}
	ctx->host_pid = pid;
	ctx->stub = page_address(pages);
	ctx->fp_owner = NULL;
	ctx->sync_start = TASK_SIZE;
	ctx->sync_end = 0;
	ctx->host_maps = 0;
	ctx->host_refusals = 0;
	/* ctx->vdso is the parent's after fork, 0 for exec's new mm. */
	ctx->host_vdso_due = um_vdso_on();
	return 0;
}

void destroy_context(struct mm_struct *mm)
{
	mm_context_t *ctx = &mm->context;

	/* host_pid is 0 if the process was killed from outside. */
	if (ctx->host_pid)
		host_aspace_destroy(ctx->host_pid);
	if (ctx->fp_owner)
		put_task_struct(ctx->fp_owner);
	if (ctx->stub)
		__free_pages(virt_to_page(ctx->stub), UM_STUB_DATA_ORDER);
	ctx->host_pid = 0;
	ctx->fp_owner = NULL;
	ctx->stub = NULL;
}

void um_note_user_range(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	mm_context_t *ctx = &mm->context;

	if (mm == &init_mm || !ctx->host_pid)
		return;
	ctx->sync_start = min(ctx->sync_start, start & PAGE_MASK);
	ctx->sync_end = max(ctx->sync_end, min(PAGE_ALIGN(end), TASK_SIZE));
}

void um_update_mmu_cache(struct vm_area_struct *vma, unsigned long addr,
			 pte_t *ptep, unsigned int nr)
{
	um_note_user_range(vma->vm_mm, addr, addr + nr * PAGE_SIZE);
}

/*
 * The host view of a pte.  Write access only once the pte is dirty and
 * any access only once it is young, so that the first write and the first
 * access reach the kernel and the bits stay true.
 */
static struct um_page_view um_pte_view(pte_t pte)
{
	struct um_page_view v = { .mapped = false };
	unsigned long val = pte_val(pte);

	if (!(val & _PAGE_PRESENT) || (val & _PAGE_PROTNONE))
		return v;
	v.mapped = true;
	v.phys = pte_pfn(pte) << PAGE_SHIFT;
	if ((val & _PAGE_ACCESSED) && (val & _PAGE_USER))
		v.prot = HOST_PROT_READ;
	if ((val & _PAGE_ACCESSED) && (val & _PAGE_EXEC))
		v.prot |= HOST_PROT_READ | HOST_PROT_EXEC;
	if ((val & _PAGE_ACCESSED) && (val & _PAGE_DIRTY) && (val & _PAGE_RW))
		v.prot |= HOST_PROT_WRITE;
	if (!v.prot)
		v.mapped = false;
	return v;
}

struct um_sync_run {
	struct um_page_runs runs;
	struct mm_struct *mm;
	int err;
};

/*
 * A new batch of host changes.  A new process's first batch also maps the
 * host's vDSO there (host/vdso.h), which the guest's vDSO calls.
 */
static int um_batch_start(mm_context_t *ctx)
{
	ctx->stub->nr_ops = 0;
	if (!ctx->host_vdso_due)
		return 0;
	return host_stub_queue_vdso(ctx->stub, um_vdso_host());
}

/* Run the queued batch. */
static int um_batch_run(mm_context_t *ctx)
{
	int err = host_aspace_run_ops(ctx->host_pid, ctx->stub);

	if (!err)
		ctx->host_vdso_due = false;
	return err;
}

/*
 * Drop every host mapping of guest pages in @mm's process, and whatever
 * changes were still queued: one munmap() of all user space, which never
 * needs a new mapping, so the host cannot refuse it for want of one.
 */
static int um_host_flush(struct mm_struct *mm)
{
	mm_context_t *ctx = &mm->context;
	int err;

	err = um_batch_start(ctx);
	if (!err)
		err = host_stub_queue_unmap(ctx->stub, 0, TASK_SIZE);
	if (!err)
		err = um_batch_run(ctx);
	if (!err)
		ctx->host_maps = 0;
	return err;
}

/* One finished run of um_sync_user()'s walk: queue its mmap() or munmap(). */
static void um_queue(struct um_page_runs *runs)
{
	struct um_sync_run *run = container_of(runs, struct um_sync_run, runs);
	mm_context_t *ctx = &run->mm->context;
	unsigned long len = runs->end - runs->start;
	int err, cost = runs->view.mapped ? 2 : 1;

	if (run->err)
		return;
	if (ctx->host_maps + cost > UM_HOST_MAPS_MAX) {
		err = um_host_flush(run->mm);
		if (err) {
			run->err = err;
			return;
		}
	}
	for (;;) {
		if (runs->view.mapped)
			err = host_stub_queue_map(ctx->stub, runs->start, len,
						  runs->view.phys,
						  runs->view.prot);
		else
			err = host_stub_queue_unmap(ctx->stub, runs->start,
						    len);
		if (err != -ENOSPC)
			break;
		err = um_batch_run(ctx);
		if (err)
			break;
	}
	if (!err)
		ctx->host_maps += cost;
	run->err = err;
}

/*
 * The host refused a change (out of memory, a limit) or it failed part of
 * the way.  Its mappings may now be anything between old and new, which is
 * not safe to leave, so all are dropped; the pages come back as they fault.
 * A refusal right after such a flush means the host cannot map even the
 * page being faulted: the caller then ends the process.
 */
static int um_host_refused(struct mm_struct *mm, int err)
{
	mm_context_t *ctx = &mm->context;

	pr_warn_ratelimited("%s[%d]: the host refused a mapping change (%d); its host mappings are dropped\n",
			    current->comm, task_pid_nr(current), err);
	if (um_host_flush(mm) || ++ctx->host_refusals > 1)
		return err;
	return 0;
}

/*
 * A pte whose host mapping is out of date, seen as the host should map it;
 * from now on the host is taken to have it right.
 */
static bool um_user_view(pte_t *ptep, struct um_page_view *v)
{
	if (!pte_needsync(*ptep))
		return false;
	*v = um_pte_view(*ptep);
	*ptep = __pte(pte_val(*ptep) & ~_PAGE_NEEDSYNC);
	return true;
}

int um_sync_user(struct mm_struct *mm)
{
	mm_context_t *ctx = &mm->context;
	unsigned long start = ctx->sync_start, end = ctx->sync_end;
	struct um_sync_run run = { .runs.emit = um_queue, .mm = mm };

	if (start >= end && !ctx->host_vdso_due)
		return 0;
	ctx->sync_start = TASK_SIZE;
	ctx->sync_end = 0;
	/* The guest can write its stub pages: start the batch from nothing. */
	run.err = um_batch_start(ctx);

	if (!run.err && start < end)
		um_walk_runs(mm->pgd, start, end, um_user_view, &run.runs);
	if (!run.err && ctx->stub->nr_ops)
		run.err = um_batch_run(ctx);
	if (run.err)
		return um_host_refused(mm, run.err);
	ctx->host_refusals = 0;
	return 0;
}

/*
 * An address-space process killed from outside (a SIGKILL aimed at it by
 * some host process): the guest program that lived there dies with it, as
 * by SIGKILL in the guest, and the rest of the guest goes on.  The host's
 * SIGCHLD tells that a child ended; if one waits to be reaped, every mm
 * is asked whether it was its.  The tasks, once dead, drop the mm, and
 * destroy_context() reaps the process.
 */
static void um_reap_killed(struct work_struct *work)
{
	struct task_struct *p;

	if (!host_aspace_ended(0))
		return;
	rcu_read_lock();
	for_each_process(p) {
		int pid = 0;

		task_lock(p);
		if (p->mm && !(p->flags & PF_KTHREAD))
			pid = p->mm->context.host_pid;
		task_unlock(p);
		if (pid && host_aspace_ended(pid) &&
		    !fatal_signal_pending(p)) {
			pr_warn("%s[%d]: its host process was killed from outside\n",
				p->comm, task_pid_nr(p));
			send_sig(SIGKILL, p, 1);
		}
	}
	rcu_read_unlock();
}

static DECLARE_WORK(um_reap_killed_work, um_reap_killed);

static irqreturn_t um_child_interrupt(int irq, void *dev)
{
	schedule_work(&um_reap_killed_work);
	return IRQ_HANDLED;
}

static int __init um_child_irq_init(void)
{
	return request_irq(HOST_IRQ_CHILD, um_child_interrupt, 0,
			   "host-child", NULL);
}
arch_initcall(um_child_irq_init);

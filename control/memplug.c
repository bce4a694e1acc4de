// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug of a running guest: "config mem=-SIZE" and "+SIZE".
 *
 * The memory file and the linear map span mem_max= from boot; what the
 * guest does not have is held here.  Unplugging takes blocks from the
 * page allocator like any other allocation, the largest first, hands
 * their pages back to the host (host_physmem_release(): MADV_REMOVE, so
 * the memory file's blocks are freed) and lowers the guest's managed page
 * count, which /proc/meminfo's MemTotal shows.  Plugging frees blocks
 * back to the allocator and raises the count again; the host allocates
 * their pages when the guest first writes them.  No page is moved or
 * written to: a block the allocator cannot give, because the guest uses
 * it, stays with the guest.  At boot the room between mem= and mem_max=
 * is taken the same way, before anything could use it.
 */
#include <linux/ctype.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/vmstat.h>
#include <asm/page.h>
#include <host/mem.h>
#include "control.h"

/* The least a guest keeps, as for mem= at boot. */
#define MEMPLUG_FLOOR		(32UL << 20)
/* Free memory an unplug leaves the guest beyond the allocator's reserves. */
#define MEMPLUG_SLACK_PAGES	((8UL << 20) >> PAGE_SHIFT)

static DEFINE_MUTEX(memplug_lock);
/* Unplugged blocks: linked through page->lru, order in page_private. */
static LIST_HEAD(unplugged);
static unsigned long unplugged_pages;

/* Bytes of guest memory with nothing unplugged: mem_max=. */
static unsigned long memplug_max(void)
{
	return um_phys_end - um_phys_start;
}

/* The guest's memory now, as mem= would say it. */
static unsigned long memplug_size(void)
{
	return memplug_max() - (unplugged_pages << PAGE_SHIFT);
}

/* Allocation flags for a block of @order: high orders never wait. */
static gfp_t block_gfp(unsigned int order)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NOMEMALLOC;

	if (order)
		return gfp & ~__GFP_DIRECT_RECLAIM;
	/* Single pages: page cache may be reclaimed, but never the OOM killer. */
	return gfp | __GFP_NORETRY;
}

/*
 * Whether taking @n more pages would leave the guest too little free
 * memory to go on working: its reserves and a little slack stay free, so
 * that an unplug never starves the guest into the OOM killer.
 */
static bool too_little_left(unsigned long n)
{
	return global_zone_page_state(NR_FREE_PAGES) <
		totalreserve_pages + MEMPLUG_SLACK_PAGES + n;
}

/*
 * Take up to @want pages out of the guest; @release: give them to the
 * host (and leave the guest room to work; at boot neither is needed).
 * Returns the pages taken; *@err is the host's error, if one stopped it.
 */
static unsigned long unplug_pages(unsigned long want, bool release, int *err)
{
	unsigned long done = 0, blocks = 0, n;
	unsigned int order = MAX_PAGE_ORDER, top;
	u64 start = ktime_get_ns(), host_ns = 0, t;
	struct page *page;

	*err = 0;
	while (done < want) {
		/* Each block as large as may be: free large blocks come back. */
		top = min_t(unsigned int, MAX_PAGE_ORDER, ilog2(want - done));
		order = min(order + 1, top);
		if (release)
			while (order && too_little_left(1UL << order))
				order--;
		if (release && too_little_left(1UL << order))
			break;
		while (!(page = alloc_pages(block_gfp(order), order)) && order)
			order--;
		if (!page)
			break;
		n = 1UL << order;
		if (release) {
			t = ktime_get_ns();
			*err = host_physmem_release((unsigned long)page_address(page),
						    n << PAGE_SHIFT);
			host_ns += ktime_get_ns() - t;
			if (*err) {
				__free_pages(page, order);
				break;
			}
		}
		adjust_managed_page_count(page, -(long)n);
		set_page_private(page, order);
		list_add(&page->lru, &unplugged);
		unplugged_pages += n;
		done += n;
		blocks++;
		cond_resched();
	}
	pr_info("control: took %lu pages in %lu blocks in %llu us (%llu us in the host)\n",
		done, blocks, (ktime_get_ns() - start) / 1000, host_ns / 1000);
	return done;
}

/* Give up to @want unplugged pages back to the guest; returns how many. */
static unsigned long plug_pages(unsigned long want)
{
	unsigned long done = 0, n;
	struct page *page, *half;
	unsigned int order;

	while (done < want && !list_empty(&unplugged)) {
		page = list_first_entry(&unplugged, struct page, lru);
		list_del(&page->lru);
		order = page_private(page);
		/* Too big: keep the upper half unplugged, as a block of its own. */
		while ((1UL << order) > want - done) {
			order--;
			half = page + (1UL << order);
			init_page_count(half);
			set_page_private(half, order);
			list_add(&half->lru, &unplugged);
		}
		n = 1UL << order;
		set_page_private(page, 0);
		unplugged_pages -= n;
		adjust_managed_page_count(page, n);
		__free_pages(page, order);
		done += n;
		cond_resched();
	}
	return done;
}

/* "256M", or "1234K" when not a whole number of MiB. */
static const char *size_text(char *buf, size_t len, unsigned long bytes)
{
	if (bytes & ((1UL << 20) - 1))
		snprintf(buf, len, "%luK", bytes >> 10);
	else
		snprintf(buf, len, "%luM", bytes >> 20);
	return buf;
}

/* "config mem": the guest's memory now, in KiB as upstream says it. */
void memplug_show(struct host_control_req *req)
{
	char text[32];

	mutex_lock(&memplug_lock);
	snprintf(text, sizeof(text), "%luK", memplug_size() >> 10);
	mutex_unlock(&memplug_lock);
	control_reply(req, false, text);
}

/*
 * "config mem=-SIZE", "mem=+SIZE" or "mem=SIZE" (the new size): @arg is
 * what follows "mem=".
 */
void memplug_config(struct host_control_req *req, const char *arg)
{
	char text[200], a[24], b[24], c[24];
	unsigned long size = 0, target, now, pages;
	char sign = 0, *end = NULL;
	int err = 0;

	if (*arg == '+' || *arg == '-')
		sign = *arg++;
	if (isdigit(*arg))
		size = memparse(arg, &end);
	if (!isdigit(*arg) || *end || size >= (1UL << 52)) {
		control_reply(req, true,
			      "mem=: not a size (config mem=+SIZE, mem=-SIZE or mem=SIZE; K, M or G)");
		return;
	}
	size &= PAGE_MASK;

	mutex_lock(&memplug_lock);
	now = memplug_size();
	if (sign == '+')
		target = now + size;
	else if (sign == '-')
		target = size > now ? 0 : now - size;
	else
		target = size;
	if (target > memplug_max()) {
		snprintf(text, sizeof(text),
			 "cannot grow to %s: mem_max= is %s (the guest has %s)",
			 size_text(a, sizeof(a), target),
			 size_text(b, sizeof(b), memplug_max()),
			 size_text(c, sizeof(c), now));
		err = 1;
	} else if (target < MEMPLUG_FLOOR) {
		snprintf(text, sizeof(text),
			 "cannot shrink below %s (the guest has %s)",
			 size_text(a, sizeof(a), MEMPLUG_FLOOR),
			 size_text(b, sizeof(b), now));
		err = 1;
	} else if (target >= now) {
		pages = plug_pages((target - now) >> PAGE_SHIFT);
		snprintf(text, sizeof(text), "plugged %s: the guest has %s",
			 size_text(a, sizeof(a), pages << PAGE_SHIFT),
			 size_text(b, sizeof(b), memplug_size()));
	} else {
		int host_err;

		pages = unplug_pages((now - target) >> PAGE_SHIFT, true,
				     &host_err);
		if (pages == (now - target) >> PAGE_SHIFT) {
			snprintf(text, sizeof(text),
				 "unplugged %s: the guest has %s",
				 size_text(a, sizeof(a), pages << PAGE_SHIFT),
				 size_text(b, sizeof(b), memplug_size()));
		} else {
			snprintf(text, sizeof(text),
				 "unplugged only %s of %s (%s): the guest has %s",
				 size_text(a, sizeof(a), pages << PAGE_SHIFT),
				 size_text(b, sizeof(b), now - target),
				 host_err ? "the host refused to take back the rest" :
				 "the guest is using the rest",
				 size_text(c, sizeof(c), memplug_size()));
			err = 1;
		}
		if (host_err)
			pr_warn("control: the host refused unplugged memory: %d\n",
				host_err);
	}
	mutex_unlock(&memplug_lock);
	if (!err)
		pr_info("control: %s\n", text);
	control_reply(req, err, text);
}

/* Before anything can use it, hold back what mem_max= adds to mem=. */
static int __init memplug_init(void)
{
	unsigned long boot = um_mem_boot, want, got;
	int err;

	if (boot >= memplug_max())
		return 0;
	want = (memplug_max() - boot) >> PAGE_SHIFT;
	/* Never touched yet: nothing to give the host. */
	got = unplug_pages(want, false, &err);
	pr_info("control: memory %luM, up to %luM with config mem=+\n",
		memplug_size() >> 20, memplug_max() >> 20);
	if (got != want)
		pr_warn("control: could hold back only %lu of %lu pages\n",
			got, want);
	return 0;
}
core_initcall(memplug_init);

/* mem_max= is the host half's; the kernel only accepts it. */
static int __init memplug_mem_max(char *str)
{
	return 1;
}
__setup("mem_max=", memplug_mem_max);

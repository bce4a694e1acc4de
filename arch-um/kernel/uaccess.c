// SPDX-License-Identifier: GPL-2.0
/*
 * Access to guest user memory.  The kernel's host process does not map
 * it, so every access looks the page up in the current task's page tables
 * and copies through the linear map of the memory file, faulting the page
 * in first when it is missing or read-only.
 *
 * One CPU and no kernel preemption: nothing can change the tables between
 * the lookup and the copy, which does not sleep.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include "pagetable.h"

/* The kernel address of user byte @addr, or NULL if it cannot be had. */
static void *um_user_addr(unsigned long addr, bool write)
{
	struct mm_struct *mm = current->mm;
	pte_t *ptep;
	pte_t pte;
	int tries;

	if (!mm || addr >= TASK_SIZE)
		return NULL;

	for (tries = 0; tries < 2; tries++) {
		ptep = um_pte_lookup(mm->pgd, addr);
		if (ptep) {
			pte = ptep_get(ptep);
			if ((pte_val(pte) & _PAGE_PRESENT) &&
			    (pte_val(pte) & _PAGE_USER) &&
			    (!write || pte_write(pte))) {
				pte = pte_mkyoung(pte);
				if (write)
					pte = pte_mkdirty(pte);
				set_pte(ptep, pte);
				return __va((pte_pfn(pte) << PAGE_SHIFT) +
					    (addr & ~PAGE_MASK));
			}
		}
		if (tries || pagefault_disabled())
			return NULL;
		mmap_read_lock(mm);
		if (fixup_user_fault(mm, addr, write ? FAULT_FLAG_WRITE : 0,
				     NULL)) {
			mmap_read_unlock(mm);
			return NULL;
		}
		mmap_read_unlock(mm);
	}
	return NULL;
}

/*
 * Call @op on each piece of [addr, addr + n) that lies in one page.
 * Returns the number of bytes not done.
 */
static unsigned long um_user_walk(unsigned long addr, unsigned long n,
				  bool write,
				  int (*op)(void *kaddr, unsigned long len,
					    void *arg),
				  void *arg)
{
	while (n) {
		unsigned long len = min(n, PAGE_SIZE - (addr & ~PAGE_MASK));
		void *kaddr = um_user_addr(addr, write);

		if (!kaddr || op(kaddr, len, arg))
			return n;
		addr += len;
		n -= len;
	}
	return 0;
}

static int um_copy_out(void *kaddr, unsigned long len, void *arg)
{
	const char **from = arg;

	memcpy(kaddr, *from, len);
	*from += len;
	return 0;
}

static int um_copy_in(void *kaddr, unsigned long len, void *arg)
{
	char **to = arg;

	memcpy(*to, kaddr, len);
	*to += len;
	return 0;
}

static int um_zero(void *kaddr, unsigned long len, void *arg)
{
	memset(kaddr, 0, len);
	return 0;
}

unsigned long raw_copy_to_user(void __user *to, const void *from,
			       unsigned long n)
{
	return um_user_walk((unsigned long)to, n, true, um_copy_out, &from);
}
EXPORT_SYMBOL(raw_copy_to_user);

unsigned long raw_copy_from_user(void *to, const void __user *from,
				 unsigned long n)
{
	return um_user_walk((unsigned long)from, n, false, um_copy_in, &to);
}
EXPORT_SYMBOL(raw_copy_from_user);

unsigned long __clear_user(void __user *mem, unsigned long len)
{
	return um_user_walk((unsigned long)mem, len, true, um_zero, NULL);
}
EXPORT_SYMBOL(__clear_user);

struct um_strcopy {
	char *dst;	/* NULL when only measuring */
	long done;
	long limit;
	bool found_nul;
};

static int um_str_piece(void *kaddr, unsigned long len, void *arg)
{
	struct um_strcopy *sc = arg;
	long room = sc->limit - sc->done;
	long take = min_t(long, len, room);
	char *nul = memchr(kaddr, 0, take);

	if (nul)
		take = nul - (char *)kaddr;
	if (sc->dst)
		memcpy(sc->dst + sc->done, kaddr, take);
	sc->done += take;
	sc->found_nul = nul != NULL;
	/* Stop the walk (non-zero) once the string or the room has ended. */
	return sc->found_nul || sc->done == sc->limit;
}

static long um_user_string(char *dst, const char __user *src, long count,
			   struct um_strcopy *sc)
{
	unsigned long addr = (unsigned long)src;

	sc->dst = dst;
	sc->done = 0;
	sc->limit = count;
	sc->found_nul = false;
	if (count <= 0)
		return 0;
	/* The walk "fails" when um_str_piece stops it: tell that from a fault. */
	if (um_user_walk(addr, count, false, um_str_piece, sc) &&
	    !sc->found_nul && sc->done != sc->limit)
		return -EFAULT;
	return 0;
}

long strncpy_from_user(char *dst, const char __user *src, long count)
{
	struct um_strcopy sc;
	long err = um_user_string(dst, src, count, &sc);

	if (err)
		return err;
	if (sc.found_nul)
		dst[sc.done] = '\0';
	return sc.done;
}
EXPORT_SYMBOL(strncpy_from_user);

long strnlen_user(const char __user *str, long n)
{
	struct um_strcopy sc;

	if (um_user_string(NULL, str, n, &sc))
		return 0;
	/* Length including the NUL, or more than n if there is none. */
	return sc.found_nul ? sc.done + 1 : n + 1;
}
EXPORT_SYMBOL(strnlen_user);

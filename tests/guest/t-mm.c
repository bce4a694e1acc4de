// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: mmap/munmap/mprotect/mremap, brk, shared and private file
 * mappings, copy-on-write after fork, shared anonymous memory across
 * fork, madvise, and many mappings at once.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "tap.h"

static long page;

/* --- probing access without dying --- */

static sigjmp_buf probe_env;

static void probe_handler(int sig)
{
	siglongjmp(probe_env, 1);
}

/* can(addr, write): 1 if the access works, 0 if it raises SIGSEGV/SIGBUS. */
static int can(volatile char *addr, int write)
{
	struct sigaction sa, old_segv, old_bus;
	volatile int good = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(probe_env, 1) == 0) {
		if (write)
			*addr = *addr;
		else
			(void)*addr;
	} else {
		good = 0;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return good;
}

static int all_bytes(const char *p, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* --- anonymous mappings --- */

static void test_anon(void)
{
	size_t len = 16 * page, i;
	char *p, *q;
	int good = 1;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok(p != MAP_FAILED, "mmap 16 anonymous pages"))
		return;
	ok(all_bytes(p, len, 0), "fresh anonymous memory reads as zeros");
	for (i = 0; i < len; i++)
		p[i] = (char)(i * 13);
	for (i = 0; i < len; i++)
		good &= p[i] == (char)(i * 13);
	ok(good, "writes read back");

	ok(mprotect(p + 4 * page, page, PROT_READ) == 0, "mprotect one page read-only");
	ok(can(p + 4 * page, 0) && !can(p + 4 * page, 1),
	   "it reads but no longer writes");
	ok(can(p + 3 * page, 1) && can(p + 5 * page, 1), "its neighbours still write");
	mprotect(p + 4 * page, page, PROT_NONE);
	ok(!can(p + 4 * page, 0), "PROT_NONE: not even reads");
	mprotect(p + 4 * page, page, PROT_READ | PROT_WRITE);
	ok(can(p + 4 * page, 1) && p[4 * page + 1] == (char)((4 * page + 1) * 13),
	   "back to read-write, contents kept");

	ok(munmap(p + 8 * page, page) == 0, "munmap a page in the middle");
	ok(!can(p + 8 * page, 0) && can(p + 7 * page, 0) && can(p + 9 * page, 0),
	   "only that page is gone");

	/* a hint that is free must be honoured with MAP_FIXED_NOREPLACE */
	q = mmap(p + 8 * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED_NOREPLACE, -1, 0);
	ok(q == p + 8 * page, "MAP_FIXED_NOREPLACE fills the hole");
	q = mmap(p, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0);
	ok(q == MAP_FAILED && errno == EEXIST, "and refuses an occupied range (EEXIST)");
	q = mmap(p, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	ok(q == p && p[1] == 0, "MAP_FIXED replaces a page with a fresh zero one");

	madvise(p + 2 * page, page, MADV_DONTNEED);
	ok(all_bytes(p + 2 * page, page, 0) && p[3 * page] == (char)(3 * page * 13),
	   "MADV_DONTNEED zeroes a private anonymous page, and only it");
	ok(munmap(p, len) == 0 && !can(p, 0) && !can(p + len - 1, 0),
	   "munmap the whole range");
	q = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(q == MAP_FAILED && errno == EINVAL, "mmap of length 0 fails EINVAL");
}

static void test_mremap(void)
{
	char *p, *q, *fixed;
	size_t i;
	int good = 1;

	p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return;
	for (i = 0; i < 4 * (size_t)page; i++)
		p[i] = (char)(i ^ 0x5a);
	/* block growth in place so that the move really happens */
	mmap(p + 4 * page, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	q = mremap(p, 4 * page, 64 * page, MREMAP_MAYMOVE);
	if (!ok(q != MAP_FAILED, "mremap grows 4 to 64 pages (MREMAP_MAYMOVE)"))
		return;
	for (i = 0; i < 4 * (size_t)page; i++)
		good &= q[i] == (char)(i ^ 0x5a);
	ok(good && q != p, "moved, with its contents");
	ok(can(q + 63 * page, 1) && q[63 * page] == 0, "the new part is usable and zero");
	ok(!can(p, 0), "the old place is unmapped");
	q = mremap(q, 64 * page, 2 * page, 0);
	ok(q != MAP_FAILED && !can(q + 2 * page, 0) && q[page] == (char)(page ^ 0x5a),
	   "mremap shrinks in place");
	fixed = mmap(NULL, 8 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = mremap(q, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, fixed + 3 * page);
	ok(p == fixed + 3 * page && p[1] == (char)(1 ^ 0x5a),
	   "MREMAP_FIXED moves to a chosen address");
	munmap(fixed, 8 * page);
	munmap(q, 2 * page);
}

static void test_brk(void)
{
	char *start = (char *)syscall(SYS_brk, 0), *end, *now;
	long grow = 64 * page;

	ok(start != NULL && start != (char *)-1, "brk(0) reports the break (%p)", start);
	end = (char *)syscall(SYS_brk, start + grow);
	ok(end == start + grow, "brk grows the heap by %ld KiB", grow / 1024);
	if (end == start + grow) {
		memset(start, 0x77, grow);
		ok(all_bytes(start, grow, 0x77), "the new heap is writable");
		now = (char *)syscall(SYS_brk, start + page);
		ok(now == start + page && !can(start + 2 * page, 0),
		   "brk shrinks it; memory above is gone");
		now = (char *)syscall(SYS_brk, start + 2 * page);
		ok(now == start + 2 * page && start[page] == 0,
		   "grown again, the page reads zero (not the old contents)");
		syscall(SYS_brk, start);
	}
	now = (char *)syscall(SYS_brk, (char *)0x1000);
	ok(now == start, "a brk below the heap start is refused (break unchanged)");
	ok(sbrk(0) != (void *)-1, "sbrk(0) works");
}

/* --- file mappings --- */

static void test_file(void)
{
	char path[64], buf[64], *sh, *pv;
	size_t len = 4 * page;
	int fd;

	snprintf(path, sizeof(path), "/tmp/t-mm-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!ok(fd >= 0 && ftruncate(fd, len) == 0, "a 4-page file in /tmp")) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (pwrite(fd, "file-start", 10, 0) != 10 ||
	    pwrite(fd, "page-two", 8, 2 * page) != 8)
		diag("pwrite: %s", strerror(errno));
	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!ok(sh != MAP_FAILED && pv != MAP_FAILED, "map it MAP_SHARED and MAP_PRIVATE"))
		goto out;
	ok(memcmp(sh, "file-start", 10) == 0 && memcmp(sh + 2 * page, "page-two", 8) == 0,
	   "MAP_SHARED shows the file's contents");
	ok(memcmp(pv, "file-start", 10) == 0, "MAP_PRIVATE shows them too");

	memcpy(sh + page + 5, "shared-write", 12);
	ok(msync(sh, len, MS_SYNC) == 0, "msync");
	ok(pread(fd, buf, 12, page + 5) == 12 && memcmp(buf, "shared-write", 12) == 0,
	   "a MAP_SHARED write reaches the file");
	ok(memcmp(pv + page + 5, "shared-write", 12) == 0,
	   "and an untouched MAP_PRIVATE page of the same file sees it");

	if (pwrite(fd, "pwritten", 8, 3 * page + 1) != 8)
		diag("pwrite: %s", strerror(errno));
	ok(memcmp(sh + 3 * page + 1, "pwritten", 8) == 0, "a pwrite shows in MAP_SHARED");

	memcpy(pv, "private!!!", 10);
	ok(memcmp(pv, "private!!!", 10) == 0, "MAP_PRIVATE write reads back");
	ok(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "file-start", 10) == 0 &&
	   memcmp(sh, "file-start", 10) == 0, "but does not reach the file or MAP_SHARED");
	memcpy(sh, "FILE-START", 10);
	ok(memcmp(pv, "private!!!", 10) == 0,
	   "a copied private page no longer follows the file");

	/* truncate below a shared mapping: the pages beyond are gone (SIGBUS) */
	ok(ftruncate(fd, page) == 0 && !can(sh + 2 * page, 0) && can(sh + 10, 0),
	   "after truncation, pages past the end fault, the first page stays");
	munmap(sh, len);
	munmap(pv, len);
out:
	close(fd);
	unlink(path);
}

/* --- fork --- */

static void test_cow(void)
{
	size_t len = 64 * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	int to_child[2], to_parent[2], status;
	pid_t child;
	char c;

	if (p == MAP_FAILED || pipe(to_child) || pipe(to_parent))
		return;
	memset(p, 'P', len);
	child = fork();
	if (child == 0) {
		int bad = 0;

		bad |= !all_bytes(p, len, 'P');		/* inherited */
		memset(p, 'C', len / 2);		/* our copy only */
		bad |= !all_bytes(p, len / 2, 'C');
		(void)!write(to_parent[1], "w", 1);
		(void)!read(to_child[0], &c, 1);	/* parent wrote its half */
		bad |= !all_bytes(p + len / 2, len / 2, 'P') << 1;
		_exit(bad);
	}
	(void)!read(to_parent[0], &c, 1);
	ok(all_bytes(p, len, 'P'), "child's writes after fork are not seen by the parent");
	memset(p + len / 2, 'Q', len / 2);
	(void)!write(to_child[1], "w", 1);
	status = wait_child(child, 20);
	ok(exited_with(status, 0),
	   "child saw the parent's data, then only its own writes (%s)", status_str(status));
	ok(all_bytes(p, len / 2, 'P') && all_bytes(p + len / 2, len / 2, 'Q'),
	   "parent keeps its own copy");
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);

	/* the same for the stack and a static variable */
	{
		static volatile long stat = 1;
		volatile long local = 2;

		child = fork();
		if (child == 0) {
			stat = 10;
			local = 20;
			_exit(stat == 10 && local == 20 ? 0 : 1);
		}
		status = wait_child(child, 20);
		ok(exited_with(status, 0) && stat == 1 && local == 2,
		   "copy-on-write of .data/.bss and the stack");
	}

	/* a read-only private page stays shared until written; then copied */
	mprotect(p, page, PROT_READ);
	child = fork();
	if (child == 0) {
		mprotect(p, page, PROT_READ | PROT_WRITE);
		p[0] = 'X';
		_exit(p[0] == 'X' ? 0 : 1);
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 0) && p[0] == 'P',
	   "child's mprotect + write of a read-only private page stays its own");
	munmap(p, len);
}

static void test_shared_anon(void)
{
	size_t len = 16 * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	int status;
	pid_t child;

	if (!ok(p != MAP_FAILED, "mmap MAP_SHARED|MAP_ANONYMOUS"))
		return;
	memset(p, 'a', len);
	child = fork();
	if (child == 0) {
		int bad = !all_bytes(p, len, 'a');

		memset(p, 'b', len);
		_exit(bad);
	}
	status = wait_child(child, 20);
	ok(exited_with(status, 0) && all_bytes(p, len, 'b'),
	   "shared anonymous memory: the child's writes are the parent's");
	child = fork();
	if (child == 0) {
		/* MAP_SHARED survives a second generation too */
		pid_t grandchild = fork();

		if (grandchild == 0) {
			p[len - 1] = 'g';
			_exit(0);
		}
		waitpid(grandchild, NULL, 0);
		_exit(0);
	}
	wait_child(child, 20);
	ok(p[len - 1] == 'g', "and a grandchild's");
	munmap(p, len);
}

/* Many mappings at once (what merging host mappings must keep bounded). */
static void test_many(void)
{
	enum { N = 2000 };
	static char *maps[N];
	int i, n = 0, good = 1;
	size_t big = 64UL << 20, off;
	char *b;

	for (i = 0; i < N; i++) {
		/* alternating protections keep the kernel from merging them */
		maps[i] = mmap(NULL, page, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[i] == MAP_FAILED)
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		if (!(i & 1))
			maps[i][0] = (char)i;
	for (i = 0; i < n; i++)
		good &= maps[i][0] == (i & 1 ? 0 : (char)i);
	ok(n == N && good, "%d separate one-page mappings, all usable (%d)", N, n);
	for (i = 0; i < n; i++)
		munmap(maps[i], page);

	b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok(b != MAP_FAILED, "mmap 64 MiB"))
		return;
	for (off = 0; off < big; off += page)
		b[off] = (char)(off / page);
	for (off = 0; off < big; off += page)
		good &= b[off] == (char)(off / page);
	ok(good, "touch and check all %zu of its pages", big / page);
	munmap(b, big);
}

int main(void)
{
	tap_init("t-mm", 120);
	page = sysconf(_SC_PAGESIZE);
	test_anon();
	test_mremap();
	test_brk();
	test_file();
	test_cow();
	test_shared_anon();
	test_many();
	return tap_done();
}

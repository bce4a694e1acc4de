// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults and fault-around: a fault maps more than its own page in a
 * guest (present neighbours; fresh anonymous pages ahead of a program
 * writing page after page), and none of that may show.  Pages ahead read
 * as zero; a write that runs up to the end of a mapping, to a PROT_NONE
 * guard page, or to an mprotect()ed read-only page still faults there
 * with the right si_code and address; copy-on-write after fork keeps
 * parent and child apart, however their pages were mapped.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include "tap.h"

#define PG 4096UL

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(env, 1);
}

/* Write one byte at @p: 0 if it worked, else the si_code of the SIGSEGV. */
static int try_write(volatile char *p, char v)
{
	fault_addr = NULL;
	fault_code = 0;
	if (sigsetjmp(env, 1))
		return fault_code;
	*p = v;
	return 0;
}

static int try_read(volatile char *p)
{
	fault_addr = NULL;
	fault_code = 0;
	if (sigsetjmp(env, 1))
		return fault_code;
	(void)*p;
	return 0;
}

static char *map(unsigned long pages, int prot)
{
	char *m = mmap(NULL, pages * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

/* Sequential writes of a fresh region; each page keeps its own tag. */
static int sequential(unsigned long pages)
{
	char *m = map(pages, PROT_READ | PROT_WRITE);
	unsigned long i, bad = 0;

	if (!m)
		return 0;
	for (i = 0; i < pages; i++) {
		if (m[i * PG] != 0 || m[i * PG + PG - 1] != 0)
			bad++;
		m[i * PG] = (char)(i * 7 + 1);
		m[i * PG + 100] = (char)i;
	}
	for (i = 0; i < pages; i++)
		if (m[i * PG] != (char)(i * 7 + 1) || m[i * PG + 100] != (char)i)
			bad++;
	munmap(m, pages * PG);
	return bad == 0;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	unsigned long i;
	char *m, *ro;
	int code, status, p[2];
	pid_t pid;

	tap_init("t-faults", 120);
	sigaction(SIGSEGV, &sa, NULL);

	ok(sequential(16384), "64 MiB written page by page reads back, fresh pages zero");
	ok(sequential(3), "a 3-page mapping written page by page");

	/* 37 pages, then a PROT_NONE guard page, then nothing. */
	m = map(39, PROT_READ | PROT_WRITE);
	if (!m)
		return tap_done();
	munmap(m + 38 * PG, PG);
	mprotect(m + 37 * PG, PG, PROT_NONE);
	for (i = 0, code = 0; i < 37 && !code; i++)
		code = try_write(m + i * PG, 1);
	ok(!code, "37 pages written in order up to a guard page");
	code = try_write(m + 37 * PG, 1);
	ok(code == SEGV_ACCERR && fault_addr == m + 37 * PG,
	   "the guard page right after them faults (SEGV_ACCERR at its address)");
	code = try_read(m + 37 * PG + 8);
	ok(code == SEGV_ACCERR, "so does reading it");
	code = try_write(m + 38 * PG, 1);
	ok(code == SEGV_MAPERR && fault_addr == m + 38 * PG,
	   "the unmapped page after it faults (SEGV_MAPERR)");
	munmap(m, 38 * PG);

	/* A run that ends where the mapping ends, with nothing after it. */
	m = map(64, PROT_READ | PROT_WRITE);
	munmap(m + 21 * PG, 43 * PG);
	for (i = 0, code = 0; i < 21 && !code; i++)
		code = try_write(m + i * PG, 2);
	ok(!code, "a 21-page mapping written in order");
	code = try_write(m + 21 * PG, 1);
	ok(code == SEGV_MAPERR && fault_addr == m + 21 * PG,
	   "the first page after its end faults (SEGV_MAPERR)");
	munmap(m, 21 * PG);

	/* mprotect() boundaries inside a run. */
	m = map(64, PROT_READ | PROT_WRITE);
	mprotect(m + 20 * PG, 4 * PG, PROT_READ);
	mprotect(m + 40 * PG, 2 * PG, PROT_NONE);
	for (i = 0, code = 0; i < 20 && !code; i++)
		code = try_write(m + i * PG, 3);
	ok(!code, "writes up to a read-only part");
	ok(try_read(m + 21 * PG) == 0 && m[21 * PG] == 0,
	   "the read-only part reads as zero");
	code = try_write(m + 21 * PG, 1);
	ok(code == SEGV_ACCERR && fault_addr == m + 21 * PG,
	   "and refuses a write (SEGV_ACCERR)");
	for (i = 24, code = 0; i < 40 && !code; i++)
		code = try_write(m + i * PG, 4);
	ok(!code, "writes after it, up to a PROT_NONE part");
	ok(try_read(m + 40 * PG) == SEGV_ACCERR &&
	   try_write(m + 41 * PG, 1) == SEGV_ACCERR,
	   "the PROT_NONE part refuses reads and writes");
	for (i = 42, code = 0; i < 64 && !code; i++)
		code = try_write(m + i * PG, 5);
	ok(!code && m[19 * PG] == 3 && m[24 * PG] == 4 && m[63 * PG] == 5,
	   "and the pages after it are writable and keep what was written");
	mprotect(m + 20 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	ok(try_write(m + 22 * PG, 6) == 0 && m[22 * PG] == 6,
	   "made writable again, the read-only part takes writes");
	munmap(m, 64 * PG);

	/* Copy-on-write after fork, pages mapped in runs on both sides. */
	m = map(256, PROT_READ | PROT_WRITE);
	for (i = 0; i < 256; i++)
		m[i * PG] = (char)i;
	if (pipe(p))
		return tap_done();
	pid = fork();
	if (pid == 0) {
		char c;
		int bad = 0;

		for (i = 0; i < 256; i++)
			bad += m[i * PG] != (char)i;
		for (i = 0; i < 256; i += 2)
			m[i * PG] = 'c';
		/* Wait for the parent's writes, then look again. */
		if (read(p[0], &c, 1) != 1)
			bad++;
		for (i = 0; i < 256; i++)
			bad += m[i * PG] != (i % 2 ? (char)i : 'c');
		_exit(bad ? 1 : 0);
	}
	for (i = 1; i < 256; i += 2)
		m[i * PG] = 'p';
	if (write(p[1], "x", 1) != 1)
		diag("pipe write failed");
	status = wait_child(pid, 60);
	ok(status == 0, "after fork, the child sees the pages as they were, then its own writes only (%s)",
	   status_str(status));
	code = 0;
	for (i = 0; i < 256; i++)
		code += m[i * PG] != (i % 2 ? 'p' : (char)i);
	ok(code == 0, "after fork, the parent's pages keep its own writes only");
	munmap(m, 256 * PG);

	/* A read-only file-like mapping next to a writable one. */
	ro = map(8, PROT_READ);
	ok(ro && try_read(ro + 3 * PG) == 0 && try_write(ro + 4 * PG, 1) == SEGV_ACCERR,
	   "a read-only anonymous mapping reads zero and refuses writes");
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Memory use that would need one host mapping per page if the port mapped
 * guest pages where they fall in the memory file: a region touched page by
 * page in random order, every other page of a region mprotect()ed, tens of
 * thousands of small mmap()s, and fork and exit of a process holding all
 * of that.  Every page is written and read back, so a page mapped at the
 * wrong place or lost shows.  The host side samples the number of host
 * mappings meanwhile (tests/cases/42-memory.sh).
 *
 *   t-hostmaps [MIB [MAPS]]
 *	MIB is the random-touch region (default a third of MemAvailable);
 *	the mprotect region is half of it.  MAPS small mappings are made
 *	(default 50,000, or fewer if a sixth of MemAvailable cannot hold
 *	them).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include "tap.h"

static long page;

/* The word written at each page: its index, mixed with a salt. */
static uint64_t mark(uint64_t i, uint64_t salt)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL ^ salt;
}

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static long mem_available_mib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

/* Raise the guest's own vm.max_map_count: the guest may need many maps. */
static void raise_guest_map_limit(void)
{
	int fd = open("/proc/sys/vm/max_map_count", O_WRONLY);

	if (fd < 0)
		return;
	(void)!write(fd, "2000000", 7);
	close(fd);
}

/* Touch N pages of R in a random order, then check them all. */
static int random_touch(char *r, size_t n)
{
	uint32_t *order = malloc(n * sizeof(*order));
	size_t i, j, bad = 0;
	uint32_t t;

	if (!order)
		return 0;
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = rng() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++)
		*(uint64_t *)(r + (size_t)order[i] * page) = mark(order[i], 1);
	for (i = 0; i < n; i++)
		bad += *(uint64_t *)(r + (size_t)order[n - 1 - i] * page) !=
		       mark(order[n - 1 - i], 1);
	free(order);
	if (bad)
		diag("%zu of %zu pages read back wrong", bad, n);
	return bad == 0;
}

/* Every other page read-only, then every page read, the others written. */
static int alternate_protect(char *r, size_t n, size_t *refused)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		*(uint64_t *)(r + i * page) = mark(i, 2);
	*refused = 0;
	for (i = 0; i < n; i += 2)
		if (mprotect(r + i * page, page, PROT_READ))
			(*refused)++;
	for (i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)(r + i * page);

		bad += *w != mark(i, 2);
		if (i % 2)
			*w = mark(i, 3);
	}
	for (i = 1; i < n; i += 2)
		bad += *(uint64_t *)(r + i * page) != mark(i, 3);
	if (bad)
		diag("%zu of %zu pages wrong after mprotect", bad, n);
	return bad == 0 && *refused == 0;
}

#define SMALL_MAPS	50000

static char *small[SMALL_MAPS];
static size_t nr_small = SMALL_MAPS;

static int many_small_maps(void)
{
	size_t i, made = 0, bad = 0;

	for (i = 0; i < nr_small; i++) {
		small[i] = mmap(NULL, page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (small[i] == MAP_FAILED) {
			small[i] = NULL;
			continue;
		}
		made++;
		*(uint64_t *)small[i] = mark(i, 4);
	}
	for (i = 0; i < nr_small; i++)
		if (small[i])
			bad += *(uint64_t *)small[i] != mark(i, 4);
	if (made != nr_small || bad)
		diag("%zu of %zu mappings made, %zu wrong", made, nr_small, bad);
	return made == nr_small && bad == 0;
}

/* Do the first N pages of R still hold random_touch()'s marks? */
static int unchanged(char *r, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		bad += *(uint64_t *)(r + i * page) != mark(i, 1);
	return bad == 0;
}

/* A child checks (and writes, copy-on-write) everything, then exits. */
static int fork_holding(char *r, size_t n, char *p, size_t np)
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		size_t i, bad = 0;

		for (i = 0; i < n; i += 7) {
			bad += *(uint64_t *)(r + i * page) != mark(i, 1);
			*(uint64_t *)(r + i * page) = 0;
		}
		for (i = 1; i < np; i += 2)
			bad += *(uint64_t *)(p + i * page) != mark(i, 3);
		for (i = 0; i < nr_small; i += 3)
			bad += *(uint64_t *)small[i] != mark(i, 4);
		_exit(bad ? 1 : 0);
	}
	status = wait_child(child, 600);
	return exited_with(status, 0);
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : -1, avail;
	size_t n, np, refused = 0;
	char *r, *p;
	int r_ok, i, good;

	tap_init("t-hostmaps", 1500);
	page = sysconf(_SC_PAGESIZE);
	avail = mem_available_mib();
	if (mib <= 0)
		mib = avail / 3;
	if (mib < 16)
		mib = 16;
	if (argc > 2)
		nr_small = atol(argv[2]);
	else if (avail > 0 && (size_t)avail * 256 / 6 < nr_small)
		nr_small = avail * 256 / 6;
	if (nr_small > SMALL_MAPS)
		nr_small = SMALL_MAPS;
	raise_guest_map_limit();
	n = (size_t)mib * 1024 * 1024 / page;
	np = n / 2;
	diag("random touch of %ld MiB, mprotect of %ld MiB", mib, mib / 2);

	r = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	r_ok = r != MAP_FAILED;
	ok(r_ok && random_touch(r, n),
	   "%zu pages touched in random order read back right", n);
	if (!r_ok)
		return tap_done();
	ok(random_touch(r, n), "a second random pass over them, each page right");
	/* Half of the region is enough; give the rest back. */
	p = r + (n - np) * page;
	ok(alternate_protect(p, np, &refused),
	   "every other page of %zu mprotect()ed (%zu refused), all pages right",
	   np, refused);
	ok(many_small_maps(), "%zu separate one-page mappings, each right",
	   nr_small);
	for (i = 0, good = 0; i < 3; i++)
		good += fork_holding(r, n - np, p, np);
	ok(good == 3, "3 forks of this process check its memory and exit (%d did)",
	   good);
	ok(unchanged(r, n - np),
	   "the children's writes stayed theirs: this process's pages unchanged");
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-memory file: an unnamed tmpfs file (memfd), so that nothing is
 * left behind however the program ends and pages can be given back with
 * MADV_REMOVE.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <host/mem.h>
#include "internal.h"

#define HUGE_ALIGN	(2UL << 20)

int host_physmem_fd = -1;

static int open_memory_file(void)
{
	int fd = memfd_create("um-physmem", MFD_CLOEXEC);

	/* Older hosts: an unnamed file on /dev/shm is the same thing. */
	if (fd < 0 && errno == ENOSYS)
		fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

/* End of the program image, from the linker script. */
extern char _end[];

static unsigned long align_up(unsigned long x, unsigned long a)
{
	return (x + a - 1) & ~(a - 1);
}

static void *map_file(int fd, unsigned long start, unsigned long size,
		      unsigned long offset)
{
	void *p = mmap((void *)start, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, offset);

	/* Kernels before 4.17 take the flag as a mere hint. */
	if (p != MAP_FAILED && p != (void *)start) {
		munmap(p, size);
		errno = EEXIST;
		p = MAP_FAILED;
	}
	return p;
}

/*
 * Guest memory goes right after the program image, so that physical
 * memory has no hole worth speaking of.  The heap (brk) would grow into
 * that place, but glibc has not used it yet and, finding it taken, will
 * use mmap instead.  If the heap is already there, go above it.
 */
int host_physmem_setup(unsigned long base, unsigned long size,
		       struct host_physmem *pm)
{
	unsigned long starts[2] = {
		align_up((unsigned long)_end, HUGE_ALIGN),
		align_up((unsigned long)sbrk(0) + HUGE_ALIGN, HUGE_ALIGN),
	};
	int fd, i, err = -EEXIST;

	fd = open_memory_file();
	if (fd < 0)
		return fd;

	for (i = 0; i < 2; i++) {
		pm->map_start = starts[i];
		pm->map_offset = starts[i] - base;
		pm->file_size = pm->map_offset + size;
		if (ftruncate(fd, pm->file_size) < 0) {
			err = -errno;
			break;
		}
		if (map_file(fd, pm->map_start, size, pm->map_offset) !=
		    MAP_FAILED) {
			host_physmem_fd = fd;
			return 0;
		}
		err = -errno;
	}
	close(fd);
	return err;
}

int host_physmem_map(unsigned long virt, unsigned long phys,
		     unsigned long len)
{
	void *p = mmap((void *)virt, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, host_physmem_fd, phys);

	return p == MAP_FAILED ? -errno : 0;
}

int host_unmap(unsigned long virt, unsigned long len)
{
	/* An inaccessible reservation, so nothing else lands there. */
	void *p = mmap((void *)virt, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

unsigned long host_fail_release_every;

int host_physmem_release(unsigned long virt, unsigned long len)
{
	static unsigned long calls;

	if (host_fail_release_every && ++calls % host_fail_release_every == 0)
		return -EIO;
	return madvise((void *)virt, len, MADV_REMOVE) < 0 ? -errno : 0;
}

unsigned long long host_memory_limit(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return 0;
	return ((unsigned long long)si.totalram + si.totalswap) * si.mem_unit;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest physical memory: one host tmpfs file.  Physical address P is
 * offset P of that file; the kernel maps the file once, linearly, and
 * maps single pages of it again wherever the kernel's vmalloc area needs.
 */
#ifndef _HOST_MEM_H
#define _HOST_MEM_H

struct host_physmem {
	unsigned long file_size;	/* bytes in the file: the top physical address */
	unsigned long map_start;	/* virtual address of the first usable byte */
	unsigned long map_offset;	/* its file offset, the first usable physical address */
};

/**
 * host_physmem_setup() - create the memory file and map it.
 * @base: the virtual address physical address 0 corresponds to.
 * @size: bytes of usable guest memory.
 * @pm: filled in on success.
 *
 * The mapping starts above the program's heap; addresses below it are
 * file holes that never hold data.  Returns 0 or a negative errno.
 */
int host_physmem_setup(unsigned long base, unsigned long size,
		       struct host_physmem *pm);

/**
 * host_physmem_map() - map @len bytes of the file at @phys to @virt.
 *
 * Readable and writable; replaces whatever was at @virt.  0 or -errno.
 */
int host_physmem_map(unsigned long virt, unsigned long phys,
		     unsigned long len);

/* Leave [@virt, @virt + @len) inaccessible.  0 or -errno. */
int host_unmap(unsigned long virt, unsigned long len);

/**
 * host_physmem_release() - give the host back the pages of the memory file
 * behind [@virt, @virt + @len) of the linear map (MADV_REMOVE): the file's
 * blocks are freed and the range reads as zeros until written again.
 *
 * Returns 0 or a negative errno.
 */
int host_physmem_release(unsigned long virt, unsigned long len);

/*
 * fail_host_release=N (tests): every N-th host_physmem_release() fails
 * with EIO; 0, the default, never.
 */
extern unsigned long host_fail_release_every;

/* Bytes of RAM plus swap the host has, the most mem= may ask for. */
unsigned long long host_memory_limit(void);

#endif /* _HOST_MEM_H */

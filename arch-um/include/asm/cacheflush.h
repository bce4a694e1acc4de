/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_CACHEFLUSH_H
#define _ASM_UM_CACHEFLUSH_H

/* A new vmalloc mapping must reach the host before it is used. */
void um_sync_kernel_range(unsigned long start, unsigned long end);
#define flush_cache_vmap(start, end)	um_sync_kernel_range(start, end)
#define flush_cache_vmap_early(start, end) um_sync_kernel_range(start, end)

#include <asm-generic/cacheflush.h>

#endif /* _ASM_UM_CACHEFLUSH_H */

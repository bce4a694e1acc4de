/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bulk memory operations come from the host's C library, which has
 * the fastest versions for this CPU; the rest come from lib/string.c.
 */
#ifndef _ASM_UM_STRING_H
#define _ASM_UM_STRING_H

#define __HAVE_ARCH_MEMCPY
extern void *memcpy(void *dest, const void *src, __kernel_size_t n);
#define __HAVE_ARCH_MEMMOVE
extern void *memmove(void *dest, const void *src, __kernel_size_t n);
#define __HAVE_ARCH_MEMSET
extern void *memset(void *s, int c, __kernel_size_t n);

#endif /* _ASM_UM_STRING_H */

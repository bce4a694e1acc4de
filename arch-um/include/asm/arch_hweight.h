/* SPDX-License-Identifier: GPL-2.0 */
/* Population count in C: no calls out of inline assembly. */
#ifndef _ASM_UM_ARCH_HWEIGHT_H
#define _ASM_UM_ARCH_HWEIGHT_H

#include <asm-generic/bitops/arch_hweight.h>

#endif /* _ASM_UM_ARCH_HWEIGHT_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_UM_LINKAGE_H
#define _ASM_UM_LINKAGE_H

#define __ALIGN		.balign 16
#define __ALIGN_STR	".balign 16"

#endif /* _ASM_UM_LINKAGE_H */

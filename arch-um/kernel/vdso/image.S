/* SPDX-License-Identifier: GPL-2.0 */
/* The vDSO's image, carried by the kernel and copied into guest pages. */
	.section .rodata, "a"
	.balign 4096
	.globl um_vdso_image
um_vdso_image:
	.incbin "arch/um/kernel/vdso/vdso.so"
	.globl um_vdso_image_end
um_vdso_image_end:
	.previous

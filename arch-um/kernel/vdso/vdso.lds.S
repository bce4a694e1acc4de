/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest vDSO's layout: one loadable segment holding its ELF header,
 * dynamic tables and code, linked at 0; the kernel maps it right above
 * its data pages (asm/vdso/vvar.h), which the code finds from its own
 * header.  Writable data must not exist: every page is shared.
 */
OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)

SECTIONS
{
	. = SIZEOF_HEADERS;

	/* What the dynamic linker reads: symbols, names, their lookup. */
	.dynsym : { *(.dynsym) } :code
	.dynstr : { *(.dynstr) }
	.gnu.hash : { *(.gnu.hash) }
	.hash : { *(.hash) }
	.gnu.version_d : { *(.gnu.version_d) }
	.gnu.version : { *(.gnu.version) }
	.gnu.version_r : { *(.gnu.version_r) }
	.dynamic : { *(.dynamic) } :code :dyn

	.rodata : { *(.rodata .rodata.*) } :code
	.note : { *(.note.*) } :code :notes
	/* Unwind tables, for debuggers and backtraces through a clock call. */
	.eh_frame_hdr : { *(.eh_frame_hdr) } :code :unwind
	.eh_frame : { KEEP(*(.eh_frame)) } :code
	.text : { *(.text .text.*) } :code

	/DISCARD/ : { *(.data*) *(.bss*) *(.got*) *(.plt*) *(.comment) }
}

PHDRS
{
	code PT_LOAD FILEHDR PHDRS FLAGS(5);	/* read and execute */
	dyn PT_DYNAMIC FLAGS(4);
	notes PT_NOTE FLAGS(4);
	unwind PT_GNU_EH_FRAME FLAGS(4);
}

/*
 * Exported: the __vdso_ names x86-64 C libraries look up (with the
 * version they ask for), and the plain names; nothing else.
 */
VERSION
{
	LINUX_2.6 {
	global: __vdso_clock_gettime; __vdso_gettimeofday; __vdso_time;
		__vdso_getcpu; __vdso_clock_getres;
		clock_gettime; gettimeofday; time; getcpu; clock_getres;
	local: *;
	};
}

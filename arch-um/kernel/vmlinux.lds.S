/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel is an ordinary dynamically linked x86-64 program, so this
 * script lays out both what glibc's start files and the dynamic linker
 * expect and what the generic kernel expects (init sections, initcalls,
 * per-cpu data, exception tables).  It is a complete script: the linker's
 * built-in one is not used.
 */
#include <asm/vmlinux.lds.h>
#include <asm-generic/vmlinux.lds.h>
#include <asm/page.h>
#include <asm/thread_info.h>
#include <asm/cache.h>
#include <host/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_start)

jiffies = jiffies_64;

SECTIONS
{
	. = HOST_KERNEL_BASE + SIZEOF_HEADERS;
	__binary_start = HOST_KERNEL_BASE;

	/* What the dynamic linker reads, each in a section of its own name. */
#define UM_SECTION_AS_IS(name) name : { *(name) }
	UM_SECTION_AS_IS(.interp)
	UM_SECTION_AS_IS(.dynsym)
	UM_SECTION_AS_IS(.dynstr)
	UM_SECTION_AS_IS(.hash)
	UM_SECTION_AS_IS(.gnu.hash)
	UM_SECTION_AS_IS(.gnu.version)
	UM_SECTION_AS_IS(.gnu.version_d)
	UM_SECTION_AS_IS(.gnu.version_r)
	.rela.dyn	: {
		*(.rela.init) *(.rela.text .rela.text.*) *(.rela.fini)
		*(.rela.rodata .rela.rodata.*) *(.rela.data .rela.data.*)
		*(.rela.tdata .rela.tdata.*) *(.rela.tbss .rela.tbss.*)
		*(.rela.got) *(.rela.bss .rela.bss.*) *(.rela.ifunc)
	}
	.rela.plt	: {
		*(.rela.plt)
		PROVIDE_HIDDEN(__rela_iplt_start = .);
		*(.rela.iplt)
		PROVIDE_HIDDEN(__rela_iplt_end = .);
	}

	. = ALIGN(PAGE_SIZE);
	.init		: { KEEP(*(SORT_NONE(.init))) }
	.plt		: { *(.plt) *(.iplt) }
	UM_SECTION_AS_IS(.plt.got)
	UM_SECTION_AS_IS(.plt.sec)

	/* Kernel and host-side text alike. */
	.text		: {
		_text = .;
		_stext = .;
		TEXT_TEXT
		SCHED_TEXT
		LOCK_TEXT
		KPROBES_TEXT
		IRQENTRY_TEXT
		SOFTIRQENTRY_TEXT
		ENTRY_TEXT
		*(.stub .text.* .gnu.linkonce.t.*)
		*(.gnu.warning)
		. = ALIGN(PAGE_SIZE);
		*(.um_stub)
	}
	.fini		: { KEEP(*(SORT_NONE(.fini))) }
	_etext = .;

	/* Read-only data, in its own pages. */
	. = ALIGN(PAGE_SIZE);
	RO_DATA(PAGE_SIZE)
	UM_SECTION_AS_IS(.eh_frame_hdr)
	.eh_frame	: { KEEP(*(.eh_frame)) }
	.gcc_except_table : { *(.gcc_except_table .gcc_except_table.*) }
	EXCEPTION_TABLE(16)
	NOTES

	/*
	 * Init sections.  Unlike on other kernels they are kept after boot:
	 * they are in the program image, not in the memory file, so the page
	 * allocator could not use them (free_initmem() in mem.c).
	 */
	. = ALIGN(PAGE_SIZE);
	__init_begin = .;
	INIT_TEXT_SECTION(PAGE_SIZE)
	INIT_DATA_SECTION(16)
	PERCPU_SECTION(L1_CACHE_BYTES)
	.exit.text	: { EXIT_TEXT }
	.exit.data	: { *(.exit.data .exit.data.*) }
	. = ALIGN(PAGE_SIZE);
	__init_end = .;

	/* Writable data: glibc's first, then the kernel's. */
	.tdata		: { *(.tdata .tdata.* .gnu.linkonce.td.*) }
	.tbss		: { *(.tbss .tbss.* .gnu.linkonce.tb.*) *(.tcommon) }
	.preinit_array	: {
		PROVIDE_HIDDEN(__preinit_array_start = .);
		KEEP(*(.preinit_array))
		PROVIDE_HIDDEN(__preinit_array_end = .);
	}
	.init_array	: {
		PROVIDE_HIDDEN(__init_array_start = .);
		KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
		KEEP(*(.init_array))
		PROVIDE_HIDDEN(__init_array_end = .);
	}
	.fini_array	: {
		PROVIDE_HIDDEN(__fini_array_start = .);
		KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*)))
		KEEP(*(.fini_array))
		PROVIDE_HIDDEN(__fini_array_end = .);
	}
	.data.rel.ro	: { *(.data.rel.ro.local* .data.rel.ro .data.rel.ro.*) }
	/* The drivers' host halves, in link order (host/driver.h). */
	.host_drivers	: {
		__host_drivers_start = .;
		KEEP(*(.host_drivers))
		__host_drivers_end = .;
	}
	UM_SECTION_AS_IS(.dynamic)
	.got		: { *(.got) *(.igot) }
	.got.plt	: { *(.got.plt) *(.igot.plt) }

	_sdata = .;
	RW_DATA(L1_CACHE_BYTES, PAGE_SIZE, THREAD_SIZE)
	_edata = .;

	BSS_SECTION(0, 0, 0)
	. = ALIGN(PAGE_SIZE);
	_end = .;

	STABS_DEBUG
	DWARF_DEBUG
	ELF_DETAILS

	/DISCARD/ : {
		EXIT_CALL
		*(.discard) *(.discard.*)
		*(.export_symbol) *(.modinfo)
	}
}

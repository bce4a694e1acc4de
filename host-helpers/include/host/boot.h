/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot and exit.  The host's main() checks the command line, sets up the
 * host side and hands over to the kernel with um_boot(); the kernel leaves
 * through host_exit().
 */
#ifndef _HOST_BOOT_H
#define _HOST_BOOT_H

/* The longest guest command line, with its final NUL (COMMAND_LINE_SIZE). */
#define HOST_CMDLINE_SIZE	4096

/* What the host side hands the kernel. */
struct host_boot_info {
	const char *cmdline;		/* the guest command line, joined */
	unsigned long phys_start;	/* first usable physical address */
	unsigned long phys_end;		/* end of physical memory (mem_max=) */
	unsigned long mem_boot;		/* bytes of it the guest boots with (mem=) */
	const char *initrd;		/* initrd= file, or NULL */
	unsigned long initrd_size;	/* its size in bytes */
};

/**
 * host_read_file() - read all of @path, @size bytes, into @buf.
 *
 * Returns 0, or a negative errno (-EIO if the file has changed size).
 */
int host_read_file(const char *path, void *buf, unsigned long size);

/* Provided by the kernel: never returns. */
void um_boot(const struct host_boot_info *info);

/**
 * host_exit() - end the program with @status after cleaning up.
 *
 * Restores the terminal and releases every host resource the guest held.
 */
void host_exit(int status) __attribute__((noreturn));

/*
 * The status host_exit() ends the program with, for the drivers' exit
 * hooks to tell (the control driver writes it for umctl wait); -1 while
 * running and when host_restart() starts the program again.
 */
extern int host_exit_status;

/* Start the program afresh with its original arguments (a reboot). */
void host_restart(void) __attribute__((noreturn));

/* Remember the program's arguments for host_restart(). */
void host_save_args(int argc, char **argv);

/* The program's version string, as --version prints it. */
extern const char host_version[];

#endif /* _HOST_BOOT_H */

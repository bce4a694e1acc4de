/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a driver's host half plugs into the program (host side only).
 *
 * A driver is a top-level folder (ubd/, say) with a kernel half, a host
 * half and its own boundary header.  Its host half describes itself with
 * one struct host_driver and HOST_DRIVER(); main() then hands it its
 * command-line parameters, prints its --help lines, lets it check and add
 * to the guest command line before boot, and calls it when the boot is
 * refused or the program ends.  Nothing outside the driver's folder names
 * it.  Documentation/drivers.rst tells how to add one.
 */
#ifndef _HOST_DRIVER_H
#define _HOST_DRIVER_H

#include <stddef.h>

/* The guest command line as main() builds it. */
struct host_cmdline {
	char *buf;		/* the parameters so far, space-separated */
	size_t used;		/* bytes in @buf, without the final NUL */
	int have_root;		/* root= was given */
	int have_mode;		/* ro or rw was given */
};

/**
 * host_cmdline_append() - add one parameter to the guest command line.
 * @cl: the command line.
 * @arg: the parameter, "root=/dev/ubda" say.
 *
 * Returns 0, or -1 (and prints nothing) if it does not fit.
 */
int host_cmdline_append(struct host_cmdline *cl, const char *arg);

/**
 * struct host_driver - a driver's host half, as main() sees it.
 * @name: the driver's name (its folder), for messages.
 * @help: its lines of --help, each "  PARAMETER   what it does\n", printed
 *        under "Parameters of this port"; or NULL.
 * @is_param: is @arg, a whole parameter ("ubd0=root.img"), this driver's?
 * @param: take @arg, one of the driver's parameters, before boot: parse
 *         it, open what it names, check it.  Returns 0, or -1 after a
 *         message on standard error naming the parameter and the problem
 *         (the boot is then refused, with exit status 2).  The parameter
 *         goes on to the guest command line either way, for the kernel
 *         half to read with __setup().
 * @prepare: called once every parameter is taken, before guest memory is
 *           set up: a last check, and a chance to add parameters to the
 *           guest command line.  Returns 0, or -1 after a message (exit
 *           status 2).  May be NULL.
 * @abort: the boot was refused (a bad parameter, --help): put back what
 *         @param did, leaving every host file as it was.  May be NULL.
 * @exit: the program ends (power-off, halt, panic, reboot): release what
 *        the guest held on the host.  May be NULL.
 *
 * Every function is called from main()'s thread, before boot for all but
 * @exit, and is host code: it may use glibc but no kernel header.
 */
struct host_driver {
	const char *name;
	const char *help;
	int (*is_param)(const char *arg);
	int (*param)(const char *arg);
	int (*prepare)(struct host_cmdline *cl);
	void (*abort)(void);
	void (*exit)(void);
};

/*
 * Services of the core for the drivers' host halves.
 */

/**
 * host_cpu_note_disk() - the guest does I/O on host block device
 * @major:@minor.
 *
 * The device's interrupts (through partitions and stacked devices) then
 * weigh in the choice of the host CPU the guest runs on
 * (host-helpers/cpu.c).
 */
void host_cpu_note_disk(unsigned int major, unsigned int minor);

/*
 * Register @drv, a struct host_driver, with main().  Drivers are taken in
 * link order: the order of UM_DRIVERS in drivers.mk.
 */
#define HOST_DRIVER(drv)						\
	static const struct host_driver *const __host_driver_##drv	\
	__attribute__((used, section(".host_drivers"))) = &(drv)

/* The registered drivers, laid out by arch-um/kernel/vmlinux.lds.S. */
extern const struct host_driver *const __host_drivers_start[];
extern const struct host_driver *const __host_drivers_end[];

#define host_for_each_driver(p)						\
	for ((p) = __host_drivers_start; (p) < __host_drivers_end; (p)++)

#endif /* _HOST_DRIVER_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's vDSO in address-space processes.  The guest's vDSO reads the
 * host's CLOCK_MONOTONIC by calling the host's own vDSO, which every
 * address-space process maps again at HOST_VDSO_AT (above the guest's
 * TASK_SIZE and the stub) with arch_prctl(ARCH_MAP_VDSO_64).  The host's
 * vDSO holds nothing of the guest kernel: it is the host kernel's clock
 * code and data, which every host process maps.
 * Documentation/user-space.rst, "The vDSO".
 */
#ifndef _HOST_VDSO_H
#define _HOST_VDSO_H

/* Where the host's vDSO (data pages, then code) starts in those processes. */
#define HOST_VDSO_AT	0x7fc0100000UL

/* The host's vDSO as address-space processes see it. */
struct host_vdso {
	unsigned long len;		/* bytes from HOST_VDSO_AT */
	unsigned long clock_gettime;	/* its __vdso_clock_gettime() */
};

/**
 * host_vdso_probe() - find the host's vDSO and check it can be moved.
 * @v: filled in on success.
 *
 * Tries, in a short-lived fork of this process, what address-space
 * processes will do: drop the vDSO, map it at HOST_VDSO_AT, read the
 * clock through it.  Returns 0, or a negative errno when the host has no
 * vDSO or cannot map one on request (a kernel without
 * CONFIG_CHECKPOINT_RESTORE).
 */
int host_vdso_probe(struct host_vdso *v);

struct stub_data;

/**
 * host_stub_queue_vdso() - queue the mapping of the host's vDSO at
 * HOST_VDSO_AT in @data (whatever was there is dropped first, so running
 * it twice does no harm).  0 or -ENOSPC.
 */
int host_stub_queue_vdso(struct stub_data *data, const struct host_vdso *v);

#endif /* _HOST_VDSO_H */

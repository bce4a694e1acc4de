/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host CPU the guest runs on (host-helpers/cpu.c).  Host side only:
 * the block driver's parameter code notes its disks, and the kernel's
 * first address-space setup pins the guest.
 */
#ifndef _HOST_CPU_H
#define _HOST_CPU_H

/**
 * host_cpu_note_disk() - the guest does I/O on host block device @major:@minor.
 *
 * The device's interrupts (through partitions and stacked devices) then
 * weigh in host_cpu_pin()'s choice.
 */
void host_cpu_note_disk(unsigned int major, unsigned int minor);

/**
 * host_cpu_pin() - pin the calling process to the CPU the guest should use.
 *
 * Threads and processes it starts afterwards inherit the choice.
 * Returns the CPU, or -1 if the affinity could not be read.
 */
int host_cpu_pin(void);

#endif /* _HOST_CPU_H */

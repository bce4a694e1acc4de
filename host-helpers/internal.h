/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the host-side files only; never seen by the kernel. */
#ifndef _HOST_INTERNAL_H
#define _HOST_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

/* The guest-memory file (physmem.c). */
extern int host_physmem_fd;

/* What the kernel sends to get the CPU back from guest code. */
#define HOST_KICK_SIGNAL	SIGVTALRM

/*
 * Did the CPU raise @sig in an address-space process (a fault or trap of
 * the code running there), rather than another host process sending it?
 * Only the former are the guest's; the rest are passed over, so that a
 * process-group or cgroup-wide kill never reaches into the guest.
 */
bool host_signal_is_fault(int sig, const siginfo_t *si);

/*
 * waitpid(@pid, @status, __WALL), again when a signal interrupts it; 0 or
 * -errno.  @status may be NULL.
 */
int host_wait_child(int pid, int *status);

/*
 * Wait for @pid to stop with SIGTRAP (the stub's int3).  A kick that was
 * still pending on the way, or a signal from outside, is passed over.  0,
 * or -errno (-ECHILD when the process faulted or ended).
 */
int host_wait_trap(int pid);

/* Run the stub of @pid from entry point @entry to its next int3. */
int host_stub_call(int pid, unsigned long entry);

/*
 * fail_host_map=N (main.c), for tests: every N-th request to map guest
 * memory in an address-space process is refused with ENOMEM, as a host
 * short of memory or at its vm.max_map_count would.  0: none.
 */
extern unsigned long host_fail_map_every;

/* Fork a process that runs the stub's start (stub.S).  Pid or -errno. */
int host_stub_clone(unsigned long data_phys, int memfd);

/*
 * Host threads (irq_thread.c).  A thread blocks every signal and may only
 * raise interrupts, through host_irq_from_thread().
 */
int host_start_thread(void *(*fn)(void *), void *arg);
void host_irq_from_thread(int irq);
int host_idle_epoll_wait(const struct timespec *timeout);

/**
 * host_parse_size() - parse a size such as 512M, 2G, 65536K or 1048576
 * (params.c).
 * @text: the value; K, M, G and T suffixes (either case) are powers of 1024.
 * @out: the size in bytes.
 *
 * Returns 0, or -1 if @text is not a size or overflows.
 */
int host_parse_size(const char *text, unsigned long long *out);

/**
 * host_cpu_pin() - pin the calling process to the CPU the guest should use
 * (cpu.c).
 *
 * Threads and processes it starts afterwards inherit the choice; disks
 * noted with host_cpu_note_disk() weigh in it.  Returns the CPU, or -1 if
 * the affinity could not be read.
 */
int host_cpu_pin(void);

/* Put the terminal back as it was before the guest (terminal.c). */
void host_terminal_restore(void);
/* Is the terminal raw (no output processing)? */
bool host_terminal_is_raw(void);

#endif /* _HOST_INTERNAL_H */

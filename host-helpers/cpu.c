// SPDX-License-Identifier: GPL-2.0
/*
 * Which host CPU the guest runs on.  The kernel and its address-space
 * processes stay together on one CPU: every guest system call is a wakeup
 * of the other side, which costs several times more across CPUs.
 *
 * Which one:
 *  - With disks whose host device takes its interrupts mostly on one CPU
 *    (a virtio disk with one queue, say), that CPU, unless it is busy now.
 *    The host completes a request on the CPU that took its interrupt; a
 *    guest elsewhere gets every completion by a cross-CPU wakeup, and on a
 *    two-CPU VM that halves the random-read rate (the host's own figure
 *    from the other CPU halves too).
 *  - Otherwise by pid, so that guests started together spread over the
 *    CPUs.
 * Only CPUs in the inherited affinity count: `taskset -c N ./linux`
 * chooses for the user.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <host/driver.h>
#include "internal.h"

#define MAX_DISK_IRQS	64
/* Share of the disks' interrupts one CPU must take to be preferred. */
#define IRQ_SHARE_PCT	67
/* Busier than this over the sample, the disks' CPU is passed over. */
#define BUSY_PCT	50
#define SAMPLE_NS	30000000L
/* A sysfs path and what is appended to it. */
#define SYS_PATH	(PATH_MAX + 300)

static int disk_irqs[MAX_DISK_IRQS];
static int nr_disk_irqs;

static void add_irq(int irq)
{
	int i;

	for (i = 0; i < nr_disk_irqs; i++)
		if (disk_irqs[i] == irq)
			return;
	if (nr_disk_irqs < MAX_DISK_IRQS)
		disk_irqs[nr_disk_irqs++] = irq;
}

/* The interrupts of the first device at or above sysfs directory @dir. */
static void irqs_above(char *dir)
{
	char path[SYS_PATH];
	struct dirent *e;
	DIR *d;
	FILE *f;
	int irq;

	while (strcmp(dir, "/sys/devices") && strchr(dir + 1, '/')) {
		snprintf(path, sizeof(path), "%s/msi_irqs", dir);
		d = opendir(path);
		if (d) {
			while ((e = readdir(d)))
				if (isdigit((unsigned char)e->d_name[0]))
					add_irq(atoi(e->d_name));
			closedir(d);
			return;
		}
		snprintf(path, sizeof(path), "%s/irq", dir);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &irq) == 1 && irq > 0) {
				add_irq(irq);
				fclose(f);
				return;
			}
			fclose(f);
		}
		*strrchr(dir, '/') = '\0';
	}
}

/* Follow a block device down through partitions and stacked devices. */
static void note_block_dir(const char *sys, int depth)
{
	char path[SYS_PATH], real[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (depth > 4 || !realpath(sys, real))
		return;
	snprintf(path, sizeof(path), "%s/partition", real);
	if (access(path, F_OK) == 0)
		*strrchr(real, '/') = '\0';

	snprintf(path, sizeof(path), "%s/slaves", real);
	d = opendir(path);
	if (d) {
		int below = 0;

		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/slaves/%s", real,
				 e->d_name);
			note_block_dir(path, depth + 1);
			below++;
		}
		closedir(d);
		if (below)
			return;
	}
	irqs_above(real);
}

void host_cpu_note_disk(unsigned int major, unsigned int minor)
{
	char sys[64];

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major, minor);
	note_block_dir(sys, 0);
}

/* Per-CPU counts of the noted interrupts, from /proc/interrupts. */
static int count_disk_irqs(unsigned long long *count)
{
	char *line = NULL, *p;
	size_t cap = 0;
	int cols = 0, i, irq;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	if (getline(&line, &cap, f) > 0)
		for (p = line; (p = strstr(p, "CPU")); p += 3)
			cols++;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, " %d:", &irq) != 1)
			continue;
		for (i = 0; i < nr_disk_irqs && disk_irqs[i] != irq; i++)
			;
		if (i == nr_disk_irqs)
			continue;
		p = strchr(line, ':') + 1;
		for (i = 0; i < cols; i++) {
			char *end;
			unsigned long long n = strtoull(p, &end, 10);

			if (end == p)
				break;
			if (i < CPU_SETSIZE)
				count[i] += n;
			p = end;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* The allowed CPU that takes most of the disks' interrupts, or -1. */
static int disk_cpu(const cpu_set_t *allowed)
{
	unsigned long long count[CPU_SETSIZE] = { 0 }, total = 0;
	int i, best = -1;

	if (!nr_disk_irqs || count_disk_irqs(count))
		return -1;
	for (i = 0; i < CPU_SETSIZE; i++) {
		total += count[i];
		if (CPU_ISSET(i, allowed) && (best < 0 || count[i] > count[best]))
			best = i;
	}
	if (best < 0 || total < 100 || count[best] * 100 < total * IRQ_SHARE_PCT)
		return -1;
	return best;
}

/* Busy and total jiffies of every CPU, from /proc/stat. */
static void cpu_times(unsigned long long *busy, unsigned long long *all)
{
	unsigned long long v[8];
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	int cpu, i, n;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "cpu", 3) || !isdigit((unsigned char)line[3]))
			continue;
		memset(v, 0, sizeof(v));
		n = sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]);
		if (n < 5 || cpu < 0 || cpu >= CPU_SETSIZE)
			continue;
		all[cpu] = 0;
		for (i = 0; i < 8; i++)
			all[cpu] += v[i];
		/* idle and iowait are the fourth and fifth. */
		busy[cpu] = all[cpu] - v[3] - v[4];
	}
	fclose(f);
}

/* The least busy allowed CPU over a short sample; @prefer wins ties. */
static int least_busy(const cpu_set_t *allowed, int prefer)
{
	static unsigned long long b0[CPU_SETSIZE], a0[CPU_SETSIZE];
	static unsigned long long b1[CPU_SETSIZE], a1[CPU_SETSIZE];
	struct timespec ts = { 0, SAMPLE_NS };
	int i, best = prefer;
	unsigned long long pct[CPU_SETSIZE];

	cpu_times(b0, a0);
	nanosleep(&ts, NULL);
	cpu_times(b1, a1);
	for (i = 0; i < CPU_SETSIZE; i++) {
		unsigned long long all = a1[i] - a0[i];

		pct[i] = all ? (b1[i] - b0[i]) * 100 / all : 0;
	}
	if (pct[prefer] <= BUSY_PCT)
		return prefer;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, allowed) && pct[i] < pct[best])
			best = i;
	return best;
}

static int by_pid(const cpu_set_t *allowed)
{
	int i, n = 0, pick = getpid() % CPU_COUNT(allowed);

	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, allowed) && n++ == pick)
			return i;
	return -1;
}

int host_cpu_pin(void)
{
	cpu_set_t allowed, one;
	int cpu;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -1;
	cpu = disk_cpu(&allowed);
	if (cpu >= 0)
		cpu = least_busy(&allowed, cpu);
	else
		cpu = by_pid(&allowed);
	if (cpu < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
	return cpu;
}

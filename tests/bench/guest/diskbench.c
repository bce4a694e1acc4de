// SPDX-License-Identifier: GPL-2.0
/*
 * Disk benchmark: the same static program measures the image file on the
 * host (the ceiling) and /dev/ubdb inside our guest and upstream's UML.
 *
 *   diskbench [-m MIB] [-t SECONDS] TARGET TEST...
 *   diskbench --evict FILE      drop FILE's pages from the host page cache
 *
 * TESTs, run in the order given:
 *   seq_write   1 MiB pwrite()s over the first MIB MiB, fdatasync() counted
 *   seq_read    1 MiB pread()s over the first MIB MiB
 *   rand_qd1    4 KiB pread()s at random offsets for SECONDS
 *   rand_qdN    4 KiB reads at random offsets, N in flight through Linux
 *               AIO (raw syscalls: no libaio in a static binary), SECONDS
 *   all         the four above with N = 32
 *
 * TARGET is opened with O_DIRECT, so neither the host's nor the guest's
 * page cache is measured.  Every figure is one line "name=value" (MB/s are
 * 10^6 bytes a second), followed by what the block layer saw of the disk
 * beneath TARGET (/sys/dev/block/MAJ:MIN): requests completed, the average
 * number in flight (weighted time in queue over wall time) and samples of
 * its "inflight" file.  On the host that disk is shared with whatever else
 * runs there; a file on tmpfs has no such disk and gets a warning.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#define SEQ_BLOCK	(1 << 20)
#define RAND_BLOCK	4096
#define MAX_DEPTH	1024
/*
 * How often rand_qd1 (reads) and rand_qdN (wake-ups) look at the clock.
 * Our guest has no vDSO, so there a clock read is a whole system call: one
 * per wake-up would add a round trip to every batch that the host, with
 * its vDSO, does not pay.  The run overshoots its time by a few batches,
 * and that time is counted.
 */
#define CLOCK_EVERY	64
/* Nanoseconds between samples of the inflight file. */
#define SAMPLE_NS	20000000
/* f_type of tmpfs and ramfs, where O_DIRECT measures memory. */
#define TMPFS_MAGIC	0x01021994
#define RAMFS_MAGIC	0x858458f6

static int fd = -1;
static const char *target;
static unsigned long long size;		/* bytes of TARGET */
static char stat_path[64], inflight_path[64];

struct disk_stat {
	unsigned long long ios, ticks, queue_ms;
	int ok;
};

static void die(const char *what)
{
	fprintf(stderr, "diskbench: %s: %s: %s\n", target, what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* xorshift64*: fixed seed, so every run reads the same offsets. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static off_t rand_offset(void)
{
	return (off_t)(rng() % (size / RAND_BLOCK)) * RAND_BLOCK;
}

static void *aligned(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len))
		die("posix_memalign");
	return p;
}

/*
 * The disk statistics of TARGET itself when it is a block device, else of
 * the device holding its file system.  A pseudo device (tmpfs, overlay)
 * has none and the statistics lines are left out.
 */
static void find_disk(const struct stat *st)
{
	dev_t dev = S_ISBLK(st->st_mode) ? st->st_rdev : st->st_dev;

	snprintf(stat_path, sizeof(stat_path), "/sys/dev/block/%u:%u/stat",
		 major(dev), minor(dev));
	snprintf(inflight_path, sizeof(inflight_path),
		 "/sys/dev/block/%u:%u/inflight", major(dev), minor(dev));
}

static void read_disk_stat(struct disk_stat *ds)
{
	unsigned long long v[11];
	FILE *f = fopen(stat_path, "r");

	ds->ok = 0;
	if (!f)
		return;
	/* reads, merges, sectors, ms, writes, merges, sectors, ms, in flight,
	 * io_ticks, time_in_queue */
	if (fscanf(f, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		   &v[8], &v[9], &v[10]) == 11) {
		ds->ios = v[0] + v[4];
		ds->ticks = v[9];
		ds->queue_ms = v[10];
		ds->ok = 1;
	}
	fclose(f);
}

static void report_disk_stat(const char *name, const struct disk_stat *a,
			     const struct disk_stat *b, double ns)
{
	double ms = ns / 1e6;

	if (!a->ok || !b->ok || ms <= 0)
		return;
	printf("%s_disk_ios=%llu\n", name, b->ios - a->ios);
	printf("%s_disk_avg_inflight=%.1f\n", name,
	       (b->queue_ms - a->queue_ms) / ms);
	printf("%s_disk_busy_pct=%.0f\n", name, 100.0 * (b->ticks - a->ticks) / ms);
}

/*
 * Samples of the disk's "inflight" file (reads + writes in flight), taken
 * by a thread of their own: sampled from the I/O loop they would always
 * land just after a completion or just after a submission and be biased.
 */
struct sampler {
	pthread_t thread;
	int stop;
	double sum;
	long n, max;
};

static void *sampler_loop(void *arg)
{
	struct sampler *s = arg;
	const struct timespec pause = { 0, SAMPLE_NS };

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		long r, w;
		FILE *f = fopen(inflight_path, "r");

		if (!f)
			break;
		if (fscanf(f, "%ld %ld", &r, &w) == 2) {
			s->sum += r + w;
			s->n++;
			if (r + w > s->max)
				s->max = r + w;
		}
		fclose(f);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void start_sampler(struct sampler *s)
{
	memset(s, 0, sizeof(*s));
	if (pthread_create(&s->thread, NULL, sampler_loop, s))
		s->stop = -1;	/* no thread: no samples */
}

static void report_sampler(const char *name, struct sampler *s)
{
	if (s->stop < 0)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
	if (!s->n)
		return;
	printf("%s_inflight_samples=%ld\n", name, s->n);
	printf("%s_inflight_mean=%.1f\n", name, s->sum / s->n);
	printf("%s_inflight_max=%ld\n", name, s->max);
}

static void seq(const char *name, int write, unsigned long long bytes)
{
	char *buf = aligned(SEQ_BLOCK);
	struct sampler s;
	struct disk_stat a, b;
	unsigned long long off;
	double t0, ns;
	size_t i;

	/* Data that no layer can compress or recognise as zeroes. */
	for (i = 0; i < SEQ_BLOCK; i += 8)
		*(uint64_t *)(buf + i) = rng();

	start_sampler(&s);
	read_disk_stat(&a);
	t0 = now_ns();
	for (off = 0; off < bytes; off += SEQ_BLOCK) {
		ssize_t n;

		if (write) {
			*(uint64_t *)buf = off;
			n = pwrite(fd, buf, SEQ_BLOCK, off);
		} else {
			n = pread(fd, buf, SEQ_BLOCK, off);
		}
		if (n != SEQ_BLOCK) {
			if (n >= 0)
				errno = EIO;
			die(write ? "pwrite" : "pread");
		}
	}
	if (write && fdatasync(fd))
		die("fdatasync");
	ns = now_ns() - t0;
	read_disk_stat(&b);

	printf("%s_MBps=%.1f\n", name, bytes / (ns / 1e9) / 1e6);
	printf("%s_secs=%.2f\n", name, ns / 1e9);
	report_disk_stat(name, &a, &b, ns);
	report_sampler(name, &s);
	fflush(stdout);
	free(buf);
}

static void rand_qd1(const char *name, double secs)
{
	char *buf = aligned(RAND_BLOCK);
	struct sampler s;
	struct disk_stat a, b;
	double t0, t, end;
	long n = 0;

	start_sampler(&s);
	read_disk_stat(&a);
	t0 = t = now_ns();
	end = t0 + secs * 1e9;
	for (;;) {
		if (pread(fd, buf, RAND_BLOCK, rand_offset()) != RAND_BLOCK)
			die("pread");
		n++;
		if (n % CLOCK_EVERY == 0) {
			t = now_ns();
			if (t >= end)
				break;
		}
	}
	t -= t0;
	read_disk_stat(&b);

	printf("%s_iops=%.0f\n", name, n / (t / 1e9));
	printf("%s_secs=%.2f\n", name, t / 1e9);
	report_disk_stat(name, &a, &b, t);
	report_sampler(name, &s);
	fflush(stdout);
	free(buf);
}

/*
 * Keep DEPTH reads in flight: every completion is answered at once by a
 * new read at a new offset, batched into one io_submit() per wake-up.
 * When the time is up no new reads go out, and the ones in flight are
 * waited for and counted.
 */
static void rand_aio(const char *name, int depth, double secs)
{
	static struct iocb cbs[MAX_DEPTH];
	static struct iocb *ready[MAX_DEPTH];
	static struct io_event ev[MAX_DEPTH];
	char *bufs = aligned((size_t)depth * RAND_BLOCK);
	aio_context_t ctx = 0;
	struct sampler s;
	struct disk_stat a, b;
	int i, nready, inflight = 0, stop = 0, wakeups = 0;
	double t0, t, end;
	long n = 0;

	if (syscall(SYS_io_setup, depth, &ctx))
		die("io_setup");
	for (i = 0; i < depth; i++) {
		memset(&cbs[i], 0, sizeof(cbs[i]));
		cbs[i].aio_data = i;
		cbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = (uintptr_t)(bufs + (size_t)i * RAND_BLOCK);
		cbs[i].aio_nbytes = RAND_BLOCK;
		cbs[i].aio_offset = rand_offset();
		ready[i] = &cbs[i];
	}
	nready = depth;

	start_sampler(&s);
	read_disk_stat(&a);
	t0 = now_ns();
	end = t0 + secs * 1e9;
	for (;;) {
		int done = 0, got;

		/* io_submit() may take fewer than offered: offer the rest again. */
		while (done < nready) {
			int r = syscall(SYS_io_submit, ctx, nready - done,
					ready + done);

			if (r < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				die("io_submit");
			}
			done += r;
		}
		inflight += nready;
		nready = 0;
		if (!inflight)
			break;

		got = syscall(SYS_io_getevents, ctx, 1, depth, ev, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			die("io_getevents");
		}
		if (++wakeups % CLOCK_EVERY == 0 && now_ns() >= end)
			stop = 1;
		for (i = 0; i < got; i++) {
			struct iocb *cb = &cbs[ev[i].data];

			if (ev[i].res != RAND_BLOCK) {
				errno = ev[i].res < 0 ? -ev[i].res : EIO;
				die("aio read");
			}
			inflight--;
			n++;
			if (!stop) {
				cb->aio_offset = rand_offset();
				ready[nready++] = cb;
			}
		}
	}
	t = now_ns() - t0;
	read_disk_stat(&b);
	syscall(SYS_io_destroy, ctx);

	printf("%s_iops=%.0f\n", name, n / (t / 1e9));
	printf("%s_secs=%.2f\n", name, t / 1e9);
	report_disk_stat(name, &a, &b, t);
	report_sampler(name, &s);
	fflush(stdout);
	free(bufs);
}

/* Write back and drop FILE's pages from the host page cache. */
static int evict(const char *path)
{
	int f = open(path, O_RDONLY);

	target = path;
	if (f < 0)
		die("open");
	if (fdatasync(f))
		die("fdatasync");
	errno = posix_fadvise(f, 0, 0, POSIX_FADV_DONTNEED);
	if (errno)
		die("posix_fadvise");
	close(f);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: diskbench [-m MIB] [-t SECONDS] TARGET TEST...\n"
		"       diskbench --evict FILE\n"
		"TEST: seq_write, seq_read, rand_qd1, rand_qdN (N <= %d), all\n",
		MAX_DEPTH);
	exit(2);
}

static void run(const char *test, unsigned long long seq_bytes, double secs)
{
	int depth;
	char extra;

	if (!strcmp(test, "seq_write")) {
		seq(test, 1, seq_bytes);
	} else if (!strcmp(test, "seq_read")) {
		seq(test, 0, seq_bytes);
	} else if (sscanf(test, "rand_qd%d%c", &depth, &extra) == 1 &&
		   depth >= 1 && depth <= MAX_DEPTH) {
		if (depth == 1)
			rand_qd1(test, secs);
		else
			rand_aio(test, depth, secs);
	} else if (!strcmp(test, "all")) {
		run("seq_write", seq_bytes, secs);
		run("seq_read", seq_bytes, secs);
		run("rand_qd1", seq_bytes, secs);
		run("rand_qd32", seq_bytes, secs);
	} else {
		usage();
	}
}

int main(int argc, char **argv)
{
	unsigned long long mib = 256;
	double secs = 5;
	struct stat st;
	int opt, i;

	if (argc == 3 && !strcmp(argv[1], "--evict"))
		return evict(argv[2]);
	while ((opt = getopt(argc, argv, "m:t:")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (optind + 2 > argc || !mib || secs <= 0)
		usage();
	target = argv[optind];

	/*
	 * Read-write even for the read tests: the same descriptor serves all,
	 * and a read-only disk fails here rather than half-way through.
	 */
	fd = open(target, O_RDWR | O_DIRECT);
	if (fd >= 0 && fstat(fd, &st))
		die("fstat");
	if (fd >= 0) {
		size = lseek(fd, 0, SEEK_END);
		if (size == (unsigned long long)-1)
			die("lseek");
		if (size < SEQ_BLOCK) {
			fprintf(stderr, "diskbench: %s: smaller than 1 MiB\n",
				target);
			return 1;
		}
	}
	/*
	 * A file system without O_DIRECT refuses it at open() or, for some,
	 * only at the first read: try one.
	 */
	if (fd >= 0) {
		char *probe = aligned(RAND_BLOCK);

		if (pread(fd, probe, RAND_BLOCK, 0) < 0) {
			if (errno != EINVAL)
				die("pread");
			close(fd);
			fd = -1;
			errno = EINVAL;
		}
		free(probe);
	}
	if (fd < 0 && errno == EINVAL) {
		fprintf(stderr, "diskbench: %s: the file system refuses O_DIRECT; "
			"put the file on a disk-backed file system\n", target);
		return 1;
	}
	if (fd < 0)
		die("open");
	find_disk(&st);
	if (S_ISREG(st.st_mode)) {
		struct statfs sf;

		if (!fstatfs(fd, &sf) && (sf.f_type == TMPFS_MAGIC ||
					  sf.f_type == RAMFS_MAGIC))
			fprintf(stderr, "diskbench: warning: %s is in memory "
				"(tmpfs): these figures are not a disk's\n",
				target);
	}

	/* The sequential tests stay inside the target, in whole blocks. */
	if (mib << 20 > size)
		mib = size >> 20;
	printf("diskbench: %s: %llu MiB, sequential over %llu MiB, random over all for %.1f s\n",
	       target, size >> 20, mib, secs);
	fflush(stdout);
	for (i = optind + 1; i < argc; i++)
		run(argv[i], mib << 20, secs);
	return 0;
}

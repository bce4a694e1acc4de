// SPDX-License-Identifier: GPL-2.0
/*
 * main(): the program's entry.  Handles the options that must be settled
 * before the kernel exists (--help, --version, mem=), hands each driver
 * its own parameters (host/driver.h), builds the guest command line from
 * the rest, sets up guest memory and hands over to the kernel.
 * Everything after um_boot() is the kernel's.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <host/boot.h>
#include <host/driver.h>
#include <host/fault.h>
#include <host/layout.h>
#include <host/mem.h>
#include <host/time.h>
#include "internal.h"

#define CMDLINE_MAX		HOST_CMDLINE_SIZE
#define DEFAULT_MEM		(256ULL << 20)
#define MIN_MEM			(32ULL << 20)
/* The linear map and the vmalloc area must fit below 448 GiB. */
#define MAX_MEM			(256ULL << 30)
#define EXIT_USAGE		2

const char host_version[] = UM_KERNEL_RELEASE;

/* --help: the head, each driver's lines, then the tail. */
static const char usage_head[] =
"usage: %s [PARAMETER]...\n"
"\n"
"Boots Linux %s as an ordinary process.  The kernel log and the guest\n"
"console are on standard output.\n"
"\n"
"Parameters of this port:\n"
"  initrd=FILE      an initramfs (cpio, may be compressed) to unpack as /\n"
"  mem=SIZE         guest memory, with K, M, G or T suffix (default 256M,\n"
"                   at least 32M, at most what the host's RAM and swap hold)\n"
"  mem_max=SIZE     room to plug memory into the running guest up to SIZE\n"
"                   (config mem=+SIZE on the control socket; default mem=)\n"
"  vdso=0           no vDSO for guest programs: their clocks are system calls\n";

static const char usage_tail[] =
"\n"
"Testing the port:\n"

"  fail_host_map=N  refuse every N-th mapping of guest memory in a guest\n"
"                   process's host process (ENOMEM), as a host short of\n"
"                   memory would; the kernel must survive it\n"
"  fail_host_release=N  fail every N-th return of unplugged guest memory\n"
"                   to the host (EIO); config mem=- must say so\n"
"\n"
"Parameters every kernel knows, passed on as they are:\n"
"  root=DEVICE      root file system device\n"
"  rootwait         wait for the root device to appear\n"
"  init=PATH        program to run as init\n"
"  quiet            only important kernel messages on the console\n"
"  loglevel=N       console log level, 0 to 8\n"
"  console=tty      the kernel console (the only one is named tty)\n"
"  panic=N          on panic, reboot after N seconds instead of exiting\n"
"  any other parameter of Documentation/admin-guide/kernel-parameters\n"
"\n"
"Options:\n"
"  --help           this text\n"
"  --version        the kernel release\n"
"\n"
"Console: standard input and output.  Input piped in before the guest\n"
"reads it waits for it; the end of piped input is one Ctrl-D (a shell at\n"
"its prompt exits and the guest powers off).\n"
"\n"
"Exit status: 0 on power-off or halt, 1 on a kernel panic, 2 on a bad\n"
"parameter.  SIGTERM, SIGINT or SIGHUP power the guest off; a second one,\n"
"or 30 seconds without power-off, ends it at once (status 128 + signal).\n"
"Sent to the whole process group or cgroup (timeout, kill -- -PGID,\n"
"systemctl stop), they do the same: guest programs never receive them.\n";

static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "linux: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

static int check_initrd(const char *path, struct host_boot_info *info)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "linux: initrd=%s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	close(fd);
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return fail("initrd=%s: not a non-empty regular file", path);
	info->initrd = path;
	info->initrd_size = st.st_size;
	return 0;
}

/* fail_host_map=N, fail_host_release=N: host-side switches for tests. */
static int check_fail_every(const char *name, const char *value,
			    unsigned long *every)
{
	unsigned long long n;

	if (host_parse_size(value, &n) || n == 0)
		return fail("%s=%s: not a positive count", name, value);
	*every = n;
	return 0;
}

/* mem= and mem_max=, named by @name. */
static int check_mem(const char *name, const char *value,
		     unsigned long long *mem)
{
	unsigned long long limit = host_memory_limit();

	if (host_parse_size(value, mem))
		return fail("%s=%s: not a size (try %s=512M)", name, value,
			    name);
	if (*mem < MIN_MEM)
		return fail("%s=%s: too small, the least is 32M", name, value);
	if (*mem > MAX_MEM)
		return fail("%s=%s: too large, the most is 256G", name, value);
	if (limit && *mem > limit)
		return fail("%s=%s: more than the host's RAM and swap", name,
			    value);
	return 0;
}

int host_cmdline_append(struct host_cmdline *cl, const char *arg)
{
	size_t len = strlen(arg);

	if (cl->used + len + 2 > CMDLINE_MAX)
		return -1;
	if (cl->used)
		cl->buf[cl->used++] = ' ';
	memcpy(cl->buf + cl->used, arg, len + 1);
	cl->used += len;
	return 0;
}

static void print_usage(const char *prog)
{
	const struct host_driver *const *drv;

	printf(usage_head, prog, host_version);
	host_for_each_driver(drv)
		if ((*drv)->help)
			fputs((*drv)->help, stdout);
	fputs(usage_tail, stdout);
}

/* Hand @arg to the driver it belongs to; 0, or an exit status. */
static int driver_param(const char *arg)
{
	const struct host_driver *const *drv;

	host_for_each_driver(drv)
		if ((*drv)->is_param(arg))
			return (*drv)->param(arg) ? EXIT_USAGE : 0;
	return 0;
}

/* Every parameter is in: the drivers' last checks and additions. */
static int drivers_prepare(struct host_cmdline *cl)
{
	const struct host_driver *const *drv;

	host_for_each_driver(drv)
		if ((*drv)->prepare && (*drv)->prepare(cl))
			return EXIT_USAGE;
	return 0;
}

/* Not booting: the drivers put back what their parameters did. */
static void drivers_abort(void)
{
	const struct host_driver *const *drv;

	host_for_each_driver(drv)
		if ((*drv)->abort)
			(*drv)->abort();
}

int main(int argc, char **argv)
{
	static char buf[CMDLINE_MAX];
	struct host_cmdline cmdline = { .buf = buf };
	unsigned long long mem = DEFAULT_MEM, mem_max = 0;
	struct host_boot_info info = { .initrd = NULL };
	struct host_physmem pm;
	int i, err;

	host_time_start();
	host_save_args(argc, argv);

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			print_usage(argv[0]);
			err = 0;
			goto out;
		}
		if (!strcmp(arg, "--version")) {
			printf("linux %s (host-process port, x86-64)\n",
			       host_version);
			err = 0;
			goto out;
		}
		if (arg[0] == '-') {
			err = fail("%s: unknown option (see --help)", arg);
			goto out;
		}
		if (!strncmp(arg, "initrd=", 7)) {
			err = check_initrd(arg + 7, &info);
			if (err)
				goto out;
		}
		if (!strncmp(arg, "mem=", 4)) {
			err = check_mem("mem", arg + 4, &mem);
			if (err)
				goto out;
		}
		if (!strncmp(arg, "mem_max=", 8)) {
			err = check_mem("mem_max", arg + 8, &mem_max);
			if (err)
				goto out;
		}
		if (!strncmp(arg, "fail_host_map=", 14)) {
			err = check_fail_every("fail_host_map", arg + 14,
					       &host_fail_map_every);
			if (err)
				goto out;
			continue;
		}
		if (!strncmp(arg, "fail_host_release=", 18)) {
			err = check_fail_every("fail_host_release", arg + 18,
					       &host_fail_release_every);
			if (err)
				goto out;
			continue;
		}
		err = driver_param(arg);
		if (err)
			goto out;
		if (!strncmp(arg, "root=", 5))
			cmdline.have_root = 1;
		if (!strcmp(arg, "ro") || !strcmp(arg, "rw"))
			cmdline.have_mode = 1;
		if (host_cmdline_append(&cmdline, arg)) {
			err = fail("%s: the command line is too long", arg);
			goto out;
		}
	}
	if (!mem_max)
		mem_max = mem;
	if (mem_max < mem) {
		err = fail("mem_max=%lluM is less than mem=%lluM", mem_max >> 20,
			   mem >> 20);
		goto out;
	}
	err = drivers_prepare(&cmdline);
	if (err)
		goto out;

	/* The file and the linear map span mem_max; the kernel holds back the rest. */
	err = host_physmem_setup(HOST_KERNEL_BASE, mem_max, &pm);
	if (err) {
		fprintf(stderr, "linux: cannot set up %llu MiB of guest memory: %s\n",
			mem >> 20, strerror(-err));
		err = 1;
		goto out;
	}

	err = host_faults_init();
	if (err) {
		fprintf(stderr, "linux: cannot install fault handlers: %s\n",
			strerror(-err));
		err = 1;
		goto out;
	}

	info.cmdline = buf;
	info.phys_start = pm.map_offset;
	info.phys_end = pm.file_size;
	info.mem_boot = mem;
	um_boot(&info);
	return 1;

out:
	drivers_abort();
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ubd parameters, before boot: parse ubdN=FILE, ubdNr=FILE and
 * ubdN=OVERLAY,BACKING, open the files, lock them against other guests and
 * check an overlay against its backing file.  Any problem is reported with
 * the parameter's name and refuses the boot; an overlay this run created
 * is removed again, so a refused boot leaves every file as it was.
 *
 * Locks are POSIX record locks on the whole file, held by the kernel
 * process: a write lock on an image or overlay the guest may write, a
 * read lock on a read-only image or a backing file, so any number of
 * guests share a base while none can write it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <host/driver.h>
#include <host/say.h>
#include "ubd_user.h"

struct ubd_disk ubd_disks[HOST_UBD_MAX];

static const char bad_syntax[] =
	"not ubdN=FILE, ubdNr=FILE or ubdN=OVERLAY,BACKING";

/* Is @arg a ubd parameter (ubd followed by a digit, or ubd_fail=)? */
static int ubd_is_param(const char *arg)
{
	return (!strncmp(arg, "ubd", 3) && isdigit((unsigned char)arg[3])) ||
	       !strncmp(arg, "ubd_fail", 8);
}

struct ubd_fail ubd_fail = { .disk = -1 };

static const char fail_syntax[] =
	"not ubd_fail=KIND:N or ubd_fail=KIND:N:ubdK (KIND eagain, eio or twice; N from 1, from 2 for eagain)";

/*
 * ubd_fail=KIND:N[:ubdK], the debug switch that forces failures (see
 * struct ubd_fail).  Passed on to the kernel, whose ubd __setup takes
 * every parameter that starts with "ubd".
 */
static int fail_param(const char *arg)
{
	static const char *const kinds[] = {
		[UBD_FAIL_EAGAIN] = "eagain:",
		[UBD_FAIL_EIO] = "eio:",
		[UBD_FAIL_TWICE] = "twice:",
	};
	const char *p = arg + 9;
	unsigned long every, disk;
	char *end;
	int kind;

	if (strncmp(arg, "ubd_fail=", 9))
		return host_refuse(arg, "%s", fail_syntax);
	if (ubd_fail.kind != UBD_FAIL_NONE)
		return host_refuse(arg, "ubd_fail is given twice (also %s)",
				   ubd_fail.param);
	for (kind = UBD_FAIL_EAGAIN; kind <= UBD_FAIL_TWICE; kind++)
		if (!strncmp(p, kinds[kind], strlen(kinds[kind])))
			break;
	if (kind > UBD_FAIL_TWICE)
		return host_refuse(arg, "%s", fail_syntax);
	p += strlen(kinds[kind]);
	if (!isdigit((unsigned char)*p))
		return host_refuse(arg, "%s", fail_syntax);
	errno = 0;
	every = strtoul(p, &end, 10);
	/* Every attempt failing with EAGAIN would never end. */
	if (errno || every < 1 || every > 1000000000 ||
	    (kind == UBD_FAIL_EAGAIN && every < 2))
		return host_refuse(arg, "%s", fail_syntax);
	ubd_fail.disk = -1;
	if (*end == ':') {
		p = end + 1;
		if (strncmp(p, "ubd", 3) || !isdigit((unsigned char)p[3]))
			return host_refuse(arg, "%s", fail_syntax);
		disk = strtoul(p + 3, &end, 10);
		if (disk >= HOST_UBD_MAX)
			return host_refuse(arg, "no such disk: they are ubd0 to ubd15");
		ubd_fail.disk = disk;
	}
	if (*end)
		return host_refuse(arg, "%s", fail_syntax);
	ubd_fail.kind = kind;
	ubd_fail.every = every;
	ubd_fail.param = arg;
	return 0;
}

/* The name of process @pid, for "in use by" messages. */
static void process_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Lock all of @fd (read or write); explain who holds it if we cannot. */
static int lock_file(const char *param, const char *path, int fd, bool write)
{
	char holder[96], name[32];
	int pid, err = ubd_cow_lock(fd, write ? F_WRLCK : F_RDLCK, &pid);

	if (!err)
		return 0;
	if (err != -EAGAIN)
		return host_refuse(param, "cannot lock %s: %s", path, strerror(-err));
	if (pid > 0) {
		process_name(pid, name, sizeof(name));
		snprintf(holder, sizeof(holder), "process %d%s%s%s", pid,
			 *name ? " (" : "", name, *name ? ")" : "");
	} else {
		snprintf(holder, sizeof(holder), "another process");
	}
	return host_refuse(param, write ?
			   "%s is in use by %s (a guest using it, or a tool)" :
			   "%s is being written by %s", path, holder);
}

/*
 * Open @path buffered and, where the host file system allows it, a second
 * time with O_DIRECT.  Read-write unless @read_only.
 */
static int open_image(const char *param, const char *path, bool read_only,
		      int *fd, int *dfd, struct stat *st)
{
	int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	dev_t dev;

	if (stat(path, st) < 0)
		return host_refuse(param, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st->st_mode))
		return host_refuse(param, "%s: %s", path, "is a directory");
	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode))
		return host_refuse(param, "%s: %s", path,
				   "not a regular file or block device");
	*fd = open(path, flags);
	if (*fd < 0) {
		if (!read_only && (errno == EACCES || errno == EROFS) &&
		    access(path, R_OK) == 0)
			return host_refuse(param, "%s: not writable (ubdNr= uses an image read-only)", path);
		return host_refuse(param, "%s: %s", path, strerror(errno));
	}
	*dfd = open(path, flags | O_DIRECT);
	if (*dfd < 0) {
		fprintf(stderr, "linux: %s: %s: no O_DIRECT on this file system, using buffered I/O\n", param, path);
		*dfd = *fd;
	}
	/* Completions come from that device: run near its interrupts. */
	dev = S_ISBLK(st->st_mode) ? st->st_rdev : st->st_dev;
	host_cpu_note_disk(major(dev), minor(dev));
	return 0;
}

static void close_disk(struct ubd_disk *d)
{
	if (d->dfd >= 0 && d->dfd != d->fd)
		close(d->dfd);
	if (d->fd >= 0)
		close(d->fd);
	if (d->bdfd >= 0 && d->bdfd != d->bfd)
		close(d->bdfd);
	if (d->bfd >= 0)
		close(d->bfd);
	if (d->is_cow)
		ubd_cow_release(&d->cow);
	if (d->created)
		unlink(d->path);
	free(d->path);
	free(d->backing_path);
	memset(d, 0, sizeof(*d));
}

/* One file may back several overlays, but be one guest disk only once. */
static int check_unique(const struct ubd_disk *d)
{
	int i;

	for (i = 0; i < HOST_UBD_MAX; i++) {
		const struct ubd_disk *o = &ubd_disks[i];

		if (o == d || !o->used)
			continue;
		if ((o->dev == d->dev && o->ino == d->ino) ||
		    (o->is_cow && o->bdev == d->dev && o->bino == d->ino) ||
		    (d->is_cow && o->dev == d->bdev && o->ino == d->bino))
			return host_refuse(d->param, "%s is already a disk of this guest (%s)", d->path, o->param);
	}
	return 0;
}

static int open_plain(struct ubd_disk *d)
{
	struct stat st;
	unsigned long long size;

	if (open_image(d->param, d->path, d->read_only, &d->fd, &d->dfd, &st))
		return -1;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	if (check_unique(d) || lock_file(d->param, d->path, d->fd,
					 !d->read_only))
		return -1;
	if (ubd_cow_is_overlay(d->fd) == 1)
		return host_refuse(d->param, "%s is a copy-on-write overlay; give ubdN=%s,BACKING to use it", d->path, d->path);
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(d->fd, 0, SEEK_END);

		size = end < 0 ? 0 : end;
	} else {
		size = st.st_size;
	}
	if (size < 512)
		return host_refuse(d->param, "%s: %s", d->path,
				   "empty (smaller than one 512-byte sector)");
	if (size % 512)
		fprintf(stderr, "linux: %s: %s: the last %llu bytes are not a whole sector and are not used\n", d->param, d->path,
			size % 512);
	d->sectors = size / 512;
	return 0;
}

/* Open the backing file of overlay @d read-only and check it matches. */
static int open_backing(struct ubd_disk *d)
{
	char err[256];
	struct stat st;

	if (open_image(d->param, d->backing_path, true, &d->bfd, &d->bdfd,
		       &st))
		return -1;
	d->bdev = st.st_dev;
	d->bino = st.st_ino;
	if (lock_file(d->param, d->backing_path, d->bfd, false))
		return -1;
	if (ubd_cow_check_backing(&d->cow, d->bfd, err, sizeof(err)))
		return host_refuse(d->param, "%s: %s", d->path, err);
	return 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int open_cow(struct ubd_disk *d)
{
	char err[256];
	struct stat st;
	int ret;

	if (d->read_only)
		return host_refuse(d->param, "an overlay is for writing; use the backing file with ubdNr= instead");
	if (access(d->path, F_OK) != 0 && errno == ENOENT) {
		if (!d->backing_path)
			return host_refuse(d->param, "%s: %s", d->path,
					   strerror(ENOENT));
		if (access(d->backing_path, R_OK) != 0)
			return host_refuse(d->param, "backing file %s: %s",
					   d->backing_path, strerror(errno));
		if (ubd_cow_create(d->path, d->backing_path, err, sizeof(err)))
			return host_refuse(d->param, "cannot create overlay %s: %s",
					   d->path, err);
		d->created = true;
	}
	if (open_image(d->param, d->path, false, &d->fd, &d->dfd, &st))
		return -1;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	if (lock_file(d->param, d->path, d->fd, true))
		return -1;
	ret = ubd_cow_is_overlay(d->fd);
	if (ret != 1)
		return host_refuse(d->param, "%s: %s", d->path, ret < 0 ?
				   strerror(-ret) : "not a copy-on-write overlay");
	if (ubd_cow_load(&d->cow, d->fd, err, sizeof(err)))
		return host_refuse(d->param, "%s: %s", d->path, err);
	d->is_cow = true;
	if (!d->backing_path) {
		d->backing_path = strdup(d->cow.backing);
	} else if (!same_file(d->backing_path, d->cow.backing)) {
		return host_refuse(d->param, "%s belongs to backing file %s, not to the one given", d->path, d->cow.backing);
	}
	if (!d->backing_path || open_backing(d) || check_unique(d))
		return -1;
	d->sectors = d->cow.backing_size / 512;
	if (!d->sectors)
		return host_refuse(d->param, "%s: %s", d->backing_path,
				   "empty (smaller than one 512-byte sector)");
	return 0;
}

static bool is_overlay_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = ubd_cow_is_overlay(fd) == 1;
	close(fd);
	return yes;
}

/*
 * One ubdN=, ubdNr= or ubdN=OVERLAY,BACKING parameter: parse it, open the
 * files, lock them and check an overlay; or the debug switch
 * ubd_fail=KIND:N[:ubdK] (Documentation/disks.rst).  Returns 0, or -1
 * after a message naming the parameter, leaving every file as it was.
 */
static int ubd_param(const char *arg)
{
	const char *p = arg + 3, *value, *comma;
	struct ubd_disk *d;
	unsigned long n;
	char *end;
	bool read_only = false;

	if (!isdigit((unsigned char)*p))
		return fail_param(arg);
	n = strtoul(p, &end, 10);
	if (*end == 'r') {
		read_only = true;
		end++;
	}
	if (*end != '=' || end == p)
		return host_refuse(arg, "%s", bad_syntax);
	if (n >= HOST_UBD_MAX)
		return host_refuse(arg, "no such disk: they are ubd0 to ubd15");
	d = &ubd_disks[n];
	if (d->used)
		return host_refuse(arg, "ubd%lu is given twice (also %s)", n,
				   d->param);
	value = end + 1;
	comma = strchr(value, ',');
	if (!*value || comma == value || (comma && (!comma[1] ||
						     strchr(comma + 1, ','))))
		return host_refuse(arg, "%s", bad_syntax);

	memset(d, 0, sizeof(*d));
	d->used = true;
	d->param = arg;
	d->read_only = read_only;
	d->fd = d->dfd = d->bfd = d->bdfd = -1;
	if (comma) {
		d->path = strndup(value, comma - value);
		d->backing_path = strdup(comma + 1);
	} else {
		d->path = strdup(value);
	}
	if (!d->path || (comma && !d->backing_path)) {
		close_disk(d);
		return host_refuse(arg, "%s", strerror(ENOMEM));
	}

	if (comma || (access(d->path, R_OK) == 0 && is_overlay_file(d->path))) {
		if (open_cow(d) == 0)
			return 0;
	} else if (open_plain(d) == 0) {
		return 0;
	}
	close_disk(d);
	return -1;
}

/* Boot refused: close every disk, remove overlays this run created. */
static void ubd_abort(void)
{
	int i;

	for (i = 0; i < HOST_UBD_MAX; i++)
		if (ubd_disks[i].used)
			close_disk(&ubd_disks[i]);
}

int host_ubd_info(int n, struct host_ubd_info *info)
{
	const struct ubd_disk *d;

	if (n < 0 || n >= HOST_UBD_MAX || !ubd_disks[n].used)
		return -1;
	d = &ubd_disks[n];
	info->sectors = d->sectors;
	info->read_only = d->read_only;
	info->cow = d->is_cow;
	info->path = d->path;
	return 0;
}

/*
 * `./linux ubd0=root.img` needs nothing more: without root=, the first
 * disk is the root file system, read-write unless the disk is read-only
 * or ro was asked for.
 */
static int ubd_prepare(struct host_cmdline *cl)
{
	const struct ubd_disk *d = &ubd_disks[0];

	if (cl->have_root || !d->used)
		return 0;
	if (host_cmdline_append(cl, "root=/dev/ubda") ||
	    (!cl->have_mode &&
	     host_cmdline_append(cl, d->read_only ? "ro" : "rw")))
		return host_refuse("root=/dev/ubda", "the command line is too long");
	return 0;
}

static const struct host_driver ubd_driver = {
	.name		= "ubd",
	.help		=
"  ubdN=FILE        disk N (0 to 15, /dev/ubda on) backed by an image file\n"
"                   or block device, locked against other guests\n"
"  ubdNr=FILE       the same, read-only (shared with other guests)\n"
"  ubdN=COW,BACKING copy-on-write: writes go to the overlay COW (made if\n"
"                   missing), BACKING is only read and may be shared\n"
"  Without root=, ubd0 is the root file system (root=/dev/ubda, read-write)\n"
"  ubd_fail=KIND:N[:ubdK]  debug switch for tests: the host refuses every\n"
"                   N-th disk operation (of disk K only, with :ubdK), also\n"
"                   part-way through a request split into several: KIND\n"
"                   eagain (retried, the guest sees nothing; N from 2) or\n"
"                   eio (the request fails); twice reports every N-th\n"
"                   request's end twice (the second must be refused)\n",
	.is_param	= ubd_is_param,
	.param		= ubd_param,
	.prepare	= ubd_prepare,
	.abort		= ubd_abort,
};
HOST_DRIVER(ubd_driver);

// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE export's parameters and mounts, host side.
 *
 * fuse=HOSTDIR[:GUESTPATH][,ro][,uid=N][,gid=N][,allow_other] is checked
 * when it is given: HOSTDIR must be an empty directory and /dev/fuse
 * usable, or the boot is refused.  Once every parameter is in, each
 * export is mounted through libfuse3, which goes through fusermount3 (the
 * setuid helper) so that no privilege is needed.  At an orderly exit the
 * exports are unmounted here at once; when the program is killed, a child
 * left for that unmounts them (start_unmounter()).
 *
 * libfuse is used to mount and unmount only: the requests on the /dev/fuse
 * descriptor are read raw by chan_user.c and answered by the kernel side.
 */
#define FUSE_USE_VERSION 31
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fuse3/fuse_lowlevel.h>
#include <host/driver.h>
#include "fe_user.h"

struct fe_export fe_exports[HOST_FUSE_MAX];
int fe_nr_exports;

static const char fuse_dev[] = "/dev/fuse";

/* Set while the guest runs: a refusal is the controller's answer. */
static char *refusal;
static size_t refusal_len;

/*
 * Print "linux: PARAM: " and the reason, or, for an export asked for at
 * run time, keep the reason for the answer; returns -1.
 */
static int __attribute__((format(printf, 2, 3)))
refuse(const char *param, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (refusal) {
		vsnprintf(refusal, refusal_len, fmt, ap);
	} else {
		fprintf(stderr, "linux: %s: ", param);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	return -1;
}

static int fe_is_param(const char *arg)
{
	return !strncmp(arg, "fuse=", 5);
}

/* 0 if @path is a directory with nothing in it, else -1 after a message. */
static int check_empty_dir(const char *param, const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int found = 0;

	if (stat(path, &st) < 0)
		return refuse(param, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return refuse(param, "%s: not a directory", path);
	dir = opendir(path);
	if (!dir)
		return refuse(param, "%s: %s", path, strerror(errno));
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			found = 1;
	closedir(dir);
	if (found)
		return refuse(param, "%s: not empty (an export needs an empty directory to mount on)",
			      path);
	return 0;
}

/* ,uid=N or ,gid=N: 0 and *@id, or -1. */
static int parse_id(const char *s, int *id)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v >= 0xffffffffUL || v > INT_MAX)
		return -1;
	*id = v;
	return 0;
}

static const char syntax[] =
	"not fuse=HOSTDIR[:GUESTPATH][,ro][,uid=N][,gid=N][,allow_other]";

static int parse_options(struct fe_export *e, const char *arg, char *opts,
			 int *allow_other)
{
	char *opt, *next;

	for (opt = opts; opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (!strcmp(opt, "ro"))
			e->read_only = 1;
		else if (!strcmp(opt, "rw"))
			e->read_only = 0;
		else if (!strcmp(opt, "allow_other"))
			*allow_other = 1;
		else if (!strncmp(opt, "uid=", 4)) {
			if (parse_id(opt + 4, &e->uid))
				return refuse(arg, "%s: not a user id", opt);
		} else if (!strncmp(opt, "gid=", 4)) {
			if (parse_id(opt + 4, &e->gid))
				return refuse(arg, "%s: not a group id", opt);
		} else {
			return refuse(arg, "%s: unknown option (%s)", opt,
				      syntax);
		}
	}
	return 0;
}

/* Options this program passes to the mount, per export. */
static int allow_other_of[HOST_FUSE_MAX];

static int fe_param(const char *arg)
{
	struct fe_export *e = &fe_exports[fe_nr_exports];
	char *spec, *opts, *guest, resolved[PATH_MAX];
	int i, fd;

	if (fe_nr_exports == HOST_FUSE_MAX)
		return refuse(arg, "more than %d exports", HOST_FUSE_MAX);
	spec = strdup(arg + 5);
	if (!spec)
		return refuse(arg, "out of memory");
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	e->uid = -1;
	e->gid = -1;
	opts = strchr(spec, ',');
	if (opts)
		*opts++ = '\0';
	guest = strchr(spec, ':');
	if (guest)
		*guest++ = '\0';
	if (!*spec || (guest && *guest != '/')) {
		free(spec);
		return refuse(arg, "%s (HOSTDIR a host directory, GUESTPATH an absolute guest path)",
			      syntax);
	}
	if (parse_options(e, arg, opts, &allow_other_of[fe_nr_exports]))
		goto fail;
	if ((e->uid < 0) != (e->gid < 0)) {
		refuse(arg, "uid= and gid= go together");
		goto fail;
	}
	if (check_empty_dir(arg, spec))
		goto fail;
	if (!realpath(spec, resolved)) {
		refuse(arg, "%s: %s", spec, strerror(errno));
		goto fail;
	}
	for (i = 0; i < fe_nr_exports; i++)
		if (!strcmp(fe_exports[i].host_dir, resolved) &&
		    (!refusal || fe_exports[i].se)) {
			refuse(arg, "%s is exported twice (also %s)", resolved,
			       fe_exports[i].param);
			goto fail;
		}
	fd = open(fuse_dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		refuse(arg, "%s: %s (this host offers no FUSE to this user)",
		       fuse_dev, strerror(errno));
		goto fail;
	}
	close(fd);

	e->param = strdup(arg);
	e->host_dir = strdup(resolved);
	e->guest_path = strdup(guest ? guest : "/");
	free(spec);
	if (!e->param || !e->host_dir || !e->guest_path)
		return refuse(arg, "out of memory");
	fe_nr_exports++;
	return 0;

fail:
	free(spec);
	return -1;
}

/* Mount export @e; 0, or -1 after a message. */
static int mount_export(struct fe_export *e, int allow_other)
{
	struct fuse_lowlevel_ops ops;
	char opts[PATH_MAX + 128];
	char *argv[] = { "linux", "-o", opts, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);

	/*
	 * No file-system options beyond these: the kernel side answers
	 * FUSE_INIT and everything after it.  A guest path with a comma
	 * cannot come (the comma ends it), and a backslash would be taken
	 * as an escape: the file-system name then just leaves it out.
	 */
	snprintf(opts, sizeof(opts),
		 "fsname=linux:%s,subtype=linux-guest%s%s",
		 strchr(e->guest_path, '\\') ? "guest" : e->guest_path,
		 e->read_only ? ",ro" : "",
		 allow_other ? ",allow_other" : "");
	memset(&ops, 0, sizeof(ops));
	e->se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!e->se)
		return refuse(e->param, "cannot set up a FUSE session");
	if (fuse_session_mount(e->se, e->host_dir)) {
		fuse_session_destroy(e->se);
		e->se = NULL;
		return refuse(e->param, "cannot mount %s (is fusermount3 installed?)",
			      e->host_dir);
	}
	e->fd = fuse_session_fd(e->se);
	fcntl(e->fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

static void unmount_all(void)
{
	sigset_t block, old;
	int i;

	/*
	 * Unmounting runs fusermount3 and waits for it: its SIGCHLD, and
	 * interrupts, are not for the kernel now.
	 */
	sigfillset(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < fe_nr_exports; i++) {
		if (!fe_exports[i].se)
			continue;
		fuse_session_unmount(fe_exports[i].se);
		fe_exports[i].se = NULL;
		fe_exports[i].fd = -1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * The unmounter: a child that waits for this program to end, however it
 * ends, and then unmounts every export with fusermount3 -u.  (The mount
 * option auto_unmount would leave fusermount3 behind to do this, but for
 * an unprivileged user it does not: it checks that the mount is dead by
 * opening it, and FUSE answers it, set-user-ID root but not the mount's
 * owner, EACCES rather than ENOTCONN, so it leaves the mount.)
 * The child's end of the pipe is all it keeps open, so its wait ends when
 * the last copy of the other end closes: this program's, which survives
 * the re-execution of a reboot on purpose (the exports are mounted again
 * then, and this child stays for the program's real end).
 */
static void unmounter(int fd, int first, int last)
{
	static const int quiet[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	char byte;
	pid_t pid;
	int i;

	for (i = 0; i < 4; i++)
		signal(quiet[i], SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	if (fd != 3) {
		dup2(fd, 3);
		fd = 3;
	}
	close_range(4, ~0U, 0);
	close(0);
	while (read(fd, &byte, 1) < 0 && errno == EINTR)
		;
	for (i = first; i < last; i++) {
		pid = fork();
		if (pid == 0) {
			execlp("fusermount3", "fusermount3", "-u", "-z", "-q",
			       "--", fe_exports[i].host_dir, (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	_exit(0);
}

static int start_unmounter(int first, int last)
{
	sigset_t all, old;
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(fds[1]);
		unmounter(fds[0], first, last);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		return -1;
	}
	/* fds[1] stays open, without close-on-exec, to the end. */
	return 0;
}

static int fe_prepare(struct host_cmdline *cl)
{
	int i;

	for (i = 0; i < fe_nr_exports; i++)
		if (mount_export(&fe_exports[i], allow_other_of[i]))
			return -1;
	if (fe_nr_exports && start_unmounter(0, fe_nr_exports)) {
		fprintf(stderr, "linux: fuse=: cannot start the unmounter: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Exports at run time (the controller's "export" and "unexport").  The
 * mount runs fusermount3 and waits for it, with every signal blocked as
 * at power-off; each such export gets an unmounter of its own.
 */
struct runtime_job {
	const char *spec;
	char *msg;
	unsigned long len;
	int n;			/* host_fuse_remove(): the export to unmount */
	int result;
};

static void *runtime_add(void *arg)
{
	struct runtime_job *job = arg;
	struct fe_export *e;
	int n = fe_nr_exports, err;

	refusal = job->msg;
	refusal_len = job->len;
	job->msg[0] = '\0';
	err = fe_param(job->spec);
	if (!err) {
		e = &fe_exports[n];
		err = mount_export(e, 0);
		if (!err && start_unmounter(n, n + 1))
			err = refuse(job->spec, "cannot start the unmounter: %s",
				     strerror(errno));
		if (err) {
			if (e->se) {
				fuse_session_unmount(e->se);
				e->se = NULL;
			}
			/* The slot stays used: its thread may not run. */
			e->fd = -1;
		}
	}
	refusal = NULL;
	job->result = err ? -1 : n;
	return NULL;
}

static void *runtime_remove(void *arg)
{
	struct runtime_job *job = arg;

	fuse_session_unmount(fe_exports[job->n].se);
	fe_exports[job->n].se = NULL;
	return NULL;
}

/*
 * Run @fn on a thread of its own, with every signal blocked, and wait
 * for it.  Mounting forks fusermount3 and waits for it: from a host
 * thread with a stack of its own, not from the kernel's stack, and with
 * no signal for the kernel taken meanwhile.
 */
static void run_on_thread(void *(*fn)(void *), struct runtime_job *job)
{
	sigset_t block, old;
	pthread_t thread;

	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&thread, NULL, fn, job) == 0)
		pthread_join(thread, NULL);
	else
		snprintf(job->msg, job->len, "cannot start a thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Exports at run time (the controller's "export" and "unexport"); each
 * such export gets an unmounter of its own.
 */
int host_fuse_add(const char *spec, char *msg, unsigned long len)
{
	struct runtime_job job = {
		.spec = spec, .msg = msg, .len = len, .result = -1,
	};

	const char *dir = spec + 5;
	size_t dlen = strcspn(dir, ":,");
	int i;

	/*
	 * HOSTDIR in or on a mount of this guest's: looking at it would ask
	 * this very kernel, which is waiting here.  (umctl made it absolute
	 * and resolved.)
	 */
	for (i = 0; i < fe_nr_exports; i++) {
		const char *hd = fe_exports[i].host_dir;
		size_t hlen = strlen(hd);

		if (!fe_exports[i].se || dlen < hlen || strncmp(dir, hd, hlen) ||
		    (dlen > hlen && dir[hlen] != '/'))
			continue;
		snprintf(msg, len, "%.*s: %s", (int)dlen, dir,
			 dlen == hlen ? "exported already" :
			 "inside an export of this guest");
		return -1;
	}
	msg[0] = '\0';
	run_on_thread(runtime_add, &job);
	return job.result;
}

int host_fuse_find(const char *host_dir)
{
	char resolved[PATH_MAX];
	int i;

	if (!realpath(host_dir, resolved))
		return -1;
	for (i = 0; i < fe_nr_exports; i++)
		if (fe_exports[i].se && !strcmp(fe_exports[i].host_dir, resolved))
			return i;
	return -1;
}

void host_fuse_remove(int n)
{
	char msg[64];
	struct runtime_job job = { .n = n, .msg = msg, .len = sizeof(msg) };

	if (n < 0 || n >= fe_nr_exports || !fe_exports[n].se)
		return;
	run_on_thread(runtime_remove, &job);
}

int host_fuse_info(int n, struct host_fuse_info *info)
{
	struct fe_export *e = &fe_exports[n];

	if (n < 0 || n >= fe_nr_exports || e->fd < 0)
		return -1;
	info->host_dir = e->host_dir;
	info->guest_path = e->guest_path;
	info->read_only = e->read_only;
	info->uid = e->uid;
	info->gid = e->gid;
	return 0;
}

static const struct host_driver fe_driver = {
	.name		= "fuse-export",
	.help		=
"  fuse=HOSTDIR[:GUESTPATH][,ro][,uid=N,gid=N][,allow_other]\n"
"                   serve the guest's GUESTPATH (default /) on the empty\n"
"                   host directory HOSTDIR through FUSE while it runs\n",
	.is_param	= fe_is_param,
	.param		= fe_param,
	.prepare	= fe_prepare,
	.abort		= unmount_all,
	.exit		= unmount_all,
};
HOST_DRIVER(fe_driver);

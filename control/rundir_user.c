// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's identity on the host: its name (umid=NAME, or linux-PID),
 * and its run directory UML_DIR/NAME (UML_DIR is uml_dir=, or ~/.uml),
 * mode 0700, holding the pid file and the control socket.
 *
 * The guest holds an exclusive flock() on its pid file for as long as it
 * lives, so whether a name is taken is one question to the host that a
 * dead guest cannot answer wrongly: the lock goes with the process,
 * SIGKILL included.  A directory whose pid file nobody holds belonged to
 * a guest that ended without cleaning up, and is taken over.  The
 * directory goes when the guest ends (the driver's exit hook: power-off,
 * halt, panic, the end after a host signal, and before a reboot's fresh
 * start, which makes it again under the same name).
 *
 * The default name comes from the pid, which a reboot keeps (it execs the
 * program afresh in the same process), so a rebooted guest keeps its name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <host/boot.h>
#include <host/driver.h>
#include <host/say.h>
#include "control_user.h"

#define UMID_MAX	64

static char umid[UMID_MAX];
static const char *uml_dir;	/* uml_dir= as given, or NULL */
static bool asked;		/* umid= or uml_dir= was given */

static char run_dir[PATH_MAX];
static char pid_path[PATH_MAX];
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int lock_fd = -1;
static bool ready;		/* the run directory and socket are ours */

const char *host_control_name(void)
{
	return ready ? umid : NULL;
}

const char *host_control_socket(void)
{
	return ready ? sock_path : NULL;
}

static int control_is_param(const char *arg)
{
	return !strncmp(arg, "umid=", 5) || !strncmp(arg, "uml_dir=", 8);
}

/* A name is a file name: letters, digits, '.', '_', '-', no leading dot. */
static bool good_name(const char *name)
{
	const char *p;

	if (!*name || *name == '.' || strlen(name) >= UMID_MAX)
		return false;
	for (p = name; *p; p++)
		if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-", *p)))
			return false;
	return true;
}

static int control_param(const char *arg)
{
	asked = true;
	if (!strncmp(arg, "umid=", 5)) {
		if (!good_name(arg + 5))
			return host_refuse(NULL, "%s: a name is 1 to %d letters, digits, '.', '_' or '-', not starting with '.'",
					   arg, UMID_MAX - 1);
		snprintf(umid, sizeof(umid), "%s", arg + 5);
		return 0;
	}
	if (!arg[8])
		return host_refuse(NULL, "%s: an empty directory", arg);
	uml_dir = arg + 8;
	return 0;
}

/* UML_DIR: uml_dir=, or ~/.uml (made if missing). */
static int base_dir(char *out, size_t size)
{
	const char *home = getenv("HOME");

	if (uml_dir) {
		if (snprintf(out, size, "%s", uml_dir) >= (int)size)
			return host_refuse(NULL, "uml_dir=%s: too long", uml_dir);
		return 0;
	}
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return host_refuse(NULL, "no control socket: no home directory (give uml_dir=DIR)");
	if (snprintf(out, size, "%s/.uml", home) >= (int)size)
		return host_refuse(NULL, "no control socket: %s/.uml is too long", home);
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return host_refuse(NULL, "no control socket: cannot make %s: %s (give uml_dir=DIR)",
				   out, strerror(errno));
	return 0;
}

/* The run directory exists: it must be a directory of ours, only ours. */
static int check_dir(void)
{
	struct stat st;

	if (lstat(run_dir, &st) < 0)
		return host_refuse(NULL, "%s: %s", run_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return host_refuse(NULL, "%s: not a directory", run_dir);
	if (st.st_uid != geteuid())
		return host_refuse(NULL, "%s: owned by another user", run_dir);
	if ((st.st_mode & 0777) != 0700 && chmod(run_dir, 0700) < 0)
		return host_refuse(NULL, "%s: %s", run_dir, strerror(errno));
	return 0;
}

/*
 * Lock the pid file of the run directory.  0 when it is ours, 1 when the
 * file was replaced meanwhile (look again), -1 after a message.
 */
static int lock_pid_file(void)
{
	struct stat held, now;
	char buf[32];
	ssize_t n;

	lock_fd = open(pid_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		       0600);
	if (lock_fd < 0)
		return host_refuse(NULL, "%s: %s", pid_path, strerror(errno));
	if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		n = pread(lock_fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(lock_fd);
		lock_fd = -1;
		if (err == EWOULDBLOCK)
			return host_refuse(NULL, "umid=%s: a guest of that name is running (pid %s, %s)",
					   umid, *buf ? buf : "?", run_dir);
		return host_refuse(NULL, "%s: cannot lock: %s", pid_path, strerror(err));
	}
	/* The guest before us may have removed it after we opened it. */
	if (fstat(lock_fd, &held) < 0 || stat(pid_path, &now) < 0 ||
	    held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
		close(lock_fd);
		lock_fd = -1;
		return 1;
	}
	return 0;
}

/*
 * Whoever waits for the guest (umctl wait) holds the pid file open and
 * blocks on its lock: the guest's exit status, written into the file
 * before it goes, is there for them to read once the lock is released.
 * A reboot writes none, and neither does a guest killed by SIGKILL.
 */
static void write_exit_status(void)
{
	char buf[64];
	int len;

	if (host_exit_status < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%d\nexit %d\n", (int)getpid(),
		       host_exit_status);
	if (pwrite(lock_fd, buf, len, 0) == len)
		fsync(lock_fd);
}

static void remove_run_dir(void)
{
	control_socket_close();
	if (lock_fd >= 0) {
		write_exit_status();
		unlink(pid_path);
		rmdir(run_dir);
		close(lock_fd);
		lock_fd = -1;
	}
	ready = false;
}

/* Make or take over the run directory and hold its pid file. */
static int claim_run_dir(void)
{
	int tries, err;

	for (tries = 0; tries < 10; tries++) {
		if (mkdir(run_dir, 0700) < 0 && errno != EEXIST)
			return host_refuse(NULL, "cannot make %s: %s", run_dir,
					   strerror(errno));
		if (check_dir())
			return -1;
		err = lock_pid_file();
		if (err <= 0)
			return err;
	}
	return host_refuse(NULL, "%s: keeps changing under us", run_dir);
}

static int write_pid(void)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(lock_fd, 0) < 0 || pwrite(lock_fd, buf, len, 0) != len)
		return host_refuse(NULL, "%s: %s", pid_path, strerror(errno));
	return 0;
}

static int set_up(void)
{
	char base[PATH_MAX];

	if (!*umid)
		snprintf(umid, sizeof(umid), "linux-%d", (int)getpid());
	if (base_dir(base, sizeof(base)))
		return -1;
	if (snprintf(run_dir, sizeof(run_dir), "%s/%s", base, umid) >=
	    (int)sizeof(run_dir) ||
	    snprintf(pid_path, sizeof(pid_path), "%s/" CONTROL_PID_NAME,
		     run_dir) >= (int)sizeof(pid_path) ||
	    snprintf(sock_path, sizeof(sock_path), "%s/" CONTROL_SOCKET_NAME,
		     run_dir) >= (int)sizeof(sock_path))
		return host_refuse(NULL, "%s/%s/" CONTROL_SOCKET_NAME ": too long for a socket's name (at most %zu bytes; give a shorter uml_dir=)",
				   base, umid, sizeof(sock_path) - 1);
	if (claim_run_dir())
		return -1;
	/* A socket file left by a guest that was killed. */
	unlink(sock_path);
	if (write_pid() || control_socket_open(sock_path)) {
		remove_run_dir();
		return -1;
	}
	ready = true;
	return 0;
}

/*
 * Every parameter is in.  Without umid= or uml_dir=, a guest that cannot
 * have its run directory (no writable home, say) boots without a control
 * socket, after one line saying why; with either, that refuses the boot.
 */
static int control_prepare(struct host_cmdline *cl)
{
	if (set_up() == 0)
		return 0;
	return asked ? -1 : 0;
}

static const struct host_driver control_driver = {
	.name		= "control",
	.help		=
"  umid=NAME        the guest's name (default linux-PID); its control socket\n"
"                   is UML_DIR/NAME/mconsole (tools/umctl, uml_mconsole)\n"
"  uml_dir=DIR      UML_DIR, where guests' run directories are (default\n"
"                   ~/.uml)\n",
	.is_param	= control_is_param,
	.param		= control_param,
	.prepare	= control_prepare,
	.abort		= remove_run_dir,
	.exit		= remove_run_dir,
};
HOST_DRIVER(control_driver);

// SPDX-License-Identifier: GPL-2.0
/*
 * umctl: manage running guests from the host through their control
 * sockets (Documentation/control.rst).  It speaks the mconsole protocol,
 * as Debian's uml_mconsole does, and adds what that lacks: a list of the
 * user's guests, their status (also as JSON), and waiting for one to end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define EXIT_REFUSED	1	/* the guest answered with an error */
#define EXIT_USAGE	2
#define EXIT_NO_GUEST	3	/* no such guest, or it is not running */
#define EXIT_NO_ANSWER	4	/* no answer in time, or a broken one */
#define EXIT_UNKNOWN_END 255	/* wait: the guest ended without a status */

#define MAGIC		0xcafebabeU
#define VERSION		2
#define DATA_MAX	512

struct packet {
	uint32_t word[3];
	char data[DATA_MAX];
};

static const char usage[] =
"usage: umctl [OPTIONS] list\n"
"       umctl [OPTIONS] NAME status [--json]\n"
"       umctl [OPTIONS] NAME wait\n"
"       umctl [OPTIONS] NAME exec [--] CMD [ARG]...\n"
"       umctl [OPTIONS] NAME COMMAND [ARG]...\n"
"\n"
"Manages the running guests of this user through their control sockets,\n"
"UML_DIR/NAME/mconsole (NAME is the guest's umid=).\n"
"\n"
"  list             the running guests: name, pid, uptime, memory;\n"
"                   run directories of guests that were killed are removed\n"
"  NAME status      whether NAME runs, its pid, uptime, memory, kernel;\n"
"                   --json for the same as one JSON object\n"
"  NAME wait        wait until NAME has ended (a reboot is not an end);\n"
"                   exits with the guest's exit status, 255 if it ended\n"
"                   without one (killed by SIGKILL)\n"
"  NAME exec CMD    run CMD in the guest as root (found in /sbin, /bin,\n"
"                   /usr/sbin, /usr/bin unless it has a /); its output\n"
"                   and errors come on standard output, its input is\n"
"                   umctl's standard input;\n"
"                   exits with its status (128 + N for signal N, 127 when\n"
"                   it cannot be run)\n"
"  NAME COMMAND     send an mconsole command and print the answer:\n"
"                   version, help, halt, reboot, cad, sysrq KEY, stop, go,\n"
"                   log TEXT, proc FILE, config [NAME]\n"
"  NAME export HOSTDIR [GUESTPATH] [--ro]\n"
"                   serve the guest's GUESTPATH (default /) on the empty\n"
"                   host directory HOSTDIR through FUSE (fuse= at boot)\n"
"  NAME unexport HOSTDIR  unmount it\n"
"\n"
"Options:\n"
"  --uml-dir DIR    UML_DIR (default ~/.uml; the guests' uml_dir=)\n"
"  --timeout SECS   how long to wait for an answer (default 10)\n"
"  --help           this text\n"
"\n"
"Exit status: 0 done; 1 the guest answered with an error; 2 bad usage;\n"
"3 no such guest, or it is not running; 4 no answer in time, or a broken\n"
"one.  wait exits with the guest's status; exec with the command's.\n";

static const char *uml_dir;
static int timeout_secs = 10;

static int __attribute__((format(printf, 2, 3)))
complain(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("umctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static int set_uml_dir(void)
{
	static char buf[PATH_MAX];
	const char *home = getenv("HOME");

	if (uml_dir)
		return 0;
	if (!home || !*home)
		return complain(EXIT_USAGE, "no HOME: give --uml-dir DIR");
	snprintf(buf, sizeof(buf), "%s/.uml", home);
	uml_dir = buf;
	return 0;
}

static bool good_name(const char *name)
{
	return *name && *name != '.' && !strchr(name, '/') &&
	       strlen(name) < 64;
}

/* The run directory's file @file of guest @name. */
static void run_path(char *out, size_t size, const char *name,
		     const char *file)
{
	snprintf(out, size, "%s/%s/%s", uml_dir, name, file);
}

/*
 * Is guest @name running?  Its pid when it is (the guest holds a lock on
 * its pid file), 0 when it is not, -1 when it has no run directory.
 */
static long guest_pid(const char *name)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int fd;

	run_path(path, sizeof(path), name, "pid");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * Remove the run directory of guest @name if no guest holds it (it was
 * killed before it could).  The exclusive lock keeps a guest from taking
 * the name over while we remove it.
 */
static void remove_stale(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX], sock[PATH_MAX];
	struct stat held, now;
	int fd;

	snprintf(dir, sizeof(dir), "%s/%s", uml_dir, name);
	run_path(path, sizeof(path), name, "pid");
	run_path(sock, sizeof(sock), name, "mconsole");
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &held) == 0 &&
	    stat(path, &now) == 0 && held.st_ino == now.st_ino) {
		unlink(sock);
		unlink(path);
		rmdir(dir);
	}
	close(fd);
}

/* Seconds since process @pid started, or -1. */
static long uptime_of(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	double up;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	if (!p)
		return -1;
	/* Field 22, starttime; p is at the end of field 2. */
	for (i = 2; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	start = strtoull(p + 1, NULL, 10);
	f = fopen("/proc/uptime", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lf", &up) != 1)
		up = 0;
	fclose(f);
	return (long)(up - (double)start / sysconf(_SC_CLK_TCK));
}

/* A socket to talk from: autobound to an abstract name, so replies come. */
static int client_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Send @cmd to guest @name and collect the answer into @out (of @size,
 * NUL-terminated, cut if longer) or, with @out NULL, print it as it comes.
 * Returns 0, EXIT_REFUSED (the answer is the error's text) or another
 * exit status after a message.
 */
static int ask(const char *name, const char *cmd, char *out, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct packet req = { .word = { MAGIC, VERSION, strlen(cmd) } };
	struct packet reply;
	size_t used = 0, reqlen = strlen(cmd);
	bool err = false, more = true, ended_nl = true;
	struct pollfd p;
	ssize_t n;
	int fd, status = 0;

	if (reqlen >= DATA_MAX)
		return complain(EXIT_USAGE, "the command is too long (at most %d bytes)",
				DATA_MAX - 1);
	memcpy(req.data, cmd, reqlen);
	run_path(sa.sun_path, sizeof(sa.sun_path), name, "mconsole");
	fd = client_socket();
	if (fd < 0)
		return complain(EXIT_NO_ANSWER, "socket: %s", strerror(errno));
	if (sendto(fd, &req, sizeof(req.word) + reqlen, 0,
		   (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		if (e == ENOENT)
			return complain(EXIT_NO_GUEST, "%s: no such guest (no %s)",
					name, sa.sun_path);
		if (e == ECONNREFUSED) {
			remove_stale(name);
			return complain(EXIT_NO_GUEST, "%s: the guest is not running (it ended without cleaning up; its run directory is now removed)",
					name);
		}
		return complain(EXIT_NO_GUEST, "%s: %s: %s", name,
				sa.sun_path, strerror(e));
	}
	p.fd = fd;
	p.events = POLLIN;
	while (more) {
		int ready = poll(&p, 1, timeout_secs * 1000);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			status = complain(EXIT_NO_ANSWER, "%s: no answer within %d s",
					  name, timeout_secs);
			break;
		}
		n = recv(fd, &reply, sizeof(reply), 0);
		if (n < (ssize_t)sizeof(reply.word) ||
		    reply.word[2] > (size_t)n - sizeof(reply.word) ||
		    reply.word[2] == 0) {
			status = complain(EXIT_NO_ANSWER, "%s: a broken answer", name);
			break;
		}
		reply.data[reply.word[2] - 1] = '\0';
		/* Any packet may say error (senders differ in which). */
		if (reply.word[0])
			err = true;
		more = reply.word[1] != 0;
		n = strlen(reply.data);
		if (out) {
			size_t take = (size_t)n < size - 1 - used ? (size_t)n :
				      size - 1 - used;

			memcpy(out + used, reply.data, take);
			used += take;
		} else if (n) {
			fwrite(reply.data, 1, n, err ? stderr : stdout);
			ended_nl = reply.data[n - 1] == '\n';
		}
	}
	close(fd);
	if (out)
		out[used] = '\0';
	else if (!ended_nl)
		fputc('\n', err ? stderr : stdout);
	if (!status && err)
		status = EXIT_REFUSED;
	return status;
}

/*
 * exec's standard input: umctl's own, read as it comes and sent as
 * "input ID HEX" requests on a socket of their own (their answers, how
 * many bytes the command's pipe took, must not mix with the output), one
 * at a time; "input ID" alone at end of file.
 */
#define INPUT_CHUNK	240	/* bytes per request: 480 hex digits */

struct exec_input {
	unsigned int id;	/* 0 until the guest names it */
	int fd;			/* the requests' socket, or -1 */
	bool waiting;		/* a request is unanswered */
	bool eof_sent, done;
	unsigned char buf[INPUT_CHUNK];
	size_t len, off;	/* buf[off..len) is still to go */
};

static void exec_input_begin(struct exec_input *in)
{
	in->fd = client_socket();
	if (in->fd < 0)
		in->done = true;
}

static void exec_input_end(struct exec_input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	in->done = true;
}

/* The descriptors to poll for input: 0, 1 (stdin or the answers). */
static int exec_input_poll(struct exec_input *in, struct pollfd *p)
{
	if (!in->id || in->done || in->fd < 0)
		return 0;
	p->events = POLLIN;
	p->fd = in->waiting ? in->fd :
		(in->off < in->len || in->eof_sent) ? -1 : STDIN_FILENO;
	if (p->fd < 0) {
		/* Pipe full: try the rest again after the poll's pause. */
		p->fd = in->fd;
		return 1;
	}
	return 1;
}

static void exec_input_send(struct exec_input *in,
			    const struct sockaddr_un *sa)
{
	struct packet req = { .word = { MAGIC, VERSION, 0 } };
	int len;
	size_t i;

	len = snprintf(req.data, DATA_MAX, "input %u", in->id);
	if (in->off < in->len)
		req.data[len++] = ' ';
	for (i = in->off; i < in->len; i++)
		len += snprintf(req.data + len, DATA_MAX - len, "%02x",
				in->buf[i]);
	req.word[2] = len;
	if (sendto(in->fd, &req, sizeof(req.word) + len, 0,
		   (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		exec_input_end(in);
		return;
	}
	in->waiting = true;
}

static void exec_input_work(struct exec_input *in, struct pollfd *p, int np,
			    const struct sockaddr_un *sa)
{
	struct packet reply;
	ssize_t n;
	long took;

	if (!np || !(p->revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (p->fd == STDIN_FILENO) {
		n = read(STDIN_FILENO, in->buf, sizeof(in->buf));
		if (n < 0 && errno == EINTR)
			return;
		in->off = 0;
		in->len = n > 0 ? n : 0;
		if (n <= 0)
			in->eof_sent = true;
		exec_input_send(in, sa);
		return;
	}
	n = recv(in->fd, &reply, sizeof(reply), MSG_DONTWAIT);
	if (n < (ssize_t)sizeof(reply.word) || reply.word[2] == 0 ||
	    reply.word[2] > (size_t)n - sizeof(reply.word))
		return;
	reply.data[reply.word[2] - 1] = '\0';
	in->waiting = false;
	if (reply.word[0] || in->eof_sent) {
		/* The command closed its input, or it has all of it. */
		exec_input_end(in);
		return;
	}
	took = strtol(reply.data, NULL, 10);
	if (took > 0)
		in->off += took;
	if (in->off < in->len) {
		if (took <= 0)
			usleep(10000);
		exec_input_send(in, sa);
	}
}

/*
 * exec: "execin", then the arguments, NUL-separated.  Packets with more
 * set are the command's output (the first names its input); the last one
 * says how it ended.  Waits as
 * long as the command runs, as long as the guest does.
 */
static int cmd_exec(const char *name, char **args, int nargs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct packet req = { .word = { MAGIC, VERSION, 0 } };
	struct packet reply;
	size_t used = sizeof("execin");
	struct exec_input in = { .fd = -1 };
	struct pollfd p[3];
	int fd, i, ready, code, np;
	ssize_t n;

	memcpy(req.data, "execin", sizeof("execin"));
	for (i = 0; i < nargs; i++) {
		size_t len = strlen(args[i]) + 1;

		if (used + len > DATA_MAX)
			return complain(EXIT_USAGE, "the command is too long (at most %d bytes)",
					DATA_MAX - 1);
		memcpy(req.data + used, args[i], len);
		used += len;
	}
	if (!nargs)
		return complain(EXIT_USAGE, "exec: no command (umctl NAME exec -- CMD [ARG]...)");
	req.word[2] = used - 1;
	run_path(sa.sun_path, sizeof(sa.sun_path), name, "mconsole");
	fd = client_socket();
	if (fd < 0)
		return complain(EXIT_NO_ANSWER, "socket: %s", strerror(errno));
	if (sendto(fd, &req, sizeof(req.word) + used - 1, 0,
		   (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		if (errno == ECONNREFUSED)
			remove_stale(name);
		return complain(EXIT_NO_GUEST, "%s: not running (%s)", name,
				strerror(errno));
	}
	p[0].fd = fd;
	p[0].events = POLLIN;
	for (;;) {
		np = 1 + exec_input_poll(&in, p + 1);
		ready = poll(p, np, 1000);
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0) {
			if (guest_pid(name) <= 0) {
				close(fd);
				exec_input_end(&in);
				return complain(EXIT_NO_GUEST, "%s: the guest ended", name);
			}
			continue;
		}
		if (np > 1)
			exec_input_work(&in, p + 1, np - 1, &sa);
		if (!(p[0].revents & POLLIN))
			continue;
		n = recv(fd, &reply, sizeof(reply), 0);
		if (n < (ssize_t)sizeof(reply.word) || reply.word[2] == 0 ||
		    reply.word[2] > (size_t)n - sizeof(reply.word))
			break;
		reply.data[reply.word[2] - 1] = '\0';
		/* The first packet names the command's input. */
		if (reply.word[1] && !in.id &&
		    sscanf(reply.data, "input %u", &in.id) == 1) {
			exec_input_begin(&in);
			continue;
		}
		if (reply.word[1]) {
			fwrite(reply.data, 1, reply.word[2] - 1, stdout);
			fflush(stdout);
			continue;
		}
		close(fd);
		exec_input_end(&in);
		if (sscanf(reply.data, "exit %d", &code) == 1)
			return code;
		if (sscanf(reply.data, "signal %d", &code) == 1)
			return 128 + code;
		complain(0, "%s: %s", name, reply.data);
		return 127;
	}
	close(fd);
	exec_input_end(&in);
	return complain(EXIT_NO_ANSWER, "%s: a broken answer", name);
}

static int cmd_list(void)
{
	DIR *d = opendir(uml_dir);
	struct dirent *e;
	char mem[64];
	long pid;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return complain(EXIT_NO_GUEST, "%s: %s", uml_dir, strerror(errno));
	}
	printf("%-20s %8s %10s %10s\n", "NAME", "PID", "UPTIME", "MEMORY");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		pid = guest_pid(e->d_name);
		if (pid == 0) {
			remove_stale(e->d_name);
			continue;
		}
		if (pid < 0)
			continue;
		if (ask(e->d_name, "config mem", mem, sizeof(mem)))
			snprintf(mem, sizeof(mem), "?");
		printf("%-20s %8ld %9lds %10s\n", e->d_name, pid,
		       uptime_of(pid), mem);
	}
	closedir(d);
	return 0;
}

/* Write @s as a JSON string. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int cmd_status(const char *name, bool json)
{
	char mem[64] = "", version[DATA_MAX] = "", sock[PATH_MAX];
	long pid = guest_pid(name);
	unsigned long long mem_kib;

	run_path(sock, sizeof(sock), name, "mconsole");
	if (pid <= 0) {
		if (pid == 0)
			remove_stale(name);
		if (json) {
			printf("{\"name\": ");
			json_string(name);
			printf(", \"running\": false}\n");
		} else {
			printf("%s: not running\n", name);
		}
		return EXIT_NO_GUEST;
	}
	if (ask(name, "config mem", mem, sizeof(mem)))
		mem[0] = '\0';
	if (ask(name, "version", version, sizeof(version)))
		version[0] = '\0';
	mem_kib = strtoull(mem, NULL, 10);
	if (json) {
		printf("{\"name\": ");
		json_string(name);
		printf(", \"running\": true, \"pid\": %ld, \"uptime_seconds\": %ld, \"memory_kib\": %llu, \"socket\": ",
		       pid, uptime_of(pid), mem_kib);
		json_string(sock);
		printf(", \"version\": ");
		json_string(version);
		printf("}\n");
	} else {
		printf("name:    %s\nrunning: yes\npid:     %ld\nuptime:  %lds\nmemory:  %lluK\nsocket:  %s\nversion: %s\n",
		       name, pid, uptime_of(pid), mem_kib, sock, version);
	}
	return 0;
}

/* Has process @pid ended (gone, or a zombie)? */
static bool ended(long pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return !p || p[2] == 'Z' || p[2] == 'X';
}

/*
 * The guest's lock on its pid file goes when it ends, and also for a
 * moment when it reboots (same pid): then the name comes back.
 */
/*
 * The exit status a guest that ended wrote into its pid file, which
 * @fd still holds open (Documentation/control.rst); -1 when none.
 */
static int exit_status_in(int fd)
{
	char buf[128], *line;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int status;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	line = strstr(buf, "\nexit ");
	if (!line || sscanf(line, "\nexit %d", &status) != 1 ||
	    status < 0 || status > 255)
		return -1;
	return status;
}

static int cmd_wait(const char *name)
{
	char path[PATH_MAX];
	long pid = guest_pid(name);
	int fd, i, status;

	if (pid <= 0)
		return complain(EXIT_NO_GUEST, "%s: not running", name);
	run_path(path, sizeof(path), name, "pid");
	for (;;) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
				;
			status = exit_status_in(fd);
			close(fd);
			if (status >= 0)
				return status;
		}
		/* Rebooting: wait for the name to come back, up to 10 s. */
		for (i = 0; i < 100 && !ended(pid); i++) {
			if (guest_pid(name) == pid)
				break;
			usleep(100000);
		}
		if (ended(pid) || guest_pid(name) != pid) {
			fprintf(stderr, "umctl: %s ended without an exit status (killed?)\n",
				name);
			return EXIT_UNKNOWN_END;
		}
	}
}

/*
 * export HOSTDIR [GUESTPATH] [--ro], unexport HOSTDIR: the guest resolves
 * no host path of ours, so HOSTDIR goes to it absolute (for unexport
 * too: it is compared with what export resolved).
 */
static int absolute_export_dir(char **argv, int argc)
{
	static char buf[PATH_MAX];
	int i;

	if (strcmp(argv[0], "export") && strcmp(argv[0], "unexport"))
		return 0;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (!realpath(argv[i], buf))
			return complain(EXIT_USAGE, "%s: %s", argv[i],
					strerror(errno));
		argv[i] = buf;
		return 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char cmd[DATA_MAX * 2];
	const char *name;
	size_t used = 0;
	int i = 1, err;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--uml-dir") && i + 1 < argc) {
			uml_dir = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout_secs = atoi(argv[i + 1]);
			if (timeout_secs <= 0)
				return complain(EXIT_USAGE, "--timeout %s: not a number of seconds",
						argv[i + 1]);
			i += 2;
		} else {
			return complain(EXIT_USAGE, "%s: unknown option (see --help)",
					argv[i]);
		}
	}
	err = set_uml_dir();
	if (err)
		return err;
	if (i >= argc)
		return complain(EXIT_USAGE, "no command (see --help)");
	if (!strcmp(argv[i], "list"))
		return i + 1 == argc ? cmd_list() :
		       complain(EXIT_USAGE, "list takes no arguments");
	name = argv[i++];
	if (!good_name(name))
		return complain(EXIT_USAGE, "%s: not a guest's name", name);
	if (i >= argc)
		return complain(EXIT_USAGE, "%s: no command (see --help)", name);
	if (!strcmp(argv[i], "status")) {
		if (i + 1 == argc)
			return cmd_status(name, false);
		if (i + 2 == argc && !strcmp(argv[i + 1], "--json"))
			return cmd_status(name, true);
		return complain(EXIT_USAGE, "status takes only --json");
	}
	if (!strcmp(argv[i], "exec")) {
		i++;
		if (i < argc && !strcmp(argv[i], "-t"))
			return complain(EXIT_USAGE, "exec -t (a terminal) is not supported yet");
		if (i < argc && !strcmp(argv[i], "--"))
			i++;
		return cmd_exec(name, argv + i, argc - i);
	}
	if (!strcmp(argv[i], "wait"))
		return i + 1 == argc ? cmd_wait(name) :
		       complain(EXIT_USAGE, "wait takes no arguments");
	err = absolute_export_dir(argv + i, argc - i);
	if (err)
		return err;
	for (; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (used + len + 2 > DATA_MAX)
			return complain(EXIT_USAGE, "the command is too long (at most %d bytes)",
					DATA_MAX - 1);
		if (used)
			cmd[used++] = ' ';
		memcpy(cmd + used, argv[i], len + 1);
		used += len;
	}
	return ask(name, cmd, NULL, 0);
}

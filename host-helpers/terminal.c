// SPDX-License-Identifier: GPL-2.0
/*
 * Console input.  The guest's tty does its own line editing, echo and
 * signal keys, so a host terminal on standard input is put in raw mode:
 * every key, Ctrl-C included, reaches the guest, which sends SIGINT to its
 * own foreground process and not to this program.  Output processing is
 * the guest tty's too; kernel messages, which do not pass through it, get
 * their carriage returns from host_console_write_log().
 *
 * The terminal must come back however the program ends.  Normal exits
 * restore it in host_exit(); for a SIGKILL or a crash, a small watcher
 * process, forked before the terminal goes raw, waits for this program's
 * end (the write end of a pipe only we hold) and restores it then.
 *
 * Input is read by the kernel in its console interrupt.  A host thread
 * waits for the terminal to become readable, raises HOST_IRQ_CONSOLE and
 * waits until the kernel has read what was there, so that neither
 * O_NONBLOCK nor O_ASYNC is set on a descriptor shared with the shell that
 * started us.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <host/console.h>
#include <host/irq.h>
#include "internal.h"

static struct termios saved_termios;
static bool terminal_raw;
/* Written by the kernel when it has read the input the thread saw. */
static int input_ack_fd = -1;
static bool input_ended;	/* shared with the thread: atomic access */

bool host_terminal_is_raw(void)
{
	return terminal_raw;
}

void host_terminal_restore(void)
{
	if (terminal_raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
}

/* The watcher: wait for our end, then restore the terminal. */
static int watch_for_exit(void *arg)
{
	int read_end = (long)arg;
	static const int quiet[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				     SIGTSTP, SIGTTOU, SIGTTIN, 0 };
	unsigned int i;
	char c;

	/* Only the pipe's read end and the terminal are the watcher's. */
	for (i = 3; i < 1024; i++)
		if ((int)i != read_end)
			close(i);
	for (i = 0; quiet[i]; i++)
		signal(quiet[i], SIG_IGN);
	/* Out of our process group: a signal to the group is not for it. */
	setsid();
	while (read(read_end, &c, 1) < 0 && errno == EINTR)
		;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
	_exit(0);
}

/*
 * The kernel runs on stacks in guest memory, which a forked child would
 * share with us; the watcher gets a private stack of its own instead.
 */
#define WATCHER_STACK	(64 * 1024)

static int start_watcher(void)
{
	int pipefd[2];
	char *stack;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	stack = mmap(NULL, WATCHER_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED) {
		pid = -1;
	} else {
		/* Without CLONE_FILES: closing our write end here is ours. */
		pid = clone(watch_for_exit, stack + WATCHER_STACK, SIGCHLD,
			    (void *)(long)pipefd[0]);
		munmap(stack, WATCHER_STACK);
	}
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	close(pipefd[0]);
	/* pipefd[1] stays open until we end. */
	return 0;
}

static int make_raw(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return -errno;
	if (start_watcher() < 0)
		return -1;
	raw = saved_termios;
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			 ICRNL | IXON);
	raw.c_oflag &= ~OPOST;
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return -errno;
	terminal_raw = true;
	return 0;
}

static void *wait_for_input(void *unused)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	uint64_t ack;

	while (!__atomic_load_n(&input_ended, __ATOMIC_ACQUIRE)) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p.revents & POLLNVAL)
			break;
		host_irq_from_thread(HOST_IRQ_CONSOLE);
		if (read(input_ack_fd, &ack, sizeof(ack)) < 0 &&
		    errno != EINTR)
			break;
	}
	return NULL;
}

int host_console_start_input(void)
{
	int err;

	if (isatty(STDIN_FILENO))
		make_raw();
	input_ack_fd = eventfd(0, EFD_CLOEXEC);
	if (input_ack_fd < 0)
		return -errno;
	err = host_start_thread(wait_for_input, NULL);
	if (err) {
		close(input_ack_fd);
		input_ack_fd = -1;
	}
	return err;
}

int host_console_read(char *buf, unsigned int len)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	ssize_t n;

	if (__atomic_load_n(&input_ended, __ATOMIC_ACQUIRE) ||
	    poll(&p, 1, 0) <= 0)
		return 0;
	n = read(STDIN_FILENO, buf, len);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		/* End of input (a pipe or file): stop watching it. */
		__atomic_store_n(&input_ended, true, __ATOMIC_RELEASE);
		return -1;
	}
	return n < 0 ? 0 : n;
}

void host_console_input_done(void)
{
	uint64_t one = 1;

	if (input_ack_fd >= 0 && write(input_ack_fd, &one, sizeof(one)) < 0)
		__atomic_store_n(&input_ended, true, __ATOMIC_RELEASE);
}

int host_console_size(unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row)
		return -1;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

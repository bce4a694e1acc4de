// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: a Unix datagram socket speaking upstream UML's
 * mconsole protocol (Documentation/control.rst).  Every datagram is one
 * request: a header of three 32-bit words in host order (the magic
 * 0xcafebabe, the version 2 and the length of the text) and the text.
 * Every reply packet is three words (error, more to come, length of the
 * text including its NUL) and the text.
 *
 * Only the guest's owner may use it: the socket lies in a 0700 directory,
 * and SO_PASSCRED makes the host attach every sender's credentials, so a
 * request from any other user (root included) is refused here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <host/irq.h>
#include "control_user.h"

#define MCONSOLE_MAGIC		0xcafebabeU
#define MCONSOLE_VERSION	2

/* A request as it travels; a reply packet has the same shape. */
struct wire_msg {
	uint32_t word[3];	/* request: magic, version, length */
	char data[HOST_CONTROL_DATA];
};

#define WIRE_HEAD	sizeof(((struct wire_msg *)0)->word)

static int sock_fd = -1;
static char bound_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

int control_socket_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int on = 1;

	sock_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 0);
	if (sock_fd < 0) {
		fprintf(stderr, "linux: control socket: %s\n", strerror(errno));
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (setsockopt(sock_fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
	    bind(sock_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "linux: %s: %s\n", path, strerror(errno));
		close(sock_fd);
		sock_fd = -1;
		return -1;
	}
	snprintf(bound_path, sizeof(bound_path), "%s", path);
	return 0;
}

void control_socket_close(void)
{
	if (sock_fd < 0)
		return;
	unlink(bound_path);
	close(sock_fd);
	sock_fd = -1;
}

/*
 * A datagram on the socket raises the control interrupt through the eventfd
 * of host_irq_eventfd(), written by a thread of ours that waits on the
 * socket.  Once it has written, the thread waits for the kernel to have
 * taken every request (host_control_rearm()) before it looks again, so a
 * request waiting to be taken costs one wake-up, not one per look.
 */
static int irq_fd = -1, rearm_fd = -1;
/* The interrupt the kernel half gave us (host_control_start()). */
static int control_irq = -1;

static void *watch_socket(void *unused)
{
	struct pollfd p = { .fd = sock_fd, .events = POLLIN };
	uint64_t one = 1, count;

	for (;;) {
		if (poll(&p, 1, -1) < 0)
			continue;
		if (write(irq_fd, &one, sizeof(one)) < 0)
			return NULL;
		while (read(rearm_fd, &count, sizeof(count)) < 0 &&
		       errno == EINTR)
			;
	}
}

int host_control_start(int irq)
{
	sigset_t all, old;
	pthread_t thread;
	int err;

	if (sock_fd < 0)
		return -ENODEV;
	control_irq = irq;
	irq_fd = host_irq_eventfd(irq);
	if (irq_fd < 0)
		return irq_fd;
	rearm_fd = eventfd(0, EFD_CLOEXEC);
	if (rearm_fd < 0)
		return -errno;
	/* The thread must never take a signal: it inherits this mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&thread, NULL, watch_socket, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	pthread_detach(thread);
	host_irq_expect(control_irq);
	return 0;
}

void host_control_rearm(void)
{
	uint64_t one = 1;

	if (rearm_fd < 0)
		return;
	if (write(rearm_fd, &one, sizeof(one)) < 0)
		return;
	host_irq_expect(control_irq);
}

int host_control_send(const struct host_control_peer *peer, int err,
		      int more, const char *data, unsigned int len)
{
	struct wire_msg msg;

	if (len > HOST_CONTROL_DATA - 1)
		len = HOST_CONTROL_DATA - 1;
	/* An unnamed client socket cannot be answered. */
	if (peer->len <= sizeof(sa_family_t))
		return -ENOTCONN;
	msg.word[0] = !!err;
	msg.word[1] = !!more;
	msg.word[2] = len + 1;
	memcpy(msg.data, data, len);
	msg.data[len] = '\0';
	if (sendto(sock_fd, &msg, WIRE_HEAD + len + 1,
		   MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)peer->addr, peer->len) < 0)
		return -errno;
	return 0;
}

static int refuse(const struct host_control_peer *peer, const char *why)
{
	host_control_send(peer, 1, 0, why, strlen(why));
	return 0;
}

/* The sender's uid, from the credentials the host attached; -1 if none. */
static long sender_uid(struct msghdr *mh)
{
	struct cmsghdr *c;
	struct ucred cred;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			return cred.uid;
		}
	}
	return -1;
}

int host_control_recv(struct host_control_req *req)
{
	/* One byte more than the largest request, to see a longer one. */
	union {
		struct wire_msg msg;
		char bytes[sizeof(struct wire_msg) + 1];
	} in;
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &in, .iov_len = sizeof(in) };
	struct msghdr mh = {
		.msg_name = req->peer.addr,
		.msg_namelen = sizeof(req->peer.addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n;
	uint32_t len;

	if (sock_fd < 0)
		return -ENODEV;
	n = recvmsg(sock_fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	req->peer.len = mh.msg_namelen;
	if (sender_uid(&mh) != (long)geteuid())
		return refuse(&req->peer, "permission denied: only the guest's owner may control it");
	if ((size_t)n < WIRE_HEAD || in.msg.word[0] != MCONSOLE_MAGIC)
		return refuse(&req->peer, "not an mconsole request (bad magic)");
	if (in.msg.word[1] != MCONSOLE_VERSION)
		return refuse(&req->peer, "unsupported protocol version: only version 2 is spoken");
	len = in.msg.word[2];
	if ((size_t)n > sizeof(struct wire_msg) || len >= HOST_CONTROL_DATA)
		return refuse(&req->peer, "request too long: at most 511 bytes");
	if (len > (size_t)n - WIRE_HEAD)
		return refuse(&req->peer, "malformed request: shorter than its length says");
	memcpy(req->text, in.msg.data, len);
	req->text[len] = '\0';
	req->len = len;
	return 1;
}

void host_control_wait(void)
{
	struct pollfd p = { .fd = sock_fd, .events = POLLIN };

	if (sock_fd >= 0)
		poll(&p, 1, -1);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control channel's boundary.  Before boot the host half gives the
 * guest its name (umid=), makes its run directory and binds the control
 * socket there; the kernel half (control/mconsole.c) answers what comes
 * in on that socket, in kernel context, from the the control interrupt
 * interrupt the socket raises.  The host half reads and checks each datagram (its
 * framing, its sender) and sends the replies; what a request means is the
 * kernel half's business.  Documentation/control.rst has the protocol.
 *
 * Plain C types only: this header is included from both worlds.
 */
#ifndef _CONTROL_HOST_H
#define _CONTROL_HOST_H

/* The most data one request or one reply packet carries (with its NUL). */
#define HOST_CONTROL_DATA	512

/* Where a reply goes: the sender's socket address, as received. */
struct host_control_peer {
	unsigned char addr[112];
	unsigned int len;
};

/* One request, checked and ready for the kernel. */
struct host_control_req {
	char text[HOST_CONTROL_DATA];	/* the command line, NUL-terminated */
	unsigned int len;		/* bytes sent, NULs in them included */
	struct host_control_peer peer;
};

/**
 * host_control_name() - the guest's name (umid).
 *
 * Returns the name, or NULL when the guest has no control socket (its run
 * directory could not be made and no umid= or uml_dir= asked for one).
 */
const char *host_control_name(void);

/* The control socket's path, or NULL as for host_control_name(). */
const char *host_control_socket(void);

/**
 * host_control_start() - let requests on the socket (bound, quietly,
 * since before boot) raise the control interrupt.
 * @irq: that interrupt, as the kernel half got it.
 *
 * Called once the kernel's handler is in place.  After the interrupt the
 * kernel takes requests until none is left, then calls
 * host_control_rearm(); requests queued before the start raise it too.
 * Returns 0 or a negative errno.
 */
int host_control_start(int irq);

/**
 * host_control_rearm() - every queued request is taken (host_control_recv()
 * said -EAGAIN): the next one raises the control interrupt again.
 *
 * Called with interrupts off.
 */
void host_control_rearm(void);

/**
 * host_control_recv() - take the next request off the socket.
 * @req: filled when 1 is returned.
 *
 * Never blocks.  A request that is malformed, too long, of another
 * protocol version or from another user is answered with an error here
 * and never reaches the kernel.  Returns 1 for a request in @req, 0 for
 * one answered here (look again), -EAGAIN when none is queued, or
 * another negative errno.
 */
int host_control_recv(struct host_control_req *req);

/**
 * host_control_send() - send one reply packet to @peer.
 * @err: non-zero for an error reply.
 * @more: non-zero when more packets of this reply follow.
 * @data, @len: the text, at most HOST_CONTROL_DATA - 1 bytes; a NUL is
 *              added.
 *
 * Never blocks.  Returns 0, -EAGAIN when the client's queue is full (try
 * again later), or another negative errno (the client has gone, say).
 */
int host_control_send(const struct host_control_peer *peer, int err,
		      int more, const char *data, unsigned int len);

/**
 * host_control_wait() - sleep in the host until a request is queued or a
 * host signal comes.  Used only while the guest is stopped ("stop"), with
 * interrupts off.
 */
void host_control_wait(void);

#endif /* _CONTROL_HOST_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 debug registers through PTRACE_PEEKUSER and PTRACE_POKEUSER at
 * the offsets of u_debugreg in struct user, answered as x86 Linux answers:
 * DR4 and DR5 do not exist (EIO), DR6 reads back what was written and
 * starts as 0xffff0ff0, DR7 keeps what was last written successfully,
 * reserved DR7 bits are ignored, an enabled breakpoint with an I/O type
 * or an instruction breakpoint longer than a byte is EINVAL.  Arming one
 * either works (a machine with free breakpoint slots: the host) or fails
 * with ENOSPC everywhere (a machine without: the guest, by design, see
 * arch-um/kernel/ptrace.c); with it working, a watchpoint must fire.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include "tap.h"

#define DR(n)		offsetof(struct user, u_debugreg[n])
#define DR6_RESET	0xffff0ff0UL
/* DR7: local enable of breakpoint 0, its type and length fields. */
#define DR7_L0		0x1UL
#define DR7_RW0(rw)	((unsigned long)(rw) << 16)
#define DR7_LEN0(len)	((unsigned long)(len) << 18)
#define RW_EXEC		0
#define RW_WRITE	1
#define RW_IO		2
#define LEN_8		2

static volatile unsigned long watched;

static void child(void)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(90);
	raise(SIGSTOP);
	/* If the tracer armed a watchpoint on it, this write traps. */
	watched = 42;
	_exit(0);
}

static long peek(pid_t pid, unsigned long off, int *err)
{
	long v;

	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, pid, (void *)off, 0);
	*err = errno;
	return v;
}

static int poke(pid_t pid, unsigned long off, unsigned long val)
{
	return ptrace(PTRACE_POKEUSER, pid, (void *)off, (void *)val) < 0 ?
	       errno : 0;
}

int main(void)
{
	int err, e, status, n, guest = !host_run();
	unsigned long v;
	pid_t pid;

	tap_init("t-debugregs", 60);
	pid = fork();
	if (pid == 0)
		child();
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		ok(0, "the traced child stops");
		return tap_done();
	}

	for (n = 0; n < 8; n++) {
		v = peek(pid, DR(n), &err);
		ok(!err && v == (n == 6 ? DR6_RESET : 0),
		   "PEEKUSER DR%d of a fresh tracee: %#lx (%s)", n, v,
		   err ? strerror(err) : "ok");
	}
	ok(poke(pid, DR(4), 0) == EIO && poke(pid, DR(5), 0) == EIO,
	   "POKEUSER DR4 and DR5: EIO (there are no such registers)");
	ok(poke(pid, DR(0) + 4, 0) == EIO,
	   "POKEUSER at an unaligned debug register offset: EIO");
	peek(pid, DR(0) + 4, &err);
	ok(err == EIO, "PEEKUSER at an unaligned debug register offset: EIO");
	/* The kernel's struct user is 928 bytes, glibc's 912. */
	peek(pid, 928, &err);
	ok(err == EIO, "PEEKUSER past struct user: EIO");

	ok(poke(pid, DR(6), 0) == 0 && peek(pid, DR(6), &err) == 0 && !err,
	   "DR6 takes 0 and reads it back");
	ok(poke(pid, DR(6), 0xffff4ff1UL) == 0 &&
	   (unsigned long)peek(pid, DR(6), &err) == 0xffff4ff1UL,
	   "DR6 takes a status value and reads it back");

	ok(poke(pid, DR(7), DR7_RW0(RW_WRITE) | DR7_LEN0(LEN_8)) == 0 &&
	   (unsigned long)peek(pid, DR(7), &err) ==
	   (DR7_RW0(RW_WRITE) | DR7_LEN0(LEN_8)),
	   "DR7 with fields but no enable bit is taken and read back");
	ok(poke(pid, DR(7), 0x400) == 0 &&
	   (unsigned long)peek(pid, DR(7), &err) == 0x400,
	   "DR7's reserved bits are ignored, and read back as written");
	e = poke(pid, DR(7), DR7_L0 | DR7_RW0(RW_IO));
	ok(e == EINVAL && (unsigned long)peek(pid, DR(7), &err) == 0x400,
	   "DR7 enabling an I/O breakpoint: EINVAL (%s), DR7 unchanged",
	   strerror(e));
	e = poke(pid, DR(7), DR7_L0 | DR7_RW0(RW_EXEC) | DR7_LEN0(3));
	ok(e == EINVAL,
	   "DR7 enabling a 4-byte instruction breakpoint: EINVAL (%s)",
	   strerror(e));
	ok(poke(pid, DR(7), 0) == 0 && peek(pid, DR(7), &err) == 0,
	   "DR7 cleared");

	/* Arming: both answers are x86's, the guest must give the second. */
	e = poke(pid, DR(0), (unsigned long)&watched);
	if (e == 0) {
		ok(!guest, "DR0 taken (a machine with free debug registers)");
		v = peek(pid, DR(0), &err);
		ok(v == (unsigned long)&watched, "DR0 reads back %#lx", v);
		e = poke(pid, DR(7), DR7_L0 | DR7_RW0(RW_WRITE) |
			 DR7_LEN0(LEN_8));
		ok(e == 0, "DR7 arms a write watchpoint (%s)", strerror(e));
		ptrace(PTRACE_CONT, pid, 0, 0);
		waitpid(pid, &status, 0);
		ok(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP &&
		   (peek(pid, DR(6), &err) & 1),
		   "the watchpoint fires: SIGTRAP, DR6 says breakpoint 0");
		e = poke(pid, DR(0), 0xffffffffff600000UL);
		ok(e == EINVAL, "DR0 with a kernel address: EINVAL (%s)",
		   strerror(e));
		poke(pid, DR(7), 0);
	} else {
		ok(e == ENOSPC,
		   "DR0: ENOSPC, no free debug registers (%s)", strerror(e));
		ok(peek(pid, DR(0), &err) == 0 && !err, "DR0 still reads 0");
		e = poke(pid, DR(7), DR7_L0 | DR7_RW0(RW_WRITE) |
			 DR7_LEN0(LEN_8));
		ok(e == ENOSPC && peek(pid, DR(7), &err) == 0,
		   "DR7 arming a valid watchpoint: ENOSPC (%s), DR7 unchanged",
		   strerror(e));
		e = poke(pid, DR(3), 0xffffffffff600000UL);
		ok(e == ENOSPC, "DR3 with a kernel address: ENOSPC (%s)",
		   strerror(e));
	}
	ptrace(PTRACE_CONT, pid, 0, 0);
	status = wait_child(pid, 30);
	ok(exited_with(status, 0), "the tracee runs on and exits: %s",
	   status_str(status));

	/* A new tracee starts clean again. */
	pid = fork();
	if (pid == 0)
		child();
	waitpid(pid, &status, 0);
	ok(peek(pid, DR(7), &err) == 0 &&
	   (unsigned long)peek(pid, DR(6), &err) == DR6_RESET,
	   "a new tracee has DR7 0 and DR6 at its reset value");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return tap_done();
}

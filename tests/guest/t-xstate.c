// SPDX-License-Identifier: GPL-2.0
/*
 * Invalid FPU state handed to the kernel, answered as x86 Linux answers:
 * PTRACE_SETREGSET NT_X86_XSTATE with a compacted-format flag, reserved
 * header bytes, components the CPU does not have or reserved MXCSR bits
 * is EINVAL, a partial write EFAULT; NT_PRFPREG and PTRACE_SETFPREGS
 * refuse reserved MXCSR bits with EINVAL.  The tracee runs on unharmed
 * (no kill, no console message).  A signal frame with a bad xsave header
 * makes rt_sigreturn fail with SIGSEGV.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <ucontext.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include "tap.h"

#define HDR		512	/* the xsave header: xstate_bv, xcomp_bv, reserved */
#define MXCSR		24
#define XSTATE_MAX	(64 * 1024)

static unsigned char orig[XSTATE_MAX], buf[XSTATE_MAX];

static void child(void)
{
	double x = 1.5;

	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(90);
	/* Some SSE state of its own. */
	asm volatile("movsd %0, %%xmm1" : : "m" (x) : "xmm1");
	raise(SIGSTOP);
	_exit(0);
}

static int setregset(pid_t pid, int type, void *p, size_t len)
{
	struct iovec iov = { .iov_base = p, .iov_len = len };

	return ptrace(PTRACE_SETREGSET, pid, (void *)(long)type, &iov) < 0 ?
	       errno : 0;
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* One bad variant of the original state: EXPECT from SETREGSET. */
static void try_xstate(pid_t pid, size_t size, int expect, const char *what,
		       unsigned int off, uint64_t val, int width)
{
	int e;

	memcpy(buf, orig, size);
	if (width == 8)
		put64(buf + off, val);
	else
		put32(buf + off, val);
	e = setregset(pid, NT_X86_XSTATE, buf, size);
	ok(e == expect, "SETREGSET NT_X86_XSTATE with %s: %s", what,
	   e ? strerror(e) : "accepted");
}

static void on_usr1(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;

	/* A compacted-format flag in the frame's xsave header. */
	if (fp)
		put64(fp + HDR + 8, 1ULL << 63 | 1);
}

int main(void)
{
	struct user_fpregs_struct fpregs;
	struct iovec iov = { .iov_base = orig, .iov_len = sizeof(orig) };
	uint64_t xstate_bv;
	int status, e;
	size_t size;
	pid_t pid;

	tap_init("t-xstate", 60);
	pid = fork();
	if (pid == 0)
		child();
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		ok(0, "the traced child stops");
		return tap_done();
	}
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov) < 0) {
		ok(0, "GETREGSET NT_X86_XSTATE: %s", strerror(errno));
		kill(pid, SIGKILL);
		return tap_done();
	}
	size = iov.iov_len;
	memcpy(&xstate_bv, orig + HDR, sizeof(xstate_bv));
	diag("xsave area %zu bytes, xstate_bv %#llx", size,
	     (unsigned long long)xstate_bv);

	try_xstate(pid, size, EINVAL, "xcomp_bv set (compacted format)",
		   HDR + 8, 1ULL << 63 | xstate_bv, 8);
	try_xstate(pid, size, EINVAL, "a reserved header byte set",
		   HDR + 40, 1, 8);
	try_xstate(pid, size, EINVAL, "a component the CPU lacks (bit 62)",
		   HDR, xstate_bv | 1ULL << 62, 8);
	memcpy(buf, orig, size);
	put64(buf + HDR, xstate_bv | 3);
	put32(buf + MXCSR, 0x80001f80);
	e = setregset(pid, NT_X86_XSTATE, buf, size);
	ok(e == EINVAL, "SETREGSET NT_X86_XSTATE with MXCSR bit 31: %s",
	   e ? strerror(e) : "accepted");
	e = setregset(pid, NT_X86_XSTATE, orig, size - 64);
	ok(e == EFAULT, "SETREGSET NT_X86_XSTATE, 64 bytes short: %s",
	   e ? strerror(e) : "accepted");
	memcpy(buf, orig, 512);
	put32(buf + MXCSR, 0x80001f80);
	e = setregset(pid, NT_PRFPREG, buf, 512);
	ok(e == EINVAL, "SETREGSET NT_PRFPREG with MXCSR bit 31: %s",
	   e ? strerror(e) : "accepted");
	memcpy(&fpregs, orig, sizeof(fpregs));
	fpregs.mxcsr = 0x80001f80;
	e = ptrace(PTRACE_SETFPREGS, pid, 0, &fpregs) < 0 ? errno : 0;
	ok(e == EINVAL, "PTRACE_SETFPREGS with MXCSR bit 31: %s",
	   e ? strerror(e) : "accepted");
	e = setregset(pid, NT_X86_XSTATE, orig, size);
	ok(e == 0, "SETREGSET NT_X86_XSTATE with its own state: %s",
	   e ? strerror(e) : "accepted");

	ptrace(PTRACE_CONT, pid, 0, 0);
	status = wait_child(pid, 30);
	ok(exited_with(status, 0), "the tracee runs on and exits: %s",
	   status_str(status));

	/* rt_sigreturn with a bad xsave header in the frame. */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_usr1,
					.sa_flags = SA_SIGINFO };

		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		_exit(0);
	}
	status = wait_child(pid, 30);
	ok(killed_by(status, SIGSEGV),
	   "rt_sigreturn with a compacted-format flag in the frame: %s",
	   status_str(status));
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace inside the guest, the requests strace and gdb are built on:
 * PTRACE_TRACEME and stops, the general registers three ways (GETREGS,
 * GETREGSET NT_PRSTATUS, PEEKUSER), syscall stops with TRACESYSGOOD and
 * PTRACE_GET_SYSCALL_INFO, changing a syscall's number and result,
 * PEEKDATA/POKEDATA, the FPU registers (GETFPREGS, SETFPREGS, GETREGSET
 * NT_X86_XSTATE), single-stepping and a software breakpoint.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <linux/audit.h>
#include <linux/ptrace.h>
#include "tap.h"

static const unsigned char xmm_pattern[16] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x0f
};
static volatile unsigned long poke_target = 0x1234;

/* The traced child: every stop is for the parent to check something. */
static void child(void)
{
	unsigned char xmm[16];
	long me = syscall(SYS_getpid), r;

	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(90);
	/* Not raise(): no other system call may come before getpid. */
	syscall(SYS_kill, me, SIGSTOP);

	/* Syscall stops: getpid as is, getppid turned into getpid. */
	r = syscall(SYS_getpid);
	if (r != me)
		_exit(91);
	r = syscall(SYS_getppid);
	if (r != me)
		_exit(92);
	/* The tracer sets this one's result. */
	r = syscall(SYS_getuid);
	if (r != 12345)
		_exit(93);

	/* FPU: xmm0 holds the pattern at the trap; the tracer inverts it. */
	asm volatile("movdqu %1, %%xmm0\n\t"
		     "int3\n\t"
		     "movdqu %%xmm0, %0"
		     : "=m" (xmm) : "m" (xmm_pattern) : "xmm0");
	for (r = 0; r < 16; r++)
		if (xmm[r] != (unsigned char)~xmm_pattern[r])
			_exit(94);

	/* Single steps through a few plain instructions, then a trap. */
	asm volatile("int3\n\t"
		     "nop\n\tnop\n\tnop\n\tnop\n\t"
		     "int3" ::: "memory");
	_exit(poke_target == 0x5678 ? 0 : 95);
}

static int wait_stop(pid_t pid, int *sig)
{
	int status;

	if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status)) {
		diag("child did not stop: status 0x%x", status);
		return -1;
	}
	*sig = WSTOPSIG(status);
	return 0;
}

static int sys_stop(pid_t pid, struct user_regs_struct *regs)
{
	int sig;

	if (ptrace(PTRACE_SYSCALL, pid, 0, 0) < 0 || wait_stop(pid, &sig) ||
	    sig != (SIGTRAP | 0x80))
		return -1;
	return ptrace(PTRACE_GETREGS, pid, 0, regs) < 0 ? -1 : 0;
}

static void test_regs(pid_t pid)
{
	struct user_regs_struct regs, set;
	struct iovec iov = { &set, sizeof(set) };
	long ip;
	int i;

	memset(&regs, 0, sizeof(regs));
	i = ptrace(PTRACE_GETREGS, pid, 0, &regs);
	ok(i == 0 && regs.rip && regs.rsp, "PTRACE_GETREGS (rip %llx, rsp %llx)",
	   regs.rip, regs.rsp);
	ok(ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) == 0 &&
	   iov.iov_len == sizeof(set) && !memcmp(&set, &regs, sizeof(regs)),
	   "PTRACE_GETREGSET NT_PRSTATUS agrees (%zu bytes)", iov.iov_len);
	errno = 0;
	ip = ptrace(PTRACE_PEEKUSER, pid,
		    offsetof(struct user, regs.rip), 0);
	ok(errno == 0 && (unsigned long long)ip == regs.rip,
	   "PTRACE_PEEKUSER of rip agrees");
	ok(ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, u_debugreg[7]),
		  0) == 0 && errno == 0, "PTRACE_PEEKUSER of a debug register");
	set = regs;
	set.cs = 0x1234;
	ok(ptrace(PTRACE_SETREGS, pid, 0, &set) < 0 && errno == EIO,
	   "PTRACE_SETREGS refuses a foreign code segment");
	set = regs;
	ok(ptrace(PTRACE_SETREGS, pid, 0, &set) == 0,
	   "PTRACE_SETREGS of the same registers");
}

static void test_syscalls(pid_t pid)
{
	struct user_regs_struct regs;
	struct ptrace_syscall_info info;
	long n;

	ok(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD) == 0,
	   "PTRACE_SETOPTIONS TRACESYSGOOD");
	n = sys_stop(pid, &regs);
	ok(n == 0 && regs.orig_rax == SYS_getpid,
	   "syscall-entry stop for getpid (orig_rax %lld)", regs.orig_rax);
	n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info);
	ok(n > 0 && info.op == PTRACE_SYSCALL_INFO_ENTRY &&
	   info.arch == AUDIT_ARCH_X86_64 && info.entry.nr == SYS_getpid,
	   "PTRACE_GET_SYSCALL_INFO at entry (op %d, nr %lld)", info.op,
	   (long long)info.entry.nr);
	n = sys_stop(pid, &regs);
	ok(n == 0 && regs.rax == (unsigned long long)pid,
	   "syscall-exit stop with the result in rax (%lld)", regs.rax);
	n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info);
	ok(n > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT &&
	   info.exit.rval == pid, "PTRACE_GET_SYSCALL_INFO at exit");

	/* getppid becomes getpid. */
	n = sys_stop(pid, &regs);
	ok(n == 0 && regs.orig_rax == SYS_getppid,
	   "entry stop for getppid (orig_rax %lld)", regs.orig_rax);
	regs.orig_rax = SYS_getpid;
	ok(ptrace(PTRACE_SETREGS, pid, 0, &regs) == 0,
	   "the tracer changes the syscall number");
	ok(sys_stop(pid, &regs) == 0, "exit stop of the changed syscall");

	/* getuid's result becomes 12345. */
	n = sys_stop(pid, &regs);
	ok(n == 0 && regs.orig_rax == SYS_getuid,
	   "entry stop for getuid (orig_rax %lld)", regs.orig_rax);
	ok(sys_stop(pid, &regs) == 0, "exit stop for getuid");
	ok(ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, regs.rax),
		  12345) == 0, "PTRACE_POKEUSER sets the result");
}

static void test_fpu(pid_t pid)
{
	struct user_fpregs_struct fp;
	static unsigned char xstate[8192];
	struct iovec iov = { xstate, sizeof(xstate) };
	int sig, i;

	ok(ptrace(PTRACE_CONT, pid, 0, 0) == 0 && wait_stop(pid, &sig) == 0 &&
	   sig == SIGTRAP, "int3 stops the tracee with SIGTRAP");
	ok(ptrace(PTRACE_GETFPREGS, pid, 0, &fp) == 0 &&
	   !memcmp(fp.xmm_space, xmm_pattern, 16),
	   "PTRACE_GETFPREGS shows xmm0 as the tracee set it");
	ok(ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov) == 0 &&
	   iov.iov_len > 512 && !memcmp(xstate + 160, xmm_pattern, 16),
	   "PTRACE_GETREGSET NT_X86_XSTATE (%zu bytes) agrees", iov.iov_len);
	for (i = 0; i < 16; i++)
		((unsigned char *)fp.xmm_space)[i] = ~xmm_pattern[i];
	ok(ptrace(PTRACE_SETFPREGS, pid, 0, &fp) == 0,
	   "PTRACE_SETFPREGS changes xmm0");
}

static void test_step(pid_t pid)
{
	struct user_regs_struct regs;
	unsigned long long ip0;
	int sig, i, good = 1;
	long word;

	ok(ptrace(PTRACE_CONT, pid, 0, 0) == 0 && wait_stop(pid, &sig) == 0 &&
	   sig == SIGTRAP, "the second int3 stops it");
	ptrace(PTRACE_GETREGS, pid, 0, &regs);
	ip0 = regs.rip;
	for (i = 1; i <= 4 && good; i++) {
		memset(&regs, 0, sizeof(regs));
		good = ptrace(PTRACE_SINGLESTEP, pid, 0, 0) == 0 &&
		       wait_stop(pid, &sig) == 0 && sig == SIGTRAP &&
		       ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 &&
		       regs.rip == ip0 + i;
	}
	ok(good, "PTRACE_SINGLESTEP: four nops, one byte each (rip +%lld)",
	   regs.rip - ip0);
	ok(!(regs.eflags & 0x100), "the trap flag does not show");

	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, &poke_target, 0);
	ok(errno == 0 && word == 0x1234, "PTRACE_PEEKDATA");
	ok(ptrace(PTRACE_POKEDATA, pid, &poke_target, 0x5678) == 0,
	   "PTRACE_POKEDATA");
	ok(ptrace(PTRACE_CONT, pid, 0, 0) == 0 && wait_stop(pid, &sig) == 0 &&
	   sig == SIGTRAP, "the last int3 stops it");
}

int main(void)
{
	int sig, status;
	pid_t pid;

	tap_init("t-ptrace", 60);
	pid = fork();
	if (pid == 0)
		child();
	if (!ok(wait_stop(pid, &sig) == 0 && sig == SIGSTOP,
		"PTRACE_TRACEME: the child's SIGSTOP stops it"))
		return tap_done();
	test_regs(pid);
	test_syscalls(pid);
	test_fpu(pid);
	test_step(pid);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the tracee saw every change (status 0x%x)", status);
	return tap_done();
}

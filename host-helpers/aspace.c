// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space processes: created by forking the kernel's process, they
 * map the stub, drop everything else, and stop under the kernel's trace.
 */
#include <cpuid.h>
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <host/aspace.h>
#include <asm/prctl.h>
#include <host/stub.h>
#include <host/vdso.h>
#include <host/x86.h>
#include "internal.h"

/* The numbers stub.S takes from host/x86.h are the host's own. */
#define STUB_USES(ours, host) _Static_assert((ours) == (host), #host)
STUB_USES(HOST_X86_NR_MMAP, SYS_mmap);
STUB_USES(HOST_X86_NR_MUNMAP, SYS_munmap);
STUB_USES(HOST_X86_NR_RT_SIGACTION, SYS_rt_sigaction);
STUB_USES(HOST_X86_NR_RT_SIGPROCMASK, SYS_rt_sigprocmask);
STUB_USES(HOST_X86_NR_CLONE, SYS_clone);
STUB_USES(HOST_X86_NR_EXIT, SYS_exit);
STUB_USES(HOST_X86_NR_PTRACE, SYS_ptrace);
STUB_USES(HOST_X86_NR_SIGALTSTACK, SYS_sigaltstack);
STUB_USES(HOST_X86_NR_PRCTL, SYS_prctl);
STUB_USES(HOST_X86_NR_CLOSE_RANGE, SYS_close_range);
STUB_USES(HOST_X86_PR_SET_PDEATHSIG, PR_SET_PDEATHSIG);
STUB_USES(HOST_X86_SIGKILL, SIGKILL);
STUB_USES(HOST_X86_SIGSEGV, SIGSEGV);
STUB_USES(HOST_X86_SIGCHLD, SIGCHLD);
STUB_USES(HOST_X86_SIG_SETMASK, SIG_SETMASK);
STUB_USES(HOST_X86_PROT_READ, PROT_READ);
STUB_USES(HOST_X86_PROT_WRITE, PROT_WRITE);
STUB_USES(HOST_X86_MAP_SHARED, MAP_SHARED);
STUB_USES(HOST_X86_MAP_FIXED, MAP_FIXED);
STUB_USES(HOST_X86_SA_SIGINFO, SA_SIGINFO);
STUB_USES(HOST_X86_SA_ONSTACK, SA_ONSTACK);
STUB_USES(HOST_X86_SA_NODEFER, SA_NODEFER);
STUB_USES(HOST_X86_PTRACE_TRACEME, PTRACE_TRACEME);

unsigned long host_fpstate_size;
unsigned long long host_xfeatures;

/* glibc's restartable-sequences registration of this thread. */
extern const long __rseq_offset;
extern const unsigned int __rseq_size;
#define RSEQ_FLAG_UNREGISTER	1
#define RSEQ_SIGNATURE		0x53053053

/*
 * Address-space processes are forks of this process and inherit its rseq
 * registration, whose memory they no longer map: the host kernel would
 * kill them with SIGSEGV at their next return to user mode.  Nothing here
 * needs rseq, so end it.
 */
static void drop_rseq(void)
{
	char *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	if (!__rseq_size)
		return;
	if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER,
		    RSEQ_SIGNATURE) < 0)
		syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER,
			RSEQ_SIGNATURE);
}

int host_aspace_init(unsigned long code_phys)
{
	unsigned int a, b, c, d;

	/* New processes are forks of this one: they find the stub here. */
	if (mmap((void *)STUB_CODE, STUB_PAGE_SIZE, PROT_READ | PROT_EXEC,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, host_physmem_fd,
		 code_phys) != (void *)STUB_CODE)
		return -EEXIST;
	/* XSAVE area size for the features the host kernel enabled. */
	if (!__get_cpuid_count(0xd, 0, &a, &b, &c, &d) || b < 512)
		return -ENOSYS;
	host_fpstate_size = b;
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	host_xfeatures = ((unsigned long long)d << 32) | a;
	drop_rseq();
	host_cpu_pin();
	return 0;
}

int host_aspace_create(unsigned long data_phys)
{
	int pid, status, err;

	/* The child runs only stub code (stub.S), up to its first stop. */
	pid = host_stub_clone(data_phys, host_physmem_fd);
	if (pid < 0)
		return pid;

	/* It stops at the stub's first int3, with nothing else mapped. */
	err = host_wait_child(pid, &status);
	if (err)
		return err;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		host_aspace_destroy(pid);
		return -ECHILD;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0) {
		err = -errno;
		host_aspace_destroy(pid);
		return err;
	}
	return pid;
}

int host_wait_child(int pid, int *status)
{
	while (waitpid(pid, status, __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

void host_aspace_destroy(int pid)
{
	kill(pid, SIGKILL);
	host_wait_child(pid, NULL);
}

bool host_signal_is_fault(int sig, const siginfo_t *si)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		/* The host kernel's own codes are positive; a sender's not. */
		return si->si_code > 0;
	default:
		return false;
	}
}

int host_aspace_ended(int pid)
{
	siginfo_t si;

	si.si_pid = 0;
	if (waitid(pid ? P_PID : P_ALL, pid, &si,
		   WEXITED | WNOHANG | WNOWAIT | __WALL) < 0)
		return 0;
	return si.si_pid != 0;
}

int host_wait_trap(int pid)
{
	siginfo_t si;
	int status, sig;

	for (;;) {
		int err = host_wait_child(pid, &status);

		if (err)
			return err;
		if (!WIFSTOPPED(status))
			return -ECHILD;
		sig = WSTOPSIG(status);
		if (sig != HOST_KICK_SIGNAL) {
			if (ptrace(PTRACE_GETSIGINFO, pid, NULL, &si) < 0)
				return -errno;
			/* The stub's int3, or its own fault: a bug of ours. */
			if (host_signal_is_fault(sig, &si))
				return sig == SIGTRAP ? 0 : -ECHILD;
		}
		/* A kick on its way, or a signal from outside: passed over. */
		if (ptrace(PTRACE_CONT, pid, NULL, 0) < 0)
			return -errno;
	}
}

/* Resume @pid at stub entry @entry and wait for its int3. */
int host_stub_call(int pid, unsigned long entry)
{
	if (ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, rip),
		   STUB_CODE + entry) < 0 ||
	    ptrace(PTRACE_CONT, pid, NULL, 0) < 0)
		return -errno;
	return host_wait_trap(pid);
}

int host_aspace_run_ops(int pid, struct stub_data *data)
{
	long done, nr = data->nr_ops;
	int err = host_stub_call(pid, STUB_ENTRY_OPS);

	data->nr_ops = 0;
	if (err)
		return err;
	/* The guest could have changed the data page: believe no more than nr. */
	done = data->done;
	if (done >= nr)
		return 0;
	return data->result < 0 && data->result > -4096 ? data->result : -EIO;
}

static int queue(struct stub_data *data, long nr, long a0, long a1, long a2,
		 long a3, long a4, long a5)
{
	struct stub_op *op;

	/* Unsigned: a negative count from the guest is no index. */
	if ((unsigned long)data->nr_ops >= STUB_MAX_OPS)
		return -ENOSPC;
	op = &data->ops[data->nr_ops++];
	op->nr = nr;
	op->args[0] = a0;
	op->args[1] = a1;
	op->args[2] = a2;
	op->args[3] = a3;
	op->args[4] = a4;
	op->args[5] = a5;
	return 0;
}

unsigned long host_fail_map_every;

int host_stub_queue_map(struct stub_data *data, unsigned long addr,
			unsigned long len, unsigned long phys, int prot)
{
	static unsigned long requests;
	int host_prot = (prot & HOST_PROT_READ ? PROT_READ : 0) |
			(prot & HOST_PROT_WRITE ? PROT_WRITE : 0) |
			(prot & HOST_PROT_EXEC ? PROT_EXEC : 0);

	if (host_fail_map_every && ++requests % host_fail_map_every == 0)
		return -ENOMEM;
	return queue(data, SYS_mmap, addr, len, host_prot,
		     MAP_SHARED | MAP_FIXED, host_physmem_fd, phys);
}

int host_stub_queue_unmap(struct stub_data *data, unsigned long addr,
			  unsigned long len)
{
	return queue(data, SYS_munmap, addr, len, 0, 0, 0, 0);
}

int host_stub_queue_vdso(struct stub_data *data, const struct host_vdso *v)
{
	if ((unsigned long)data->nr_ops + 2 > STUB_MAX_OPS)
		return -ENOSPC;
	queue(data, SYS_munmap, HOST_VDSO_AT, v->len, 0, 0, 0, 0);
	return queue(data, SYS_arch_prctl, ARCH_MAP_VDSO_64, HOST_VDSO_AT, 0,
		     0, 0, 0);
}

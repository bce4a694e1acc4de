// SPDX-License-Identifier: GPL-2.0
/*
 * Signals: handlers and their masks, SA_SIGINFO, SA_RESTART, sigaltstack,
 * sigprocmask/sigpending, real-time queueing order, SIGCHLD, and the
 * hardware signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) with the
 * si_code, si_addr and saved RIP that x86-64 Linux gives them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <time.h>
#include <ucontext.h>
#include "tap.h"

/*
 * Faulting instructions at known addresses, so handlers can check si_addr
 * and the saved RIP exactly.  Each is a tiny function.
 */
extern char store_insn[], load_insn[], ud2_insn[], int3_insn[], int3_after[];
extern char div_insn[], ud2_rax_insn[];
void do_store(void *addr);
int do_load(void *addr);
void do_ud2(void);
void do_int3(void);
void do_div0(void);
long do_ud2_rax(void);
asm(".text\n"
    ".globl do_store, store_insn\n"
    "do_store:\n"
    "store_insn: movl $1, (%rdi)\n"
    "	ret\n"
    ".globl do_load, load_insn\n"
    "do_load:\n"
    "load_insn: movl (%rdi), %eax\n"
    "	ret\n"
    ".globl do_ud2, ud2_insn\n"
    "do_ud2:\n"
    "ud2_insn: ud2\n"
    "	ret\n"
    ".globl do_int3, int3_insn, int3_after\n"
    "do_int3:\n"
    "int3_insn: int3\n"
    "int3_after: ret\n"
    ".globl do_div0, div_insn\n"
    "do_div0:\n"
    "	xorl %ecx, %ecx\n"
    "	movl $1, %eax\n"
    "	cltd\n"
    "div_insn: idivl %ecx\n"
    "	ret\n"
    /* a handler that sets RAX and skips the ud2 makes this return its RAX */
    ".globl do_ud2_rax, ud2_rax_insn\n"
    "do_ud2_rax:\n"
    "	movq $1, %rax\n"
    "ud2_rax_insn: ud2\n"
    "	ret\n");

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&d, &d) && errno == EINTR)
		;
}

static int set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
		       const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	if (mask)
		sa.sa_mask = *mask;
	else
		sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void set_default(int sig)
{
	signal(sig, SIG_DFL);
}

static int is_blocked(int sig)
{
	sigset_t cur;

	sigprocmask(SIG_SETMASK, NULL, &cur);
	return sigismember(&cur, sig);
}

/* --- plain handlers, SA_SIGINFO, handler masks --- */

static volatile sig_atomic_t hits, last_sig, self_blocked, usr2_blocked;
static siginfo_t last_info;

static void count_handler(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_info = *si;
	self_blocked = is_blocked(sig);
	usr2_blocked = is_blocked(SIGUSR2);
}

static void plain_handler(int sig)
{
	hits++;
	last_sig = sig;
}

static void test_handlers(void)
{
	struct sigaction sa, old;
	sigset_t mask;
	union sigval v;

	hits = 0;
	signal(SIGUSR1, plain_handler);
	raise(SIGUSR1);
	ok(hits == 1 && last_sig == SIGUSR1, "signal(2) handler runs once for raise");

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	hits = 0;
	set_handler(SIGUSR1, count_handler, 0, &mask);
	kill(getpid(), SIGUSR1);
	ok(hits == 1 && last_info.si_signo == SIGUSR1 && last_info.si_code == SI_USER &&
	   last_info.si_pid == getpid() && last_info.si_uid == getuid(),
	   "SA_SIGINFO for kill: signo %d code %d pid %d uid %d", last_info.si_signo,
	   last_info.si_code, last_info.si_pid, last_info.si_uid);
	ok(self_blocked && usr2_blocked, "in the handler the signal and sa_mask are blocked");
	ok(!is_blocked(SIGUSR1) && !is_blocked(SIGUSR2), "mask restored after the handler");

	set_handler(SIGUSR1, count_handler, SA_NODEFER, NULL);
	raise(SIGUSR1);
	ok(!self_blocked, "SA_NODEFER leaves the signal unblocked in its handler");

	v.sival_int = 4242;
	sigqueue(getpid(), SIGUSR1, v);
	ok(last_info.si_code == SI_QUEUE && last_info.si_value.sival_int == 4242,
	   "sigqueue: SI_QUEUE with its value (code %d value %d)", last_info.si_code,
	   last_info.si_value.sival_int);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	ok(last_info.si_code == SI_TKILL, "tgkill: SI_TKILL (code %d)", last_info.si_code);

	set_handler(SIGUSR1, count_handler, SA_RESETHAND, NULL);
	hits = 0;
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	ok(hits == 1 && old.sa_handler == SIG_DFL, "SA_RESETHAND: back to SIG_DFL after one");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	hits = 0;
	raise(SIGUSR1);
	ok(hits == 0, "SIG_IGN: an ignored signal does nothing");
	set_default(SIGUSR1);
}

/* --- SA_RESTART on a read blocked on a pipe --- */

static int ack_fd = -1;

/* Counts the signal and tells the sender it was handled. */
static void ack_handler(int sig, siginfo_t *si, void *uc)
{
	hits++;
	(void)!write(ack_fd, "a", 1);
}

/*
 * The parent blocks in read() on an empty pipe; the child signals it once
 * it sleeps there, waits until the handler has run, then writes the data.
 */
static int blocked_read(int restart, ssize_t *got, int *err)
{
	int pfd[2], ack[2], status;
	char buf[8], c;
	pid_t child, parent = getpid();

	if (pipe(pfd))
		return -1;
	if (pipe(ack)) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	ack_fd = ack[1];
	hits = 0;
	set_handler(SIGUSR1, ack_handler, restart ? SA_RESTART : 0, NULL);
	child = fork();
	if (child == 0) {
		close(pfd[0]);
		close(ack[1]);
		wait_asleep(parent, parent);
		kill(parent, SIGUSR1);
		(void)!read(ack[0], &c, 1);
		(void)!write(pfd[1], "data", 4);
		_exit(0);
	}
	close(pfd[1]);
	close(ack[0]);
	*got = read(pfd[0], buf, sizeof(buf));
	*err = errno;
	status = wait_child(child, 30);
	close(pfd[0]);
	close(ack[1]);
	set_default(SIGUSR1);
	return status;
}

static void test_restart(void)
{
	ssize_t got;
	int err;

	blocked_read(1, &got, &err);
	ok(hits == 1 && got == 4, "SA_RESTART: read restarts after the handler and gets data "
	   "(handler %d, read %zd%s%s)", (int)hits, got, got < 0 ? " " : "",
	   got < 0 ? strerror(err) : "");
	blocked_read(0, &got, &err);
	ok(hits == 1 && got == -1 && err == EINTR,
	   "without SA_RESTART: read fails EINTR (handler %d, read %zd)", (int)hits, got);
}

/* --- sigaltstack --- */

static char *alt_base;
static size_t alt_size;
static volatile int on_alt, flags_in_handler;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t cur;

	on_alt = &here >= alt_base && &here < alt_base + alt_size;
	sigaltstack(NULL, &cur);
	flags_in_handler = cur.ss_flags;
}

/* Overflow the stack: only a handler on the alternate stack can run. */
static volatile int keep_recursing = 1;

static int recurse(volatile char *p)
{
	volatile char buf[4096];

	buf[0] = p ? p[0] + 1 : 0;
	if (!keep_recursing)
		return 0;
	return recurse(buf) + buf[1];
}

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
	_exit(sig == SIGSEGV ? 0 : 1);
}

static void test_sigaltstack(void)
{
	stack_t ss, cur;
	pid_t child;
	int status;

	alt_size = 64 * 1024;
	alt_base = mmap(NULL, alt_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	ok(sigaltstack(&ss, NULL) == 0, "sigaltstack installs a 64 KiB stack");
	set_handler(SIGUSR1, alt_handler, SA_ONSTACK, NULL);
	raise(SIGUSR1);
	ok(on_alt, "SA_ONSTACK handler runs on the alternate stack");
	ok(flags_in_handler & SS_ONSTACK, "sigaltstack reports SS_ONSTACK inside it");
	sigaltstack(NULL, &cur);
	ok(cur.ss_flags == 0 && cur.ss_sp == alt_base, "and not after it (flags %d)",
	   cur.ss_flags);
	set_handler(SIGUSR1, alt_handler, 0, NULL);
	raise(SIGUSR1);
	ok(!on_alt, "without SA_ONSTACK the handler uses the normal stack");
	set_default(SIGUSR1);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);

	child = fork();
	if (child == 0) {
		struct rlimit rl = { 8 << 20, 8 << 20 };

		setrlimit(RLIMIT_STACK, &rl);
		ss.ss_flags = 0;
		sigaltstack(&ss, NULL);
		set_handler(SIGSEGV, overflow_handler, SA_ONSTACK, NULL);
		recurse(NULL);
		_exit(2);
	}
	status = wait_child(child, 30);
	ok(exited_with(status, 0), "stack overflow caught by a SIGSEGV handler on the "
	   "alternate stack (%s)", status_str(status));
}

/* --- sigprocmask, sigpending, sigsuspend --- */

static void test_mask_pending(void)
{
	sigset_t block, old, pend, cur;
	pid_t child, parent = getpid();
	int r, status, ready[2];
	char c;

	set_handler(SIGUSR1, count_handler, 0, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	hits = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pend);
	ok(hits == 0, "a blocked signal is not delivered");
	ok(sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2),
	   "sigpending shows it (and nothing else)");
	sigprocmask(SIG_SETMASK, &old, NULL);
	ok(hits == 1, "unblocking delivers it once: standard signals coalesce (%d)",
	   (int)hits);
	sigpending(&pend);
	ok(!sigismember(&pend, SIGUSR1), "and it is no longer pending");

	sigfillset(&block);
	sigprocmask(SIG_SETMASK, &block, &old);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	ok(!sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP) &&
	   sigismember(&cur, SIGTERM), "SIGKILL and SIGSTOP cannot be blocked");
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* sigsuspend: wait with the signal blocked otherwise */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	hits = 0;
	child = fork();
	if (child == 0) {
		sleep_ms(50);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	sigemptyset(&cur);
	r = sigsuspend(&cur);
	ok(r == -1 && errno == EINTR && hits == 1 && is_blocked(SIGUSR1),
	   "sigsuspend returns EINTR after the handler, old mask back");
	sigprocmask(SIG_SETMASK, &old, NULL);
	wait_child(child, 10);
	set_default(SIGUSR1);

	/* The child closes the pipe once SIGTERM is back to its default. */
	set_handler(SIGTERM, count_handler, 0, NULL);
	if (pipe(ready))
		return;
	child = fork();
	if (child == 0) {
		set_default(SIGTERM);
		close(ready[0]);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	(void)!read(ready[0], &c, 1);
	close(ready[0]);
	kill(child, SIGTERM);
	status = wait_child(child, 10);
	ok(killed_by(status, SIGTERM), "SIGTERM's default action kills (%s)",
	   status_str(status));
	set_default(SIGTERM);
}

/* --- real-time signals: queued, each with its value, in order --- */

#define RTQ 8
static int rt_sig[RTQ], rt_val[RTQ], rt_n;

static void rt_handler(int sig, siginfo_t *si, void *uc)
{
	if (rt_n < RTQ && si->si_code == SI_QUEUE) {
		rt_sig[rt_n] = sig;
		rt_val[rt_n] = si->si_value.sival_int;
		rt_n++;
	}
}

/* What we queue, and the order Linux delivers it: lowest signal first,
 * FIFO within one signal. */
static const int q_off[] = { 1, 0, 0, 1, 2, 0 };
static const int q_val[] = { 10, 20, 30, 40, 50, 60 };
static const int want_off[] = { 0, 0, 0, 1, 1, 2 };
static const int want_val[] = { 20, 30, 60, 10, 40, 50 };
#define NQ 6

static int rt_order_ok(char *got, size_t len)
{
	int i, good = rt_n == NQ;

	got[0] = 0;
	for (i = 0; i < rt_n; i++) {
		size_t l = strlen(got);

		snprintf(got + l, len - l, "%s+%d:%d", i ? " " : "",
			 rt_sig[i] - SIGRTMIN, rt_val[i]);
		if (i < NQ && (rt_sig[i] != SIGRTMIN + want_off[i] ||
			       rt_val[i] != want_val[i]))
			good = 0;
	}
	return good;
}

static void test_rt_queue(void)
{
	sigset_t block, old;
	union sigval v;
	char got[200];
	int i, sig;
	siginfo_t si;

	/* every RT handler blocks all three, so handlers run one after another */
	sigemptyset(&block);
	for (i = 0; i < 3; i++)
		sigaddset(&block, SIGRTMIN + i);
	for (i = 0; i < 3; i++)
		set_handler(SIGRTMIN + i, rt_handler, 0, &block);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < NQ; i++) {
		v.sival_int = q_val[i];
		sigqueue(getpid(), SIGRTMIN + q_off[i], v);
	}
	rt_n = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	ok(rt_order_ok(got, sizeof(got)),
	   "RT signals: all queued, lowest first, FIFO per signal (%s)", got);

	/* the same through sigwaitinfo */
	sigprocmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < NQ; i++) {
		v.sival_int = q_val[i];
		sigqueue(getpid(), SIGRTMIN + q_off[i], v);
	}
	rt_n = 0;
	for (i = 0; i < NQ; i++) {
		sig = sigwaitinfo(&block, &si);
		if (sig < 0)
			break;
		rt_sig[rt_n] = sig;
		rt_val[rt_n] = si.si_value.sival_int;
		rt_n++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	ok(rt_order_ok(got, sizeof(got)), "sigwaitinfo takes them in the same order (%s)",
	   got);
	for (i = 0; i < 3; i++)
		set_default(SIGRTMIN + i);
}

static void test_sigchld(void)
{
	sigset_t block, old;
	struct timespec ts = { 10, 0 };
	siginfo_t si;
	pid_t child;
	int sig;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	child = fork();
	if (child == 0)
		_exit(23);
	memset(&si, 0, sizeof(si));
	sig = sigtimedwait(&block, &si, &ts);
	ok(sig == SIGCHLD && si.si_pid == child && si.si_code == CLD_EXITED &&
	   si.si_status == 23, "SIGCHLD: pid, CLD_EXITED, status 23 (code %d status %d)",
	   si.si_code, si.si_status);
	waitpid(child, NULL, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* --- hardware signals --- */

struct fault {
	int sig, code;
	void *addr;
	unsigned long rip;
};

static sigjmp_buf fault_env;
static volatile struct fault got_fault;

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	got_fault.sig = sig;
	got_fault.code = si->si_code;
	got_fault.addr = si->si_addr;
	got_fault.rip = uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(fault_env, 1);
}

static const int fault_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };

/* catch(fn, arg): run fn(arg), returning 1 if a hardware signal hit. */
static int catch(void (*fn)(void *), void *arg)
{
	unsigned i;
	volatile int hit = 0;

	memset((void *)&got_fault, 0, sizeof(got_fault));
	for (i = 0; i < sizeof(fault_sigs) / sizeof(fault_sigs[0]); i++)
		set_handler(fault_sigs[i], fault_handler, 0, NULL);
	if (sigsetjmp(fault_env, 1) == 0)
		fn(arg);
	else
		hit = 1;
	for (i = 0; i < sizeof(fault_sigs) / sizeof(fault_sigs[0]); i++)
		set_default(fault_sigs[i]);
	return hit;
}

static void call_store(void *a) { do_store(a); }
static void call_load(void *a) { do_load(a); }
static void call_ud2(void *a) { do_ud2(); }
static void call_int3(void *a) { do_int3(); }
static void call_div0(void *a) { do_div0(); }
static void call_jump(void *a) { ((void (*)(void))a)(); }

static void expect(const char *what, int hit, int sig, int code, void *addr,
		   void *rip)
{
	ok(hit && got_fault.sig == sig && got_fault.code == code &&
	   got_fault.addr == addr && got_fault.rip == (unsigned long)rip,
	   "%s: sig %d code %d addr %p rip %#lx (want %d %d %p %p)", what,
	   got_fault.sig, got_fault.code, got_fault.addr, got_fault.rip, sig, code,
	   addr, rip);
}

static void test_faults(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[64], *ro, *file;
	int hit, fd;

	hit = catch(call_store, (void *)0x10);
	expect("SIGSEGV for a write to NULL+0x10: SEGV_MAPERR", hit, SIGSEGV, SEGV_MAPERR,
	       (void *)0x10, store_insn);
	ok(!is_blocked(SIGSEGV), "siglongjmp out of the handler restored the mask");

	hit = catch(call_load, (void *)0x18);
	expect("SIGSEGV for a read of NULL+0x18: SEGV_MAPERR", hit, SIGSEGV, SEGV_MAPERR,
	       (void *)0x18, load_insn);

	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hit = catch(call_store, ro + 100);
	expect("SIGSEGV for a write to a read-only page: SEGV_ACCERR", hit, SIGSEGV,
	       SEGV_ACCERR, ro + 100, store_insn);
	mprotect(ro, page, PROT_NONE);
	hit = catch(call_load, ro + 8);
	expect("SIGSEGV for a read of a PROT_NONE page: SEGV_ACCERR", hit, SIGSEGV,
	       SEGV_ACCERR, ro + 8, load_insn);
	munmap(ro, page);

	hit = catch(call_jump, (void *)0xdead000);
	expect("SIGSEGV for a jump to an unmapped address", hit, SIGSEGV, SEGV_MAPERR,
	       (void *)0xdead000, (void *)0xdead000);

	snprintf(path, sizeof(path), "/tmp/t-signals-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 100)) {
		ok(0, "create a 100-byte file in /tmp: %s", strerror(errno));
	} else {
		file = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (file == MAP_FAILED) {
			ok(0, "mmap it: %s", strerror(errno));
		} else {
			hit = catch(call_load, file + 200);
			ok(!hit, "the rest of the file's last page reads (as zeros)");
			hit = catch(call_load, file + page + 4);
			expect("SIGBUS for a page past the end of a file: BUS_ADRERR", hit,
			       SIGBUS, BUS_ADRERR, file + page + 4, load_insn);
			munmap(file, 2 * page);
		}
	}
	if (fd >= 0)
		close(fd);
	unlink(path);

	hit = catch(call_div0, NULL);
	expect("SIGFPE for an integer divide by zero: FPE_INTDIV", hit, SIGFPE,
	       FPE_INTDIV, div_insn, div_insn);

	hit = catch(call_ud2, NULL);
	expect("SIGILL for ud2: ILL_ILLOPN", hit, SIGILL, ILL_ILLOPN, ud2_insn, ud2_insn);

	/* x86 Linux reports int3 as SI_KERNEL, RIP after the int3, no address */
	hit = catch(call_int3, NULL);
	expect("SIGTRAP for int3: SI_KERNEL, RIP past it", hit, SIGTRAP, SI_KERNEL,
	       NULL, int3_after);
}

/* A handler may change the saved registers; sigreturn must restore them. */
static void skip_ud2_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)ud2_rax_insn) {
		uc->uc_mcontext.gregs[REG_RIP] += 2;
		uc->uc_mcontext.gregs[REG_RAX] = 0x1234567890L;
	}
}

static void test_ucontext_edit(void)
{
	long r;

	set_handler(SIGILL, skip_ud2_handler, 0, NULL);
	r = do_ud2_rax();
	set_default(SIGILL);
	ok(r == 0x1234567890L, "sigreturn applies a handler's edits to RIP and RAX (%#lx)",
	   r);
}

int main(void)
{
	tap_init("t-signals", 120);
	test_handlers();
	test_restart();
	test_sigaltstack();
	test_mask_pending();
	test_rt_queue();
	test_sigchld();
	test_faults();
	test_ucontext_edit();
	return tap_done();
}

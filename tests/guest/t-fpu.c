// SPDX-License-Identifier: GPL-2.0
/*
 * FPU state: SSE, AVX and AVX-512 registers, MXCSR and the x87 stack keep
 * their values across context switches (two processes, then two threads,
 * on one CPU, each loading its own values and yielding) and across a
 * signal handler that clobbers them.  The signal frame must hold the
 * interrupted values, the handler must start from the default control
 * state, and sigreturn must restore what the frame holds.  A vfork() child
 * that changes MXCSR and then execs starts its new program with the
 * default state.
 *
 * The registers are loaded, the syscalls made and the registers stored in
 * one asm block each, so the compiler never spills or reuses them.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include "tap.h"

enum kind { SSE, AVX, AVX512 };
static const char *const kind_name[] = { "SSE", "AVX", "AVX-512" };
/* registers and bytes per register of each kind */
static const int nregs[] = { 16, 16, 32 };
static const int width[] = { 16, 32, 64 };

struct regs {
	uint8_t v[32][64] __attribute__((aligned(64)));
	uint32_t mxcsr;
	double x87[2];
};

static int have[3];
static unsigned int ymm_offset;	/* of the YMM upper halves in xsave format */

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static void detect(void)
{
	unsigned a, b, c, d;
	uint64_t xcr0 = 0;

	have[SSE] = 1;	/* x86-64 baseline */
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return;
	if (!(c & bit_OSXSAVE))
		return;
	xcr0 = xgetbv0();
	/* the OS must enable the state (XCR0), not just the CPU have it */
	have[AVX] = (c & bit_AVX) && (xcr0 & 6) == 6;
	if (have[AVX] && __get_cpuid_count(0xd, 2, &a, &b, &c, &d))
		ymm_offset = b;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		have[AVX512] = have[AVX] && (b & bit_AVX512F) && (xcr0 & 0xe6) == 0xe6;
}

#define SYS_YIELD	"$24"	/* __NR_sched_yield */
#define SYS_GETPID	"$39"
#define SYS_KILL	"$62"
#define SIGUSR1_NR	"$10"

/*
 * The loop between loading and storing: N times either sched_yield() or,
 * if KILL, kill(getpid(), SIGUSR1).  syscall clobbers rax, rcx and r11
 * only; everything else must come back as it was.
 */
#define MIDDLE \
	"	fldl 0(%[x87in])\n" \
	"	fldl 8(%[x87in])\n" \
	"	ldmxcsr %[mxin]\n" \
	"1:	test %[kill], %[kill]\n" \
	"	jz 2f\n" \
	"	mov " SYS_GETPID ", %%eax\n" \
	"	syscall\n" \
	"	mov %%rax, %%rdi\n" \
	"	mov " SIGUSR1_NR ", %%esi\n" \
	"	mov " SYS_KILL ", %%eax\n" \
	"	syscall\n" \
	"	jmp 3f\n" \
	"2:	mov " SYS_YIELD ", %%eax\n" \
	"	syscall\n" \
	"3:	dec %[n]\n" \
	"	jnz 1b\n" \
	"	stmxcsr %[mxout]\n" \
	"	ldmxcsr %[mxdef]\n" \
	"	fstpl 8(%[x87out])\n" \
	"	fstpl 0(%[x87out])\n"

#define OPERANDS \
	: [n] "+r"(n), [mxout] "=m"(out->mxcsr) \
	: [in] "r"(in->v), [out] "r"(out->v), [kill] "r"(kill), \
	  [x87in] "r"(in->x87), [x87out] "r"(out->x87), [mxin] "m"(in->mxcsr), \
	  [mxdef] "m"(mxcsr_default) \
	: "rax", "rcx", "r11", "rdi", "rsi", "memory", "cc", "st", "st(1)"

static const uint32_t mxcsr_default = 0x1f80;

static void run_sse(const struct regs *in, struct regs *out, long n, long kill)
{
	asm volatile(
#define LD(i) "movdqu " #i "*64(%[in]), %%xmm" #i "\n"
		LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
		LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
#undef LD
		MIDDLE
#define ST(i) "movdqu %%xmm" #i ", " #i "*64(%[out])\n"
		ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
		ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
#undef ST
		OPERANDS, "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15");
}

__attribute__((target("avx")))
static void run_avx(const struct regs *in, struct regs *out, long n, long kill)
{
	asm volatile(
#define LD(i) "vmovdqu " #i "*64(%[in]), %%ymm" #i "\n"
		LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
		LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
#undef LD
		MIDDLE
#define ST(i) "vmovdqu %%ymm" #i ", " #i "*64(%[out])\n"
		ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
		ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
#undef ST
		"vzeroupper\n"
		OPERANDS, "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15");
}

__attribute__((target("avx512f")))
static void run_avx512(const struct regs *in, struct regs *out, long n, long kill)
{
	asm volatile(
#define LD(i) "vmovdqu64 " #i "*64(%[in]), %%zmm" #i "\n"
		LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
		LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
		LD(16) LD(17) LD(18) LD(19) LD(20) LD(21) LD(22) LD(23)
		LD(24) LD(25) LD(26) LD(27) LD(28) LD(29) LD(30) LD(31)
#undef LD
		MIDDLE
#define ST(i) "vmovdqu64 %%zmm" #i ", " #i "*64(%[out])\n"
		ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
		ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
		ST(16) ST(17) ST(18) ST(19) ST(20) ST(21) ST(22) ST(23)
		ST(24) ST(25) ST(26) ST(27) ST(28) ST(29) ST(30) ST(31)
#undef ST
		"vzeroupper\n"
		OPERANDS, "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20",
		  "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
		  "xmm28", "xmm29", "xmm30", "xmm31");
}

static void run(enum kind k, const struct regs *in, struct regs *out, long n,
		long kill)
{
	memset(out, 0, sizeof(*out));
	if (k == SSE)
		run_sse(in, out, n, kill);
	else if (k == AVX)
		run_avx(in, out, n, kill);
	else
		run_avx512(in, out, n, kill);
}

/* fill(r, seed): values that differ per seed, register and byte. */
static void fill(struct regs *r, int seed)
{
	int i, j;

	for (i = 0; i < 32; i++)
		for (j = 0; j < 64; j++)
			r->v[i][j] = (uint8_t)(seed * 97 + i * 31 + j * 7 + 1);
	/* non-default rounding (and FZ for odd seeds), exceptions masked */
	r->mxcsr = 0x1f80 | ((seed & 3) << 13) | ((seed & 1) << 15);
	r->x87[0] = 1.5 * seed + 0.25;
	r->x87[1] = -3.0 * seed - 0.125;
}

/* same(k, a, b, why, len): compare the state kind K uses; say what differs. */
static int same(enum kind k, const struct regs *a, const struct regs *b,
		char *why, size_t len)
{
	int i;

	for (i = 0; i < nregs[k]; i++)
		if (memcmp(a->v[i], b->v[i], width[k])) {
			snprintf(why, len, "register %d differs", i);
			return 0;
		}
	if (a->mxcsr != b->mxcsr) {
		snprintf(why, len, "MXCSR %#x, want %#x", b->mxcsr, a->mxcsr);
		return 0;
	}
	if (a->x87[0] != b->x87[0] || a->x87[1] != b->x87[1]) {
		snprintf(why, len, "x87 stack %g %g, want %g %g", b->x87[0], b->x87[1],
			 a->x87[0], a->x87[1]);
		return 0;
	}
	snprintf(why, len, "intact");
	return 1;
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort */
}

#define YIELDS	3000

/* --- two processes --- */

static void test_processes(enum kind k)
{
	struct regs in, out;
	char why[80];
	pid_t child;
	int status, good;

	child = fork();
	if (child == 0) {
		pin_cpu0();
		fill(&in, 2);
		run(k, &in, &out, YIELDS, 0);
		_exit(same(k, &in, &out, why, sizeof(why)) ? 0 : 1);
	}
	pin_cpu0();
	fill(&in, 1);
	run(k, &in, &out, YIELDS, 0);
	good = same(k, &in, &out, why, sizeof(why));
	status = wait_child(child, 60);
	ok(good && exited_with(status, 0),
	   "%s state kept across %d yields by two processes on one CPU (parent %s, child %s)",
	   kind_name[k], YIELDS, why, exited_with(status, 0) ? "intact" : status_str(status));
}

/* --- two threads --- */

struct tjob {
	enum kind k;
	int seed, good;
	char why[80];
};

static void *thread_job(void *arg)
{
	struct tjob *j = arg;
	struct regs in, out;

	fill(&in, j->seed);
	run(j->k, &in, &out, YIELDS, 0);
	j->good = same(j->k, &in, &out, j->why, sizeof(j->why));
	return NULL;
}

static void test_threads(enum kind k)
{
	struct tjob a = { k, 3, 0, "" }, b = { k, 4, 0, "" };
	pthread_t ta, tb;

	pin_cpu0();	/* threads inherit it */
	if (pthread_create(&ta, NULL, thread_job, &a) ||
	    pthread_create(&tb, NULL, thread_job, &b)) {
		ok(0, "start two threads");
		return;
	}
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ok(a.good && b.good, "%s state kept across %d yields by two threads (%s, %s)",
	   kind_name[k], YIELDS, a.why, b.why);
}

/* --- a signal handler in the middle --- */

static enum kind sig_kind;
static volatile uint32_t handler_mxcsr, handler_fcw, frame_mxcsr, frame_magic;
static volatile int frame_xmm0_ok, frame_ymmh0_ok, frame_seen;
static const struct regs *sig_in;
static const uint8_t edited_xmm1[16] = "sigreturn-xmm1!";

/* Overwrite every register of the widest kind, MXCSR and the x87 stack. */
__attribute__((target("avx512f")))
static void clobber_avx512(void)
{
	asm volatile("vpternlogd $0xff, %%zmm0, %%zmm0, %%zmm0\n"
#define CP(i) "vmovdqa64 %%zmm0, %%zmm" #i "\n"
		     CP(1) CP(2) CP(3) CP(4) CP(5) CP(6) CP(7) CP(8) CP(9) CP(10)
		     CP(11) CP(12) CP(13) CP(14) CP(15) CP(16) CP(17) CP(18) CP(19)
		     CP(20) CP(21) CP(22) CP(23) CP(24) CP(25) CP(26) CP(27) CP(28)
		     CP(29) CP(30) CP(31)
#undef CP
		     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		     "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		     "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",
		     "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28",
		     "xmm29", "xmm30", "xmm31");
}

__attribute__((target("avx")))
static void clobber_avx(void)
{
	asm volatile("vpcmpeqd %%xmm0, %%xmm0, %%xmm0\n"
		     "vinsertf128 $1, %%xmm0, %%ymm0, %%ymm0\n"
#define CP(i) "vmovdqa %%ymm0, %%ymm" #i "\n"
		     CP(1) CP(2) CP(3) CP(4) CP(5) CP(6) CP(7) CP(8) CP(9) CP(10)
		     CP(11) CP(12) CP(13) CP(14) CP(15)
#undef CP
		     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		     "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		     "xmm15");
}

static void clobber_sse(void)
{
	static const uint32_t odd = 0x7f80 | 0x8000;

	asm volatile("pcmpeqd %%xmm0, %%xmm0\n"
#define CP(i) "movdqa %%xmm0, %%xmm" #i "\n"
		     CP(1) CP(2) CP(3) CP(4) CP(5) CP(6) CP(7) CP(8) CP(9) CP(10)
		     CP(11) CP(12) CP(13) CP(14) CP(15)
#undef CP
		     "ldmxcsr %0\n"
		     "fninit\n"
		     "fldpi\n"
		     "fldz\n"
		     "fstp %%st(0)\n"
		     "fstp %%st(0)\n"
		     :: "m"(odd)
		     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		       "xmm15", "st", "st(1)");
}

static void clobber_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t mx;
	uint16_t cw;

	/* what the handler starts with, before anything can change it */
	asm volatile("stmxcsr %0\n fnstcw %1" : "=m"(mx), "=m"(cw));
	handler_mxcsr = mx;
	handler_fcw = cw;

	if (fx) {
		frame_seen = 1;
		frame_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
		frame_xmm0_ok = memcmp(uc->uc_mcontext.fpregs->_xmm[0].element,
				       sig_in->v[0], 16) == 0;
		/* fxsave layout: sw_reserved at 464 announces the xsave area */
		memcpy((void *)&frame_magic, fx + 464, 4);
		/* standard (not compacted) xsave format: YMM upper halves where
		 * CPUID leaf 0xd says, after a header whose XSTATE_BV must say
		 * they are there */
		if (frame_magic == 0x46505853U && ymm_offset)
			frame_ymmh0_ok = (fx[512] & 4) &&
				memcmp(fx + ymm_offset, sig_in->v[0] + 16, 16) == 0;
		/* sigreturn must load this back into xmm1 */
		memcpy(uc->uc_mcontext.fpregs->_xmm[1].element, edited_xmm1, 16);
	}

	if (sig_kind == AVX512)
		clobber_avx512();
	else if (sig_kind == AVX)
		clobber_avx();
	clobber_sse();
}

static void test_signal(enum kind k)
{
	struct regs in, out, want;
	struct sigaction sa;
	char why[80];

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = clobber_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	fill(&in, 5);
	sig_kind = k;
	sig_in = &in;
	frame_seen = frame_xmm0_ok = frame_ymmh0_ok = 0;
	frame_magic = 0;
	handler_mxcsr = handler_fcw = 0;
	run(k, &in, &out, 1, 1);
	signal(SIGUSR1, SIG_DFL);

	want = in;
	memcpy(want.v[1], edited_xmm1, 16);
	ok(same(k, &want, &out, why, sizeof(why)),
	   "%s state restored after a clobbering signal handler, with its frame edit (%s)",
	   kind_name[k], why);
	if (k == AVX)
		ok(frame_magic == 0x46505853U && frame_ymmh0_ok,
		   "the frame has an xsave area (magic %#x) with the YMM upper halves",
		   frame_magic);
	if (k != SSE)
		return;
	ok(frame_seen && frame_xmm0_ok && frame_mxcsr == in.mxcsr,
	   "the signal frame holds the interrupted xmm0 and MXCSR (%#x)", frame_mxcsr);
	ok(handler_mxcsr == 0x1f80 && handler_fcw == 0x37f,
	   "a handler starts with default MXCSR and x87 control word (%#x, %#x)",
	   handler_mxcsr, handler_fcw);
}

/*
 * The parent of a vfork() child shares the child's address space until
 * the child's execve(), and runs again right after it.  The kernel once
 * took the old address space's registers (the child's, from before its
 * exec) back into the child's saved state when the parent ran, so the new
 * program started with the old one's MXCSR; or, after a page fault in the
 * middle of a vector copy, with the old program's vector registers, which
 * killed busybox's shell in glibc's start-up now and then.
 */
#define VFORK_ROUNDS	100
#define VFORK_MXCSR	0x7f80		/* all exceptions masked, round to zero */

static int exec_child(void)
{
	uint32_t mxcsr;

	__asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
	return mxcsr == mxcsr_default ? 0 : 1;
}

/* One vfork() and exec: the child's exit status, or -1. */
static __attribute_noinline__ int vfork_exec_once(const char *self)
{
	static const uint32_t changed = VFORK_MXCSR;
	pid_t pid = vfork();
	int st;

	if (pid == 0) {
		__asm__ __volatile__("ldmxcsr %0" : : "m"(changed));
		execl(self, self, "exec-child", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_vfork_exec(const char *self)
{
	int i, bad = 0, failed = 0;

	for (i = 0; i < VFORK_ROUNDS; i++) {
		int st = vfork_exec_once(self);

		if (st == 1)
			bad++;
		else if (st)
			failed++;
	}
	ok(!failed && !bad,
	   "a vfork() child that set MXCSR execs into the default state (%d of %d did not, %d did not run)",
	   bad, VFORK_ROUNDS, failed);
}

int main(int argc, char **argv)
{
	cpu_set_t all;
	int k;

	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return exec_child();
	tap_init("t-fpu", 180);
	sched_getaffinity(0, sizeof(all), &all);
	detect();
	for (k = SSE; k <= AVX512; k++) {
		if (!have[k]) {
			skip("%s: not available (cpuid/XCR0)", kind_name[k]);
			continue;
		}
		test_processes(k);
		test_threads(k);
		sched_setaffinity(0, sizeof(all), &all);
		test_signal(k);
	}
	test_vfork_exec("/proc/self/exe");
	return tap_done();
}

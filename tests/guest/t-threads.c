// SPDX-License-Identifier: GPL-2.0
/*
 * Threads: pthread create/join and what glibc builds them from (clone with
 * CLONE_SETTLS, CLONE_CHILD_CLEARTID, set_tid_address, robust futex lists),
 * futex wait/wake between threads and processes, per-thread TLS.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include "tap.h"

#define NTHREADS	8

static long futex(volatile int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&d, &d) && errno == EINTR)
		;
}

/* --- pthread basics, TLS, FS base --- */

static __thread int tls_value = 42;
static __thread char tls_block[16384] = { 1 };

struct tinfo {
	int index;
	int initial_tls;	/* what the thread first saw in tls_value */
	int kept;		/* its own value survived yields */
	int block_ok;
	void *tls_addr;
	unsigned long fs_base;
	void *self;
	pid_t tid;
	void *robust_head;
	size_t robust_len;
	int errno_kept;
};

static void *tls_thread(void *arg)
{
	struct tinfo *ti = arg;
	struct robust_list_head *head;
	int i;

	ti->initial_tls = tls_value;
	ti->block_ok = tls_block[0] == 1;
	ti->tid = syscall(SYS_gettid);
	ti->tls_addr = &tls_value;
	ti->self = (void *)pthread_self();
	syscall(SYS_arch_prctl, ARCH_GET_FS, &ti->fs_base);
	if (syscall(SYS_get_robust_list, 0, &head, &ti->robust_len) == 0)
		ti->robust_head = head;
	tls_value = 1000 + ti->index;
	memset(tls_block, ti->index, sizeof(tls_block));
	errno = 2000 + ti->index;
	ti->kept = 1;
	for (i = 0; i < 200; i++) {
		sched_yield();
		if (tls_value != 1000 + ti->index ||
		    tls_block[sizeof(tls_block) - 1] != ti->index)
			ti->kept = 0;
	}
	ti->errno_kept = errno == 2000 + ti->index;
	return (void *)(intptr_t)(ti->index * 3);
}

static void test_pthreads_tls(void)
{
	struct tinfo ti[NTHREADS];
	pthread_t t[NTHREADS];
	int i, created = 0, joined = 0, rets = 1, init = 1, kept = 1, block = 1;
	int distinct = 1, fs_self = 1, robust = 1, errnos = 1;
	unsigned long main_fs = 0;
	void *ret;

	tls_value = 7;	/* threads must start from the image's 42, not this */
	errno = 0;
	memset(ti, 0, sizeof(ti));
	for (i = 0; i < NTHREADS; i++) {
		ti[i].index = i + 1;
		if (pthread_create(&t[i], NULL, tls_thread, &ti[i]) == 0)
			created++;
	}
	ok(created == NTHREADS, "pthread_create %d threads (%d)", NTHREADS, created);
	for (i = 0; i < created; i++) {
		if (pthread_join(t[i], &ret) == 0)
			joined++;
		if ((intptr_t)ret != ti[i].index * 3)
			rets = 0;
	}
	ok(joined == created, "pthread_join all of them");
	ok(rets, "join returns each thread's value");

	syscall(SYS_arch_prctl, ARCH_GET_FS, &main_fs);
	for (i = 0; i < created; i++) {
		int j;

		init &= ti[i].initial_tls == 42;
		kept &= ti[i].kept;
		block &= ti[i].block_ok;
		errnos &= ti[i].errno_kept;
		/* x86-64 glibc: the thread pointer (FS base) is pthread_self() */
		fs_self &= ti[i].fs_base == (unsigned long)ti[i].self &&
			   ti[i].fs_base != main_fs && ti[i].fs_base != 0;
		robust &= ti[i].robust_head != NULL &&
			  ti[i].robust_len == sizeof(struct robust_list_head);
		for (j = 0; j < i; j++)
			distinct &= ti[i].tls_addr != ti[j].tls_addr &&
				    ti[i].tid != ti[j].tid &&
				    ti[i].robust_head != ti[j].robust_head;
	}
	ok(init, "every thread's TLS starts at the initial value 42");
	ok(block, "a 16 KiB initialized TLS block is set up per thread");
	ok(kept, "each thread keeps its own TLS values across sched_yield");
	ok(errnos, "errno is per thread");
	ok(distinct, "TLS addresses, tids and robust list heads differ per thread");
	ok(fs_self, "CLONE_SETTLS: each thread's FS base is its own thread pointer");
	ok(robust, "each thread registered a robust list (get_robust_list)");
	ok(tls_value == 7 && errno == 0, "main thread's TLS and errno untouched (%d, %d)",
	   tls_value, errno);
}

static void *nothing(void *arg)
{
	return arg;
}

static void test_many_threads(void)
{
	pthread_t t[64];
	int i, good = 0, n = 0;
	void *ret;

	for (i = 0; i < 500; i++) {
		pthread_t one;

		if (pthread_create(&one, NULL, nothing, (void *)(intptr_t)i) == 0 &&
		    pthread_join(one, &ret) == 0 && (intptr_t)ret == i)
			good++;
	}
	ok(good == 500, "500 threads created and joined one after another (%d)", good);
	for (i = 0; i < 64; i++)
		if (pthread_create(&t[n], NULL, nothing, (void *)(intptr_t)i) == 0)
			n++;
	good = 0;
	for (i = 0; i < n; i++)
		if (pthread_join(t[i], &ret) == 0 && (intptr_t)ret == i)
			good++;
	ok(n == 64 && good == 64, "64 threads alive at once (%d created, %d joined)",
	   n, good);
}

/*
 * --- page faults while another thread holds mmap_lock ---
 * munmap() of a large populated mapping holds mmap_lock (for reading,
 * once it has unlinked the area) and may be rescheduled inside; another
 * thread's mmap() then waits for it for writing, and a fault of a third
 * thread finds the lock contended.  It must wait for it, not fail.
 */
#define CHURN_LEN	(8L << 20)
#define TOUCH_LEN	(4L << 20)

static volatile int churn_stop;

static void *mm_churn(void *arg)
{
	long n = 0;

	while (!churn_stop) {
		char *p = mmap(NULL, CHURN_LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED)
			return (void *)-1L;
		munmap(p, CHURN_LEN);
		n++;
	}
	return (void *)n;
}

static void test_faults_under_mmap_lock(void)
{
	long end, rounds = 0, off, bad = 0;
	char *buf = mmap(NULL, TOUCH_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *churned[2] = { (void *)-1L, (void *)-1L };
	pthread_t t[2];

	if (buf == MAP_FAILED || pthread_create(&t[0], NULL, mm_churn, NULL) ||
	    pthread_create(&t[1], NULL, mm_churn, NULL)) {
		ok(0, "faults while other threads map and unmap: setup failed");
		return;
	}
	end = now_ms() + 1500;
	do {
		for (off = 0; off < TOUCH_LEN; off += 4096)
			buf[off] = 1;
		for (off = 0; off < TOUCH_LEN; off += 4096)
			bad += buf[off] != 1;
		madvise(buf, TOUCH_LEN, MADV_DONTNEED);
		rounds++;
	} while (now_ms() < end);
	churn_stop = 1;
	pthread_join(t[0], &churned[0]);
	pthread_join(t[1], &churned[1]);
	munmap(buf, TOUCH_LEN);
	ok(rounds > 0 && bad == 0 && (long)churned[0] >= 0 &&
	   (long)churned[1] >= 0,
	   "page faults served while two threads map and unmap 8 MiB (%ld rounds of %ld faults, %ld and %ld maps)",
	   rounds, TOUCH_LEN / 4096, (long)churned[0], (long)churned[1]);
}

/* --- raw clone: CLONE_CHILD_CLEARTID, set_tid_address --- */

static volatile int raw_ctid = -1, raw_tidaddr = -1;
static volatile long raw_seen_tid, raw_set_ret;

static int raw_clear_child(void *arg)
{
	/* no TLS of our own: only raw syscalls here */
	raw_seen_tid = syscall(SYS_gettid);
	return 0;	/* glibc's clone() then calls SYS_exit */
}

static int raw_set_tid_child(void *arg)
{
	long tid = syscall(SYS_gettid);

	raw_set_ret = syscall(SYS_set_tid_address, &raw_tidaddr);
	raw_tidaddr = tid;
	return 0;
}

/* wait_cleared(word): futex-wait until the kernel zeroes WORD, or 5 s. */
static int wait_cleared(volatile int *word)
{
	long end = now_ms() + 30000;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int v;

	while ((v = *word) != 0) {
		if (now_ms() > end)
			return 0;
		futex(word, FUTEX_WAIT, v, &ts);
	}
	return 1;
}

static void test_raw_clone(void)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			  CLONE_THREAD | CLONE_SYSVSEM;
	size_t size = 256 * 1024;
	char *stack, *stack2;
	pid_t ptid = 0, tid;

	stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	stack2 = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED || stack2 == MAP_FAILED) {
		ok(0, "mmap thread stacks: %s", strerror(errno));
		return;
	}
	tid = clone(raw_clear_child, stack + size,
		    flags | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
		    NULL, &ptid, NULL, &raw_ctid);
	ok(tid > 0 && ptid == tid, "raw clone: CLONE_PARENT_SETTID stored the tid (%d, %d)",
	   tid, ptid);
	ok(wait_cleared(&raw_ctid), "CLONE_CHILD_CLEARTID: word zeroed and woken at exit");
	ok(raw_seen_tid == tid, "the clone ran as tid %ld", raw_seen_tid);

	tid = clone(raw_set_tid_child, stack2 + size, flags, NULL, NULL, NULL, NULL);
	ok(tid > 0, "raw clone without CLEARTID");
	ok(wait_cleared(&raw_tidaddr),
	   "set_tid_address: the new word is zeroed and woken at exit");
	ok(raw_set_ret == tid, "set_tid_address returns the caller's tid (%ld)", raw_set_ret);
	/* stacks stay mapped: a finished thread may still be leaving them */
}

/* --- futexes --- */

static volatile int fx_word, fx_ready;
static volatile long fx_ret, fx_errno;
static volatile pid_t fx_tid;

static void *futex_waiter(void *arg)
{
	struct timespec ts = { 10, 0 };

	fx_tid = syscall(SYS_gettid);
	fx_ready = 1;
	fx_ret = futex(&fx_word, FUTEX_WAIT_PRIVATE, 0, &ts);
	fx_errno = errno;
	return NULL;
}

static volatile int many_word, many_woken;

static void *futex_many_waiter(void *arg)
{
	struct timespec ts = { 10, 0 };

	*(pid_t *)arg = syscall(SYS_gettid);
	if (futex(&many_word, FUTEX_WAIT_PRIVATE, 0, &ts) == 0)
		__atomic_add_fetch(&many_woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_futex_basic(void)
{
	volatile int word = 5;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	long t0, r;
	pthread_t t;

	r = futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL);
	ok(r == -1 && errno == EAGAIN, "FUTEX_WAIT on a changed value fails EAGAIN");
	t0 = now_ms();
	r = futex(&word, FUTEX_WAIT_PRIVATE, 5, &ts);
	ok(r == -1 && errno == ETIMEDOUT && now_ms() - t0 >= 49,
	   "FUTEX_WAIT times out after 50 ms (%ld ms, %s)", now_ms() - t0,
	   r ? strerror(errno) : "returned 0");
	r = futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL);
	ok(r == 0, "FUTEX_WAKE with no waiter wakes 0 (%ld)", r);

	fx_word = 0;
	if (pthread_create(&t, NULL, futex_waiter, NULL)) {
		ok(0, "start waiter thread");
		return;
	}
	while (!fx_ready)
		sched_yield();
	wait_asleep(getpid(), fx_tid);
	fx_word = 1;
	r = futex(&fx_word, FUTEX_WAKE_PRIVATE, 1, NULL);
	pthread_join(t, NULL);
	ok(r == 1, "FUTEX_WAKE wakes the sleeping thread (woke %ld)", r);
	ok(fx_ret == 0, "the waiter returns 0 from FUTEX_WAIT (%ld, %s)", fx_ret,
	   fx_ret ? strerror(fx_errno) : "woken");
}

static void test_futex_wake_count(void)
{
	pthread_t t[4];
	pid_t tids[4] = { 0 };
	long r1, r2;
	int i, n = 0;

	many_word = 0;
	many_woken = 0;
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[n], NULL, futex_many_waiter, &tids[n]) == 0)
			n++;
	for (i = 0; i < n; i++) {
		while (!((volatile pid_t *)tids)[i])
			sched_yield();
		wait_asleep(getpid(), tids[i]);
	}
	r1 = futex(&many_word, FUTEX_WAKE_PRIVATE, 2, NULL);
	sleep_ms(20);
	r2 = futex(&many_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	ok(n == 4 && r1 == 2 && r2 == 2 && many_woken == 4,
	   "FUTEX_WAKE of 2 then all: woke %ld then %ld of %d (%d returned 0)",
	   r1, r2, n, many_woken);
}

/* Two threads hand a token back and forth purely through futexes. */
#define PINGPONG	20000
static volatile int turn;
static int pp_count;

static void *pingpong(void *arg)
{
	int me = (intptr_t)arg, i, v;

	for (i = 0; i < PINGPONG; i++) {
		while ((v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != me)
			futex(&turn, FUTEX_WAIT_PRIVATE, v, NULL);
		pp_count++;
		__atomic_store_n(&turn, !me, __ATOMIC_RELEASE);
		futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL);
	}
	return NULL;
}

static void test_futex_pingpong(void)
{
	pthread_t a, b;
	long t0 = now_ms();

	turn = 0;
	pp_count = 0;
	if (pthread_create(&a, NULL, pingpong, (void *)0) ||
	    pthread_create(&b, NULL, pingpong, (void *)1)) {
		ok(0, "start ping-pong threads");
		return;
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	ok(pp_count == 2 * PINGPONG, "futex ping-pong: %d hand-overs in %ld ms",
	   pp_count, now_ms() - t0);
}

/* A shared (not private) futex in a MAP_SHARED page, across fork. */
static void test_futex_shared(void)
{
	volatile int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct timespec ts = { 10, 0 };
	pid_t child;
	long r = 0;
	int status;

	if (word == MAP_FAILED) {
		ok(0, "mmap shared page: %s", strerror(errno));
		return;
	}
	word[0] = 0;
	word[1] = 0;
	child = fork();
	if (child == 0) {
		word[1] = 1;
		r = futex(&word[0], FUTEX_WAIT, 0, &ts);
		_exit(r == 0 && word[0] == 1 ? 0 : 1);
	}
	while (!word[1])
		sched_yield();
	/* the child is another process: poll for it to be asleep */
	wait_asleep(child, child);
	word[0] = 1;
	r = futex(&word[0], FUTEX_WAKE, 1, NULL);
	status = wait_child(child, 20);
	ok(r == 1 && exited_with(status, 0),
	   "shared futex across fork: woke %ld, child %s", r, status_str(status));
	munmap((void *)word, 4096);
}

/* --- pthread synchronisation built on futexes --- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incr(void *arg)
{
	int i;

	for (i = 0; i < 100000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static pthread_mutex_t cmx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int cond_stage;

static void *cond_thread(void *arg)
{
	pthread_mutex_lock(&cmx);
	while (cond_stage != 1)
		pthread_cond_wait(&cond, &cmx);
	cond_stage = 2;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&cmx);
	return NULL;
}

static void test_pthread_sync(void)
{
	pthread_t t[4];
	int i, n = 0;

	counter = 0;
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[n], NULL, incr, NULL) == 0)
			n++;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	ok(counter == 400000, "mutex: 4 threads x 100000 increments = %ld", counter);

	if (pthread_create(&t[0], NULL, cond_thread, NULL) == 0) {
		pthread_mutex_lock(&cmx);
		cond_stage = 1;
		pthread_cond_broadcast(&cond);
		while (cond_stage != 2)
			pthread_cond_wait(&cond, &cmx);
		pthread_mutex_unlock(&cmx);
		pthread_join(t[0], NULL);
	}
	ok(cond_stage == 2, "condition variable round trip");
}

/* --- robust mutexes: the kernel walks a dead owner's robust list --- */

static pthread_mutex_t *robust_mx;

static void *robust_owner(void *arg)
{
	pthread_mutex_lock(robust_mx);
	return NULL;	/* exits holding it */
}

static pthread_mutex_t *robust_init(void *mem, int pshared)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m = mem;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return m;
}

static void test_robust(void)
{
	static pthread_mutex_t local;
	void *shared;
	pthread_t t;
	pid_t child;
	int r, status;

	robust_mx = robust_init(&local, 0);
	if (pthread_create(&t, NULL, robust_owner, NULL) == 0) {
		pthread_join(t, NULL);
		r = pthread_mutex_lock(robust_mx);
		ok(r == EOWNERDEAD, "robust mutex of an exited thread: EOWNERDEAD (%s)",
		   strerror(r));
		if (r == EOWNERDEAD)
			pthread_mutex_consistent(robust_mx);
		pthread_mutex_unlock(robust_mx);
	}

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED) {
		ok(0, "mmap shared page: %s", strerror(errno));
		return;
	}
	robust_mx = robust_init(shared, 1);
	child = fork();
	if (child == 0) {
		pthread_mutex_lock(robust_mx);
		_exit(0);	/* dies holding it: only the kernel can tell */
	}
	status = wait_child(child, 20);
	r = pthread_mutex_lock(robust_mx);
	ok(exited_with(status, 0) && r == EOWNERDEAD,
	   "process-shared robust mutex of an exited process: EOWNERDEAD (%s)",
	   strerror(r));
	if (r == EOWNERDEAD || r == 0)
		pthread_mutex_unlock(robust_mx);
	munmap(shared, 4096);
}

int main(void)
{
	tap_init("t-threads", 120);
	test_pthreads_tls();
	test_many_threads();
	test_faults_under_mmap_lock();
	test_raw_clone();
	test_futex_basic();
	test_futex_wake_count();
	test_futex_pingpong();
	test_futex_shared();
	test_pthread_sync();
	test_robust();
	return tap_done();
}

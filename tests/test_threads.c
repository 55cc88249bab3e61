// SPDX-License-Identifier: GPL-2.0-only
/*
 * The threaded ThreadSanitizer mode (include/mm/threads.h).
 *
 * A tiny test-only port, "tt": a counter that two CPUs bump, unlocked
 * (a data race: the mode must report DATA_RACE naming tt_bump), under a
 * shim spinlock (silent: the lock is a real lock), and with
 * READ_ONCE()/WRITE_ONCE() (silent: a race the kernel marks as tolerated).
 * The report parser is checked on a canned ThreadSanitizer report in every
 * build; the runs need the tsan flavor (elsewhere they are skipped: the
 * plain build has no threaded mode, which is checked too).
 */
#include <string.h>

#include <linux/spinlock.h>
#include <linux/types.h>
#include <mm/threads.h>
#include "driver.h"
#include "test.h"

enum { TT_BUMP, TT_BUMP_LOCKED, TT_BUMP_ONCE, TT_BUMP_TWICE_LOCKED };

#define TT_CPU_ARG { "cpu", 0, 3, NULL, MM_ARG_CPU, "the CPU" }
static const struct mm_opdesc tt_ops[MM_OP_SLOTS] = {
	[TT_BUMP] = { "bump", "counter++, no lock", 1, { TT_CPU_ARG } },
	[TT_BUMP_LOCKED] = { "bump_locked", "counter++ under tt_lock", 1, { TT_CPU_ARG } },
	[TT_BUMP_ONCE] = { "bump_once", "WRITE_ONCE(counter, READ_ONCE(counter) + 1)", 1,
			   { TT_CPU_ARG } },
	[TT_BUMP_TWICE_LOCKED] = { "bump_twice", "tt_lock taken twice: DEADLOCK", 1,
				   { TT_CPU_ARG } },
};
static const struct mm_argdesc tt_cfg[] = {
	{ "nr_cpus", 1, 4, NULL, MM_CFG_NR_CPUS, "CPUs" },
};
static const struct mm_invdesc tt_inv[] = { { NULL, NULL, NULL } };

static const struct mm_family tt_family = {
	.name = "tt",
	.help = "test-only: a shared counter",
	.ops = tt_ops,
	.nr_cfg = 1,
	.cfg = tt_cfg,
	.invariants = tt_inv,
};

struct tt {
	long counter;
	spinlock_t tt_lock;
};

static void *tt_create(const struct mm_config *cfg)
{
	struct tt *t = mm_kzalloc(sizeof(*t), MM_FAIL_NR);

	(void)cfg;
	spin_lock_init(&t->tt_lock);
	return t;
}

/* the racy increment: a named function, as a port's would be */
__attribute__((noinline)) static void tt_bump(struct tt *t)
{
	t->counter++;
}

__attribute__((noinline)) static void tt_bump_locked(struct tt *t)
{
	spin_lock(&t->tt_lock);
	t->counter++;
	spin_unlock(&t->tt_lock);
}

__attribute__((noinline)) static void tt_bump_once(struct tt *t)
{
	WRITE_ONCE(t->counter, READ_ONCE(t->counter) + 1);
}

__attribute__((noinline)) static void tt_bump_twice(struct tt *t)
{
	spin_lock(&t->tt_lock);
	spin_lock(&t->tt_lock);
}

static void tt_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	struct tt *t = inst;

	switch (op->id) {
	case TT_BUMP: tt_bump(t); break;
	case TT_BUMP_LOCKED: tt_bump_locked(t); break;
	case TT_BUMP_ONCE: tt_bump_once(t); break;
	case TT_BUMP_TWICE_LOCKED: tt_bump_twice(t); break;
	}
	res->status = 0;
}

static void tt_check(void *inst) { (void)inst; }
static void tt_observe(void *inst, void *obs) { (void)inst; (void)obs; }

static const struct mm_variant tt_racy = {
	.name = "racy", .family = "tt", .models = "test-only", .expect = "clean",
	.create = tt_create, .exec = tt_exec, .check = tt_check, .observe = tt_observe,
};

/* @n ops of @kind, on CPUs 0, 1, 0, 1, ... of a 2-CPU machine */
static void tt_input(struct mm_input *in, int kind, int n)
{
	memset(in, 0, sizeof(*in));
	in->cfg.v[0] = 2;
	in->nr_ops = n;
	for (int i = 0; i < n; i++) {
		in->ops[i].id = (uint8_t)kind;
		in->ops[i].arg[0] = (uint32_t)(i % 2);
	}
}

static const char canned[] =
	"==================\n"
	"WARNING: ThreadSanitizer: data race (pid=4242)\n"
	"  Write of size 4 at 0x7b0400000010 by thread T2 (mutexes: write M7):\n"
	"    #0 pcpu_update_empty_pages /src/ref/percpu/v5.12/pcpu_core.c:115:31 (mmdiff-tsan+0x1)\n"
	"    #1 pcpu_chunk_populated /src/ref/percpu/v5.12/pcpu_core.c:912:2 (mmdiff-tsan+0x2)\n"
	"    #2 worker_main /src/fuzz/core/threads.c:366:4 (mmdiff-tsan+0x3)\n"
	"\n"
	"  Previous read of size 4 at 0x7b0400000010 by thread T1:\n"
	"    #0 test_bit /src/include/linux/bitops.h:20:9 (mmdiff-tsan+0x4)\n"
	"    #1 pcpu_alloc /src/ref/percpu/v5.12/percpu.c:147:6 (mmdiff-tsan+0x5)\n"
	"    #2 pcpu_exec_op /src/fuzz/families/percpu/exec.c:99 (mmdiff-tsan+0x6)\n"
	"\n"
	"SUMMARY: ThreadSanitizer: data race /src/ref/percpu/v5.12/pcpu_core.c:115:31 in pcpu_update_empty_pages\n"
	"==================\n";

/* three runs of @kind, each silent */
static void silent_runs(int kind, const char *what)
{
	static struct mm_input in;
	static struct mm_thread_verdict tv;

	for (int k = 0; k < 3; k++) {
		int r;

		tt_input(&in, kind, 16);
		r = mm_threads_run_isolated(&tt_family, &tt_racy, &in, &tv, NULL);
		CHECK_EQ(r, 0);
		if (r)
			printf("%s: %s: %s\n%s\n", what, tv.sig, tv.detail, tv.report);
	}
}

int main(void)
{
	static struct mm_thread_verdict tv;
	static struct mm_input in;
	int r;

	/* the parser, in every build: port frames named, harness frames skipped */
	CHECK(mm_tsan_parse_race(canned, "percpu", "v5.12", &tv));
	CHECK_EQ(strcmp(tv.sig, "percpu/v5.12/DATA_RACE:pcpu_alloc"), 0);
	CHECK_EQ(strcmp(tv.inv, "DATA_RACE"), 0);
	CHECK(strstr(tv.detail, "pcpu_update_empty_pages (ref/percpu/v5.12/pcpu_core.c:115)"));
	CHECK(strstr(tv.detail, "pcpu_alloc (ref/percpu/v5.12/percpu.c:147)"));
	CHECK(strstr(tv.detail, "holding write M7"));
	CHECK(strstr(tv.detail, "no lock held"));
	CHECK(!mm_tsan_parse_race("WARNING: ThreadSanitizer: SEGV on unknown address\n",
				  "percpu", "v5.12", &tv));

	/* rounds: ops on distinct CPUs share one; task ops are skipped */
	{
		int round[8];

		tt_input(&in, TT_BUMP, 4);
		in.ops[2].arg[0] = 1;	/* CPUs 0 1 1 1 */
		in.ops[4].id = MM_OP_SETTLE;
		in.nr_ops = 5;
		CHECK_EQ(mm_threads_rounds(&tt_family, &in, 2, round), 3);
		CHECK_EQ(round[0], 0);
		CHECK_EQ(round[1], 0);
		CHECK_EQ(round[2], 1);
		CHECK_EQ(round[3], 2);
		CHECK_EQ(round[4], -1);
	}

	tt_input(&in, TT_BUMP, 2);
	r = mm_threads_run_isolated(&tt_family, &tt_racy, &in, &tv, NULL);
	if (!MM_THREADS_BUILT) {
		CHECK_EQ(r, -1);
		printf("test_threads: no threaded mode in this build; runs skipped\n");
		return test_done("test_threads");
	}
	/* an unlocked counter two CPUs bump: DATA_RACE naming tt_bump, both sides */
	CHECK_EQ(r, 1);
	CHECK_EQ(strcmp(tv.sig, "tt/racy/DATA_RACE:tt_bump"), 0);
	CHECK(strstr(tv.detail, "Write of size 8"));
	CHECK(strstr(tv.detail, "tests/test_threads.c"));
	if (r != 1 || strcmp(tv.sig, "tt/racy/DATA_RACE:tt_bump"))
		printf("verdict %s: %s\n%s\n", tv.sig, tv.detail, tv.report);

	/* the same under the shim's spinlock: a real lock, silent */
	silent_runs(TT_BUMP_LOCKED, "locked");
	/* READ_ONCE/WRITE_ONCE: the kernel's marked races are not reported */
	silent_runs(TT_BUMP_ONCE, "once");

	/* the held-lock checker still applies on a worker thread */
	tt_input(&in, TT_BUMP_TWICE_LOCKED, 1);
	r = mm_threads_run_isolated(&tt_family, &tt_racy, &in, &tv, NULL);
	CHECK_EQ(r, 1);
	CHECK_EQ(strcmp(tv.sig, "tt/racy/DEADLOCK@tt_bump_twice:t.tt_lock"), 0);
	if (strcmp(tv.sig, "tt/racy/DEADLOCK@tt_bump_twice:t.tt_lock"))
		printf("twice: %s: %s\n", tv.sig, tv.detail);
	return test_done("test_threads");
}

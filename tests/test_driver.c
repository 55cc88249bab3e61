// SPDX-License-Identifier: GPL-2.0-only
/*
 * The differential driver on a toy family: verdict signatures for
 * single-variant and differential violations, first-violation-wins,
 * violations at create, determinism, and cleanup after an unwind.
 */
#include <stddef.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/spinlock.h>
#include "driver.h"
#include "input.h"
#include "statecov.h"
#include "test.h"

/* toy: a counter; op "add n"; the buggy variant leaks a lock at n == 7 */
struct toy { long count; spinlock_t lock; };
struct toy_obs { long count; };

static void *toy_create(const struct mm_config *cfg)
{
	struct toy *t = mm_kzalloc(sizeof(*t), MM_FAIL_NR);

	spin_lock_init(&t->lock);
	if (cfg->v[0] == 3)
		BUG_ON(cfg->v[0] == 3);	/* a violation at create */
	return t;
}

static void toy_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	struct toy *t = inst;

	spin_lock(&t->lock);
	t->count += op->arg[0];
	snprintf(res->text, sizeof(res->text), "count %ld", t->count);
	spin_unlock(&t->lock);
}

static void toy_buggy_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	struct toy *t = inst;

	if (op->arg[0] == 7) {
		spin_lock(&t->lock);	/* never released: LOCK_MISUSE at op end */
		return;
	}
	/* counts twice: the differential relation catches it */
	toy_exec(inst, op, res);
	if (op->arg[0] == 5)
		t->count += op->arg[0];
}

static void toy_check(void *inst)
{
	struct toy *t = inst;

	if (t->count > 100)
		mm_violation("TOY_LIMIT", "toy_check", "count %ld > 100", t->count);
}

static void toy_observe(void *inst, void *obs)
{
	((struct toy_obs *)obs)->count = ((struct toy *)inst)->count;
}

static void toy_dump(void *inst, char *buf, size_t len)
{
	snprintf(buf, len, "count=%ld", ((struct toy *)inst)->count);
}

static void toy_diff(struct mm_diffctx *d)
{
	const struct toy_obs *r = d->ref_obs, *i = d->impl_obs;

	if (r->count != i->count)
		mm_violation("TOY_EQUAL", "toy_diff", "impl %ld != ref %ld", i->count, r->count);
}

static void toy_machine(const struct mm_config *c, struct mm_machine *m)
{
	m->budget_pages = 16;
}
static void toy_ctx(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	*cpu = 0;
	*ctx = MM_CTX_PROCESS;
}

static const struct mm_opdesc toy_ops[MM_OP_SLOTS] = {
	[0] = { "add", "add n", 1, { { "n", 0, 255, NULL } } },
};

static const struct mm_argdesc toy_cfg[] = { { "mode", 0, 3, NULL } };
static const struct mm_invdesc toy_invariants[] = {
	{ "TOY_EQUAL", "", "counts equal" }, { "TOY_LIMIT", "", "count stays under 100" }, { NULL },
};

static const struct mm_obsdesc toy_obsdesc[] = {
	{ "count", offsetof(struct toy_obs, count), 1, "the counter" },
};

static const struct mm_family toy = {
	.name = "toy", .ops = toy_ops, .nr_cfg = 1, .cfg = toy_cfg,
	.invariants = toy_invariants, .cfg_machine = toy_machine, .op_context = toy_ctx,
	.nr_obs = 1, .obs = toy_obsdesc,
	.obs_size = sizeof(struct toy_obs), .diff = toy_diff,
};

static const struct mm_variant ref = {
	"r", "toy", NULL, "toy", "clean", toy_create, toy_exec, toy_check, toy_observe, toy_dump
};
static const struct mm_variant bad = {
	"b", "toy", "r", "toy", "buggy", toy_create, toy_buggy_exec, toy_check, toy_observe, toy_dump
};

static struct mm_verdict run(const struct mm_variant *a, const struct mm_variant *b,
			     int mode, const int *adds, int n)
{
	const struct mm_variant *vars[2] = { a, b };
	static struct mm_input in;
	struct mm_verdict v;

	memset(&in, 0, sizeof(in));
	in.cfg.v[0] = mode;
	for (int i = 0; i < n; i++)
		in.ops[in.nr_ops++] = (struct mm_op){ .id = 0, .arg = { adds[i] } };
	mm_run(&toy, vars, b ? 2 : 1, &in, &v, NULL);
	return v;
}

/* signatures: a bucket is the rule and the place; older forms still name it */
static void test_signatures(void)
{
	const struct mm_family *percpu = mm_family_find("percpu");
	char sig[192];

	/* the place and the lock are kept in a file-name-safe, stable form */
	mm_signature(sig, sizeof(sig), &toy, "b", "DEADLOCK", "rmqueue", "zone->lock");
	CHECK(!strcmp(sig, "toy/b/DEADLOCK@rmqueue:zone.lock"));
	mm_signature(sig, sizeof(sig), &toy, "b~r", "TOY_EQUAL", "add", NULL);
	CHECK(!strcmp(sig, "toy/b~r/TOY_EQUAL@add"));
	mm_signature(sig, sizeof(sig), &toy, "r", "HARNESS", "op end", NULL);
	CHECK(!strcmp(sig, "toy/r/HARNESS@op_end"));

	/* two causes of one invariant in one variant are two buckets */
	CHECK(!mm_sig_matches("toy/r/TOY_LIMIT@toy_check", "toy/r/TOY_LIMIT@toy_exec"));
	CHECK(!mm_sig_matches("toy/b/DEADLOCK@rmqueue:zone.lock",
			      "toy/b/DEADLOCK@rmqueue:pcp.lock"));
	CHECK(mm_sig_matches("toy/r/TOY_LIMIT@toy_check", "toy/r/TOY_LIMIT@toy_check"));
	/* the older form names every place of its rule, for that variant only */
	CHECK(mm_sig_matches("toy/r/TOY_LIMIT", "toy/r/TOY_LIMIT@toy_exec"));
	CHECK(mm_sig_matches("toy/r/TOY_LIMIT", "toy/r/TOY_LIMIT@toy_check"));
	CHECK(!mm_sig_matches("toy/b/TOY_LIMIT", "toy/r/TOY_LIMIT@toy_check"));
	CHECK(!mm_sig_matches("toy/r/TOY", "toy/r/TOY_LIMIT@toy_check"));
	/* and the ids older versions used, through the family's table */
	CHECK(percpu != NULL);
	CHECK(mm_sig_matches("percpu/rfc3/I3_EMPTY_POP_PAGES",
			     "percpu/rfc3/EMPTY_POP_PAGES_COUNT@pcpu_update_empty_pages"));
	CHECK(mm_sig_matches("percpu/rfc3~v5.12/D1_OOM_LIKE", "percpu/rfc3~v5.12/OOM_LIKE@alloc"));
	CHECK(!mm_sig_matches("percpu/rfc3/I4_POPULATED",
			      "percpu/rfc3/EMPTY_POP_PAGES_COUNT@pcpu_update_empty_pages"));
}

/* statecov hits of a percpu input on v3.18 alone, from cleared counters */
static unsigned int percpu_hits(const char *text)
{
	const struct mm_variant *v318 = mm_variant_find("percpu", "v3.18");
	const struct mm_family *fam;
	static struct mm_input in;
	struct mm_verdict v;
	char err[160];

	CHECK(v318 != NULL);
	CHECK(!mm_text_parse(text, NULL, &fam, &in, err, sizeof(err)));
	mm_statecov_reset();
	mm_run(fam, &v318, 1, &in, &v, NULL);
	CHECK(!v.violated);
	return mm_statecov_hits();
}

/*
 * state coverage of interleaved runs: where a stopped task stands is a
 * feature, with the op that ran beside it (nothing is observed once tasks
 * interleave): a task still stopped while the allocation runs has one
 * more than the same task run to its end first
 */
static void test_statecov_tasks(void)
{
	const char *head = "family percpu\nconfig nr_cpus=1 backend=vm unit_pages=8 budget=64 "
			   "static_kb=1 reserved_kb=0 dyn_kb=4 memcg=off async=off\n";
	char stops[512], ends[512];

	snprintf(stops, sizeof(stops), "%sstart points=0\nforce_balance\n"
		 "alloc cpu=0 size=64 align_shift=2 gfp=GFP_KERNEL type=root\n", head);
	snprintf(ends, sizeof(ends), "%sstart points=0\nforce_balance\nfinish task=0\n"
		 "alloc cpu=0 size=64 align_shift=2 gfp=GFP_KERNEL type=root\n", head);
	CHECK(percpu_hits(stops) > percpu_hits(ends));
	mm_statecov_enable(false);	/* MMDIFF_STATECOV=notasks */
	CHECK(percpu_hits(stops) == percpu_hits(ends));
	mm_statecov_enable(true);
}

int main(void)
{
	struct mm_verdict v;
	int ok[] = { 1, 2, 3 }, diff[] = { 1, 5, 1 }, leak[] = { 1, 7, 5 }, big[] = { 90, 20 };

	/*
	 * state coverage: a count in a new bucket is new state; the verdicts
	 * are the same with it (the whole test below runs with it on)
	 */
	mm_statecov_enable(true);
	mm_statecov_reset();
	v = run(&ref, &ref, 0, ok, 3);		/* counts 1, 3, 6 */
	unsigned int small = mm_statecov_hits();
	CHECK(small > 0);
	mm_statecov_reset();
	v = run(&ref, &ref, 0, big, 2);		/* 90, then 110: the reference's own limit */
	mm_statecov_reset();
	v = run(&ref, &ref, 0, (int[]){ 1, 20, 30 }, 3);	/* 1, 21, 51 */
	CHECK(mm_statecov_hits() > 0);
	v = run(&ref, &ref, 0, ok, 3);
	CHECK(mm_statecov_hits() > small);	/* buckets 17-64 added to 0-8 */

	v = run(&ref, &ref, 0, ok, 3);
	CHECK(!v.violated);
	v = run(&ref, &bad, 0, ok, 3);
	CHECK(!v.violated);

	v = run(&ref, &bad, 0, diff, 3);
	CHECK(v.violated);
	CHECK(!strcmp(v.sig, "toy/b~r/TOY_EQUAL@add"));
	CHECK_EQ(v.op_index, 1);
	CHECK(!strcmp(v.op_text, "add n=5"));
	CHECK(!strcmp(v.detail, "impl 11 != ref 6"));
	CHECK(!strcmp(v.state, "count=11"));

	/* the first violation wins: the lock leak at op 1 before the diff at op 2 */
	v = run(&ref, &bad, 0, leak, 3);
	CHECK(!strcmp(v.sig, "toy/b/LOCK_MISUSE@toy_buggy_exec:t.lock"));
	CHECK_EQ(v.op_index, 1);

	/* a violation of the reference itself */
	v = run(&ref, &bad, 0, big, 2);
	CHECK(!strcmp(v.sig, "toy/r/TOY_LIMIT@toy_check"));
	CHECK_EQ(v.op_index, 1);

	/* at create */
	v = run(&ref, &bad, 3, ok, 1);
	CHECK(!strcmp(v.sig, "toy/r/KERNEL_BUG@toy_create"));
	CHECK_EQ(v.op_index, -1);

	/* deterministic: the same verdict every time */
	v = run(&ref, &bad, 0, diff, 3);
	for (int i = 0; i < 50; i++) {
		struct mm_verdict w = run(&ref, &bad, 0, diff, 3);

		CHECK(!strcmp(w.sig, "toy/b~r/TOY_EQUAL@add"));
		CHECK(!strcmp(w.detail, v.detail));
	}
	test_signatures();
	test_statecov_tasks();
	return test_done("test_driver");
}

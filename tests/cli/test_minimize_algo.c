// SPDX-License-Identifier: GPL-2.0-only
/*
 * The minimizer of `mmdiff minimize` (replay/minimize.c) on a private toy
 * family, independent of any port: it must keep the signature, reach the
 * known smallest reproducer (ops, arguments and config at their lowest
 * working values), be deterministic, stop at its run limit, and refuse an
 * input that does not violate.
 *
 * Toy: a stack of values.  "buggy" adds 1 to its sum when it pushes a value
 * >= 100 onto a stack already holding >= 2 values (the differential
 * relation sum == ref sum catches it); "flagged" violates its own invariant
 * when "bump n" with n >= 1000 hits a top value >= 50 with nr_cpus >= 2.
 */
#include <stdlib.h>
#include <string.h>

#include "../../replay/minimize.c"
#include "../test.h"

/* the toy family never dies of a sanitizer report: no child needed */
int mmd_run_isolated(const struct mm_family *fam, const struct mm_variant *const *vars,
		     int n, const struct mm_input *in, struct mm_verdict *v, FILE *trace)
{
	return mm_run(fam, vars, n, in, v, trace);
}

static const char *const kinds[] = { "a", "b", "c" };

static const struct mm_opdesc toy_ops[MM_OP_SLOTS] = {
	[0] = { "push", "push a value", 2, { { "cpu", 0, 7 }, { "val", 0, 255 } } },
	[1] = { "pop", "pop", 1, { { "cpu", 0, 7 } } },
	[2] = { "bump", "bump", 2, { { "n", 0, 65535 }, { "kind", 0, 2, kinds } } },
	[5] = { "noop", "nothing", 0 },
};

struct toy {
	int count, nr_cpus;
	long sum;
	int vals[MM_MAX_OPS];
	bool bad;
};
struct toy_obs { long count, sum; };

static void toy_ctx(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	*cpu = 0;
	*ctx = MM_CTX_PROCESS;
}

static void toy_diff(struct mm_diffctx *d)
{
	const struct toy_obs *a = d->ref_obs, *b = d->impl_obs;

	if (a->sum != b->sum)
		mm_violation("D1_SUM", "toy_diff", "sum %ld vs %ld", a->sum, b->sum);
}

static const struct mm_argdesc toy_cfg[] = {
	{ "nr_cpus", 1, 8, NULL, MM_CFG_NR_CPUS }, { "budget", 64, 65535, NULL, MM_CFG_BUDGET },
	{ "limit", 1, 16 },
};
static const struct mm_invdesc toy_invariants[] = {
	{ "D1_SUM", "", "sums equal" }, { "I1_FLAG", "", "flag clear" }, { NULL },
};

static const struct mm_family toy_family = {
	.name = "toy", .ops = toy_ops, .nr_cfg = 3, .cfg = toy_cfg,
	.invariants = toy_invariants, .op_context = toy_ctx,
	.obs_size = sizeof(struct toy_obs), .diff = toy_diff,
};

static void *toy_create(const struct mm_config *cfg)
{
	struct toy *t = mm_kzalloc(sizeof(*t), MM_FAIL_NR);

	t->nr_cpus = cfg->v[0];
	return t;
}

static void toy_exec_kind(struct toy *t, const struct mm_op *op, int kind)
{
	long add;

	switch (op->id) {
	case 0:
		add = op->arg[1];
		if (kind == 1 && op->arg[1] >= 100 && t->count >= 2)
			add++;
		t->vals[t->count++] = op->arg[1];
		t->sum += add;
		break;
	case 1:
		if (t->count) {
			t->count--;
			t->sum -= t->vals[t->count];
		}
		break;
	case 2:
		if (kind == 2 && op->arg[0] >= 1000 && t->count &&
		    t->vals[t->count - 1] >= 50 && t->nr_cpus >= 2)
			t->bad = true;
		break;
	}
}

static void ex_ref(void *i, const struct mm_op *op, struct mm_opres *r) { toy_exec_kind(i, op, 0); }
static void ex_buggy(void *i, const struct mm_op *op, struct mm_opres *r) { toy_exec_kind(i, op, 1); }
static void ex_flagged(void *i, const struct mm_op *op, struct mm_opres *r) { toy_exec_kind(i, op, 2); }

static void toy_check(void *i)
{
	struct toy *t = i;

	if (t->bad)
		mm_violation("I1_FLAG", "toy_check", "flag set");
}

static void toy_observe(void *i, void *o)
{
	struct toy *t = i;
	struct toy_obs *ob = o;

	ob->count = t->count;
	ob->sum = t->sum;
}

static void toy_dump(void *i, char *buf, size_t len)
{
	snprintf(buf, len, "count %d", ((struct toy *)i)->count);
}

static const struct mm_variant toy_ref = { "ref", "toy", NULL, "-", "clean",
	toy_create, ex_ref, toy_check, toy_observe, toy_dump };
static const struct mm_variant toy_buggy = { "buggy", "toy", "ref", "-", "buggy: sum",
	toy_create, ex_buggy, toy_check, toy_observe, toy_dump };
static const struct mm_variant toy_flagged = { "flagged", "toy", "ref", "-", "buggy: flag",
	toy_create, ex_flagged, toy_check, toy_observe, toy_dump };

/* a deterministic pseudo-random input of @n ops with planted bugs */
static void make_input(struct mm_input *in, int n, uint32_t seed)
{
	memset(in, 0, sizeof(*in));
	in->cfg.v[0] = 7;
	in->cfg.v[1] = 40000;
	in->cfg.v[2] = 9;
	for (int i = 0; i < n; i++) {
		struct mm_op *op = &in->ops[i];

		seed = seed * 1103515245 + 12345;
		op->id = (uint8_t[]){ 0, 1, 2, 5 }[(seed >> 16) % 4];
		op->arg[0] = (seed >> 8) % (op->id == 2 ? 900 : 8);
		op->arg[1] = op->id == 0 ? (seed >> 4) % 50 :
			     op->id == 2 ? (seed >> 3) % 3 : 0;
	}
	in->nr_ops = n;
	/* D1_SUM at op 180 at the latest; I1_FLAG at op 120 */
	in->ops[119] = (struct mm_op){ .id = 0, .arg = { 3, 77 } };
	in->ops[120] = (struct mm_op){ .id = 2, .arg = { 60000, 2 } };
	in->ops[178] = (struct mm_op){ .id = 0, .arg = { 1, 1 } };
	in->ops[179] = (struct mm_op){ .id = 0, .arg = { 1, 1 } };
	in->ops[180] = (struct mm_op){ .id = 0, .arg = { 2, 222 } };
}

static const char *sig_of(const struct mm_variant *const *vars, int n,
			  const struct mm_input *in, struct mm_verdict *v)
{
	return mm_run(&toy_family, vars, n, in, v, NULL) ? v->sig : "OK";
}

int main(void)
{
	static struct mm_input in, again, ok;
	static struct mm_verdict v;
	struct mmd_min_stats st, st2;
	const struct mm_variant *pair[] = { &toy_ref, &toy_buggy };
	const struct mm_variant *all[] = { &toy_ref, &toy_buggy, &toy_flagged };

	/* differential signature: 3 pushes, the last >= 100; all else lowest */
	make_input(&in, 200, 42);
	/* (the older signature form, without the place, still names the bucket) */
	CHECK(!strcmp(sig_of(pair, 2, &in, &v), "toy/buggy~ref/D1_SUM@push"));
	CHECK_EQ(mmd_minimize(&toy_family, pair, 2, &in, "toy/buggy~ref/D1_SUM",
			      0, &st), 0);
	CHECK(!strcmp(sig_of(pair, 2, &in, &v), "toy/buggy~ref/D1_SUM@push"));
	CHECK_EQ(st.orig_ops, 200);
	CHECK_EQ(st.final_ops, 3);
	CHECK_EQ(in.nr_ops, 3);
	for (int i = 0; i < in.nr_ops; i++) {
		CHECK_EQ(in.ops[i].id, 0);
		CHECK_EQ(in.ops[i].arg[0], 0);
		CHECK_EQ(in.ops[i].arg[1], i < 2 ? 0 : 100);
	}
	CHECK_EQ(in.cfg.v[0], 1);
	CHECK_EQ(in.cfg.v[1], 64);
	CHECK_EQ(in.cfg.v[2], 1);
	CHECK(!st.capped);
	CHECK(st.runs < 2000);

	/* deterministic: the same input gives the same result and run count */
	make_input(&again, 200, 42);
	CHECK_EQ(mmd_minimize(&toy_family, pair, 2, &again,
			      "toy/buggy~ref/D1_SUM", 0, &st2), 0);
	CHECK_EQ(st2.runs, st.runs);
	CHECK_EQ(again.nr_ops, in.nr_ops);
	CHECK(!memcmp(&again.cfg, &in.cfg, sizeof(in.cfg)));
	for (int i = 0; i < in.nr_ops && i < again.nr_ops; i++) {
		CHECK_EQ(again.ops[i].id, in.ops[i].id);
		CHECK(!memcmp(again.ops[i].arg, in.ops[i].arg,
			      sizeof(in.ops[i].arg)));
	}

	/*
	 * With every variant, the flag fires first (op 120); its minimum
	 * needs a push >= 50, a bump >= 1000 and nr_cpus >= 2: the lowest
	 * working values exactly, found by bisection over 16-bit ranges.
	 */
	make_input(&in, 200, 7);
	CHECK(!strcmp(sig_of(all, 3, &in, &v), "toy/flagged/I1_FLAG@toy_check"));
	CHECK_EQ(mmd_minimize(&toy_family, all, 3, &in, "toy/flagged/I1_FLAG@toy_check",
			      0, &st), 0);
	CHECK_EQ(in.nr_ops, 2);
	CHECK_EQ(in.ops[0].id, 0);
	CHECK_EQ(in.ops[0].arg[1], 50);
	CHECK_EQ(in.ops[1].id, 2);
	CHECK_EQ(in.ops[1].arg[0], 1000);
	CHECK_EQ(in.ops[1].arg[1], 0);
	CHECK_EQ(in.cfg.v[0], 2);
	CHECK(!strcmp(sig_of(all, 3, &in, &v), "toy/flagged/I1_FLAG@toy_check"));

	/* another signature is not "kept": the buggy pair must not count */
	make_input(&in, 200, 7);
	CHECK_EQ(mmd_minimize(&toy_family, all, 3, &in, "toy/buggy~ref/D1_SUM",
			      0, &st), -1);

	/* an input without a violation is refused and left alone */
	make_input(&ok, 100, 3);
	ok.nr_ops = 100;
	CHECK(!strcmp(sig_of(pair, 2, &ok, &v), "OK"));
	CHECK_EQ(mmd_minimize(&toy_family, pair, 2, &ok, "toy/buggy~ref/D1_SUM",
			      0, &st), -1);
	CHECK_EQ(ok.nr_ops, 100);

	/* the run limit stops it with a still-violating, partly reduced input */
	make_input(&in, 200, 42);
	CHECK_EQ(mmd_minimize(&toy_family, pair, 2, &in, "toy/buggy~ref/D1_SUM",
			      5, &st), 0);
	CHECK(st.capped);
	CHECK_EQ(st.runs, 5);
	CHECK(!strcmp(sig_of(pair, 2, &in, &v), "toy/buggy~ref/D1_SUM@push"));

	return test_done("test_minimize_algo");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Op-level minimization that keeps a signature.
 *
 * A candidate is kept when mm_run reports exactly the target signature.
 * The run stops at the violating op, so every kept candidate is cut right
 * after its violating op (ops past it never run): each success shrinks the
 * input for free.  Passes, repeated until a whole round changes nothing:
 *   1. ddmin-style chunk removal (first round only: halves, quarters, ...);
 *   2. one-op removal, last op first, to a fixpoint;
 *   3. each op argument towards its lowest value;
 *   4. each config field towards its lowest value (fewer CPUs, smaller
 *      numbers).
 * Values are tried lowest first, then by bisection between the lowest and
 * the current value, so a 16-bit field costs at most ~17 runs.  Everything
 * depends only on the input and mm_run, never on time: deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"
#include <mm/threads.h>

struct minctx {
	const struct mm_family *fam;
	const struct mm_variant *const *vars;
	int n;
	const char *sig;
	long runs, max_runs;
	struct mm_verdict v;
	struct mm_input cand;
	/* threaded: runs of this variant, up to @tries per candidate */
	const struct mm_variant *tvar;
	int tries;
	struct mm_thread_verdict tv;
};

static bool out_of_runs(struct minctx *c)
{
	return c->runs >= c->max_runs;
}

/*
 * A threaded run reports a race only when the threads' timing shows it:
 * a candidate keeps the race when one of up to @tries runs reports it.
 * A candidate that loses it by chance is only a smaller step missed.
 */
static bool keeps_threaded(struct minctx *c, struct mm_input *in, int tries)
{
	for (int t = 0; t < tries; t++) {
		if (out_of_runs(c))
			return false;
		c->runs++;
		if (mm_threads_run_isolated(c->fam, c->tvar, in, &c->tv, NULL) > 0 &&
		    !strcmp(c->sig, c->tv.sig))
			return true;
	}
	return false;
}

/* run @in; true if it reports the target signature (@in is then cut) */
static bool keeps(struct minctx *c, struct mm_input *in)
{
	if (c->tvar)
		return keeps_threaded(c, in, c->tries);
	if (out_of_runs(c))
		return false;
	c->runs++;
	if (!(strstr(c->sig, "/MEMORY_SAFETY") ? mmd_run_isolated : mm_run)(c->fam, c->vars, c->n,
									  in, &c->v, NULL) ||
	    !mm_sig_matches(c->sig, c->v.sig))
		return false;
	if (c->v.op_index + 1 < in->nr_ops)
		in->nr_ops = c->v.op_index + 1 > 0 ? c->v.op_index + 1 : 0;
	return true;
}

/* try @in without ops [from, to); adopt the result when it keeps */
static bool try_remove(struct minctx *c, struct mm_input *in, int from, int to)
{
	struct mm_input *t = &c->cand;

	t->cfg = in->cfg;
	memcpy(t->ops, in->ops, from * sizeof(in->ops[0]));
	memcpy(t->ops + from, in->ops + to,
	       (in->nr_ops - to) * sizeof(in->ops[0]));
	t->nr_ops = in->nr_ops - (to - from);
	if (!keeps(c, t))
		return false;
	in->cfg = t->cfg;
	in->nr_ops = t->nr_ops;
	memcpy(in->ops, t->ops, t->nr_ops * sizeof(in->ops[0]));
	return true;
}

static bool ddmin(struct minctx *c, struct mm_input *in)
{
	bool changed = false;
	int parts = 2;

	while (in->nr_ops >= 2 && !out_of_runs(c)) {
		int len = in->nr_ops;
		int chunk = (len + parts - 1) / parts;
		bool removed = false;

		for (int start = 0; start < in->nr_ops; start += chunk) {
			int end = start + chunk < in->nr_ops ?
				  start + chunk : in->nr_ops;

			if (try_remove(c, in, start, end)) {
				removed = changed = true;
				break;
			}
		}
		if (removed) {
			parts = parts > 2 ? parts - 1 : 2;
			continue;
		}
		if (chunk <= 1)
			break;
		parts = 2 * parts < len ? 2 * parts : len;
	}
	return changed;
}

static bool one_op_removal(struct minctx *c, struct mm_input *in)
{
	bool changed = false, again = true;

	while (again && !out_of_runs(c)) {
		again = false;
		for (int i = in->nr_ops - 1; i >= 0; i--) {
			if (i >= in->nr_ops)
				continue;
			if (try_remove(c, in, i, i + 1))
				again = changed = true;
		}
	}
	return changed;
}

/*
 * Lower *@val (inside @in) towards @lo while @in keeps the signature.
 * Small ranges are scanned upwards from @lo (the smallest value that keeps
 * wins); larger ones try @lo, then bisect between @lo and the current value.
 */
static bool lower_value(struct minctx *c, struct mm_input *in, uint32_t *val,
			uint32_t lo)
{
	struct mm_input *t = &c->cand;
	uint32_t cur = *val;
	size_t off = (const char *)val - (const char *)in;
	uint32_t *tval = (uint32_t *)((char *)t + off);

	if (cur <= lo)
		return false;

#define TRY(x) ({ memcpy(t, in, offsetof(struct mm_input, ops) +	\
			 in->nr_ops * sizeof(in->ops[0]));		\
		  *tval = (x); keeps(c, t); })
#define ADOPT() memcpy(in, t, offsetof(struct mm_input, ops) +		\
			t->nr_ops * sizeof(t->ops[0]))

	if (cur - lo <= 16) {
		for (uint32_t x = lo; x < cur; x++) {
			if (TRY(x)) {
				ADOPT();
				return true;
			}
		}
		return false;
	}
	if (TRY(lo)) {
		ADOPT();
		return true;
	}
	/* invariant: lo_bad fails, hi_ok keeps (it is the current input) */
	uint32_t lo_bad = lo, hi_ok = cur;
	bool changed = false;

	while (hi_ok - lo_bad > 1 && !out_of_runs(c)) {
		uint32_t mid = lo_bad + (hi_ok - lo_bad) / 2;

		if (TRY(mid)) {
			ADOPT();
			hi_ok = mid;
			changed = true;
		} else {
			lo_bad = mid;
		}
	}
	return changed;
#undef TRY
#undef ADOPT
}

static bool simplify_args(struct minctx *c, struct mm_input *in)
{
	bool changed = false;

	for (int i = 0; i < in->nr_ops && !out_of_runs(c); i++) {
		const struct mm_opdesc *d = mm_op_desc(c->fam, &in->ops[i]);

		if (!d)
			continue;
		for (int a = 0; a < d->nr_args && i < in->nr_ops; a++)
			if (lower_value(c, in, &in->ops[i].arg[a],
					d->args[a].lo))
				changed = true;
	}
	return changed;
}

static bool simplify_config(struct minctx *c, struct mm_input *in)
{
	bool changed = false;

	for (int k = 0; k < c->fam->nr_cfg && !out_of_runs(c); k++)
		if (lower_value(c, in, &in->cfg.v[k], c->fam->cfg[k].lo))
			changed = true;
	return changed;
}

static int minimize(struct minctx *c, struct mm_input *in, long max_runs,
		    struct mmd_min_stats *st);

int mmd_minimize(const struct mm_family *fam,
		 const struct mm_variant *const *vars, int n,
		 struct mm_input *in, const char *sig, long max_runs,
		 struct mmd_min_stats *st)
{
	struct minctx *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->fam = fam;
	c->vars = vars;
	c->n = n;
	c->sig = sig;
	return minimize(c, in, max_runs, st);
}

int mmd_minimize_threaded(const struct mm_family *fam, const struct mm_variant *v,
			  struct mm_input *in, const char *sig, int tries,
			  long max_runs, struct mmd_min_stats *st)
{
	struct minctx *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->fam = fam;
	c->vars = &c->tvar;
	c->n = 1;
	c->sig = sig;
	c->tvar = v;
	c->tries = tries > 0 ? tries : 1;
	return minimize(c, in, max_runs, st);
}

/* the passes, on a context set up by one of the two above; frees @c */
static int minimize(struct minctx *c, struct mm_input *in, long max_runs,
		    struct mmd_min_stats *st)
{
	int ret = 0;

	c->max_runs = max_runs > 0 ? max_runs : MMD_MIN_MAX_RUNS_DEFAULT;
	memset(st, 0, sizeof(*st));
	st->orig_ops = in->nr_ops;
	/* threaded: the input itself gets more tries than a candidate */
	if (!(c->tvar ? keeps_threaded(c, in, 4 * c->tries) : keeps(c, in))) {
		ret = -1;
		goto out;
	}
	ddmin(c, in);
	for (int round = 0; round < 64 && !out_of_runs(c); round++) {
		bool changed = false;

		changed |= one_op_removal(c, in);
		changed |= simplify_args(c, in);
		changed |= simplify_config(c, in);
		if (!changed)
			break;
	}
out:
	st->final_ops = in->nr_ops;
	st->runs = c->runs;
	st->capped = out_of_runs(c);
	free(c);
	return ret;
}

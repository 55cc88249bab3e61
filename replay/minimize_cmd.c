// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff minimize FILE -o OUT [--variants A,B] [--family F] [--max-runs N]
 * Exit 1 when FILE violates (OUT written, in text form with the header
 * comments "# signature:", "# variants:" and "# minimized from N ops to M
 * ops"), 0 when it does not (nothing to minimize), 2 on bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

void mmd_narrow_variants(const struct mm_family *fam,
			 const struct mm_variant **vars, int *n,
			 const struct mm_input *in, const char *sig)
{
	const struct mm_variant *nv[MM_MAX_VARIANTS], *v;
	char vpart[128], spec[160], err[256], have[256];
	struct mm_verdict *verdict;
	int nn;

	if (mmd_sig_split(sig, NULL, 0, vpart, sizeof(vpart), NULL, 0))
		return;
	char *tilde = strchr(vpart, '~');

	if (tilde) {
		*tilde = 0;
		snprintf(spec, sizeof(spec), "%s,%s", tilde + 1, vpart);
	} else {
		v = mm_variant_find(fam->name, vpart);
		if (!v)
			return;
		/* keep the reference in front: the variant ran against it */
		if (v->reference && *n > 1 && vars[0] != v)
			snprintf(spec, sizeof(spec), "%s,%s", vars[0]->name,
				 v->name);
		else
			snprintf(spec, sizeof(spec), "%s", v->name);
	}
	mmd_vars_str(vars, *n, have, sizeof(have));
	if (!strcmp(have, spec))
		return;
	nn = mm_pick_variants(fam, spec, nv, MM_MAX_VARIANTS, err, sizeof(err));
	if (nn <= 0)
		return;
	verdict = calloc(1, sizeof(*verdict));
	if (!verdict)
		abort();
	if (mmd_run_isolated(fam, nv, nn, in, verdict, NULL) &&
	    mm_sig_matches(sig, verdict->sig)) {
		memcpy(vars, nv, nn * sizeof(nv[0]));
		*n = nn;
	}
	free(verdict);
}

/* does @text parse back to a run reporting @sig? (guards the output) */
static bool replays(const struct mm_family *fam,
		    const struct mm_variant *const *vars, int n,
		    const char *text, const char *sig)
{
	struct mmd_file *f = calloc(1, sizeof(*f));
	struct mm_verdict *v = calloc(1, sizeof(*v));
	bool ok;

	if (!f || !v)
		abort();
	ok = !mmd_load_text("(minimized output)", text, fam, f) &&
	     mmd_run_isolated(fam, vars, n, &f->in, v, NULL) && mm_sig_matches(sig, v->sig);
	free(f);
	free(v);
	return ok;
}

int mmd_minimize_to_file(const struct mm_family *fam,
			 const struct mm_variant **vars, int n,
			 const struct mm_input *in, const char *sig,
			 const char *out, long max_runs, bool quiet,
			 struct mmd_min_stats *st)
{
	struct mm_input *work = malloc(sizeof(*work));
	char names[256], header[1024];
	double t0 = mmd_now();
	char *text;
	int ret = -1;

	if (!work)
		abort();
	*work = *in;
	mmd_narrow_variants(fam, vars, &n, work, sig);
	if (mmd_minimize(fam, vars, n, work, sig, max_runs, st)) {
		mmd_err("%s: input no longer reports %s (nondeterministic run?)",
			out, sig);
		goto done;
	}
	mmd_vars_str(vars, n, names, sizeof(names));
	snprintf(header, sizeof(header),
		 "# signature: %s\n# variants: %s\n# minimized from %d ops to %d ops\n",
		 sig, names, st->orig_ops, st->final_ops);
	text = mmd_text_render(fam, work, header);
	if (!replays(fam, vars, n, text, sig)) {
		mmd_err("%s: internal error: the minimized text does not replay as %s",
			out, sig);
		free(text);
		goto done;
	}
	ret = mmd_write_file(out, text, strlen(text));
	free(text);
	if (!ret && !quiet)
		printf("minimized %s from %d ops to %d ops in %ld runs (%.1fs%s), variants %s -> %s\n",
		       sig, st->orig_ops, st->final_ops, st->runs,
		       mmd_now() - t0, st->capped ? ", run limit reached" : "",
		       names, out);
done:
	free(work);
	return ret;
}

int mmd_cmd_minimize(int argc, char **argv)
{
	struct mmd_opts o;
	const struct mm_family *fam;
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	struct mmd_min_stats st;
	struct mmd_file *f = NULL;
	struct mm_verdict *v = NULL;
	int n, ret = MMD_USAGE;

	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS |
			   MMD_O_OUT | MMD_O_MAX_RUNS, &o))
		return MMD_USAGE;
	if (o.npos != 1 || !o.out) {
		mmd_err("minimize: usage: mmdiff minimize FILE -o OUT [--variants A,B]");
		return MMD_USAGE;
	}
	if (mmd_opt_family(&o, &fam))
		return MMD_USAGE;
	f = calloc(1, sizeof(*f));
	v = calloc(1, sizeof(*v));
	if (!f || !v)
		abort();
	if (mmd_load(o.pos[0], fam, f))
		goto out;
	n = mmd_pick(f->fam, o.variants, f, vars);
	if (n < 0)
		goto out;
	if (!mmd_run_isolated(f->fam, vars, n, &f->in, v, NULL)) {
		printf("%s: no violation: nothing to minimize\n", o.pos[0]);
		printf("MMDIFF-VERDICT: OK\n");
		ret = MMD_OK;
		goto out;
	}
	if (mmd_minimize_to_file(f->fam, vars, n, &f->in, v->sig, o.out,
				 o.max_runs, false, &st))
		goto out;
	printf("MMDIFF-VERDICT: %s\n", v->sig);
	ret = MMD_VIOLATION;
out:
	free(f);
	free(v);
	return ret;
}

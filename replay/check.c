// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff check --variant V [--time S] [--engine E] [--jobs N] [--seed N]
 *               [--findings DIR]
 * The regression check of a revision V (an implementation) against its
 * reference R: replays corpus/regress/ files of V's family, then the
 * family's corpus, then fuzzes R,V for S seconds (default 60; 0 skips),
 * replaying every input twice: R alone and V against R.  Prints a table:
 * one row per invariant id seen (regress signatures and findings), one
 * column per run kind, cells OK or the count of violating inputs.  Exit 1
 * if V violates something (a signature naming V), else 0.
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

struct row {
	char inv[64];
	int ref, pair;
};

struct chk {
	const struct mm_family *fam;
	const struct mm_variant *v, *r;
	const struct mm_variant *refset[MM_MAX_VARIANTS], *pairset[MM_MAX_VARIANTS];
	int nref, npair;
	struct row rows[128];
	int nrows;
	int inputs, bad;
	const char *sigs[256];	/* signatures seen, for the campaign */
	int nsigs;
	bool revision_violates;
};

static struct row *row_of(struct chk *k, const char *inv)
{
	for (int i = 0; i < k->nrows; i++)
		if (!strcmp(k->rows[i].inv, inv))
			return &k->rows[i];
	if (k->nrows == (int)(sizeof(k->rows) / sizeof(k->rows[0])))
		return NULL;
	struct row *r = &k->rows[k->nrows++];

	snprintf(r->inv, sizeof(r->inv), "%s", inv);
	return r;
}

/* does the signature's variant part name the revision? */
static bool names_revision(const struct chk *k, const char *sig)
{
	char var[128];

	if (mmd_sig_split(sig, NULL, 0, var, sizeof(var), NULL, 0))
		return false;
	char *tilde = strchr(var, '~');

	if (tilde)
		*tilde = 0;
	return !strcmp(var, k->v->name);
}

static void replay(struct chk *k, const char *what, const struct mm_input *in,
		   const char *header_sig)
{
	struct mm_verdict *v = calloc(1, sizeof(*v));
	char inv[64];
	struct row *r;
	bool rv, pv;
	char refsig[192] = "OK";

	if (!v)
		abort();
	k->inputs++;
	if (header_sig && header_sig[0] &&
	    !mmd_sig_split(header_sig, NULL, 0, NULL, 0, inv, sizeof(inv)))
		row_of(k, inv);
	rv = mm_run(k->fam, k->refset, k->nref, in, v, NULL);
	if (rv) {
		snprintf(refsig, sizeof(refsig), "%s", v->sig);
		if ((r = row_of(k, v->inv)))
			r->ref++;
	}
	pv = mm_run(k->fam, k->pairset, k->npair, in, v, NULL);
	if (pv && k->nsigs < 256) {
		bool have = false;

		for (int i = 0; i < k->nsigs; i++)
			have |= !strcmp(k->sigs[i], v->sig);
		if (!have)
			k->sigs[k->nsigs++] = strdup(v->sig);
	}
	if (pv) {
		if ((r = row_of(k, v->inv)))
			r->pair++;
		if (names_revision(k, v->sig))
			k->revision_violates = true;
	}
	if (rv || pv)
		printf("  %s: %s alone: %s; %s~%s: %s\n", what, k->r->name,
		       refsig, k->v->name, k->r->name, pv ? v->sig : "OK");
	free(v);
}

static void replay_dir(struct chk *k, const char *dir, bool regress)
{
	char **paths;
	int n, used = 0;

	if (mmd_expand_paths(&dir, 1, &paths, &n)) {
		printf("  (no %s)\n", dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct mmd_file *f = calloc(1, sizeof(*f));

		if (!f)
			abort();
		/* regress files name their family; the corpus is the family's */
		if (mmd_load(paths[i], regress ? NULL : k->fam, f)) {
			k->bad++;
		} else if (f->fam == k->fam) {
			replay(k, paths[i], &f->in, f->signature);
			used++;
		}
		free(f);
	}
	printf("  %s: %d inputs replayed\n", dir, used);
	mmd_free_paths(paths, n);
}

static int find_variant(const char *name, const struct mm_family **fam,
			const struct mm_variant **v)
{
	if (mmd_family_of_variants(name, fam))
		return -1;
	*v = mm_variant_find((*fam)->name, name);
	return *v ? 0 : -1;
}

static void table(struct chk *k)
{
	char col1[96], col2[96];
	int w = 9;

	snprintf(col1, sizeof(col1), "%s alone", k->r->name);
	snprintf(col2, sizeof(col2), "%s~%s", k->v->name, k->r->name);
	for (int i = 0; i < k->nrows; i++)
		if ((int)strlen(k->rows[i].inv) > w)
			w = strlen(k->rows[i].inv);
	printf("%-*s  %-16s  %s\n", w, "invariant", col1, col2);
	for (int i = 0; i < k->nrows; i++) {
		char a[16] = "OK", b[16] = "OK";

		if (k->rows[i].ref)
			snprintf(a, sizeof(a), "%d", k->rows[i].ref);
		if (k->rows[i].pair)
			snprintf(b, sizeof(b), "%d", k->rows[i].pair);
		printf("%-*s  %-16s  %s\n", w, k->rows[i].inv, a, b);
	}
	if (!k->nrows)
		printf("%-*s  %-16s  %s\n", w, "(none)", "OK", "OK");
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->inv, ((const struct row *)b)->inv);
}

int mmd_cmd_check(int argc, char **argv)
{
	struct mmd_opts o;
	struct chk *k;
	char err[256], spec[160], dir[PATH_MAX];
	int ret = MMD_USAGE;

	if (mmd_parse_opts(argc, argv, MMD_O_VARIANT | MMD_O_TIME |
			   MMD_O_ENGINE | MMD_O_JOBS | MMD_O_SEED |
			   MMD_O_FINDINGS | MMD_O_CORPUS, &o))
		return MMD_USAGE;
	if (!o.variant || o.npos) {
		mmd_err("check: usage: mmdiff check --variant V [--time S]");
		return MMD_USAGE;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		abort();
	if (find_variant(o.variant, &k->fam, &k->v))
		goto out;
	if (!k->v->reference) {
		mmd_err("check: %s is a reference; give a revision (see mmdiff list)",
			k->v->name);
		goto out;
	}
	k->r = mm_variant_find(k->fam->name, k->v->reference);
	if (!k->r) {
		mmd_err("check: %s names an unknown reference %s", k->v->name,
			k->v->reference);
		goto out;
	}
	k->nref = mm_pick_variants(k->fam, k->r->name, k->refset,
				   MM_MAX_VARIANTS, err, sizeof(err));
	snprintf(spec, sizeof(spec), "%s,%s", k->r->name, k->v->name);
	k->npair = mm_pick_variants(k->fam, spec, k->pairset,
				    MM_MAX_VARIANTS, err, sizeof(err));
	if (k->nref <= 0 || k->npair <= 0) {
		mmd_err("check: %s", err);
		goto out;
	}
	printf("== check %s (%s) against %s, family %s\n", k->v->name,
	       k->v->expect ? k->v->expect : "clean", k->r->name, k->fam->name);
	printf("-- regression corpus\n");
	mmd_repo_path("corpus/regress", dir, sizeof(dir));
	replay_dir(k, dir, true);
	printf("-- family corpus\n");
	if (o.corpus)
		snprintf(dir, sizeof(dir), "%s", o.corpus);
	else {
		char sub[96];

		snprintf(sub, sizeof(sub), "corpus/%s", k->fam->name);
		mmd_repo_path(sub, dir, sizeof(dir));
	}
	replay_dir(k, dir, false);
	long t = o.given & MMD_O_TIME ? o.time : 60;

	if (t > 0) {
		struct mmd_campaign *c = calloc(1, sizeof(*c));

		if (!c)
			abort();
		printf("-- fuzzing %s for %lds\n", spec, t);
		c->fam = k->fam;
		c->variants = spec;
		c->engine = o.engine ? o.engine : "libfuzzer";
		c->time = t;
		c->jobs = o.given & MMD_O_JOBS ? o.jobs : 1;
		c->seed = o.given & MMD_O_SEED ? o.seed : 1;
		c->corpus = o.corpus;
		c->findings = o.findings;
		c->quiet = true;
		c->known = k->sigs;
		c->nr_known = k->nsigs;
		if (mmd_campaign_run(c) == MMD_USAGE) {
			printf("  fuzzing failed (see above): table without it\n");
		}
		for (int i = 0; i < c->nr_findings; i++) {
			struct mmd_file *f = calloc(1, sizeof(*f));

			if (!f)
				abort();
			if (!mmd_load(c->found[i].path, k->fam, f))
				replay(k, c->found[i].path, &f->in,
				       c->found[i].sig);
			free(f);
		}
		free(c);
	}
	qsort(k->rows, k->nrows, sizeof(k->rows[0]), cmp_row);
	printf("-- %d inputs%s\n", k->inputs, k->bad ? " (some unreadable, see above)" : "");
	table(k);
	printf("MMDIFF-CHECK: %s %s\n", k->v->name,
	       k->revision_violates ? "VIOLATES" : "OK");
	ret = k->revision_violates ? MMD_VIOLATION : MMD_OK;
out:
	for (int i = 0; i < k->nsigs; i++)
		free((char *)k->sigs[i]);
	free(k);
	return ret;
}

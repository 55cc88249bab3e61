// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff check --variant V [--base B] [--time S] [--engine E] [--jobs N]
 *               [--seed N] [--corpus DIR] [--findings DIR] [--json]
 * The regression check of a revision V (an implementation) against its
 * reference R, as the kernel test robot reports a commit: base against
 * revision.  Inputs: corpus/regress/ files of V's family, the family's seed
 * corpus, the lasting corpus DIR if given, then the findings of fuzzing
 * R,V for S seconds (default 60; 0 skips; with --corpus DIR the campaign
 * starts from DIR and grows it).  Every input is replayed in two columns:
 * the base (R alone, or R,B with --base B) and the revision (R,V).
 *
 * The table has one row per invariant and place seen (the signature
 * without family and variant, so that both columns line up), with the
 * count of inputs showing it in each column, after "inputs" and "passed"
 * rows; a second table compares metrics: each scalar observable of the
 * family (median over the inputs of its value after the last op, the base
 * variant and V each run alone) and the replay cost, with the robot's
 * %change column.  Exit 1 if V violates something (a signature naming V),
 * else 0.
 */
#include <math.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mmdiff.h"
#include "json.h"

#define NCOL 2

struct row {
	char key[128];		/* "INV@place" */
	int cnt[NCOL];
	char sig[NCOL][192];	/* one full signature per column, for the reader */
};

struct metric {
	char name[96];
	double *v[NCOL];
	int n[NCOL];
};

struct chk {
	const struct mm_family *fam;
	const struct mm_variant *v, *r, *b;	/* revision, reference, base */
	const struct mm_variant *alone[NCOL];	/* run alone for the metrics */
	const struct mm_variant *set[NCOL][MM_MAX_VARIANTS];
	int nset[NCOL];
	char label[NCOL][64];
	struct row rows[256];
	int nrows;
	int inputs, passed[NCOL], bad;
	struct metric *met;
	int nmet;
	const char *sigs[256];	/* signatures seen in the revision column */
	int nsigs;
	bool revision_violates;
	bool quiet;
};

static struct row *row_of(struct chk *k, const char *key)
{
	for (int i = 0; i < k->nrows; i++)
		if (!strcmp(k->rows[i].key, key))
			return &k->rows[i];
	if (k->nrows == (int)(sizeof(k->rows) / sizeof(k->rows[0])))
		return NULL;
	struct row *r = &k->rows[k->nrows++];

	snprintf(r->key, sizeof(r->key), "%s", key);
	return r;
}

/* "fam/variant/INV@place:lock" -> "INV@place:lock" */
static const char *sig_key(const char *sig)
{
	const char *p = strchr(sig, '/');

	p = p ? strchr(p + 1, '/') : NULL;
	return p ? p + 1 : sig;
}

/* does the signature's variant part name the revision? */
static bool names_revision(const struct chk *k, const char *sig)
{
	char var[128];

	if (mmd_sig_split(sig, NULL, 0, var, sizeof(var), NULL, 0))
		return false;
	var[strcspn(var, "~")] = 0;
	return !strcmp(var, k->v->name);
}

static void metric_add(struct chk *k, const char *name, int col, double val)
{
	struct metric *m = NULL;

	for (int i = 0; i < k->nmet; i++)
		if (!strcmp(k->met[i].name, name))
			m = &k->met[i];
	if (!m) {
		k->met = realloc(k->met, (k->nmet + 1) * sizeof(*k->met));
		if (!k->met)
			abort();
		m = &k->met[k->nmet++];
		memset(m, 0, sizeof(*m));
		snprintf(m->name, sizeof(m->name), "%s", name);
	}
	m->v[col] = realloc(m->v[col], (m->n[col] + 1) * sizeof(double));
	if (!m->v[col])
		abort();
	m->v[col][m->n[col]++] = val;
}

/* each column's variant alone: the observables after its last op */
static void metrics(struct chk *k, const struct mm_input *in)
{
	for (int c = 0; c < NCOL; c++) {
		struct mmd_series s;
		double t0 = mmd_now();

		mmd_observe(k->fam, k->alone[c], in, &s);
		if (in->nr_ops > 0)
			metric_add(k, "replay.us_per_op", c,
				   (mmd_now() - t0) * 1e6 / in->nr_ops);
		if (s.points > 0) {
			const long *last = s.val + (size_t)(s.points - 1) * s.width;

			int at = 0;

			for (int i = 0; i < k->fam->nr_obs; i++) {
				const struct mm_obsdesc *d = &k->fam->obs[i];
				char name[96];
				double sum = 0;

				for (int e = 0; e < d->count; e++)
					sum += last[at++];
				snprintf(name, sizeof(name), "%s.%s%s", k->fam->name,
					 d->name, d->count > 1 ? "(sum)" : "");
				metric_add(k, name, c, sum);
			}
			metric_add(k, "machine.pages_held", c, last[at]);
		}
		mmd_series_free(&s);
	}
}

static void replay(struct chk *k, const char *what, const struct mm_input *in)
{
	struct mm_verdict *v = calloc(1, sizeof(*v));
	char got[NCOL][192];
	bool any = false, died = false;

	if (!v)
		abort();
	k->inputs++;
	for (int c = 0; c < NCOL; c++) {
		snprintf(got[c], sizeof(got[c]), "OK");
		if (!mmd_run_isolated(k->fam, k->set[c], k->nset[c], in, v, NULL)) {
			k->passed[c]++;
			continue;
		}
		struct row *r = row_of(k, sig_key(v->sig));

		any = true;
		died |= strstr(v->sig, "/MEMORY_SAFETY@") != NULL;
		snprintf(got[c], sizeof(got[c]), "%s", v->sig);
		if (r) {
			r->cnt[c]++;
			if (!r->sig[c][0])
				snprintf(r->sig[c], sizeof(r->sig[c]), "%s", v->sig);
		}
		if (c == 1) {
			bool have = false;

			for (int i = 0; i < k->nsigs; i++)
				have |= !strcmp(k->sigs[i], v->sig);
			if (!have && k->nsigs < 256)
				k->sigs[k->nsigs++] = strdup(v->sig);
			if (names_revision(k, v->sig))
				k->revision_violates = true;
		}
	}
	/* the series replays op by op in this process: not past a sanitizer death */
	if (!died)
		metrics(k, in);
	if (any)
		printf("  %s: %s: %s; %s: %s\n", what, k->label[0], got[0],
		       k->label[1], got[1]);
	free(v);
}

static void replay_dir(struct chk *k, const char *dir, bool regress)
{
	char **paths;
	int n, used = 0;

	if (access(dir, R_OK) || mmd_expand_paths(&dir, 1, &paths, &n)) {
		printf("  (no %s)\n", dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct mmd_file *f = calloc(1, sizeof(*f));

		if (!f)
			abort();
		/* regress files name their family; corpora are the family's */
		if (mmd_load(paths[i], regress ? NULL : k->fam, f)) {
			k->bad++;
		} else if (f->fam == k->fam) {
			replay(k, paths[i], &f->in);
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

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key, ((const struct row *)b)->key);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void dashes(int w)
{
	putchar('+');
	for (int i = 0; i < w + 2; i++)
		putchar('-');
}

/* the kernel test robot's tables: invariants, then metrics with %change */
static void table(struct chk *k)
{
	int w = 40, cw = 12;

	for (int i = 0; i < k->nrows; i++)
		if ((int)strlen(k->rows[i].key) > w)
			w = strlen(k->rows[i].key);
	for (int c = 0; c < NCOL; c++)
		if ((int)strlen(k->label[c]) > cw)
			cw = strlen(k->label[c]);
	dashes(w), dashes(cw), dashes(cw), puts("+");
	printf("| %-*s | %-*s | %-*s |\n", w, "", cw, k->label[0], cw, k->label[1]);
	dashes(w), dashes(cw), dashes(cw), puts("+");
	printf("| %-*s | %-*d | %-*d |\n", w, "inputs", cw, k->inputs, cw, k->inputs);
	printf("| %-*s | %-*d | %-*d |\n", w, "passed", cw, k->passed[0], cw,
	       k->passed[1]);
	for (int i = 0; i < k->nrows; i++)
		printf("| %-*s | %-*d | %-*d |\n", w, k->rows[i].key, cw,
		       k->rows[i].cnt[0], cw, k->rows[i].cnt[1]);
	dashes(w), dashes(cw), dashes(cw), puts("+");
	puts("");
	printf("%16s %16s %16s\n", k->label[0], "%change", k->label[1]);
	printf("---------------- ---------------- ----------------\n");
	for (int i = 0; i < k->nmet; i++) {
		struct metric *m = &k->met[i];
		double a = median(m->v[0], m->n[0]), b = median(m->v[1], m->n[1]);
		char ch[32];

		if (a == 0 && b == 0)
			continue;	/* not used by this family's inputs */

		if (a == b)
			snprintf(ch, sizeof(ch), " ");
		else if (a != 0 && isfinite(a) && isfinite(b))
			snprintf(ch, sizeof(ch), "%+.1f%%", (b - a) * 100 / fabs(a));
		else
			snprintf(ch, sizeof(ch), "n/a");
		printf("%16.2f %16s %16.2f        %s\n", a, ch, b, m->name);
	}
	printf("(metrics: median over the %d inputs of the value after the last op, %s and %s each run\n"
	       " alone; rows that are 0 in both columns are left out)\n",
	       k->inputs, k->alone[0]->name, k->alone[1]->name);
}

static void json_out(struct chk *k, FILE *f, int ret,
		     const struct mmd_campaign *camp)
{
	struct mmd_json j;

	mmd_json_begin(&j, f);
	mmd_json_obj(&j, NULL);
	mmd_json_str(&j, "schema", MMD_JSON_SCHEMA);
	mmd_json_str(&j, "command", "check");
	mmd_json_str(&j, "family", k->fam->name);
	mmd_json_str(&j, "revision", k->v->name);
	mmd_json_str(&j, "expect", k->v->expect ? k->v->expect : "clean");
	mmd_json_str(&j, "reference", k->r->name);
	mmd_json_str(&j, "base", k->label[0]);
	mmd_json_arr(&j, "columns");
	for (int c = 0; c < NCOL; c++) {
		char spec[256];

		mmd_vars_str(k->set[c], k->nset[c], spec, sizeof(spec));
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "label", k->label[c]);
		mmd_json_str(&j, "variants", spec);
		mmd_json_int(&j, "inputs", k->inputs);
		mmd_json_int(&j, "passed", k->passed[c]);
		mmd_json_end(&j);
	}
	mmd_json_end(&j);
	mmd_json_arr(&j, "rows");
	for (int i = 0; i < k->nrows; i++) {
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "invariant", k->rows[i].key);
		mmd_json_arr(&j, "counts");
		for (int c = 0; c < NCOL; c++)
			mmd_json_int(&j, NULL, k->rows[i].cnt[c]);
		mmd_json_end(&j);
		mmd_json_arr(&j, "signatures");
		for (int c = 0; c < NCOL; c++)
			if (k->rows[i].sig[c][0])
				mmd_json_str(&j, NULL, k->rows[i].sig[c]);
			else
				mmd_json_null(&j, NULL);
		mmd_json_end(&j);
		mmd_json_end(&j);
	}
	mmd_json_end(&j);
	mmd_json_arr(&j, "metrics");
	for (int i = 0; i < k->nmet; i++) {
		double a = median(k->met[i].v[0], k->met[i].n[0]);
		double b = median(k->met[i].v[1], k->met[i].n[1]);

		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "name", k->met[i].name);
		mmd_json_arr(&j, "medians");
		mmd_json_num(&j, NULL, a);
		mmd_json_num(&j, NULL, b);
		mmd_json_end(&j);
		if (a != 0 && isfinite(a) && isfinite(b))
			mmd_json_num(&j, "change_pct", (b - a) * 100 / fabs(a));
		else
			mmd_json_null(&j, "change_pct");
		mmd_json_end(&j);
	}
	mmd_json_end(&j);
	if (camp)
		mmd_json_campaign(&j, "campaign", camp);
	else
		mmd_json_null(&j, "campaign");
	mmd_json_str(&j, "result", k->revision_violates ? "VIOLATES" : "OK");
	mmd_json_int(&j, "exit", ret);
	mmd_json_end(&j);
	mmd_json_finish(&j);
}

static int pick(struct chk *k, int c, const char *spec)
{
	char err[256];

	k->nset[c] = mm_pick_variants(k->fam, spec, k->set[c], MM_MAX_VARIANTS,
				      err, sizeof(err));
	if (k->nset[c] <= 0) {
		mmd_err("check: %s", err);
		return -1;
	}
	return 0;
}

/*
 * `mmdiff check --kernel-src DIR --patch P [--patch Q ...] [--time S]`: the
 * revision check of a patch series against the kernel's own mm/percpu.c.
 * Building the revisions is build.sh's job (build.sh patchcheck).
 */
static int check_patches(int argc, char **argv)
{
	char script[PATH_MAX];
	char **args = calloc((size_t)argc + 3, sizeof(*args));

	if (!args)
		abort();
	mmd_repo_path("build.sh", script, sizeof(script));
	args[0] = "bash";
	args[1] = script;
	args[2] = "patchcheck";
	for (int i = 0; i < argc; i++)
		args[3 + i] = argv[i];
	fflush(stdout);
	execvp("bash", args);
	mmd_err("check: cannot run %s: %s", script, strerror(errno));
	return MMD_USAGE;
}

int mmd_cmd_check(int argc, char **argv)
{
	struct mmd_opts o;
	struct chk *k;
	struct mmd_campaign *c = NULL;
	char spec[160], dir[PATH_MAX], sub[96];
	int ret = MMD_USAGE, fd = -1;

	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "--kernel-src", 12) || !strncmp(argv[i], "--patch", 7))
			return check_patches(argc, argv);
	if (mmd_parse_opts(argc, argv, MMD_O_VARIANT | MMD_O_TIME |
			   MMD_O_ENGINE | MMD_O_JOBS | MMD_O_SEED |
			   MMD_O_FINDINGS | MMD_O_CORPUS | MMD_O_JSON |
			   MMD_O_BASE, &o))
		return MMD_USAGE;
	if (!o.variant || o.npos) {
		mmd_err("check: usage: mmdiff check --variant V [--base B] [--time S]");
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
	if (o.base) {
		k->b = mm_variant_find(k->fam->name, o.base);
		if (!k->b) {
			mmd_err("check: --base %s: no variant '%s' in family %s",
				o.base, o.base, k->fam->name);
			goto out;
		}
		if (k->b != k->r && (!k->b->reference ||
				     strcmp(k->b->reference, k->r->name))) {
			mmd_err("check: --base %s: not %s nor one of its revisions",
				o.base, k->r->name);
			goto out;
		}
	}
	if (k->b && k->b != k->r) {
		snprintf(spec, sizeof(spec), "%s,%s", k->r->name, k->b->name);
		k->alone[0] = k->b;
	} else {
		snprintf(spec, sizeof(spec), "%s", k->r->name);
		k->alone[0] = k->r;
	}
	if (pick(k, 0, spec))
		goto out;
	snprintf(spec, sizeof(spec), "%s,%s", k->r->name, k->v->name);
	if (pick(k, 1, spec))
		goto out;
	k->alone[1] = k->v;
	snprintf(k->label[0], sizeof(k->label[0]), "%s", k->alone[0]->name);
	snprintf(k->label[1], sizeof(k->label[1]), "%s", k->v->name);
	fd = mmd_json_stdout_begin(o.json);
	printf("== check %s (%s) against %s, family %s; base %s\n", k->v->name,
	       k->v->expect ? k->v->expect : "clean", k->r->name, k->fam->name,
	       k->label[0]);
	printf("-- regression corpus\n");
	mmd_repo_path("corpus/regress", dir, sizeof(dir));
	replay_dir(k, dir, true);
	printf("-- family corpus\n");
	snprintf(sub, sizeof(sub), "corpus/%s", k->fam->name);
	mmd_repo_path(sub, dir, sizeof(dir));
	replay_dir(k, dir, false);
	if (o.corpus) {
		printf("-- lasting corpus\n");
		replay_dir(k, o.corpus, false);
	}
	long t = o.given & MMD_O_TIME ? o.time : 60;

	if (t > 0) {
		c = calloc(1, sizeof(*c));
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
		if (mmd_campaign_run(c) == MMD_USAGE)
			printf("  fuzzing failed (see above): table without it\n");
		for (int i = 0; i < c->nr_findings; i++) {
			struct mmd_file *f = calloc(1, sizeof(*f));

			if (!f)
				abort();
			if (!mmd_load(c->found[i].path, k->fam, f))
				replay(k, c->found[i].path, &f->in);
			free(f);
		}
	}
	qsort(k->rows, k->nrows, sizeof(k->rows[0]), cmp_row);
	printf("-- %d inputs%s\n", k->inputs, k->bad ? " (some unreadable, see above)" : "");
	table(k);
	printf("MMDIFF-CHECK: %s %s\n", k->v->name,
	       k->revision_violates ? "VIOLATES" : "OK");
	ret = k->revision_violates ? MMD_VIOLATION : MMD_OK;
	if (o.json) {
		mmd_json_stdout_end(fd);
		fd = -1;
		json_out(k, stdout, ret, c);
	}
out:
	if (fd >= 0)
		mmd_json_stdout_end(fd);
	for (int i = 0; i < k->nsigs; i++)
		free((char *)k->sigs[i]);
	for (int i = 0; i < k->nmet; i++)
		for (int cc = 0; cc < NCOL; cc++)
			free(k->met[i].v[cc]);
	free(k->met);
	free(k);
	free(c);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff run --threads [--family F] [--variants V[,W...]] [-v] FILE|DIR...
 * mmdiff run --threads --time SECONDS [--seed N] [--findings DIR]
 *            [--family F] [--variants V[,W...]] [SEEDS...]
 *
 * The threaded ThreadSanitizer mode (include/mm/threads.h): each input runs
 * on each variant on its own (one variant per run: relations between
 * variants mean nothing when the schedule is the operating system's), its
 * CPUs as threads.  A data race in port code is the finding
 * "<family>/<variant>/DATA_RACE:<function>"; the last line for each run is
 * "MMDIFF-VERDICT: OK" or "MMDIFF-VERDICT: <signature>".  With --time, a
 * short campaign: inputs grown from the seeds (the family's corpus/<family>/
 * by default) by the op-aware mutator, each run threaded, for SECONDS; one
 * reproducer per new signature in --findings (default findings/threads/).
 * Exit 1 on a finding, 2 on bad usage.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmdiff.h"
#include "mutator.h"
#include <mm/threads.h>

static void print_thread_verdict(const char *variant, const struct mm_thread_verdict *tv,
				 bool verbose)
{
	if (tv->tolerated[0])
		printf("tolerated (fuzz/core/tsan-tolerated.txt):\n%s", tv->tolerated);
	if (!tv->violated) {
		printf("MMDIFF-VERDICT: OK\n");
		return;
	}
	printf("VIOLATION %s\n", tv->sig);
	printf("  %-10s %s\n", "variant:", variant);
	printf("  %-10s %s\n", "invariant:", tv->inv);
	printf("  %-10s %s\n", "details:", tv->detail);
	if (tv->also[0])
		printf("  also:\n%s", tv->also);
	if (verbose && tv->report[0])
		printf("  report:\n%s\n", tv->report);
	printf("MMDIFF-VERDICT: %s\n", tv->sig);
}

/* the distinct variants of a pick (a threaded run takes one) */
static int distinct(const struct mm_variant **vars, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		bool seen = false;

		for (int j = 0; j < k; j++)
			seen |= vars[j] == vars[i];
		if (!seen)
			vars[k++] = vars[i];
	}
	return k;
}

static int run_file(const char *path, const struct mm_family *fam_opt,
		    const struct mmd_opts *o, int *nviol)
{
	struct mmd_file *f = calloc(1, sizeof(*f));
	struct mm_thread_verdict *tv = calloc(1, sizeof(*tv));
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	static int round[MM_MAX_OPS];
	int n, ret = MMD_OK;

	if (!f || !tv)
		abort();
	if (mmd_load(path, fam_opt, f) || (n = mmd_pick(f->fam, o->variants, f, vars)) < 0) {
		free(f);
		free(tv);
		return MMD_USAGE;
	}
	n = distinct(vars, n);
	for (int i = 0; i < n; i++) {
		int cpus = mm_cfg_role(f->fam, MM_CFG_NR_CPUS);
		int nr_cpus = cpus < 0 ? 1 : (int)f->in.cfg.v[cpus];

		printf("== %s (%s, %d ops, %d rounds on %d CPU threads, variant %s)\n", path,
		       f->fam->name, f->in.nr_ops,
		       mm_threads_rounds(f->fam, &f->in, nr_cpus, round), nr_cpus,
		       vars[i]->name);
		fflush(stdout);
		if (mm_threads_run_isolated(f->fam, vars[i], &f->in, tv,
					    o->verbose ? stdout : NULL) > 0) {
			ret = MMD_VIOLATION;
			(*nviol)++;
		}
		print_thread_verdict(vars[i]->name, tv, o->verbose);
		fflush(stdout);
	}
	free(f);
	free(tv);
	return ret;
}

/* -- the campaign ------------------------------------------------------------ */

/* a campaign's reproducer for @sig on @v, with its headers; @how: "" or a fourth header */
static void write_finding(const struct mm_family *fam, const struct mm_variant *v,
			  const struct mm_input *in, const char *path, const char *sig,
			  const char *detail, const char *how)
{
	char header[MM_DETAIL_LEN + 768], *text;

	snprintf(header, sizeof(header),
		 "# signature: %s\n# variants: %s\n# report: threaded (mmdiff-tsan run --threads): %s\n%s%s%s",
		 sig, v->name, detail, how[0] ? "# " : "", how,
		 how[0] ? "; a race shows when the threads' timing lets it: replay a few times\n" : "");
	text = mmd_text_render(fam, in, header);
	if (text) {
		mmd_write_file(path, text, strlen(text));
		free(text);
	}
}

/* minimizing a campaign's finding: tries per candidate, threaded runs in all */
#define MMD_THREADS_MIN_TRIES	4
#define MMD_THREADS_MIN_RUNS	600

struct seen_sig {
	char sig[192];
	unsigned long hits;
};

static int campaign(const struct mm_family *fam, const struct mmd_opts *o, char **paths,
		    int npaths)
{
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	struct mmd_file *f = calloc(1, sizeof(*f));
	struct mm_input *seeds = calloc(MMD_MAX_POS, sizeof(*seeds));
	struct mm_input *cur = calloc(1, sizeof(*cur));
	struct mm_thread_verdict *tv = calloc(1, sizeof(*tv));
	static struct seen_sig seen[64];
	int nseeds = 0, nseen = 0, n, ret = MMD_OK;
	struct mm_rng rng = { (uint64_t)(o->seed ? o->seed : 1) };
	const char *dir = o->findings ? o->findings : "findings/threads";
	double t0 = mmd_now();
	unsigned long runs = 0;

	if (!f || !seeds || !cur || !tv)
		abort();
	for (int i = 0; i < npaths && nseeds < MMD_MAX_POS; i++) {
		if (mmd_load(paths[i], fam, f))
			continue;
		if (f->fam == fam)
			seeds[nseeds++] = f->in;
	}
	if (!nseeds) {
		mmd_err("run --threads --time: no %s seed among the inputs given", fam->name);
		return MMD_USAGE;
	}
	memset(f, 0, sizeof(*f));
	n = mmd_pick(fam, o->variants, f, vars);
	if (n < 0)
		return MMD_USAGE;
	n = distinct(vars, n);
	if (mmd_mkdirs(dir))
		return MMD_USAGE;
	printf("== threaded campaign: %s, variants", fam->name);
	for (int i = 0; i < n; i++)
		printf(" %s", vars[i]->name);
	printf(", %d seeds, %ld s, seed %ld\n", nseeds, o->time, o->seed ? o->seed : 1);
	while (mmd_now() - t0 < (double)o->time) {
		const struct mm_variant *v = vars[runs % (unsigned long)n];
		int k;

		/* a seed as it is first, then grown by one to four mutations */
		*cur = seeds[mm_rng_below(&rng, (uint64_t)nseeds)];
		if (runs >= (unsigned long)(nseeds * n)) {
			int m = 1 + (int)mm_rng_below(&rng, 4);

			for (int j = 0; j < m; j++)
				mm_mutate_input(fam, cur, (enum mm_mut)mm_rng_below(&rng, MM_MUT__NR),
						&seeds[mm_rng_below(&rng, (uint64_t)nseeds)], &rng);
		}
		runs++;
		if (mm_threads_run_isolated(fam, v, cur, tv, NULL) <= 0)
			continue;
		ret = MMD_VIOLATION;
		for (k = 0; k < nseen; k++)
			if (!strcmp(seen[k].sig, tv->sig))
				break;
		if (k < nseen) {
			seen[k].hits++;
			continue;
		}
		if (nseen < 64) {
			char name[256], path[512], detail[MM_DETAIL_LEN], how[160] = "";
			const char *sig = seen[nseen].sig;
			struct mmd_min_stats st;
			double found = mmd_now() - t0;

			snprintf(seen[nseen].sig, sizeof(seen[nseen].sig), "%s", tv->sig);
			seen[nseen++].hits = 1;
			snprintf(detail, sizeof(detail), "%s", tv->detail);
			mmd_sanitize(sig, name, sizeof(name));
			snprintf(path, sizeof(path), "%s/%s.ops", dir, name);
			/* written at once (nothing lost), then again minimized */
			write_finding(fam, v, cur, path, sig, detail, "");
			if (!mmd_minimize_threaded(fam, v, cur, sig, MMD_THREADS_MIN_TRIES,
						   MMD_THREADS_MIN_RUNS, &st)) {
				snprintf(how, sizeof(how), "minimized from %d ops to %d ops in %ld threaded runs%s",
					 st.orig_ops, st.final_ops, st.runs,
					 st.capped ? " (run limit reached)" : "");
				/* the report of the minimized input, when a run shows it again */
				for (int t = 0; t < MMD_THREADS_MIN_TRIES; t++)
					if (mm_threads_run_isolated(fam, v, cur, tv, NULL) > 0 &&
					    !strcmp(tv->sig, sig)) {
						snprintf(detail, sizeof(detail), "%s", tv->detail);
						break;
					}
				write_finding(fam, v, cur, path, sig, detail, how);
			}
			printf("MMDIFF-FOUND %s %s (after %lu runs, %.0f s)\n  %s\n", sig, path, runs,
			       found, detail);
			if (how[0])
				printf("  %s\n", how);
			fflush(stdout);
		}
	}
	printf("== %lu threaded runs in %.0f s, %d signature%s\n", runs, mmd_now() - t0, nseen,
	       nseen == 1 ? "" : "s");
	for (int k = 0; k < nseen; k++)
		printf("  %s (%lu runs)\n", seen[k].sig, seen[k].hits);
	printf("MMDIFF-VERDICT: %s\n", nseen ? seen[0].sig : "OK");
	free(f);
	free(seeds);
	free(cur);
	free(tv);
	return ret;
}

int mmd_cmd_run_threads(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args)), **paths;
	const struct mm_family *fam;
	struct mmd_opts o;
	int nargs = 0, npaths, worst = MMD_OK, nviol = 0, nruns = 0;

	if (!args)
		abort();
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--threads"))
			args[nargs++] = argv[i];
	if (!MM_THREADS_BUILT) {
		mmd_err("run --threads: this build has no threaded mode; build the tsan flavor (./build.sh build tsan) and run build/bin/mmdiff-tsan");
		free(args);
		return MMD_USAGE;
	}
	if (mmd_parse_opts(nargs, args, MMD_O_FAMILY | MMD_O_VARIANTS | MMD_O_VERBOSE |
			   MMD_O_TIME | MMD_O_SEED | MMD_O_FINDINGS, &o) ||
	    mmd_opt_family(&o, &fam)) {
		free(args);
		return MMD_USAGE;
	}
	if (o.time > 0) {
		char def[512];
		const char *pos[1] = { def };
		int r;

		if (!fam) {
			mmd_err("run --threads --time: give --family or --variants");
			return MMD_USAGE;
		}
		snprintf(def, sizeof(def), "corpus/%s", fam->name);
		if (mmd_expand_paths(o.npos ? o.pos : pos, o.npos ? o.npos : 1, &paths, &npaths))
			return MMD_USAGE;
		r = campaign(fam, &o, paths, npaths);
		mmd_free_paths(paths, npaths);
		free(args);
		return r;
	}
	if (!o.npos) {
		mmd_err("run --threads: no input given (mmdiff run --threads [--family F] [--variants V] [-v] FILE|DIR...)");
		free(args);
		return MMD_USAGE;
	}
	if (mmd_expand_paths(o.pos, o.npos, &paths, &npaths)) {
		free(args);
		return MMD_USAGE;
	}
	for (int i = 0; i < npaths; i++) {
		int r = run_file(paths[i], fam, &o, &nviol);

		nruns++;
		if (r > worst)
			worst = r;
	}
	if (npaths > 1)
		printf("== %d inputs: %d threaded runs violated%s\n", npaths, nviol,
		       worst == MMD_USAGE ? " (some inputs bad)" : "");
	mmd_free_paths(paths, npaths);
	free(args);
	return worst;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the mmdiff command, shared by the
 * subcommand files of replay/.  Exit codes of every subcommand: 0 no
 * violation, 1 violation found, 2 bad usage or bad input (after one line on
 * stderr, printed by mmd_err).
 */
#ifndef MMDIFF_H
#define MMDIFF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mm/harness.h>
#include "driver.h"
#include "input.h"

#define MMD_OK		0
#define MMD_VIOLATION	1
#define MMD_USAGE	2

/* -- options (cli.c) -------------------------------------------------- */
enum mmd_opt_bit {
	MMD_O_FAMILY = 1 << 0,
	MMD_O_VARIANTS = 1 << 1,
	MMD_O_VARIANT = 1 << 2,
	MMD_O_VERBOSE = 1 << 3,
	MMD_O_OUT = 1 << 4,
	MMD_O_ENGINE = 1 << 5,
	MMD_O_TIME = 1 << 6,
	MMD_O_JOBS = 1 << 7,
	MMD_O_SEED = 1 << 8,
	MMD_O_CORPUS = 1 << 9,
	MMD_O_FINDINGS = 1 << 10,
	MMD_O_MAX_RUNS = 1 << 11,
	MMD_O_OPS = 1 << 12,
	MMD_O_INVARIANTS = 1 << 13,
	MMD_O_JSON = 1 << 14,
	MMD_O_BASE = 1 << 15,
	MMD_O_DICT = 1 << 16,
	MMD_O_START = 1 << 17,
};

#define MMD_MAX_POS 256

struct mmd_opts {
	unsigned int given;		/* mmd_opt_bit of options present */
	const char *family, *variants, *variant, *out, *engine;
	const char *corpus, *findings;
	const char *ops, *invariants;	/* list: the family to describe */
	const char *base;		/* check: the base revision */
	const char *dict;		/* list: the family of a dictionary */
	long time, jobs, seed, max_runs;
	bool verbose, json;
	int npos;
	const char *pos[MMD_MAX_POS];
};

/* parse argv (after the subcommand); 0 or -1 after mmd_err */
int mmd_parse_opts(int argc, char **argv, unsigned int allowed,
		   struct mmd_opts *o);
/* mmdiff run --threads ... (threads_cmd.c) */
int mmd_cmd_run_threads(int argc, char **argv);

/* -- helpers (util.c) ------------------------------------------------- */
__attribute__((format(printf, 1, 2)))
void mmd_err(const char *fmt, ...);
/* the text of the last mmd_err (for --json) */
extern char mmd_last_err[512];
/* whole file, NUL-terminated (not counted in *size); NULL after mmd_err */
uint8_t *mmd_read_file(const char *path, size_t *size);
/* write @len bytes to @path via a temporary and rename; -1 after mmd_err */
int mmd_write_file(const char *path, const void *data, size_t len);
/* expand FILE|DIR arguments into a sorted list of files; -1 after mmd_err */
int mmd_expand_paths(const char *const *args, int nargs, char ***out,
		     int *nout);
void mmd_free_paths(char **paths, int n);
/* mkdir -p; -1 after mmd_err */
int mmd_mkdirs(const char *path);
/* the directory holding the running mmdiff executable */
const char *mmd_self_dir(void);
/* <repo>/@sub, the repo being two levels above mmdiff (build/bin/) */
void mmd_repo_path(const char *sub, char *buf, size_t len);
double mmd_now(void);
/* "family/impl~ref/INV" -> "family_impl~ref_INV" (file-name safe) */
void mmd_sanitize(const char *sig, char *buf, size_t len);
/* split a signature; any out pointer may be NULL; -1 if malformed */
int mmd_sig_split(const char *sig, char *fam, size_t flen, char *var,
		  size_t vlen, char *inv, size_t ilen);

/* -- inputs and variant sets (load.c) ---------------------------------- */
struct mmd_file {
	const char *path;
	bool text;
	const struct mm_family *fam;
	struct mm_input in;
	char variants[256];	/* "# variants:" header, "" when absent */
	char signature[192];	/* "# signature:" header, "" when absent */
};

/* the family named by --family / --variants; NULL (no error) if neither */
int mmd_opt_family(const struct mmd_opts *o, const struct mm_family **fam);
/* family of a variant list "A,B"; -1 after mmd_err (unknown, ambiguous) */
int mmd_family_of_variants(const char *spec, const struct mm_family **fam);
/* load a text or binary input; 0 or -1 after mmd_err */
int mmd_load(const char *path, const struct mm_family *fam_hint,
	     struct mmd_file *f);
/* parse text held in memory (for re-reading what we wrote) */
int mmd_load_text(const char *path, const char *text,
		  const struct mm_family *fam_hint, struct mmd_file *f);
/*
 * The variant set for @f: @spec (--variants) if given, else the file's
 * header, else the family default.  Returns the count or -1 after mmd_err.
 */
int mmd_pick(const struct mm_family *fam, const char *spec,
	     const struct mmd_file *f, const struct mm_variant **vars);
/* "A,B,C" */
void mmd_vars_str(const struct mm_variant *const *vars, int n, char *buf,
		  size_t len);
/* mm_text_write with header comment lines (@header may be NULL) */
char *mmd_text_render(const struct mm_family *fam, const struct mm_input *in,
		      const char *header);
/* print the readable block for a verdict, then the MMDIFF-VERDICT line */
void mmd_print_verdict(FILE *f, const struct mm_verdict *v);
/* mm_run() in a child: a sanitizer death gives a MEMORY_SAFETY verdict, not an exit */
int mmd_run_isolated(const struct mm_family *fam, const struct mm_variant *const *vars,
		     int n, const struct mm_input *in, struct mm_verdict *v, FILE *trace);

/* -- minimizer (minimize.c) ------------------------------------------- */
struct mmd_min_stats {
	int orig_ops, final_ops;
	long runs;
	bool capped;		/* stopped at the run limit */
};

#define MMD_MIN_MAX_RUNS_DEFAULT 200000L

/*
 * Shrink @in in place so that mm_run(@fam, @vars, @n) still reports
 * exactly @sig: chunk removal (ddmin), one-op removal to a fixpoint, then
 * arguments and config fields towards their lowest values, repeated until
 * nothing changes or @max_runs runs were made.  Deterministic.  Returns 0,
 * or -1 if @in does not violate with @sig to begin with.
 */
int mmd_minimize(const struct mm_family *fam,
		 const struct mm_variant *const *vars, int n,
		 struct mm_input *in, const char *sig, long max_runs,
		 struct mmd_min_stats *st);
/*
 * mmd_minimize() for a finding of the threaded mode (include/mm/threads.h)
 * on variant @v: a candidate keeps @sig when one of up to @tries threaded
 * runs reports it.  The races depend on the threads' timing, so the result
 * may differ from run to run; every step kept did report @sig.  Returns -1
 * if no run of @in reports @sig (or the build has no threaded mode).
 */
int mmd_minimize_threaded(const struct mm_family *fam, const struct mm_variant *v,
			  struct mm_input *in, const char *sig, int tries,
			  long max_runs, struct mmd_min_stats *st);
/*
 * The smallest variant set naming the pair of @sig (ref,impl or the
 * variant alone) that still reports @sig on @in; @vars/@n updated in
 * place when it does.
 */
void mmd_narrow_variants(const struct mm_family *fam,
			 const struct mm_variant **vars, int *n,
			 const struct mm_input *in, const char *sig);
/*
 * Minimize and write @out with the header comments.  Returns 0, or -1
 * after mmd_err.  @quiet: no progress line on stdout.
 */
int mmd_minimize_to_file(const struct mm_family *fam,
			 const struct mm_variant **vars, int n,
			 const struct mm_input *in, const char *sig,
			 const char *out, long max_runs, bool quiet,
			 struct mmd_min_stats *st);

/* -- campaigns (campaign.c, engine_*.c) -------------------------------- */
struct mmd_finding {
	char sig[192];
	char path[PATH_MAX];
	double after;		/* seconds since the campaign start */
	long execs;
	int orig_ops, final_ops;	/* final_ops -1: not minimized */
};

#define MMD_MAX_FINDINGS 64

struct mmd_campaign {
	/* in */
	const struct mm_family *fam;
	const char *variants;	/* NULL: family default */
	const char *engine;	/* "libfuzzer" or "afl" */
	long time, jobs, seed;
	const char *corpus;	/* lasting corpus dir (grown), NULL: none */
	const char *findings;	/* NULL: "findings" */
	bool quiet;		/* no status lines (check) */
	const char *const *known;	/* signatures not to report again */
	int nr_known;
	/* out */
	char varnames[256];	/* the variant set run */
	long total_execs;
	long cov, ft;		/* libFuzzer cov:/ft:, AFL edges_found */
	long cov0, ft0;		/* libFuzzer: at the start (INITED), -1 unknown */
	char cov_text[64];
	int seeds, corpus_in;	/* family seeds, lasting corpus inputs read */
	int corpus_before, corpus_after;	/* lasting corpus sizes */
	long corpus_added;
	double elapsed;
	int nr_findings;
	struct mmd_finding found[MMD_MAX_FINDINGS];
	int nr_harness;
};

/* 0 nothing found, 1 findings, 2 after mmd_err */
int mmd_campaign_run(struct mmd_campaign *c);
struct mmd_json;
/* the campaign's stats and findings as a JSON object (docs/json-schema.md) */
void mmd_json_campaign(struct mmd_json *j, const char *key,
		       const struct mmd_campaign *c);
/* the expect string of the variant a signature names ("clean" if none) */
const char *mmd_sig_expect(const struct mm_family *fam, const char *sig);
/*
 * --json: the human text goes to stderr; returns the fd of the real
 * stdout for the JSON document (or -1 when @json is false)
 */
int mmd_json_stdout_begin(bool json);
FILE *mmd_json_stdout_end(int fd);

/* -- lasting corpus (corpus_cmd.c) ------------------------------------- */
struct mmd_corpus_res {
	int before, after;	/* inputs in DIR */
	long added;		/* inputs added (merge) or kept (prune) */
	long ft, cov;		/* features, edges of what was added; -1 unknown */
	bool unmerged;		/* no libFuzzer build: copied as they were */
};

/*
 * Copy the inputs of directory @from that DIR and DIR/.pending lack into
 * @dir/.pending (names starting with @skip_prefix are skipped).  Returns
 * the count copied.  Unless @settled (no engine writes any more), files
 * changed in the last second or two are left for the next call.
 */
int mmd_corpus_sync(const char *from, const char *dir, const char *skip_prefix,
		    bool settled);
/*
 * Merge DIR/.pending and @srcs into @dir with libFuzzer's -merge=1 run
 * with variants @spec (NULL: family default); @prune: rebuild @dir as a
 * minimal set.  0, or -1 after mmd_err.
 */
int mmd_corpus_merge(const struct mm_family *fam, const char *spec,
		     const char *dir, const char *const *srcs, int nsrc,
		     bool prune, struct mmd_corpus_res *res);
/* coverage of @dir (and its .pending): features, edges, minimal set size */
int mmd_corpus_cov(const struct mm_family *fam, const char *spec,
		   const char *dir, long *ft, long *cov, long *files);

/* -- observables op by op (observe.c) ----------------------------------- */
struct mmd_series {
	int width;		/* values per point: the family's observables, flattened */
	int points;		/* point 0 after create, point k+1 after op k */
	long *val;		/* [points][width] */
	int viol_op;		/* op of the variant's own violation, -1 at create, -2 none */
	char inv[64];
};

/*
 * The values of a point: the family's observables flattened (arrays
 * element by element), then MMD_MACHINE_OBS values from the machine:
 * machine.pages_held and machine.budget_pages.
 */
#define MMD_MACHINE_OBS 2
int mmd_obs_width(const struct mm_family *fam);
/* name of value @col; *obs the observable index (or -1, -2: machine), *elem */
void mmd_obs_name(const struct mm_family *fam, int col, char *buf, size_t len,
		  int *obs, int *elem);
/* run @v alone on @in, observed after each op; 1 if it violated */
int mmd_observe(const struct mm_family *fam, const struct mm_variant *v,
		const struct mm_input *in, struct mmd_series *s);
void mmd_series_free(struct mmd_series *s);

/* -- subcommands ------------------------------------------------------- */
int mmd_cmd_list(int argc, char **argv);
int mmd_cmd_run(int argc, char **argv);
int mmd_cmd_minimize(int argc, char **argv);
int mmd_cmd_convert(int argc, char **argv);
int mmd_cmd_fuzz(int argc, char **argv);
int mmd_cmd_check(int argc, char **argv);
int mmd_cmd_corpus(int argc, char **argv);
int mmd_cmd_bisect(int argc, char **argv);
int mmd_cmd_plot(int argc, char **argv);
void mmd_usage(FILE *f);
#endif

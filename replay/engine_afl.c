// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AFL++ engine of `mmdiff fuzz`: afl-fuzz -i <seeds> -o <out> -V <s>
 * -s <seed> [-M m0 | -S sN] [-x <dictionary>] -- <bin> (persistent-mode
 * target), with the op-aware mutator library (AFL_CUSTOM_MUTATOR_LIBRARY).
 * AFL keeps going after a crash, so crash files are collected from
 * <out>/<name>/crashes/ while it runs; after a new signature the job is
 * stopped and resumed (AFL_AUTORESUME) so that the target rereads the
 * known signatures.  Progress comes from <out>/<name>/fuzzer_stats.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"

static void job_name(const struct camp *c, const struct mmd_worker *w,
		     char *buf, size_t len)
{
	if (c->nworkers == 1)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%s%d", w->idx ? "s" : "m", w->idx);
}

static void afl_argv(struct camp *c, struct mmd_worker *w, long seconds,
		     char **argv, int max, char *store, size_t storelen)
{
	char name[32];
	size_t at = 0;
	int n = 0;

#define ARG(...) do {							\
		argv[n++] = store + at;					\
		at += snprintf(store + at, storelen - at, __VA_ARGS__) + 1; \
	} while (0)
	job_name(c, w, name, sizeof(name));
	ARG("afl-fuzz");
	ARG("-i");
	ARG("%s", c->corpus);
	ARG("-o");
	ARG("%s/afl", c->work);
	ARG("-V");
	ARG("%ld", seconds > 0 ? seconds : 1);
	ARG("-s");
	ARG("%ld", c->pub->seed + w->idx + c->nworkers * w->restarts);
	if (c->nworkers > 1) {
		ARG(w->idx ? "-S" : "-M");
		ARG("%s", name);
	}
	if (c->dict[0]) {
		ARG("-x");
		ARG("%s", c->dict);
	}
	ARG("--");
	ARG("%s", c->bin);
	argv[n] = NULL;
#undef ARG
	(void)max;
	w->eng_run_seen = false;
}

static void afl_env(struct camp *c)
{
	setenv("AFL_SKIP_CPUFREQ", "1", 1);
	setenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", 1);
	setenv("AFL_NO_UI", "1", 1);
	setenv("AFL_AUTORESUME", "1", 1);
	setenv("AFL_SKIP_CRASHES", "1", 1);
	setenv("AFL_TRY_AFFINITY", "1", 1);
	setenv("AFL_FAST_CAL", "1", 1);
	setenv("AFL_NO_WARN_INSTABILITY", "1", 1);
	setenv("AFL_IGNORE_SEED_PROBLEMS", "1", 1);
	setenv("AFL_SUPPRESS_OUTPUT", "1", 1);
	/* the op-aware mutator (fuzz/afl/afl_mutator.c), a stage before havoc */
	if (c->mutator_so[0]) {
		setenv("AFL_CUSTOM_MUTATOR_LIBRARY", c->mutator_so, 1);
		setenv("MMDIFF_FAMILY", c->pub->fam->name, 1);
	} else {
		unsetenv("AFL_CUSTOM_MUTATOR_LIBRARY");
	}
}

static void afl_line(struct camp *c, struct mmd_worker *w, const char *line)
{
}

static void afl_poll(struct camp *c, struct mmd_worker *w)
{
	char name[32], path[PATH_MAX], dir[PATH_MAX];
	const char *dp = dir;
	size_t size;
	char *stats;
	char **files;
	int n;

	job_name(c, w, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/afl/%s/fuzzer_stats", c->work, name);
	if (!access(path, R_OK) && (stats = (char *)mmd_read_file(path, &size))) {
		long execs = camp_stat(stats, "execs_done");
		long fpid = camp_stat(stats, "fuzzer_pid");

		/*
		 * Stats of this very run only (the file of the previous run
		 * stays until AFL rewrites it).  A resumed run may restore
		 * execs_done: count from where the earlier runs ended then.
		 */
		if (execs >= 0 && fpid == (long)w->pid) {
			if (!w->eng_run_seen) {
				w->eng_run_seen = true;
				w->eng_offset = w->execs_base > 0 &&
						execs >= w->execs_base ?
						w->execs_base : 0;
			}
			w->execs_cur = execs - w->eng_offset;
			if (w->execs_cur < 0)
				w->execs_cur = 0;
		}
		long edges = camp_stat(stats, "edges_found");

		if (edges > w->cov)
			w->cov = edges;
		free(stats);
	}
	snprintf(dir, sizeof(dir), "%s/afl/%s/crashes", c->work, name);
	if (access(dir, R_OK) || mmd_expand_paths(&dp, 1, &files, &n))
		return;
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(files[i], '/') + 1;

		if (strncmp(base, "id:", 3) || camp_seen(w, files[i]))
			continue;
		if (camp_crash(c, files[i], NULL) == 1)
			w->restart_now = true;
	}
	mmd_free_paths(files, n);
}

const struct mmd_engine mmd_engine_afl = {
	.name = "afl",
	.bin_prefix = "mmdiff-afl-",
	.argv = afl_argv,
	.env = afl_env,
	.line = afl_line,
	.poll = afl_poll,
};

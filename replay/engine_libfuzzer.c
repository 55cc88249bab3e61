// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libFuzzer engine of `mmdiff fuzz`: one process per job, all sharing
 * the working corpus (libFuzzer reloads it, -reload), each with its own
 * -seed.  A run stops at its first crash and writes the crashing input to
 * -artifact_prefix; progress comes from its "#N ... cov: X ft: Y corp: Z/"
 * lines and the final "stat::number_of_executed_units".
 */
#include <stdlib.h>
#include <string.h>

#include "campaign.h"

static void lf_argv(struct camp *c, struct mmd_worker *w, long seconds,
		    char **argv, int max, char *store, size_t storelen)
{
	size_t at = 0;
	int n = 0;

#define ARG(...) do {							\
		argv[n++] = store + at;					\
		at += snprintf(store + at, storelen - at, __VA_ARGS__) + 1; \
	} while (0)
	ARG("%s", c->bin);
	ARG("-seed=%ld", c->pub->seed + w->idx + c->nworkers * w->restarts);
	ARG("-max_total_time=%ld", seconds > 0 ? seconds : 1);
	ARG("-artifact_prefix=%s/artifacts/", c->work);
	ARG("-print_final_stats=1");
	ARG("-timeout=30");
	ARG("-reload=1");
	if (c->dict[0])
		ARG("-dict=%s", c->dict);
	/*
	 * The target defines the mutation hooks, so libFuzzer's length control
	 * is off unless asked for; passed always, so that MMDIFF_LEN_CONTROL
	 * and MMDIFF_MUTATOR=bytes (libFuzzer's default 100) get what they say.
	 */
	ARG("-len_control=%ld", c->len_control);
	ARG("%s", c->corpus);
	argv[n] = NULL;
#undef ARG
	(void)max;
	{
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/artifacts", c->work);
		mmd_mkdirs(dir);
	}
}

static void lf_env(struct camp *c)
{
}

static long field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void lf_line(struct camp *c, struct mmd_worker *w, const char *line)
{
	const char *p;
	long v;

	if (line[0] == '#' && line[1] >= '0' && line[1] <= '9') {
		w->execs_cur = strtol(line + 1, NULL, 10);
		if ((v = field(line, "cov: ")) > w->cov)
			w->cov = v;
		if ((v = field(line, "ft: ")) > w->ft)
			w->ft = v;
		if ((v = field(line, "corp: ")) >= 0)
			w->corp = v;
		if (!w->have_init && strstr(line, "INITED cov: ")) {
			w->have_init = true;
			w->cov0 = field(line, "cov: ");
			w->ft0 = field(line, "ft: ");
			if (!c->pub->quiet)
				printf("mmdiff: %s job %d started from cov %ld ft %ld (%ld inputs)\n",
				       c->eng->name, w->idx, w->cov0, w->ft0,
				       strtol(line + 1, NULL, 10));
		}
	} else if ((p = strstr(line, "Test unit written to "))) {
		const char *path = p + strlen("Test unit written to ");
		const char *base = strrchr(path, '/');

		/*
		 * A slow unit (over -report_slow_units, 10 s) is written while
		 * the engine goes on: no crash, and on a loaded machine no
		 * finding either; say where it is, do not replay it as one.
		 */
		if (!strncmp(base ? base + 1 : path, "slow-unit-", 10)) {
			if (!c->pub->quiet)
				printf("mmdiff: %s job %d: a slow input (over 10 s): %s\n",
				       c->eng->name, w->idx, path);
		} else {
			snprintf(w->artifact, sizeof(w->artifact), "%s", path);
		}
	} else if (!strncmp(line, "MMDIFF-VIOLATION: ", 18)) {
		snprintf(w->engine_sig, sizeof(w->engine_sig), "%s", line + 18);
	} else if ((v = field(line, "stat::number_of_executed_units: ")) >= 0) {
		if (v > w->execs_cur)
			w->execs_cur = v;
	} else if (!strncmp(line, "Done ", 5)) {
		v = strtol(line + 5, NULL, 10);
		if (v > w->execs_cur)
			w->execs_cur = v;
	}
}

static void lf_poll(struct camp *c, struct mmd_worker *w)
{
}

const struct mmd_engine mmd_engine_libfuzzer = {
	.name = "libfuzzer",
	.bin_prefix = "mmdiff-libfuzzer-",
	.argv = lf_argv,
	.env = lf_env,
	.line = lf_line,
	.poll = lf_poll,
};

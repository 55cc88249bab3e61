/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of `mmdiff fuzz`: the campaign loop (campaign.c) drives N
 * engine processes (workers) through an engine description
 * (engine_libfuzzer.c, engine_afl.c).  Engines report progress and crash
 * files; the loop replays each crash in-process, minimizes new signatures
 * and restarts engines with the time left.
 */
#ifndef MMDIFF_CAMPAIGN_H
#define MMDIFF_CAMPAIGN_H

#include <sys/types.h>

#include "mmdiff.h"

struct camp;

struct mmd_worker {
	int idx;
	pid_t pid;		/* 0 when not running */
	int fd;			/* engine output (stdout and stderr), or -1 */
	char line[4096];
	size_t llen;
	FILE *log;		/* everything the engine printed */
	char logpath[PATH_MAX];
	long execs_base;	/* execs of this worker's finished runs */
	long execs_cur;		/* execs of the current run, as reported */
	long cov, ft, corp;
	bool have_init;		/* cov0/ft0 read from the first INITED line */
	long cov0, ft0;
	char artifact[PATH_MAX];	/* libFuzzer: announced crash file */
	char last_artifact[PATH_MAX];
	char engine_sig[192];	/* MMDIFF-VIOLATION line of the target */
	int restarts;
	bool done;		/* not to be restarted */
	bool restart_now;	/* AFL: stop it and restart (new finding) */
	double started;
	long eng_offset;	/* AFL: execs_done a resumed run started at */
	bool eng_run_seen;
	/* AFL: crash files already handled in this run */
	char **seen;
	int nseen;
};

struct mmd_engine {
	const char *name;
	/* the fuzz binary's prefix: "<dir of mmdiff>/<prefix><family>" */
	const char *bin_prefix;
	/* argv of one run of worker @w for @seconds; NULL-terminated */
	void (*argv)(struct camp *c, struct mmd_worker *w, long seconds,
		     char **argv, int max, char *store, size_t storelen);
	/* extra environment for the engine */
	void (*env)(struct camp *c);
	/* one line of the engine's output */
	void (*line)(struct camp *c, struct mmd_worker *w, const char *line);
	/* called about once a second while running (stats, crash dirs) */
	void (*poll)(struct camp *c, struct mmd_worker *w);
};

extern const struct mmd_engine mmd_engine_libfuzzer;
extern const struct mmd_engine mmd_engine_afl;

#define MMD_MAX_JOBS 64
#define MMD_MAX_KNOWN 256
/* a campaign stops after this many harness crashes: its results are moot */
#define MMD_MAX_HARNESS 5

struct camp {
	struct mmd_campaign *pub;
	const struct mmd_engine *eng;
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	int nvars;
	char varnames[256];
	char bin[PATH_MAX];
	char seeds[PATH_MAX];	/* the family's seed corpus */
	char findings[PATH_MAX];
	char work[PATH_MAX];	/* private work dir, removed at the end */
	char corpus[PATH_MAX];	/* working corpus / AFL seeds */
	char lasting[PATH_MAX];	/* --corpus DIR (absolute), "" if none */
	char dict[PATH_MAX];	/* the family's dictionary, "" if none (MMDIFF_DICT=0) */
	bool op_mutator;	/* op-aware mutation (MMDIFF_MUTATOR, default ops) */
	long len_control;	/* libFuzzer -len_control (MMDIFF_LEN_CONTROL; 0 with ops, 100 with bytes) */
	char mutator_so[PATH_MAX];	/* AFL++: the custom mutator library, "" if none */
	double next_sync;
	char known_path[PATH_MAX];
	char *known[MMD_MAX_KNOWN];
	int nknown;
	double t0, deadline;
	int nworkers;
	struct mmd_worker w[MMD_MAX_JOBS];
};

/*
 * Replay crash file @path in-process and act on it: a new signature is
 * minimized, saved and announced (returns 1); a known one is ignored
 * (returns 0); one that does not replay as a violation is a harness crash,
 * announced and kept (returns 2).
 */
int camp_crash(struct camp *c, const char *path, const char *engine_sig);
long camp_total_execs(const struct camp *c);
/* copy what the engines added to the working corpus into DIR/.pending */
void camp_sync_corpus(struct camp *c, bool settled);
/* parse "key: value" out of AFL's fuzzer_stats style text */
long camp_stat(const char *text, const char *key);
bool camp_seen(struct mmd_worker *w, const char *name);
#endif

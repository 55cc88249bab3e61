// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff fuzz: one campaign over a family (or a variant set).
 *
 * The seed corpus is replayed in-process first (violating seeds are
 * findings at once, text seeds are encoded); the rest becomes the working
 * corpus.  Then --jobs engine processes run with the time left, each with
 * its own seed; a crash is replayed in-process (the engine's own text is
 * never trusted), a new signature is minimized into
 * <findings>/<sanitized signature>.ops, added to the known-signatures file
 * (MMDIFF_KNOWN_SIGS) and the engine is restarted so that other signatures
 * can still be found.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaign.h"
#include "mutator.h"
#include "json.h"

static volatile sig_atomic_t camp_stop;

static void on_signal(int sig)
{
	camp_stop = 1;
}

long camp_total_execs(const struct camp *c)
{
	long t = 0;

	for (int i = 0; i < c->nworkers; i++)
		t += c->w[i].execs_base + c->w[i].execs_cur;
	return t;
}

long camp_stat(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, klen))
			continue;
		const char *p = l + klen;

		while (*p == ' ')
			p++;
		if (*p != ':')
			continue;
		return strtol(p + 1, NULL, 10);
	}
	return -1;
}

bool camp_seen(struct mmd_worker *w, const char *name)
{
	for (int i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], name))
			return true;
	w->seen = realloc(w->seen, (w->nseen + 1) * sizeof(*w->seen));
	if (!w->seen)
		abort();
	w->seen[w->nseen++] = strdup(name);
	return false;
}

static bool known(const struct camp *c, const char *sig)
{
	for (int i = 0; i < c->nknown; i++)
		if (mm_sig_matches(c->known[i], sig))
			return true;
	return false;
}

static void write_known(struct camp *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (int i = 0; i < c->nknown; i++)
		fprintf(f, "%s\n", c->known[i]);
	fclose(f);
	mmd_write_file(c->known_path, buf, len);
	free(buf);
}

/*
 * The violation of @in (with signature @sig) is new: save it as it is at
 * once (a campaign killed now loses nothing), say so, then minimize it into
 * the same file (written by rename: the file is never half-written).
 */
static void new_finding(struct camp *c, const struct mm_input *in,
			const char *sig, double after, long execs)
{
	struct mmd_campaign *p = c->pub;
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	struct mmd_min_stats st = { .orig_ops = in->nr_ops, .final_ops = -1 };
	char name[256], path[PATH_MAX], header[512];
	char *text;
	bool saved;

	if (c->nknown < MMD_MAX_KNOWN)
		c->known[c->nknown++] = strdup(sig);
	write_known(c);
	mmd_sanitize(sig, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.ops", c->findings, name);
	snprintf(header, sizeof(header),
		 "# signature: %s\n# variants: %s\n# found by mmdiff fuzz after %.1fs, %ld execs; not minimized yet (%d ops)\n",
		 sig, c->varnames, after, execs, in->nr_ops);
	text = mmd_text_render(p->fam, in, header);
	saved = !mmd_write_file(path, text, strlen(text));
	free(text);
	printf("MMDIFF-CONFIRMED %s: %s\n", sig, saved ? path : "(not saved)");
	fflush(stdout);
	memcpy(vars, c->vars, sizeof(vars));
	if (mmd_minimize_to_file(c->pub->fam, vars, c->nvars, in, sig, path,
				 0, true, &st)) {
		st.final_ops = -1;
		if (!saved)
			snprintf(path, sizeof(path), "(not saved)");
	}
	printf("MMDIFF-FOUND %s after %.1fs %ld execs\n", sig, after, execs);
	if (!p->quiet) {
		if (st.final_ops >= 0)
			printf("  minimized from %d to %d ops in %ld runs: %s\n",
			       st.orig_ops, st.final_ops, st.runs, path);
		else
			printf("  kept as found (%d ops, minimization failed): %s\n",
			       st.orig_ops, path);
	}
	fflush(stdout);
	if (p->nr_findings < MMD_MAX_FINDINGS) {
		struct mmd_finding *f = &p->found[p->nr_findings++];

		snprintf(f->sig, sizeof(f->sig), "%s", sig);
		snprintf(f->path, sizeof(f->path), "%s", path);
		f->after = after;
		f->execs = execs;
		f->orig_ops = st.orig_ops;
		f->final_ops = st.final_ops;
	}
}

/* remove files of the working corpus with the same bytes as @data */
static void drop_from_corpus(struct camp *c, const uint8_t *data, size_t size)
{
	const char *dir = c->corpus;
	char **paths;
	int n;

	if (mmd_expand_paths(&dir, 1, &paths, &n))
		return;
	for (int i = 0; i < n; i++) {
		size_t sz;
		uint8_t *d = mmd_read_file(paths[i], &sz);

		if (d && sz == size && !memcmp(d, data, size))
			unlink(paths[i]);
		free(d);
	}
	mmd_free_paths(paths, n);
}

int camp_crash(struct camp *c, const char *path, const char *engine_sig)
{
	struct mm_input *in = calloc(1, sizeof(*in));
	struct mm_verdict *v = calloc(1, sizeof(*v));
	double after = mmd_now() - c->t0;
	long execs = camp_total_execs(c);
	size_t size;
	uint8_t *data = mmd_read_file(path, &size);
	int ret = 0;

	if (!in || !v)
		abort();
	if (!data) {
		ret = 2;
		goto out;
	}
	/* the fuzz target decodes every byte string as binary */
	mm_decode(c->pub->fam, data, size, in);
	if (!mmd_run_isolated(c->pub->fam, c->vars, c->nvars, in, v, NULL)) {
		char copy[PATH_MAX];
		const char *base = strrchr(path, '/');

		snprintf(copy, sizeof(copy), "%s/harness-%s-%s", c->findings,
			 c->pub->fam->name, base ? base + 1 : path);
		if (mmd_write_file(copy, data, size))
			snprintf(copy, sizeof(copy), "%s", path);
		printf("MMDIFF-HARNESS-CRASH %s\n", copy);
		if (engine_sig && engine_sig[0])
			printf("  (the engine said %s; the replay says OK: nondeterministic run?)\n",
			       engine_sig);
		fflush(stdout);
		c->pub->nr_harness++;
		drop_from_corpus(c, data, size);
		ret = 2;
		goto out;
	}
	if (engine_sig && engine_sig[0] && strcmp(engine_sig, v->sig))
		printf("mmdiff: warning: the engine reported %s, the replay gives %s\n",
		       engine_sig, v->sig);
	if (!known(c, v->sig)) {
		new_finding(c, in, v->sig, after, execs);
		ret = 1;
	}
out:
	free(data);
	free(in);
	free(v);
	return ret;
}

/*
 * Replay the inputs of @dir (family seeds or the lasting corpus); copy
 * what does not violate into the working corpus as binary seeds
 * "seed-<n>".  Returns the number of inputs read.
 */
static int seed_from(struct camp *c, const char *dir, int *copied)
{
	struct stat st;
	char **paths = NULL;
	int n = 0;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode) ||
	    mmd_expand_paths(&dir, 1, &paths, &n))
		return 0;
	for (int i = 0; i < n; i++) {
		struct mmd_file *f = calloc(1, sizeof(*f));
		struct mm_verdict *v = calloc(1, sizeof(*v));

		if (!f || !v)
			abort();
		if (mmd_load(paths[i], c->pub->fam, f)) {
			printf("mmdiff: skipping seed %s\n", paths[i]);
		} else if (mmd_run_isolated(c->pub->fam, c->vars, c->nvars, &f->in, v,
				  NULL)) {
			if (!known(c, v->sig))
				new_finding(c, &f->in, v->sig, mmd_now() - c->t0, 0);
		} else {
			size_t len = mm_encoded_size(c->pub->fam, &f->in);
			uint8_t *buf = malloc(len + 1);
			char out[PATH_MAX];

			len = mm_encode(c->pub->fam, &f->in, buf, len);
			snprintf(out, sizeof(out), "%s/seed-%05d", c->corpus, *copied);
			if (!mmd_write_file(out, buf, len))
				(*copied)++;
			free(buf);
		}
		free(f);
		free(v);
	}
	mmd_free_paths(paths, n);
	return n;
}

static int prepare_corpus(struct camp *c)
{
	int copied = 0, n;

	if (mmd_mkdirs(c->corpus))
		return -1;
	n = seed_from(c, c->seeds, &copied);
	c->pub->seeds = n;
	if (c->lasting[0]) {
		char pend[PATH_MAX];

		snprintf(pend, sizeof(pend), "%s/.pending", c->lasting);
		c->pub->corpus_in = seed_from(c, c->lasting, &copied);
		c->pub->corpus_in += seed_from(c, pend, &copied);
	}
	if (!copied) {
		/* engines want at least one input: the family's simplest */
		struct mm_input *in = calloc(1, sizeof(*in));
		uint8_t buf[64];
		char out[PATH_MAX];
		size_t len;

		for (int k = 0; k < c->pub->fam->nr_cfg; k++)
			in->cfg.v[k] = c->pub->fam->cfg[k].lo;
		len = mm_encode(c->pub->fam, in, buf, sizeof(buf));
		snprintf(out, sizeof(out), "%s/seed-empty", c->corpus);
		free(in);
		if (mmd_write_file(out, buf, len ? len : 1))
			return -1;
	}
	if (!c->pub->quiet) {
		printf("mmdiff: seed corpus %s: %d inputs", c->seeds, n);
		if (c->lasting[0])
			printf("; lasting corpus %s: %d inputs", c->lasting,
			       c->pub->corpus_in);
		printf("; %d used as seeds\n", copied);
	}
	return 0;
}

void camp_sync_corpus(struct camp *c, bool settled)
{
	if (!c->lasting[0])
		return;
	if (c->eng == &mmd_engine_afl) {
		for (int i = 0; i < c->nworkers; i++) {
			char q[PATH_MAX];

			if (c->nworkers == 1)
				snprintf(q, sizeof(q), "%s/afl/default/queue", c->work);
			else
				snprintf(q, sizeof(q), "%s/afl/%s%d/queue", c->work,
					 i ? "s" : "m", i);
			mmd_corpus_sync(q, c->lasting, NULL, settled);
		}
	} else {
		mmd_corpus_sync(c->corpus, c->lasting, "seed-", settled);
	}
}

static int start_worker(struct camp *c, struct mmd_worker *w, long seconds)
{
	char *argv[32], store[8192];
	int fds[2];

	c->eng->argv(c, w, seconds, argv, 32, store, sizeof(store));
	if (pipe(fds))
		return -1;
	w->pid = fork();
	if (w->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		w->pid = 0;
		return -1;
	}
	if (!w->pid) {
		int null = open("/dev/null", O_RDONLY);

		/* a campaign killed with SIGKILL takes its engines along */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		if (chdir(c->work))
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "mmdiff: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	setpgid(w->pid, w->pid);	/* as the child does: no race on kill */
	close(fds[1]);
	w->fd = fds[0];
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
	w->llen = 0;
	w->execs_cur = 0;
	w->artifact[0] = w->engine_sig[0] = 0;
	w->restart_now = false;
	w->started = mmd_now();
	for (int i = 0; i < w->nseen; i++)
		free(w->seen[i]);
	w->nseen = 0;
	if (w->log) {
		fprintf(w->log, "== mmdiff: start (%ld s):", seconds);
		for (int i = 0; argv[i]; i++)
			fprintf(w->log, " %s", argv[i]);
		fputc('\n', w->log);
	}
	return 0;
}

static void read_output(struct camp *c, struct mmd_worker *w)
{
	char buf[4096];
	ssize_t got;

	while (w->fd >= 0 && (got = read(w->fd, buf, sizeof(buf))) != 0) {
		if (got < 0)
			return;	/* nothing more now; EOF comes as 0 */
		if (w->log)
			fwrite(buf, 1, got, w->log);
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n' || w->llen == sizeof(w->line) - 1) {
				w->line[w->llen] = 0;
				c->eng->line(c, w, w->line);
				w->llen = 0;
				if (buf[i] == '\n')
					continue;
			}
			w->line[w->llen++] = buf[i];
		}
	}
	close(w->fd);
	w->fd = -1;
}

static void worker_exited(struct camp *c, struct mmd_worker *w, int status)
{
	double left = c->deadline - mmd_now();
	bool crashed = false;

	read_output(c, w);
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	if (w->llen) {
		w->line[w->llen] = 0;
		c->eng->line(c, w, w->line);
		w->llen = 0;
	}
	c->eng->poll(c, w);	/* last stats and crash files (AFL) */
	w->pid = 0;
	w->execs_base += w->execs_cur;
	w->execs_cur = 0;
	if (w->artifact[0]) {
		int r = camp_crash(c, w->artifact, w->engine_sig);

		crashed = true;
		/* the same file crashing again and again: stop this job */
		if (r != 1 && !strcmp(w->artifact, w->last_artifact))
			w->done = true;
		snprintf(w->last_artifact, sizeof(w->last_artifact), "%s",
			 w->artifact);
	}
	if (c->pub->nr_harness >= MMD_MAX_HARNESS && !camp_stop) {
		printf("mmdiff: %d harness crashes: the harness is broken, stopping the campaign\n",
		       c->pub->nr_harness);
		camp_stop = 1;
	}
	if (camp_stop || left < 2 || w->done)
		return;
	if (!crashed && !w->restart_now) {
		printf("mmdiff: %s job %d stopped (%s %d) with %.0fs left; its output: %s\n",
		       c->eng->name, w->idx,
		       WIFEXITED(status) ? "exit status" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		       left, w->logpath);
		w->done = true;
		return;
	}
	if (++w->restarts > 500) {
		w->done = true;
		return;
	}
	if (start_worker(c, w, (long)left))
		w->done = true;
}

static void status_line(struct camp *c)
{
	double el = mmd_now() - c->t0;
	long execs = camp_total_execs(c), cov = 0, ft = 0, corp = 0;

	for (int i = 0; i < c->nworkers; i++) {
		if (c->w[i].cov > cov)
			cov = c->w[i].cov;
		if (c->w[i].ft > ft)
			ft = c->w[i].ft;
		if (c->w[i].corp > corp)
			corp = c->w[i].corp;
	}
	printf("mmdiff-fuzz: %.0fs/%lds execs %ld (%.0f/s) ", el, c->pub->time,
	       execs, el > 0 ? execs / el : 0.0);
	if (c->eng == &mmd_engine_afl)	/* AFL rewrites its stats rarely */
		printf("edges %ld", cov);
	else
		printf("cov %ld ft %ld corp %ld", cov, ft, corp);
	printf(" findings %d\n", c->pub->nr_findings);
	fflush(stdout);
}

static void stop_all(struct camp *c, int sig)
{
	for (int i = 0; i < c->nworkers; i++)
		if (c->w[i].pid > 0)
			kill(-c->w[i].pid, sig);
}

static void loop(struct camp *c)
{
	double next_status = c->t0 + 5, next_poll = 0;
	bool termed = false, killed = false;

	for (;;) {
		struct pollfd pfd[MMD_MAX_JOBS];
		int np = 0, running = 0;
		double now;

		for (int i = 0; i < c->nworkers; i++) {
			if (c->w[i].pid > 0)
				running++;
			if (c->w[i].fd >= 0) {
				pfd[np].fd = c->w[i].fd;
				pfd[np++].events = POLLIN;
			}
		}
		if (!running)
			break;
		poll(pfd, np, 250);
		for (int i = 0; i < c->nworkers; i++)
			if (c->w[i].fd >= 0)
				read_output(c, &c->w[i]);
		now = mmd_now();
		if (now >= next_poll) {
			for (int i = 0; i < c->nworkers; i++)
				if (c->w[i].pid > 0)
					c->eng->poll(c, &c->w[i]);
			next_poll = now + 1;
		}
		for (int i = 0; i < c->nworkers; i++) {
			struct mmd_worker *w = &c->w[i];
			int status;

			if (w->pid > 0 && w->restart_now && !camp_stop)
				kill(-w->pid, SIGINT);
			if (w->pid > 0 && waitpid(w->pid, &status, WNOHANG) == w->pid)
				worker_exited(c, w, status);
		}
		now = mmd_now();
		if (c->lasting[0] && now >= c->next_sync) {
			camp_sync_corpus(c, false);
			c->next_sync = now + 5;
		}
		if (!c->pub->quiet && now >= next_status) {
			status_line(c);
			next_status = now + 5;
		}
		/* engines stop themselves at the deadline; enforce it */
		if (camp_stop && !termed) {
			stop_all(c, SIGINT);
			termed = true;
			c->deadline = now + 10;
		} else if (now > c->deadline + 15 && !termed) {
			stop_all(c, SIGTERM);
			termed = true;
		} else if (now > c->deadline + 25 && !killed) {
			stop_all(c, SIGKILL);
			killed = true;
		}
	}
}

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			char p[PATH_MAX];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			rm_rf(p);
		}
		closedir(d);
	}
	remove(path);
}

static void summary(struct camp *c)
{
	struct mmd_campaign *p = c->pub;
	double el = mmd_now() - c->t0;

	printf("== mmdiff fuzz summary: family %s, engine %s, %lds, %ld job%s, seed %ld\n",
	       p->fam->name, c->eng->name, p->time, p->jobs,
	       p->jobs > 1 ? "s" : "", p->seed);
	printf("pairs:");
	if (c->nvars == 1)
		printf(" %s (alone)", c->vars[0]->name);
	for (int i = 1; i < c->nvars; i++)
		printf(" %s~%s", c->vars[i]->name, c->vars[0]->name);
	printf("\ntotal execs: %ld (%.0f/s over %.0fs)\n", p->total_execs,
	       el > 0 ? p->total_execs / el : 0.0, el);
	if (p->cov0 >= 0)
		printf("coverage: %s (at start: cov %ld ft %ld)\n", p->cov_text,
		       p->cov0, p->ft0);
	else
		printf("coverage: %s\n", p->cov_text);
	if (c->lasting[0])
		printf("corpus: %s: %d inputs read, %d -> %d after merging (%ld added)\n",
		       c->lasting, p->corpus_in, p->corpus_before,
		       p->corpus_after, p->corpus_added);
	printf("findings: %d\n", p->nr_findings);
	for (int i = 0; i < p->nr_findings; i++)
		printf("  %s after %.1fs %ld execs: %s\n", p->found[i].sig,
		       p->found[i].after, p->found[i].execs, p->found[i].path);
	printf("harness crashes: %d\n", p->nr_harness);
	fflush(stdout);
}

/*
 * Mutation: the op-aware mutator (fuzz/core/mutator.h) in the libFuzzer
 * target and, for AFL++, its custom mutator library next to mmdiff, unless
 * MMDIFF_MUTATOR=bytes; the family's dictionary (mm_dict_write) for both
 * engines unless MMDIFF_DICT=0; libFuzzer's length control as
 * MMDIFF_LEN_CONTROL says (both mutators obey its limit).  Checked before
 * the work dir exists.
 */
static int setup_mutation(struct camp *c)
{
	const char *m = getenv("MMDIFF_MUTATOR"), *d = getenv("MMDIFF_DICT");
	const char *lc = getenv("MMDIFF_LEN_CONTROL");
	char *end;

	if (m && *m && strcmp(m, "ops") && strcmp(m, "bytes")) {
		mmd_err("MMDIFF_MUTATOR=%s: ops or bytes", m);
		return -1;
	}
	if (d && *d && strcmp(d, "0") && strcmp(d, "1")) {
		mmd_err("MMDIFF_DICT=%s: 0 or 1", d);
		return -1;
	}
	c->op_mutator = !(m && !strcmp(m, "bytes"));
	/*
	 * Off for op-aware mutation: with state coverage new features come
	 * nearly every run, so the limit hardly grows and deep states are not
	 * reached (bench/detect.md); libFuzzer's default for bytes.
	 */
	c->len_control = c->op_mutator ? 0 : 100;
	if (lc && *lc) {
		c->len_control = strtol(lc, &end, 10);
		if (*end || c->len_control < 0 || c->len_control > 1000000) {
			mmd_err("MMDIFF_LEN_CONTROL=%s: a number of runs, 0 (off) to 1000000", lc);
			return -1;
		}
	}
	c->dict[0] = !(d && !strcmp(d, "0"));	/* the path comes with the work dir */
	if (c->op_mutator && c->eng == &mmd_engine_afl) {
		snprintf(c->mutator_so, sizeof(c->mutator_so),
			 "%s/mmdiff-afl-mutator.so", mmd_self_dir());
		if (access(c->mutator_so, R_OK)) {
			if (!c->pub->quiet)
				printf("mmdiff: no %s: AFL++ mutates bytes only (build it: ./build.sh build afl)\n",
				       c->mutator_so);
			c->mutator_so[0] = 0;
			c->op_mutator = false;
		}
	}
	return 0;
}

/* the family's dictionary in the work dir, for -dict= and -x */
static int write_dict(struct camp *c)
{
	FILE *f;

	if (!c->dict[0])
		return 0;
	snprintf(c->dict, sizeof(c->dict), "%s/dict", c->work);
	f = fopen(c->dict, "w");
	if (!f) {
		mmd_err("%s: %s", c->dict, strerror(errno));
		return -1;
	}
	mm_dict_write(f, c->pub->fam);
	if (fclose(f)) {
		mmd_err("%s: %s", c->dict, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(struct camp *c)
{
	struct mmd_campaign *p = c->pub;
	char tmpl[PATH_MAX];
	const char *dir = mmd_self_dir();

	if (!strcmp(p->engine, "libfuzzer"))
		c->eng = &mmd_engine_libfuzzer;
	else if (!strcmp(p->engine, "afl"))
		c->eng = &mmd_engine_afl;
	else {
		mmd_err("unknown engine '%s' (libfuzzer or afl)", p->engine);
		return -1;
	}
	if (setup_mutation(c))
		return -1;
	if (p->jobs > MMD_MAX_JOBS) {
		mmd_err("--jobs %ld: at most %d", p->jobs, MMD_MAX_JOBS);
		return -1;
	}
	c->nvars = mmd_pick(p->fam, p->variants, NULL, c->vars);
	if (c->nvars < 0)
		return -1;
	mmd_vars_str(c->vars, c->nvars, c->varnames, sizeof(c->varnames));
	snprintf(p->varnames, sizeof(p->varnames), "%s", c->varnames);
	snprintf(c->bin, sizeof(c->bin), "%s/%s%s", dir, c->eng->bin_prefix,
		 p->fam->name);
	if (access(c->bin, X_OK)) {
		mmd_err("%s: no fuzz binary for engine %s (build it: ./build.sh %s)",
			c->bin, c->eng->name,
			c->eng == &mmd_engine_afl ? "afl" : "fuzz");
		return -1;
	}
	snprintf(tmpl, sizeof(tmpl), "corpus/%s", p->fam->name);
	mmd_repo_path(tmpl, c->seeds, sizeof(c->seeds));
	/* MMDIFF_SEEDS=DIR: other seeds (an empty directory: from nothing, for benches) */
	if (getenv("MMDIFF_SEEDS") && *getenv("MMDIFF_SEEDS") &&
	    !realpath(getenv("MMDIFF_SEEDS"), c->seeds)) {
		mmd_err("MMDIFF_SEEDS=%s: %s", getenv("MMDIFF_SEEDS"), strerror(errno));
		return -1;
	}
	if (p->corpus) {
		if (mmd_mkdirs(p->corpus))
			return -1;
		if (!realpath(p->corpus, c->lasting)) {
			mmd_err("%s: %s", p->corpus, strerror(errno));
			return -1;
		}
		if (!strcmp(c->lasting, c->seeds)) {
			mmd_err("--corpus %s is the family's seed corpus: give a directory of its own (it is grown)",
				p->corpus);
			return -1;
		}
	}
	if (mmd_mkdirs(p->findings ? p->findings : "findings"))
		return -1;
	if (!realpath(p->findings ? p->findings : "findings", c->findings)) {
		mmd_err("%s: %s", p->findings, strerror(errno));
		return -1;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/.work-%s-XXXXXX", c->findings,
		 p->fam->name);
	if (!mkdtemp(tmpl)) {
		mmd_err("%s: %s", tmpl, strerror(errno));
		return -1;
	}
	snprintf(c->work, sizeof(c->work), "%s", tmpl);
	snprintf(c->corpus, sizeof(c->corpus), "%s/corpus", c->work);
	snprintf(c->known_path, sizeof(c->known_path), "%s/known-sigs",
		 c->work);
	for (int i = 0; i < p->nr_known && c->nknown < MMD_MAX_KNOWN; i++)
		c->known[c->nknown++] = strdup(p->known[i]);
	write_known(c);
	if (write_dict(c))
		return -1;
	setenv("MMDIFF_VARIANTS", c->varnames, 1);
	setenv("MMDIFF_KNOWN_SIGS", c->known_path, 1);
	c->eng->env(c);
	return 0;
}

int mmd_campaign_run(struct mmd_campaign *p)
{
	struct camp *c = calloc(1, sizeof(*c));
	struct sigaction sa = { .sa_handler = on_signal };
	bool failed = false;
	int ret = MMD_USAGE;

	if (!c)
		abort();
	c->pub = p;
	p->nr_findings = p->nr_harness = 0;
	p->total_execs = p->cov = p->ft = 0;
	c->t0 = mmd_now();
	if (setup(c))
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!p->quiet) {
		printf("mmdiff: fuzzing %s (%s) with %s for %lds, %ld job%s; work dir %s\n",
		       p->fam->name, c->varnames, c->eng->name, p->time,
		       p->jobs, p->jobs > 1 ? "s" : "", c->work);
		printf("mmdiff: mutation: %s, %s",
		       c->op_mutator ? "op-aware and the engine's own" :
				       "the engine's own (bytes)",
		       c->dict[0] ? "with the family's dictionary" : "no dictionary");
		if (c->eng != &mmd_engine_afl)
			printf(c->len_control ? ", length control %ld" : ", no length control",
			       c->len_control);
		printf("\n");
	}
	if (prepare_corpus(c))
		goto out;
	c->deadline = c->t0 + p->time;
	c->nworkers = (int)p->jobs;
	for (int i = 0; i < c->nworkers; i++) {
		struct mmd_worker *w = &c->w[i];
		long left = (long)(c->deadline - mmd_now());

		w->idx = i;
		w->fd = -1;
		snprintf(w->logpath, sizeof(w->logpath), "%s/job%d.log",
			 c->work, i);
		w->log = fopen(w->logpath, "w");
		if (left >= 1 && start_worker(c, w, left)) {
			mmd_err("cannot start %s: %s", c->bin, strerror(errno));
			goto out;
		}
	}
	loop(c);
	for (int i = 0; i < c->nworkers; i++) {
		if (c->w[i].log)
			fclose(c->w[i].log);
		if (c->w[i].done && !c->w[i].last_artifact[0])
			failed = true;
		if (c->w[i].cov > p->cov)
			p->cov = c->w[i].cov;
		if (c->w[i].ft > p->ft)
			p->ft = c->w[i].ft;
	}
	p->total_execs = camp_total_execs(c);
	p->cov0 = p->ft0 = -1;
	for (int i = 0; i < c->nworkers; i++)
		if (c->w[i].have_init && (p->cov0 < 0 || c->w[i].cov0 < p->cov0)) {
			p->cov0 = c->w[i].cov0;
			p->ft0 = c->w[i].ft0;
		}
	if (c->lasting[0]) {
		struct mmd_corpus_res r;

		camp_sync_corpus(c, true);
		if (!mmd_corpus_merge(p->fam, c->varnames, c->lasting, NULL, 0,
				      false, &r)) {
			p->corpus_before = r.before;
			p->corpus_after = r.after;
			p->corpus_added = r.added;
		} else {
			printf("mmdiff: the new inputs stay in %s/.pending (merged by the next campaign)\n",
			       c->lasting);
			failed = true;
		}
	}
	p->elapsed = mmd_now() - c->t0;
	if (c->eng == &mmd_engine_afl)
		snprintf(p->cov_text, sizeof(p->cov_text), "edges %ld", p->cov);
	else
		snprintf(p->cov_text, sizeof(p->cov_text), "cov %ld ft %ld",
			 p->cov, p->ft);
	summary(c);
	if (failed || p->nr_harness || getenv("MMDIFF_KEEP_WORK"))
		printf("work dir kept: %s\n", c->work);
	else
		rm_rf(c->work);
	ret = p->nr_findings || p->nr_harness ? MMD_VIOLATION : MMD_OK;
	if (failed && ret == MMD_OK)
		ret = MMD_USAGE;
out:
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	for (int i = 0; i < c->nknown; i++)
		free(c->known[i]);
	for (int i = 0; i < c->nworkers; i++) {
		for (int k = 0; k < c->w[i].nseen; k++)
			free(c->w[i].seen[k]);
		free(c->w[i].seen);
	}
	free(c);
	return ret;
}

const char *mmd_sig_expect(const struct mm_family *fam, const char *sig)
{
	char var[128];
	const struct mm_variant *v;

	if (mmd_sig_split(sig, NULL, 0, var, sizeof(var), NULL, 0))
		return "clean";
	var[strcspn(var, "~")] = 0;
	v = mm_variant_find(fam->name, var);
	return v && v->expect ? v->expect : "clean";
}

void mmd_json_campaign(struct mmd_json *j, const char *key,
		       const struct mmd_campaign *p)
{
	mmd_json_obj(j, key);
	mmd_json_str(j, "family", p->fam->name);
	mmd_json_str(j, "variants", p->varnames);
	mmd_json_str(j, "engine", p->engine);
	mmd_json_int(j, "time", p->time);
	mmd_json_int(j, "jobs", p->jobs);
	mmd_json_int(j, "seed", p->seed);
	mmd_json_obj(j, "stats");
	mmd_json_num(j, "elapsed", p->elapsed);
	mmd_json_int(j, "total_execs", p->total_execs);
	mmd_json_num(j, "execs_per_sec",
		     p->elapsed > 0 ? p->total_execs / p->elapsed : 0);
	mmd_json_int(j, "cov", p->cov);
	mmd_json_int(j, "ft", p->ft);
	if (p->cov0 >= 0) {
		mmd_json_int(j, "cov_start", p->cov0);
		mmd_json_int(j, "ft_start", p->ft0);
	} else {
		mmd_json_null(j, "cov_start");
		mmd_json_null(j, "ft_start");
	}
	mmd_json_int(j, "seeds", p->seeds);
	mmd_json_int(j, "harness_crashes", p->nr_harness);
	mmd_json_end(j);
	if (p->corpus) {
		mmd_json_obj(j, "corpus");
		mmd_json_str(j, "dir", p->corpus);
		mmd_json_int(j, "inputs_read", p->corpus_in);
		mmd_json_int(j, "before", p->corpus_before);
		mmd_json_int(j, "after", p->corpus_after);
		mmd_json_int(j, "added", p->corpus_added);
		mmd_json_end(j);
	} else {
		mmd_json_null(j, "corpus");
	}
	mmd_json_arr(j, "findings");
	for (int i = 0; i < p->nr_findings; i++) {
		const struct mmd_finding *f = &p->found[i];
		struct mmd_file *in = calloc(1, sizeof(*in));
		struct mm_verdict *v = calloc(1, sizeof(*v));
		const struct mm_variant *vars[MM_MAX_VARIANTS];
		int n;

		if (!in || !v)
			abort();
		mmd_json_obj(j, NULL);
		mmd_json_str(j, "signature", f->sig);
		mmd_json_str(j, "expect", mmd_sig_expect(p->fam, f->sig));
		mmd_json_str(j, "file", f->path);
		mmd_json_num(j, "after", f->after);
		mmd_json_int(j, "execs", f->execs);
		mmd_json_int(j, "orig_ops", f->orig_ops);
		mmd_json_int(j, "final_ops", f->final_ops);
		/* the saved file, replayed: what a reader of the file will see */
		if (!mmd_load(f->path, p->fam, in) &&
		    (n = mmd_pick(p->fam, NULL, in, vars)) > 0) {
			mmd_run_isolated(p->fam, vars, n, &in->in, v, NULL);
			mmd_json_verdict(j, "verdict", v);
		} else {
			mmd_json_null(j, "verdict");
		}
		mmd_json_end(j);
		free(in);
		free(v);
	}
	mmd_json_end(j);
	mmd_json_end(j);
}

int mmd_json_stdout_begin(bool json)
{
	int fd;

	if (!json)
		return -1;
	fflush(stdout);
	fd = dup(1);
	dup2(2, 1);
	return fd;
}

FILE *mmd_json_stdout_end(int fd)
{
	FILE *f;

	fflush(stdout);
	if (fd < 0)
		return stdout;
	dup2(fd, 1);
	close(fd);
	f = stdout;
	return f;
}

int mmd_cmd_fuzz(int argc, char **argv)
{
	struct mmd_opts o;
	struct mmd_campaign *p;
	const struct mm_family *fam;
	int ret, fd;

	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS |
			   MMD_O_ENGINE | MMD_O_TIME | MMD_O_JOBS |
			   MMD_O_SEED | MMD_O_CORPUS | MMD_O_FINDINGS |
			   MMD_O_JSON, &o))
		return MMD_USAGE;
	if (o.npos) {
		mmd_err("fuzz: unexpected argument '%s'", o.pos[0]);
		return MMD_USAGE;
	}
	if (!o.family && !o.variants) {
		mmd_err("fuzz: give --family F (see mmdiff list)");
		return MMD_USAGE;
	}
	if (mmd_opt_family(&o, &fam))
		return MMD_USAGE;
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->fam = fam;
	p->variants = o.variants;
	p->engine = o.engine ? o.engine : "libfuzzer";
	p->time = o.given & MMD_O_TIME ? o.time : 60;
	p->jobs = o.given & MMD_O_JOBS ? o.jobs : 1;
	p->seed = o.given & MMD_O_SEED ? o.seed : 1;
	p->corpus = o.corpus;
	p->findings = o.findings;
	fd = mmd_json_stdout_begin(o.json);
	ret = mmd_campaign_run(p);
	mmd_json_stdout_end(fd);
	/* a campaign that ran and failed still says what it did */
	if (o.json && (ret != MMD_USAGE || p->elapsed > 0)) {
		struct mmd_json j;

		mmd_json_begin(&j, stdout);
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "schema", MMD_JSON_SCHEMA);
		mmd_json_str(&j, "command", "fuzz");
		mmd_json_int(&j, "exit", ret);
		mmd_json_campaign(&j, "campaign", p);
		mmd_json_end(&j);
		mmd_json_finish(&j);
	}
	free(p);
	return ret;
}

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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaign.h"

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

/* the violation of @in (with signature @sig) is new: minimize, save, say */
static void new_finding(struct camp *c, const struct mm_input *in,
			const char *sig, double after, long execs)
{
	struct mmd_campaign *p = c->pub;
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	struct mmd_min_stats st;
	char name[256], path[PATH_MAX];

	if (c->nknown < MMD_MAX_KNOWN)
		c->known[c->nknown++] = strdup(sig);
	write_known(c);
	mmd_sanitize(sig, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.ops", c->findings, name);
	memcpy(vars, c->vars, sizeof(vars));
	if (mmd_minimize_to_file(c->pub->fam, vars, c->nvars, in, sig, path,
				 0, true, &st))
		snprintf(path, sizeof(path), "(not saved)");
	printf("MMDIFF-FOUND %s after %.1fs %ld execs\n", sig, after, execs);
	if (!p->quiet)
		printf("  minimized from %d to %d ops in %ld runs: %s\n",
		       st.orig_ops, st.final_ops, st.runs, path);
	fflush(stdout);
	if (p->nr_findings < MMD_MAX_FINDINGS) {
		struct mmd_finding *f = &p->found[p->nr_findings++];

		snprintf(f->sig, sizeof(f->sig), "%s", sig);
		snprintf(f->path, sizeof(f->path), "%s", path);
		f->after = after;
		f->execs = execs;
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
	if (!mm_run(c->pub->fam, c->vars, c->nvars, in, v, NULL)) {
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

/* replay the seed corpus; copy what does not violate as binary seeds */
static int prepare_corpus(struct camp *c)
{
	const char *dir = c->seeds;
	struct stat st;
	char **paths = NULL;
	int n = 0, copied = 0;

	if (mmd_mkdirs(c->corpus))
		return -1;
	if (!stat(c->seeds, &st) && S_ISDIR(st.st_mode) &&
	    mmd_expand_paths(&dir, 1, &paths, &n))
		return -1;
	for (int i = 0; i < n; i++) {
		struct mmd_file *f = calloc(1, sizeof(*f));
		struct mm_verdict *v = calloc(1, sizeof(*v));

		if (!f || !v)
			abort();
		if (mmd_load(paths[i], c->pub->fam, f)) {
			printf("mmdiff: skipping seed %s\n", paths[i]);
		} else if (mm_run(c->pub->fam, c->vars, c->nvars, &f->in, v,
				  NULL)) {
			if (!known(c, v->sig))
				new_finding(c, &f->in, v->sig, mmd_now() - c->t0, 0);
		} else {
			size_t len = mm_encoded_size(c->pub->fam, &f->in);
			uint8_t *buf = malloc(len + 1);
			char out[PATH_MAX];

			len = mm_encode(c->pub->fam, &f->in, buf, len);
			snprintf(out, sizeof(out), "%s/seed-%04d", c->corpus, i);
			if (!mmd_write_file(out, buf, len))
				copied++;
			free(buf);
		}
		free(f);
		free(v);
	}
	mmd_free_paths(paths, n);
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
	if (!c->pub->quiet)
		printf("mmdiff: seed corpus %s: %d inputs, %d used as seeds\n",
		       c->seeds, n, copied);
	return 0;
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
	printf("coverage: %s\n", p->cov_text);
	printf("findings: %d\n", p->nr_findings);
	for (int i = 0; i < p->nr_findings; i++)
		printf("  %s after %.1fs %ld execs: %s\n", p->found[i].sig,
		       p->found[i].after, p->found[i].execs, p->found[i].path);
	printf("harness crashes: %d\n", p->nr_harness);
	fflush(stdout);
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
	if (p->jobs > MMD_MAX_JOBS) {
		mmd_err("--jobs %ld: at most %d", p->jobs, MMD_MAX_JOBS);
		return -1;
	}
	c->nvars = mmd_pick(p->fam, p->variants, NULL, c->vars);
	if (c->nvars < 0)
		return -1;
	mmd_vars_str(c->vars, c->nvars, c->varnames, sizeof(c->varnames));
	snprintf(c->bin, sizeof(c->bin), "%s/%s%s", dir, c->eng->bin_prefix,
		 p->fam->name);
	if (access(c->bin, X_OK)) {
		mmd_err("%s: no fuzz binary for engine %s (build it: ./build.sh %s)",
			c->bin, c->eng->name,
			c->eng == &mmd_engine_afl ? "afl" : "fuzz");
		return -1;
	}
	if (p->corpus)
		snprintf(c->seeds, sizeof(c->seeds), "%s", p->corpus);
	else {
		snprintf(tmpl, sizeof(tmpl), "corpus/%s", p->fam->name);
		mmd_repo_path(tmpl, c->seeds, sizeof(c->seeds));
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
	if (!p->quiet)
		printf("mmdiff: fuzzing %s (%s) with %s for %lds, %ld job%s; work dir %s\n",
		       p->fam->name, c->varnames, c->eng->name, p->time,
		       p->jobs, p->jobs > 1 ? "s" : "", c->work);
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

int mmd_cmd_fuzz(int argc, char **argv)
{
	struct mmd_opts o;
	struct mmd_campaign *p;
	const struct mm_family *fam;
	int ret;

	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS |
			   MMD_O_ENGINE | MMD_O_TIME | MMD_O_JOBS |
			   MMD_O_SEED | MMD_O_CORPUS | MMD_O_FINDINGS, &o))
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
	ret = mmd_campaign_run(p);
	free(p);
	return ret;
}

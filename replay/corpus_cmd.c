// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lasting corpus of `mmdiff fuzz --corpus DIR` and `mmdiff corpus`.
 *
 * DIR holds binary inputs (as the fuzz targets read them), named by their
 * content.  A campaign copies what its engine adds to its working corpus
 * into DIR/.pending/ every few seconds, so a campaign killed at any moment
 * leaves what it learned on disk; at its end (or at the end of the next
 * campaign, after a kill) the pending inputs are merged into DIR with
 * libFuzzer's -merge=1: only inputs that add coverage features to what DIR
 * already holds are kept, so DIR grows with coverage, not with time.
 * `mmdiff corpus prune` rebuilds DIR as the smallest set with the same
 * features.  Coverage depends on the variants run (MMDIFF_VARIANTS): keep
 * one DIR per variant set (per pair), as the CI workflow does.
 *
 *   mmdiff corpus merge DIR SRC... --family F [--variants A,B]
 *   mmdiff corpus prune DIR --family F [--variants A,B]
 *   mmdiff corpus stats DIR --family F [--variants A,B] [--json]
 *
 * Text inputs (.ops) in DIR or SRC are encoded for the engine; text files
 * in DIR are left as they are (they are seeds someone wrote).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmdiff.h"
#include "json.h"

/* FNV-1a 64 of @data: names inputs by content */
static uint64_t fnv64(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++) {
		h ^= data[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* a libFuzzer name (40 hex digits) is kept; others get a content name */
static void content_name(const char *base, const uint8_t *data, size_t size,
			 char *buf, size_t len)
{
	size_t n = strspn(base, "0123456789abcdef");

	if (n == 40 && !base[40])
		snprintf(buf, len, "%s", base);
	else
		snprintf(buf, len, "h-%016llx",
			 (unsigned long long)fnv64(data, size));
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

int mmd_corpus_sync(const char *from, const char *dir, const char *skip_prefix,
		    bool settled)
{
	char pend[PATH_MAX], name[64], to[PATH_MAX];
	char **paths;
	int n, added = 0;

	if (!exists(from) || mmd_expand_paths(&from, 1, &paths, &n))
		return 0;
	snprintf(pend, sizeof(pend), "%s/.pending", dir);
	if (n && mmd_mkdirs(pend)) {
		mmd_free_paths(paths, n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/') + 1;
		uint8_t *data;
		size_t size;

		struct stat st;

		if (skip_prefix && !strncmp(base, skip_prefix, strlen(skip_prefix)))
			continue;
		/* an engine may be writing it (libFuzzer writes in place) */
		if (stat(paths[i], &st) || (!settled && st.st_mtime >= time(NULL) - 1))
			continue;
		/* libFuzzer names are content hashes: no need to read twice */
		if (strlen(base) == 40) {
			snprintf(to, sizeof(to), "%s/%s", pend, base);
			if (exists(to))
				continue;
			snprintf(to, sizeof(to), "%s/%s", dir, base);
			if (exists(to))
				continue;
		}
		data = mmd_read_file(paths[i], &size);
		if (!data)
			continue;
		content_name(base, data, size, name, sizeof(name));
		snprintf(to, sizeof(to), "%s/%s", dir, name);
		if (!exists(to)) {
			snprintf(to, sizeof(to), "%s/%s", pend, name);
			if (!exists(to) && !mmd_write_file(to, data, size))
				added++;
		}
		free(data);
	}
	mmd_free_paths(paths, n);
	return added;
}

/* -- running the libFuzzer binary --------------------------------------- */

static int lf_bin(const struct mm_family *fam, char *buf, size_t len)
{
	snprintf(buf, len, "%s/mmdiff-libfuzzer-%s", mmd_self_dir(), fam->name);
	return access(buf, X_OK) ? -1 : 0;
}

/* run @argv with MMDIFF_VARIANTS=@spec, output to @log; the exit status */
static int run_engine(char *const *argv, const char *spec, const char *log)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (spec)
			setenv("MMDIFF_VARIANTS", spec, 1);
		else
			unsetenv("MMDIFF_VARIANTS");
		/* a violating input is left out of the corpus */
		unsetenv("MMDIFF_KNOWN_SIGS");
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Fill directory @view with the inputs of @path (a file or a directory,
 * top level): binary files as symlinks, text files encoded.  @with_text:
 * whether text inputs take part.  Returns the count or -1.
 */
static int add_view(const struct mm_family *fam, const char *path,
		    const char *view, bool with_text)
{
	char **paths;
	int n, used = 0;

	if (!exists(path))
		return 0;
	if (mmd_expand_paths(&path, 1, &paths, &n))
		return -1;
	for (int i = 0; i < n; i++) {
		char real[PATH_MAX], to[PATH_MAX], name[64];
		const char *base = strrchr(paths[i], '/');
		size_t size;
		uint8_t *data = mmd_read_file(paths[i], &size);

		base = base ? base + 1 : paths[i];
		if (!data)
			continue;
		if (mm_is_text(data, size)) {
			struct mmd_file *f = calloc(1, sizeof(*f));

			if (!f)
				abort();
			if (with_text && !mmd_load_text(paths[i], (char *)data, fam, f)) {
				size_t len = mm_encoded_size(fam, &f->in);
				uint8_t *buf = malloc(len + 1);

				len = mm_encode(fam, &f->in, buf, len);
				content_name("", buf, len, name, sizeof(name));
				snprintf(to, sizeof(to), "%s/%s", view, name);
				if (!mmd_write_file(to, buf, len))
					used++;
				free(buf);
			}
			free(f);
		} else if (realpath(paths[i], real)) {
			content_name(base, data, size, name, sizeof(name));
			snprintf(to, sizeof(to), "%s/%s", view, name);
			if (!exists(to) && !symlink(real, to))
				used++;
		}
		free(data);
	}
	mmd_free_paths(paths, n);
	return used;
}

static void rm_tree(const char *path)
{
	char **paths;
	int n;
	const char *p = path;

	/* our temporary dirs hold files and one level of dirs only */
	if (!mmd_expand_paths(&p, 1, &paths, &n)) {
		for (int i = 0; i < n; i++)
			unlink(paths[i]);
		mmd_free_paths(paths, n);
	}
	rmdir(path);
}

static int parse_merge_outer(const char *log, long *files, long *ft, long *cov)
{
	size_t size;
	char *text = (char *)mmd_read_file(log, &size);
	const char *p, *last = NULL;

	if (!text)
		return -1;
	for (p = text; (p = strstr(p, "MERGE-OUTER: ")); p++)
		last = p;
	if (last && strstr(last, "new files with")) {
		*files = strtol(last + 13, NULL, 10);
		p = strstr(last, "with ");
		*ft = p ? strtol(p + 5, NULL, 10) : -1;
		p = strstr(last, "features added; ");
		*cov = p ? strtol(p + 16, NULL, 10) : -1;
	}
	free(text);
	return last ? 0 : -1;
}

struct lock {
	int fd;
};

static int lock_dir(const char *dir, struct lock *l)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/.lock", dir);
	l->fd = open(p, O_RDWR | O_CREAT, 0644);
	if (l->fd < 0 || flock(l->fd, LOCK_EX)) {
		mmd_err("%s: cannot lock: %s", p, strerror(errno));
		return -1;
	}
	return 0;
}

static void unlock_dir(struct lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
}

/* move the regular (not symlinked) files of @from into @dir; the count */
static int move_new(const char *from, const char *dir)
{
	char **paths;
	int n, moved = 0;

	if (mmd_expand_paths(&from, 1, &paths, &n))
		return 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		char to[PATH_MAX];

		if (lstat(paths[i], &st) || !S_ISREG(st.st_mode))
			continue;
		snprintf(to, sizeof(to), "%s/%s", dir, strrchr(paths[i], '/') + 1);
		if (!rename(paths[i], to))
			moved++;
	}
	mmd_free_paths(paths, n);
	return moved;
}

/* the binary inputs directly in @dir (what prune replaces) */
static void remove_binary(const char *dir)
{
	char **paths;
	int n;

	if (mmd_expand_paths(&dir, 1, &paths, &n))
		return;
	for (int i = 0; i < n; i++) {
		size_t size;
		uint8_t *data = mmd_read_file(paths[i], &size);

		if (data && !mm_is_text(data, size))
			unlink(paths[i]);
		free(data);
	}
	mmd_free_paths(paths, n);
}

static int count_inputs(const char *dir)
{
	char **paths;
	int n;

	if (!exists(dir) || mmd_expand_paths(&dir, 1, &paths, &n))
		return 0;
	mmd_free_paths(paths, n);
	return n;
}

int mmd_corpus_merge(const struct mm_family *fam, const char *spec,
		     const char *dir, const char *const *srcs, int nsrc,
		     bool prune, struct mmd_corpus_res *res)
{
	char bin[PATH_MAX], tmp[PATH_MAX], base[PATH_MAX], src[PATH_MAX];
	char out[PATH_MAX], ctl[PATH_MAX], log[PATH_MAX], pend[PATH_MAX];
	char a_ctl[PATH_MAX + 32];
	struct lock lk = { -1 };
	int ret = -1, rc;

	memset(res, 0, sizeof(*res));
	res->ft = res->cov = -1;
	if (mmd_mkdirs(dir) || lock_dir(dir, &lk))
		return -1;
	snprintf(pend, sizeof(pend), "%s/.pending", dir);
	res->before = count_inputs(dir);
	if (lf_bin(fam, bin, sizeof(bin))) {
		/* no libFuzzer build (AFL only): keep everything */
		for (int i = 0; i < nsrc; i++)
			mmd_corpus_sync(srcs[i], dir, NULL, true);
		res->added = move_new(pend, dir);
		rmdir(pend);
		res->after = count_inputs(dir);
		res->unmerged = true;
		ret = 0;
		goto out_unlock;
	}
	snprintf(tmp, sizeof(tmp), "%s/.merge-XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		mmd_err("%s: %s", tmp, strerror(errno));
		goto out_unlock;
	}
	snprintf(base, sizeof(base), "%s/base", tmp);
	snprintf(src, sizeof(src), "%s/src", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(ctl, sizeof(ctl), "%s/control", tmp);
	snprintf(log, sizeof(log), "%s/merge.log", tmp);
	if (mkdir(base, 0755) || mkdir(src, 0755) || mkdir(out, 0755)) {
		mmd_err("%s: %s", tmp, strerror(errno));
		goto out_rm;
	}
	if (add_view(fam, dir, base, false) < 0 || add_view(fam, pend, src, true) < 0)
		goto out_rm;
	for (int i = 0; i < nsrc; i++)
		if (add_view(fam, srcs[i], src, true) < 0)
			goto out_rm;
	snprintf(a_ctl, sizeof(a_ctl), "-merge_control_file=%s", ctl);
	{
		char *argv[] = { bin, "-merge=1", a_ctl, "-timeout=30",
				 prune ? out : base, prune ? base : src,
				 prune ? src : NULL, NULL };

		rc = run_engine(argv, spec, log);
	}
	if (rc || parse_merge_outer(log, &res->added, &res->ft, &res->cov)) {
		mmd_err("corpus merge into %s failed (libFuzzer exit %d); log kept: %s",
			dir, rc, log);
		ret = -1;
		goto out_unlock;	/* keep tmp for the log, and .pending */
	}
	if (prune) {
		remove_binary(dir);
		res->added = move_new(out, dir);
	} else {
		res->added = move_new(base, dir);
	}
	rm_tree(pend);
	res->after = count_inputs(dir);
	ret = 0;
out_rm:
	rm_tree(base);
	rm_tree(src);
	rm_tree(out);
	unlink(ctl);
	unlink(log);
	rmdir(tmp);
out_unlock:
	unlock_dir(&lk);
	return ret;
}

int mmd_corpus_cov(const struct mm_family *fam, const char *spec,
		   const char *dir, long *ft, long *cov, long *files)
{
	char bin[PATH_MAX], tmp[PATH_MAX], view[PATH_MAX], out[PATH_MAX];
	char ctl[PATH_MAX], log[PATH_MAX], a_ctl[PATH_MAX + 32], pend[PATH_MAX];
	int ret = -1, rc;

	*ft = *cov = *files = -1;
	if (lf_bin(fam, bin, sizeof(bin)))
		return -1;
	snprintf(tmp, sizeof(tmp), "/tmp/mmdiff-cov-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(view, sizeof(view), "%s/view", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(ctl, sizeof(ctl), "%s/control", tmp);
	snprintf(log, sizeof(log), "%s/merge.log", tmp);
	snprintf(pend, sizeof(pend), "%s/.pending", dir);
	snprintf(a_ctl, sizeof(a_ctl), "-merge_control_file=%s", ctl);
	if (mkdir(view, 0755) || mkdir(out, 0755) ||
	    add_view(fam, dir, view, true) < 0 || add_view(fam, pend, view, true) < 0)
		goto out;
	{
		char *argv[] = { bin, "-merge=1", a_ctl, "-timeout=30", out,
				 view, NULL };

		rc = run_engine(argv, spec, log);
	}
	if (!rc && !parse_merge_outer(log, files, ft, cov))
		ret = 0;
out:
	rm_tree(view);
	rm_tree(out);
	unlink(ctl);
	unlink(log);
	rmdir(tmp);
	return ret;
}

/* -- mmdiff corpus ------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int corpus_stats(const struct mm_family *fam, const char *spec,
			const char *dir, bool json)
{
	char pend[PATH_MAX];
	const char *dirs[2] = { dir, pend };
	int *ops = NULL, nops = 0, ntext = 0, npend = 0, nfiles = 0;
	long bytes = 0, ft, cov, files;
	bool have_cov;

	snprintf(pend, sizeof(pend), "%s/.pending", dir);
	for (int d = 0; d < 2; d++) {
		char **paths;
		int n;

		if (!exists(dirs[d]) || mmd_expand_paths(&dirs[d], 1, &paths, &n))
			continue;
		ops = realloc(ops, (nops + n + 1) * sizeof(*ops));
		if (!ops)
			abort();
		for (int i = 0; i < n; i++) {
			struct mmd_file *f = calloc(1, sizeof(*f));
			size_t size;
			uint8_t *data = mmd_read_file(paths[i], &size);

			if (!f)
				abort();
			if (data) {
				bytes += size;
				nfiles++;
				npend += d;
				if (mm_is_text(data, size)) {
					ntext++;
					if (!mmd_load_text(paths[i], (char *)data, fam, f))
						ops[nops++] = f->in.nr_ops;
				} else {
					mm_decode(fam, data, size, &f->in);
					ops[nops++] = f->in.nr_ops;
				}
			}
			free(data);
			free(f);
		}
		mmd_free_paths(paths, n);
	}
	if (ops && nops)
		qsort(ops, nops, sizeof(*ops), cmp_int);
	have_cov = !mmd_corpus_cov(fam, spec, dir, &ft, &cov, &files);
	if (json) {
		struct mmd_json j;

		mmd_json_begin(&j, stdout);
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "schema", MMD_JSON_SCHEMA);
		mmd_json_str(&j, "command", "corpus stats");
		mmd_json_str(&j, "family", fam->name);
		mmd_json_str(&j, "variants", spec ? spec : "");
		mmd_json_str(&j, "dir", dir);
		mmd_json_int(&j, "inputs", nfiles);
		mmd_json_int(&j, "pending", npend);
		mmd_json_int(&j, "text", ntext);
		mmd_json_int(&j, "bytes", bytes);
		mmd_json_int(&j, "ops_median", nops ? ops[nops / 2] : 0);
		mmd_json_int(&j, "ops_max", nops ? ops[nops - 1] : 0);
		if (have_cov) {
			mmd_json_int(&j, "cov", cov);
			mmd_json_int(&j, "ft", ft);
			mmd_json_int(&j, "minimal_inputs", files);
		} else {
			mmd_json_null(&j, "cov");
			mmd_json_null(&j, "ft");
			mmd_json_null(&j, "minimal_inputs");
		}
		mmd_json_end(&j);
		mmd_json_finish(&j);
	} else {
		printf("corpus %s (family %s, variants %s)\n", dir, fam->name,
		       spec ? spec : "default");
		printf("  inputs:   %d (%d pending merge, %d text), %ld bytes\n",
		       nfiles, npend, ntext, bytes);
		printf("  ops:      median %d, max %d\n", nops ? ops[nops / 2] : 0,
		       nops ? ops[nops - 1] : 0);
		if (have_cov)
			printf("  coverage: cov %ld ft %ld (edges, features; a minimal set would keep %ld inputs)\n",
			       cov, ft, files);
		else
			printf("  coverage: - (no libFuzzer build: ./build.sh build fuzz)\n");
	}
	free(ops);
	return MMD_OK;
}

int mmd_cmd_corpus(int argc, char **argv)
{
	struct mmd_opts o;
	const struct mm_family *fam;
	struct mmd_corpus_res r;
	const char *sub;
	char err[256];
	const struct mm_variant *vars[MM_MAX_VARIANTS];

	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS |
			   MMD_O_JSON, &o))
		return MMD_USAGE;
	if (o.npos < 2 || (strcmp(o.pos[0], "merge") && strcmp(o.pos[0], "prune") &&
			   strcmp(o.pos[0], "stats"))) {
		mmd_err("corpus: usage: mmdiff corpus merge DIR SRC... | prune DIR | stats DIR, with --family F [--variants A,B]");
		return MMD_USAGE;
	}
	sub = o.pos[0];
	if ((strcmp(sub, "merge") && o.npos != 2) || (!strcmp(sub, "merge") && o.npos < 3)) {
		mmd_err("corpus %s: wrong number of arguments", sub);
		return MMD_USAGE;
	}
	if (!o.family && !o.variants) {
		mmd_err("corpus: give --family F (the corpus holds binary inputs)");
		return MMD_USAGE;
	}
	if (mmd_opt_family(&o, &fam))
		return MMD_USAGE;
	if (o.variants && mm_pick_variants(fam, o.variants, vars, MM_MAX_VARIANTS,
					   err, sizeof(err)) <= 0) {
		mmd_err("--variants %s: %s", o.variants, err);
		return MMD_USAGE;
	}
	if (!strcmp(sub, "stats")) {
		if (!exists(o.pos[1])) {
			mmd_err("%s: %s", o.pos[1], strerror(ENOENT));
			return MMD_USAGE;
		}
		return corpus_stats(fam, o.variants, o.pos[1], o.json);
	}
	for (int i = 2; i < o.npos; i++)
		if (!exists(o.pos[i])) {
			mmd_err("%s: %s", o.pos[i], strerror(ENOENT));
			return MMD_USAGE;
		}
	if (mmd_corpus_merge(fam, o.variants, o.pos[1], o.pos + 2, o.npos - 2,
			     !strcmp(sub, "prune"), &r))
		return MMD_USAGE;
	printf("corpus %s: %s: %d inputs before, %d after (%ld %s)%s\n",
	       o.pos[1], sub, r.before, r.after, r.added,
	       !strcmp(sub, "prune") ? "kept" : "added",
	       r.unmerged ? "; no libFuzzer build: copied without merging" : "");
	if (r.cov >= 0)
		printf("  coverage of what was %s: cov %ld ft %ld\n",
		       !strcmp(sub, "prune") ? "kept" : "added", r.cov, r.ft);
	return MMD_OK;
}

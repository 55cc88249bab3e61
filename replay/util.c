// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers of the mmdiff command: errors, files, paths, signatures. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmdiff.h"

char mmd_last_err[512];

void mmd_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vsnprintf(mmd_last_err, sizeof(mmd_last_err), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mmdiff: %s\n", mmd_last_err);
}

uint8_t *mmd_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		mmd_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096 + 1) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);

		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		mmd_err("%s: read error", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = 0;
	*size = len;
	return buf;
}

int mmd_write_file(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		mmd_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f)) {
		mmd_err("%s: write error", path);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		mmd_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(char ***v, int *n, int *cap, const char *s)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			abort();
	}
	(*v)[(*n)++] = strdup(s);
}

/*
 * A DIR stands for its regular files in strcmp order; hidden files and
 * README* are skipped (notes kept beside corpora are not inputs).
 */
int mmd_expand_paths(const char *const *args, int nargs, char ***out,
		     int *nout)
{
	char **v = NULL;
	int n = 0, cap = 0;

	for (int i = 0; i < nargs; i++) {
		struct stat st;

		if (stat(args[i], &st)) {
			mmd_err("%s: %s", args[i], strerror(errno));
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			push(&v, &n, &cap, args[i]);
			continue;
		}
		DIR *d = opendir(args[i]);
		struct dirent *e;
		int first = n;

		if (!d) {
			mmd_err("%s: %s", args[i], strerror(errno));
			goto fail;
		}
		while ((e = readdir(d))) {
			char p[PATH_MAX];

			if (e->d_name[0] == '.' ||
			    !strncmp(e->d_name, "README", 6))
				continue;
			snprintf(p, sizeof(p), "%s/%s", args[i], e->d_name);
			if (stat(p, &st) || !S_ISREG(st.st_mode))
				continue;
			push(&v, &n, &cap, p);
		}
		closedir(d);
		if (n > first)
			qsort(v + first, n - first, sizeof(*v), cmp_str);
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	mmd_free_paths(v, n);
	return -1;
}

void mmd_free_paths(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int mmd_mkdirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = 0;
			struct stat st;

			if (mkdir(p, 0777) &&
			    (stat(p, &st) || !S_ISDIR(st.st_mode))) {
				mmd_err("%s: %s", p, strerror(errno));
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	return 0;
}

const char *mmd_self_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t len;

	if (dir[0])
		return dir;
	len = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (len <= 0) {
		snprintf(dir, sizeof(dir), ".");
		return dir;
	}
	dir[len] = 0;
	char *slash = strrchr(dir, '/');

	if (slash && slash != dir)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), "/");
	return dir;
}

void mmd_repo_path(const char *sub, char *buf, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/../../%s", mmd_self_dir(), sub);
	if (!realpath(p, buf) || strlen(buf) >= len)
		snprintf(buf, len, "%s", p);
}

double mmd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void mmd_sanitize(const char *sig, char *buf, size_t len)
{
	size_t i = 0;

	for (; *sig && i + 1 < len; sig++, i++) {
		char c = *sig;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '~'))
			c = '_';
		buf[i] = c;
	}
	buf[i] = 0;
}

static int copy_part(char *dst, size_t dlen, const char *s, size_t n)
{
	if (!dst)
		return 0;
	if (n + 1 > dlen)
		return -1;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int mmd_sig_split(const char *sig, char *fam, size_t flen, char *var,
		  size_t vlen, char *inv, size_t ilen)
{
	const char *a = strchr(sig, '/');
	const char *b = a ? strchr(a + 1, '/') : NULL;

	if (!a || !b || a == sig || b == a + 1 || !b[1] || strchr(b + 1, '/'))
		return -1;
	if (copy_part(fam, flen, sig, a - sig) ||
	    copy_part(var, vlen, a + 1, b - a - 1) ||
	    copy_part(inv, ilen, b + 1, strlen(b + 1)))
		return -1;
	return 0;
}

/*
 * mm_run() in a child process: a sanitizer report (a port touching freed
 * memory) ends the child only, and its MEMORY_SAFETY@<function> verdict
 * comes back like any other.  The trace is written by the child.
 */
/* the cov flavor's profile runtime; absent (NULL) in the other flavors */
int __llvm_profile_write_file(void) __attribute__((weak));

int mmd_run_isolated(const struct mm_family *fam, const struct mm_variant *const *vars,
		     int n, const struct mm_input *in, struct mm_verdict *v, FILE *trace)
{
	static char buf[sizeof(struct mm_verdict) + 512];
	size_t got = 0;
	int fds[2];
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds))
		return mm_run(fam, vars, n, in, v, trace);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return mm_run(fam, vars, n, in, v, trace);
	}
	if (pid == 0) {
		FILE *out = fdopen(fds[1], "w");
		int r;

		close(fds[0]);
		if (!trace) {
			/* the sanitizer's own report is for -v (a trace) only */
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, 2);
		}
		mm_report_sanitizer_deaths(out, "\001", false);
		r = mm_run(fam, vars, n, in, v, trace);
		if (trace)
			fflush(trace);
		fputc('\002', out);
		fwrite(v, sizeof(*v), 1, out);
		fflush(out);
		/* _exit() skips the atexit hook that writes the coverage profile */
		if (__llvm_profile_write_file)
			__llvm_profile_write_file();
		_exit(r);
	}
	close(fds[1]);
	for (;;) {
		ssize_t k = read(fds[0], buf + got, sizeof(buf) - got);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fds[0]);
	waitpid(pid, NULL, 0);
	if (got == 1 + sizeof(*v) && buf[0] == '\002') {
		memcpy(v, buf + 1, sizeof(*v));
		return v->violated;
	}
	memset(v, 0, sizeof(*v));
	v->violated = true;
	v->op_index = in->nr_ops;	/* unknown: somewhere in the input */
	if (got > 1 && buf[0] == '\001') {
		const char *at;

		const char *tab = strchr(buf + 1, '\t');
		char fam_name[64];

		snprintf(v->sig, sizeof(v->sig), "%.*s", (int)strcspn(buf + 1, "\t\n"), buf + 1);
		snprintf(v->inv, sizeof(v->inv), "MEMORY_SAFETY");
		at = strchr(v->sig, '@');
		snprintf(v->where, sizeof(v->where), "%s", at ? at + 1 : "?");
		{
			char inv[64];

			mmd_sig_split(v->sig, fam_name, sizeof(fam_name), v->variant,
				      sizeof(v->variant), inv, sizeof(inv));
		}
		if (tab && atoi(tab + 1) >= 0 && atoi(tab + 1) <= in->nr_ops) {
			v->op_index = atoi(tab + 1);
			if (v->op_index < in->nr_ops)
				mm_op_format(fam, &in->ops[v->op_index], v->op_text,
					     sizeof(v->op_text));
			else
				snprintf(v->op_text, sizeof(v->op_text), "settle (end of input)");
		}
		snprintf(v->detail, sizeof(v->detail),
			 "a sanitizer report: mmdiff run -v shows it and the ops up to it");
	} else {
		snprintf(v->sig, sizeof(v->sig), "%s/harness/HARNESS@child", fam->name);
		snprintf(v->inv, sizeof(v->inv), "HARNESS");
		snprintf(v->detail, sizeof(v->detail), "the run's process died without a verdict");
	}
	return 1;
}

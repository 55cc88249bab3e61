// SPDX-License-Identifier: GPL-2.0-only
/*
 * Corpus-level tests, for every family in the registry:
 *  - regression: each corpus/regress/NAME.ops still fails with its recorded
 *    "# signature:" on its "# variants:", and passes for every clean
 *    implementation of the same reference;
 *  - seeds: each corpus/<family>/NAME.ops passes on the reference with all its
 *    clean implementations;
 *  - self-differential smoke: every variant against itself on random
 *    inputs never reports a differential relation, and a clean variant
 *    reports nothing at all.
 */
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "input.h"
#include "test.h"

#ifndef MM_SOURCE_DIR
#define MM_SOURCE_DIR "."
#endif

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		n = 0;
	fclose(f);
	return buf;
}

static bool header(const char *text, const char *key, char *out, size_t len)
{
	const char *p = strstr(text, key);

	if (!p)
		return false;
	p += strlen(key);
	while (*p == ' ')
		p++;
	snprintf(out, len, "%.*s", (int)strcspn(p, "\r\n "), p);
	return true;
}

static bool is_clean(const struct mm_variant *v)
{
	return !strncmp(v->expect, "clean", 5);
}

static struct mm_input in;

static int run_spec(const struct mm_family *f, const char *spec, struct mm_verdict *v)
{
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	char err[256];
	int n = mm_pick_variants(f, spec, vars, MM_MAX_VARIANTS, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "variants %s: %s\n", spec, err);
		return -1;
	}
	return mm_run(f, vars, n, &in, v, NULL);
}

/* run_spec() in a child whose sanitizer death prints the signature */
static void run_spec_forked(const struct mm_family *f, const char *spec, struct mm_verdict *v)
{
	static const char prefix[] = "MMDIFF-VERDICT: ";
	char buf[256] = "";
	int fds[2];
	ssize_t n;
	pid_t pid;

	memset(v, 0, sizeof(*v));
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		FILE *out = fdopen(fds[1], "w");

		close(fds[0]);
		mm_report_sanitizer_deaths(out, prefix, false);
		if (run_spec(f, spec, v) == 1)
			fprintf(out, "%s%s\n", prefix, v->sig);
		else
			fprintf(out, "%sOK\n", prefix);
		fflush(out);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, NULL, 0);
	if (!strncmp(buf, prefix, sizeof(prefix) - 1)) {
		v->violated = strncmp(buf + sizeof(prefix) - 1, "OK", 2) != 0;
		snprintf(v->sig, sizeof(v->sig), "%.*s", (int)strcspn(buf + sizeof(prefix) - 1, "\n"),
			 buf + sizeof(prefix) - 1);
	}
}

static int regress_file(const char *path)
{
	char *text = slurp(path), err[256], sig[192], spec[192];
	const struct mm_family *f;
	const struct mm_variant *ref, *v;
	struct mm_verdict verdict;
	int checked = 0;

	CHECK(text != NULL);
	if (!text)
		return 0;
	CHECK(header(text, "# signature:", sig, sizeof(sig)));
	CHECK(header(text, "# variants:", spec, sizeof(spec)));
	if (mm_text_parse(text, NULL, &f, &in, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		CHECK(!"regress file parses");
		free(text);
		return 0;
	}
	if (strstr(sig, "/MEMORY_SAFETY@")) {
		/* the sanitizer ends the process: run it in a child */
		run_spec_forked(f, spec, &verdict);
	} else {
		CHECK_EQ(run_spec(f, spec, &verdict), 1);
	}
	if (strcmp(verdict.sig, sig)) {
		fprintf(stderr, "%s: expected %s, got %s\n", path, sig,
			verdict.violated ? verdict.sig : "OK");
		CHECK(!"regress signature");
	}
	/* the clean revisions of the same reference pass it */
	ref = mm_variant_find(f->name, strtok(spec, ","));
	for (int i = 0; ref && (v = mm_variant_at(i)); i++) {
		char pair[160];

		if (strcmp(v->family, f->name) || !v->reference ||
		    strcmp(v->reference, ref->name) || !is_clean(v))
			continue;
		/* against its reference, or alone when the reference has the bug */
		if (is_clean(ref))
			snprintf(pair, sizeof(pair), "%s,%s", ref->name, v->name);
		else
			snprintf(pair, sizeof(pair), "%s", v->name);
		run_spec(f, pair, &verdict);
		if (verdict.violated)
			fprintf(stderr, "%s: clean %s fails: %s\n", path, pair, verdict.sig);
		CHECK(!verdict.violated);
		checked++;
	}
	free(text);
	return checked;
}

static void for_each_ops(const char *dir, void (*fn)(const char *path))
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);

		if (l > 4 && !strcmp(names[i]->d_name + l - 4, ".ops")) {
			char path[512];

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			fn(path);
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
}

static int nr_regress, nr_seeds;

static void do_regress(const char *path)
{
	nr_regress++;
	regress_file(path);
}

/* a seed passes on its reference with every clean implementation */
static void do_seed(const char *path)
{
	char *text = slurp(path), err[256];
	const struct mm_family *f;
	const struct mm_variant *ref = NULL, *v;
	struct mm_verdict verdict;

	nr_seeds++;
	if (!text || mm_text_parse(text, NULL, &f, &in, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, text ? err : "unreadable");
		CHECK(!"seed parses");
		free(text);
		return;
	}
	for (int i = 0; (v = mm_variant_at(i)); i++) {
		char pair[160];

		if (strcmp(v->family, f->name))
			continue;
		if (!v->reference) {
			ref = v;
			snprintf(pair, sizeof(pair), "%s,%s", v->name, v->name);
		} else if (ref && !strcmp(v->reference, ref->name) && is_clean(v)) {
			snprintf(pair, sizeof(pair), "%s,%s", ref->name, v->name);
		} else {
			continue;
		}
		run_spec(f, pair, &verdict);
		if (verdict.violated)
			fprintf(stderr, "%s: %s: %s at op %d\n", path, pair, verdict.sig,
				verdict.op_index);
		CHECK(!verdict.violated);
	}
	free(text);
}

static uint32_t rs = 2463534242u;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

static void selfdiff(int iters)
{
	const struct mm_variant *v;
	static uint8_t buf[1024];

	for (int i = 0; (v = mm_variant_at(i)); i++) {
		const struct mm_family *f = mm_family_find(v->family);
		const struct mm_variant *vars[2] = { v, v };
		int fired = 0;

		if (!f)
			continue;
		for (int it = 0; it < iters; it++) {
			struct mm_verdict verdict;
			size_t n = rnd() % sizeof(buf);

			for (size_t k = 0; k < n; k++)
				buf[k] = (uint8_t)rnd();
			mm_decode(f, buf, n, &in);
			if (!mm_run(f, vars, 2, &in, &verdict, NULL))
				continue;
			fired++;
			if (strchr(verdict.sig, '~') || is_clean(v)) {
				fprintf(stderr, "self-differential %s/%s: %s at op %d (%s): %s\n",
					f->name, v->name, verdict.sig, verdict.op_index,
					verdict.op_text, verdict.detail);
				CHECK(!"self-differential run silent");
				{
					/* kept for `mmdiff run -v` */
					char name[128];
					FILE *o;

					snprintf(name, sizeof(name), "selfdiff-%s-%s.ops", f->name, v->name);
					o = fopen(name, "w");
					if (o) {
						mm_text_write(o, f, &in);
						fclose(o);
						fprintf(stderr, "input kept in %s\n", name);
					}
				}
				break;
			}
		}
		fprintf(stderr, "selfdiff %s/%s: %d inputs, %d own violations\n",
			f->name, v->name, iters, fired);
	}
}

int main(int argc, char **argv)
{
	const struct mm_family *f;
	int iters = argc > 1 ? atoi(argv[1]) : 400;

	for_each_ops(MM_SOURCE_DIR "/corpus/regress", do_regress);
	for (int i = 0; (f = mm_family_at(i)); i++) {
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/corpus/%s", MM_SOURCE_DIR, f->name);
		for_each_ops(dir, do_seed);
	}
	fprintf(stderr, "regress files %d, seed files %d\n", nr_regress, nr_seeds);
	CHECK(mm_variant_at(0) != NULL);	/* a tree with no port tests nothing */
	CHECK(nr_seeds > 0);
	selfdiff(iters);
	return test_done("test_corpus");
}

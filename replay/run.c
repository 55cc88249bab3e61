// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff run [--family F] [--variants A,B] [-v] FILE|DIR...
 * Replays each input; the last line printed for each is
 * "MMDIFF-VERDICT: OK" or "MMDIFF-VERDICT: <signature>".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmdiff.h"
#include "json.h"

static void print_indented(FILE *f, const char *label, const char *text)
{
	const char *l = text;

	if (!*text) {
		fprintf(f, "  %-10s -\n", label);
		return;
	}
	fprintf(f, "  %s\n", label);
	while (*l) {
		size_t n = strcspn(l, "\n");

		fprintf(f, "    %.*s\n", (int)n, l);
		l += n;
		if (*l)
			l++;
	}
}

void mmd_print_verdict(FILE *f, const struct mm_verdict *v)
{
	if (!v->violated) {
		if (v->notes)
			fprintf(f, "notes: %lu soft events logged\n", v->notes);
		fprintf(f, "MMDIFF-VERDICT: OK\n");
		return;
	}
	fprintf(f, "VIOLATION %s\n", v->sig);
	if (v->op_index < 0)
		fprintf(f, "  %-10s at create (before the first op)\n", "op:");
	else
		fprintf(f, "  %-10s #%d %s\n", "op:", v->op_index, v->op_text);
	fprintf(f, "  %-10s %s\n", "variant:", v->variant);
	fprintf(f, "  %-10s %s\n", "invariant:", v->inv);
	fprintf(f, "  %-10s %s\n", "where:", v->where[0] ? v->where : "-");
	if (strchr(v->detail, '\n'))
		print_indented(f, "details:", v->detail);
	else
		fprintf(f, "  %-10s %s\n", "details:",
			v->detail[0] ? v->detail : "-");
	if (v->notes)
		fprintf(f, "  %-10s %lu soft events logged\n", "notes:",
			v->notes);
	print_indented(f, "state:", v->state);
	fprintf(f, "MMDIFF-VERDICT: %s\n", v->sig);
}

/* 0 OK, 1 violated, 2 bad input; @j: the JSON array of inputs, or NULL */
static int run_one(const char *path, const struct mm_family *fam_opt,
		   const struct mmd_opts *o, bool header, struct mmd_json *j)
{
	struct mmd_file *f = calloc(1, sizeof(*f));
	struct mm_verdict *v = calloc(1, sizeof(*v));
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	char names[256];
	int n, ret = MMD_USAGE;

	if (!f || !v)
		abort();
	mmd_last_err[0] = 0;
	if (mmd_load(path, fam_opt, f))
		goto bad;
	n = mmd_pick(f->fam, o->variants, f, vars);
	if (n < 0)
		goto bad;
	mmd_vars_str(vars, n, names, sizeof(names));
	if (header)
		printf("== %s (%s, %d ops, variants %s)\n", path, f->fam->name,
		       f->in.nr_ops, names);
	fflush(stdout);
	ret = mmd_run_isolated(f->fam, vars, n, &f->in, v, o->verbose ? stdout : NULL);
	fflush(stdout);
	mmd_print_verdict(stdout, v);
	fflush(stdout);
	ret = ret ? MMD_VIOLATION : MMD_OK;
	if (j) {
		mmd_json_obj(j, NULL);
		mmd_json_str(j, "file", path);
		mmd_json_str(j, "family", f->fam->name);
		mmd_json_str(j, "variants", names);
		mmd_json_int(j, "ops", f->in.nr_ops);
		mmd_json_str(j, "header_signature", f->signature);
		mmd_json_verdict(j, "verdict", v);
		mmd_json_end(j);
	}
	goto out;
bad:
	if (j) {
		mmd_json_obj(j, NULL);
		mmd_json_str(j, "file", path);
		mmd_json_null(j, "verdict");
		mmd_json_str(j, "error", mmd_last_err);
		mmd_json_end(j);
	}
out:
	free(f);
	free(v);
	return ret;
}

int mmd_cmd_run(int argc, char **argv)
{
	struct mmd_opts o;
	const struct mm_family *fam;
	struct mmd_json j;
	char **paths;
	int npaths, worst = MMD_OK, nviol = 0, nbad = 0, fd;

	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--threads"))
			return mmd_cmd_run_threads(argc, argv);	/* threads_cmd.c */
	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS |
			   MMD_O_VERBOSE | MMD_O_JSON, &o))
		return MMD_USAGE;
	if (!o.npos) {
		mmd_err("run: no input given (mmdiff run [--family F] [--variants A,B] [-v] FILE|DIR...)");
		return MMD_USAGE;
	}
	if (mmd_opt_family(&o, &fam))
		return MMD_USAGE;
	if (mmd_expand_paths(o.pos, o.npos, &paths, &npaths))
		return MMD_USAGE;
	fd = mmd_json_stdout_begin(o.json);
	if (o.json) {
		/* the document is written as it goes, to the real stdout */
		FILE *jf = fdopen(dup(fd), "w");

		mmd_json_begin(&j, jf);
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "schema", MMD_JSON_SCHEMA);
		mmd_json_str(&j, "command", "run");
		mmd_json_arr(&j, "inputs");
	}
	for (int i = 0; i < npaths; i++) {
		int r = run_one(paths[i], fam, &o, true, o.json ? &j : NULL);

		if (r == MMD_VIOLATION)
			nviol++;
		if (r == MMD_USAGE)
			nbad++;
		if (r > worst)
			worst = r;
	}
	if (npaths > 1)
		printf("== %d inputs: %d violated, %d ok, %d bad\n", npaths,
		       nviol, npaths - nviol - nbad, nbad);
	if (!npaths)
		printf("== no inputs\n");
	if (o.json) {
		mmd_json_end(&j);
		mmd_json_obj(&j, "summary");
		mmd_json_int(&j, "inputs", npaths);
		mmd_json_int(&j, "violated", nviol);
		mmd_json_int(&j, "ok", npaths - nviol - nbad);
		mmd_json_int(&j, "bad", nbad);
		mmd_json_end(&j);
		mmd_json_int(&j, "exit", worst);
		mmd_json_end(&j);
		mmd_json_finish(&j);
		fclose(j.f);
	}
	mmd_json_stdout_end(fd);
	mmd_free_paths(paths, npaths);
	return worst;
}

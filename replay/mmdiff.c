// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff: replay, minimize, convert and fuzz differential inputs
 * (DESIGN.md section 8).  This file dispatches the subcommands and holds
 * the small ones (help, list).
 */
#include <string.h>

#include "mmdiff.h"

void mmd_usage(FILE *f)
{
	fputs(
"usage: mmdiff <command> [options]\n"
"  list                                   families and variants\n"
"  run [--family F] [--variants A,B] [-v] FILE|DIR...\n"
"                                         replay inputs; last line of each:\n"
"                                         MMDIFF-VERDICT: OK | <signature>\n"
"  minimize FILE -o OUT [--variants A,B] [--family F] [--max-runs N]\n"
"                                         shrink a violating input, same signature\n"
"  convert FILE -o OUT [--family F]       binary <-> text (.ops)\n"
"  fuzz --family F [--variants A,B] [--engine libfuzzer|afl] [--time S]\n"
"       [--jobs N] [--seed N] [--corpus DIR] [--findings DIR]\n"
"                                         a fuzzing campaign\n"
"  check --variant V [--time S]           regression check of a revision\n"
"  help                                   this text\n"
"Binary inputs need --family (or --variants, whose names give the family).\n"
"Exit status: 0 no violation, 1 violation found, 2 bad usage or input.\n",
	      f);
}

static int col_width(int col)
{
	const struct mm_variant *v;
	int w = 0;

	for (int i = 0; (v = mm_variant_at(i)); i++) {
		const char *s = col == 0 ? v->family : col == 1 ? v->name :
				col == 3 ? (v->expect ? v->expect : "clean") :
				v->reference ? v->reference : "-";
		int l = (int)strlen(s);

		if (l > w)
			w = l;
	}
	return w;
}

int mmd_cmd_list(int argc, char **argv)
{
	const struct mm_variant *v;
	const struct mm_family *fam;
	struct mmd_opts o;
	int wf, wn, wr, we;

	if (mmd_parse_opts(argc, argv, 0, &o))
		return MMD_USAGE;
	if (o.npos) {
		mmd_err("list: unexpected argument '%s'", o.pos[0]);
		return MMD_USAGE;
	}
	wf = col_width(0) > 6 ? col_width(0) : 6;
	wn = col_width(1) > 7 ? col_width(1) : 7;
	wr = col_width(2) > 9 ? col_width(2) : 9;
	/* long "buggy: ..." texts are not padded to: models follow them */
	we = col_width(3) > 12 ? 12 : col_width(3) > 6 ? col_width(3) : 6;
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", wf, "family", wn, "variant",
	       wr, "reference", we, "expect", "models");
	/* grouped by family, in registry order within each */
	for (int fi = 0; (fam = mm_family_at(fi)); fi++)
		for (int i = 0; (v = mm_variant_at(i)); i++)
			if (!strcmp(v->family, fam->name))
				printf("%-*s  %-*s  %-*s  %-*s  %s\n", wf,
				       v->family, wn, v->name, wr,
				       v->reference ? v->reference : "-", we,
				       v->expect ? v->expect : "clean",
				       v->models ? v->models : "-");
	return MMD_OK;
}

struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcmd subcmds[] = {
	{ "list", mmd_cmd_list },
	{ "run", mmd_cmd_run },
	{ "minimize", mmd_cmd_minimize },
	{ "convert", mmd_cmd_convert },
	{ "fuzz", mmd_cmd_fuzz },
	{ "check", mmd_cmd_check },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mm_report_sanitizer_deaths(stdout, "MMDIFF-VERDICT: ");
	if (argc < 2) {
		mmd_usage(stderr);
		return MMD_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		mmd_usage(stdout);
		return MMD_OK;
	}
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].fn(argc - 2, argv + 2);
	mmd_err("unknown command '%s'", argv[1]);
	mmd_usage(stderr);
	return MMD_USAGE;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff: replay, minimize, convert and fuzz differential inputs
 * This file dispatches the subcommands and holds help.
 */
#include <string.h>

#include "mmdiff.h"

void mmd_usage(FILE *f)
{
	fputs(
"usage: mmdiff <command> [options]\n"
"  list [--ops F | --invariants F | --dict F] [--json]\n"
"                                         families and variants; a family's ops, invariants\n"
"                                         or fuzzing dictionary\n"
"  run [--family F] [--variants A,B] [-v] [--json] FILE|DIR...\n"
"                                         replay inputs; last line of each:\n"
"                                         MMDIFF-VERDICT: OK | <signature>\n"
"  minimize FILE -o OUT [--variants A,B] [--family F] [--max-runs N]\n"
"                                         shrink a violating input, same signature\n"
"  convert FILE -o OUT [--family F]       binary <-> text (.ops)\n"
"  fuzz --family F [--variants A,B] [--engine libfuzzer|afl] [--time S]\n"
"       [--jobs N] [--seed N] [--corpus DIR] [--findings DIR] [--json]\n"
"                                         a fuzzing campaign; --corpus DIR: a lasting\n"
"                                         corpus, read at the start and grown (merged);\n"
"                                         op-aware mutation and the family's dictionary\n"
"                                         (MMDIFF_MUTATOR=bytes, MMDIFF_DICT=0: not)\n"
"  corpus merge DIR SRC... | prune DIR | stats DIR  --family F [--variants A,B] [--json]\n"
"                                         maintain a lasting corpus (libFuzzer -merge=1)\n"
"  check --variant V [--base B] [--time S] [--corpus DIR] [--json]\n"
"                                         regression check of a revision: base (its\n"
"                                         reference, or B) against it, robot tables\n"
"  check --kernel-src DIR --patch P [--patch Q ...] [--time S]\n"
"                                         a git format-patch series against the tree's\n"
"                                         own mm/percpu.c: each revision fuzzed against\n"
"                                         the base and the revision before\n"
"  bisect FILE --variants A,B,C,... [--json]\n"
"                                         the first revision of an ordered list that\n"
"                                         shows FILE's signature\n"
"  plot FILE [-o OUT.svg] [--variants A,B]\n"
"                                         SVG of the observables op by op, every\n"
"                                         variant side by side, the violation marked\n"
"  help                                   this text\n"
"Binary inputs need --family (or --variants, whose names give the family).\n"
"--json: one JSON document on stdout, the rest on stderr (docs/json-schema.md).\n"
"Exit status: 0 no violation, 1 violation found, 2 bad usage or input.\n",
	      f);
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
	{ "corpus", mmd_cmd_corpus },
	{ "bisect", mmd_cmd_bisect },
	{ "plot", mmd_cmd_plot },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mm_report_sanitizer_deaths(stdout, "MMDIFF-VERDICT: ", false);
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

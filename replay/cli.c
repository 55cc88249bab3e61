// SPDX-License-Identifier: GPL-2.0-only
/*
 * Option parsing for the mmdiff subcommands: "--opt VALUE", "--opt=VALUE"
 * and "-o VALUE", anywhere among the positional arguments; "--" ends the
 * options.  Each subcommand says which options it accepts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

enum { T_STR, T_NUM, T_FLAG };

struct optdef {
	const char *name;	/* long name, without "--" */
	char shortname;
	unsigned int bit;
	int type;
	long min;
};

static const struct optdef optdefs[] = {
	{ "family", 0, MMD_O_FAMILY, T_STR, 0 },
	{ "variants", 0, MMD_O_VARIANTS, T_STR, 0 },
	{ "variant", 0, MMD_O_VARIANT, T_STR, 0 },
	{ "verbose", 'v', MMD_O_VERBOSE, T_FLAG, 0 },
	{ "output", 'o', MMD_O_OUT, T_STR, 0 },
	{ "engine", 0, MMD_O_ENGINE, T_STR, 0 },
	{ "time", 0, MMD_O_TIME, T_NUM, 0 },
	{ "jobs", 0, MMD_O_JOBS, T_NUM, 1 },
	{ "seed", 0, MMD_O_SEED, T_NUM, 0 },
	{ "corpus", 0, MMD_O_CORPUS, T_STR, 0 },
	{ "findings", 0, MMD_O_FINDINGS, T_STR, 0 },
	{ "max-runs", 0, MMD_O_MAX_RUNS, T_NUM, 1 },
	{ "ops", 0, MMD_O_OPS, T_STR, 0 },
	{ "invariants", 0, MMD_O_INVARIANTS, T_STR, 0 },
	{ "json", 0, MMD_O_JSON, T_FLAG, 0 },
	{ "base", 0, MMD_O_BASE, T_STR, 0 },
	{ "dict", 0, MMD_O_DICT, T_STR, 0 },
};

static const struct optdef *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++)
		if (strlen(optdefs[i].name) == len &&
		    !strncmp(optdefs[i].name, name, len))
			return &optdefs[i];
	return NULL;
}

static const struct optdef *find_short(char c)
{
	for (size_t i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++)
		if (optdefs[i].shortname == c)
			return &optdefs[i];
	return NULL;
}

static int store(struct mmd_opts *o, const struct optdef *d, const char *val)
{
	const char **s = NULL;
	long *n = NULL;

	switch (d->bit) {
	case MMD_O_FAMILY: s = &o->family; break;
	case MMD_O_VARIANTS: s = &o->variants; break;
	case MMD_O_VARIANT: s = &o->variant; break;
	case MMD_O_OUT: s = &o->out; break;
	case MMD_O_ENGINE: s = &o->engine; break;
	case MMD_O_CORPUS: s = &o->corpus; break;
	case MMD_O_FINDINGS: s = &o->findings; break;
	case MMD_O_OPS: s = &o->ops; break;
	case MMD_O_INVARIANTS: s = &o->invariants; break;
	case MMD_O_TIME: n = &o->time; break;
	case MMD_O_JOBS: n = &o->jobs; break;
	case MMD_O_SEED: n = &o->seed; break;
	case MMD_O_MAX_RUNS: n = &o->max_runs; break;
	case MMD_O_BASE: s = &o->base; break;
	case MMD_O_DICT: s = &o->dict; break;
	case MMD_O_VERBOSE: o->verbose = true; break;
	case MMD_O_JSON: o->json = true; break;
	}
	if (o->given & d->bit && d->type != T_FLAG) {
		mmd_err("option --%s given twice", d->name);
		return -1;
	}
	o->given |= d->bit;
	if (s) {
		if (!*val) {
			mmd_err("option --%s needs a non-empty value", d->name);
			return -1;
		}
		*s = val;
	}
	if (n) {
		char *end;

		errno = 0;
		*n = strtol(val, &end, 10);
		if (errno || end == val || *end || *n < d->min) {
			mmd_err("option --%s: bad number '%s' (want an integer >= %ld)",
				d->name, val, d->min);
			return -1;
		}
	}
	return 0;
}

int mmd_parse_opts(int argc, char **argv, unsigned int allowed,
		   struct mmd_opts *o)
{
	bool opts_done = false;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct optdef *d = NULL;
		const char *val = NULL;

		if (opts_done || a[0] != '-' || !a[1]) {
			if (o->npos == MMD_MAX_POS) {
				mmd_err("too many arguments");
				return -1;
			}
			o->pos[o->npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			d = find_long(a + 2, len);
			if (eq)
				val = eq + 1;
		} else if (!a[2]) {
			d = find_short(a[1]);
		}
		if (!d || !(allowed & d->bit)) {
			mmd_err("unknown option %s (see mmdiff help)", a);
			return -1;
		}
		if (d->type == T_FLAG) {
			if (val) {
				mmd_err("option --%s takes no value", d->name);
				return -1;
			}
		} else if (!val) {
			if (i + 1 >= argc) {
				mmd_err("option %s needs a value", a);
				return -1;
			}
			val = argv[++i];
		}
		if (store(o, d, val))
			return -1;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff list: families and variants; with --ops F or --invariants F, the
 * family's declared operation language or invariant table, printed from
 * the same tables the decoder and the checkers use (the docs are checked
 * against this output).
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"
#include "json.h"
#include "mutator.h"

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

static void list_variants(void)
{
	const struct mm_variant *v;
	const struct mm_family *fam;
	int wf, wn, wr, we;

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
}

/* "name=lo..hi" or "name=a|b|c" */
static void print_arg(const struct mm_argdesc *a)
{
	printf("    %-14s ", a->name);
	if (a->enums) {
		for (uint32_t v = a->lo; v <= a->hi; v++)
			printf("%s%s", v > a->lo ? "|" : "", a->enums[v - a->lo]);
	} else {
		printf("%u..%u", a->lo, a->hi);
	}
	printf("  %s\n", a->help ? a->help : "");
}

static void list_ops(const struct mm_family *fam)
{
	printf("family %s: %s\n\nconfig (first line of a reproducer: config name=value ...)\n",
	       fam->name, fam->help ? fam->help : "");
	for (int i = 0; i < fam->nr_cfg; i++)
		print_arg(&fam->cfg[i]);
	printf("\nops (slot name: meaning; then its arguments)\n");
	for (int s = 0; s < MM_OP_SLOTS; s++) {
		const struct mm_opdesc *d = &fam->ops[s];

		if (!d->name)
			continue;
		printf("%2d %s: %s\n", s, d->name, d->help);
		for (int a = 0; a < d->nr_args; a++)
			print_arg(&d->args[a]);
	}
	printf("\nobservables (exported by every variant after each op)\n");
	for (int i = 0; i < fam->nr_obs; i++)
		printf("    %-20s %s\n", fam->obs[i].name, fam->obs[i].help);
}

static void print_invs(const struct mm_invdesc *d)
{
	for (; d->id; d++)
		printf("%-26s %s%s%s%s\n", d->id, d->help, d->aliases && *d->aliases ?
		       " (formerly " : "", d->aliases ? d->aliases : "",
		       d->aliases && *d->aliases ? ")" : "");
}

static void list_invariants(const struct mm_family *fam)
{
	printf("family %s: invariants of its variants and relations between them\n", fam->name);
	print_invs(fam->invariants);
	printf("\nmachine (every family): locks, contexts, loops, memory safety\n");
	print_invs(mm_machine_invariants);
}

static void json_arg(struct mmd_json *j, const struct mm_argdesc *a)
{
	mmd_json_obj(j, NULL);
	mmd_json_str(j, "name", a->name);
	mmd_json_int(j, "lo", a->lo);
	mmd_json_int(j, "hi", a->hi);
	if (a->enums) {
		mmd_json_arr(j, "enums");
		for (uint32_t v = a->lo; v <= a->hi; v++)
			mmd_json_str(j, NULL, a->enums[v - a->lo]);
		mmd_json_end(j);
	}
	mmd_json_str(j, "help", a->help ? a->help : "");
	mmd_json_end(j);
}

static void json_invs(struct mmd_json *j, const char *key,
		      const struct mm_invdesc *d)
{
	mmd_json_arr(j, key);
	for (; d->id; d++) {
		mmd_json_obj(j, NULL);
		mmd_json_str(j, "id", d->id);
		mmd_json_str(j, "aliases", d->aliases ? d->aliases : "");
		mmd_json_str(j, "help", d->help);
		mmd_json_end(j);
	}
	mmd_json_end(j);
}

/* every family (or @only), its variants, pairs, and with @detail its tables */
static void list_json(const struct mm_family *only, bool ops, bool invs)
{
	const struct mm_family *fam;
	const struct mm_variant *v;
	struct mmd_json j;

	mmd_json_begin(&j, stdout);
	mmd_json_obj(&j, NULL);
	mmd_json_str(&j, "schema", MMD_JSON_SCHEMA);
	mmd_json_str(&j, "command", "list");
	mmd_json_arr(&j, "families");
	for (int fi = 0; (fam = mm_family_at(fi)); fi++) {
		if (only && fam != only)
			continue;
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "name", fam->name);
		mmd_json_str(&j, "help", fam->help ? fam->help : "");
		mmd_json_arr(&j, "variants");
		for (int i = 0; (v = mm_variant_at(i)); i++) {
			if (strcmp(v->family, fam->name))
				continue;
			mmd_json_obj(&j, NULL);
			mmd_json_str(&j, "name", v->name);
			if (v->reference)
				mmd_json_str(&j, "reference", v->reference);
			else
				mmd_json_null(&j, "reference");
			mmd_json_str(&j, "expect", v->expect ? v->expect : "clean");
			mmd_json_bool(&j, "clean", !v->expect || !strcmp(v->expect, "clean"));
			mmd_json_str(&j, "models", v->models ? v->models : "");
			mmd_json_end(&j);
		}
		mmd_json_end(&j);
		/* what `mmdiff fuzz --variants` takes: reference,implementation */
		mmd_json_arr(&j, "pairs");
		for (int i = 0; (v = mm_variant_at(i)); i++)
			if (!strcmp(v->family, fam->name) && v->reference) {
				char spec[160];

				snprintf(spec, sizeof(spec), "%s,%s", v->reference, v->name);
				mmd_json_str(&j, NULL, spec);
			}
		mmd_json_end(&j);
		if (ops) {
			mmd_json_arr(&j, "config");
			for (int i = 0; i < fam->nr_cfg; i++)
				json_arg(&j, &fam->cfg[i]);
			mmd_json_end(&j);
			mmd_json_arr(&j, "ops");
			for (int s = 0; s < MM_OP_SLOTS; s++) {
				const struct mm_opdesc *d = &fam->ops[s];

				if (!d->name)
					continue;
				mmd_json_obj(&j, NULL);
				mmd_json_int(&j, "slot", s);
				mmd_json_str(&j, "name", d->name);
				mmd_json_str(&j, "help", d->help);
				mmd_json_arr(&j, "args");
				for (int a = 0; a < d->nr_args; a++)
					json_arg(&j, &d->args[a]);
				mmd_json_end(&j);
				mmd_json_end(&j);
			}
			mmd_json_end(&j);
			mmd_json_arr(&j, "observables");
			for (int i = 0; i < fam->nr_obs; i++) {
				mmd_json_obj(&j, NULL);
				mmd_json_str(&j, "name", fam->obs[i].name);
				mmd_json_int(&j, "count", fam->obs[i].count);
				mmd_json_str(&j, "help", fam->obs[i].help);
				mmd_json_end(&j);
			}
			mmd_json_end(&j);
		}
		if (invs) {
			json_invs(&j, "invariants", fam->invariants);
			json_invs(&j, "machine_invariants", mm_machine_invariants);
		}
		mmd_json_end(&j);
	}
	mmd_json_end(&j);
	mmd_json_end(&j);
	mmd_json_finish(&j);
}

/*
 * A libFuzzer / AFL++ dictionary of the family's binary form (mutator.h):
 * every op's opcode byte and whole encoding, so that mutations insert
 * whole ops.
 */
static void list_dict(const struct mm_family *fam)
{
	mm_dict_write(stdout, fam);
}

int mmd_cmd_list(int argc, char **argv)
{
	const struct mm_family *fam = NULL;
	const char *name;
	struct mmd_opts o;

	if (mmd_parse_opts(argc, argv, MMD_O_OPS | MMD_O_INVARIANTS |
			   MMD_O_JSON | MMD_O_DICT, &o))
		return MMD_USAGE;
	if (o.npos) {
		mmd_err("list: unexpected argument '%s'", o.pos[0]);
		return MMD_USAGE;
	}
	if (!!o.ops + !!o.invariants + !!o.dict > 1) {
		mmd_err("list: --ops, --invariants and --dict are exclusive");
		return MMD_USAGE;
	}
	name = o.ops ? o.ops : o.invariants ? o.invariants : o.dict;
	if (name && !(fam = mm_family_find(name))) {
		mmd_err("list: no family '%s'", name);
		return MMD_USAGE;
	}
	if (o.dict)
		list_dict(fam);
	else if (o.json)
		list_json(fam, !!o.ops, !!o.invariants);
	else if (o.ops)
		list_ops(fam);
	else if (o.invariants)
		list_invariants(fam);
	else
		list_variants();
	return MMD_OK;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff bisect FILE --variants A,B,C,... [--json]
 * Which revision broke it: replays the reproducer FILE on each revision of
 * an ordered list (each implementation against its reference, a reference
 * alone) and names the first that shows FILE's signature: the same
 * invariant or relation at the same place, whatever variant the
 * signature's variant part names (so "percpu/rfc3/X@f" is shown by
 * rfc3-fix as "percpu/rfc3-fix/X@f").  The signature is FILE's
 * "# signature:" header, else what the last revision of the list reports.
 * Every revision is replayed (each run is cheap), so a list that is not
 * ordered good..bad shows up as such.  Exit 1 when a revision shows it, 0
 * when none does, 2 on bad usage or input.
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"
#include "json.h"

#define MAX_REVS 64

struct rev {
	const struct mm_variant *v;
	const struct mm_variant *set[MM_MAX_VARIANTS];
	int n;
	bool shows;
	char got[192];
};

/* the set a revision runs in: its reference and itself, or itself */
static int rev_set(const struct mm_family *fam, struct rev *r)
{
	char spec[160], err[256];

	if (r->v->reference)
		snprintf(spec, sizeof(spec), "%s,%s", r->v->reference, r->v->name);
	else
		snprintf(spec, sizeof(spec), "%s", r->v->name);
	r->n = mm_pick_variants(fam, spec, r->set, MM_MAX_VARIANTS, err, sizeof(err));
	if (r->n <= 0) {
		mmd_err("bisect: %s: %s", r->v->name, err);
		return -1;
	}
	return 0;
}

/*
 * Does @got (a verdict's signature, from revision @v's run) show @want?
 * @want with its variant part replaced by what @got names, then matched
 * with mm_sig_matches (which accepts the older forms).
 */
static bool shows(const char *want, const char *got)
{
	char fam[64], var[128], pattern[256];
	const char *rest = strchr(want, '/');

	rest = rest ? strchr(rest + 1, '/') : NULL;
	if (!rest || mmd_sig_split(got, fam, sizeof(fam), var, sizeof(var), NULL, 0))
		return false;
	snprintf(pattern, sizeof(pattern), "%s/%s%s", fam, var, rest);
	return mm_sig_matches(pattern, got);
}

int mmd_cmd_bisect(int argc, char **argv)
{
	struct mmd_opts o;
	struct mmd_file *f;
	struct mm_verdict *v;
	struct rev *revs;
	char want[192], buf[256], *tok, *save = NULL;
	int nrev = 0, first = -1, ret = MMD_USAGE, changes = 0;

	if (mmd_parse_opts(argc, argv, MMD_O_VARIANTS | MMD_O_FAMILY |
			   MMD_O_JSON, &o))
		return MMD_USAGE;
	if (o.npos != 1 || !o.variants) {
		mmd_err("bisect: usage: mmdiff bisect FILE --variants A,B,C,... (revisions, oldest first)");
		return MMD_USAGE;
	}
	f = calloc(1, sizeof(*f));
	v = calloc(1, sizeof(*v));
	revs = calloc(MAX_REVS, sizeof(*revs));
	if (!f || !v || !revs)
		abort();
	{
		const struct mm_family *fam = NULL;

		if (mmd_opt_family(&o, &fam) || !fam)
			goto out;
		if (mmd_load(o.pos[0], fam, f))
			goto out;
		if (f->fam != fam) {
			mmd_err("bisect: %s is a %s input, the revisions are %s's",
				o.pos[0], f->fam->name, fam->name);
			goto out;
		}
	}
	snprintf(buf, sizeof(buf), "%s", o.variants);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nrev == MAX_REVS) {
			mmd_err("bisect: at most %d revisions", MAX_REVS);
			goto out;
		}
		revs[nrev].v = mm_variant_find(f->fam->name, tok);
		if (!revs[nrev].v) {
			mmd_err("bisect: no variant '%s' in family %s", tok, f->fam->name);
			goto out;
		}
		if (rev_set(f->fam, &revs[nrev]))
			goto out;
		nrev++;
	}
	for (int i = 0; i < nrev; i++) {
		if (mmd_run_isolated(f->fam, revs[i].set, revs[i].n, &f->in, v, NULL))
			snprintf(revs[i].got, sizeof(revs[i].got), "%s", v->sig);
		else
			snprintf(revs[i].got, sizeof(revs[i].got), "OK");
	}
	if (f->signature[0])
		snprintf(want, sizeof(want), "%s", f->signature);
	else if (strcmp(revs[nrev - 1].got, "OK"))
		snprintf(want, sizeof(want), "%s", revs[nrev - 1].got);
	else {
		mmd_err("bisect: %s has no '# signature:' header and %s does not violate on it: nothing to look for",
			o.pos[0], revs[nrev - 1].v->name);
		goto out;
	}
	int fd = mmd_json_stdout_begin(o.json);

	printf("bisect %s: %s over %d revisions\n", o.pos[0], want, nrev);
	for (int i = 0; i < nrev; i++) {
		revs[i].shows = strcmp(revs[i].got, "OK") && shows(want, revs[i].got);
		if (revs[i].shows && first < 0)
			first = i;
		if (i && revs[i].shows != revs[i - 1].shows)
			changes++;
		printf("  %-16s %-5s %s\n", revs[i].v->name,
		       revs[i].shows ? "BAD" : "good", revs[i].got);
	}
	if (first >= 0)
		printf("first revision showing it: %s\n", revs[first].v->name);
	else
		printf("no revision shows it\n");
	for (int i = first + 1; first >= 0 && i < nrev; i++)
		if (!revs[i].shows) {
			printf("first revision after it without it: %s%s\n",
			       revs[i].v->name, changes > 2 ?
			       " (and it comes back later: see the list)" : "");
			break;
		}
	ret = first >= 0 ? MMD_VIOLATION : MMD_OK;
	mmd_json_stdout_end(fd);
	if (o.json) {
		struct mmd_json j;

		mmd_json_begin(&j, stdout);
		mmd_json_obj(&j, NULL);
		mmd_json_str(&j, "schema", MMD_JSON_SCHEMA);
		mmd_json_str(&j, "command", "bisect");
		mmd_json_str(&j, "file", o.pos[0]);
		mmd_json_str(&j, "signature", want);
		mmd_json_arr(&j, "revisions");
		for (int i = 0; i < nrev; i++) {
			mmd_json_obj(&j, NULL);
			mmd_json_str(&j, "variant", revs[i].v->name);
			mmd_json_bool(&j, "shows", revs[i].shows);
			mmd_json_str(&j, "verdict", revs[i].got);
			mmd_json_end(&j);
		}
		mmd_json_end(&j);
		if (first >= 0)
			mmd_json_str(&j, "first", revs[first].v->name);
		else
			mmd_json_null(&j, "first");
		mmd_json_int(&j, "changes", changes);
		mmd_json_int(&j, "exit", ret);
		mmd_json_end(&j);
		mmd_json_finish(&j);
	}
out:
	free(f);
	free(v);
	free(revs);
	return ret;
}

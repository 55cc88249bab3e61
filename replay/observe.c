// SPDX-License-Identifier: GPL-2.0-only
/*
 * A variant's declared observables (family->obs), op by op: what
 * `mmdiff plot` draws and `mmdiff check` compares.  Each variant runs
 * alone on its own machine (as in mm_run, where the variants of a set never
 * share state), observed after create and after every op until the input
 * ends or the variant hits a violation; the values at the violation are
 * read as the unwound state left them.
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

int mmd_obs_width(const struct mm_family *fam)
{
	int w = MMD_MACHINE_OBS;

	for (int i = 0; i < fam->nr_obs; i++)
		w += fam->obs[i].count;
	return w;
}

void mmd_obs_name(const struct mm_family *fam, int col, char *buf, size_t len,
		  int *obs, int *elem)
{
	int at = 0;

	for (int i = 0; i < fam->nr_obs; i++) {
		const struct mm_obsdesc *d = &fam->obs[i];

		if (col < at + d->count) {
			if (d->count > 1)
				snprintf(buf, len, "%s[%d]", d->name, col - at);
			else
				snprintf(buf, len, "%s", d->name);
			*obs = i;
			*elem = col - at;
			return;
		}
		at += d->count;
	}
	*obs = -1 - (col - at);
	*elem = 0;
	snprintf(buf, len, "%s", col - at == 0 ? "machine.pages_held" :
		 "machine.budget_pages");
}

int mmd_observe(const struct mm_family *fam, const struct mm_variant *v,
		const struct mm_input *in, struct mmd_series *s)
{
	static struct mm_instance inst;
	long obs[MM_MAX_OBS_BYTES / sizeof(long)];
	struct mm_opres res;
	int w = mmd_obs_width(fam), r;

	memset(s, 0, sizeof(*s));
	s->width = w;
	s->viol_op = -2;
	s->val = calloc((size_t)(in->nr_ops + 1) * (w ? w : 1), sizeof(long));
	if (!s->val)
		abort();
	r = mm_instance_create(&inst, fam, v, &in->cfg);
	if (r) {
		s->viol_op = -1;
		snprintf(s->inv, sizeof(s->inv), "%s", inst.m.inv);
		mm_instance_destroy(&inst);
		mm_cur = NULL;
		return 1;
	}
	for (int k = -1; k < in->nr_ops; k++) {
		long *row = s->val + (size_t)(k + 1) * w;

		if (k >= 0) {
			if (k == in->nr_ops - 1)
				mm_instance_last_op(&inst);	/* a full check, as mm_run() */
			r = mm_instance_exec(&inst, &in->ops[k], &res);
			if (r) {
				s->viol_op = k;
				snprintf(s->inv, sizeof(s->inv), "%s", inst.m.inv);
				/* the state the violation left: read it once */
				inst.dead = false;
			}
		}
		mm_instance_observe(&inst, obs);
		int at = 0;

		for (int i = 0; i < fam->nr_obs; i++)
			for (int e = 0; e < fam->obs[i].count; e++)
				row[at++] = mm_obs_value(obs, &fam->obs[i], e);
		/* the machine's own books, the same for every family */
		row[at++] = mm_machine_pages_held(&inst.m);
		row[at++] = inst.m.budget_pages;
		s->points = k + 2;
		if (r || inst.dead)
			break;
	}
	mm_instance_destroy(&inst);
	mm_cur = NULL;
	return s->viol_op >= -1;
}

void mmd_series_free(struct mmd_series *s)
{
	free(s->val);
	s->val = NULL;
}

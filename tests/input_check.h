/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: does @in hold only what the decoder may produce from
 * @f's tables (config fields and op arguments within their ranges,
 * named slots only, unused arguments zero)?
 */
#ifndef MM_TEST_INPUT_CHECK_H
#define MM_TEST_INPUT_CHECK_H
#include <stdbool.h>
#include <mm/harness.h>

static inline bool in_range(const struct mm_family *f, const struct mm_input *in)
{
	for (int i = 0; i < f->nr_cfg; i++)
		if (in->cfg.v[i] < f->cfg[i].lo || in->cfg.v[i] > f->cfg[i].hi)
			return false;
	for (int k = 0; k < in->nr_ops; k++) {
		const struct mm_opdesc *d;

		if (in->ops[k].id >= MM_OP_SLOTS)
			return false;
		d = &f->ops[in->ops[k].id];
		if (!d->name)
			return false;
		for (int a = 0; a < d->nr_args; a++)
			if (in->ops[k].arg[a] < d->args[a].lo || in->ops[k].arg[a] > d->args[a].hi)
				return false;
		for (int a = d->nr_args; a < MM_MAX_ARGS; a++)
			if (in->ops[k].arg[a])
				return false;
	}
	return true;
}
#endif

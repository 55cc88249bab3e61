// SPDX-License-Identifier: GPL-2.0-only
/*
 * Families and variants known to mmdiff.  Variants come from variants.def;
 * the references are weak so that a tree missing a port still links (the
 * variant is then simply absent from `mmdiff list`).
 */
#include <string.h>

#include <mm/harness.h>
#include "percpu_family.h"

extern const struct mm_family pagealloc_family __attribute__((weak));

#define MM_VARIANT(sym) extern const struct mm_variant sym __attribute__((weak));
#include "variants.def"
#undef MM_VARIANT

static const struct mm_family *const families[] = {
	&percpu_family,
	&pagealloc_family,
};

#define MM_VARIANT(sym) &sym,
static const struct mm_variant *const variants[] = {
#include "variants.def"
};
#undef MM_VARIANT

const struct mm_family *mm_family_at(int i)
{
	int n = 0;

	for (size_t k = 0; k < sizeof(families) / sizeof(families[0]); k++)
		if (families[k] && n++ == i)
			return families[k];
	return NULL;
}

const struct mm_family *mm_family_find(const char *name)
{
	const struct mm_family *f;

	for (int i = 0; (f = mm_family_at(i)); i++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

const struct mm_variant *mm_variant_at(int i)
{
	int n = 0;

	for (size_t k = 0; k < sizeof(variants) / sizeof(variants[0]); k++)
		if (variants[k] && n++ == i)
			return variants[k];
	return NULL;
}

const struct mm_variant *mm_variant_find(const char *family, const char *name)
{
	const struct mm_variant *v;

	for (int i = 0; (v = mm_variant_at(i)); i++)
		if ((!family || !strcmp(v->family, family)) && !strcmp(v->name, name))
			return v;
	return NULL;
}

const struct mm_opdesc *mm_op_desc(const struct mm_family *f, const struct mm_op *op)
{
	return &f->ops[op->id % MM_OP_SLOTS];
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Families and variants known to mmdiff, from fuzz/families.def and
 * fuzz/variants.def.  The references are strong: a variant or family named
 * there but not defined fails the link with its symbol's name.
 */
#include <string.h>

#include <mm/harness.h>

#define MM_FAMILY(name) extern const struct mm_family name##_family;
#include "families.def"
#undef MM_FAMILY
#define MM_VARIANT(sym) extern const struct mm_variant sym;
#include "variants.def"
#undef MM_VARIANT

static const struct mm_family *const families[] = {
#define MM_FAMILY(name) &name##_family,
#include "families.def"
#undef MM_FAMILY
};

static const struct mm_variant *const variants[] = {
#define MM_VARIANT(sym) &sym,
#include "variants.def"
#undef MM_VARIANT
};

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

const struct mm_invdesc mm_machine_invariants[] = MM_INVDESCS(MM_MACHINE_INVARIANTS);

const struct mm_family *mm_family_at(int i)
{
	return i >= 0 && i < ARRAY_LEN(families) ? families[i] : NULL;
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
	return i >= 0 && i < ARRAY_LEN(variants) ? variants[i] : NULL;
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

static const struct mm_invdesc *inv_in(const struct mm_invdesc *t, const char *id)
{
	for (; t && t->id; t++)
		if (!strcmp(t->id, id))
			return t;
	return NULL;
}

const struct mm_invdesc *mm_invariant_find(const struct mm_family *fam, const char *id)
{
	const struct mm_invdesc *d = inv_in(mm_machine_invariants, id);

	return d ? d : fam ? inv_in(fam->invariants, id) : NULL;
}

int mm_cfg_role(const struct mm_family *fam, enum mm_arg_role role)
{
	for (int i = 0; i < fam->nr_cfg; i++)
		if (fam->cfg[i].role == role)
			return i;
	return -1;
}

void mm_op_context(const struct mm_family *fam, const struct mm_op *op, int *cpu,
		   enum mm_ctx *ctx)
{
	const struct mm_opdesc *d = mm_op_desc(fam, op);

	*cpu = 0;
	*ctx = MM_CTX_PROCESS;
	for (int a = 0; a < d->nr_args; a++) {
		if (d->args[a].role == MM_ARG_CPU)
			*cpu = (int)op->arg[a];
		else if (d->args[a].role == MM_ARG_CTX)
			*ctx = (enum mm_ctx)op->arg[a];
	}
	if (fam->op_context)
		fam->op_context(op, cpu, ctx);
}

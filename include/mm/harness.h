/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness contract between families, variants and the driver.
 *
 * A FAMILY fixes an operation language (op and config descriptors, from
 * which the binary decoder and the text form are derived), the observables
 * its variants export, and the differential relations between a reference
 * and an implementation.  A VARIANT is one port: it creates an instance on a
 * simulated machine, executes ops, checks its own invariants (reporting with
 * mm_violation) and fills the family's observables.
 *
 * Ops and config fields carry small unsigned values in fixed ranges; the
 * binary form stores value - lo in a fixed number of bytes per argument, so
 * text and binary convert both ways without loss.  Op ids are stable: a slot
 * once given to an op keeps it forever.
 */
#ifndef MM_HARNESS_H
#define MM_HARNESS_H

#include <mm/machine.h>

#define MM_MAX_ARGS	6
#define MM_OP_SLOTS	64	/* opcode byte % MM_OP_SLOTS picks the slot */
#define MM_MAX_CFG	12
#define MM_MAX_OPS	256	/* ops decoded per input at most */

/* One argument (or config field): a value in [lo, hi]. */
struct mm_argdesc {
	const char *name;
	uint32_t lo, hi;
	const char *const *enums;	/* names of lo..hi, or NULL for numbers */
};

struct mm_opdesc {
	const char *name;		/* NULL: unassigned slot */
	const char *help;
	int nr_args;
	struct mm_argdesc args[MM_MAX_ARGS];
};

struct mm_op {
	uint8_t id;			/* slot number */
	uint32_t arg[MM_MAX_ARGS];
};

struct mm_config {
	uint32_t v[MM_MAX_CFG];		/* indexed like family->cfg */
};

struct mm_input {
	struct mm_config cfg;
	int nr_ops;
	struct mm_op ops[MM_MAX_OPS];
};

/* What an op did, for the trace and the differential checks. */
struct mm_opres {
	int status;		/* 0 done, -ENOMEM failed, 1 skipped (no target) */
	long val[4];		/* family-defined (e.g. chunk id, offset) */
	char text[160];		/* one line for the -v trace */
};

struct mm_family;

struct mm_variant {
	const char *name;	/* e.g. "v5.12" */
	const char *family;	/* e.g. "percpu" */
	const char *reference;	/* its reference variant, NULL for a reference */
	const char *models;	/* kernel version or thread it ports */
	const char *expect;	/* "clean" or "buggy: <one line>" */

	/* create on the current machine (mm_cur), with the family config */
	void *(*create)(const struct mm_config *cfg);
	/* execute one op; never called after a violation */
	void (*exec)(void *inst, const struct mm_op *op, struct mm_opres *res);
	/* per-variant invariants after every op; mm_violation on failure */
	void (*check)(void *inst);
	/* fill the family's observables struct (family->obs_size bytes) */
	void (*observe)(void *inst, void *obs);
	/* print the state relevant to the family's findings (for -v) */
	void (*dump)(void *inst, char *buf, size_t len);
};

/* Differential context handed to family->diff. */
struct mm_diffctx {
	const struct mm_family *fam;
	const struct mm_config *cfg;
	const struct mm_op *op;
	int op_index;
	const struct mm_opres *ref_res, *impl_res;
	const void *ref_obs, *impl_obs;
	const struct mm_machine *ref_m, *impl_m;
	void *state;		/* family's per-pair state, diff_state_size bytes */
};

struct mm_family {
	const char *name;
	const struct mm_opdesc *ops;	/* MM_OP_SLOTS entries */
	int nr_cfg;
	struct mm_argdesc cfg[MM_MAX_CFG];
	/* machine settings from the config */
	int (*cfg_nr_cpus)(const struct mm_config *cfg);
	long (*cfg_budget)(const struct mm_config *cfg);
	void (*cfg_machine)(const struct mm_config *cfg, struct mm_machine *m);
	/* the CPU and context an op runs in */
	void (*op_context)(const struct mm_op *op, int *cpu, enum mm_ctx *ctx);
	size_t obs_size;
	size_t diff_state_size;
	/* differential relations after each op; mm_violation on failure */
	void (*diff)(struct mm_diffctx *d);
};

/* registry (fuzz/registry.c) */
const struct mm_family *mm_family_find(const char *name);
const struct mm_family *mm_family_at(int i);
const struct mm_variant *mm_variant_find(const char *family, const char *name);
const struct mm_variant *mm_variant_at(int i);
const struct mm_opdesc *mm_op_desc(const struct mm_family *f, const struct mm_op *op);
#endif /* MM_HARNESS_H */

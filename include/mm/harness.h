/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness contract between families, variants and the driver.
 *
 * A FAMILY fixes an operation language (ops, their arguments and the config
 * fields, from which the binary decoder and the text form are derived), the
 * observables its variants export, the invariant ids its variants and
 * relations may report, and the differential relations between a reference
 * and an implementation.  Each of those is declared ONCE, in an X-macro
 * table in the family's header (see "Declaring a family" below): the C
 * constants the code uses (op ids, argument indexes, config indexes,
 * observable fields) and the descriptors the decoder, the text form,
 * `mmdiff list --ops/--invariants` and the docs use are generated from it.
 *
 * A VARIANT is one port: it creates an instance on a simulated machine,
 * executes ops, checks its own invariants (reporting with mm_violation,
 * whose id must be declared by the family or the machine) and fills the
 * family's observables.
 *
 * Ops and config fields carry small unsigned values in fixed ranges; the
 * binary form stores value - lo in a fixed number of bytes per argument, so
 * text and binary convert both ways without loss.  Op ids are stable: a slot
 * once given to an op keeps it forever.
 */
#ifndef MM_HARNESS_H
#define MM_HARNESS_H

#include <stddef.h>
#include <mm/machine.h>

#define MM_MAX_ARGS	6
#define MM_OP_SLOTS	64	/* opcode byte % MM_OP_SLOTS picks the slot */
#define MM_MACHINE_OP_BASE 56	/* slots 56..63: the machine's ops (tasks), in every family */
#define MM_MAX_CFG	12
#define MM_MAX_OPS	256	/* ops decoded per input at most */
#define MM_MAX_OBS_BYTES 1024	/* a family's observables struct at most */

/*
 * What the driver reads from an argument: the CPU an op runs on, its
 * calling context (enum mm_ctx), or, for config fields, the machine's CPU
 * count and page budget.
 */
enum mm_arg_role {
	MM_ARG_PLAIN,
	MM_ARG_CPU,
	MM_ARG_CTX,
	MM_CFG_NR_CPUS,
	MM_CFG_BUDGET,
};

/* One argument (or config field): a value in [lo, hi]. */
struct mm_argdesc {
	const char *name;
	uint32_t lo, hi;
	const char *const *enums;	/* names of lo..hi, or NULL for numbers */
	enum mm_arg_role role;
	const char *help;		/* one line */
};

struct mm_opdesc {
	const char *name;		/* NULL: unassigned slot */
	const char *help;
	int nr_args;
	struct mm_argdesc args[MM_MAX_ARGS];
};

/* An invariant or relation id and its one-line meaning. */
struct mm_invdesc {
	const char *id;
	const char *aliases;	/* ids older mmdiff versions used, space separated */
	const char *help;
};

/* One observable: a long (or an array of long) in the observables struct. */
struct mm_obsdesc {
	const char *name;
	size_t offset;		/* bytes into the struct */
	int count;		/* elements (1: a scalar) */
	const char *help;
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
	const char *models;	/* kernel version or thread it ports (public references) */
	const char *expect;	/* "clean" or "buggy: <one line>" */

	/* create on the current machine (mm_cur), with the family config */
	void *(*create)(const struct mm_config *cfg);
	/* execute one op; never called after a violation */
	void (*exec)(void *inst, const struct mm_op *op, struct mm_opres *res);
	/*
	 * per-variant invariants after every op; mm_violation on failure
	 * (full or incremental: see mm_check_full() below)
	 */
	void (*check)(void *inst);
	/* fill the family's observables struct (family->obs_size bytes) */
	void (*observe)(void *inst, void *obs);
	/* print the state relevant to the family's findings (for -v) */
	void (*dump)(void *inst, char *buf, size_t len);
};

/*
 * Full and incremental checks.  A variant's check() may keep what it
 * verified and, while mm_check_full() is false, re-verify only what can
 * have changed since.  It must then still report, at the same op and with
 * the same text, everything the full check would report that the variant's
 * code can cause through the ways it changes the state (a list its kernel
 * code only grows at the head, moves whole and empties whole, say); only a
 * corruption outside those (that list edited in its middle) may go unseen
 * until the next full check, which reports what the full check finds then.
 * mm_check_full() is true in the check at create, in the check after an
 * input's last op (mm_run(); one who runs ops one by one marks the last
 * with mm_instance_last_op(), fuzz/core/driver.h), in the first check once
 * MM_CHECK_FULL_EVERY ops ran since the last full one, and whenever check()
 * is called outside mm_instance_exec() (tests, the threaded mode).  The
 * choice depends on the input only: verdicts stay deterministic.
 */
bool mm_check_full(void);

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
	const char *help;		/* one line: the kernel code and thread */
	const struct mm_opdesc *ops;	/* MM_OP_SLOTS entries */
	int nr_cfg;
	const struct mm_argdesc *cfg;
	const struct mm_invdesc *invariants;	/* NULL-terminated */
	int nr_obs;
	const struct mm_obsdesc *obs;
	size_t obs_size;
	/* optional: machine settings from the config beyond CPUs and budget */
	void (*cfg_machine)(const struct mm_config *cfg, struct mm_machine *m);
	/*
	 * optional: the CPU and context an op runs in, when they are more than
	 * its MM_ARG_CPU and MM_ARG_CTX arguments say (mm_op_context)
	 */
	void (*op_context)(const struct mm_op *op, int *cpu, enum mm_ctx *ctx);
	/*
	 * the machine's task ops (start/step/finish/settle) act in this family:
	 * its executor and ports keep their books right when an op stops
	 * half-way and other ops run (otherwise they are skipped)
	 */
	bool tasks;
	size_t diff_state_size;
	/* differential relations after each op; mm_violation on failure */
	void (*diff)(struct mm_diffctx *d);
};

/*
 * Declaring a family.  In the family's header, one table per kind:
 *
 *   #define FOO_CFG(X, p) \
 *	X(p, nr_cpus, 1, MM_MAX_CPUS, NULL, MM_CFG_NR_CPUS, "CPUs") ...
 *   MM_DECLARE_CFG(FOO_CFG, FOO_CFG)	-> FOO_CFG_nr_cpus ..., FOO_CFG__NR
 *
 *   #define FOO_OPS(OP) OP(FOO, ALLOC, 0, alloc, "help") ...
 *   #define FOO_ARGS_ALLOC(X, p) X(p, cpu, 0, 7, NULL, MM_ARG_CPU, "help") ...
 *   MM_DECLARE_OPS(FOO_OPS)		-> FOO_OP_ALLOC = 0 ...,
 *					   FOO_ALLOC_cpu ..., FOO_ALLOC__NARGS
 *
 *   #define FOO_INVARIANTS(I) I(SOMETHING, "OLD_ID", "help") ...
 *   #define FOO_OBS(O, A, p) O(p, nr_things, "help") A(p, per_cpu, [8], "help") ...
 *   MM_DECLARE_OBS(foo_obs, FOO_OBS)	-> struct foo_obs { long nr_things; long per_cpu[8]; }
 *
 * and in the family's .c file MM_OPDESCS(FOO_OPS), MM_CFGDESCS(FOO_CFG),
 * MM_INVDESCS(FOO_INVARIANTS) and MM_OBSDESCS(foo_obs, FOO_OBS) give the
 * descriptor tables for struct mm_family.  Enum name arrays (the `enums`
 * column) must be visible where the descriptor tables are expanded.
 */
#define MM__IDX(p, name, ...)			p##_##name,
#define MM__ONE(p, ...)				+1
#define MM__ARGDESC(p, name, lo, hi, en, role, help) \
	{ #name, lo, hi, en, role, help },

#define MM_DECLARE_CFG(pfx, LIST) \
	enum { LIST(MM__IDX, pfx) pfx##__NR };

#define MM__OPID(fam, ID, slot, name, help)	fam##_OP_##ID = slot,
#define MM__OPARGS(fam, ID, slot, name, help) \
	enum { fam##_ARGS_##ID(MM__IDX, fam##_##ID) fam##_##ID##__NARGS };
#define MM_DECLARE_OPS(LIST) \
	enum { LIST(MM__OPID) }; \
	LIST(MM__OPARGS)

#define MM__OBSFIELD(p, name, help)		long name;
#define MM__OBSARRAY(p, name, dims, help)	long name dims;
#define MM_DECLARE_OBS(tag, LIST) \
	struct tag { LIST(MM__OBSFIELD, MM__OBSARRAY, x) };

#define MM__OPDESC(fam, ID, slot, name, help) \
	[slot] = { #name, help, 0 fam##_ARGS_##ID(MM__ONE, x), \
		   { fam##_ARGS_##ID(MM__ARGDESC, x) } },
#define MM_OPDESCS(LIST)		{ LIST(MM__OPDESC) MM_MACHINE_OPS(MM__OPDESC) }
#define MM_CFGDESCS(LIST)		{ LIST(MM__ARGDESC, x) }
#define MM__INVDESC(id, aliases, help)	{ #id, aliases, help },
#define MM_INVDESCS(LIST)		{ LIST(MM__INVDESC) { NULL, NULL, NULL } }
#define MM__OBSDESC(tag, name, help) \
	{ #name, offsetof(struct tag, name), 1, help },
#define MM__OBSDESCA(tag, name, dims, help) \
	{ #name, offsetof(struct tag, name), \
	  (int)(sizeof(((struct tag *)0)->name) / sizeof(long)), help },
#define MM_OBSDESCS(tag, LIST)		{ LIST(MM__OBSDESC, MM__OBSDESCA, tag) }
#define MM_NR_OBS(LIST)			(0 LIST(MM__ONE, MM__ONE, x))

/* element @k of observable @d in @obs */
static inline long mm_obs_value(const void *obs, const struct mm_obsdesc *d, int k)
{
	return ((const long *)((const char *)obs + d->offset))[k];
}

/*
 * The machine's own ops, in every family's table (slots MM_MACHINE_OP_BASE
 * and up): tasks and the interleaving the input chooses (fuzz/core/sched.c).
 * "task k" is the k-th task alive, oldest first (k mod their count).
 */
#define MM_MACHINE_OPS(OP) \
	OP(MM, START, 56, start, "run the next op as a task of its own: it stops at its (points+1)-th scheduling point and waits there while later ops run") \
	OP(MM, STEP, 57, step, "let task k run on until its points-th scheduling point from here, its end, or a lock it must wait for") \
	OP(MM, FINISH, 58, finish, "run task k to its end; the tasks holding what it waits for run as needed") \
	OP(MM, SETTLE, 59, settle, "run every task to its end, oldest first (the end of the input does the same)")
#define MM_ARGS_START(X, p) \
	X(p, points, 0, 15, NULL, MM_ARG_PLAIN, "scheduling points it passes before it stops")
#define MM_ARGS_STEP(X, p) \
	X(p, task, 0, 7, NULL, MM_ARG_PLAIN, "which task: the k-th alive, oldest first") \
	X(p, points, 1, 16, NULL, MM_ARG_PLAIN, "the scheduling point it stops at, counted from here")
#define MM_ARGS_FINISH(X, p) \
	X(p, task, 0, 7, NULL, MM_ARG_PLAIN, "which task: the k-th alive, oldest first")
#define MM_ARGS_SETTLE(X, p)
MM_DECLARE_OPS(MM_MACHINE_OPS)

/* Invariants of the machine itself (locks, contexts, loops, memory safety). */
#define MM_MACHINE_INVARIANTS(I) \
	I(DEADLOCK, "", "a lock taken again by the task holding it, or tasks that wait for each other and can never run again") \
	I(LIVELOCK, "", "a task that keeps running without ending, or a wait that other tasks never end") \
	I(FREE_ACTIVE_WORK, "", "memory freed with a work item or an RCU callback still queued in it (debugobjects: free active object)") \
	I(SLEEP_IN_ATOMIC, "", "a sleeping lock or might_sleep() with preemption or interrupts disabled") \
	I(INVALID_WAIT_CTX, "", "a lock of a class the context may not take (spinlock_t under raw_spinlock_t, PREEMPT_RT rules)") \
	I(NMI_UNSAFE, "", "a lock or an allocator entry in NMI context") \
	I(LOCK_IN_LOCKLESS_PATH, "", "a lock taken inside an entry point declared lockless") \
	I(LOCK_MISUSE, "", "a lock released that is not held, or still held when an op ends") \
	I(UNBOUNDED_LOOP, "", "a kernel loop ran past its bound") \
	I(MEMORY_SAFETY, "", "the sanitizer caught an access to freed or depopulated memory") \
	I(KERNEL_BUG, "", "a BUG_ON() or VM_BUG_ON() of the kernel code fired") \
	I(KERNEL_WARN, "", "a WARN_ON() of the kernel code fired") \
	I(PAGES_FREE_MISMATCH, "", "pages given back to the machine that it did not hand out, or of another size") \
	I(HARNESS, "", "the harness itself failed (never a variant's bug)")

/* registry (fuzz/core/registry.c), from fuzz/families.def and fuzz/variants.def */
const struct mm_family *mm_family_find(const char *name);
const struct mm_family *mm_family_at(int i);
const struct mm_variant *mm_variant_find(const char *family, const char *name);
const struct mm_variant *mm_variant_at(int i);
const struct mm_opdesc *mm_op_desc(const struct mm_family *f, const struct mm_op *op);
/* the declaration of invariant @id for @fam (or the machine's), NULL if none */
const struct mm_invdesc *mm_invariant_find(const struct mm_family *fam, const char *id);
/* the machine's own invariants, NULL-terminated */
extern const struct mm_invdesc mm_machine_invariants[];
/* the config field of @fam with @role, -1 if none */
int mm_cfg_role(const struct mm_family *fam, enum mm_arg_role role);
/* the CPU and context of @op: its MM_ARG_CPU/MM_ARG_CTX args, then family->op_context */
void mm_op_context(const struct mm_family *fam, const struct mm_op *op, int *cpu,
		   enum mm_ctx *ctx);
#endif /* MM_HARNESS_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differential driver.
 *
 * mm_run() runs one input against a reference and zero or more
 * implementations: after every op, each variant's own invariants, then the
 * family's differential relations between each implementation and the
 * reference.  The first violation ends the run; its signature names the
 * rule and the place, so that two causes of one rule are two findings:
 *   "<family>/<variant>/<INV>@<function>"        a variant's own invariant,
 *                                                 detected in that kernel function;
 *   "<family>/<variant>/<INV>@<function>:<lock>"  a lock-checker finding: the
 *                                                 function that took the lock;
 *   "<family>/<impl>~<ref>/<REL>@<op>"            a differential relation and the
 *                                                 op kind that exposed it.
 *
 * mm_instance_* run a single variant instance op by op (port tests).
 */
#ifndef MM_DRIVER_H
#define MM_DRIVER_H

#include <stdio.h>
#include <mm/harness.h>

#define MM_MAX_VARIANTS 4

struct mm_instance {
	const struct mm_variant *v;
	const struct mm_family *fam;
	struct mm_machine m;
	void *inst;
	bool dead;		/* a violation unwound it */
	bool start_armed;	/* a "start" op: the next op runs as a task */
	uint32_t start_points;
	bool last_op;		/* the next op is the input's last (mm_instance_last_op) */
	int ops_since_full;	/* ops since the last full check (mm_check_full) */
};

/* mm_check_full() (harness.h): at least every this many ops */
#define MM_CHECK_FULL_EVERY 32
/* the next mm_instance_exec() runs @in's last op: its check is full */
static inline void mm_instance_last_op(struct mm_instance *in)
{
	in->last_op = true;
}

/*
 * Called, when set, after every op of the reference's run, with the op, its
 * observables (NULL once tasks interleave: from the first `start` on, the
 * run observes nothing) and its machine: what a fuzzer may turn into state
 * coverage.  It must not change anything the run computes.
 */
extern void (*mm_state_feedback)(const struct mm_family *fam, const struct mm_op *op,
				 const void *obs, const struct mm_machine *m);

struct mm_verdict {
	bool violated;
	char sig[192];
	int op_index;		/* -1: at create */
	char op_text[192];
	char variant[64];	/* where it fired (impl~ref for differential) */
	char inv[64];
	char where[64];
	char detail[MM_DETAIL_LEN];
	char state[2048];	/* the variant's dump at the violation */
	unsigned long notes;	/* soft events logged, all variants */
};

/* 0 on success; a violation at create is returned as 1 (see m.inv) */
int mm_instance_create(struct mm_instance *in, const struct mm_family *fam,
		       const struct mm_variant *v, const struct mm_config *cfg);
/*
 * 0: op done and invariants hold; 1: violation (details in in->m).  The
 * machine's ops (start/step/finish/settle) run here; the variant's own
 * invariants are checked after an op only while no started task is alive
 * (a task stopped half-way may hold the state its locks protect).
 */
int mm_instance_exec(struct mm_instance *in, const struct mm_op *op,
		     struct mm_opres *res);
void mm_instance_observe(struct mm_instance *in, void *obs);
void mm_instance_destroy(struct mm_instance *in);

/*
 * Run @input on @vars[0] (the reference) and @vars[1..n-1].  With @trace
 * non-NULL, print every op, each variant's result and, at a violation, the
 * state.  Returns 1 if violated, 0 if not.
 */
int mm_run(const struct mm_family *fam, const struct mm_variant *const *vars,
	   int n, const struct mm_input *input, struct mm_verdict *out,
	   FILE *trace);

/*
 * The variant set for a family: @spec is "A,B,..." (first is the
 * reference) or NULL for the family default (every pair is run: the first
 * reference with all its implementations).  Returns the count or -1 with
 * @err set.
 */
int mm_pick_variants(const struct mm_family *fam, const char *spec,
		     const struct mm_variant **vars, int max, char *err,
		     size_t errlen);

/*
 * A sanitizer report (a port touching freed or depopulated memory) ends the
 * process; this makes it print "<prefix><family>/<variant>/MEMORY_SAFETY@<fn>"
 * first, naming the variant that was running and the function that made
 * the access, so the finding keeps a signature.  With @engine_owns_death
 * (libFuzzer, which saves the crashing input from the death callback)
 * only ASan's report callback is used.  No-op without a sanitizer runtime.
 */
void mm_report_sanitizer_deaths(FILE *out, const char *prefix, bool engine_owns_death);

/*
 * Task ops on (the default) or off: off, "start" runs the next op as a
 * plain one and step/finish/settle do nothing.  For measuring what
 * interleavings cost (bench/interleave.sh); verdicts differ between the two.
 */
void mm_tasks_enable(bool on);

/* build a signature (see above); @lock may be NULL */
void mm_signature(char *buf, size_t len, const struct mm_family *fam, const char *who,
		  const char *inv, const char *place, const char *lock);
/*
 * Does @pattern (a signature a user or a file gave) name @sig?  Exact, or
 * the older form "<family>/<who>/<INV>" with INV the invariant's id or one
 * of its former ids, which matches every place.
 */
bool mm_sig_matches(const char *pattern, const char *sig);

/* format an op as its text line (no newline) */
void mm_op_format(const struct mm_family *fam, const struct mm_op *op,
		  char *buf, size_t len);
#endif

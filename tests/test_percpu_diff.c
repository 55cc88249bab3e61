// SPDX-License-Identifier: GPL-2.0-only
/*
 * The percpu family's differential relations, on hand-built states: each
 * fires when its bound is broken, stays silent at the bound, and stops
 * applying once lockstep has ended.
 */
#include <string.h>

#include "percpu_family.h"
#include "test.h"

static struct mm_machine scratch, refm, implm;
static struct pcpu_obs ro, io;
static struct mm_opres rr, ir;
static unsigned char state[256];
static struct mm_config cfg;

static void reset(void)
{
	memset(state, 0, sizeof(state));
	mm_machine_init(&refm, 2, 4096);
	mm_machine_init(&implm, 2, 4096);
	memset(&ro, 0, sizeof(ro));
	memset(&io, 0, sizeof(io));
	ro.nr_chunk_types = io.nr_chunk_types = 2;
	io.pop_slack = 8;
	cfg.v[PCPU_CFG_nr_cpus] = 2;
	cfg.v[PCPU_CFG_unit_pages] = 8;
}

/* run the relation for @op; returns the violation id or "" */
static const char *diff(struct mm_op op)
{
	static char inv[64];
	jmp_buf jb;
	struct mm_diffctx d = {
		.fam = &percpu_family, .cfg = &cfg, .op = &op, .op_index = 0,
		.ref_res = &rr, .impl_res = &ir, .ref_obs = &ro, .impl_obs = &io,
		.ref_m = &refm, .impl_m = &implm, .state = state,
	};

	mm_machine_init(&scratch, 1, 0);
	mm_machine_enter(&scratch);
	scratch.unwind = &jb;
	inv[0] = '\0';
	if (!setjmp(jb))
		percpu_family.diff(&d);
	else
		snprintf(inv, sizeof(inv), "%s", scratch.inv);
	return inv;
}

static struct mm_op alloc_op(int atomic)
{
	struct mm_op op = { .id = PCPU_OP_ALLOC };

	op.arg[PCPU_ALLOC_size] = 64;
	op.arg[PCPU_ALLOC_gfp] = atomic;
	return op;
}

static const struct mm_op balance_op = { .id = PCPU_OP_BALANCE };

int main(void)
{
	long slack = 2 * 8 * 2 + 16;

	/* D1: the implementation fails what the reference satisfies */
	reset();
	rr.status = 0;
	ir.status = -12;
	refm.pages_used = 100;
	implm.pages_used = 100 + slack + 1;
	CHECK(!strcmp(diff(alloc_op(0)), "OOM_LIKE"));
	reset();				/* within the slack: a note */
	implm.pages_used = 100 + slack;
	refm.pages_used = 100;
	CHECK(!strcmp(diff(alloc_op(0)), ""));
	CHECK_EQ(scratch.notes.nr, 2);	/* D1_LAYOUT, then LOCKSTEP_END */
	reset();				/* metadata does not count */
	refm.pages_used = 100;
	implm.pages_used = 100;
	implm.meta_bytes = 1000 * 4096;
	CHECK(!strcmp(diff(alloc_op(0)), ""));
	reset();				/* an injected failure hit the impl */
	refm.pages_used = 100;
	implm.pages_used = 100 + slack + 1;
	implm.fail_hits[MM_FAIL_CREATE_CHUNK] = 1;
	CHECK(!strcmp(diff(alloc_op(0)), ""));
	reset();				/* atomic: only noted (D2) */
	refm.pages_used = 100;
	implm.pages_used = 100 + slack + 1;
	CHECK(!strcmp(diff(alloc_op(1)), ""));

	/* D3: populated pages after a balance run, in lockstep */
	reset();
	memset(&rr, 0, sizeof(rr));
	memset(&ir, 0, sizeof(ir));
	ro.nr_populated = 20;
	io.nr_populated = 28;
	CHECK(!strcmp(diff(balance_op), ""));	/* at the allowance */
	io.nr_populated = 29;
	CHECK(!strcmp(diff(balance_op), "POPULATED_BOUND"));
	reset();				/* the reference's work was not pending */
	rr.status = 1;
	ro.nr_populated = 20;
	io.nr_populated = 29;
	CHECK(!strcmp(diff(balance_op), ""));
	rr.status = 0;

	/* D5: chunks, in lockstep */
	reset();
	ro.nr_chunks = 3;
	io.nr_chunks = 7;			/* two per chunk type */
	CHECK(!strcmp(diff(balance_op), ""));
	io.nr_chunks = 8;
	CHECK(!strcmp(diff(balance_op), "CHUNK_BOUND"));

	/* lockstep ends at the first differing allocation result ... */
	reset();
	rr.status = ir.status = 0;
	rr.val[0] = 1;
	ir.val[0] = 2;
	CHECK(!strcmp(diff(alloc_op(1)), ""));
	memset(&ir, 0, sizeof(ir));
	memset(&rr, 0, sizeof(rr));
	io.nr_chunks = 19;
	io.nr_populated = 99;
	CHECK(!strcmp(diff(balance_op), ""));	/* no bound applies after it */
	rr.status = 0;
	ir.status = -12;
	implm.pages_used = 1000;
	CHECK(!strcmp(diff(alloc_op(0)), ""));	/* nor D1 */

	/* ... at the first depopulation, and at the first isolation */
	reset();
	io.nr_depopulated = 1;
	io.nr_chunks = 19;
	CHECK(!strcmp(diff(balance_op), ""));
	reset();
	io.nr_isolated = 1;
	io.nr_chunks = 19;
	CHECK(!strcmp(diff(balance_op), ""));
	/* ... and when failures struck the two differently */
	reset();
	implm.budget_fails = 1;
	io.nr_chunks = 19;
	CHECK(!strcmp(diff(balance_op), ""));

	/*
	 * ATOMIC_SHORTFALL: from equal allocation-state digests (recorded by
	 * the op before), an atomic failure only in the implementation
	 */
	reset();
	ro.alloc_state_digest = io.alloc_state_digest = 77;
	CHECK(!strcmp(diff(balance_op), ""));
	memset(&ro, 0, sizeof(ro));
	memset(&io, 0, sizeof(io));
	rr.status = 0;
	ir.status = -12;
	CHECK(!strcmp(diff(alloc_op(1)), "ATOMIC_SHORTFALL"));
	reset();				/* other states: only noted */
	ro.alloc_state_digest = 77;
	io.alloc_state_digest = 78;
	CHECK(!strcmp(diff(balance_op), ""));
	rr.status = 0;
	ir.status = -12;
	CHECK(!strcmp(diff(alloc_op(1)), ""));
	reset();				/* no digest: no bound */
	CHECK(!strcmp(diff(balance_op), ""));
	rr.status = 0;
	ir.status = -12;
	CHECK(!strcmp(diff(alloc_op(1)), ""));
	reset();				/* an injected failure */
	ro.alloc_state_digest = io.alloc_state_digest = 77;
	CHECK(!strcmp(diff(balance_op), ""));
	rr.status = 0;
	ir.status = -12;
	implm.fail_hits[MM_FAIL_CHARGE] = 1;
	CHECK(!strcmp(diff(alloc_op(1)), ""));
	reset();				/* a GFP_KERNEL request: OOM_LIKE's */
	ro.alloc_state_digest = io.alloc_state_digest = 77;
	CHECK(!strcmp(diff(balance_op), ""));
	rr.status = 0;
	ir.status = -12;
	CHECK(!strcmp(diff(alloc_op(0)), ""));
	return test_done("test_percpu_diff");
}

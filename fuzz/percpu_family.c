// SPDX-License-Identifier: GPL-2.0-only
/*
 * The percpu family: op language, configuration and the differential
 * relations between an implementation and its reference (SPEC 1(f), 4(f)).
 *
 * Differential relations (ids as reported):
 *   D1_OOM_LIKE        in lockstep, a GFP_KERNEL allocation the reference
 *                      satisfies fails in the implementation with no
 *                      injected failure, while the implementation holds more
 *                      backing pages than the reference by more than one
 *                      chunk's worth (a layout or metadata difference within
 *                      that is legitimate and only noted).
 *   D3_POPULATED_BOUND in lockstep (identical allocation results so far, no
 *                      depopulation yet), after a balance run:
 *                      impl populated <= ref populated + impl pop_slack.
 *   D5_CHUNK_BOUND     in lockstep: impl chunks <= ref chunks + two per chunk type.
 * Soft (noted, never a verdict, because the kernel allows them):
 *   atomic allocations failing only in the implementation (D2), and fewer
 *   than PCPU_EMPTY_POP_PAGES_LOW empty populated pages after a balance run
 *   with no failure (D6).
 */
#include <string.h>

#include <linux/kernel.h>
#include "percpu_family.h"

static const char *const gfp_names[] = { "GFP_KERNEL", "GFP_NOWAIT" };
static const char *const type_names[] = { "root", "memcg" };
static const char *const backend_names[] = { "vm", "km" };
static const char *const onoff[] = { "off", "on" };
static const char *const fail_names[] = { "populate", "create_chunk", "kmalloc" };
static const char *const deflate_names[] = {
	"random", "every_k", "keep_one_per_chunk", "keep_one_per_page"
};

#define A_CPU		{ "cpu", 0, MM_MAX_CPUS - 1, NULL }
#define A_ALIGN		{ "align_shift", 2, 12, NULL }
#define A_GFP		{ "gfp", 0, 1, gfp_names }
#define A_TYPE		{ "type", 0, 1, type_names }

static const struct mm_opdesc percpu_ops[MM_OP_SLOTS] = {
	[PCPU_OP_ALLOC] = { "alloc", "__alloc_percpu_gfp(size, 1 << align_shift, gfp)",
		5, { A_CPU, { "size", 1, 32768, NULL }, A_ALIGN, A_GFP, A_TYPE } },
	[PCPU_OP_ALLOC_SMALL] = { "alloc_small", "alloc with a small size (refcounters)",
		5, { A_CPU, { "size", 1, 256, NULL }, A_ALIGN, A_GFP, A_TYPE } },
	[PCPU_OP_FREE] = { "free", "free_percpu() of live allocation k % nr_live",
		2, { A_CPU, { "k", 0, 65535, NULL } } },
	[PCPU_OP_ALLOC_RESERVED] = { "alloc_reserved", "__alloc_reserved_percpu(size, align)",
		3, { A_CPU, { "size", 1, 16384, NULL }, A_ALIGN } },
	[PCPU_OP_BALANCE] = { "balance", "run pcpu_balance_work if it is pending", 0, { } },
	[PCPU_OP_FORCE_BALANCE] = { "force_balance",
		"schedule and run the balance work (timer, other triggers)", 0, { } },
	[PCPU_OP_FAIL_NEXT] = { "fail_next", "make the next n requests of a kind fail",
		2, { { "kind", 0, 2, fail_names }, { "n", 1, 8, NULL } } },
	[PCPU_OP_INFLATE] = { "inflate", "n GFP_KERNEL allocations of one size",
		4, { A_CPU, { "size", 1, 2048, NULL }, { "n", 1, 512, NULL }, A_TYPE } },
	[PCPU_OP_DEFLATE] = { "deflate", "free a fraction of the live allocations",
		3, { { "pattern", 0, 3, deflate_names }, { "permille", 500, 999, NULL },
		     { "seed", 0, 65535, NULL } } },
	[PCPU_OP_ENABLE_ASYNC] = { "enable_async", "percpu_enable_async() (area-map era)", 0, { } },
	[PCPU_OP_MAP_EXTEND] = { "map_extend", "run pending map_extend_work (area-map era)",
		1, { { "k", 0, 255, NULL } } },
	[PCPU_OP_SET_BUDGET] = { "set_budget", "set the machine's page budget",
		1, { { "pages", 64, 16384, NULL } } },
};

static int percpu_nr_cpus(const struct mm_config *cfg)
{
	return (int)cfg->v[PCPU_CFG_NR_CPUS];
}

static long percpu_budget(const struct mm_config *cfg)
{
	return (long)cfg->v[PCPU_CFG_BUDGET];
}

static void percpu_op_context(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	const struct mm_opdesc *d = &percpu_ops[op->id];

	*ctx = MM_CTX_PROCESS;
	*cpu = d->nr_args && !strcmp(d->args[0].name, "cpu") ? (int)op->arg[0] : 0;
}

struct percpu_diff_state {
	bool diverged;
	unsigned long ref_injected, impl_injected;	/* injected failures taken */
	unsigned long ref_refused, impl_refused;	/* budget refusals */
};

static unsigned long injected(const struct mm_machine *m)
{
	unsigned long n = 0;

	for (int i = 0; i < MM_FAIL_NR; i++)
		n += m->fail_hits[i];
	return n;
}

static bool is_alloc(const struct mm_op *op)
{
	return op->id == PCPU_OP_ALLOC || op->id == PCPU_OP_ALLOC_SMALL ||
	       op->id == PCPU_OP_ALLOC_RESERVED;
}

static bool changes_layout(const struct mm_op *op)
{
	return is_alloc(op) || op->id == PCPU_OP_FREE || op->id == PCPU_OP_INFLATE ||
	       op->id == PCPU_OP_DEFLATE;
}

static void percpu_diff(struct mm_diffctx *d)
{
	struct percpu_diff_state *s = d->state;
	const struct pcpu_obs *ro = d->ref_obs, *io = d->impl_obs;
	const struct mm_opres *rr = d->ref_res, *ir = d->impl_res;
	const struct mm_op *op = d->op;
	unsigned long ri = injected(d->ref_m), ii = injected(d->impl_m);
	unsigned long rb = d->ref_m->budget_fails, ib = d->impl_m->budget_fails;
	bool impl_faulted = ii != s->impl_injected || ib != s->impl_refused;
	bool impl_injected_now = ii != s->impl_injected;
	bool failures_differ = ri - s->ref_injected != ii - s->impl_injected ||
			       rb - s->ref_refused != ib - s->impl_refused;
	bool atomic = op->id != PCPU_OP_ALLOC_RESERVED && is_alloc(op) &&
		      op->arg[PCPU_A_ATOMIC];
	int nr_cpus = (int)d->cfg->v[PCPU_CFG_NR_CPUS];
	long unit_pages = d->cfg->v[PCPU_CFG_UNIT_PAGES];

	s->ref_injected = ri;
	s->impl_injected = ii;
	s->ref_refused = rb;
	s->impl_refused = ib;

	/*
	 * D1: in lockstep (as of before this op: same layout, same live
	 * allocations), never fail what the reference satisfies beyond a
	 * chunk's slack.  After a legitimate divergence the implementation may
	 * hold allocations the reference does not, so no bound is sound there.
	 */
	if (!s->diverged && is_alloc(op) && !atomic && rr->status == 0 &&
	    ir->status < 0 && !impl_injected_now) {
		/* a km chunk is a power of two of pages; its metadata is small */
		long slack = 2 * unit_pages * nr_cpus + 16;

		/*
		 * Backing pages only: chunk metadata legitimately differs
		 * (6.1 gives every chunk an obj_cgroups vector when kmem
		 * accounting is on, v5.12 only memcg chunks).
		 */
		if (d->impl_m->pages_used > d->ref_m->pages_used + slack)
			mm_violation("D1_OOM_LIKE", "pcpu_alloc",
				     "GFP_KERNEL allocation fails in the implementation only; it holds %ld backing pages, the reference %ld (slack %ld, budget %ld)",
				     d->impl_m->pages_used, d->ref_m->pages_used, slack,
				     d->impl_m->budget_pages);
		mm_note("D1_LAYOUT", "GFP_KERNEL allocation fails only in the implementation, within slack (impl %ld pages, ref %ld)",
			mm_machine_pages_held(d->impl_m), mm_machine_pages_held(d->ref_m));
	}
	if (atomic && rr->status == 0 && ir->status < 0)
		mm_note("D2_ATOMIC", "atomic allocation fails only in the implementation (empty populated pages %ld)",
			io->nr_empty_pop_pages);

	/* lockstep ends at the first legitimate divergence */
	if (!s->diverged && changes_layout(op) &&
	    (rr->status != ir->status || rr->val[0] != ir->val[0] ||
	     rr->val[1] != ir->val[1] || rr->val[2] != ir->val[2])) {
		s->diverged = true;
		mm_note("LOCKSTEP_END", "op %d: results differ (ref '%s', impl '%s')",
			d->op_index, rr->text, ir->text);
	}
	if (!s->diverged && (ro->nr_depopulated || io->nr_depopulated)) {
		s->diverged = true;
		mm_note("LOCKSTEP_END", "op %d: first depopulation", d->op_index);
	}
	if (!s->diverged && ro->nr_isolated != io->nr_isolated) {
		/* an isolated chunk takes no allocations: placement may differ */
		s->diverged = true;
		mm_note("LOCKSTEP_END", "op %d: first chunk isolation", d->op_index);
	}
	if (!s->diverged && failures_differ) {
		/* injected failures or the budget struck them differently */
		s->diverged = true;
		mm_note("LOCKSTEP_END", "op %d: failures taken differ", d->op_index);
	}
	if (s->diverged)
		return;

	if (op->id == PCPU_OP_BALANCE || op->id == PCPU_OP_FORCE_BALANCE) {
		if (io->nr_populated > ro->nr_populated + io->pop_slack)
			mm_violation("D3_POPULATED_BOUND", "pcpu_balance_workfn",
				     "implementation populated %ld pages, reference %ld, allowance %ld",
				     io->nr_populated, ro->nr_populated, io->pop_slack);
		if (!impl_faulted && io->nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
			mm_note("D6_EMPTY_POP_LOW", "%ld empty populated pages after a balance run",
				io->nr_empty_pop_pages);
	}
	/*
	 * A balance run may end with two fully free chunks of a type: the one
	 * its pcpu_balance_free step kept and one its populate step created
	 * (after an atomic failure it populates HIGH pages regardless of the
	 * empty ones, 4(b)(ii)); the next run reaps the extra one.
	 */
	if (io->nr_chunks > ro->nr_chunks + 2 * io->nr_chunk_types)
		mm_violation("D5_CHUNK_BOUND", "pcpu_create_chunk",
			     "implementation has %ld chunks, reference %ld (allowance %d)",
			     io->nr_chunks, ro->nr_chunks, 2 * io->nr_chunk_types);
}

static void percpu_cfg_machine(const struct mm_config *cfg, struct mm_machine *m)
{
	(void)cfg;
	(void)m;
}

const struct mm_family percpu_family = {
	.name = "percpu",
	.ops = percpu_ops,
	.nr_cfg = PCPU_CFG_NR,
	.cfg = {
		[PCPU_CFG_NR_CPUS] = { "nr_cpus", 1, MM_MAX_CPUS, NULL },
		[PCPU_CFG_BACKEND] = { "backend", 0, 1, backend_names },
		[PCPU_CFG_UNIT_PAGES] = { "unit_pages", 8, 64, NULL },
		[PCPU_CFG_BUDGET] = { "budget", 64, 16384, NULL },
		[PCPU_CFG_STATIC_KB] = { "static_kb", 1, 16, NULL },
		[PCPU_CFG_RESERVED_KB] = { "reserved_kb", 0, 16, NULL },
		[PCPU_CFG_DYN_KB] = { "dyn_kb", 4, 64, NULL },
		[PCPU_CFG_MEMCG] = { "memcg", 0, 1, onoff },
		[PCPU_CFG_ASYNC] = { "async", 0, 1, onoff },
	},
	.cfg_nr_cpus = percpu_nr_cpus,
	.cfg_budget = percpu_budget,
	.cfg_machine = percpu_cfg_machine,
	.op_context = percpu_op_context,
	.obs_size = sizeof(struct pcpu_obs),
	.diff_state_size = sizeof(struct percpu_diff_state),
	.diff = percpu_diff,
};

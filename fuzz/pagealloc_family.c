// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pagealloc family (SPEC 3): op language, configuration, contexts and
 * the differential relations between an implementation and v5.9.
 *
 * Differential relations (ids as reported):
 *   D1_LOCKSTEP       until the first legitimate divergence, every op gives
 *                     the same result and the same observables (page
 *                     identities, free counts, pcp counts, kvfree_rcu
 *                     accounting, grace periods, work run) and the same
 *                     hidden machine state (pending fault injections, work
 *                     items, RCU callbacks).  A divergence is legitimate only
 *                     at an op that uses the new function or flag:
 *                     lockless_alloc, kvfree_rcu, run_work (the RFC 1/4
 *                     worker), page_alloc with __GFP_NO_LOCKS.
 *   D3_FALLBACK_BOUND impl kvfree_rcu fallbacks <= ref fallbacks + impl
 *                     block-page attempts that failed.
 *   D4_ALLOC_FAIL     an order-0 page_alloc without the new flag that the
 *                     reference satisfies fails in the implementation (not
 *                     by an injected failure) although no zone had fewer
 *                     free pages in the implementation than in the
 *                     reference when the op started: both run the same code,
 *                     whose watermark decisions are monotone in the zone's
 *                     free pages.
 */
#include <stdio.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include "pagealloc_family.h"

static const char *const gfp_names[PA_GFP_NR] = {
	"GFP_KERNEL", "GFP_NOWAIT", "GFP_ATOMIC", "ZERO", "NO_LOCKS",
	"NO_LOCKS_RECLAIM", "NO_LOCKS_ZERO"
};
static const char *const mt_names[] = { "unmovable", "movable", "reclaimable" };
static const char *const ctx_names[MM_CTX_NR] = {
	"process", "irqs_off", "raw_lock_held", "zone_lock_held", "nmi"
};
static const char *const fail_names[] = { "page_alloc", "kmalloc" };
static const char *const zone_names[] = { "DMA32", "Normal" };
static const char *const onoff[] = { "off", "on" };

#define A_CPU	{ "cpu", 0, MM_MAX_CPUS - 1, NULL }
#define A_CTX	{ "ctx", 0, MM_CTX_NR - 1, ctx_names }
#define A_MT	{ "mt", 0, 2, mt_names }

static const struct mm_opdesc pagealloc_ops[MM_OP_SLOTS] = {
	[PA_OP_PAGE_ALLOC] = { "page_alloc", "__alloc_pages_nodemask(gfp | mt, order)",
		5, { A_CPU, { "order", 0, 3, NULL }, { "gfp", 0, PA_GFP_NR - 1, gfp_names },
		     A_MT, A_CTX } },
	[PA_OP_PAGE_FREE] = { "page_free", "__free_pages() of live page k % nr_live",
		3, { A_CPU, { "k", 0, 255, NULL }, A_CTX } },
	[PA_OP_LOCKLESS_ALLOC] = { "lockless_alloc",
		"the variant's lockless entry (v5.9: __get_free_page(GFP_NOWAIT|__GFP_NOWARN))",
		2, { A_CPU, A_CTX } },
	[PA_OP_KVFREE_RCU] = { "kvfree_rcu", "nobj x kvfree_rcu(ptr) (nargs 1) or kvfree_rcu(ptr, rh)",
		4, { A_CPU, { "nargs", 1, 2, NULL }, { "nobj", 1, 1024, NULL }, A_CTX } },
	[PA_OP_RCU_GP] = { "rcu_gp", "end one grace period", 0, { } },
	[PA_OP_RUN_WORK] = { "run_work", "run n items of system_wq on cpu",
		2, { A_CPU, { "n", 1, 16, NULL } } },
	[PA_OP_DRAIN_LOCAL] = { "drain_local", "drain_local_pages(NULL)", 2, { A_CPU, A_CTX } },
	[PA_OP_DRAIN_ALL] = { "drain_all", "drain_all_pages(NULL), synchronously", 1, { A_CPU } },
	[PA_OP_FAIL_NEXT] = { "fail_next", "make the next n requests of a kind fail",
		2, { { "kind", 0, 1, fail_names }, { "n", 1, 8, NULL } } },
	[PA_OP_INJECT_BAD_PAGE] = { "inject_bad_page",
		"check_new_pcp() fails for the pos-th page of a pcp list",
		4, { A_CPU, { "zone", 0, 1, zone_names }, A_MT, { "pos", 0, 63, NULL } } },
	[PA_OP_SET_PCP] = { "set_pcp", "pageset_set_batch(): high = high_mult * batch",
		2, { { "high_mult", 0, 6, NULL }, { "batch", 1, 31, NULL } } },
};

static int pagealloc_nr_cpus(const struct mm_config *cfg)
{
	return (int)cfg->v[PA_CFG_NR_CPUS];
}

/* the zones' pages are charged once at boot; metadata is bookkeeping */
static long pagealloc_budget(const struct mm_config *cfg)
{
	return (long)(cfg->v[PA_CFG_DMA32_BLOCKS] + cfg->v[PA_CFG_NORMAL_BLOCKS]) * 16 + 256;
}

static void pagealloc_cfg_machine(const struct mm_config *cfg, struct mm_machine *m)
{
	m->preempt_rt = cfg->v[PA_CFG_PREEMPT_RT];
	m->prove_raw_lock_nesting = cfg->v[PA_CFG_PROVE_RAW];
}

/*
 * The CPU and context of an op.  Contexts no caller may use are mapped to
 * the nearest legal one: NMI (no variant nor the thread supports it,
 * Michal #45) runs with irqs off; blocking requests (GFP_KERNEL,
 * __GFP_RECLAIM, one-argument kvfree_rcu) run in process context.
 */
static void pagealloc_op_context(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	*cpu = 0;
	*ctx = MM_CTX_PROCESS;
	switch (op->id) {
	case PA_OP_PAGE_ALLOC:
		*cpu = (int)op->arg[PA_A_CPU];
		*ctx = (enum mm_ctx)op->arg[PA_A_CTX];
		if (op->arg[PA_A_GFP] == PA_GFP_KERNEL ||
		    op->arg[PA_A_GFP] == PA_GFP_NO_LOCKS_RECLAIM)
			*ctx = MM_CTX_PROCESS;
		break;
	case PA_OP_PAGE_FREE:
		*cpu = (int)op->arg[PA_A_CPU];
		*ctx = (enum mm_ctx)op->arg[2];
		break;
	case PA_OP_LOCKLESS_ALLOC:
	case PA_OP_DRAIN_LOCAL:
		*cpu = (int)op->arg[PA_A_CPU];
		*ctx = (enum mm_ctx)op->arg[1];
		break;
	case PA_OP_KVFREE_RCU:
		*cpu = (int)op->arg[PA_A_CPU];
		*ctx = (enum mm_ctx)op->arg[3];
		if (op->arg[PA_A_NARGS] == 1)
			*ctx = MM_CTX_PROCESS;	/* "might_sleep() context only" */
		break;
	case PA_OP_RUN_WORK:
	case PA_OP_DRAIN_ALL:
	case PA_OP_INJECT_BAD_PAGE:
		*cpu = (int)op->arg[PA_A_CPU];
		break;
	default:
		break;
	}
	if (*ctx == MM_CTX_NMI)
		*ctx = MM_CTX_IRQS_OFF;
}

struct pa_diff_state {
	bool diverged;
	int diverged_at;
};

static bool new_path_op(const struct mm_op *op)
{
	switch (op->id) {
	case PA_OP_LOCKLESS_ALLOC:
	case PA_OP_KVFREE_RCU:
	case PA_OP_RUN_WORK:
		return true;
	case PA_OP_PAGE_ALLOC:
		return op->arg[PA_A_GFP] >= PA_GFP_NO_LOCKS;
	default:
		return false;
	}
}

static long queue_len(const struct work_struct *w)
{
	long n = 0;

	for (; w && n < 1 << 20; w = w->next)
		n++;
	return n;
}

static long rcu_len(const struct rcu_head *h)
{
	long n = 0;

	for (; h && n < 1 << 24; h = h->next)
		n++;
	return n;
}

/* hidden machine state that makes later ops differ */
static bool machines_differ(const struct mm_machine *a, const struct mm_machine *b,
			    char *why, size_t len)
{
	for (int k = 0; k < MM_FAIL_NR; k++)
		if (a->fail_next[k] != b->fail_next[k]) {
			snprintf(why, len, "pending injected failures");
			return true;
		}
	if (queue_len(a->system_wq.head) != queue_len(b->system_wq.head)) {
		snprintf(why, len, "pending work");
		return true;
	}
	if (rcu_len(a->rcu_head_list) != rcu_len(b->rcu_head_list)) {
		snprintf(why, len, "pending RCU callbacks");
		return true;
	}
	return false;
}

static const char *obs_diff(const struct pa_obs *r, const struct pa_obs *i)
{
	for (int z = 0; z < PA_NR_ZONES; z++) {
		if (r->nr_free[z] != i->nr_free[z])
			return "NR_FREE_PAGES";
		for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++)
			if (r->pcp_count[cpu][z] != i->pcp_count[cpu][z])
				return "pcp count";
	}
	if (r->user_pages != i->user_pages)
		return "user pages";
	if (r->block_pages != i->block_pages)
		return "kvfree block pages";
	if (r->bad_pages != i->bad_pages)
		return "bad pages";
	if (r->kv_via_block != i->kv_via_block || r->kv_via_head != i->kv_via_head ||
	    r->kv_via_sync != i->kv_via_sync || r->kv_fallbacks != i->kv_fallbacks)
		return "kvfree_rcu paths";
	if (r->kv_freed != i->kv_freed)
		return "objects freed";
	if (r->lockless_attempts != i->lockless_attempts ||
	    r->lockless_failed != i->lockless_failed)
		return "block page attempts";
	if (r->zone_lock_taken != i->zone_lock_taken)
		return "zone->lock acquisitions";
	if (r->slowpath_entries != i->slowpath_entries)
		return "slow path entries";
	if (r->rcu_gp_seq != i->rcu_gp_seq)
		return "grace periods";
	if (r->work_run != i->work_run)
		return "work run";
	return NULL;
}

static void pagealloc_diff(struct mm_diffctx *d)
{
	struct pa_diff_state *s = d->state;
	const struct pa_obs *ro = d->ref_obs, *io = d->impl_obs;
	const struct mm_opres *rr = d->ref_res, *ir = d->impl_res;
	const struct mm_op *op = d->op;

	/* D3 */
	if (io->kv_fallbacks > ro->kv_fallbacks + io->lockless_failed)
		mm_violation("D3_FALLBACK_BOUND", "kvfree_call_rcu",
			     "implementation fell back %d times, reference %d, failed block-page attempts %d",
			     io->kv_fallbacks, ro->kv_fallbacks, io->lockless_failed);

	/* D4 */
	if (op->id == PA_OP_PAGE_ALLOC && op->arg[PA_A_ORDER] == 0 &&
	    op->arg[PA_A_GFP] < PA_GFP_NO_LOCKS && rr->status == 0 && ir->status != 0 &&
	    !ir->val[3]) {
		bool fewer = false;

		for (int z = 0; z < PA_NR_ZONES; z++)
			if (io->nr_free_before[z] < ro->nr_free_before[z])
				fewer = true;
		if (!fewer && !io->bad_pages && !ro->bad_pages)
			mm_violation("D4_ALLOC_FAIL", "__alloc_pages_nodemask",
				     "order-0 %s fails in the implementation only, with free pages DMA32 %d/%d Normal %d/%d (impl/ref)",
				     gfp_names[op->arg[PA_A_GFP]], io->nr_free_before[0],
				     ro->nr_free_before[0], io->nr_free_before[1],
				     ro->nr_free_before[1]);
		mm_note("D4_FAIL_EXPLAINED", "order-0 allocation fails in the implementation only (fewer free pages)");
	}

	/* D1 */
	if (!s->diverged) {
		const char *what = NULL;
		char why[96];

		if (rr->status != ir->status ||
		    memcmp(rr->val, ir->val, sizeof(rr->val)) != 0)
			what = "op results";
		else if ((what = obs_diff(ro, io)))
			;
		else if (machines_differ(d->ref_m, d->impl_m, why, sizeof(why)))
			what = why;
		if (what) {
			if (!new_path_op(op))
				mm_violation("D1_LOCKSTEP", "pagealloc_diff",
					     "%s differ at an op using neither the new function nor the new flag (ref '%s', impl '%s')",
					     what, rr->text, ir->text);
			s->diverged = true;
			s->diverged_at = d->op_index;
			mm_note("LOCKSTEP_END", "op %d: %s differ (ref '%s', impl '%s')",
				d->op_index, what, rr->text, ir->text);
		}
	}
}

const struct mm_family pagealloc_family = {
	.name = "pagealloc",
	.ops = pagealloc_ops,
	.nr_cfg = PA_CFG_NR,
	.cfg = {
		[PA_CFG_NR_CPUS] = { "nr_cpus", 1, MM_MAX_CPUS, NULL },
		[PA_CFG_DMA32_BLOCKS] = { "dma32_blocks", 1, 8, NULL },
		[PA_CFG_NORMAL_BLOCKS] = { "normal_blocks", 1, 16, NULL },
		[PA_CFG_BOOT_USED_PCT] = { "boot_used_pct", 0, 90, NULL },
		[PA_CFG_WMARK_MIN] = { "wmark_min", 0, 32, NULL },
		[PA_CFG_WMARK_GAP] = { "wmark_gap", 0, 16, NULL },
		[PA_CFG_PCP_BATCH] = { "pcp_batch", 1, 31, NULL },
		[PA_CFG_PCP_HIGH_MULT] = { "pcp_high_mult", 0, 6, NULL },
		[PA_CFG_PREEMPT_RT] = { "preempt_rt", 0, 1, onoff },
		[PA_CFG_PROVE_RAW] = { "prove_raw_lock_nesting", 0, 1, onoff },
		[PA_CFG_DEBUG_PAGEALLOC] = { "debug_pagealloc", 0, 1, onoff },
	},
	.cfg_nr_cpus = pagealloc_nr_cpus,
	.cfg_budget = pagealloc_budget,
	.cfg_machine = pagealloc_cfg_machine,
	.op_context = pagealloc_op_context,
	.obs_size = sizeof(struct pa_obs),
	.diff_state_size = sizeof(struct pa_diff_state),
	.diff = pagealloc_diff,
};
_Static_assert(sizeof(struct pa_obs) <= 256, "pa_obs must fit the driver");

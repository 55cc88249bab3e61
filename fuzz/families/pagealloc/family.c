// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pagealloc family: descriptor tables from pagealloc_family.h, contexts and
 * the differential relations between an implementation and v5.9.
 *
 * Differential relations (ids as reported):
 *   LOCKSTEP          until the first legitimate divergence, every op gives
 *                     the same result and the same observables (page
 *                     identities, free counts, pcp counts, kvfree_rcu
 *                     accounting, grace periods, work run) and the same
 *                     hidden machine state (pending fault injections, work
 *                     items, RCU callbacks).  A divergence is legitimate only
 *                     at an op that uses the new function or flag:
 *                     lockless_alloc, kvfree_rcu, run_work (the RFC 1/4
 *                     worker), page_alloc with __GFP_NO_LOCKS; and at boot
 *                     when the two kfree_rcu_batch_init() cached different
 *                     bnode pages (RFC 1/4 drops v5.9's prefill).
 *   FALLBACK_BOUND    impl kvfree_rcu fallbacks <= ref fallbacks + impl
 *                     block-page attempts that failed.
 *   ALLOC_FAIL        an order-0 page_alloc without the new flag that the
 *                     reference satisfies fails in the implementation (not
 *                     by an injected failure) although no zone had fewer
 *                     free pages in the implementation than in the
 *                     reference when the op started, and their watermark
 *                     boosts are equal: both run the same code, whose
 *                     watermark decisions are monotone in the zone's free
 *                     pages.
 */
#include <stdio.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include "pagealloc_family.h"

const char *const pa_gfp_names[PA_GFP_NR] = {
	"GFP_KERNEL", "GFP_NOWAIT", "GFP_ATOMIC", "ZERO", "NO_LOCKS",
	"NO_LOCKS_RECLAIM", "NO_LOCKS_ZERO"
};
const char *const pa_mt_names[] = { "unmovable", "movable", "reclaimable" };
const char *const pa_ctx_names[MM_CTX_NR] = {
	"process", "irqs_off", "raw_lock_held", "zone_lock_held", "nmi"
};
const char *const pa_fail_names[] = { "page_alloc", "kmalloc" };
const char *const pa_zone_names[] = { "DMA32", "Normal" };
const char *const pa_onoff_names[] = { "off", "on" };

static const struct mm_opdesc pagealloc_ops[MM_OP_SLOTS] = MM_OPDESCS(PA_OPS);
static const struct mm_argdesc pagealloc_cfg[] = MM_CFGDESCS(PA_CFG);
static const struct mm_invdesc pagealloc_invariants[] = MM_INVDESCS(PA_INVARIANTS);
static const struct mm_obsdesc pagealloc_obs[] = MM_OBSDESCS(pa_obs, PA_OBS);

/* the zones' pages are charged once at boot; metadata is bookkeeping */
static void pagealloc_cfg_machine(const struct mm_config *cfg, struct mm_machine *m)
{
	m->budget_pages = (long)(cfg->v[PA_CFG_dma32_blocks] + cfg->v[PA_CFG_normal_blocks]) * 16 + 256;
	m->preempt_rt = cfg->v[PA_CFG_preempt_rt];
	m->prove_raw_lock_nesting = cfg->v[PA_CFG_prove_raw_lock_nesting];
}

/*
 * The context of an op beyond its cpu and ctx arguments: contexts no caller
 * may use are mapped to the nearest legal one.  NMI (neither v5.9 nor the
 * RFC supports kvfree_rcu or the page allocator from NMI) runs with irqs
 * off; blocking requests (GFP_KERNEL, __GFP_RECLAIM, one-argument
 * kvfree_rcu) run in process context.
 */
static void pagealloc_op_context(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	if (op->id == PA_OP_PAGE_ALLOC &&
	    (op->arg[PA_PAGE_ALLOC_gfp] == PA_GFP_KERNEL ||
	     op->arg[PA_PAGE_ALLOC_gfp] == PA_GFP_NO_LOCKS_RECLAIM))
		*ctx = MM_CTX_PROCESS;
	if (op->id == PA_OP_PAGE_ALLOC_BULK &&
	    (op->arg[PA_PAGE_ALLOC_BULK_gfp] == PA_GFP_KERNEL ||
	     op->arg[PA_PAGE_ALLOC_BULK_gfp] == PA_GFP_NO_LOCKS_RECLAIM))
		*ctx = MM_CTX_PROCESS;
	if (op->id == PA_OP_KVFREE_RCU && op->arg[PA_KVFREE_RCU_nargs] == 1)
		*ctx = MM_CTX_PROCESS;	/* "might_sleep() context only" */
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
	case PA_OP_QUIET:		/* runs the work run_work runs */
		return true;
	case PA_OP_PAGE_ALLOC:
		return op->arg[PA_PAGE_ALLOC_gfp] >= PA_GFP_NO_LOCKS;
	case PA_OP_PAGE_ALLOC_BULK:
		return op->arg[PA_PAGE_ALLOC_BULK_gfp] >= PA_GFP_NO_LOCKS;
	default:
		return false;
	}
}

/* the kernel function an op enters, for the signature of a relation */
static const char *op_kernel_function(const struct mm_op *op)
{
	switch (op->id) {
	case PA_OP_PAGE_ALLOC:		return "__alloc_pages_nodemask";
	case PA_OP_PAGE_FREE:		return "__free_pages";
	case PA_OP_LOCKLESS_ALLOC:	return "kvfree_call_rcu_add_ptr_to_bulk";
	case PA_OP_KVFREE_RCU:		return "kvfree_call_rcu";
	case PA_OP_RCU_GP:		return "rcu_gp_kthread";
	case PA_OP_RUN_WORK:		return "process_one_work";
	case PA_OP_DRAIN_LOCAL:		return "drain_local_pages";
	case PA_OP_DRAIN_ALL:		return "drain_all_pages";
	case PA_OP_FAIL_NEXT:		return "should_fail_alloc_page";
	case PA_OP_INJECT_BAD_PAGE:	return "check_new_page";
	case PA_OP_SET_PCP:		return "pageset_update";
	case PA_OP_KSWAPD:		return "balance_pgdat";
	case PA_OP_PAGE_ALLOC_BULK:	return "__alloc_pages_nodemask";
	case PA_OP_PAGE_FREE_EVERY:	return "__free_pages";
	case PA_OP_QUIET:		return "process_one_work";
	default:			return "?";
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
	if (r->kswapd_wakeups != i->kswapd_wakeups || r->kswapd_runs != i->kswapd_runs)
		return "kswapd wake-ups";
	for (int z = 0; z < PA_NR_ZONES; z++)
		if (r->watermark_boost[z] != i->watermark_boost[z])
			return "watermark boost";
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

	/* FALLBACK_BOUND */
	if (io->kv_fallbacks > ro->kv_fallbacks + io->lockless_failed)
		mm_violation("FALLBACK_BOUND", "kvfree_call_rcu",
			     "implementation fell back %ld times, reference %ld, failed block-page attempts %ld",
			     io->kv_fallbacks, ro->kv_fallbacks, io->lockless_failed);

	/* ALLOC_FAIL */
	if (op->id == PA_OP_PAGE_ALLOC && op->arg[PA_PAGE_ALLOC_order] == 0 &&
	    op->arg[PA_PAGE_ALLOC_gfp] < PA_GFP_NO_LOCKS && rr->status == 0 && ir->status != 0 &&
	    !ir->val[3]) {
		bool fewer = false;

		for (int z = 0; z < PA_NR_ZONES; z++)
			/*
			 * the watermarks the op met are those of its start: a
			 * boost the op itself raised (a steal) came after
			 */
			if (io->nr_free_before[z] < ro->nr_free_before[z] ||
			    io->watermark_boost_before[z] != ro->watermark_boost_before[z])
				fewer = true;	/* or watermarks boosted differently */
		if (!fewer && !io->bad_pages && !ro->bad_pages)
			mm_violation("ALLOC_FAIL", "__alloc_pages_nodemask",
				     "order-0 %s fails in the implementation only, with free pages DMA32 %ld/%ld Normal %ld/%ld (impl/ref), equal boosts",
				     pa_gfp_names[op->arg[PA_PAGE_ALLOC_gfp]], io->nr_free_before[0],
				     ro->nr_free_before[0], io->nr_free_before[1],
				     ro->nr_free_before[1]);
		mm_note("ALLOC_FAIL_EXPLAINED", "order-0 allocation fails in the implementation only (fewer free pages or another boost)");
	}

	/*
	 * LOCKSTEP from boot, unless the two kfree_rcu_batch_init() cached a
	 * different number of bnode pages: a change of the kvfree_rcu client
	 * (RFC 1/4 drops v5.9's prefill), so the runs differ from op 0.
	 */
	if (d->op_index == 0 && !s->diverged &&
	    ro->boot_bnode_pages != io->boot_bnode_pages) {
		s->diverged = true;
		s->diverged_at = -1;
		mm_note("LOCKSTEP_END", "boot: kfree_rcu_batch_init() cached %ld bnode pages, the reference %ld",
			io->boot_bnode_pages, ro->boot_bnode_pages);
	}

	/* LOCKSTEP */
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
				mm_violation("LOCKSTEP", op_kernel_function(op),
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
	.help = "mm/page_alloc.c v5.9 buddy and per-cpu lists with kvfree_rcu(); Rezki's 2020 series \"kvfree_rcu() and _LOCK_NESTING/_PREEMPT_RT\"",
	.ops = pagealloc_ops,
	.nr_cfg = PA_CFG__NR,
	.cfg = pagealloc_cfg,
	.invariants = pagealloc_invariants,
	.nr_obs = MM_NR_OBS(PA_OBS),
	.obs = pagealloc_obs,
	.obs_size = sizeof(struct pa_obs),
	.cfg_machine = pagealloc_cfg_machine,
	.op_context = pagealloc_op_context,
	.tasks = true,
	.diff_state_size = sizeof(struct pa_diff_state),
	.diff = pagealloc_diff,
};

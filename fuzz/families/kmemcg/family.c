// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kmemcg family: descriptor tables from kmemcg_family.h, contexts and
 * the differential relations between an implementation (v4, tryget-live,
 * v5.3) and v5.1.
 *
 * Relations (ids as reported):
 *   ALLOC_RESULT     kmem_alloc and alloc_end allocate the same number of
 *                    objects, as many from non-root caches, charging as
 *                    many pages: both schemes pick the memcg the same way,
 *                    create caches through the same work and charge the
 *                    same counters.
 *   STATS_EQUAL      live objects, slab pages, per-memcg kmem usage and
 *                    lruvec slab stats are equal after every op.
 *   QUIESCENT_BOUND  when both are quiescent (no RCU callback, no work, no
 *                    allocation in flight), the implementation has no more
 *                    live non-root caches and no more live memcgs than the
 *                    reference: destruction times may differ (caches go
 *                    earlier), never the other way.  It holds while both
 *                    have the same objects: once an allocation succeeds in
 *                    one and fails in the other (after the first cache
 *                    release their slab pages go at different ops, so the
 *                    page budget runs out at different ops), an object
 *                    charged in one variant pins its cache and memcg there
 *                    only (mm/memcontrol.c v5.3: a kmem page holds a
 *                    reference on its cache, the cache one on its memcg).
 * The first two hold until the first legitimate divergence: an injected
 * percpu_ref_init() failure taken by the implementation only (v5.1 has no
 * percpu_ref in a kmem_cache), after which a cache the reference creates
 * is missing in the implementation and its allocations go to the root
 * cache; or the first release of a non-root cache in the implementation
 * (v5.1 never releases one before its memcg is freed), after which the
 * two memcg_kmem_cache_wq hold different items and run_work runs
 * different ones, so empty slabs go at different ops.  Sysfs lifetimes and allocations into killed caches are metrics
 * (observables), never relations.
 */
#include <stdio.h>
#include <string.h>

#include "kmemcg_family.h"

const char *const kmc_gfp_names[KMC_GFP_NR] = { "GFP_KERNEL_ACCOUNT", "GFP_NOWAIT", "IRQ" };
const char *const kmc_fail_names[KMC_FAIL_NR] = { "kmalloc", "charge", "percpu_ref_init", "page_alloc" };
const char *const kmc_wq_names[] = { "memcg_kmem_cache", "system" };

static const struct mm_opdesc kmemcg_ops[MM_OP_SLOTS] = MM_OPDESCS(KMC_OPS);
static const struct mm_argdesc kmemcg_cfg[] = MM_CFGDESCS(KMC_CFG);
static const struct mm_invdesc kmemcg_invariants[] = MM_INVDESCS(KMC_INVARIANTS);
static const struct mm_obsdesc kmemcg_obs[] = MM_OBSDESCS(kmc_obs, KMC_OBS);

/* an allocation from interrupt context runs with interrupts off */
static void kmemcg_op_context(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	*ctx = MM_CTX_PROCESS;
	if (op->id == KMC_OP_KMEM_ALLOC && op->arg[KMC_KMEM_ALLOC_gfp] == KMC_GFP_IRQ)
		*ctx = MM_CTX_IRQS_OFF;
}

struct kmc_diff_state {
	bool diverged;
	bool faults_diverged;
	bool objects_diverged;
};

static void kmemcg_diff(struct mm_diffctx *d)
{
	struct kmc_diff_state *st = d->state;
	const struct kmc_obs *ro = d->ref_obs, *io = d->impl_obs;
	const struct mm_opres *rr = d->ref_res, *ir = d->impl_res;
	const struct mm_op *op = d->op;
	const char *opname = d->fam->ops[op->id].name;

	if (d->impl_m->fail_hits[MM_FAIL_POPULATE] != d->ref_m->fail_hits[MM_FAIL_POPULATE] ||
	    io->cache_releases != ro->cache_releases)
		st->diverged = true;
	if (!st->diverged) {
		if ((op->id == KMC_OP_KMEM_ALLOC || op->id == KMC_OP_ALLOC_END) &&
		    (rr->status != ir->status || memcmp(rr->val, ir->val, 3 * sizeof(long))))
			mm_violation("ALLOC_RESULT", opname,
				     "allocated %ld (%ld non-root, %ld pages charged) vs reference %ld (%ld, %ld)",
				     ir->val[0], ir->val[1], ir->val[2], rr->val[0], rr->val[1], rr->val[2]);
		if (op->id == KMC_OP_ALLOC_BEGIN && rr->val[0] != ir->val[0])
			mm_violation("ALLOC_RESULT", opname, "memcg_kmem_get_cache() returned a %s cache, reference a %s one",
				     ir->val[0] ? "non-root" : "root", rr->val[0] ? "non-root" : "root");
		if (ro->live_objects != io->live_objects || ro->slab_pages != io->slab_pages)
			mm_violation("STATS_EQUAL", opname, "objects %ld slab pages %ld vs reference %ld %ld",
				     io->live_objects, io->slab_pages, ro->live_objects, ro->slab_pages);
		for (int m = 0; m < KMEMCG_NR_MEMCG; m++)
			if ((ro->kmem_usage[m] >= 0 && io->kmem_usage[m] >= 0 &&
			     ro->kmem_usage[m] != io->kmem_usage[m]) ||
			    (ro->lruvec_slab[m] >= 0 && io->lruvec_slab[m] >= 0 &&
			     ro->lruvec_slab[m] != io->lruvec_slab[m]))
				mm_violation("STATS_EQUAL", opname,
					     "memcg m%d kmem %ld lruvec slab %ld vs reference %ld %ld", m,
					     io->kmem_usage[m], io->lruvec_slab[m], ro->kmem_usage[m],
					     ro->lruvec_slab[m]);
	}
	for (int k = 0; k < MM_FAIL_NR; k++)
		if (d->impl_m->fail_hits[k] != d->ref_m->fail_hits[k] ||
		    d->impl_m->fail_next[k] != d->ref_m->fail_next[k])
			st->faults_diverged = true;
	if ((op->id == KMC_OP_KMEM_ALLOC || op->id == KMC_OP_ALLOC_END) &&
	    (rr->status != ir->status || memcmp(rr->val, ir->val, 3 * sizeof(long))))
		st->objects_diverged = true;
	if (ro->live_objects != io->live_objects)
		st->objects_diverged = true;
	if (!st->faults_diverged && !st->objects_diverged && ro->quiescent && io->quiescent &&
	    (io->live_nonroot_caches > ro->live_nonroot_caches || io->live_memcgs > ro->live_memcgs))
		mm_violation("QUIESCENT_BOUND", opname,
			     "quiescent: %ld non-root caches and %ld memcgs live, reference %ld and %ld",
			     io->live_nonroot_caches, io->live_memcgs, ro->live_nonroot_caches, ro->live_memcgs);
}

const struct mm_family kmemcg_family = {
	.name = "kmemcg",
	.help = "non-root kmem_cache lifecycle (mm/slab_common.c, mm/memcontrol.c v5.1; \"mm: rework non-root kmem_cache lifecycle management\", Roman Gushchin, 2019)",
	.ops = kmemcg_ops,
	.nr_cfg = KMC_CFG__NR,
	.cfg = kmemcg_cfg,
	.invariants = kmemcg_invariants,
	.nr_obs = MM_NR_OBS(KMC_OBS),
	.obs = kmemcg_obs,
	.obs_size = sizeof(struct kmc_obs),
	.op_context = kmemcg_op_context,
	.tasks = true,
	.diff_state_size = sizeof(struct kmc_diff_state),
	.diff = kmemcg_diff,
};

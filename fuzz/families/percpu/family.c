// SPDX-License-Identifier: GPL-2.0-only
/*
 * The percpu family: descriptor tables from percpu_family.h and the
 * differential relations between an implementation and its reference.
 *
 * Differential relations (ids as reported):
 *   OOM_LIKE           in lockstep, a GFP_KERNEL allocation the reference
 *                      satisfies fails in the implementation with no
 *                      injected failure, while the implementation holds more
 *                      backing pages than the reference by more than one
 *                      chunk's worth (a layout or metadata difference within
 *                      that is legitimate and only noted).
 *   POPULATED_BOUND    in lockstep (identical allocation results so far, no
 *                      depopulation yet), after a balance run in both:
 *                      impl populated <= ref populated + impl pop_slack.
 *   CHUNK_BOUND        in lockstep: impl chunks <= ref chunks + two per chunk type.
 *   ATOMIC_SHORTFALL   in lockstep, from equal allocation-state digests
 *                      before the op: an atomic allocation the reference
 *                      satisfies does not fail in the implementation.
 * Soft (noted, never a verdict, because the kernel allows them):
 *   atomic allocations failing only in the implementation from another
 *   allocation state, and fewer than
 *   PCPU_EMPTY_POP_PAGES_LOW empty populated pages after a balance run with
 *   no failure.
 */
#include <string.h>

#include <linux/kernel.h>
#include "percpu_family.h"

const char *const pcpu_gfp_names[] = { "GFP_KERNEL", "GFP_NOWAIT" };
const char *const pcpu_type_names[] = { "root", "memcg" };
const char *const pcpu_backend_names[] = { "vm", "km" };
const char *const pcpu_onoff_names[] = { "off", "on" };
const char *const pcpu_fail_names[] = { "populate", "create_chunk", "kmalloc" };
const char *const pcpu_deflate_names[] = {
	"random", "every_k", "keep_one_per_chunk", "keep_one_per_page"
};

static const struct mm_opdesc percpu_ops[MM_OP_SLOTS] = MM_OPDESCS(PCPU_OPS);
static const struct mm_argdesc percpu_cfg[] = MM_CFGDESCS(PCPU_CFG);
static const struct mm_invdesc percpu_invariants[] = MM_INVDESCS(PCPU_INVARIANTS);
static const struct mm_obsdesc percpu_obs[] = MM_OBSDESCS(pcpu_obs, PCPU_OBS);

struct percpu_diff_state {
	bool diverged;
	unsigned long ref_injected, impl_injected;	/* injected failures taken */
	unsigned long ref_refused, impl_refused;	/* budget refusals */
	long ref_digest, impl_digest;	/* alloc_state_digest before this op */
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
	       op->id == PCPU_OP_DEFLATE || op->id == PCPU_OP_FREE_EVERY ||
	       op->id == PCPU_OP_FREE_CHUNK;
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
	/* alloc and alloc_small share their argument layout */
	bool atomic = (op->id == PCPU_OP_ALLOC && op->arg[PCPU_ALLOC_gfp]) ||
		      (op->id == PCPU_OP_ALLOC_SMALL && op->arg[PCPU_ALLOC_SMALL_gfp]);
	int nr_cpus = (int)d->cfg->v[PCPU_CFG_nr_cpus];
	long unit_pages = d->cfg->v[PCPU_CFG_unit_pages];

	s->ref_injected = ri;
	s->impl_injected = ii;
	s->ref_refused = rb;
	s->impl_refused = ib;

	/*
	 * Lockstep needs one first-chunk layout: every later placement
	 * depends on it, and two versions may lay it out differently (the
	 * hand ports once accepted a dynamic region below
	 * PERCPU_DYNAMIC_EARLY_SIZE, which pcpu_setup_first_chunk() refuses).
	 */
	if (!s->diverged && ro->first_chunk_pages != io->first_chunk_pages) {
		s->diverged = true;
		mm_note("LOCKSTEP_END", "first chunks of %ld and %ld pages per unit",
			ro->first_chunk_pages, io->first_chunk_pages);
	}

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
			mm_violation("OOM_LIKE", "pcpu_alloc",
				     "GFP_KERNEL allocation fails in the implementation only; it holds %ld backing pages, the reference %ld (slack %ld, budget %ld)",
				     d->impl_m->pages_used, d->ref_m->pages_used, slack,
				     d->impl_m->budget_pages);
		mm_note("OOM_LIKE_WITHIN_SLACK", "GFP_KERNEL allocation fails only in the implementation, within slack (impl %ld pages, ref %ld)",
			mm_machine_pages_held(d->impl_m), mm_machine_pages_held(d->ref_m));
	}
	/*
	 * ATOMIC_SHORTFALL.  An atomic request is served from populated pages
	 * only (pcpu_find_block_fit(pop_only), no chunk creation, no
	 * population), by a search that reads the slot lists in order, the
	 * chunks' hints and their populated bitmaps -- all in the digest --
	 * and the allocation maps, equal in lockstep.  From equal digests the
	 * implementation's search meets the same chunks in the same order with
	 * the same pages: failing where the reference succeeded is a bug of its
	 * atomic path.  Where the digests differ (more or fewer populated
	 * pages, another list order: a chunk demoted to slot 0 by a failed fit
	 * is skipped by later small requests) an atomic failure only in the
	 * implementation is legitimate and only noted.  No digest (0): no bound.
	 */
	if (!s->diverged && atomic && rr->status == 0 && ir->status < 0 &&
	    !impl_injected_now && s->ref_digest && s->ref_digest == s->impl_digest)
		mm_violation("ATOMIC_SHORTFALL", "pcpu_alloc",
			     "atomic allocation fails in the implementation only, from the same allocation state as the reference (empty populated pages %ld)",
			     io->nr_empty_pop_pages);
	s->ref_digest = ro->alloc_state_digest;
	s->impl_digest = io->alloc_state_digest;
	if (atomic && rr->status == 0 && ir->status < 0)
		mm_note("ATOMIC_FAILS_ONLY_IN_IMPL", "atomic allocation fails only in the implementation (empty populated pages %ld)",
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

	/*
	 * Only after a balance run in both: a revision that schedules the work
	 * more often (RFC 3/4 does for its depopulation hints) may run it where
	 * the reference's is not pending, and that run may grow the pool to
	 * HIGH empty pages, a whole chunk at a time with the km backend.
	 */
	if ((op->id == PCPU_OP_BALANCE || op->id == PCPU_OP_FORCE_BALANCE ||
	     op->id == PCPU_OP_BALANCE_QUIET) && rr->status == 0 && ir->status == 0) {
		if (io->nr_populated > ro->nr_populated + io->pop_slack)
			mm_violation("POPULATED_BOUND", "pcpu_balance_workfn",
				     "implementation populated %ld pages, reference %ld, allowance %ld",
				     io->nr_populated, ro->nr_populated, io->pop_slack);
		if (!impl_faulted && io->nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
			mm_note("EMPTY_POP_PAGES_LOW", "%ld empty populated pages after a balance run",
				io->nr_empty_pop_pages);
	}
	/*
	 * A balance run may end with two fully free chunks of a type: the one
	 * its pcpu_balance_free step kept and one its populate step created
	 * (after an atomic failure it populates HIGH pages regardless of the
	 * empty ones); the next run reaps the extra one.
	 */
	if (io->nr_chunks > ro->nr_chunks + 2 * io->nr_chunk_types)
		mm_violation("CHUNK_BOUND", "pcpu_create_chunk",
			     "implementation has %ld chunks, reference %ld (allowance %ld)",
			     io->nr_chunks, ro->nr_chunks, 2 * io->nr_chunk_types);
}

const struct mm_family percpu_family = {
	.name = "percpu",
	.tasks = true,
	.help = "mm/percpu.c: bitmap era (v5.12, on-demand depopulation 2021, v5.14) and area-map era (v3.17, v3.18 asynchronous population)",
	.ops = percpu_ops,
	.nr_cfg = PCPU_CFG__NR,
	.cfg = percpu_cfg,
	.invariants = percpu_invariants,
	.nr_obs = MM_NR_OBS(PCPU_OBS),
	.obs = percpu_obs,
	.obs_size = sizeof(struct pcpu_obs),
	.diff_state_size = sizeof(struct percpu_diff_state),
	.diff = percpu_diff,
};

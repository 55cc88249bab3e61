// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drain family: descriptor tables from drain_family.h, op contexts and
 * the differential relations between an implementation and v5.17.
 *
 * No lockstep: the variants legitimately differ in when other work on
 * mm_percpu_wq runs (the kthread worker runs before it) and in the pages
 * their kthread workers take, so page state may diverge after any drain,
 * tick or hotplug op.  Only bounds are checked:
 *   DRAINED       after a drain_all_pages op that ran to completion in both,
 *                 each (online CPU, zone in scope) whose pcp the reference
 *                 left empty, and which held pages in the implementation
 *                 when the op started, is empty in the implementation
 *                 unless a page was freed to it after its drain.
 *   EARLY_RETURN  a drain_all_pages op (pcpu_drain_mutex free at every op
 *                 start) returns early in both or in neither.
 *   ALLOC_FAIL    a GFP_KERNEL alloc op gets at least as many pages in the
 *                 implementation as in the reference when, for every zone
 *                 of its zonelist, the implementation's free pages (buddy +
 *                 pcp) at op start are at least the reference's free pages
 *                 plus the pages the reference's pending work may free
 *                 during its drain.
 * Drain latency (ticks a drain waits for its flush) is an observable and a
 * note, never a verdict.
 */
#include <stdio.h>
#include <string.h>

#include "drain_family.h"

const char *const dr_boot_names[] = { "late", "early" };
const char *const dr_zone_names[] = { "NULL", "DMA32", "Normal" };
const char *const dr_slab_names[] = { "cached", "new_page" };
const char *const dr_mt_names[] = { "unmovable", "movable", "reclaimable" };
const char *const dr_gfp_names[] = { "GFP_KERNEL", "GFP_NOWAIT" };
const char *const dr_work_names[] = { "vmstat_update", "lru_add_drain", "blocker" };
const char *const dr_fail_names[] = { "kthread_create", "kmalloc" };

static const struct mm_opdesc drain_ops[MM_OP_SLOTS] = MM_OPDESCS(DR_OPS);
static const struct mm_argdesc drain_cfg[] = MM_CFGDESCS(DR_CFG);
static const struct mm_invdesc drain_invariants[] = MM_INVDESCS(DR_INVARIANTS);
static const struct mm_obsdesc drain_obs[] = MM_OBSDESCS(dr_obs, DR_OBS);

/* pages live in the family's zones; the budget only bounds bookkeeping */
static void drain_cfg_machine(const struct mm_config *cfg, struct mm_machine *m)
{
	m->budget_pages = 1L << 20;
}

/*
 * Hotplug callbacks of CPUHP_AP_ONLINE_DYN run on the CPU going up or
 * down (its hotplug thread); page_alloc_init_late() and the scheduler tick
 * on CPU 0.  Every op runs in process context.
 */
static void drain_op_context(const struct mm_op *op, int *cpu, enum mm_ctx *ctx)
{
	if (op->id == DR_OP_CPU_ONLINE)
		*cpu = (int)op->arg[DR_CPU_ONLINE_cpu];
	else if (op->id == DR_OP_CPU_OFFLINE)
		*cpu = (int)op->arg[DR_CPU_OFFLINE_cpu];
	*ctx = MM_CTX_PROCESS;
}

static long online_mask(const struct dr_obs *o)
{
	return o->online_mask;
}

static void drain_diff(struct mm_diffctx *d)
{
	const struct dr_obs *ro = d->ref_obs, *io = d->impl_obs;
	const struct mm_opres *rr = d->ref_res, *ir = d->impl_res;
	const struct mm_op *op = d->op;

	if (op->id == DR_OP_DRAIN_ALL && rr->status == 0 && ir->status == 0) {
		int zarg = (int)op->arg[DR_DRAIN_ALL_zone];

		if (rr->val[0] != ir->val[0])
			mm_violation("EARLY_RETURN", "__drain_all_pages",
				     "the reference %s, the implementation %s",
				     rr->val[0] ? "returned early" : "drained",
				     ir->val[0] ? "returned early" : "drained");
		if (!rr->val[0] && !ir->val[0]) {
			for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
				if (!(online_mask(io) & (1L << cpu)))
					continue;
				for (int z = 0; z < DR_NR_ZONES; z++) {
					if (zarg != 0 && zarg - 1 != z)
						continue;
					/*
					 * pages freed after the list's drain (other
					 * work running while the drain waited) are
					 * the kernel's to leave, as PAGES_NOT_DRAINED
					 * allows them
					 */
					if (ro->pcp_count[cpu][z] == 0 && io->pcp_before[cpu][z] > 0 &&
					    io->pcp_count[cpu][z] > 0 && !io->freed_after_drain[cpu][z] &&
					    (online_mask(ro) & (1L << cpu)))
						mm_violation("DRAINED", "__drain_all_pages",
							     "CPU %d %s: the reference left its pcp lists empty, the implementation holds %ld pages (%ld when the drain started)",
							     cpu, z ? "Normal" : "DMA32", io->pcp_count[cpu][z],
							     io->pcp_before[cpu][z]);
				}
			}
		}
	}

	if (op->id == DR_OP_ALLOC && op->arg[DR_ALLOC_gfp] == 0 && rr->status != 1 &&
	    ir->status != 1 && ir->val[0] < rr->val[0]) {
		bool premise = true;

		for (int z = 0; z <= (int)op->arg[DR_ALLOC_zone]; z++)
			if (io->free_before[z] < ro->free_before[z] + ro->work_before[z])
				premise = false;
		if (premise)
			mm_violation("ALLOC_FAIL", "__alloc_pages",
				     "the implementation got %ld of %ld pages, the reference %ld, with free pages DMA32 %ld/%ld+%ld Normal %ld/%ld+%ld (impl/ref+pending work)",
				     ir->val[0], ir->val[1], rr->val[0], io->free_before[0],
				     ro->free_before[0], ro->work_before[0], io->free_before[1],
				     ro->free_before[1], ro->work_before[1]);
		mm_note("ALLOC_FAIL_EXPLAINED", "fewer pages in the implementation, which had fewer free pages");
	}

	if (op->id == DR_OP_DRAIN_ALL && ro->last_drain_ticks != io->last_drain_ticks)
		mm_note("DRAIN_LATENCY_DIFF", "op %d: reference waited %ld ticks, implementation %ld",
			d->op_index, ro->last_drain_ticks, io->last_drain_ticks);
}

const struct mm_family drain_family = {
	.name = "drain",
	.help = "mm/page_alloc.c v5.17 drain_all_pages() on mm_percpu_wq; the 2022 RFC \"replace mm_percpu_wq with kthreads in drain_all_pages\"",
	.ops = drain_ops,
	.nr_cfg = DR_CFG__NR,
	.cfg = drain_cfg,
	.invariants = drain_invariants,
	.nr_obs = MM_NR_OBS(DR_OBS),
	.obs = drain_obs,
	.obs_size = sizeof(struct dr_obs),
	.cfg_machine = drain_cfg_machine,
	.op_context = drain_op_context,
	.tasks = true,
	.diff = drain_diff,
};

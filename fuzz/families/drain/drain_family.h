/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drain family: drain_all_pages() of mm/page_alloc.c (v5.17) and the
 * RFC "mm: page_alloc: replace mm_percpu_wq with kthreads in
 * drain_all_pages" (Suren Baghdasaryan, Feb 2022): operation language,
 * invariants and observables, declared once.  Op slot numbers and config
 * indices are stable forever.
 */
#ifndef MM_DRAIN_FAMILY_H
#define MM_DRAIN_FAMILY_H

#include <mm/harness.h>

#define DR_NR_ZONES	2	/* ZONE_DMA32, ZONE_NORMAL */

/* Config fields, in binary order (stable forever). */
#define DR_CFG(X, p) \
	X(p, nr_cpus, 1, MM_MAX_CPUS, NULL, MM_CFG_NR_CPUS, "CPUs (all online at start; CPU 0 never goes offline)") \
	X(p, dma32_pages, 4, 64, NULL, 0, "ZONE_DMA32 present pages") \
	X(p, normal_pages, 4, 128, NULL, 0, "ZONE_NORMAL present pages") \
	X(p, wmark_min, 0, 32, NULL, 0, "WMARK_MIN of each zone (low = min + min / 4)") \
	X(p, pcp_batch, 1, 16, NULL, 0, "pcp->batch") \
	X(p, pcp_high_mult, 1, 6, NULL, 0, "pcp->high = mult * batch") \
	X(p, boot, 0, 1, dr_boot_names, 0, "late: page_alloc_init_late() has run; early: it has not (init_late op)")
MM_DECLARE_CFG(DR_CFG, DR_CFG)

/* Ops: slot numbers are stable forever. */
#define DR_OPS(OP) \
	OP(DR, ALLOC, 0, alloc, "n x __alloc_pages(gfp, 0) from the zonelist of zone (direct reclaim drains with drain_all_pages(NULL))") \
	OP(DR, FREE, 1, free, "n x free_unref_page() of live page k % nr_live, on cpu") \
	OP(DR, DRAIN_ALL, 2, drain_all_pages, "__drain_all_pages(zone, force_all_cpus) from a task on cpu") \
	OP(DR, DRAIN_LOCAL, 3, drain_local_pages, "drain_local_pages(zone) on cpu") \
	OP(DR, CPU_ONLINE, 4, cpu_online, "bring cpu up: the CPUHP_AP_ONLINE_DYN startup callbacks run on it") \
	OP(DR, CPU_OFFLINE, 5, cpu_offline, "take cpu down: teardown callbacks, then page_alloc_cpu_dead()") \
	OP(DR, INJECT_WORK, 6, inject_work, "queue other work on mm_percpu_wq of cpu (FIFO behind what is queued)") \
	OP(DR, SCHED_TICK, 7, sched_tick, "n scheduler ticks on every online CPU") \
	OP(DR, CPU_LOAD, 8, cpu_load, "nr normal-priority tasks competing for cpu") \
	OP(DR, FAIL_NEXT, 9, fail_next, "the next n requests of a kind fail (sets the count)") \
	OP(DR, INIT_LATE, 10, init_late, "page_alloc_init_late() (nothing once it has run)")

#define DR_A_CPU(X, p) X(p, cpu, 0, MM_MAX_CPUS - 1, NULL, MM_ARG_CPU, "the CPU the caller runs on")
#define DR_A_ZONE(X, p) X(p, zone, 0, 2, dr_zone_names, 0, "zone: NULL (all populated zones), DMA32 or Normal")
#define DR_A_SLAB(X, p) \
	X(p, slab, 0, 1, dr_slab_names, 0, "the kthread worker's kzalloc(GFP_KERNEL): from a cached slab, or needs a new slab page from the page allocator") \
	X(p, reclaim_drain, 0, 2, dr_zone_names, 0, "the drain direct reclaim issues on that path: NULL (v5.17's __alloc_pages_direct_reclaim) or a zone-targeted one")
#define DR_ARGS_ALLOC(X, p) DR_A_CPU(X, p) \
	X(p, zone, 0, 1, dr_zone_names + 1, 0, "highest zone of the request (zonelist Normal, DMA32)") \
	X(p, mt, 0, 2, dr_mt_names, 0, "migratetype") \
	X(p, gfp, 0, 1, dr_gfp_names, 0, "GFP_KERNEL (may enter direct reclaim) or GFP_NOWAIT") \
	X(p, n, 1, 64, NULL, 0, "pages (one at a time; stops at the first failure)")
#define DR_ARGS_FREE(X, p) DR_A_CPU(X, p) \
	X(p, k, 0, 255, NULL, 0, "first live page (k % nr_live)") \
	X(p, n, 1, 64, NULL, 0, "pages")
#define DR_ARGS_DRAIN_ALL(X, p) DR_A_CPU(X, p) DR_A_ZONE(X, p) \
	X(p, force_all_cpus, 0, 1, NULL, 0, "1: the zone_pcp_disable() caller (every online CPU)")
#define DR_ARGS_DRAIN_LOCAL(X, p) DR_A_CPU(X, p) DR_A_ZONE(X, p)
#define DR_ARGS_CPU_ONLINE(X, p) \
	X(p, cpu, 1, MM_MAX_CPUS - 1, NULL, 0, "the CPU to bring up") DR_A_SLAB(X, p)
#define DR_ARGS_CPU_OFFLINE(X, p) \
	X(p, cpu, 1, MM_MAX_CPUS - 1, NULL, 0, "the CPU to take down")
#define DR_ARGS_INJECT_WORK(X, p) \
	X(p, cpu, 0, MM_MAX_CPUS - 1, NULL, 0, "the CPU whose pool runs it") \
	X(p, kind, 0, 2, dr_work_names, 0, "vmstat_update, lru_add_drain_per_cpu, or a blocker that frees pages when done") \
	X(p, cost, 1, 100, NULL, 0, "ticks of CPU it needs") \
	X(p, pages, 0, 8, NULL, 0, "blocker: live pages it holds and frees on its CPU when done")
#define DR_ARGS_SCHED_TICK(X, p) X(p, n, 1, 100, NULL, 0, "ticks")
#define DR_ARGS_CPU_LOAD(X, p) \
	X(p, cpu, 0, MM_MAX_CPUS - 1, NULL, 0, "the CPU") \
	X(p, nr, 0, 7, NULL, 0, "runnable SCHED_NORMAL tasks besides the workers")
#define DR_ARGS_FAIL_NEXT(X, p) \
	X(p, kind, 0, 1, dr_fail_names, 0, "kthread_create: the kthread's task creation; kmalloc: the worker's kzalloc") \
	X(p, n, 1, 8, NULL, 0, "requests")
#define DR_ARGS_INIT_LATE(X, p) DR_A_SLAB(X, p)
MM_DECLARE_OPS(DR_OPS)

enum dr_zone_arg { DR_ZONE_NULL, DR_ZONE_DMA32, DR_ZONE_NORMAL };
enum dr_work_kind { DR_WORK_VMSTAT, DR_WORK_LRU_ADD_DRAIN, DR_WORK_BLOCKER };
enum dr_fail_arg { DR_FAIL_KTHREAD_CREATE, DR_FAIL_KMALLOC };
enum dr_boot_arg { DR_BOOT_LATE, DR_BOOT_EARLY };

/*
 * Invariants and relations (ids as reported).  Latency is an observable
 * and a note, never a verdict.
 */
#define DR_INVARIANTS(I) \
	I(PAGES_NOT_DRAINED, "", "after __drain_all_pages() returns (not early), every CPU of cpus_with_pcps has empty pcp lists for the zone(s), unless a free followed its drain") \
	I(DRAIN_SKIPPED_BY_OWNER, "", "__drain_all_pages() returns early on pcpu_drain_mutex held by the calling task itself: no drain is in progress, no page is drained") \
	I(CONSERVATION, "", "every page is in exactly one place (buddy, a pcp list, a user, a slab, pending work) and the counts agree") \
	I(PCP_COUNT, "", "pcp->count equals the pages on its lists; NR_FREE_PAGES equals the buddy pages") \
	I(WORKER_MISSING, "", "after hotplug and init: an online CPU has a pg_drain worker unless its creation failed; an offline CPU has none") \
	I(DOUBLE_QUEUE, "", "a drain work item is never queued while pending, and none is pending once the drain returns") \
	I(NULL_DEREF, "", "a NULL pointer is dereferenced (the kernel oopses)") \
	I(DRAINED, "", "relation: after drain_all_pages ran to completion in both, a pcp list in scope the reference left empty and the implementation had pages on is empty") \
	I(EARLY_RETURN, "", "relation: a drain_all_pages op returns early in both or in neither") \
	I(ALLOC_FAIL, "", "relation: GFP_KERNEL pages the reference gets are got by an implementation with at least as many free pages per zone as the reference had free or held by pending work")

/* Observables every drain variant exports after each op. */
#define DR_OBS(O, A, p) \
	A(p, nr_free, [DR_NR_ZONES], "NR_FREE_PAGES per zone (buddy)") \
	A(p, pcp_count, [MM_MAX_CPUS][DR_NR_ZONES], "pcp->count per CPU and zone") \
	A(p, pcp_before, [MM_MAX_CPUS][DR_NR_ZONES], "pcp->count per CPU and zone when the last op started") \
	A(p, freed_after_drain, [MM_MAX_CPUS][DR_NR_ZONES], "1 where the last op drained the pcp lists and then a page was freed to them") \
	A(p, free_before, [DR_NR_ZONES], "buddy + pcp pages per zone when the last op started") \
	A(p, work_before, [DR_NR_ZONES], "pages held by pending work per zone when the last op started") \
	O(p, user_pages, "pages held by users") \
	O(p, slab_pages, "slab pages taken by kthread worker allocations") \
	O(p, work_pages, "pages held by pending blocker work") \
	O(p, pool_pending, "items pending on mm_percpu_wq, all CPUs") \
	O(p, online_mask, "online CPUs (bit mask)") \
	O(p, workers, "live pg_drain kthread workers") \
	O(p, drain_calls, "__drain_all_pages() calls, nested ones included") \
	O(p, drain_early, "of which returned early on pcpu_drain_mutex") \
	O(p, reclaim_drains, "drains issued by direct reclaim") \
	O(p, last_drain_ticks, "ticks the last top-level drain waited for its flush (latency)") \
	O(p, drain_ticks_total, "ticks waited by all drains (latency)") \
	O(p, ticks, "scheduler ticks so far")
MM_DECLARE_OBS(dr_obs, DR_OBS)

extern const char *const dr_boot_names[], *const dr_zone_names[], *const dr_slab_names[],
	*const dr_mt_names[], *const dr_gfp_names[], *const dr_work_names[],
	*const dr_fail_names[];

/*
 * Op results (struct mm_opres):
 *  alloc: status 0 or -ENOMEM; val[0] pages got, val[1] pages asked,
 *    val[2] direct reclaim rounds.
 *  free: val[0] pages freed.
 *  drain_all_pages: val[0] 1 if it returned early, val[1] ticks waited.
 *  cpu_online/offline, init_late: status 1 when nothing was done;
 *    val[0] live workers after.
 *  other ops: status 0 or 1 (nothing to do).
 */

extern const struct mm_family drain_family;
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pagealloc family (mm/page_alloc.c v5.9 buddy allocator with per-cpu
 * lists, watermark boost and kswapd wake-ups, and its kvfree_rcu() client of
 * kernel/rcu/tree.c v5.9; the series "kvfree_rcu() and _LOCK_NESTING/
 * _PREEMPT_RT" by Uladzislau Rezki, 2020-09, with "[RFC-PATCH 2/4] mm: Add
 * __rcu_alloc_page_lockless() func." and the __GFP_NO_LOCKS flag posted in
 * its thread): operation language, invariants and observables, declared
 * once.  Op slot numbers and config indices are stable forever.
 */
#ifndef MM_PAGEALLOC_FAMILY_H
#define MM_PAGEALLOC_FAMILY_H

#include <mm/harness.h>

/* Config fields, in binary order (stable forever). */
#define PA_CFG(X, p) \
	X(p, nr_cpus, 1, MM_MAX_CPUS, NULL, MM_CFG_NR_CPUS, "CPUs") \
	X(p, dma32_blocks, 1, 8, NULL, 0, "ZONE_DMA32 size in pageblocks of 16 pages") \
	X(p, normal_blocks, 1, 16, NULL, 0, "ZONE_NORMAL size in pageblocks of 16 pages") \
	X(p, boot_used_pct, 0, 90, NULL, 0, "% of each zone kept by boot (never freed)") \
	X(p, wmark_min, 0, 32, NULL, 0, "WMARK_MIN pages per zone") \
	X(p, wmark_gap, 0, 16, NULL, 0, "low = min + gap, high = min + 2 * gap") \
	X(p, pcp_batch, 1, 31, NULL, 0, "pcp batch argument (see set_pcp)") \
	X(p, pcp_high_mult, 0, 6, NULL, 0, "6: pageset_set_batch(batch); else pageset_set_high(mult * batch) (see set_pcp)") \
	X(p, preempt_rt, 0, 1, pa_onoff_names, 0, "CONFIG_PREEMPT_RT") \
	X(p, prove_raw_lock_nesting, 0, 1, pa_onoff_names, 0, "CONFIG_PROVE_RAW_LOCK_NESTING") \
	X(p, debug_pagealloc, 0, 1, pa_onoff_names, 0, "debug_pagealloc on (powerpc hash MMU: kernel_map_pages takes a spinlock_t)")
MM_DECLARE_CFG(PA_CFG, PA_CFG)

/* Ops: slot numbers are stable forever. */
#define PA_OPS(OP) \
	OP(PA, PAGE_ALLOC, 0, page_alloc, "__alloc_pages_nodemask(gfp | mt, order)") \
	OP(PA, PAGE_FREE, 1, page_free, "__free_pages() of live page k % nr_live") \
	OP(PA, LOCKLESS_ALLOC, 2, lockless_alloc, "the page allocation kvfree_rcu() makes for a new pointer block, called directly (v5.9: __get_free_page(GFP_NOWAIT | __GFP_NOWARN))") \
	OP(PA, KVFREE_RCU, 3, kvfree_rcu, "nobj x kvfree_rcu(ptr) (nargs 1) or kvfree_rcu(ptr, rh) (nargs 2)") \
	OP(PA, RCU_GP, 4, rcu_gp, "end one RCU grace period") \
	OP(PA, RUN_WORK, 5, run_work, "run n items of system_wq on cpu") \
	OP(PA, DRAIN_LOCAL, 6, drain_local, "drain_local_pages(NULL)") \
	OP(PA, DRAIN_ALL, 7, drain_all, "drain_all_pages(NULL), synchronously") \
	OP(PA, FAIL_NEXT, 8, fail_next, "the next n requests of a kind fail (sets the count)") \
	OP(PA, INJECT_BAD_PAGE, 9, inject_bad_page, "check_new_pcp() fails for the pos-th page of a pcp list") \
	OP(PA, SET_PCP, 10, set_pcp, "high_mult 6: pageset_set_batch(batch) (high 6 * batch); else pageset_set_high(high_mult * batch) (batch max(1, high / 4)), on every pageset") \
	OP(PA, KSWAPD, 11, kswapd, "kswapd, if woken, runs balance_pgdat() once (reclaims nothing) and sleeps again") \
	OP(PA, PAGE_ALLOC_BULK, 12, page_alloc_bulk, "n x page_alloc of one order, gfp and migratetype, stopping at the first failure") \
	OP(PA, PAGE_FREE_EVERY, 13, page_free_every, "__free_pages() of every k-th live page (index % k == phase % k; k 1: all)") \
	OP(PA, QUIET, 14, quiet, "run system_wq and end grace periods until no work and no RCU callback is pending, at most n rounds")

#define PA_A_CPU(X, p) X(p, cpu, 0, MM_MAX_CPUS - 1, NULL, MM_ARG_CPU, "the CPU the caller runs on")
#define PA_A_CTX(X, p) X(p, ctx, 0, MM_CTX_NR - 1, pa_ctx_names, MM_ARG_CTX, "the caller's context (nmi runs as irqs_off)")
#define PA_A_MT(X, p) X(p, mt, 0, 2, pa_mt_names, 0, "migratetype")
#define PA_ARGS_PAGE_ALLOC(X, p) PA_A_CPU(X, p) X(p, order, 0, 3, NULL, 0, "order") \
	X(p, gfp, 0, PA_GFP_NR - 1, pa_gfp_names, 0, "gfp mask (blocking ones run in process context)") \
	PA_A_MT(X, p) PA_A_CTX(X, p)
#define PA_ARGS_PAGE_FREE(X, p) PA_A_CPU(X, p) \
	X(p, k, 0, 255, NULL, 0, "which live page (k % nr_live)") PA_A_CTX(X, p)
#define PA_ARGS_LOCKLESS_ALLOC(X, p) PA_A_CPU(X, p) PA_A_CTX(X, p)
#define PA_ARGS_KVFREE_RCU(X, p) PA_A_CPU(X, p) \
	X(p, nargs, 1, 2, NULL, 0, "1: kvfree_rcu(ptr) (may sleep), 2: kvfree_rcu(ptr, rh)") \
	X(p, nobj, 1, 1024, NULL, 0, "objects") PA_A_CTX(X, p)
#define PA_ARGS_RCU_GP(X, p)
#define PA_ARGS_RUN_WORK(X, p) PA_A_CPU(X, p) X(p, n, 1, 16, NULL, 0, "items")
#define PA_ARGS_DRAIN_LOCAL(X, p) PA_A_CPU(X, p) PA_A_CTX(X, p)
#define PA_ARGS_DRAIN_ALL(X, p) PA_A_CPU(X, p)
#define PA_ARGS_FAIL_NEXT(X, p) \
	X(p, kind, 0, 1, pa_fail_names, 0, "page_alloc: pages from the hardware, kmalloc: metadata") \
	X(p, n, 1, 8, NULL, 0, "requests")
#define PA_ARGS_INJECT_BAD_PAGE(X, p) PA_A_CPU(X, p) \
	X(p, zone, 0, 1, pa_zone_names, 0, "zone") PA_A_MT(X, p) \
	X(p, pos, 0, 63, NULL, 0, "position on the pcp list")
#define PA_ARGS_SET_PCP(X, p) X(p, high_mult, 0, 6, NULL, 0, "6: pageset_set_batch(), else pageset_set_high()") \
	X(p, batch, 1, 31, NULL, 0, "batch (pageset_set_batch) or high / high_mult (pageset_set_high)")
#define PA_ARGS_KSWAPD(X, p)
#define PA_ARGS_PAGE_ALLOC_BULK(X, p) PA_A_CPU(X, p) X(p, order, 0, 3, NULL, 0, "order") \
	X(p, gfp, 0, PA_GFP_NR - 1, pa_gfp_names, 0, "gfp mask (blocking ones run in process context)") \
	PA_A_MT(X, p) PA_A_CTX(X, p) X(p, n, 1, 64, NULL, 0, "allocations")
#define PA_ARGS_PAGE_FREE_EVERY(X, p) PA_A_CPU(X, p) \
	X(p, k, 1, 16, NULL, 0, "stride (1: every live page)") \
	X(p, phase, 0, 15, NULL, 0, "first index freed (phase % k)") PA_A_CTX(X, p)
#define PA_ARGS_QUIET(X, p) PA_A_CPU(X, p) X(p, n, 1, 32, NULL, 0, "rounds at most (a round: all pending work, then a grace period if callbacks wait)")
MM_DECLARE_OPS(PA_OPS)

/* gfp argument of page_alloc */
enum pa_gfp_choice {
	PA_GFP_KERNEL,
	PA_GFP_NOWAIT,		/* GFP_NOWAIT | __GFP_NOWARN */
	PA_GFP_ATOMIC,
	PA_GFP_ZERO_MASK,	/* 0 */
	PA_GFP_NO_LOCKS,	/* bit 0x800000: __GFP_NO_LOCKS where a revision defines it */
	PA_GFP_NO_LOCKS_RECLAIM, /* __GFP_NO_LOCKS | __GFP_RECLAIM */
	PA_GFP_NO_LOCKS_ZERO,	/* __GFP_NO_LOCKS | __GFP_ZERO */
	PA_GFP_NR
};

enum pa_fail_arg { PA_FAIL_PAGE_ALLOC, PA_FAIL_KMALLOC };
enum pa_mt_arg { PA_MT_UNMOVABLE, PA_MT_MOVABLE, PA_MT_RECLAIMABLE };

#define PA_NR_ZONES	2	/* ZONE_DMA32, ZONE_NORMAL */

/*
 * Invariants and relations (ids as reported; the second column lists the
 * ids older mmdiff versions used, still accepted in signatures).
 */
#define PA_INVARIANTS(I) \
	I(PCP_COUNT, "I1_PCP_COUNT", "pcp->count equals the pages on the per-cpu lists") \
	I(PCP_HIGH, "I1_PCP_HIGH", "a per-cpu list holds at most pcp->high pages after a free") \
	I(CONSERVATION, "I2_CONSERVATION", "every page is in exactly one place: buddy, pcp list, user, kvfree_rcu block, bad") \
	I(NR_FREE, "I2_NR_FREE", "NR_FREE_PAGES equals the pages on the buddy free lists") \
	I(BUDDY_FORM, "I3_BUDDY_FORM", "buddy free lists hold aligned, unmerged blocks of their order") \
	I(WMARK_BOOST, "", "zone->watermark_boost is 0 in zones under 4 pageblocks and at most boost_watermark()'s max_boost") \
	I(LOCKLESS_BUDDY, "I6_LOCKLESS_BUDDY", "the lockless path never touches the buddy lists") \
	I(LOCKLESS_DEBUG_PAGEALLOC, "I6_LOCKLESS_DEBUG_PAGEALLOC", "the lockless path takes no lock through debug_pagealloc") \
	I(LOCKLESS_PCP, "I6_LOCKLESS_PCP", "the lockless path takes pages only from this CPU's list with interrupts disabled") \
	I(LOCKLESS_PICK, "I6_LOCKLESS_PICK", "the lockless path returns the page the pcp list heads") \
	I(NO_LOCKS_PATH, "I7_NO_LOCKS_PATH", "__GFP_NO_LOCKS never takes zone->lock nor enters the slow path") \
	I(KVFREE_DOUBLE_FREE, "I9_DOUBLE_FREE", "a kvfree_rcu object is freed once") \
	I(KVFREE_BEFORE_GP, "I9_FREED_BEFORE_GP", "a kvfree_rcu object is freed only after a grace period") \
	I(KVFREE_ACCOUNT, "I9_KVFREE_ACCOUNT", "kvfree_rcu objects queued = freed + pending") \
	I(LOCKSTEP, "D1_LOCKSTEP", "relation: until an op uses the new function or flag, results, observables and pending work are equal") \
	I(FALLBACK_BOUND, "D3_FALLBACK_BOUND", "relation: kvfree_rcu fallbacks exceed the reference's by at most the failed block allocations") \
	I(ALLOC_FAIL, "D4_ALLOC_FAIL", "relation: an order-0 allocation the reference satisfies does not fail with at least as many free pages")

/* Observables every pagealloc variant exports after each op. */
#define PA_OBS(O, A, p) \
	A(p, nr_free, [PA_NR_ZONES], "NR_FREE_PAGES per zone (buddy)") \
	A(p, nr_free_before, [PA_NR_ZONES], "NR_FREE_PAGES per zone when the last op started") \
	A(p, pcp_count, [MM_MAX_CPUS][PA_NR_ZONES], "pcp->count per CPU and zone") \
	O(p, user_pages, "pages held by page_alloc users") \
	O(p, block_pages, "kvfree_rcu block pages (attached, in flight, cached)") \
	O(p, bad_pages, "pages leaked by check_new_pcp() or the free checks") \
	O(p, kv_calls, "kvfree_rcu objects queued so far") \
	O(p, kv_via_block, "objects queued in pointer blocks") \
	O(p, kv_via_head, "objects queued through their rcu_head") \
	O(p, kv_via_sync, "objects freed through synchronize_rcu()") \
	O(p, kv_freed, "objects freed so far") \
	O(p, kv_fallbacks, "block allocations that failed") \
	O(p, lockless_attempts, "lockless allocation attempts") \
	O(p, lockless_failed, "lockless allocation attempts that failed") \
	O(p, zone_lock_taken, "zone->lock acquisitions") \
	O(p, slowpath_entries, "__alloc_pages_slowpath() calls") \
	O(p, kswapd_wakeups, "wakeup_kswapd() calls that woke kswapd") \
	O(p, kswapd_runs, "balance_pgdat() runs") \
	A(p, watermark_boost, [PA_NR_ZONES], "zone->watermark_boost per zone") \
	A(p, watermark_boost_before, [PA_NR_ZONES], "zone->watermark_boost per zone when the last op started") \
	O(p, boot_bnode_pages, "bnode pages kfree_rcu_batch_init() cached at boot") \
	O(p, rcu_gp_seq, "completed grace periods") \
	O(p, work_run, "work items run")
MM_DECLARE_OBS(pa_obs, PA_OBS)

extern const char *const pa_onoff_names[], *const pa_ctx_names[], *const pa_mt_names[],
	*const pa_gfp_names[], *const pa_fail_names[], *const pa_zone_names[];

/*
 * Op results (struct mm_opres):
 *  page_alloc / lockless_alloc: status 0 or -ENOMEM; val[0] zone index
 *    (-1 none), val[1] pfn, val[2] order, val[3] 1 if the failure was an
 *    injected one (fail_next).
 *  page_free: val[0] zone, val[1] pfn, val[2] order.
 *  kvfree_rcu: val[0] objects queued in blocks, val[1] via rcu_head,
 *    val[2] via synchronize_rcu, val[3] lockless attempts that failed.
 *  page_alloc_bulk: status 0, or -ENOMEM at the first failure; val[0]
 *    pages allocated, val[1] a digest of their (zone, pfn), val[2] order,
 *    val[3] 1 if the failure was an injected one.
 *  page_free_every: val[0] pages freed, val[1] a digest of their pfns.
 *  quiet: val[0] work items run, val[1] grace periods ended, val[2] 1 if
 *    still not quiet after n rounds.
 *  other ops: status 0 or 1 (nothing to do).
 */

extern const struct mm_family pagealloc_family;
extern const struct mm_variant pagealloc_v5_9, pagealloc_lockless, pagealloc_nolocks_flag;
#endif

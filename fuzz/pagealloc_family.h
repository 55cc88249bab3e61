/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pagealloc family's operation language and observables (SPEC 3):
 * the v5.9 buddy allocator with per-cpu lists, its kvfree_rcu() client, and
 * the lockless variants of seed 002 (__rcu_alloc_page_lockless(),
 * __GFP_NO_LOCKS).  Op slot numbers and config indices are stable forever.
 */
#ifndef MM_PAGEALLOC_FAMILY_H
#define MM_PAGEALLOC_FAMILY_H

#include <mm/harness.h>

/* config field indices */
enum pa_cfg {
	PA_CFG_NR_CPUS,		/* 1..8 */
	PA_CFG_DMA32_BLOCKS,	/* ZONE_DMA32 size in max-order blocks (16 pages), 1..8 */
	PA_CFG_NORMAL_BLOCKS,	/* ZONE_NORMAL size in max-order blocks, 1..16 */
	PA_CFG_BOOT_USED_PCT,	/* % of each zone kept by boot (never freed), 0..90 */
	PA_CFG_WMARK_MIN,	/* WMARK_MIN pages per zone, 0..32 */
	PA_CFG_WMARK_GAP,	/* low = min + gap, high = min + 2 * gap, 0..16 */
	PA_CFG_PCP_BATCH,	/* pcp->batch, 1..31 */
	PA_CFG_PCP_HIGH_MULT,	/* pcp->high = mult * batch, 0..6 (kernel: 6) */
	PA_CFG_PREEMPT_RT,	/* 0/1 */
	PA_CFG_PROVE_RAW,	/* 0/1: CONFIG_PROVE_RAW_LOCK_NESTING */
	PA_CFG_DEBUG_PAGEALLOC,	/* 0/1: debug_pagealloc enabled (powerpc-like map lock) */
	PA_CFG_NR
};

/* op slots */
enum pa_opid {
	PA_OP_PAGE_ALLOC = 0,	/* cpu, order 0..3, gfp, mt, ctx */
	PA_OP_PAGE_FREE = 1,	/* cpu, k: __free_pages of live page k % nr_live, ctx */
	PA_OP_LOCKLESS_ALLOC = 2, /* cpu, ctx: the variant's lockless entry point */
	PA_OP_KVFREE_RCU = 3,	/* cpu, nargs 1..2, nobj 1..1024, ctx */
	PA_OP_RCU_GP = 4,	/* end one grace period (mm_rcu_gp) */
	PA_OP_RUN_WORK = 5,	/* cpu, n: run n items of system_wq on cpu */
	PA_OP_DRAIN_LOCAL = 6,	/* cpu, ctx: drain_local_pages(NULL) */
	PA_OP_DRAIN_ALL = 7,	/* cpu: drain_all_pages(NULL), synchronous */
	PA_OP_FAIL_NEXT = 8,	/* kind, n 1..8 */
	PA_OP_INJECT_BAD_PAGE = 9, /* cpu, zone, mt, pos: check_new_pcp() fails for it */
	PA_OP_SET_PCP = 10,	/* high_mult 0..6, batch 1..31: pageset_set_batch */
	PA_OP_NR_SLOTS_USED = 11
};

/* gfp argument of page_alloc (SPEC 3(e)) */
enum pa_gfp_choice {
	PA_GFP_KERNEL,
	PA_GFP_NOWAIT,		/* GFP_NOWAIT | __GFP_NOWARN */
	PA_GFP_ATOMIC,
	PA_GFP_ZERO_MASK,	/* 0 */
	PA_GFP_NO_LOCKS,	/* __GFP_NO_LOCKS (bit 0x800000) */
	PA_GFP_NO_LOCKS_RECLAIM, /* __GFP_NO_LOCKS | __GFP_RECLAIM */
	PA_GFP_NO_LOCKS_ZERO,	/* __GFP_NO_LOCKS | __GFP_ZERO */
	PA_GFP_NR
};

enum pa_fail_arg { PA_FAIL_PAGE_ALLOC, PA_FAIL_KMALLOC };

/* argument positions */
#define PA_A_CPU	0
#define PA_A_ORDER	1	/* page_alloc */
#define PA_A_GFP	2
#define PA_A_MT		3
#define PA_A_CTX	4	/* page_alloc */
#define PA_A_K		1	/* page_free */
#define PA_A_NARGS	1	/* kvfree_rcu */
#define PA_A_NOBJ	2
#define PA_A_N		1	/* run_work */

#define PA_NR_ZONES	2	/* ZONE_DMA32, ZONE_NORMAL */

/*
 * Op results (struct mm_opres):
 *  page_alloc / lockless_alloc: status 0 or -ENOMEM; val[0] zone index
 *    (-1 none), val[1] pfn, val[2] order, val[3] 1 if the failure was an
 *    injected one (fail_next).
 *  page_free: val[0] zone, val[1] pfn, val[2] order.
 *  kvfree_rcu: val[0] objects queued in blocks, val[1] via rcu_head,
 *    val[2] via synchronize_rcu, val[3] lockless attempts that failed.
 *  other ops: status 0 or 1 (nothing to do).
 */

/* Observables every pagealloc variant exports after each op (<= 256 bytes). */
struct pa_obs {
	int nr_free[PA_NR_ZONES];	/* NR_FREE_PAGES (buddy) */
	int nr_free_before[PA_NR_ZONES]; /* the same at the start of the last op */
	int pcp_count[MM_MAX_CPUS][PA_NR_ZONES];
	int user_pages;		/* pages held by page_alloc users */
	int block_pages;		/* kvfree_rcu block pages (attached, in flight, cached) */
	int bad_pages;			/* pages leaked by check_new_pcp / free checks */
	int kv_calls;			/* kvfree_rcu objects queued so far */
	int kv_via_block, kv_via_head, kv_via_sync;
	int kv_freed;			/* objects freed so far */
	int kv_fallbacks;		/* block allocations that failed (kvfree_rcu) */
	int lockless_attempts, lockless_failed;
	int zone_lock_taken;		/* zone->lock acquisitions */
	int slowpath_entries;		/* __alloc_pages_slowpath calls */
	unsigned int rcu_gp_seq;
	unsigned int work_run;
};

extern const struct mm_family pagealloc_family;
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagealloc "nolocks-flag": the __GFP_NO_LOCKS gfp flag Uladzislau Rezki
 * posted as a diff in the thread of "[RFC-PATCH 2/4] mm: Add
 * __rcu_alloc_page_lockless() func." (Message-ID
 * 20200918194817.48921-3-urezki@gmail.com, 2020-09/10), after Vlastimil
 * Babka asked for a gfp flag instead of a new entry point:
 * ___GFP_NO_LOCKS 0x800000u, __GFP_BITS_SHIFT 24 + LOCKDEP, ALLOC_NO_LOCKS
 * 0x1000 set in prepare_alloc_pages(), rmqueue_bulk() returning 0 before
 * zone->lock, the deferred-grow retries skipped in get_page_from_freelist()
 * and the slow path bypassed in __alloc_pages_nodemask().  Its kvfree_rcu()
 * client is the one-line change the thread describes:
 * __get_free_page(__GFP_NO_LOCKS) in place of GFP_NOWAIT | __GFP_NOWARN,
 * v5.9's PREEMPT_RT bail-out left in place.  An order-0 __GFP_NO_LOCKS
 * request is declared lockless to the checker: the flag's documentation
 * promises "order-0 allocation without sleepable-locks".
 *
 * Known bugs (expect: buggy), both paths the diff leaves untouched after a
 * page is found on the pcp list:
 *  - no DEBUG_PAGEALLOC guard (2/4 returns 0 under it): prep_new_page() ->
 *    post_alloc_hook() -> kernel_map_pages(), on powerpc with the hash MMU
 *    kernel_map_linear_page() taking linear_map_hash_lock, a spinlock_t
 *    (DEFINE_SPINLOCK) in v5.9.  Rezki names the path in the thread
 *    ("powerpc variant uses sleep-able locks").  x86 skips cpa_lock with
 *    debug_pagealloc enabled and arm64 maps without a lock; later kernels
 *    made the lock a raw_spinlock_t.
 *  - rmqueue()'s exit: a zone flagged ZONE_BOOSTED_WATERMARK (a fallback
 *    steal below pageblock_order) is cleared and wakeup_kswapd() is called
 *    for every allocation leaving the pcp path, __GFP_NO_LOCKS ones
 *    included; with kswapd asleep and the node boosted or unbalanced it
 *    takes the kswapd wait queue's spinlock_t (wake_up_interruptible()).
 */
#include "../../ref/pagealloc/pa_internal.h"

#define rcu_min_cached_objs	2	/* kernel/rcu/tree.c v5.9 */

/* include/linux/gfp.h and mm/internal.h with the diff */
#define ___GFP_NO_LOCKS		0x800000u
#define __GFP_NO_LOCKS		((gfp_t)___GFP_NO_LOCKS)
#define ALLOC_NO_LOCKS		0x1000	/* Lock free allocation. */

#include "../../ref/pagealloc/page_alloc.h"

#ifndef PA_TEST_WITHOUT_HOOKS	/* tests: the diff's hooks left out */
/* Mirrors rmqueue_bulk(), mm/page_alloc.c v5.9 with the diff. */
static int rmqueue_bulk(struct zone *zone, unsigned int order, unsigned long count,
			struct list_head *list, int migratetype, unsigned int alloc_flags)
{
	int i, alloced = 0;

	if (alloc_flags & ALLOC_NO_LOCKS)
		return alloced;

	zone_lock(zone);
	for (i = 0; i < (int)count; ++i) {
		struct page *page = __rmqueue(zone, order, migratetype, alloc_flags);

		if (unlikely(page == NULL))
			break;
		if (unlikely(check_pcp_refill(page))) {
			pa_leak(page, 0);
			continue;
		}
		list_add_tail(&page->lru, list);
		alloced++;
	}
	MM_ATOMIC_ADD(zone->nr_free_pages, -((long)i << order));	/* vm_stat: atomic_long_add() */
	zone_unlock(zone);
	return alloced;
}

/*
 * Mirrors get_page_from_freelist(), mm/page_alloc.c v5.9 with the diff:
 * both deferred-pages paths are skipped for ALLOC_NO_LOCKS (deferred_pages
 * is false after boot in the model, so neither is reached anyway).
 */
static struct page *get_page_from_freelist(gfp_t gfp_mask, unsigned int order,
					   int alloc_flags, const struct alloc_context *ac)
{
	struct zone *zone;
	bool no_fallback;
	int z;
	struct zone *preferred = G->zonelist[ac->preferred];

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	z = ac->preferred;
	while ((zone = zonelist_next(ac, &z))) {
		struct page *page;
		unsigned long mark;

		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_fast(zone, order, mark, ac->highest_zoneidx,
					 (unsigned int)alloc_flags)) {
			/* !(alloc_flags & ALLOC_NO_LOCKS) && _deferred_grow_zone(): off */
			if (alloc_flags & ALLOC_NO_WATERMARKS)
				goto try_this_zone;
			continue;
		}
try_this_zone:
		page = rmqueue(preferred, zone, order, gfp_mask, (unsigned int)alloc_flags,
			       ac->migratetype);
		if (page) {
			prep_new_page(page, order, gfp_mask, (unsigned int)alloc_flags);
			return page;
		} else if (!(alloc_flags & ALLOC_NO_LOCKS)) {
			/* the deferred-pages retry: nothing with deferred_pages off */
		}
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

/* Mirrors prepare_alloc_pages(), v5.9 with the diff. */
static bool prepare_alloc_pages(gfp_t gfp_mask, unsigned int order,
				struct alloc_context *ac, unsigned int *alloc_flags)
{
	ac->highest_zoneidx = (gfp_mask & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;
	ac->migratetype = (int)((gfp_mask & (__GFP_MOVABLE | __GFP_RECLAIMABLE)) >> 3);

	if (gfp_mask & __GFP_DIRECT_RECLAIM)
		might_sleep();	/* might_sleep_if() */

	/* should_fail_alloc_page() */
	if (mm_should_fail(MM_FAIL_PAGE_ALLOC)) {
		MM_HARNESS_ACCESS(G->last_alloc_injected = true);
		return false;
	}

	/* first_zones_zonelist() */
	for (ac->preferred = 0; ac->preferred < MAX_NR_ZONES; ac->preferred++)
		if (G->zonelist[ac->preferred]->idx <= ac->highest_zoneidx)
			break;

	if (gfp_mask & __GFP_NO_LOCKS)
		*alloc_flags |= ALLOC_NO_LOCKS;
	(void)order;
	return true;
}

/* gfp_allowed_mask after boot: __GFP_BITS_SHIFT 24 + LOCKDEP with the diff */
static gfp_t gfp_allowed_mask(void)
{
	int shift = 24 + (mm_cur->prove_raw_lock_nesting ? 1 : 0);

	return (gfp_t)((1u << shift) - 1);
}

/* Mirrors __alloc_pages_nodemask(), mm/page_alloc.c v5.9 with the diff. */
static struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
					   int preferred_nid)
{
	struct page *page;
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	struct alloc_context ac = { 0 };

	(void)preferred_nid;
	mm_allocator_entry("__alloc_pages_nodemask");
	MM_HARNESS_ACCESS(G->last_alloc_injected = false);
	if (unlikely(order >= MAX_ORDER))
		return NULL;

	gfp_mask &= gfp_allowed_mask();
	if (!prepare_alloc_pages(gfp_mask, order, &ac, &alloc_flags))
		return NULL;

	alloc_flags |= alloc_flags_nofragment(G->zonelist[ac.preferred], gfp_mask);

	page = get_page_from_freelist(gfp_mask, order, (int)alloc_flags, &ac);
	if (likely(page))
		goto out;

	/* Bypass slow path if __GFP_NO_LOCKS. */
	if ((gfp_mask & __GFP_NO_LOCKS))
		goto out;

	page = __alloc_pages_slowpath(gfp_mask, order, &ac);
out:
	return page;
}
#else
#include "../../ref/pagealloc/page_alloc-entry.h"
#endif

#include "../../ref/pagealloc/kvfree_rcu.h"

/* an order-0 __GFP_NO_LOCKS request, declared lockless to the checker */
static unsigned long nolocks_get_free_page(void)
{
	unsigned long addr;

	mm_lockless_enter();
	addr = __get_free_page(__GFP_NO_LOCKS);
	mm_lockless_exit();
	return addr;
}

/* Mirrors kvfree_call_rcu_add_ptr_to_bulk(), v5.9 with the thread's change. */
static bool kvfree_call_rcu_add_ptr_to_bulk(struct kfree_rcu_cpu *krcp, void *ptr)
{
	struct kvfree_rcu_bulk_data *bnode;
	int idx = 0;

	if (unlikely(!krcp->initialized))
		return false;
	lockdep_assert_held(&krcp->lock);

	if (!krcp->bkvhead[idx] || krcp->bkvhead[idx]->nr_records == KVFREE_BULK_MAX_ENTR) {
		bnode = get_cached_bnode(krcp);
		if (!bnode) {
			if (mm_cur->preempt_rt)		/* IS_ENABLED(CONFIG_PREEMPT_RT) */
				return false;
			MM_HARNESS_ACCESS(G->lockless_attempts++);	/* model: observables */
			bnode = (struct kvfree_rcu_bulk_data *)nolocks_get_free_page();
			if (!bnode)
				MM_HARNESS_ACCESS(G->lockless_failed++);
		}
		/* Switch to emergency path. */
		if (unlikely(!bnode))
			return false;
		bnode->nr_records = 0;
		bnode->next = krcp->bkvhead[idx];
		krcp->bkvhead[idx] = bnode;
	}
	krcp->bkvhead[idx]->records[krcp->bkvhead[idx]->nr_records++] = ptr;
	return true;
}

#include "../../ref/pagealloc/kvfree_rcu-v5.9.h"
#include "../../ref/pagealloc/pa_check.h"

/*
 * A caller's page_alloc: an order-0 __GFP_NO_LOCKS request runs declared
 * lockless, and never takes zone->lock nor enters the slow path.
 */
static struct page *nolocks_alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	bool claim = (gfp_mask & __GFP_NO_LOCKS) && order == 0;
	long zl = G->zone_lock_taken, sp = G->slowpath_entries;
	struct page *page;

	if ((gfp_mask & __GFP_NO_LOCKS) && order)
		mm_note("NO_LOCKS_ORDER", "__GFP_NO_LOCKS with order %u (documented order-0 only)",
			order);
	if (claim)
		mm_lockless_enter();
	page = __alloc_pages_nodemask(gfp_mask, order, 0);
	if (claim) {
		mm_lockless_exit();
		/* the counters are global: only when no other task ran meanwhile */
		if (mm_op_alone() && (G->zone_lock_taken != zl || G->slowpath_entries != sp))
			mm_violation("NO_LOCKS_PATH", "__alloc_pages_nodemask",
				     "__GFP_NO_LOCKS request took zone->lock %ld times, slow path %ld times",
				     G->zone_lock_taken - zl, G->slowpath_entries - sp);
	}
	return page;
}

#define PA_ALLOC_PAGES(gfp, order)	nolocks_alloc_pages((gfp), (order))

/* the lockless_alloc op: the client's __get_free_page(__GFP_NO_LOCKS) */
static unsigned long pa_port_kvfree_block_page(void)
{
	return nolocks_get_free_page();
}

#ifndef PA_VARIANT
#define PA_VARIANT	pagealloc_nolocks_flag
#endif
#define PA_NAME		"nolocks-flag"
#define PA_REFERENCE	"v5.9"
#define PA_MODELS	"the __GFP_NO_LOCKS / ALLOC_NO_LOCKS diff Rezki posted in the thread of [RFC-PATCH 2/4] (Message-ID 20200918194817.48921-3-urezki@gmail.com), with its kvfree_rcu() client"
#define PA_EXPECT	"buggy: an order-0 __GFP_NO_LOCKS pcp hit takes a spinlock_t: with DEBUG_PAGEALLOC linear_map_hash_lock (powerpc hash MMU, kernel_map_pages), on a boosted zone kswapd_wait.lock (wakeup_kswapd)"
#include "../../ref/pagealloc/pa_harness.h"

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The v5.9 forms of the functions of mm/page_alloc.c that a revision of the
 * allocation path may change: rmqueue_bulk(), get_page_from_freelist(),
 * prepare_alloc_pages() and __alloc_pages_nodemask().  A port whose
 * revision keeps them includes this file after page_alloc.h; a port whose
 * revision changes them defines its own instead.
 */
#ifndef MM_PA_PAGE_ALLOC_ENTRY_H
#define MM_PA_PAGE_ALLOC_ENTRY_H

/*
 * Mirrors rmqueue_bulk(), mm/page_alloc.c v5.9: @count pages from the buddy
 * onto @list under zone->lock.  Called from kvfree_rcu() under its raw
 * krcp->lock, this is where v5.9 nests a spinlock_t in a raw_spinlock_t.
 */
static int rmqueue_bulk(struct zone *zone, unsigned int order, unsigned long count,
			struct list_head *list, int migratetype, unsigned int alloc_flags)
{
	int i, alloced = 0;

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

/* Mirrors get_page_from_freelist(), mm/page_alloc.c v5.9 (one node). */
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
			/* deferred_pages is false after boot: no _deferred_grow_zone() */
			if (alloc_flags & ALLOC_NO_WATERMARKS)
				goto try_this_zone;
			/* node_reclaim_mode == 0 */
			continue;
		}
try_this_zone:
		page = rmqueue(preferred, zone, order, gfp_mask, (unsigned int)alloc_flags,
			       ac->migratetype);
		if (page) {
			prep_new_page(page, order, gfp_mask, (unsigned int)alloc_flags);
			return page;
		}
		/* else: the deferred-pages retry, nothing to do with deferred_pages off */
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

/* Mirrors prepare_alloc_pages(), v5.9 (one node, no cpusets). */
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
	(void)order;
	(void)alloc_flags;
	return true;
}

/* gfp_allowed_mask after boot: __GFP_BITS_MASK, __GFP_BITS_SHIFT 23 + LOCKDEP */
static gfp_t gfp_allowed_mask(void)
{
	int shift = 23 + (mm_cur->prove_raw_lock_nesting ? 1 : 0);

	return (gfp_t)((1u << shift) - 1);
}

/* Mirrors __alloc_pages_nodemask(), mm/page_alloc.c v5.9. */
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
		return page;

	return __alloc_pages_slowpath(gfp_mask, order, &ac);
}
#endif /* MM_PA_PAGE_ALLOC_ENTRY_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * v5.9 port against hand-worked kernel behaviour: boot prefill, pcp refill
 * and drain batches, buddy split (expand) and merge (__free_one_page),
 * ALLOC_NOFRAGMENT falling back to DMA32, watermark decisions.
 *
 * Boot (pa_cfg: 1 cpu, DMA32 pfn 0-15, Normal pfn 16-31, batch 4, high 24):
 * kfree_rcu_batch_init() takes 2 GFP_NOWAIT pages on boot_pageset (batch 1):
 * Normal's MOVABLE order-4 block is stolen whole for UNMOVABLE (can_steal
 * for an unmovable request), split: pfn 16 and 17 go to the bnode cache,
 * 18 (o1), 20 (o2), 24 (o3) stay free.  DMA32 keeps one order-4 block.
 */
#include "pa_test.h"

static void test_boot(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st = pa_new(&in, &pagealloc_v5_9, &cfg);
	struct zone *n, *d;

	CHECK(st);
	if (!st)
		return;
	n = &st->zones[ZONE_NORMAL];
	d = &st->zones[ZONE_DMA32];
	CHECK_EQ(n->nr_free_pages, 14);
	CHECK_EQ(n->free_area[0].nr_free, 0);
	CHECK_EQ(n->free_area[1].nr_free, 1);
	CHECK_EQ(n->free_area[2].nr_free, 1);
	CHECK_EQ(n->free_area[3].nr_free, 1);
	CHECK_EQ(list_first_entry(&n->free_area[3].free_list[MIGRATE_UNMOVABLE], struct page, lru)->pfn, 24);
	CHECK_EQ(n->pageblock_mt[0], MIGRATE_UNMOVABLE);
	CHECK_EQ(st->krcs[0].nr_bkv_objs, 2);
	CHECK_EQ(d->nr_free_pages, 16);
	CHECK_EQ(d->free_area[4].nr_free, 1);
	CHECK_EQ(n->pageset[0].pcp.high, 24);
	CHECK_EQ(n->pageset[0].pcp.batch, 4);
	CHECK_EQ(n->pageset[0].pcp.count, 0);
	mm_instance_destroy(&in);
}

static void test_pcp_refill_drain(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st = pa_new(&in, &pagealloc_v5_9, &cfg);
	struct mm_opres r;
	struct zone *d;

	if (!st)
		return;
	d = &st->zones[ZONE_DMA32];
	/*
	 * GFP_KERNEL movable: Normal has no MOVABLE page and ALLOC_NOFRAGMENT
	 * forbids stealing below pageblock_order, so rmqueue_bulk() gets 0
	 * there; DMA32 passes its watermark and refills a batch of 4:
	 * expand() hands out pfn 0, 1, 2, 3 in that order; pfn 0 is returned.
	 */
	CHECK_EQ(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r)[0], 0);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[0], ZONE_DMA32);
	CHECK_EQ(r.val[1], 0);
	CHECK_EQ(d->pageset[0].pcp.count, 3);
	CHECK_EQ(d->nr_free_pages, 12);
	CHECK_EQ(d->free_area[3].nr_free, 1);	/* pfn 8 */
	CHECK_EQ(d->free_area[2].nr_free, 1);	/* pfn 4 */
	CHECK_EQ(list_first_entry(&d->pageset[0].pcp.lists[MIGRATE_MOVABLE], struct page, lru)->pfn, 1);
	/*
	 * the next one: Normal is tried first again (its refill gets 0 pages
	 * under zone->lock), then DMA32's pcp list head: pfn 1, no refill.
	 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r);
	CHECK_EQ(r.val[1], 1);
	CHECK_EQ(d->pageset[0].pcp.count, 2);
	/* boot: 2 zones freed + 2 prefill refills; 2 per allocation on Normal, 1 on DMA32 */
	CHECK_EQ(st->zone_lock_taken, 2 + 2 + 2 + 1);
	/* free both: pageblock MOVABLE, to the list head; count 4 < high */
	pa_do(&in, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(r.val[1], 0);
	pa_do(&in, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(d->pageset[0].pcp.count, 4);
	CHECK_EQ(d->nr_free_pages, 12);
	/*
	 * drain: free_pcppages_bulk() takes everything from the tail of the
	 * only non-empty list; __free_one_page() merges back to one order-4
	 * block.
	 */
	CHECK_EQ(pa_do(&in, pa_op(PA_OP_DRAIN_LOCAL, 0, 0, 0, 0, 0), NULL)[0], 0);
	CHECK_EQ(d->pageset[0].pcp.count, 0);
	CHECK_EQ(d->nr_free_pages, 16);
	CHECK_EQ(d->free_area[4].nr_free, 1);
	for (int o = 0; o < 4; o++)
		CHECK_EQ(d->free_area[o].nr_free, 0);
	mm_instance_destroy(&in);
}

static void test_high_batch(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st;
	struct zone *d;

	/* pageset_set_high(4), as percpu_pagelist_fraction sets it: batch 1 */
	cfg.v[PA_CFG_pcp_batch] = 2;
	cfg.v[PA_CFG_pcp_high_mult] = 2;
	st = pa_new(&in, &pagealloc_v5_9, &cfg);
	if (!st)
		return;
	d = &st->zones[ZONE_DMA32];
	CHECK_EQ(d->pageset[0].pcp.high, 4);
	CHECK_EQ(d->pageset[0].pcp.batch, 1);
	/* 4 movable pages: four refills of batch 1 from DMA32 */
	for (int i = 0; i < 4; i++)
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), NULL);
	CHECK_EQ(d->pageset[0].pcp.count, 0);
	CHECK_EQ(d->nr_free_pages, 12);
	/* frees 1-3: count 1, 2, 3; the 4th reaches high: a batch of 1 goes back */
	for (int i = 0; i < 3; i++)
		pa_do(&in, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0), NULL);
	CHECK_EQ(d->pageset[0].pcp.count, 3);
	CHECK_EQ(pa_do(&in, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0), NULL)[0], 0);
	CHECK_EQ(d->pageset[0].pcp.count, 3);
	CHECK_EQ(d->nr_free_pages, 13);
	mm_instance_destroy(&in);
}

/*
 * The pcp settings v5.9 can reach: pageset_set_batch(b) gives high 6b;
 * pageset_set_high(h) gives batch max(1, h / 4), at most PAGE_SHIFT * 8.
 */
static void test_pcp_settings(void)
{
	static const struct { unsigned int mult, batch; int high, want_batch; } t[] = {
		{ 6, 3, 18, 3 }, { 6, 31, 186, 31 }, { 4, 8, 32, 8 }, { 5, 31, 155, 38 },
		{ 1, 3, 3, 1 }, { 0, 9, 0, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct mm_instance in;
		struct mm_config cfg = pa_cfg();
		struct pa_state *st = pa_new(&in, &pagealloc_v5_9, &cfg);

		if (!st)
			return;
		pa_do(&in, pa_op(PA_OP_SET_PCP, t[i].mult, t[i].batch, 0, 0, 0), NULL);
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			CHECK_EQ(st->zones[z].pageset[0].pcp.high, t[i].high);
			CHECK_EQ(st->zones[z].pageset[0].pcp.batch, t[i].want_batch);
		}
		mm_instance_destroy(&in);
	}
}

static void test_split_merge_order2(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st = pa_new(&in, &pagealloc_v5_9, &cfg);
	struct mm_opres r;
	struct zone *n;

	if (!st)
		return;
	n = &st->zones[ZONE_NORMAL];
	/* order-2 unmovable GFP_ATOMIC: the free order-2 block pfn 20 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 2, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), &r);
	CHECK_EQ(r.val[0], ZONE_NORMAL);
	CHECK_EQ(r.val[1], 20);
	CHECK_EQ(n->nr_free_pages, 10);
	CHECK_EQ(n->free_area[2].nr_free, 0);
	/* order-3 next: pfn 24, the last block of order >= 3 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 3, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), &r);
	CHECK_EQ(r.val[1], 24);
	CHECK_EQ(n->nr_free_pages, 2);
	/* free pfn 20: its order-2 buddy 16 is busy, no merge */
	pa_do(&in, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(r.val[1], 20);
	CHECK_EQ(n->free_area[2].nr_free, 1);
	/* free pfn 24: order 3, buddy 16 (order 3) not free: stays order 3 */
	pa_do(&in, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(n->free_area[3].nr_free, 1);
	CHECK_EQ(n->nr_free_pages, 14);
	mm_instance_destroy(&in);
}

/*
 * Watermarks: wmark_min 30 spread over 32 managed pages: min 15 per zone,
 * low = min + max(min/4, 0) = 18.  After boot Normal has 14 free, DMA32 16.
 */
static void test_watermarks(void)
{
	struct mm_config cfg = pa_cfg();
	struct mm_instance in;
	struct mm_opres r;
	struct pa_state *st;

	cfg.v[PA_CFG_wmark_min] = 30;
	st = pa_new(&in, &pagealloc_v5_9, &cfg);
	if (!st)
		return;
	CHECK_EQ(st->zones[ZONE_NORMAL]._watermark[WMARK_MIN], 15);
	CHECK_EQ(st->zones[ZONE_NORMAL]._watermark[WMARK_LOW], 18);
	/*
	 * GFP_ATOMIC: low fails everywhere; slow path min 15 -> 8 (HIGH) ->
	 * 6 (HARDER): Normal refills 18, 19, 20, 21 and hands out 18.
	 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), &r);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[0], ZONE_NORMAL);
	CHECK_EQ(r.val[1], 18);
	CHECK_EQ(st->slowpath_entries, 1);
	CHECK_EQ(st->kswapd_wakeups, 1);
	/* drain: Normal 13 free.  GFP_NOWAIT: min 15: Normal fails, DMA32 16 > 15 */
	pa_do(&in, pa_op(PA_OP_DRAIN_LOCAL, 0, 0, 0, 0, 0), NULL);
	CHECK_EQ(st->zones[ZONE_NORMAL].nr_free_pages, 13);
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NOWAIT, MIGRATE_MOVABLE, 0), &r);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[0], ZONE_DMA32);
	/* drained, DMA32 has 15 free, not > 15: a further NOWAIT fails */
	pa_do(&in, pa_op(PA_OP_DRAIN_LOCAL, 0, 0, 0, 0, 0), NULL);
	CHECK_EQ(st->zones[ZONE_DMA32].nr_free_pages, 15);
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NOWAIT, MIGRATE_RECLAIMABLE, 0), &r);
	CHECK_EQ(r.status, -ENOMEM);
	CHECK_EQ(st->slowpath_entries, 3);
	mm_instance_destroy(&in);
}

/*
 * steal_suitable_fallback(): an unmovable request falling back into a
 * partly used MOVABLE pageblock claims the whole block, because the
 * kernel counts every non-free page of a MOVABLE block that is not
 * PageLRU/__PageMovable as "alike" (free 4 + alike 12 >= 8), although
 * only 4 of its 16 pages are free.
 */
static void test_steal_claims_movable_block(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st = pa_new(&in, &pagealloc_v5_9, &cfg);
	struct mm_opres r;
	struct zone *d;
	struct page *p14;

	if (!st)
		return;
	d = &st->zones[ZONE_DMA32];
	/* movable: DMA32 refills 0-3 (user 0), then order 2: 4-7, then 8-11 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r);
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 2, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r);
	CHECK_EQ(r.val[1], 4);
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 2, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r);
	CHECK_EQ(r.val[1], 8);
	CHECK_EQ(d->nr_free_pages, 4);		/* pfn 12, order 2 */
	CHECK_EQ(d->pageblock_mt[0], MIGRATE_MOVABLE);
	/* batch 31: one unmovable refill moves all 14 free Normal pages to the pcp */
	pa_do(&in, pa_op(PA_OP_SET_PCP, 6, 31, 0, 0, 0), NULL);
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), &r);
	CHECK_EQ(r.val[0], ZONE_NORMAL);
	CHECK_EQ(st->zones[ZONE_NORMAL].nr_free_pages, 0);
	/*
	 * order-1 unmovable: Normal fails its watermark (0 free); DMA32 has no
	 * unmovable page and no order-4 block (ALLOC_NOFRAGMENT pass fails);
	 * the retry steals the order-2 block pfn 12 and claims pageblock 0
	 * for UNMOVABLE; expand() leaves pfn 14 (order 1) free.
	 */
	CHECK_EQ(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 1, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), &r)[0], 0);
	CHECK_EQ(r.val[0], ZONE_DMA32);
	CHECK_EQ(r.val[1], 12);
	CHECK_EQ(d->pageblock_mt[0], MIGRATE_UNMOVABLE);
	CHECK_EQ(d->free_area[1].nr_free, 1);
	p14 = list_first_entry_or_null(&d->free_area[1].free_list[MIGRATE_UNMOVABLE], struct page, lru);
	CHECK(p14 && p14->pfn == 14);
	mm_instance_destroy(&in);
}

int main(void)
{
	test_boot();
	test_pcp_refill_drain();
	test_high_batch();
	test_pcp_settings();
	test_split_merge_order2();
	test_watermarks();
	test_steal_claims_movable_block();
	return test_done("test_pa_buddy");
}

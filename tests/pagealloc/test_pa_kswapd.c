// SPDX-License-Identifier: GPL-2.0-only
/*
 * v5.9's watermark boost and kswapd wake-ups, hand-worked:
 * steal_suitable_fallback() boosts a zone of 4 pageblocks or more after a
 * steal below pageblock_order and flags it; rmqueue() clears the flag and
 * calls wakeup_kswapd(), which wakes kswapd (taking the wait queue's lock)
 * unless kswapd is awake, the node is hopeless, or it is balanced and not
 * boosted; kswapd's balance_pgdat() takes the boost off; the slow path
 * wakes kswapd and, for blocking requests, ends in the OOM path.
 *
 * Boot of boost_cfg(): DMA32 pfn 0-15 (8-15 free), Normal pfn 16-143
 * (80-143 free, 64 managed pages: boost allowed); watermarks Normal
 * 7/9/11, DMA32 0/2/4; the bnode prefill claims Normal's block 128 for
 * UNMOVABLE (130 o1, 132 o2, 136 o3 stay free).
 */
#include "pa_test.h"

static struct mm_config boost_cfg(void)
{
	struct mm_config c = pa_cfg();

	c.v[PA_CFG_normal_blocks] = 8;
	c.v[PA_CFG_boot_used_pct] = 50;
	c.v[PA_CFG_wmark_min] = 8;
	c.v[PA_CFG_wmark_gap] = 2;
	return c;
}

/* five movable order-3 allocations (112, 120, 96, 104, 80) split Normal's MOVABLE blocks */
static void split_movable_blocks(struct mm_instance *in)
{
	for (int i = 0; i < 5; i++)
		pa_do(in, pa_op(PA_OP_PAGE_ALLOC, 0, 3, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), NULL);
}

static void test_boost_and_wake(void)
{
	struct mm_instance in;
	struct mm_config cfg = boost_cfg();
	struct mm_opres r;
	struct pa_state *st = pa_new(&in, &pa_test_port, &cfg);
	struct zone *n;

	if (!st)
		return;
	n = &st->zones[ZONE_NORMAL];
	CHECK_EQ(n->managed_pages, 64);
	CHECK_EQ(n->_watermark[WMARK_HIGH], 11);
	CHECK_EQ(n->pageblock_mt[(128 - 16) / 16], MIGRATE_UNMOVABLE);
	split_movable_blocks(&in);
	CHECK_EQ(n->watermark_boost, 0);
	CHECK_EQ(st->kswapd_wakeups, 0);
	/*
	 * GFP_ATOMIC reclaimable: no whole block left (ALLOC_NOFRAGMENT fails
	 * in both zones), so the retry steals Normal's order-3 UNMOVABLE block
	 * at 136: boost min(0 + 16, max(16, 11 * 1.5)) = 16, the flag set
	 * (ALLOC_KSWAPD), and rmqueue() clears it and wakes kswapd: the node
	 * is balanced (DMA32 8 free > high 4) but boosted.
	 */
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC,
				       MIGRATE_RECLAIMABLE, 0), &r), ""));
	CHECK_EQ(r.status, 0);
	CHECK_EQ(n->watermark_boost, 16);
	CHECK_EQ(n->flags & ZONE_BOOSTED_WATERMARK, 0);
	CHECK_EQ(st->kswapd_wakeups, 1);
	CHECK(!st->pgdat.kswapd_sleeping);
	/* the boost raises every watermark the zone is checked against */
	CHECK_EQ(wmark_pages(n, WMARK_MIN), 7 + 16);
	/* kswapd: boosted, nothing reclaimed: one failure, the boost taken off */
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_KSWAPD, 0, 0, 0, 0, 0), &r), ""));
	CHECK_EQ(r.status, 0);
	CHECK_EQ(n->watermark_boost, 0);
	CHECK(st->pgdat.kswapd_sleeping);
	CHECK_EQ(st->pgdat.kswapd_failures, 1);
	CHECK_EQ(st->kswapd_runs, 1);
	/* asleep now: the op does nothing */
	pa_do(&in, pa_op(PA_OP_KSWAPD, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(r.status, 1);
	mm_instance_destroy(&in);
}

/* in a zone under 4 pageblocks a sub-pageblock steal flags but never boosts */
static void test_small_zone(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st;

	cfg.v[PA_CFG_wmark_min] = 4;
	cfg.v[PA_CFG_wmark_gap] = 2;
	st = pa_new(&in, &pa_test_port, &cfg);
	if (!st)
		return;
	/* reclaimable falls back into Normal's UNMOVABLE block below order 4 */
	for (int i = 0; i < 6; i++)
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_RECLAIMABLE, 0), NULL);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		CHECK_EQ(st->zones[z].watermark_boost, 0);
		CHECK_EQ(st->zones[z].flags & ZONE_BOOSTED_WATERMARK, 0);
	}
	mm_instance_destroy(&in);
}

static void set_boost_too_high(struct pa_state *st) { st->zones[ZONE_NORMAL].watermark_boost = 17; }
static void set_boost_small_zone(struct pa_state *st) { st->zones[ZONE_DMA32].watermark_boost = 1; }

static void test_wmark_boost_invariant(void)
{
	struct mm_instance in;
	struct mm_config cfg = boost_cfg();

	if (pa_new(&in, &pa_test_port, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, NULL, true), ""));
		CHECK(!strcmp(pa_inside(&in, set_boost_too_high, true), "WMARK_BOOST"));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &pa_test_port, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, set_boost_small_zone, true), "WMARK_BOOST"));
		mm_instance_destroy(&in);
	}
}

/* wakeup_kswapd()'s early returns, and its lock */
static int wake_case;

static void call_wakeup_kswapd(struct pa_state *st)
{
	struct zone *n = &st->zones[ZONE_NORMAL];

	switch (wake_case) {
	case 0:		/* asleep, balanced, not boosted: no wake */
		break;
	case 1:		/* asleep, boosted: woken */
		n->watermark_boost = 16;
		break;
	case 2:		/* boosted but already awake: nothing */
		n->watermark_boost = 16;
		st->pgdat.kswapd_sleeping = false;
		break;
	case 3:		/* unbalanced but hopeless: nothing */
		st->pgdat.kswapd_failures = MAX_RECLAIM_RETRIES;
		n->watermark_boost = 16;
		break;
	case 4:		/* a raw lock held: the wait queue's spinlock_t nests in it */
		n->watermark_boost = 16;
		mm_cur->known_lock_reports = 0;
		mm_set_context(0, MM_CTX_RAW_LOCK_HELD);
		break;
	}
	wakeup_kswapd(n, 0, 0, ZONE_NORMAL);
}

static void test_wakeup_kswapd(void)
{
	static const long woken[] = { 0, 1, 0, 0 };

	for (wake_case = 0; wake_case < 4; wake_case++) {
		struct mm_instance in;
		struct mm_config cfg = boost_cfg();
		struct pa_state *st = pa_new(&in, &pa_test_port, &cfg);

		if (!st)
			return;
		CHECK(!strcmp(pa_inside(&in, call_wakeup_kswapd, false), ""));
		CHECK_EQ(st->kswapd_wakeups, woken[wake_case]);
		mm_instance_destroy(&in);
	}
	{
		struct mm_instance in;
		struct mm_config cfg = boost_cfg();

		cfg.v[PA_CFG_prove_raw_lock_nesting] = 1;
		if (pa_new(&in, &pa_test_port, &cfg)) {
			CHECK(!strcmp(pa_inside(&in, call_wakeup_kswapd, false), "INVALID_WAIT_CTX"));
			CHECK(!strcmp(in.m.where, "__wake_up_common_lock"));
			CHECK(!strcmp(in.m.lock, "kswapd_wait.lock"));
			mm_instance_destroy(&in);
		}
	}
}

/*
 * The slow path: a GFP_KERNEL request that no zone can satisfy wakes
 * kswapd once (the retry finds it awake), makes no progress in reclaim,
 * and ends in the OOM path; GFP_NOWAIT gives up without it.  Once kswapd
 * has failed MAX_RECLAIM_RETRIES times the node is hopeless: no wake-up.
 */
static void test_slowpath(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct mm_opres r;
	struct pa_state *st;

	cfg.v[PA_CFG_wmark_min] = 32;	/* every watermark above the free pages */
	st = pa_new(&in, &pa_test_port, &cfg);
	if (!st)
		return;
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r), ""));
	CHECK_EQ(r.status, -ENOMEM);
	CHECK_EQ(st->slowpath_entries, 1);
	CHECK_EQ(st->kswapd_wakeups, 1);
	CHECK(strstr(in.m.notes.last, "OOM killer") != NULL);
	pa_do(&in, pa_op(PA_OP_KSWAPD, 0, 0, 0, 0, 0), NULL);
	CHECK_EQ(st->pgdat.kswapd_failures, 1);
	/* GFP_NOWAIT: a wake-up, no reclaim, no OOM */
	{
		unsigned long notes = in.m.notes.nr;

		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NOWAIT, MIGRATE_MOVABLE, 0), &r);
		CHECK_EQ(r.status, -ENOMEM);
		CHECK_EQ(st->kswapd_wakeups, 2);
		CHECK_EQ(in.m.notes.nr, notes);
	}
	for (int i = 0; i < MAX_RECLAIM_RETRIES; i++)
		pa_do(&in, pa_op(PA_OP_KSWAPD, 0, 0, 0, 0, 0), NULL);
	CHECK_EQ(st->pgdat.kswapd_failures, 2);	/* asleep after the first run */
	st->pgdat.kswapd_failures = MAX_RECLAIM_RETRIES;
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NOWAIT, MIGRATE_MOVABLE, 0), &r);
	CHECK_EQ(st->kswapd_wakeups, 2);
	mm_instance_destroy(&in);
}

int main(void)
{
	test_boost_and_wake();
	test_small_zone();
	test_wmark_boost_invariant();
	test_wakeup_kswapd();
	test_slowpath();
	return test_done("test_pa_kswapd");
}

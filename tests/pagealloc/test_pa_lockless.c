// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lockless entry points return what the thread says, and the
 * self-differential smoke: v5.9 against itself (and the clean lockless
 * variant against v5.9) stays silent on pseudo-random inputs.
 *
 * __rcu_alloc_page_lockless(): empty pcp lists -> 0; otherwise the first
 * page of the first non-empty migratetype list, zones NORMAL then DMA32;
 * a list whose first page fails check_new_pcp() is skipped (the page
 * stays); DEBUG_PAGEALLOC -> 0.
 */
#include "pa_test.h"
#include "input.h"

/*
 * Boot of the posted revision (pa_cfg): no bnode prefill, so both zones keep
 * one free MOVABLE order-4 block (DMA32 pfn 0-15, Normal pfn 16-31).
 */
static void test_lockless_fn(bool debug_pagealloc)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct mm_opres r;
	struct pa_state *st;
	struct zone *n, *d;
	long locks;

	cfg.v[PA_CFG_debug_pagealloc] = debug_pagealloc;
	st = pa_new(&in, &pagealloc_lockless, &cfg);
	if (!st)
		return;
	n = &st->zones[ZONE_NORMAL];
	d = &st->zones[ZONE_DMA32];
	CHECK_EQ(n->nr_free_pages, 16);
	CHECK_EQ(st->boot_bnode_pages, 0);
	locks = st->zone_lock_taken;
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), &r), ""));
	CHECK_EQ(r.status, -ENOMEM);
	CHECK_EQ(st->zone_lock_taken, locks);
	/* GFP_KERNEL movable: Normal refills 16, 17, 18, 19 and returns 16 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), &r);
	CHECK_EQ(r.val[1], 16);
	CHECK_EQ(n->pageset[0].pcp.count, 3);
	pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), &r);
	if (debug_pagealloc) {
		CHECK_EQ(r.status, -ENOMEM);
		CHECK_EQ(n->pageset[0].pcp.count, 3);
		mm_instance_destroy(&in);
		return;
	}
	CHECK_EQ(r.val[0], ZONE_NORMAL);
	CHECK_EQ(r.val[1], 17);
	CHECK_EQ(n->pageset[0].pcp.count, 2);
	/*
	 * GFP_ATOMIC unmovable: ALLOC_NOFRAGMENT finds no whole block in
	 * Normal and claims DMA32's: its unmovable list becomes [1, 2, 3]
	 */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), &r);
	CHECK_EQ(r.val[1], 0);
	CHECK_EQ(d->pageset[0].pcp.count, 3);
	locks = st->zone_lock_taken;
	/* zonelist order: Normal's movable list [18, 19] comes first */
	pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(r.val[0], ZONE_NORMAL);
	CHECK_EQ(r.val[1], 18);
	/* a bad first page: Normal's list is skipped, the page stays on it */
	pa_do(&in, pa_op(PA_OP_INJECT_BAD_PAGE, 0, ZONE_NORMAL, MIGRATE_MOVABLE, 0, 0), &r);
	CHECK_EQ(r.val[1], 19);
	pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), &r);
	CHECK_EQ(r.val[0], ZONE_DMA32);
	CHECK_EQ(r.val[1], 1);
	CHECK_EQ(n->pageset[0].pcp.count, 1);
	CHECK_EQ(st->zone_lock_taken, locks);
	mm_instance_destroy(&in);
}

static void test_nolocks_flag(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct mm_opres r;
	struct pa_state *st;

	st = pa_new(&in, &pagealloc_nolocks_flag, &cfg);
	if (st) {
		long locks = st->zone_lock_taken;

		/* __GFP_NO_LOCKS: unmovable list empty -> NULL, no zone->lock */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), &r), ""));
		CHECK_EQ(r.status, -ENOMEM);
		CHECK_EQ(st->zone_lock_taken, locks);
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), NULL);
		pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), &r);
		CHECK_EQ(r.val[1], 19);
		mm_instance_destroy(&in);
	}
	/* with DEBUG_PAGEALLOC prep_new_page() maps the page under a spinlock_t */
	cfg.v[PA_CFG_debug_pagealloc] = 1;
	if (pa_new(&in, &pagealloc_nolocks_flag, &cfg)) {
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), NULL);
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      "LOCK_IN_LOCKLESS_PATH"));
		CHECK(!strcmp(in.m.where, "kernel_map_pages"));
		mm_instance_destroy(&in);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static void test_smoke(void)
{
	static struct mm_input input;
	static uint8_t buf[1024];
	struct mm_verdict v;
	const struct mm_variant *self[2] = { &pagealloc_v5_9, &pagealloc_v5_9 };
	const struct mm_variant *lockless[2] = { &pagealloc_v5_9, &pagealloc_lockless };
	const struct mm_variant *nolocks[2] = { &pagealloc_v5_9, &pagealloc_nolocks_flag };
	int bad_self = 0, bad_lockless = 0, bad_nolocks = 0;

	for (int i = 0; i < 300; i++) {
		size_t len = 16 + next_byte() * 3;

		for (size_t k = 0; k < len; k++)
			buf[k] = next_byte();
		mm_decode(&pagealloc_family, buf, len, &input);
		mm_run(&pagealloc_family, self, 2, &input, &v, NULL);
		if (v.violated) {
			bad_self++;
			fprintf(stderr, "self: %s at op %d: %s\n", v.sig, v.op_index, v.detail);
		}
		mm_run(&pagealloc_family, lockless, 2, &input, &v, NULL);
		if (v.violated) {
			bad_lockless++;
			fprintf(stderr, "lockless: %s at op %d: %s\n", v.sig, v.op_index, v.detail);
		}
		mm_run(&pagealloc_family, nolocks, 2, &input, &v, NULL);
		/*
		 * nolocks-flag's known bugs: kernel_map_pages() with
		 * DEBUG_PAGEALLOC, wakeup_kswapd() on a boosted zone
		 */
		if (v.violated && (strcmp(v.inv, "LOCK_IN_LOCKLESS_PATH") ||
				   (strcmp(v.where, "__wake_up_common_lock") &&
				    !input.cfg.v[PA_CFG_debug_pagealloc]))) {
			bad_nolocks++;
			fprintf(stderr, "nolocks-flag: %s at op %d: %s\n", v.sig, v.op_index, v.detail);
		}
	}
	CHECK_EQ(bad_self, 0);
	CHECK_EQ(bad_lockless, 0);
	CHECK_EQ(bad_nolocks, 0);
}

int main(void)
{
	test_lockless_fn(false);
	test_lockless_fn(true);
	test_nolocks_flag();
	test_smoke();
	return test_done("test_pa_lockless");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * NO_LOCKS_PATH fires on a purpose-broken copy of the __GFP_NO_LOCKS port
 * whose allocation path lacks the diff's hooks (rmqueue_bulk() and the slow
 * path are v5.9's), and stays silent on the port as posted.  And the
 * posted port's second lock: an order-0 __GFP_NO_LOCKS pcp hit on a zone
 * left flagged ZONE_BOOSTED_WATERMARK (by a fallback steal whose rmqueue()
 * failed, or by another CPU between its steal and its rmqueue() exit)
 * calls wakeup_kswapd(), which takes the kswapd wait queue's spinlock_t.
 */
#define PA_TEST_WITHOUT_HOOKS
#define PA_TEST_PORT	"../../impl/pagealloc/nolocks_flag.c"
#define PA_VARIANT	nolocks_without_hooks
#include "pa_test.h"

static void test_hooks(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	/* watermarks above the free pages: the fast path fails without a lock */
	cfg.v[PA_CFG_wmark_min] = 32;
	if (pa_new(&in, &nolocks_without_hooks, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NO_LOCKS, 0, 0), NULL),
			      "NO_LOCKS_PATH"));
		mm_instance_destroy(&in);
	}
	/* the posted diff under the same conditions */
	if (pa_new(&in, &pagealloc_nolocks_flag, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NO_LOCKS, 0, 0), NULL), ""));
		mm_instance_destroy(&in);
	}
}

static void flag_boosted_zone(struct pa_state *st)
{
	st->zones[ZONE_NORMAL].flags |= ZONE_BOOSTED_WATERMARK;
	st->zones[ZONE_NORMAL].watermark_boost = 16;
}

static void test_boosted_wake(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	cfg.v[PA_CFG_normal_blocks] = 4;
	cfg.v[PA_CFG_wmark_min] = 8;
	if (!pa_new(&in, &pagealloc_nolocks_flag, &cfg))
		return;
	/* the bnode prefill left Normal's unmovable list empty: a refill first */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0), NULL);
	CHECK(!strcmp(pa_inside(&in, flag_boosted_zone, false), ""));
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
		      "LOCK_IN_LOCKLESS_PATH"));
	CHECK(!strcmp(in.m.where, "__wake_up_common_lock"));
	CHECK(!strcmp(in.m.lock, "kswapd_wait.lock"));
	mm_instance_destroy(&in);
}

int main(void)
{
	test_hooks();
	test_boosted_wake();
	return test_done("test_pa_nolocks_port");
}

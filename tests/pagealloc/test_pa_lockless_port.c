// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lockless revision's port: its kvfree_rcu() client as posted in 1/4
 * and 3/4 (cache of rcu_min_cached_objs 5, no boot prefill, the page cache
 * work queued on a fallback unless interrupts were disabled at the call,
 * refilling with GFP_NOWAIT, blocks freed back to the batch owner's
 * cache), and its own invariants (LOCKLESS_BUDDY, LOCKLESS_PICK) firing on
 * purpose-broken copies: the lockless_alloc op's function replaced by one
 * that refills from the buddy, or by one that never finds a page.  Mode 0
 * is the posted __rcu_alloc_page_lockless().
 */
#define PA_LOCKLESS_FN	test_lockless_fn
static unsigned long test_lockless_fn(void);
#define PA_TEST_PORT	"../../impl/pagealloc/lockless.c"
#define PA_VARIANT	lockless_under_test
#include "pa_test.h"

static int mode;

static unsigned long test_lockless_fn(void)
{
	switch (mode) {
	case 1:
		return __get_free_page(GFP_NOWAIT | __GFP_NOWARN);	/* refills */
	case 2:
		return 0;						/* gives up */
	default:
		return __rcu_alloc_page_lockless();
	}
}

static void test_broken(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	for (mode = 0; mode < 2; mode++) {
		if (!pa_new(&in, &lockless_under_test, &cfg))
			return;
		/* empty pcp lists: the posted code fails, the refilling one takes zone->lock */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      mode ? "LOCKLESS_BUDDY" : ""));
		mm_instance_destroy(&in);
	}
	mode = 2;
	if (pa_new(&in, &lockless_under_test, &cfg)) {
		/* empty pcp lists: failing is right */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL), ""));
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), NULL);
		/* Normal's movable list holds 17, 18, 19: failing now is not */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      "LOCKLESS_PICK"));
		mm_instance_destroy(&in);
	}
	mode = 0;
}

static struct kfree_rcu_cpu *krc_of(struct mm_instance *in, int cpu)
{
	return &((struct pa_state *)in->inst)->krcs[cpu];
}

static void test_page_cache_work(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct mm_opres r;

	/* a fallback from process context queues the work; it fills 5 pages */
	if (pa_new(&in, &lockless_under_test, &cfg)) {
		CHECK_EQ(krc_of(&in, 0)->nr_bkv_objs, 0);
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, MM_CTX_PROCESS, 0), &r);
		CHECK_EQ(r.val[1], 1);		/* via its rcu_head */
		CHECK(krc_of(&in, 0)->work_in_progress);
		pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), &r);
		CHECK(strstr(r.text, "fill_page_cache_func") != NULL);
		CHECK_EQ(krc_of(&in, 0)->nr_bkv_objs, 5);
		CHECK(!krc_of(&in, 0)->work_in_progress);
		/* the next objects go into a cached block */
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 3, MM_CTX_PROCESS, 0), &r);
		CHECK_EQ(r.val[0], 3);
		CHECK_EQ(krc_of(&in, 0)->nr_bkv_objs, 4);
		mm_instance_destroy(&in);
	}
	/* interrupts disabled at the call: no work queued */
	if (pa_new(&in, &lockless_under_test, &cfg)) {
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, MM_CTX_IRQS_OFF, 0), &r);
		CHECK_EQ(r.val[1], 1);
		CHECK(!krc_of(&in, 0)->work_in_progress);
		CHECK(!work_pending(&krc_of(&in, 0)->page_cache_work));
		mm_instance_destroy(&in);
	}
	/* GFP_NOWAIT: under the watermarks the work gets nothing and does not reclaim */
	cfg.v[PA_CFG_wmark_min] = 32;
	if (pa_new(&in, &lockless_under_test, &cfg)) {
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, MM_CTX_PROCESS, 0), &r);
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), &r), ""));
		CHECK_EQ(krc_of(&in, 0)->nr_bkv_objs, 0);
		CHECK(strstr(in.m.notes.last, "OOM") == NULL);
		mm_instance_destroy(&in);
	}
}

/* kfree_rcu_work() on another CPU gives the block back to the batch's owner */
static void test_owner_cache(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct mm_opres r;

	cfg.v[PA_CFG_nr_cpus] = 2;
	if (!pa_new(&in, &lockless_under_test, &cfg))
		return;
	/* cpu 0's pcp list: 17, 18, 19 -> the block page comes from it */
	pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), NULL);
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 2, MM_CTX_PROCESS, 0), &r);
	CHECK_EQ(r.val[0], 2);
	pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), &r);	/* monitor */
	pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL);
	pa_do(&in, pa_op(PA_OP_RUN_WORK, 1, 1, 0, 0, 0), &r);	/* kfree_rcu_work on cpu 1 */
	CHECK(strstr(r.text, "kfree_rcu_work") != NULL);
	CHECK_EQ(((struct pa_state *)in.inst)->kv_freed, 2);
	CHECK_EQ(krc_of(&in, 0)->nr_bkv_objs, 1);
	CHECK_EQ(krc_of(&in, 1)->nr_bkv_objs, 0);
	mm_instance_destroy(&in);
}

int main(void)
{
	test_broken();
	test_page_cache_work();
	test_owner_cache();
	return test_done("test_pa_lockless_port");
}

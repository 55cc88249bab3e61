// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference's known lock problems (the subject of the series
 * "kvfree_rcu() and _LOCK_NESTING/_PREEMPT_RT") are reported by the
 * machine's lock checker at rmqueue_bulk, where v5.9 takes zone->lock:
 * with PROVE_RAW_LOCK_NESTING, kvfree_rcu() refilling a pcp list under the
 * raw krcp->lock is INVALID_WAIT_CTX; with PREEMPT_RT, GFP_ATOMIC under a
 * raw lock is SLEEP_IN_ATOMIC.  With v5.9's known_lock_reports mask they
 * are notes; cleared, they are violations.
 */
#include "pa_test.h"

/* 1021 objects need a third block: the bnode cache holds two pages */
#define KV_THIRD_BLOCK (2 * (int)KVFREE_BULK_MAX_ENTR + 1)

static void test_prove_raw(bool mask)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	unsigned long notes;

	cfg.v[PA_CFG_prove_raw_lock_nesting] = 1;
	if (!pa_new(&in, &pagealloc_v5_9, &cfg))
		return;
	if (!mask)
		in.m.known_lock_reports = 0;
	notes = in.m.notes.nr;
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, KV_THIRD_BLOCK, MM_CTX_PROCESS, 0), NULL);
	if (mask) {
		CHECK(!in.dead);
		CHECK(in.m.notes.nr > notes);
		CHECK(strstr(in.m.notes.last, "INVALID_WAIT_CTX at rmqueue_bulk") != NULL);
	} else {
		CHECK(in.dead);
		CHECK(!strcmp(in.m.inv, "INVALID_WAIT_CTX"));
		CHECK(!strcmp(in.m.where, "rmqueue_bulk"));
	}
	mm_instance_destroy(&in);
}

static void rt_atomic_under_raw(struct pa_state *st)
{
	(void)st;
	mm_cur->known_lock_reports = 0;
	mm_set_context(0, MM_CTX_RAW_LOCK_HELD);
	__get_free_page(GFP_ATOMIC);
}

static void test_rt(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	cfg.v[PA_CFG_preempt_rt] = 1;
	if (!pa_new(&in, &pagealloc_v5_9, &cfg))
		return;
	/* v5.9's kvfree_rcu() does not enter the allocator on PREEMPT_RT */
	in.m.known_lock_reports = 0;
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, KV_THIRD_BLOCK, MM_CTX_RAW_LOCK_HELD, 0), NULL), ""));
	CHECK(((struct pa_state *)in.inst)->kv_via_head == 1);
	/* a GFP_ATOMIC caller under a raw lock with an empty pcp list */
	CHECK(!strcmp(pa_inside(&in, rt_atomic_under_raw, false), "SLEEP_IN_ATOMIC"));
	CHECK(!strcmp(in.m.where, "rmqueue_bulk"));
	mm_instance_destroy(&in);
}

/*
 * The implementations take no zone->lock there: with empty pcp lists the
 * lockless revision (no cache at boot) falls back for every object, the
 * __GFP_NO_LOCKS one after its two cached blocks for the last one.
 */
static void test_impls_clean(void)
{
	const struct mm_variant *v[] = { &pagealloc_lockless, &pagealloc_nolocks_flag };
	const long heads[] = { KV_THIRD_BLOCK, 1 };

	for (int i = 0; i < 2; i++) {
		struct mm_instance in;
		struct mm_config cfg = pa_cfg();

		cfg.v[PA_CFG_prove_raw_lock_nesting] = 1;
		if (!pa_new(&in, v[i], &cfg))
			continue;
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, KV_THIRD_BLOCK,
					       MM_CTX_RAW_LOCK_HELD, 0), NULL), ""));
		CHECK_EQ(((struct pa_state *)in.inst)->kv_via_head, heads[i]);
		mm_instance_destroy(&in);
	}
}

int main(void)
{
	test_prove_raw(true);
	test_prove_raw(false);
	test_rt();
	test_impls_clean();
	return test_done("test_pa_lockcheck");
}

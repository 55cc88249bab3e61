// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every pagealloc invariant and differential relation fires on a
 * purpose-built broken state or a purpose-built broken variant, and stays
 * silent on the intact one.
 */
#include "pa_test.h"

static const char *corrupt(void (*fn)(struct pa_state *), const struct mm_variant *v)
{
	static char inv[64];
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	if (!pa_new(&in, v ? v : &pagealloc_v5_9, &cfg))
		return "create failed";
	snprintf(inv, sizeof(inv), "%s", pa_inside(&in, fn, true));
	mm_instance_destroy(&in);
	return inv;
}

static void c_none(struct pa_state *st) { (void)st; }
static void c_pcp_count(struct pa_state *st) { st->zones[ZONE_NORMAL].pageset[0].pcp.count++; }
static void c_pcp_high(struct pa_state *st)
{
	st->last_free_pcp = &st->zones[ZONE_DMA32].pageset[0].pcp;
	st->last_free_count_before = 3;
	st->last_free_count_after = 4;	/* reached high 4 but returned no batch */
	st->last_free_high = 4;
	st->last_free_batch = 2;
}
static void c_two_places(struct pa_state *st)
{
	/* pfn 24 is a free order-3 buddy block; hand it to a user as well */
	st->users[st->nr_users].page = &st->zones[ZONE_NORMAL].mem_map[8];
	st->users[st->nr_users++].order = 0;
}
static void c_lost(struct pa_state *st)
{
	/* pfn 16 is in the bnode cache: drop the cache without freeing it */
	st->krc[0].bkvcache = st->krc[0].bkvcache->next;
	st->krc[0].nr_bkv_objs--;
}
static void c_nr_free(struct pa_state *st) { st->zones[ZONE_DMA32].nr_free_pages++; }
static void c_unmerged(struct pa_state *st)
{
	struct zone *z = &st->zones[ZONE_DMA32];
	struct page *p = &z->mem_map[0];

	/* split the free order-4 block into two free order-3 buddies */
	list_del(&p->lru);
	z->free_area[4].nr_free--;
	p->private = 3;
	list_add(&p->lru, &z->free_area[3].free_list[MIGRATE_MOVABLE]);
	p[8].flags |= PG_buddy;
	p[8].private = 3;
	list_add(&p[8].lru, &z->free_area[3].free_list[MIGRATE_MOVABLE]);
	z->free_area[3].nr_free += 2;
}
static void c_misaligned(struct pa_state *st)
{
	struct zone *z = &st->zones[ZONE_NORMAL];

	/* the order-1 block at pfn 18 claims order 2 */
	z->mem_map[2].private = 2;
	list_move(&z->mem_map[2].lru, &z->free_area[2].free_list[MIGRATE_UNMOVABLE]);
	z->free_area[1].nr_free--;
	z->free_area[2].nr_free++;
}
static void c_kv_account(struct pa_state *st) { st->kv_calls++; }

static void test_single_variant(void)
{
	CHECK(!strcmp(corrupt(c_none, NULL), ""));
	CHECK(!strcmp(corrupt(c_pcp_count, NULL), "PCP_COUNT"));
	CHECK(!strcmp(corrupt(c_pcp_high, NULL), "PCP_HIGH"));
	CHECK(!strcmp(corrupt(c_two_places, NULL), "CONSERVATION"));
	CHECK(!strcmp(corrupt(c_lost, NULL), "CONSERVATION"));
	CHECK(!strcmp(corrupt(c_nr_free, NULL), "NR_FREE"));
	CHECK(!strcmp(corrupt(c_unmerged, NULL), "BUDDY_FORM"));
	CHECK(!strcmp(corrupt(c_misaligned, NULL), "BUDDY_FORM"));
	CHECK(!strcmp(corrupt(c_kv_account, NULL), "KVFREE_ACCOUNT"));
}

/* a block holding the same object twice: kfree_bulk() frees it twice */
static void c_dup_record(struct pa_state *st)
{
	struct kvfree_rcu_bulk_data *b = st->krc[0].bkvhead[0];

	b->records[1] = b->records[0];
	/* the lost object stays queued forever; the account still balances */
}

/* the rcu_work runs without its grace period */
static void c_skip_gp(struct pa_state *st)
{
	struct rcu_work *rw = &st->krc[0].krw_arr[0].rcu_work;

	mm_cur->rcu_head_list = mm_cur->rcu_tail = NULL;
	rw->rcu_pending = false;
	queue_work(&mm_cur->system_wq, &rw->work);
}

static void test_kvfree(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	/* intact: objects freed after one grace period */
	if (pa_new(&in, &pagealloc_v5_9, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 3, 0, 0), NULL), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0), NULL), ""));
		CHECK_EQ(((struct pa_state *)in.inst)->kv_freed, 3);
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &pagealloc_v5_9, &cfg)) {
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 2, 0, 0), NULL);
		CHECK(!strcmp(pa_inside(&in, c_dup_record, false), ""));
		pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);
		pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL);
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0), NULL),
			      "KVFREE_DOUBLE_FREE"));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &pagealloc_v5_9, &cfg)) {
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, 0, 0), NULL);
		pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);
		CHECK(!strcmp(pa_inside(&in, c_skip_gp, false), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0), NULL),
			      "KVFREE_BEFORE_GP"));
		mm_instance_destroy(&in);
	}
}

/* -- purpose-built broken variants ------------------------------------- */

static void *broken_create(const struct mm_config *cfg, const struct pa_variant_ops *ops)
{
	return pa_create(cfg, ops);
}

/* I6: a "lockless" entry that refills from the buddy */
static const struct pa_variant_ops i6_ops = {
	.name = "i6", .boot_prefill = true, .lockless_fn = true,
	.kvfree_get_page = pa_v59_kvfree_get_page, .lockless_entry = pa_v59_lockless_entry,
};
static void *i6_create(const struct mm_config *cfg) { return broken_create(cfg, &i6_ops); }
static const struct mm_variant i6_variant = {
	.name = "i6", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = i6_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* I6_LOCKLESS_PICK: a "lockless" entry that gives up although a page is there */
static unsigned long never_page(void) { return 0; }
static const struct pa_variant_ops i6_pick_ops = {
	.name = "i6-pick", .boot_prefill = true, .lockless_fn = true,
	.kvfree_get_page = never_page, .lockless_entry = never_page,
};
static void *i6_pick_create(const struct mm_config *cfg) { return broken_create(cfg, &i6_pick_ops); }
static const struct mm_variant i6_pick_variant = {
	.name = "i6-pick", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = i6_pick_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* I7: V2 without its rmqueue_bulk and slow-path hooks */
static unsigned long no_locks_page(void) { return __get_free_page(__GFP_NO_LOCKS); }
static const struct pa_variant_ops i7_ops = {
	.name = "i7", .gfp_no_locks = true, .boot_prefill = true,
	.kvfree_get_page = pa_v59_kvfree_get_page, .lockless_entry = no_locks_page,
	.test_faults = PA_TEST_SKIP_NO_LOCKS_HOOK,
};
static void *i7_create(const struct mm_config *cfg) { return broken_create(cfg, &i7_ops); }
static const struct mm_variant i7_variant = {
	.name = "i7", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = i7_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

static void test_i6_i7(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	if (pa_new(&in, &i6_variant, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      "LOCKLESS_BUDDY"));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &i6_pick_variant, &cfg)) {
		/* empty pcp lists: failing is right */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL), ""));
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), NULL);
		/* DMA32's movable list holds 1, 2, 3: failing now is not */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      "LOCKLESS_PICK"));
		mm_instance_destroy(&in);
	}
	/* watermarks above the free pages: the fast path fails without a lock */
	cfg.v[PA_CFG_wmark_min] = 32;
	if (pa_new(&in, &i7_variant, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NO_LOCKS, 0, 0), NULL),
			      "NO_LOCKS_PATH"));
		mm_instance_destroy(&in);
	}
	/* the real V2 under the same conditions */
	if (pa_new(&in, &pagealloc_nolocks_flag, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NO_LOCKS, 0, 0), NULL), ""));
		mm_instance_destroy(&in);
	}
}

/* D1: boots differently (no bnode prefill) */
static const struct pa_variant_ops d1_ops = {
	.name = "d1", .kvfree_rt_bailout = true,
	.kvfree_get_page = pa_v59_kvfree_get_page, .lockless_entry = pa_v59_lockless_entry,
};
static void *d1_create(const struct mm_config *cfg) { return broken_create(cfg, &d1_ops); }
static const struct mm_variant d1_variant = {
	.name = "d1", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = d1_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* D3: falls back without trying for a page (krcp never initialized) */
static const struct pa_variant_ops d3_ops = {
	.name = "d3", .kvfree_rt_bailout = true, .boot_prefill = true,
	.kvfree_get_page = pa_v59_kvfree_get_page, .lockless_entry = pa_v59_lockless_entry,
};
static void *d3_create(const struct mm_config *cfg)
{
	struct pa_state *st = pa_create(cfg, &d3_ops);

	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		st->krc[cpu].initialized = false;
	return st;
}
static const struct mm_variant d3_variant = {
	.name = "d3", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = d3_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* D4: fails every allocation */
static const struct pa_variant_ops d4_ops = {
	.name = "d4", .kvfree_rt_bailout = true, .boot_prefill = false,
	.kvfree_get_page = pa_v59_kvfree_get_page, .lockless_entry = pa_v59_lockless_entry,
	.test_faults = PA_TEST_FAIL_ALLOCS,
};
static void *d4_create(const struct mm_config *cfg) { return broken_create(cfg, &d4_ops); }
static const struct mm_variant d4_variant = {
	.name = "d4", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = d4_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

static const char *run_pair(const struct mm_variant *impl, const struct mm_op *ops, int n)
{
	static struct mm_verdict v;
	static struct mm_input input;
	const struct mm_variant *vars[2] = { &pagealloc_v5_9, impl };

	memset(&input, 0, sizeof(input));
	input.cfg = pa_cfg();
	input.nr_ops = n;
	memcpy(input.ops, ops, sizeof(ops[0]) * (size_t)n);
	mm_run(&pagealloc_family, vars, 2, &input, &v, NULL);
	return v.violated ? v.inv : "";
}

static void test_diff(void)
{
	struct mm_op alloc = pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0);
	struct mm_op kv[] = { pa_op(PA_OP_KVFREE_RCU, 0, 2, 3, 0, 0) };

	CHECK(!strcmp(run_pair(&pagealloc_v5_9, &alloc, 1), ""));
	CHECK(!strcmp(run_pair(&d1_variant, &alloc, 1), "LOCKSTEP"));
	CHECK(!strcmp(run_pair(&d3_variant, kv, 1), "FALLBACK_BOUND"));
	CHECK(!strcmp(run_pair(&d4_variant, &alloc, 1), "ALLOC_FAIL"));
	/* a legitimate divergence (a kvfree_rcu op) is not a D1 violation */
	CHECK(!strcmp(run_pair(&pagealloc_lockless, kv, 1), ""));
}

/*
 * The v5.9 late-attach race (kvfree_rcu.c obj_kfree): noted as a known
 * reference bug, not a violation.  PREEMPT_RT: blocks only from the cache.
 */
static void test_late_attach(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct pa_state *st;

	cfg.v[PA_CFG_preempt_rt] = 1;
	st = pa_new(&in, &pagealloc_v5_9, &cfg);
	if (!st)
		return;
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, 0, 0), NULL);	/* A: cached block 1 */
	pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);		/* A -> krw0, call_rcu */
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, 0, 0), NULL);	/* X: cached block 2, monitor queued */
	pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL);		/* krw0 work queued after it */
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 511, 0, 0), NULL);	/* 509 into X's block, 2 heads */
	CHECK_EQ(st->kv_via_head, 2);
	pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);		/* monitor: heads -> pending krw0 */
	CHECK_EQ(st->krc[0].krw_arr[0].late_attach, LATE_HEAD);	/* not the block channel */
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL), ""));
	CHECK(strstr(in.m.notes.last, "pending rcu_work") != NULL);
	CHECK_EQ(st->kv_freed, 3);	/* A, and the two heads without a grace period */
	mm_instance_destroy(&in);
}

int main(void)
{
	test_late_attach();
	test_single_variant();
	test_kvfree();
	test_i6_i7();
	test_diff();
	return test_done("test_pa_invariants");
}

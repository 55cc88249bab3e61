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

	if (!pa_new(&in, v ? v : &pa_test_port, &cfg))
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
	st->krcs[0].bkvcache = st->krcs[0].bkvcache->next;
	st->krcs[0].nr_bkv_objs--;
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
	struct kvfree_rcu_bulk_data *b = st->krcs[0].bkvhead[0];

	b->records[1] = b->records[0];
	/* the lost object stays queued forever; the account still balances */
}

/* the rcu_work runs without its grace period */
static void c_skip_gp(struct pa_state *st)
{
	struct rcu_work *rw = &st->krcs[0].krw_arr[0].rcu_work;

	mm_cur->rcu_head_list = mm_cur->rcu_tail = NULL;
	rw->rcu_pending = false;
	queue_work(&mm_cur->system_wq, &rw->work);
}

static void test_kvfree(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	/* intact: objects freed after one grace period */
	if (pa_new(&in, &pa_test_port, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 3, 0, 0), NULL), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0), NULL), ""));
		CHECK_EQ(((struct pa_state *)in.inst)->kv_freed, 3);
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &pa_test_port, &cfg)) {
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 2, 0, 0), NULL);
		CHECK(!strcmp(pa_inside(&in, c_dup_record, false), ""));
		pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);
		pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL);
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0), NULL),
			      "KVFREE_DOUBLE_FREE"));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &pa_test_port, &cfg)) {
		pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, 0, 0), NULL);
		pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);
		CHECK(!strcmp(pa_inside(&in, c_skip_gp, false), ""));
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0), NULL),
			      "KVFREE_BEFORE_GP"));
		mm_instance_destroy(&in);
	}
}

/* -- purpose-built broken variants of this file's v5.9 copy ---------- */

/* LOCKSTEP: boots with a page already handed out */
static void *d1_create(const struct mm_config *cfg)
{
	struct pa_state *st = pa_create(cfg);

	pa_e_alloc_pages(st, GFP_KERNEL, 0);
	return st;
}
static const struct mm_variant d1_variant = {
	.name = "d1", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = d1_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* FALLBACK_BOUND: falls back without trying for a page (krcp never initialized) */
static void *d3_create(const struct mm_config *cfg)
{
	struct pa_state *st = pa_create(cfg);

	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		st->krcs[cpu].initialized = false;
	return st;
}
static const struct mm_variant d3_variant = {
	.name = "d3", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = d3_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* ALLOC_FAIL: every caller's allocation fails */
static struct pa_page d4_alloc_pages(void *inst, gfp_t gfp_mask, unsigned int order)
{
	struct pa_page pg = { -1, -1, order, false };

	pa_enter(inst);
	return pg;
}
static struct pa_port d4_port;
static void *d4_create(const struct mm_config *cfg)
{
	struct pa_state *st = pa_create(cfg);

	d4_port = pa_port_entries;
	d4_port.alloc_pages = d4_alloc_pages;
	st->port = &d4_port;
	return st;
}
static const struct mm_variant d4_variant = {
	.name = "d4", .family = "pagealloc", .reference = "v5.9", .expect = "buggy",
	.create = d4_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

/* a revision without drain_all_pages(): the op is skipped, not a divergence */
static struct pa_port nodrain_port;
static void *nodrain_create(const struct mm_config *cfg)
{
	struct pa_state *st = pa_create(cfg);

	nodrain_port = pa_port_entries;
	nodrain_port.drain_all_pages = NULL;
	st->port = &nodrain_port;
	return st;
}
static const struct mm_variant nodrain_variant = {
	.name = "nodrain", .family = "pagealloc", .reference = "v5.9", .expect = "clean",
	.create = nodrain_create, .exec = pa_exec, .check = pa_check, .observe = pa_observe,
	.dump = pa_dump,
};

static const char *run_pair2(const struct mm_variant *ref, const struct mm_variant *impl,
			      const struct mm_op *ops, int n)
{
	static struct mm_verdict v;
	static struct mm_input input;
	const struct mm_variant *vars[2] = { ref, impl };

	memset(&input, 0, sizeof(input));
	input.cfg = pa_cfg();
	input.nr_ops = n;
	memcpy(input.ops, ops, sizeof(ops[0]) * (size_t)n);
	mm_run(&pagealloc_family, vars, 2, &input, &v, NULL);
	return v.violated ? v.inv : "";
}

static const char *run_pair(const struct mm_variant *impl, const struct mm_op *ops, int n)
{
	return run_pair2(&pagealloc_v5_9, impl, ops, n);
}

static void test_diff(void)
{
	struct mm_op alloc = pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_ATOMIC, MIGRATE_UNMOVABLE, 0);
	struct mm_op kv[] = { pa_op(PA_OP_KVFREE_RCU, 0, 2, 3, 0, 0) };

	CHECK(!strcmp(run_pair(&pagealloc_v5_9, &alloc, 1), ""));
	CHECK(!strcmp(run_pair(&d1_variant, &alloc, 1), "LOCKSTEP"));
	CHECK(!strcmp(run_pair(&d3_variant, kv, 1), "FALLBACK_BOUND"));
	CHECK(!strcmp(run_pair(&d4_variant, &alloc, 1), "ALLOC_FAIL"));
	/* the lockless revision boots without the bnode prefill: lockstep ends at boot */
	CHECK(!strcmp(run_pair(&pagealloc_lockless, &alloc, 1), ""));
	{
		struct mm_op drain[] = { alloc, pa_op(PA_OP_PAGE_FREE, 0, 0, 0, 0, 0),
					 pa_op(PA_OP_DRAIN_ALL, 0, 0, 0, 0, 0), alloc };
		struct mm_opres r;
		struct mm_instance in;
		struct mm_config cfg = pa_cfg();

		/* a missing entry point: skipped alike for every variant */
		CHECK(!strcmp(run_pair2(&nodrain_variant, &nodrain_variant, drain, 4), ""));
		if (pa_new(&in, &nodrain_variant, &cfg)) {
			CHECK(!strcmp(pa_do(&in, drain[2], &r), ""));
			CHECK_EQ(r.status, 1);
			CHECK(strstr(r.text, "skipped") != NULL);
			mm_instance_destroy(&in);
		}
	}
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
	st = pa_new(&in, &pa_test_port, &cfg);
	if (!st)
		return;
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, 0, 0), NULL);	/* A: cached block 1 */
	pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);		/* A -> krw0, call_rcu */
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1, 0, 0), NULL);	/* X: cached block 2, monitor queued */
	pa_do(&in, pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0), NULL);		/* krw0 work queued after it */
	pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 511, 0, 0), NULL);	/* 509 into X's block, 2 heads */
	CHECK_EQ(st->kv_via_head, 2);
	pa_do(&in, pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0), NULL);		/* monitor: heads -> pending krw0 */
	CHECK_EQ(st->krcs[0].krw_arr[0].late_attach, LATE_HEAD);	/* not the block channel */
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
	test_diff();
	return test_done("test_pa_invariants");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a balance run, reclaim and an allocation promise (pcpu_exec.c:
 * BALANCE_EMPTY_POP_PAGES, FREE_CHUNKS, RECLAIM_INCOMPLETE, ALLOC_ISOLATED),
 * each firing on a planted bug -- the version's balance work or
 * pcpu_alloc() swapped for a broken one on a live instance -- and silent
 * with the version's own code on the same state; and the bulk ops
 * (free_every, free_chunk, balance_quiet).
 */
#include "pcpu_test.h"

#define CFG_VM "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=off"

static struct pcpu_variant_ops broken;
static const struct pcpu_variant_ops *orig;

/* run @workfn as the instance's balance work from now on */
static void plant_balance(work_func_t workfn)
{
	struct pcpu_state *st = t_st();

	orig = st->ops;
	broken = *st->ops;
	broken.balance_workfn = workfn;
	st->ops = &broken;
	st->balance_work.func = workfn;
}

/* a balance run that does nothing at all */
static void balance_nothing(struct work_struct *work)
{
	(void)work;
	pcpu_bm_balance_begin();
	pcpu_bm_balance_end();
}

/* v5.14's run without its reclaim step (but the harness's check of it) */
static void balance_no_reclaim(struct work_struct *work)
{
	(void)work;
	pcpu_bm_balance_begin();
	pcpu_bm_reclaim_done();
	pcpu_bm_balance_end();
}

/* a reclaim that sidelines its chunks without depopulating them */
static void balance_sideline_only(struct work_struct *work)
{
	struct list_head *todo = &pcpu_chunk_lists[pcpu_to_depopulate_slot];

	(void)work;
	pcpu_bm_balance_begin();
	while (!list_empty(todo))
		list_move_tail(todo->next, &pcpu_chunk_lists[pcpu_sidelined_slot]);
	pcpu_bm_reclaim_done();
	pcpu_bm_balance_end();
}

/* n allocations of a page, no balance run (async off) */
static void fill(int n)
{
	for (int i = 0; i < n; i++)
		CHECK_EQ(t_op("alloc cpu=0 size=4096 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 0);
}

static void test_fills_high(void)
{
	static const char *const v[] = { "v5.12", "v5.14" };

	for (int i = 0; i < 2; i++) {
		/* 19 pages allocated: the last chunk has no empty page left */
		CHECK_EQ(t_start(v[i], CFG_VM), 0);
		fill(19);
		CHECK(t_st()->nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH);
		CHECK_EQ(t_op("force_balance", NULL), 0);
		CHECK(t_st()->nr_empty_pop_pages >= PCPU_EMPTY_POP_PAGES_HIGH);

		CHECK_EQ(t_start(v[i], CFG_VM), 0);
		fill(19);
		plant_balance(balance_nothing);
		CHECK_EQ(t_op("force_balance", NULL), 1);
		CHECK(!strcmp(T.m.inv, "BALANCE_EMPTY_POP_PAGES"));

		/* a failure excuses the shortfall: populate fails */
		CHECK_EQ(t_start(v[i], CFG_VM), 0);
		fill(19);
		CHECK_EQ(t_op("fail_next kind=populate n=8", NULL), 0);
		CHECK_EQ(t_op("force_balance", NULL), 0);
		CHECK(t_st()->nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH);
	}
	/* RFC 3/4 does not promise it (its shrink may end below HIGH) */
	CHECK_EQ(t_start("rfc3-fix", CFG_VM), 0);
	fill(19);
	plant_balance(balance_nothing);
	CHECK_EQ(t_op("force_balance", NULL), 0);
}

static void create_two_chunks(void)
{
	mutex_lock(&pcpu_alloc_mutex);
	for (int i = 0; i < 2; i++) {
		struct pcpu_chunk *chunk = pcpu_create_chunk(PCPU_CHUNK_ROOT, GFP_KERNEL);

		spin_lock_irq(&pcpu_lock);
		pcpu_chunk_relocate(chunk, -1);
		spin_unlock_irq(&pcpu_lock);
	}
	mutex_unlock(&pcpu_alloc_mutex);
}

static void test_free_chunks(void)
{
	/* v5.12: chunks 1..3 filled, then emptied: three fully free chunks */
	CHECK_EQ(t_start("v5.12", CFG_VM), 0);
	fill(27);
	for (int k = 0; k < 3; k++)
		CHECK_EQ(t_op("free_chunk cpu=0 k=1", NULL), 0);
	plant_balance(balance_nothing);
	CHECK_EQ(t_op("force_balance", NULL), 1);
	CHECK(!strcmp(T.m.inv, "FREE_CHUNKS"));
	CHECK_EQ(t_start("v5.12", CFG_VM), 0);
	fill(27);
	for (int k = 0; k < 3; k++)
		CHECK_EQ(t_op("free_chunk cpu=0 k=1", NULL), 0);
	CHECK_EQ(t_op("force_balance", NULL), 0);
	CHECK_EQ(t_st()->nr_chunks, 1);

	/* v5.14: two chunks created and never populated (as balance creates them) */
	CHECK_EQ(t_start("v5.14", CFG_VM), 0);
	CHECK(!strcmp(t_call(create_two_chunks), ""));
	CHECK(!strcmp(t_check(), ""));
	plant_balance(balance_nothing);
	CHECK_EQ(t_op("force_balance", NULL), 1);
	CHECK(!strcmp(T.m.inv, "FREE_CHUNKS"));
	CHECK_EQ(t_start("v5.14", CFG_VM), 0);
	CHECK(!strcmp(t_call(create_two_chunks), ""));
	CHECK_EQ(t_op("force_balance", NULL), 0);
}

/*
 * v5.14: 64 one-page users over 8 chunks, then all but one per chunk
 * freed: free_percpu() isolates the chunks with many empty pages.
 */
static void isolate_some(void)
{
	CHECK_EQ(t_start("v5.14", "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on"), 0);
	CHECK_EQ(t_op("inflate cpu=0 size=2048 n=64 type=root", NULL), 0);
	CHECK_EQ(t_op("balance_quiet n=4", NULL), 0);
	CHECK_EQ(t_op("deflate pattern=keep_one_per_chunk permille=999 seed=0", NULL), 0);
	t_st();
	CHECK(!list_empty(&pcpu_chunk_lists[pcpu_to_depopulate_slot]));
}

static void test_reclaim(void)
{
	isolate_some();
	CHECK_EQ(t_op("balance_quiet n=4", NULL), 0);
	t_st();
	CHECK(list_empty(&pcpu_chunk_lists[pcpu_to_depopulate_slot]));

	isolate_some();
	plant_balance(balance_no_reclaim);
	CHECK_EQ(t_op("balance", NULL), 1);
	CHECK(!strcmp(T.m.inv, "RECLAIM_INCOMPLETE"));

	isolate_some();
	plant_balance(balance_sideline_only);
	CHECK_EQ(t_op("balance", NULL), 1);
	CHECK(!strcmp(T.m.inv, "RECLAIM_INCOMPLETE"));
	CHECK(strstr(T.m.detail, "left isolated") != NULL);
}

/* pcpu_alloc() without pcpu_reintegrate_chunk(): isolate the chunk again */
static void __percpu *alloc_stays_isolated(size_t size, size_t align, bool reserved, gfp_t gfp)
{
	void __percpu *ptr = orig->pcpu_alloc(size, align, reserved, gfp);
	struct pcpu_chunk *chunk;

	if (!ptr)
		return ptr;
	chunk = pcpu_chunk_addr_search(ptr);
	if (chunk->immutable)
		return ptr;
	spin_lock_irq(&pcpu_lock);
	chunk->isolated = true;
	pcpu_nr_empty_pop_pages -= chunk->nr_empty_pop_pages;
	list_move(&chunk->list, &pcpu_chunk_lists[pcpu_sidelined_slot]);
	spin_unlock_irq(&pcpu_lock);
	return ptr;
}

static void test_alloc_isolated(void)
{
	isolate_some();
	CHECK_EQ(t_op("balance_quiet n=4", NULL), 0);
	/* sidelined chunks serve allocations, and are reintegrated */
	for (int i = 0; i < 8; i++)
		CHECK_EQ(t_op("alloc cpu=0 size=2048 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 0);
	CHECK(!strcmp(t_check(), ""));

	isolate_some();
	CHECK_EQ(t_op("balance_quiet n=4", NULL), 0);
	t_st();
	broken = *t_st()->ops;
	orig = t_st()->ops;
	broken.pcpu_alloc = alloc_stays_isolated;
	t_st()->ops = &broken;
	/* the first chunk serves some: the first from a created chunk fires */
	for (int i = 0; i < 16; i++)
		if (t_op("alloc cpu=0 size=2048 align_shift=3 gfp=GFP_KERNEL type=root", NULL))
			break;
	CHECK(!strcmp(T.m.inv, "ALLOC_ISOLATED"));
}

static void test_bulk_ops(void)
{
	struct mm_opres r;

	CHECK_EQ(t_start("v5.14", CFG_VM), 0);
	CHECK_EQ(t_op("inflate cpu=0 size=1024 n=40 type=root", NULL), 0);
	memset(&r, 0, sizeof(r));
	CHECK_EQ(t_op("free_every cpu=0 k=4 phase=1", &r), 0);
	CHECK_EQ(r.val[0], 10);				/* indices 1, 5, ..., 37 */
	memset(&r, 0, sizeof(r));
	CHECK_EQ(t_op("free_chunk cpu=0 k=1", &r), 0);	/* the second chunk used */
	CHECK_EQ(r.val[2], 1);
	CHECK(t_chunk(1)->free_bytes == pcpu_unit_size);
	CHECK(!strcmp(t_check(), ""));
	/* async off: nothing is ever pending */
	memset(&r, 0, sizeof(r));
	CHECK_EQ(t_op("balance_quiet n=16", &r), 0);
	CHECK_EQ(r.status, 1);

	/* two chunks emptied wake the grim reaper; quiet after its run */
	CHECK_EQ(t_start("v5.14", "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on"), 0);
	CHECK_EQ(t_op("inflate cpu=0 size=1024 n=60 type=root", NULL), 0);
	CHECK_EQ(t_op("balance_quiet n=16", NULL), 0);
	CHECK_EQ(t_op("free_chunk cpu=0 k=1", NULL), 0);
	CHECK_EQ(t_op("free_chunk cpu=0 k=1", NULL), 0);
	CHECK(work_pending(&t_st()->balance_work));
	memset(&r, 0, sizeof(r));
	CHECK_EQ(t_op("balance_quiet n=16", &r), 0);
	CHECK(r.val[0] >= 1);
	CHECK(!work_pending(&t_st()->balance_work));
}

int main(void)
{
	test_fills_high();
	test_free_chunks();
	test_reclaim();
	test_alloc_isolated();
	test_bulk_ops();
	return test_done("test_pcpu_promises");
}

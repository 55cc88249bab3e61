// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every invariant of the bitmap-era percpu ports fires on a purpose-built
 * broken state, and is silent on the intact one.  Layout as in
 * test_pcpu_depop.c: three one-page allocations in the first chunk, chunk 1
 * ("A") and chunk 2 ("B") of 8 one-page allocations each, A0..A2 and
 * B0..B2 freed.
 */
#include "pcpu_test.h"
#include "../../impl/percpu/rfc3/percpu-rfc3.h"

#define CFG_E "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on"

static void setup(const char *variant)
{
	CHECK_EQ(t_start(variant, CFG_E), 0);
	for (int i = 0; i < 19; i++)
		CHECK_EQ(t_op("alloc cpu=0 size=4096 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=3", NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=8", NULL), 0);
	CHECK(!strcmp(t_check(), ""));
}

#define FIRES(id, corrupt, undo) do {					\
	corrupt;							\
	CHECK(!strcmp(t_check(), id));					\
	undo;								\
	CHECK(!strcmp(t_check(), ""));					\
} while (0)

static void test_accounting(void)
{
	struct pcpu_state *st;
	struct pcpu_chunk *a;
	int bit = 3 * PCPU_BITMAP_BLOCK_BITS;	/* A3, live */

	setup("v5.12");
	st = t_st();
	a = t_chunk(1);
	CHECK_EQ(a->nr_empty_pop_pages, 3);
	FIRES("EMPTY_POP_PAGES_COUNT", st->nr_empty_pop_pages++, st->nr_empty_pop_pages--);
	FIRES("POPULATED_COUNT", a->nr_populated++, a->nr_populated--);
	FIRES("POPULATED_COUNT", st->nr_populated++, st->nr_populated--);
	FIRES("CHUNK_EMPTY_PAGES", (a->nr_empty_pop_pages--, st->nr_empty_pop_pages--),
	      (a->nr_empty_pop_pages++, st->nr_empty_pop_pages++));
	FIRES("CHUNK_FREE_BYTES", a->free_bytes += 4, a->free_bytes -= 4);
	FIRES("CHUNK_CONTIG_HINT", a->chunk_md.contig_hint += 1024,
	      a->chunk_md.contig_hint -= 1024);
	FIRES("CHUNK_CONTIG_HINT", a->md_blocks[3].contig_hint = 5,
	      a->md_blocks[3].contig_hint = 0);
	FIRES("ALLOC_MAP", __clear_bit(bit, a->bound_map), __set_bit(bit, a->bound_map));
	/*
	 * The sweep skips a chunk unchanged since it last passed: its vm page
	 * table is part of what "unchanged" compares (a live area's unit page
	 * gone, the populated bitmap intact).
	 */
	{
		char **pages = a->data, *page3 = pages[3];

		FIRES("UNPOPULATED_LIVE", pages[3] = NULL, pages[3] = page3);
	}
	FIRES("UNPOPULATED_LIVE",
	      (__clear_bit(3, a->populated), a->nr_populated--, st->nr_populated--),
	      (__set_bit(3, a->populated), a->nr_populated++, st->nr_populated++));
	FIRES("CHUNK_SLOT", list_move(&a->list, &st->chunk_lists[5]),
	      list_move(&a->list, &st->chunk_lists[pcpu_chunk_slot(a)]));
	FIRES("CHUNK_COUNT", st->nr_chunks++, st->nr_chunks--);
	/* a hint in a version without hints */
	FIRES("HINT_COUNTER", a->depopulate = true, a->depopulate = false);
}

static void test_hints_rfc3(void)
{
	struct pcpu_state *st;
	struct pcpu_chunk *a;

	setup("rfc3");
	st = t_st();
	a = t_chunk(1);
	FIRES("HINT_COUNTER", st->nr_chunks_to_depopulate++,
	      st->nr_chunks_to_depopulate--);
	FIRES("HINT_COUNTER", a->depopulate = !a->depopulate,
	      a->depopulate = !a->depopulate);
	FIRES("HINT_IMMUTABLE",
	      (st->first_chunk->depopulate = true, st->nr_chunks_to_depopulate++),
	      (st->first_chunk->depopulate = false, st->nr_chunks_to_depopulate--));
}

static void hint_never_cleared(void)
{
	struct pcpu_state *st = pcpu_G;
	struct pcpu_chunk *b = t_chunk(2);

	/* a hint no balance run clears: the liveness check after 4 runs */
	b->depopulate = true;
	st->nr_chunks_to_depopulate = 1;
	for (int i = 0; i < 4; i++) {
		st->i8_fails_at_begin = mm_cur->budget_fails;
		pcpu_rfc3_hint_liveness();
	}
}

static void test_hint_leak(void)
{
	setup("rfc3");
	CHECK(!strcmp(t_call(hint_never_cleared), "HINT_LEAK"));
}

static void depop_first_chunk(void)
{
	mutex_lock(&pcpu_alloc_mutex);
	pcpu_depopulate_chunk(pcpu_first_chunk, 0, 1);
}

static void alloc_area_unlocked(void)
{
	pcpu_alloc_area(t_chunk(1), 1, 1, 0);
}

static void populate_unlocked(void)
{
	pcpu_populate_chunk(t_chunk(1), 0, 1, GFP_KERNEL);
}

static void populate_twice(void)
{
	mutex_lock(&pcpu_alloc_mutex);
	pcpu_populate_chunk(t_chunk(1), 3, 4, GFP_KERNEL);
}

static void destroy_populated(void)
{
	pcpu_destroy_chunk(t_chunk(1));
}

static void three_creations(void)
{
	pcpu_bm_balance_begin();
	for (int i = 0; i < 3; i++)
		pcpu_bm_balance_created(PCPU_CHUNK_ROOT);
}

static void test_backend_and_locks(void)
{
	setup("v5.12");
	CHECK(!strcmp(t_call(depop_first_chunk), "DEPOP_IMMUTABLE"));
	setup("v5.12");
	CHECK(!strcmp(t_call(alloc_area_unlocked), "LOCK_MISUSE"));
	setup("v5.12");
	CHECK(!strcmp(t_call(populate_unlocked), "LOCK_MISUSE"));
	setup("v5.12");
	CHECK(!strcmp(t_call(populate_twice), "DOUBLE_POPULATE"));
	setup("v5.12");
	CHECK(!strcmp(t_call(destroy_populated), "DESTROY_POPULATED"));
	setup("v5.12");
	CHECK(!strcmp(t_call(three_creations), "UNBOUNDED_CHUNK_CREATION"));
}

static void test_contents(void)
{
	char *p;

	setup("v5.12");
	/* live: [first x3, A3..A7, B3..B7]; scribble on A4 in unit 0 */
	p = pcpu_unit_addr(t_chunk(1), 0, 4 * PAGE_SIZE);
	p[100] ^= 0x5a;
	CHECK_EQ(t_op("free cpu=0 k=4", NULL), 1);
	CHECK(!strcmp(T.m.inv, "CONTENTS"));
}

static void test_unbounded_loop(void)
{
	struct pcpu_state *st;

	/* a full chunk on the free slot: pcpu_alloc never creates, restarts */
	CHECK_EQ(t_start("v5.12", CFG_E), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 0);
	st = t_st();
	list_move(&st->first_chunk->list, &st->chunk_lists[st->free_slot]);
	CHECK_EQ(t_op("alloc cpu=0 size=64 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 1);
	CHECK(!strcmp(T.m.inv, "UNBOUNDED_LOOP"));
}

static void __percpu *(*real_alloc)(size_t, size_t, bool, gfp_t);

/* a broken pcpu_alloc: forgets to queue the balance work */
static void __percpu *forgetful_alloc(size_t size, size_t align, bool reserved,
				      gfp_t gfp)
{
	void __percpu *p = real_alloc(size, align, reserved, gfp);

	mm_cur->system_wq.head = mm_cur->system_wq.tail = NULL;
	pcpu_G->balance_work.pending = false;
	return p;
}

static void test_balance_scheduled(void)
{
	static struct pcpu_variant_ops broken;
	struct pcpu_state *st;

	CHECK_EQ(t_start("v5.12", CFG_E), 0);
	st = t_st();
	broken = *st->ops;
	real_alloc = broken.pcpu_alloc;
	broken.pcpu_alloc = forgetful_alloc;
	st->ops = &broken;
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 1);
	CHECK(!strcmp(T.m.inv, "BALANCE_NOT_SCHEDULED"));
}

static void test_v5_14_isolation(void)
{
	struct pcpu_chunk *a;

	setup("v5.14");
	a = t_chunk(1);
	FIRES("ISOLATED", a->isolated = true, a->isolated = false);

	/* A isolated by A6's free (see test_pcpu_depop.c) */
	CHECK_EQ(t_op("free cpu=0 k=10", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=10", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=6", NULL), 0);
	a = t_chunk(1);
	CHECK(a->isolated);
	/* pretend an earlier depopulation of [0, 8) was never flushed */
	a->unflushed_start = 0;
	a->unflushed_end = 8;
	CHECK_EQ(t_op("balance", NULL), 1);
	CHECK(!strcmp(T.m.inv, "TLB_FLUSH"));
}

/*
 * I10_ALLOC_TO_DEPOPULATE: A isolated on to_depopulate; B filled up; a
 * pcpu_alloc whose slot scan wrongly reaches to_depopulate (pcpu_free_slot
 * pointed there) must be caught when it serves from A.
 */
static void test_v5_14_alloc_to_depopulate(void)
{
	struct pcpu_state *st;

	setup("v5.14");
	CHECK_EQ(t_op("free cpu=0 k=10", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=10", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=6", NULL), 0);
	CHECK(t_chunk(1)->isolated);
	/* B: pages 0..2 and 5..6 taken again; A is invisible, so B serves */
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=8192 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	CHECK(!strcmp(t_check(), ""));
	st = t_st();
	st->free_slot = st->to_depopulate_slot;
	CHECK_EQ(t_op("alloc cpu=0 size=4096 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 1);
	CHECK(!strcmp(T.m.inv, "ALLOC_TO_DEPOPULATE"));
}

/* I6_SLOT on a slot list running into another one (the one-pass slot map) */
static void test_slot_two_lists(void)
{
	struct pcpu_state *st;
	struct pcpu_chunk *a;
	struct list_head *h;

	setup("v5.12");
	st = t_st();
	a = t_chunk(1);
	h = &st->chunk_lists[1];
	/* splice A's node into slot 1 without unlinking it from its own list */
	h->next = &a->list;
	h->prev = &a->list;
	CHECK(!strcmp(t_check(), "CHUNK_SLOT"));
	INIT_LIST_HEAD(h);
	CHECK(!strcmp(t_check(), ""));
}

int main(void)
{
	test_accounting();
	test_hints_rfc3();
	test_hint_leak();
	test_backend_and_locks();
	test_contents();
	test_unbounded_loop();
	test_balance_scheduled();
	test_v5_14_isolation();
	test_v5_14_alloc_to_depopulate();
	test_slot_two_lists();
	return test_done("test_pcpu_invariants");
}

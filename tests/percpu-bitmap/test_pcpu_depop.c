// SPDX-License-Identifier: GPL-2.0-only
/*
 * Depopulation in the bitmap era, against hand-worked expectations:
 * RFC 3/4's marking conditions and pcpu_shrink_populated() (rfc3), the
 * reference doing neither (v5.12), the v5.14 isolate -> reclaim ->
 * sideline -> reintegrate lifecycle, and the robot's runaway chunk
 * creation: rfc3 with the km backend, not v5.12 nor rfc3-fix, nor rfc3 vm.
 *
 * Layout used below (nr_cpus=1, vm, unit 8 pages, static 4K, dyn 4K raised
 * to PERCPU_DYNAMIC_EARLY_SIZE, 12K, as the kernel's setup requires): 19
 * allocations of 4096 bytes put three in the first chunk (page-sized),
 * eight in chunk 1 ("A", pages 0..7) and eight in chunk 2 ("B"); live
 * indices 0..2 are the first chunk's, 3..10 are A0..A7, 11..18 B0..B7.
 */
#include "pcpu_test.h"

#define CFG_E "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on"

static void fill19(void)
{
	for (int i = 0; i < 19; i++)
		CHECK_EQ(t_op("alloc cpu=0 size=4096 align_shift=3 gfp=GFP_KERNEL type=root", NULL), 0);
}

/* free A0, A1, A2, then B0, B1, B2, then A5 */
static void free_a012_b012_a5(void)
{
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=3", NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=8", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=5", NULL), 0);
}

static void test_rfc3_marking_and_shrink(const char *variant)
{
	struct pcpu_state *st;
	struct pcpu_chunk *a, *b;

	CHECK_EQ(t_start(variant, CFG_E), 0);
	fill19();
	st = t_st();
	CHECK_EQ(st->nr_chunks, 2);
	CHECK_EQ(st->nr_empty_pop_pages, 0);

	/* A0, A1: 2 empty pages is not > nr_pages / 4 */
	CHECK_EQ(t_op("free cpu=0 k=3", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=3", NULL), 0);
	CHECK(!t_chunk(1)->depopulate);
	/* A2: 3 > 2, but A is alone in slot 11 (contig 12K) */
	CHECK_EQ(t_op("free cpu=0 k=3", NULL), 0);
	CHECK_EQ(t_slot(1), 11);
	CHECK(!t_chunk(1)->depopulate);
	CHECK_EQ(t_st()->nr_chunks_to_depopulate, 0);
	/* B0..B2: B joins slot 11 (at the front); at B2 it is marked */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=8", NULL), 0);
	CHECK_EQ(t_slot(2), 11);
	CHECK(t_chunk(2)->depopulate);
	CHECK(!t_chunk(1)->depopulate);
	CHECK_EQ(t_st()->nr_chunks_to_depopulate, 1);
	/* A5: 4 empty pages, B shares slot 11: A marked, 2 > 1 candidates */
	CHECK_EQ(t_op("free cpu=0 k=5", NULL), 0);
	st = t_st();
	a = t_chunk(1);
	b = t_chunk(2);
	CHECK(a->depopulate && b->depopulate);
	CHECK_EQ(st->nr_chunks_to_depopulate, 2);
	CHECK_EQ(st->nr_empty_pop_pages, 4 + 3);
	CHECK(work_pending(&st->balance_work));

	/*
	 * Balance: 7 >= HIGH empty pages and candidates, so shrink.  Slot 11
	 * holds [B, A]: B's pages [0, 3) go (global 4), then A's [0, 3) and
	 * [5, 6) (global 0).
	 */
	CHECK_EQ(t_op("balance", NULL), 0);
	st = t_st();
	a = t_chunk(1);
	b = t_chunk(2);
	CHECK_EQ(st->nr_chunks_to_depopulate, 0);
	CHECK(!a->depopulate && !b->depopulate);
	CHECK_EQ(b->nr_populated, 5);
	CHECK_EQ(a->nr_populated, 4);
	CHECK(!test_bit(5, a->populated) && test_bit(6, a->populated));
	CHECK_EQ(st->nr_empty_pop_pages, 0);
	CHECK_EQ(st->nr_depopulated, 7);
	CHECK_EQ(st->nr_populated, 4 + 4 + 5);
	CHECK_EQ(T.m.pages_used, 4 + 4 + 5);
	CHECK_EQ(t_slot(1), 11);
	CHECK_EQ(t_slot(2), 11);
	/* the live areas kept their contents (checked at free) */
	CHECK_EQ(t_op("deflate pattern=every_k permille=500 seed=1", NULL), 0);
	CHECK_EQ(T.m.violated, 0);
}

static void test_v5_12_never_shrinks(void)
{
	struct pcpu_state *st;

	CHECK_EQ(t_start("v5.12", CFG_E), 0);
	fill19();
	free_a012_b012_a5();
	st = t_st();
	CHECK(!t_chunk(1)->depopulate && !t_chunk(2)->depopulate);
	CHECK_EQ(st->nr_empty_pop_pages, 7);
	CHECK_EQ(t_op("balance", NULL), 0);
	st = t_st();
	CHECK_EQ(st->nr_depopulated, 0);
	CHECK_EQ(st->nr_populated, 4 + 16);
	CHECK_EQ(st->nr_empty_pop_pages, 7);
}

static void test_v5_14_lifecycle(void)
{
	struct pcpu_state *st;
	struct pcpu_chunk *a;
	struct mm_opres r;

	CHECK_EQ(t_start("v5.14", CFG_E), 0);
	fill19();
	/* A0..A2, B0..B2, B5, B6: nobody has HIGH empty pages besides itself */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=3", NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(t_op("free cpu=0 k=8", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=10", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=10", NULL), 0);
	st = t_st();
	CHECK(!t_chunk(1)->isolated && !t_chunk(2)->isolated);
	CHECK_EQ(st->nr_empty_pop_pages, 3 + 5);
	/* A6: A has 4 >= 8/4 and the others 5 > HIGH: isolate A */
	CHECK_EQ(t_op("free cpu=0 k=6", NULL), 0);
	st = t_st();
	a = t_chunk(1);
	CHECK(a->isolated);
	CHECK_EQ(t_slot(1), st->to_depopulate_slot);
	CHECK_EQ(st->nr_empty_pop_pages, 5);	/* A's 4 left the count */
	CHECK(work_pending(&st->balance_work));

	/* reclaim from the back: [6, 7) then [0, 3); flush; sideline */
	CHECK_EQ(t_op("balance", NULL), 0);
	st = t_st();
	a = t_chunk(1);
	CHECK(a->isolated);
	CHECK_EQ(t_slot(1), st->sidelined_slot);
	CHECK_EQ(a->nr_populated, 4);
	CHECK(test_bit(3, a->populated) && test_bit(4, a->populated) &&
	      test_bit(5, a->populated) && test_bit(7, a->populated));
	CHECK_EQ(a->nr_empty_pop_pages, 0);
	CHECK_EQ(a->unflushed_end, 0);		/* batched flush covered it */
	CHECK_EQ(st->nr_depopulated, 4);
	CHECK_EQ(st->nr_empty_pop_pages, 5);

	/* B serves first; once B is full, the sidelined A is used again */
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[0], 2);
	CHECK_EQ(r.val[1], 0);
	CHECK_EQ(t_op("alloc cpu=0 size=8192 align_shift=12 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[0], 2);
	CHECK_EQ(r.val[1], 20480);
	CHECK(t_chunk(1)->isolated);
	CHECK_EQ(t_op("alloc cpu=0 size=4096 align_shift=12 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[0], 1);
	CHECK_EQ(r.val[1], 0);
	a = t_chunk(1);
	CHECK(!a->isolated);
	CHECK_EQ(t_slot(1), 11);		/* contig: pages 1, 2 */
	CHECK_EQ(a->nr_populated, 5);
}

static const char *runaway_km =
	"family percpu\n"
	"config nr_cpus=1 backend=km unit_pages=8 budget=2000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on\n"
	"alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root\n"
	"alloc cpu=0 size=64 align_shift=3 gfp=GFP_NOWAIT type=root\n"
	"balance\n";

static const char *runaway_vm =
	"family percpu\n"
	"config nr_cpus=1 backend=vm unit_pages=8 budget=2000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on\n"
	"alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root\n"
	"alloc cpu=0 size=64 align_shift=3 gfp=GFP_NOWAIT type=root\n"
	"balance\n";

static void test_runaway(void)
{
	CHECK(!strcmp(t_run("rfc3", runaway_km), "percpu/rfc3/UNBOUNDED_CHUNK_CREATION@pcpu_balance_workfn"));
	CHECK(!strcmp(t_run("v5.12,rfc3", runaway_km),
		      "percpu/rfc3/UNBOUNDED_CHUNK_CREATION@pcpu_balance_workfn"));
	CHECK(!strcmp(t_run("v5.12", runaway_km), "OK"));
	CHECK(!strcmp(t_run("v5.12,rfc3-fix", runaway_km), "OK"));
	CHECK(!strcmp(t_run("v5.12,v5.14", runaway_km), "OK"));
	/* vm: the new chunk has unpopulated pages, one creation suffices */
	CHECK(!strcmp(t_run("v5.12,rfc3", runaway_vm), "OK"));

	/* what v5.12 and rfc3-fix do instead: one km chunk, HIGH covered */
	CHECK_EQ(t_start("rfc3-fix", "nr_cpus=1 backend=km unit_pages=8 budget=2000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on"), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=64 align_shift=3 gfp=GFP_NOWAIT type=root", NULL), 0);
	CHECK_EQ(t_op("balance", NULL), 0);
	CHECK_EQ(t_st()->nr_chunks, 1);
	CHECK_EQ(t_st()->nr_empty_pop_pages, 8);
}

int main(void)
{
	test_rfc3_marking_and_shrink("rfc3");
	test_rfc3_marking_and_shrink("rfc3-fix");
	test_v5_12_never_shrinks();
	test_v5_14_lifecycle();
	test_runaway();
	return test_done("test_pcpu_depop");
}

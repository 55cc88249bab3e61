// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bitmap allocator core against hand-worked kernel expectations
 * (mm/percpu.c v5.12; the same code runs in v5.14): slots, first chunk
 * layout, offsets and alignment, scan-hint hole filling, free merging,
 * atomic allocations and populated pages, balance top-up to HIGH,
 * balance_free keeping one free chunk, vm vs km costs.
 */
#include "pcpu_test.h"

static void test_slots_and_first_chunk(void)
{
	struct pcpu_state *st;
	struct pcpu_chunk *fc;

	/* static 4K + dyn 8K, raised to PERCPU_DYNAMIC_EARLY_SIZE (12K): pages [1, 4) */
	CHECK_EQ(t_start("v5.12", "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=8 memcg=off async=on"), 0);
	st = t_st();
	/* __pcpu_size_to_slot(size) = max(fls(size) - 5 + 2, 1) */
	CHECK_EQ(__pcpu_size_to_slot(4), 1);
	CHECK_EQ(__pcpu_size_to_slot(32), 3);
	CHECK_EQ(__pcpu_size_to_slot(4096), 10);
	CHECK_EQ(__pcpu_size_to_slot(8176), 10);
	CHECK_EQ(__pcpu_size_to_slot(8192), 11);
	/* unit 32K: fls 16 -> 13, + 2 slots; the free slot is the last */
	CHECK_EQ(st->nr_slots, 15);
	CHECK_EQ(st->free_slot, 14);
	CHECK_EQ(pcpu_size_to_slot(32768), 14);
	fc = st->first_chunk;
	CHECK_EQ(fc->nr_pages, 3);
	CHECK_EQ(fc->start_offset, 0);
	CHECK_EQ(fc->end_offset, 0);
	CHECK_EQ(fc->free_bytes, 12288);
	CHECK_EQ(fc->mem_off, 4096);
	CHECK_EQ(fc->nr_empty_pop_pages, 3);
	CHECK_EQ(st->nr_empty_pop_pages, 3);
	CHECK_EQ(st->nr_populated, 4);		/* PFN_DOWN(static + dyn) */
	CHECK_EQ(t_slot(0), 11);		/* contig 12288 bytes */
	CHECK(st->reserved_chunk == NULL);

	/* 6.1 slots: sidelined, free, to_depopulate after the size slots */
	CHECK_EQ(t_start("v5.14", "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=8 memcg=off async=on"), 0);
	st = t_st();
	CHECK_EQ(st->sidelined_slot, 14);
	CHECK_EQ(st->free_slot, 15);
	CHECK_EQ(st->to_depopulate_slot, 16);
	CHECK_EQ(st->nr_slots, 17);
	CHECK_EQ(pcpu_size_to_slot(32768), 15);
}

static void test_reserved_layout(void)
{
	struct mm_opres r;
	struct pcpu_state *st;

	/* static 3K: reserved [3K, 7K) hides 3K before and 1K after */
	CHECK_EQ(t_start("v5.12", "nr_cpus=2 backend=vm unit_pages=8 budget=1000 static_kb=3 reserved_kb=4 dyn_kb=8 memcg=off async=on"), 0);
	st = t_st();
	CHECK_EQ(st->reserved_chunk->nr_pages, 2);
	CHECK_EQ(st->reserved_chunk->start_offset, 3072);
	CHECK_EQ(st->reserved_chunk->end_offset, 1024);
	CHECK_EQ(st->reserved_chunk->nr_empty_pop_pages, 0);
	/* dynamic region from 7K, 12K at least, extended to the page end at 20K */
	CHECK_EQ(st->first_chunk->nr_pages, 4);
	CHECK_EQ(st->first_chunk->start_offset, 3072);
	CHECK_EQ(st->first_chunk->free_bytes, 13312);
	CHECK_EQ(st->first_chunk->nr_empty_pop_pages, 3);
	CHECK_EQ(st->nr_empty_pop_pages, 3);	/* reserved chunk not counted */
	CHECK_EQ(st->nr_populated, 5);		/* PFN_DOWN(20K): dyn reaches the page end */

	CHECK_EQ(t_op("alloc_reserved cpu=1 size=100 align_shift=2", &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[0], -1);
	CHECK_EQ(r.val[1], 3072);
	CHECK_EQ(t_op("alloc cpu=0 size=4 align_shift=2 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[0], 0);
	CHECK_EQ(r.val[1], 7168);
	CHECK_EQ(t_st()->reserved_chunk->free_bytes, 4096 - 100);
}

static void test_offsets_hints_merging(void)
{
	struct mm_opres r;
	struct pcpu_state *st;
	struct pcpu_chunk *fc;

	CHECK_EQ(t_start("v5.12", "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=8 memcg=off async=on"), 0);
	/* bit 0 */
	CHECK_EQ(t_op("alloc cpu=0 size=4 align_shift=2 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[1], 4096);
	/* 8-byte alignment skips bit 1: bits [2, 4) */
	CHECK_EQ(t_op("alloc cpu=0 size=8 align_shift=3 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[1], 4104);
	/* block hints: scan_hint 1@1, contig 1020@4; first_free is bit 1 */
	st = t_st();
	fc = st->first_chunk;
	CHECK_EQ(fc->md_blocks[0].scan_hint, 1);
	CHECK_EQ(fc->md_blocks[0].scan_hint_start, 1);
	CHECK_EQ(fc->md_blocks[0].contig_hint, 1020);
	CHECK_EQ(fc->md_blocks[0].contig_hint_start, 4);
	CHECK_EQ(fc->chunk_md.contig_hint, 3068);
	CHECK_EQ(fc->chunk_md.contig_hint_start, 4);
	/* a 4-byte request fits the scan hint: the hole at bit 1 */
	CHECK_EQ(t_op("alloc cpu=0 size=4 align_shift=2 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[1], 4100);
	st = t_st();
	fc = st->first_chunk;
	CHECK_EQ(fc->free_bytes, 12288 - 16);
	CHECK_EQ(fc->nr_empty_pop_pages, 2);
	CHECK_EQ(st->nr_empty_pop_pages, 2);
	/* not below PCPU_EMPTY_POP_PAGES_LOW: no balance scheduled */
	CHECK(!work_pending(&st->balance_work));
	CHECK_EQ(t_slot(0), 11);		/* contig 3068 bits = 12272 bytes */

	/* free the 8 bytes: merged with [4, 1024) but the chunk hint lags */
	CHECK_EQ(t_op("free cpu=0 k=1", &r), 0);
	CHECK_EQ(r.val[1], 4104);
	fc = t_st()->first_chunk;
	CHECK_EQ(fc->md_blocks[0].contig_hint, 1022);
	CHECK_EQ(fc->md_blocks[0].contig_hint_start, 2);
	CHECK_EQ(fc->chunk_md.contig_hint, 3068);	/* "off by up to a page" */
	/* free both 4-byte areas: the block is whole, the chunk rescanned */
	CHECK_EQ(t_op("free cpu=0 k=0", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=0", NULL), 0);
	st = t_st();
	fc = st->first_chunk;
	CHECK_EQ(fc->free_bytes, 12288);
	CHECK_EQ(fc->chunk_md.contig_hint, 3072);
	CHECK_EQ(fc->nr_empty_pop_pages, 3);
	CHECK_EQ(st->nr_empty_pop_pages, 3);
	CHECK_EQ(t_slot(0), 11);
	CHECK_EQ(t_op("free cpu=0 k=0", &r), 0);
	CHECK_EQ(r.status, 1);			/* nothing live: skipped */
}

static void test_atomic_and_balance_vm(void)
{
	struct mm_opres r;
	struct pcpu_state *st;
	struct pcpu_chunk *c;
	long used;

	/* two units; the first chunk's dynamic region is 12K, 8K of it taken */
	CHECK_EQ(t_start("v5.12", "nr_cpus=2 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=on"), 0);
	st = t_st();
	CHECK_EQ(st->first_chunk->nr_pages, 3);
	CHECK_EQ(st->nr_populated, 4);
	CHECK_EQ(T.m.pages_used, 8);		/* boot: 4 pages x 2 units */
	CHECK_EQ(t_op("alloc cpu=0 size=8192 align_shift=12 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[1], 4096);
	CHECK(work_pending(&t_st()->balance_work));	/* one empty page left */
	CHECK_EQ(t_op("alloc cpu=0 size=4096 align_shift=12 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[1], 12288);
	CHECK(work_pending(&t_st()->balance_work));
	/* atomic: no populated free page anywhere, no chunk creation */
	CHECK_EQ(t_op("alloc cpu=1 size=64 align_shift=3 gfp=GFP_NOWAIT type=root", &r), 0);
	CHECK_EQ(r.status, -ENOMEM);
	st = t_st();
	CHECK(st->atomic_alloc_failed);
	{
		struct pcpu_obs o;

		mm_instance_observe(&T, &o);
		CHECK_EQ(o.atomic_failures, 1);
	}
	CHECK_EQ(st->nr_chunks, 0);

	/* balance: create a vm chunk (nothing populated), populate HIGH pages */
	used = T.m.pages_used;
	CHECK_EQ(t_op("balance", &r), 0);
	CHECK_EQ(r.status, 0);
	st = t_st();
	c = t_chunk(1);
	CHECK(c != NULL);
	CHECK_EQ(st->nr_chunks, 1);
	CHECK_EQ(c->nr_populated, PCPU_EMPTY_POP_PAGES_HIGH);
	CHECK_EQ(c->nr_empty_pop_pages, PCPU_EMPTY_POP_PAGES_HIGH);
	CHECK_EQ(st->nr_empty_pop_pages, PCPU_EMPTY_POP_PAGES_HIGH);
	CHECK_EQ(st->nr_populated, 4 + 4);
	CHECK(!st->atomic_alloc_failed);
	CHECK_EQ(T.m.pages_used - used, 4 * 2);	/* 4 pages in each of 2 units */
	CHECK_EQ(t_slot(1), 14);

	/* atomic allocations are served from populated pages only */
	CHECK_EQ(t_op("alloc cpu=1 size=64 align_shift=3 gfp=GFP_NOWAIT type=root", &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[0], 1);
	CHECK_EQ(r.val[1], 0);
	CHECK_EQ(t_op("alloc cpu=1 size=16384 align_shift=2 gfp=GFP_NOWAIT type=root", &r), 0);
	CHECK_EQ(r.status, -ENOMEM);		/* would reach page 4 */
	CHECK_EQ(t_op("alloc cpu=1 size=16000 align_shift=2 gfp=GFP_NOWAIT type=root", &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[1], 64);
	CHECK_EQ(t_st()->nr_populated, 8);
	/* GFP_KERNEL populates what it needs: pages 4 and 5 */
	used = T.m.pages_used;
	CHECK_EQ(t_op("alloc cpu=0 size=8192 align_shift=3 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[1], 16064);
	CHECK_EQ(t_chunk(1)->nr_populated, 6);
	CHECK_EQ(T.m.pages_used - used, 2 * 2);
}

static void test_km_vs_vm_cost(void)
{
	struct mm_opres r;
	long used;

	/* km: a chunk is one block of 1 << order_base_2(8 pages x 3 units) */
	CHECK_EQ(t_start("v5.12", "nr_cpus=3 backend=km unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=off"), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	used = T.m.pages_used;
	CHECK_EQ(t_op("alloc cpu=0 size=64 align_shift=3 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[0], 1);
	CHECK_EQ(T.m.pages_used - used, 32);
	CHECK_EQ(t_chunk(1)->nr_populated, 8);		/* born populated */
	CHECK_EQ(t_chunk(1)->nr_empty_pop_pages, 7);
	CHECK_EQ(t_st()->nr_empty_pop_pages, 7);

	/* vm: the same allocation populates one page in each unit */
	CHECK_EQ(t_start("v5.12", "nr_cpus=3 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=off"), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=12288 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	used = T.m.pages_used;
	CHECK_EQ(t_op("alloc cpu=0 size=64 align_shift=3 gfp=GFP_KERNEL type=root", &r), 0);
	CHECK_EQ(r.val[0], 1);
	CHECK_EQ(T.m.pages_used - used, 3);
	CHECK_EQ(t_chunk(1)->nr_populated, 1);
	CHECK_EQ(t_chunk(1)->nr_empty_pop_pages, 0);
}

static void test_balance_free_keeps_one(void)
{
	struct pcpu_state *st;

	CHECK_EQ(t_start("v5.12", "nr_cpus=1 backend=vm unit_pages=8 budget=1000 static_kb=4 reserved_kb=0 dyn_kb=4 memcg=off async=off"), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=32768 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	CHECK_EQ(t_op("alloc cpu=0 size=32768 align_shift=12 gfp=GFP_KERNEL type=root", NULL), 0);
	CHECK_EQ(t_st()->nr_chunks, 2);
	CHECK_EQ(t_op("free cpu=0 k=0", NULL), 0);
	CHECK_EQ(t_op("free cpu=0 k=0", NULL), 0);
	/* both free; the last one freed went to the front of the free slot */
	CHECK_EQ(t_slot(1), 14);
	CHECK_EQ(t_slot(2), 14);
	CHECK(!work_pending(&t_st()->balance_work));	/* async off */
	CHECK_EQ(t_op("force_balance", NULL), 0);
	st = t_st();
	CHECK_EQ(st->nr_chunks, 1);
	CHECK(t_chunk(1) == NULL);
	CHECK(t_chunk(2) != NULL);
	CHECK_EQ(st->nr_depopulated, 8);
	CHECK_EQ(st->nr_populated, 4 + 8);
	CHECK_EQ(st->nr_empty_pop_pages, 3 + 8);
}

int main(void)
{
	test_slots_and_first_chunk();
	test_reserved_layout();
	test_offsets_hints_merging();
	test_atomic_and_balance_vm();
	test_km_vs_vm_cost();
	test_balance_free_keeps_one();
	return test_done("test_pcpu_core");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Each invariant of the area-map ports (ref/percpu/v3.17/areamap-check.h)
 * firing on a purpose-built broken state, and silent on the healthy state
 * it was built from.
 */
#include "am_test.h"

#define SHIFT8 3

/* a healthy instance with two allocations in the first chunk */
static void start_two(struct mm_instance *in, const char *variant)
{
	am_start(in, variant, AM_DEFAULT);
	CHECK_EQ(am_alloc(in, 1000, SHIFT8, false, NULL), 0);	/* 8192 */
	CHECK_EQ(am_alloc(in, 100, 12, false, NULL), 0);	/* 12288 */
	CHECK_EQ(am_run_check(in)[0], 0);
}

#define EXPECT_CHECK(in, id) do {					\
	const char *__got = am_run_check(in);				\
	CHECK(!strcmp(__got, id));					\
	if (strcmp(__got, id))						\
		fprintf(stderr, "  wanted %s, got '%s' (%s)\n", id, __got, \
			(in)->m.detail);				\
	mm_instance_destroy(in);					\
} while (0)

#define EXPECT_OP(in, r, id) do {					\
	CHECK_EQ(r, 100);						\
	CHECK(!strcmp(am_inv(in), id));					\
	if (strcmp(am_inv(in), id))					\
		fprintf(stderr, "  wanted %s, got '%s' (%s)\n", id,	\
			am_inv(in), (in)->m.detail);			\
	mm_instance_destroy(in);					\
} while (0)

static void test_map_invariants(const char *v)
{
	struct mm_instance in;
	struct pcpu_chunk *c;

	start_two(&in, v);
	c = am_st(&in)->pcpu_first_chunk;
	list_move(&c->list, &am_st(&in)->pcpu_slot[3]);
	EXPECT_CHECK(&in, "CHUNK_SLOT");

	start_two(&in, v);
	c = am_st(&in)->pcpu_first_chunk;
	c->map_used = c->map_alloc;
	EXPECT_CHECK(&in, "AREA_MAP_BOUNDS");

	start_two(&in, v);
	am_st(&in)->pcpu_first_chunk->map[2] = 30000;	/* past map[3] */
	EXPECT_CHECK(&in, "AREA_MAP_ORDER");

	start_two(&in, v);
	c = am_st(&in)->pcpu_first_chunk;
	c->map[c->map_used] = 20000 | 1;
	EXPECT_CHECK(&in, "AREA_MAP_SENTRY");

	start_two(&in, v);
	am_st(&in)->pcpu_first_chunk->map[3] &= ~1;	/* 12288 free next to 9192 */
	EXPECT_CHECK(&in, "AREA_MAP_UNMERGED");

	start_two(&in, v);
	am_st(&in)->pcpu_first_chunk->free_size += 2;
	EXPECT_CHECK(&in, "CHUNK_FREE_BYTES");

	start_two(&in, v);
	am_st(&in)->pcpu_first_chunk->contig_hint = 100;	/* 8092 free at 12388 */
	EXPECT_CHECK(&in, "CHUNK_CONTIG_HINT");

	start_two(&in, v);
	am_st(&in)->pcpu_first_chunk->first_free = 3;	/* area 2 is free */
	EXPECT_CHECK(&in, "FIRST_FREE");

	start_two(&in, v);
	am_st(&in)->pcpu_first_chunk->nr_populated--;
	EXPECT_CHECK(&in, "POPULATED_COUNT");

	start_two(&in, v);
	am_st(&in)->pcpu_nr_empty_pop_pages++;
	EXPECT_CHECK(&in, "EMPTY_POP_PAGES_COUNT");

	start_two(&in, v);
	am_live(&in)->ent[0].off += 8;
	EXPECT_CHECK(&in, "LIVE_AREAS");

	start_two(&in, v);
	am_st(&in)->nr_chunks++;
	EXPECT_CHECK(&in, "CHUNK_SLOT");
}

/* a live allocation on a page the bitmap says is not populated */
static void test_i6(const char *v)
{
	struct mm_instance in;
	struct pcpu_chunk *c;

	am_start(&in, v, AM_DEFAULT);
	CHECK_EQ(am_alloc(&in, 12288, SHIFT8, false, NULL), 0);
	CHECK_EQ(am_alloc(&in, 100, SHIFT8, false, NULL), 0);	/* chunk 1, page 0 */
	c = am_chunk(&in, 1);
	CHECK_EQ(am_run_check(&in)[0], 0);
	c->populated[0] &= ~1UL;
	c->nr_populated--;			/* page 0 is occupied: E unchanged */
	EXPECT_CHECK(&in, "UNPOPULATED_LIVE");
}

/* contents overwritten behind the allocator's back */
static void test_i5(const char *v)
{
	struct mm_instance in;
	struct pcpu_am_state *st;
	uint8_t *unit1;

	am_start(&in, v, AM_DEFAULT);
	st = am_st(&in);
	CHECK_EQ(am_alloc(&in, 1000, SHIFT8, false, NULL), 0);	/* 8192 */
	unit1 = (uint8_t *)st->first_mem + (size_t)st->first_pages * 4096;
	unit1[8192 + 500] ^= 0x5a;
	EXPECT_OP(&in, am_free(&in, 0), "CONTENTS");
}

/* v3.17 claiming v3.18's promises: it never schedules nor tops up */
static struct pcpu_port promising;

static void promise(struct mm_instance *in)
{
	promising = *pcpu_exec_port(in->inst);
	promising.schedules_balance = true;
	promising.balance_fills_high = true;
	pcpu_exec_set_port(in->inst, &promising);
}

static void test_i2_i3(void)
{
	struct mm_instance in;

	am_start(&in, "v3.17", AM_DEFAULT);
	promise(&in);
	am_st(&in)->patched = true;
	am_st(&in)->pcpu_async_enabled = true;
	EXPECT_OP(&in, am_alloc(&in, 12288, SHIFT8, false, NULL), "BALANCE_NOT_SCHEDULED");

	am_start(&in, "v3.17", AM_DEFAULT);
	promise(&in);
	am_st(&in)->patched = true;
	am_st(&in)->pcpu_async_enabled = true;
	/* an atomic failure: nothing in the first chunk fits 16K */
	EXPECT_OP(&in, am_alloc(&in, 16384, SHIFT8, true, NULL), "BALANCE_NOT_SCHEDULED");

	am_start(&in, "v3.17", AM_DEFAULT);
	promise(&in);
	am_st(&in)->patched = true;
	EXPECT_OP(&in, am_op(&in, PCPU_OP_FORCE_BALANCE, 0, 0, 0, 0, NULL),
		  "BALANCE_EMPTY_POP_PAGES");
}

/* a second fully free chunk survives step (i): only a broken slot can hide it */
static void test_i4(const char *v)
{
	struct mm_instance in;

	am_start(&in, v, AM_DEFAULT);
	CHECK_EQ(am_alloc(&in, 12288, SHIFT8, false, NULL), 0);
	CHECK_EQ(am_alloc(&in, 100, SHIFT8, false, NULL), 0);	/* chunk 1 */
	CHECK_EQ(am_alloc(&in, 32768, SHIFT8, false, NULL), 0);	/* chunk 2 */
	CHECK_EQ(am_free(&in, 2), 0);				/* chunk 2 free */
	CHECK_EQ(am_chunk(&in, 1) != NULL, 1);
	am_chunk(&in, 1)->free_size = 32768;	/* "free", yet not on the free slot */
	EXPECT_OP(&in, am_op(&in, PCPU_OP_FORCE_BALANCE, 0, 0, 0, 0, NULL),
		  "FREE_CHUNKS");
}

/* km chunks are born full: a corrupt counter keeps the balance creating */
static void test_chunk_creation_bound(void)
{
	struct am_cfg cfg = AM_DEFAULT;
	struct mm_instance in;

	cfg.backend = PCPU_BACKEND_KM;
	am_start(&in, "v3.18", cfg);
	am_st(&in)->pcpu_nr_empty_pop_pages = -1000;
	EXPECT_OP(&in, am_op(&in, PCPU_OP_FORCE_BALANCE, 0, 0, 0, 0, NULL),
		  "UNBOUNDED_CHUNK_CREATION");
}

/* a loop guard: pcpu_alloc's restart bound derives from the chunk count */
static void test_loop_guard(void)
{
	struct mm_instance in;

	am_start(&in, "v3.17", AM_DEFAULT);
	am_st(&in)->nr_chunks = -100;
	EXPECT_OP(&in, am_alloc(&in, 100, SHIFT8, false, NULL), "UNBOUNDED_LOOP");
}

/* page 0 unpopulated under page 1: the kernel's map[-1] read is reached */
static void test_map_underflow(void)
{
	struct mm_instance in;
	struct pcpu_chunk *c;

	am_start(&in, "v3.18", AM_DEFAULT);
	CHECK_EQ(am_alloc(&in, 12288, SHIFT8, false, NULL), 0);
	CHECK_EQ(am_op(&in, PCPU_OP_BALANCE, 0, 0, 0, 0, NULL), 0);	/* chunk 1: 0..3 */
	c = am_chunk(&in, 1);
	c->populated[0] &= ~1UL;
	c->nr_populated--;
	am_st(&in)->pcpu_nr_empty_pop_pages--;
	CHECK_EQ(am_run_check(&in)[0], 0);
	EXPECT_OP(&in, am_alloc(&in, 100, SHIFT8, true, NULL), "KERNEL_MAP_UNDERFLOW");
}

int main(void)
{
	static const char *const vars[] = { "v3.17", "v3.18" };

	for (int v = 0; v < 2; v++) {
		test_map_invariants(vars[v]);
		test_i6(vars[v]);
		test_i5(vars[v]);
		test_i4(vars[v]);
	}
	test_i2_i3();
	test_chunk_creation_bound();
	test_loop_guard();
	test_map_underflow();
	return test_done("test_areamap_invariants");
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-variant invariants of the area-map ports, run by check()
 * after every op; some are checked where the kernel promises them (exec,
 * balance work).  Each one is true of the kernel's own semantics:
 *
 * id                      statement (kernel rule)
 * CHUNK_SLOT              every slot list is a well-formed ring of live chunks
 * CHUNK_SLOT              a chunk sits on pcpu_slot[pcpu_chunk_slot(chunk)]
 *                         (every alloc/free/create ends in pcpu_chunk_relocate)
 * AREA_MAP_BOUNDS          1 <= map_used < map_alloc (the sentry has a slot)
 * AREA_MAP_ORDER          map[0] is offset 0; offsets strictly increase
 * AREA_MAP_SENTRY          map[map_used] == end | 1 (unit size for created chunks)
 * AREA_MAP_UNMERGED          no two adjacent free areas (pcpu_free_area merges,
 *                         pcpu_alloc_area merges a head into a free predecessor)
 * CHUNK_FREE_BYTES        free_size == sum of free areas
 * CHUNK_CONTIG_HINT       contig_hint >= the largest free area (an upper bound:
 *                         a partial scan keeps the old value, so no equality)
 * FIRST_FREE              0 <= first_free <= map_used, no free area below it
 * POPULATED_COUNT         nr_populated == weight of the populated bitmap
 * EMPTY_POP_PAGES_COUNT     pcpu_nr_empty_pop_pages == populated pages lying wholly
 *                         in free areas, over non-reserved chunks
 * LIVE_AREAS              the in-use areas of a chunk start exactly at its live
 *                         allocations (plus the static area of the first chunk)
 * UNPOPULATED_LIVE       every page under a live allocation is populated
 * ATOMIC_POPULATES        an atomic allocation populates nothing (family executor)
 * CONTENTS                a live allocation's bytes are intact at free (family executor)
 * BALANCE_NOT_SCHEDULED   v3.18, async on: after an allocation leaving fewer than
 *                         LOW empty populated pages, or an atomic failure, the
 *                         balance work is pending (family executor)
 * BALANCE_EMPTY_POP_PAGES v3.18: a balance run with no injected failure and no
 *                         budget refusal leaves >= HIGH empty populated pages (family executor)
 * FREE_CHUNKS             after step (i) of the balance work at most one chunk
 *                         with free_size == unit size (balance work)
 * UNBOUNDED_CHUNK_CREATION a balance run creates at most PCPU_AM_CREATE_PER_RUN
 *                         chunk (balance work)
 * UNBOUNDED_LOOP          every loop of the ports within its guard
 */
#ifndef MM_PERCPU_AREAMAP_CHECK_H
#define MM_PERCPU_AREAMAP_CHECK_H

#include <stdint.h>
#include <stdlib.h>

/* @where: the kernel function that keeps the property */
#define AM_FAIL(id, where, chunk, ...)						\
	mm_violation(id, where, "chunk %d: " __VA_ARGS__)

/* the area map of one chunk, on its own */
static void am_check_map(struct pcpu_chunk *chunk)
{
	int i, free = 0, max_free = 0;

	if (chunk->map_used < 1 || chunk->map_used >= chunk->map_alloc)
		AM_FAIL("AREA_MAP_BOUNDS", "pcpu_extend_area_map", chunk, "map_used %d map_alloc %d",
			chunk->id, chunk->map_used, chunk->map_alloc);
	if ((chunk->map[0] & ~1) != 0)
		AM_FAIL("AREA_MAP_ORDER", "pcpu_alloc_area", chunk, "map[0] = %d", chunk->id, chunk->map[0]);
	for (i = 0; i < chunk->map_used; i++) {
		int off = chunk->map[i] & ~1, end = chunk->map[i + 1] & ~1;

		if (end <= off)
			AM_FAIL("AREA_MAP_ORDER", "pcpu_alloc_area", chunk, "map[%d] = %d, map[%d] = %d",
				chunk->id, i, chunk->map[i], i + 1, chunk->map[i + 1]);
		if (chunk->map[i] & 1)
			continue;
		if (i > 0 && !(chunk->map[i - 1] & 1))
			AM_FAIL("AREA_MAP_UNMERGED", "pcpu_free_area", chunk, "free areas %d and %d adjacent",
				chunk->id, i - 1, i);
		if (i < chunk->first_free)
			AM_FAIL("FIRST_FREE", "pcpu_alloc_area", chunk, "area %d free below first_free %d",
				chunk->id, i, chunk->first_free);
		free += end - off;
		max_free = max(max_free, end - off);
	}
	if (chunk->map[chunk->map_used] != (chunk->map_end | 1))
		AM_FAIL("AREA_MAP_SENTRY", "pcpu_alloc_area", chunk, "map[%d] = %d, want %d",
			chunk->id, chunk->map_used, chunk->map[chunk->map_used],
			chunk->map_end | 1);
	if (chunk->first_free < 0 || chunk->first_free > chunk->map_used)
		AM_FAIL("FIRST_FREE", "pcpu_alloc_area", chunk, "first_free %d map_used %d",
			chunk->id, chunk->first_free, chunk->map_used);
	if (free != chunk->free_size)
		AM_FAIL("CHUNK_FREE_BYTES", "pcpu_alloc_area", chunk, "free_size %d, free areas sum to %d",
			chunk->id, chunk->free_size, free);
	if (chunk->contig_hint < max_free)
		AM_FAIL("CHUNK_CONTIG_HINT", "pcpu_alloc_area", chunk, "contig_hint %d below free area of %d",
			chunk->id, chunk->contig_hint, max_free);
	if (chunk->nr_populated != bitmap_weight(chunk->populated, pcpu_unit_pages))
		AM_FAIL("POPULATED_COUNT", "pcpu_chunk_populated", chunk, "nr_populated %d, bitmap %d",
			chunk->id, chunk->nr_populated,
			bitmap_weight(chunk->populated, pcpu_unit_pages));
}

/* populated pages lying wholly inside free areas */
static int am_empty_pop_pages(struct pcpu_chunk *chunk)
{
	int i, p, n = 0;

	for (i = 0; i < chunk->map_used; i++) {
		int off = chunk->map[i], end = chunk->map[i + 1] & ~1;

		if (off & 1)
			continue;
		for (p = PFN_UP(off); p < (int)PFN_DOWN(end); p++)
			if (p < pcpu_unit_pages && test_bit(p, chunk->populated))
				n++;
	}
	return n;
}

/*
 * Is there an in-use area at @off (map[i] == off | 1 for some i)?  Called
 * for chunks am_check_map() passed this sweep: their offsets strictly
 * increase, so one entry at most carries @off and a binary search finds it.
 */
static bool am_area_in_use_at(struct pcpu_chunk *chunk, int off)
{
	int lo = 0, hi = chunk->map_used, key = off & ~1;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if ((chunk->map[mid] & ~1) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < chunk->map_used && chunk->map[lo] == (off | 1);
}

static int am_in_use_areas(struct pcpu_chunk *chunk)
{
	int n = 0;

	for (int i = 0; i < chunk->map_used; i++)
		n += chunk->map[i] & 1;
	return n;
}

/*
 * Pointer sets of one sweep (harness scratch, host memory): the chunks on
 * the slot lists, and the chunk of every live allocation.  Sorted, they
 * answer "is it on a slot list" and "how many live areas name it" in
 * O(log n) instead of a walk of every list or of the live table per chunk
 * (quadratic in long inputs).  The pointers are compared, never followed.
 */
struct am_ptrset {
	uintptr_t *v;
	long nr, cap;
};
static _Thread_local struct am_ptrset am_slot_chunks, am_live_chunks;
static _Thread_local bool am_live_counted;

static void am_ptrset_add(struct am_ptrset *s, const void *p)
{
	if (s->nr == s->cap) {
		long cap = s->cap ? 2 * s->cap : 256;
		uintptr_t *v = realloc(s->v, sizeof(*v) * cap);

		if (!v)
			mm_violation("HARNESS", __func__, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->nr++] = (uintptr_t)p;
}

static int am_ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* first index whose value is >= @p */
static long am_ptrset_lower(const struct am_ptrset *s, uintptr_t p)
{
	long lo = 0, hi = s->nr;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;

		if (s->v[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* how many times @p is in the sorted set */
static long am_ptrset_count(const struct am_ptrset *s, const void *p)
{
	long i = am_ptrset_lower(s, (uintptr_t)p), n = 0;

	while (i + n < s->nr && s->v[i + n] == (uintptr_t)p)
		n++;
	return n;
}

/* a chunk pointer taken from the live list must be one the port knows */
static bool am_chunk_known(struct pcpu_chunk *chunk)
{
	/* the slot lists as am_check() walked them just before (sorted there) */
	return chunk == pcpu_reserved_chunk || am_ptrset_count(&am_slot_chunks, chunk);
}

static void am_check_live(void)
{
	const struct pcpu_live *l = G->live;

	for (int k = 0; k < l->nr; k++) {
		struct pcpu_live_ent *e = &l->ent[k];
		struct pcpu_chunk *chunk = ((struct am_ptr *)e->ptr)->chunk;
		int p;

		if (!am_chunk_known(chunk))
			mm_violation("LIVE_AREAS", "pcpu_balance_workfn",
				     "live allocation %llu (chunk %d off %d) in a chunk no longer on any slot",
				     (unsigned long long)e->id, e->chunk_id, e->off);
		if (!am_area_in_use_at(chunk, e->off))
			AM_FAIL("LIVE_AREAS", "pcpu_free_area", chunk, "no in-use area at live offset %d",
				chunk->id, e->off);
		for (p = PFN_DOWN(e->off); p < (int)PFN_UP(e->off + e->size); p++)
			if (!test_bit(p, chunk->populated))
				AM_FAIL("UNPOPULATED_LIVE", "pcpu_depopulate_chunk", chunk,
					"page %d under live allocation %llu (off %d size %d) not populated",
					chunk->id, p, (unsigned long long)e->id, e->off, e->size);
	}
}

/* in-use area count against the live list, per chunk */
static void am_check_conservation(struct pcpu_chunk *chunk)
{
	int want = (chunk == pcpu_first_chunk || chunk == pcpu_reserved_chunk);

	/* the live table read once per sweep, at its first chunk (as before) */
	if (!am_live_counted) {
		am_live_chunks.nr = 0;
		for (int k = 0; k < G->live->nr; k++)
			am_ptrset_add(&am_live_chunks, ((struct am_ptr *)G->live->ent[k].ptr)->chunk);
		if (am_live_chunks.nr)
			qsort(am_live_chunks.v, am_live_chunks.nr, sizeof(uintptr_t), am_ptr_cmp);
		am_live_counted = true;
	}
	want += (int)am_ptrset_count(&am_live_chunks, chunk);
	if (am_in_use_areas(chunk) != want)
		AM_FAIL("LIVE_AREAS", "pcpu_free_area", chunk, "%d in-use areas, %d expected",
			chunk->id, am_in_use_areas(chunk), want);
}

/* Mirrors nothing: the check() entry point of both area-map variants. */
static void am_check(void *inst)
{
	struct pcpu_chunk *chunk;
	long seen = 0, bound;
	int empty = 0;

	G = inst;
	bound = G->nr_chunks + 2;
	am_slot_chunks.nr = 0;
	am_live_counted = false;
	for (int slot = 0; slot < pcpu_nr_slots; slot++) {
		struct list_head *pos = pcpu_slot[slot].next;

		for (; pos != &pcpu_slot[slot]; pos = pos->next) {
			if (++seen > bound || pos->next->prev != pos)
				mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
					     "slot %d list corrupt (%ld entries, %d chunks)",
					     slot, seen, G->nr_chunks);
			chunk = list_entry(pos, struct pcpu_chunk, list);
			if (chunk == pcpu_reserved_chunk)
				AM_FAIL("CHUNK_SLOT", "pcpu_chunk_relocate", chunk, "reserved chunk on slot %d",
					chunk->id, slot);
			if (pcpu_chunk_slot(chunk) != slot)
				AM_FAIL("CHUNK_SLOT", "pcpu_chunk_relocate", chunk, "on slot %d, belongs on %d",
					chunk->id, slot, pcpu_chunk_slot(chunk));
			am_check_map(chunk);
			am_check_conservation(chunk);
			empty += am_empty_pop_pages(chunk);
			am_ptrset_add(&am_slot_chunks, chunk);
		}
	}
	if (am_slot_chunks.nr)
		qsort(am_slot_chunks.v, am_slot_chunks.nr, sizeof(uintptr_t), am_ptr_cmp);
	if (seen != G->nr_chunks + 1)
		mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate", "%ld chunks on slots, %d created + first",
			     seen, G->nr_chunks);
	if (pcpu_reserved_chunk) {
		am_check_map(pcpu_reserved_chunk);
		am_check_conservation(pcpu_reserved_chunk);
	}
	if (pcpu_nr_empty_pop_pages != empty)
		mm_violation("EMPTY_POP_PAGES_COUNT", "pcpu_alloc_area",
			     "pcpu_nr_empty_pop_pages %d, recount %d",
			     pcpu_nr_empty_pop_pages, empty);
	am_check_live();
}

/*
 * I4: called by the balance work right after its step (i).  Fully free
 * chunks all sit on the free slot (SLOT_MISMATCH), so this counts them.
 */
static void am_check_after_reclaim(void)
{
	struct pcpu_chunk *chunk;
	int n = 0;

	/* pcpu_lock was dropped: frees in other tasks may have emptied chunks since */
	if (!mm_op_alone())
		return;

	for (int slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_slot[slot], list)
			n += chunk->free_size == pcpu_unit_size;
	if (n > 1)
		mm_violation("FREE_CHUNKS", "pcpu_balance_workfn",
			     "%d fully free chunks after reclaiming", n);
}

/*
 * I5 boundedness: called by the balance work after each chunk creation.
 * A run other tasks interleaved with may create more: an allocation that
 * takes the chunk it just created (pcpu_lock dropped) moves it below the
 * slots it populates from, and the run creates another.
 */
static inline void am_count_balance_creation(void)
{
	G->balance_created++;
	if (++G->run_creations > PCPU_AM_CREATE_PER_RUN && mm_op_alone())
		mm_violation("UNBOUNDED_CHUNK_CREATION", "pcpu_balance_workfn",
			     "%d chunks created in one balance run (bound %d)",
			     G->run_creations, PCPU_AM_CREATE_PER_RUN);
}
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-variant invariants of the bitmap-era percpu ports, run
 * after every op.  Each holds in the kernel's own semantics:
 *
 * id                   statement (kernel source of the rule)
 * HINT_COUNTER         RFC 3/4: pcpu_nr_chunks_to_depopulate == number of
 *                      chunks with ->depopulate, >= 0 (RFC 3/4 keeps them
 *                      in step in free_percpu, balance_free, shrink)
 * HINT_IMMUTABLE       no ->depopulate on an immutable, first or reserved
 *                      chunk (RFC 3/4 tests !chunk->immutable)
 * DEPOP_IMMUTABLE      an immutable chunk is never depopulated ("no
 *                      [de]population allowed"; pcpu_backend.c)
 * EMPTY_POP_PAGES_COUNT  pcpu_nr_empty_pop_pages == sum of nr_empty_pop_pages
 *                      over chunks other than the reserved one (6.1: and
 *                      not isolated) (pcpu_update_empty_pages)
 * POPULATED_COUNT      popcount(populated) == nr_populated, 0 <=
 *                      nr_empty_pop_pages <= nr_populated <= nr_pages, and
 *                      pcpu_nr_populated == first chunk's PFN_DOWN(size_sum)
 *                      + sum of nr_populated of created chunks
 *                      (pcpu_chunk_[de]populated, pcpu_setup_first_chunk)
 * CHUNK_EMPTY_PAGES     nr_empty_pop_pages == number of populated pages whose
 *                      alloc-map block is all free (the hint updates count
 *                      blocks with contig_hint == PCPU_BITMAP_BLOCK_BITS)
 * CHUNK_FREE_BYTES     free_bytes == PCPU_MIN_ALLOC_SIZE * clear bits of the
 *                      alloc map (pcpu_alloc_area / pcpu_free_area)
 * CHUNK_CONTIG_HINT     chunk and block contig hints name a free area and are
 *                      never above the largest free area ("may be off by up
 *                      to a page, but it will never be more than the
 *                      available space", pcpu_block_update_hint_free)
 * ALLOC_MAP            every live allocation owns exactly its bits (alloc
 *                      map set, bound bits at both ends) and no other bit is
 *                      set but the hidden first-chunk edges (conservation)
 * UNPOPULATED_LIVE     every page under a live allocation is populated
 * CONTENTS             (the family executor) a live area keeps its contents
 * CHUNK_SLOT              each chunk but the reserved one is on exactly one
 *                      slot list, of its type, at pcpu_chunk_slot() -- or
 *                      in slot 0 if that is < PCPU_SLOT_FAIL_THRESHOLD
 *                      (pcpu_alloc's failed-fit demotion); 6.1: isolated
 *                      chunks are exactly those on sidelined/to_depopulate
 *                      (ISOLATED)
 * CHUNK_COUNT          chunk bookkeeping: the live chunk list matches
 * UNBOUNDED_LOOP, UNBOUNDED_CHUNK_CREATION, HINT_LEAK, ISOLATED, TLB_FLUSH, ALLOC_TO_DEPOPULATE: see the
 *                      balance code (MM_LOOP_GUARD, pcpu_bm_balance_*)
 */
#include <string.h>

#include "pcpu_bitmap.h"

static bool pcpu_range_clear(const unsigned long *map, int start, int end)
{
	return find_next_bit(map, end, start) >= (unsigned long)end;
}

/*
 * One word-wise pass over a chunk's alloc map: set bits, the largest free
 * run of the chunk and of every block, the empty (all free) blocks.  It
 * runs after every op, so all-free and all-set words take a fast path;
 * only words mixing both are walked bit by bit.
 */
struct pcpu_map_scan {
	long set;
	int chunk_run;
	int empty_blocks;	/* populated pages whose block is all free */
};

static void pcpu_scan_map(struct pcpu_chunk *chunk, int *block_run,
			  struct pcpu_map_scan *sc)
{
	const int words = PCPU_BITMAP_BLOCK_BITS / BITS_PER_LONG;
	const unsigned long *w = chunk->alloc_map;
	int cur_c = 0, best_c = 0;

	sc->set = 0;
	sc->empty_blocks = 0;
	for (int i = 0; i < pcpu_chunk_nr_blocks(chunk); i++) {
		int cur_b = 0, best_b = 0;
		bool all_free = true;

		for (int k = 0; k < words; k++, w++) {
			if (!*w) {
				cur_b += BITS_PER_LONG;
				cur_c += BITS_PER_LONG;
				continue;
			}
			all_free = false;
			if (!~*w) {
				best_b = max(best_b, cur_b);
				best_c = max(best_c, cur_c);
				cur_b = cur_c = 0;
				sc->set += BITS_PER_LONG;
				continue;
			}
			for (int b = 0; b < BITS_PER_LONG; b++) {
				if (!((*w >> b) & 1)) {
					cur_b++;
					cur_c++;
					continue;
				}
				best_b = max(best_b, cur_b);
				best_c = max(best_c, cur_c);
				cur_b = cur_c = 0;
				sc->set++;
			}
		}
		block_run[i] = max(best_b, cur_b);
		if (all_free && test_bit(i, chunk->populated))
			sc->empty_blocks++;
	}
	sc->chunk_run = max(best_c, cur_c);
}

static void pcpu_check_hints(struct pcpu_chunk *chunk, const int *block_run,
			     int truth)
{
	struct pcpu_block_md *md = &chunk->chunk_md;

	if (md->contig_hint > truth ||
	    (md->contig_hint && !pcpu_range_clear(chunk->alloc_map,
			md->contig_hint_start, md->contig_hint_start + md->contig_hint)))
		mm_violation("CHUNK_CONTIG_HINT", "pcpu_chunk_refresh_hint",
			     "chunk %d: contig_hint %d at %d, largest free area %d bits",
			     chunk->id, md->contig_hint, md->contig_hint_start, truth);
	for (int i = 0; i < pcpu_chunk_nr_blocks(chunk); i++) {
		struct pcpu_block_md *b = chunk->md_blocks + i;
		int base = i * PCPU_BITMAP_BLOCK_BITS;
		int bt = block_run[i];

		if (b->contig_hint > bt ||
		    (b->contig_hint &&
		     !pcpu_range_clear(chunk->alloc_map, base + b->contig_hint_start,
				       base + b->contig_hint_start + b->contig_hint)))
			mm_violation("CHUNK_CONTIG_HINT", "pcpu_block_refresh_hint",
				     "chunk %d block %d: contig_hint %d at %d, largest free area %d bits",
				     chunk->id, i, b->contig_hint, b->contig_hint_start, bt);
	}
}

static void pcpu_check_chunk(struct pcpu_chunk *chunk)
{
	int map_bits = pcpu_chunk_map_bits(chunk);
	int pop = bitmap_weight(chunk->populated, chunk->nr_pages);
	int block_run[pcpu_chunk_nr_blocks(chunk)];
	struct pcpu_map_scan sc;

	if (pop != chunk->nr_populated || chunk->nr_empty_pop_pages < 0 ||
	    chunk->nr_empty_pop_pages > chunk->nr_populated ||
	    chunk->nr_populated > chunk->nr_pages)
		mm_violation("POPULATED_COUNT", "pcpu_chunk_populated",
			     "chunk %d: %d pages populated in the bitmap, nr_populated %d, nr_empty_pop_pages %d, nr_pages %d",
			     chunk->id, pop, chunk->nr_populated,
			     chunk->nr_empty_pop_pages, chunk->nr_pages);
	pcpu_scan_map(chunk, block_run, &sc);
	chunk->chk_set = sc.set;
	if (sc.empty_blocks != chunk->nr_empty_pop_pages)
		mm_violation("CHUNK_EMPTY_PAGES", "pcpu_update_empty_pages",
			     "chunk %d: nr_empty_pop_pages %d, recount %d",
			     chunk->id, chunk->nr_empty_pop_pages, sc.empty_blocks);
	if (chunk->free_bytes != (map_bits - sc.set) * PCPU_MIN_ALLOC_SIZE)
		mm_violation("CHUNK_FREE_BYTES", "pcpu_free_area",
			     "chunk %d: free_bytes %d, alloc map has %ld free bytes",
			     chunk->id, chunk->free_bytes,
			     (map_bits - sc.set) * PCPU_MIN_ALLOC_SIZE);
	pcpu_check_hints(chunk, block_run, sc.chunk_run);
}

/*
 * The sweep runs after every op, over every chunk and every live
 * allocation; most ops change one or two chunks.  Each check below is a
 * function of what it reads, so a chunk whose state is, byte for byte, what
 * it was when it last passed passes again: its own checks and those of the
 * live allocations that were already in it are skipped.  The snapshot holds
 * everything those checks read of the chunk: the counters and hints, the
 * alloc, bound and populated bitmaps, the block metadata and where its units
 * live (pcpu_unit_addr()).  Nothing is deferred: the first check that fails
 * is the one the full sweep would fail first.
 */
struct pcpu_chk_head {
	void *base_addr, *data;
	long mem_off;
	struct pcpu_block_md chunk_md;
	int free_bytes, start_offset, end_offset;
	int nr_pages, nr_populated, nr_empty_pop_pages;
	bool immutable;
};

struct pcpu_chk_part {
	const void *p;
	size_t len;
};

/* the parts of @chunk's snapshot; @head is filled here */
static int pcpu_chk_parts(struct pcpu_chunk *chunk, struct pcpu_chk_head *head,
			  struct pcpu_chk_part *part)
{
	int map_bits = pcpu_chunk_map_bits(chunk), n = 0;

	memset(head, 0, sizeof(*head));
	head->base_addr = chunk->base_addr;
	head->data = chunk->data;
	head->mem_off = chunk->mem_off;
	head->chunk_md = chunk->chunk_md;
	head->free_bytes = chunk->free_bytes;
	head->start_offset = chunk->start_offset;
	head->end_offset = chunk->end_offset;
	head->nr_pages = chunk->nr_pages;
	head->nr_populated = chunk->nr_populated;
	head->nr_empty_pop_pages = chunk->nr_empty_pop_pages;
	head->immutable = chunk->immutable;
	part[n++] = (struct pcpu_chk_part){ head, sizeof(*head) };
	part[n++] = (struct pcpu_chk_part){ chunk->alloc_map,
					    BITS_TO_LONGS(map_bits) * sizeof(long) };
	part[n++] = (struct pcpu_chk_part){ chunk->bound_map,
					    BITS_TO_LONGS(map_bits + 1) * sizeof(long) };
	part[n++] = (struct pcpu_chk_part){ chunk->md_blocks, pcpu_chunk_nr_blocks(chunk) *
					    sizeof(chunk->md_blocks[0]) };
	part[n++] = (struct pcpu_chk_part){ chunk->populated,
					    BITS_TO_LONGS(chunk->nr_pages) * sizeof(long) };
	/* the vm backend's page table (pcpu_unit_addr() reads it) */
	if (!chunk->immutable && pcpu_G->backend != PCPU_BACKEND_KM && chunk->data)
		part[n++] = (struct pcpu_chk_part){ chunk->data, (size_t)pcpu_nr_units *
						    pcpu_unit_pages * sizeof(char *) };
	return n;
}

/*
 * The comparison reads every byte of the chunk's state after every op, so
 * it runs at memory speed: one region check of the chunk's side, then a
 * loop without a sanitizer check per load.  A part that is not all
 * addressable (a port gave back a map of a live chunk) counts as changed:
 * the checks themselves then read it, and ASan reports them as before.
 * Every part is a whole number of longs.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PCPU_CHK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PCPU_CHK_ASAN 1
#endif
#ifdef PCPU_CHK_ASAN
#include <sanitizer/asan_interface.h>
#endif

__attribute__((no_sanitize("address", "undefined")))
static bool pcpu_chk_eq_raw(const unsigned long *a, const unsigned long *b, size_t n)
{
	unsigned long diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

static bool pcpu_chk_eq(const unsigned long *snap, const unsigned long *cur, size_t len)
{
#ifdef PCPU_CHK_ASAN
	if (len && __asan_region_is_poisoned((void *)cur, len))
		return false;
#endif
	return pcpu_chk_eq_raw(snap, cur, len / sizeof(long));
}

/* is @chunk what it was at its last check that passed? */
static bool pcpu_chk_same(struct pcpu_chunk *chunk)
{
	struct pcpu_chk_head head;
	struct pcpu_chk_part part[6];
	const char *snap = chunk->chk_snap;
	size_t at = 0;
	int n;

	if (!snap)
		return false;
	n = pcpu_chk_parts(chunk, &head, part);
	for (int i = 0; i < n; i++) {
		if (at + part[i].len > chunk->chk_snap_bytes ||
		    !pcpu_chk_eq((const unsigned long *)(snap + at), part[i].p, part[i].len))
			return false;
		at += part[i].len;
	}
	return at == chunk->chk_snap_bytes;
}

/* after a check that passed: remember what it read of @chunk */
static void pcpu_chk_store(struct pcpu_chunk *chunk)
{
	struct pcpu_chk_head head;
	struct pcpu_chk_part part[6];
	size_t bytes = 0, at = 0;
	int n = pcpu_chk_parts(chunk, &head, part);

	for (int i = 0; i < n; i++)
		bytes += part[i].len;
	if (bytes != chunk->chk_snap_bytes) {
		/* harness bookkeeping: no budget charge, no injected failure */
		mm_kfree(chunk->chk_snap);
		chunk->chk_snap = mm_kzalloc(bytes, MM_FAIL_NR);
		chunk->chk_snap_bytes = bytes;
	}
	for (int i = 0; i < n; i++) {
		memcpy((char *)chunk->chk_snap + at, part[i].p, part[i].len);
		at += part[i].len;
	}
}

/* [start, end) of pcpu_addr_in_chunk(@chunk, ...); empty when no chunk */
static void pcpu_chk_range(struct pcpu_chunk *chunk, char **start, char **end)
{
	*start = *end = NULL;
	if (!chunk)
		return;
	*start = (char *)chunk->base_addr + chunk->start_offset;
	*end = (char *)chunk->base_addr + chunk->nr_pages * PAGE_SIZE - chunk->end_offset;
}

/* I4_ALLOC_MAP and I5_UNPOPULATED_LIVE over the live list */
static void pcpu_check_live(void)
{
	const struct pcpu_live *l = pcpu_G->live;
	struct pcpu_chunk *chunk;
	char *fs, *fe, *rs, *re;

	/*
	 * pcpu_chunk_addr_search() for every live area, its two range tests
	 * done here on the ranges read once (the chunks do not change during
	 * the sweep); what they do not settle goes to the function itself.
	 */
	/* read once: the loop's stores (chk_bits) could alias them for the compiler */
	struct pcpu_chunk *const *by_id = pcpu_G->chunk_by_id;
	const unsigned long cap = (unsigned long)pcpu_G->chunk_by_id_cap;
	const long unit_size = pcpu_unit_size;
	const uint64_t checked = pcpu_G->chk_live_id;
	const struct pcpu_live_ent *ent = l->ent;
	const int nr = l->nr;

	pcpu_chk_range(pcpu_first_chunk, &fs, &fe);
	pcpu_chk_range(pcpu_reserved_chunk, &rs, &re);
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list)
		chunk->chk_bits = 0;
	for (int i = 0; i < nr; i++) {
		const struct pcpu_live_ent *e = &ent[i];
		char *a = e->ptr;
		unsigned long id = ((unsigned long)a >> 40) - 2;
		int off, bit_off, bits;

		chunk = NULL;
		if (!(a >= fs && a < fe) && !(a >= rs && a < re) && id < cap)
			chunk = by_id[id];
		if (!chunk || a >= (char *)chunk->base_addr + unit_size)
			chunk = pcpu_chunk_addr_search(e->ptr);
		bits = ALIGN(e->size, PCPU_MIN_ALLOC_SIZE) / PCPU_MIN_ALLOC_SIZE;
		chunk->chk_bits += bits;
		/* passed in this chunk as it still is (see pcpu_chk_same()) */
		if (chunk->chk_clean && e->id <= checked)
			continue;
		off = (char *)e->ptr - (char *)chunk->base_addr;
		bit_off = off / PCPU_MIN_ALLOC_SIZE;
		if (find_next_zero_bit(chunk->alloc_map, bit_off + bits, bit_off) <
		    (unsigned long)(bit_off + bits) ||
		    !test_bit(bit_off, chunk->bound_map) ||
		    find_next_bit(chunk->bound_map, pcpu_chunk_map_bits(chunk) + 1,
				  bit_off + 1) != (unsigned long)(bit_off + bits))
			mm_violation("ALLOC_MAP", "pcpu_alloc_area",
				     "chunk %d: live allocation at %d (%d bytes) not owned in the alloc/bound maps",
				     chunk->id, off, e->size);
		for (int p = off / PAGE_SIZE; p < (int)PFN_UP(off + bits * PCPU_MIN_ALLOC_SIZE); p++)
			for (int cpu = 0; cpu < pcpu_nr_units; cpu++)
				if (!test_bit(p, chunk->populated) ||
				    !pcpu_unit_addr(chunk, cpu, p * PAGE_SIZE))
					mm_violation("UNPOPULATED_LIVE", "pcpu_depopulate_chunk",
						     "chunk %d: page %d under the live allocation at %d is not populated (unit %d)",
						     chunk->id, p, off, cpu);
	}
	/* no bits beyond the live allocations and the hidden edges */
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		long set = chunk->chk_set;	/* pcpu_check_chunk() */
		long hidden = (chunk->start_offset + chunk->end_offset) /
			      PCPU_MIN_ALLOC_SIZE;

		if (set != chunk->chk_bits + hidden)
			mm_violation("ALLOC_MAP", "pcpu_free_area",
				     "chunk %d: %ld bits allocated, live allocations own %ld (+%ld hidden)",
				     chunk->id, set, chunk->chk_bits, hidden);
	}
}

static void pcpu_check_slot(struct pcpu_chunk *chunk)
{
	int type = chunk->chk_type, slot = chunk->chk_slot;
	int want = pcpu_chunk_slot(chunk);
	bool merged = pcpu_G->ops->isolation_slots;

	if (chunk == pcpu_reserved_chunk) {
		if (slot != -1)
			mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
				     "the reserved chunk is on slot list %d", slot);
		return;
	}
	if (slot < 0)
		mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
			     "chunk %d is on no slot list", chunk->id);
	if (type != (int)pcpu_chunk_type(chunk))
		mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
			     "chunk %d of type %d on a list of type %d",
			     chunk->id, pcpu_chunk_type(chunk), type);
	if (merged && (chunk->isolated !=
		       (slot == pcpu_sidelined_slot || slot == pcpu_to_depopulate_slot)))
		mm_violation("ISOLATED", "pcpu_isolate_chunk",
			     "chunk %d: isolated=%d on slot %d (sidelined %d, to_depopulate %d)",
			     chunk->id, chunk->isolated, slot, pcpu_sidelined_slot,
			     pcpu_to_depopulate_slot);
	if (chunk->isolated)
		return;
	if (slot != want && !(slot == 0 && want < PCPU_SLOT_FAIL_THRESHOLD))
		mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
			     "chunk %d is in slot %d, pcpu_chunk_slot() says %d (contig %d bytes, free %d)",
			     chunk->id, slot, want,
			     chunk->chunk_md.contig_hint * PCPU_MIN_ALLOC_SIZE,
			     chunk->free_bytes);
}

/*
 * Which slot list every chunk is on, in one pass over all lists (asking
 * each chunk by walking its own list costs O(chunks^2) per check).
 */
static void pcpu_map_slots(void)
{
	long nlists = (long)pcpu_nr_slots * PCPU_NR_CHUNK_TYPES;
	long bound = 2;
	struct pcpu_chunk *chunk;

	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		chunk->chk_slot = chunk->chk_type = -1;
		bound++;
	}
	for (long i = 0; i < nlists; i++) {
		struct list_head *head = &pcpu_chunk_lists[i], *p;
		long n = 0;

		for (p = head->next; p != head; p = p->next) {
			/* ran into another list's head, or loops */
			if (++n > bound || (p >= pcpu_chunk_lists &&
					    p < pcpu_chunk_lists + nlists))
				mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
					     "slot list %ld of type %ld is corrupt",
					     i % pcpu_nr_slots, i / pcpu_nr_slots);
			chunk = list_entry(p, struct pcpu_chunk, list);
			if (chunk->chk_slot != -1)
				mm_violation("CHUNK_SLOT", "pcpu_chunk_relocate",
					     "chunk %d is on slot lists %d and %ld",
					     chunk->id, chunk->chk_slot, i % pcpu_nr_slots);
			chunk->chk_slot = i % pcpu_nr_slots;
			chunk->chk_type = i / pcpu_nr_slots;
		}
	}
}

void pcpu_bm_check_state(void)
{
	struct pcpu_chunk *chunk;
	long empty = 0, populated = 0, nr_chunks = 0, flagged = 0;
	bool hints = pcpu_G->ops->depop_hints;

	pcpu_map_slots();
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		chunk->chk_clean = pcpu_chk_same(chunk);
		if (!chunk->chk_clean)
			pcpu_check_chunk(chunk);
		pcpu_check_slot(chunk);
		if (chunk != pcpu_reserved_chunk && !chunk->isolated)
			empty += chunk->nr_empty_pop_pages;
		if (!chunk->immutable) {
			populated += chunk->nr_populated;
			nr_chunks++;
		}
		if (chunk->depopulate) {
			flagged++;
			if (chunk->immutable || chunk == pcpu_first_chunk ||
			    chunk == pcpu_reserved_chunk)
				mm_violation("HINT_IMMUTABLE", "free_percpu",
					     "chunk %d (immutable %d) carries the depopulate hint",
					     chunk->id, chunk->immutable);
			if (!hints)
				mm_violation("HINT_COUNTER", "free_percpu",
					     "chunk %d has a depopulate hint in a version without hints",
					     chunk->id);
		}
	}
	if (empty != pcpu_nr_empty_pop_pages)
		mm_violation("EMPTY_POP_PAGES_COUNT", "pcpu_update_empty_pages",
			     "pcpu_nr_empty_pop_pages %d, recount %ld",
			     pcpu_nr_empty_pop_pages, empty);
	if ((long)pcpu_nr_populated != (long)pcpu_G->boot_populated + populated)
		mm_violation("POPULATED_COUNT", "pcpu_chunk_populated",
			     "pcpu_nr_populated %lu, first chunk %lu + created chunks %ld",
			     pcpu_nr_populated, pcpu_G->boot_populated, populated);
	if (nr_chunks != pcpu_G->nr_chunks)
		mm_violation("CHUNK_COUNT", "pcpu_create_chunk",
			     "%ld chunks on the list, %ld counted", nr_chunks,
			     pcpu_G->nr_chunks);
	if (hints && (pcpu_nr_chunks_to_depopulate < 0 ||
		     pcpu_nr_chunks_to_depopulate != flagged))
		mm_violation("HINT_COUNTER", "free_percpu",
			     "pcpu_nr_chunks_to_depopulate %d, chunks with the hint %ld",
			     pcpu_nr_chunks_to_depopulate, flagged);
	pcpu_check_live();
	if (pcpu_G->ops->check)
		pcpu_G->ops->check();
	/* all passed: what was checked afresh is the new reference */
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		if (!chunk->chk_clean)
			pcpu_chk_store(chunk);
		chunk->chk_clean = false;	/* set by the next sweep only */
	}
	pcpu_G->chk_live_id = pcpu_G->live->next_id;
}

void pcpu_bm_check(void *inst)
{
	pcpu_G = inst;
	pcpu_bm_check_state();
}

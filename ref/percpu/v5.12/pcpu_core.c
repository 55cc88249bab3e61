// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bitmap allocator core of mm/percpu.c: slots, block hints, area
 * allocation and free, chunk metadata, population bookkeeping, the first
 * chunk.  Ported from v5.12 (0day-ci/linux mm/percpu.c @ 6c3e2fdd, the RFC
 * base); every function here is identical in Linux 6.1 except where a
 * comment says "6.1:", so v5.14 runs this file too.
 */
#include "pcpu_bitmap.h"

_Thread_local struct pcpu_state *pcpu_G;

/* Mirrors __pcpu_size_to_slot(), mm/percpu.c v5.12 (same in 6.1). */
int __pcpu_size_to_slot(int size)
{
	int highbit = fls(size);	/* size is in bytes */

	return max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/*
 * Mirrors pcpu_size_to_slot(), v5.12: a full unit maps to pcpu_nr_slots - 1;
 * 6.1 names that slot pcpu_free_slot.  pcpu_free_slot holds the right one
 * for each version (set in pcpu_setup_first_chunk()).
 */
int pcpu_size_to_slot(int size)
{
	if (size == pcpu_unit_size)
		return pcpu_free_slot;
	return __pcpu_size_to_slot(size);
}

/* Mirrors pcpu_chunk_slot(), mm/percpu.c v5.12 (same in 6.1). */
int pcpu_chunk_slot(const struct pcpu_chunk *chunk)
{
	const struct pcpu_block_md *chunk_md = &chunk->chunk_md;

	if (chunk->free_bytes < PCPU_MIN_ALLOC_SIZE ||
	    chunk_md->contig_hint == 0)
		return 0;

	return pcpu_size_to_slot(chunk_md->contig_hint * PCPU_MIN_ALLOC_SIZE);
}

/*
 * Mirrors pcpu_chunk_type(), mm/percpu-internal.h v5.12: a chunk with an
 * obj_cgroups vector is a MEMCG chunk.  6.1 has no types (and gives every
 * chunk a vector): with one chunk type everything is ROOT.
 */
enum pcpu_chunk_type pcpu_chunk_type(struct pcpu_chunk *chunk)
{
	if (PCPU_NR_CHUNK_TYPES > 1 && chunk->obj_cgroups)
		return PCPU_CHUNK_MEMCG;
	return PCPU_CHUNK_ROOT;
}

/* Mirrors pcpu_is_memcg_chunk(), mm/percpu-internal.h v5.12. */
bool pcpu_is_memcg_chunk(enum pcpu_chunk_type chunk_type)
{
	return chunk_type == PCPU_CHUNK_MEMCG;
}

/* Mirrors pcpu_chunk_list(), mm/percpu-internal.h v5.12. */
struct list_head *pcpu_chunk_list(enum pcpu_chunk_type chunk_type)
{
	return &pcpu_chunk_lists[pcpu_nr_slots *
				 pcpu_is_memcg_chunk(chunk_type)];
}

/* Mirrors __pcpu_chunk_move(), mm/percpu.c v5.12. */
static void __pcpu_chunk_move(struct pcpu_chunk *chunk, int slot,
			      bool move_front)
{
	if (chunk != pcpu_reserved_chunk) {
		struct list_head *pcpu_slot;

		pcpu_slot = pcpu_chunk_list(pcpu_chunk_type(chunk));
		if (move_front)
			list_move(&chunk->list, &pcpu_slot[slot]);
		else
			list_move_tail(&chunk->list, &pcpu_slot[slot]);
	}
}

/* Mirrors pcpu_chunk_move(), mm/percpu.c v5.12. */
void pcpu_chunk_move(struct pcpu_chunk *chunk, int slot)
{
	__pcpu_chunk_move(chunk, slot, true);
}

/*
 * Mirrors pcpu_chunk_relocate(), mm/percpu.c v5.12.  6.1: isolated chunks
 * are left in place; no v5.12-based port ever sets ->isolated.
 */
void pcpu_chunk_relocate(struct pcpu_chunk *chunk, int oslot)
{
	int nslot = pcpu_chunk_slot(chunk);

	/* 6.1: leave isolated chunks in-place */
	if (chunk->isolated)
		return;

	if (oslot != nslot)
		__pcpu_chunk_move(chunk, nslot, oslot < nslot);
}

/*
 * Mirrors pcpu_update_empty_pages(), mm/percpu.c.  One global counter (the
 * RFC base, blob 6596a0a4286e, and 6.1); 6.1 also skips isolated chunks.
 */
void pcpu_update_empty_pages(struct pcpu_chunk *chunk, int nr)
{
	chunk->nr_empty_pop_pages += nr;
	if (chunk != pcpu_reserved_chunk && !chunk->isolated)
		pcpu_nr_empty_pop_pages += nr;
}

/* Mirrors pcpu_index_alloc_map(), mm/percpu.c v5.12. */
unsigned long *pcpu_index_alloc_map(struct pcpu_chunk *chunk, int index)
{
	return chunk->alloc_map +
	       (index * PCPU_BITMAP_BLOCK_BITS / BITS_PER_LONG);
}

static unsigned long pcpu_off_to_block_index(int off)
{
	return off / PCPU_BITMAP_BLOCK_BITS;
}

static unsigned long pcpu_off_to_block_off(int off)
{
	return off & (PCPU_BITMAP_BLOCK_BITS - 1);
}

static unsigned long pcpu_block_off_to_off(int index, int off)
{
	return index * PCPU_BITMAP_BLOCK_BITS + off;
}

/* Mirrors pcpu_check_block_hint(), 6.1 (open-coded in v5.12's find_block_fit). */
static bool pcpu_check_block_hint(struct pcpu_block_md *block, int bits,
				  size_t align)
{
	int bit_off = ALIGN(block->contig_hint_start, align) -
		      block->contig_hint_start;

	return bit_off + bits <= block->contig_hint;
}

/* Mirrors pcpu_next_hint(), mm/percpu.c v5.12. */
static int pcpu_next_hint(struct pcpu_block_md *block, int alloc_bits)
{
	/* skip past a scan_hint that cannot hold the request */
	if (block->scan_hint &&
	    block->contig_hint_start > block->scan_hint_start &&
	    alloc_bits > block->scan_hint)
		return block->scan_hint_start + block->scan_hint;

	return block->first_free;
}

/* Mirrors pcpu_next_md_free_region(), mm/percpu.c v5.12. */
static void pcpu_next_md_free_region(struct pcpu_chunk *chunk, int *bit_off,
				     int *bits)
{
	int i = pcpu_off_to_block_index(*bit_off);
	int block_off = pcpu_off_to_block_off(*bit_off);
	struct pcpu_block_md *block;

	*bits = 0;
	for (block = chunk->md_blocks + i; i < pcpu_chunk_nr_blocks(chunk);
	     block++, i++) {
		/* a free area running over from the previous block */
		if (*bits) {
			*bits += block->left_free;
			if (block->left_free == PCPU_BITMAP_BLOCK_BITS)
				continue;
			return;
		}

		/* an unvisited contig hint contained in this block */
		*bits = block->contig_hint;
		if (*bits && block->contig_hint_start >= block_off &&
		    *bits + block->contig_hint_start < PCPU_BITMAP_BLOCK_BITS) {
			*bit_off = pcpu_block_off_to_off(i,
					block->contig_hint_start);
			return;
		}
		block_off = 0;

		*bits = block->right_free;
		*bit_off = (i + 1) * PCPU_BITMAP_BLOCK_BITS - block->right_free;
	}
}

/* Mirrors pcpu_next_fit_region(), mm/percpu.c v5.12. */
static void pcpu_next_fit_region(struct pcpu_chunk *chunk, int alloc_bits,
				 int align, int *bit_off, int *bits)
{
	int i = pcpu_off_to_block_index(*bit_off);
	int block_off = pcpu_off_to_block_off(*bit_off);
	struct pcpu_block_md *block;

	*bits = 0;
	for (block = chunk->md_blocks + i; i < pcpu_chunk_nr_blocks(chunk);
	     block++, i++) {
		/* a free area running over from the previous block */
		if (*bits) {
			*bits += block->left_free;
			if (*bits >= alloc_bits)
				return;
			if (block->left_free == PCPU_BITMAP_BLOCK_BITS)
				continue;
		}

		/* the block's contig hint, aligned */
		*bits = ALIGN(block->contig_hint_start, align) -
			block->contig_hint_start;
		if (block->contig_hint &&
		    block->contig_hint_start >= block_off &&
		    block->contig_hint >= *bits + alloc_bits) {
			int start = pcpu_next_hint(block, alloc_bits);

			*bits += alloc_bits + block->contig_hint_start - start;
			*bit_off = pcpu_block_off_to_off(i, start);
			return;
		}
		block_off = 0;

		*bit_off = ALIGN(PCPU_BITMAP_BLOCK_BITS - block->right_free,
				 align);
		*bits = PCPU_BITMAP_BLOCK_BITS - *bit_off;
		*bit_off = pcpu_block_off_to_off(i, *bit_off);
		if (*bits >= alloc_bits)
			return;
	}

	/* no valid offsets were found - fail condition */
	*bit_off = pcpu_chunk_map_bits(chunk);
}

#define pcpu_for_each_md_free_region(chunk, bit_off, bits)		\
	for (pcpu_next_md_free_region((chunk), &(bit_off), &(bits));	\
	     (bit_off) < pcpu_chunk_map_bits((chunk));			\
	     (bit_off) += (bits) + 1,					\
	     pcpu_next_md_free_region((chunk), &(bit_off), &(bits)))

#define pcpu_for_each_fit_region(chunk, alloc_bits, align, bit_off, bits)     \
	for (pcpu_next_fit_region((chunk), (alloc_bits), (align), &(bit_off), \
				  &(bits));				      \
	     (bit_off) < pcpu_chunk_map_bits((chunk));			      \
	     (bit_off) += (bits),					      \
	     pcpu_next_fit_region((chunk), (alloc_bits), (align), &(bit_off), \
				  &(bits)))

static inline bool pcpu_region_overlap(int a, int b, int x, int y)
{
	return (a < y) && (x < b);
}

/* Mirrors pcpu_block_update(), mm/percpu.c v5.12. */
static void pcpu_block_update(struct pcpu_block_md *block, int start, int end)
{
	int contig = end - start;

	block->first_free = min(block->first_free, start);
	if (start == 0)
		block->left_free = contig;

	if (end == block->nr_bits)
		block->right_free = contig;

	if (contig > block->contig_hint) {
		/* the old contig_hint may become the scan_hint */
		if (start > block->contig_hint_start) {
			if (block->contig_hint > block->scan_hint) {
				block->scan_hint_start =
					block->contig_hint_start;
				block->scan_hint = block->contig_hint;
			} else if (start < block->scan_hint_start) {
				/* keep scan_hint_start < contig_hint_start */
				block->scan_hint = 0;
			}
		} else {
			block->scan_hint = 0;
		}
		block->contig_hint_start = start;
		block->contig_hint = contig;
	} else if (contig == block->contig_hint) {
		if (block->contig_hint_start &&
		    (!start ||
		     __ffs(start) > __ffs(block->contig_hint_start))) {
			/* start is better aligned */
			block->contig_hint_start = start;
			if (start < block->scan_hint_start &&
			    block->contig_hint > block->scan_hint)
				block->scan_hint = 0;
		} else if (start > block->scan_hint_start ||
			   block->contig_hint > block->scan_hint) {
			block->scan_hint_start = start;
			block->scan_hint = contig;
		}
	} else {
		/* smaller than contig_hint: maybe a better scan_hint */
		if ((start < block->contig_hint_start &&
		     (contig > block->scan_hint ||
		      (contig == block->scan_hint &&
		       start > block->scan_hint_start)))) {
			block->scan_hint_start = start;
			block->scan_hint = contig;
		}
	}
}

/* Mirrors pcpu_block_update_scan(), mm/percpu.c v5.12. */
static void pcpu_block_update_scan(struct pcpu_chunk *chunk, int bit_off,
				   int bits)
{
	int s_off = pcpu_off_to_block_off(bit_off);
	int e_off = s_off + bits;
	int s_index, l_bit;
	struct pcpu_block_md *block;

	if (e_off > PCPU_BITMAP_BLOCK_BITS)
		return;

	s_index = pcpu_off_to_block_index(bit_off);
	block = chunk->md_blocks + s_index;

	/* scan backwards in case alignment skipped free bits */
	l_bit = find_last_bit(pcpu_index_alloc_map(chunk, s_index), s_off);
	s_off = (s_off == l_bit) ? 0 : l_bit + 1;

	pcpu_block_update(block, s_off, e_off);
}

/* Mirrors pcpu_chunk_refresh_hint(), mm/percpu.c v5.12. */
static void pcpu_chunk_refresh_hint(struct pcpu_chunk *chunk, bool full_scan)
{
	struct pcpu_block_md *chunk_md = &chunk->chunk_md;
	int bit_off, bits;

	/* promote scan_hint to contig_hint */
	if (!full_scan && chunk_md->scan_hint) {
		bit_off = chunk_md->scan_hint_start + chunk_md->scan_hint;
		chunk_md->contig_hint_start = chunk_md->scan_hint_start;
		chunk_md->contig_hint = chunk_md->scan_hint;
		chunk_md->scan_hint = 0;
	} else {
		bit_off = chunk_md->first_free;
		chunk_md->contig_hint = 0;
	}

	bits = 0;
	pcpu_for_each_md_free_region(chunk, bit_off, bits)
		pcpu_block_update(chunk_md, bit_off, bit_off + bits);
}

/* Mirrors pcpu_block_refresh_hint(), mm/percpu.c v5.12. */
static void pcpu_block_refresh_hint(struct pcpu_chunk *chunk, int index)
{
	struct pcpu_block_md *block = chunk->md_blocks + index;
	unsigned long *alloc_map = pcpu_index_alloc_map(chunk, index);
	unsigned int rs, re, start;

	/* promote scan_hint to contig_hint */
	if (block->scan_hint) {
		start = block->scan_hint_start + block->scan_hint;
		block->contig_hint_start = block->scan_hint_start;
		block->contig_hint = block->scan_hint;
		block->scan_hint = 0;
	} else {
		start = block->first_free;
		block->contig_hint = 0;
	}

	block->right_free = 0;

	bitmap_for_each_clear_region(alloc_map, rs, re, start,
				     PCPU_BITMAP_BLOCK_BITS)
		pcpu_block_update(block, rs, re);
}

/* Mirrors pcpu_block_update_hint_alloc(), mm/percpu.c v5.12. */
static void pcpu_block_update_hint_alloc(struct pcpu_chunk *chunk, int bit_off,
					 int bits)
{
	struct pcpu_block_md *chunk_md = &chunk->chunk_md;
	int nr_empty_pages = 0;
	struct pcpu_block_md *s_block, *e_block, *block;
	int s_index, e_index;
	int s_off, e_off;

	s_index = pcpu_off_to_block_index(bit_off);
	e_index = pcpu_off_to_block_index(bit_off + bits - 1);
	s_off = pcpu_off_to_block_off(bit_off);
	e_off = pcpu_off_to_block_off(bit_off + bits - 1) + 1;

	s_block = chunk->md_blocks + s_index;
	e_block = chunk->md_blocks + e_index;

	/* s_block: a fully free block stops being an empty page */
	if (s_block->contig_hint == PCPU_BITMAP_BLOCK_BITS)
		nr_empty_pages++;

	if (s_off == s_block->first_free)
		s_block->first_free = find_next_zero_bit(
					pcpu_index_alloc_map(chunk, s_index),
					PCPU_BITMAP_BLOCK_BITS,
					s_off + bits);

	if (pcpu_region_overlap(s_block->scan_hint_start,
				s_block->scan_hint_start + s_block->scan_hint,
				s_off,
				s_off + bits))
		s_block->scan_hint = 0;

	if (pcpu_region_overlap(s_block->contig_hint_start,
				s_block->contig_hint_start +
				s_block->contig_hint,
				s_off,
				s_off + bits)) {
		/* block contig hint is broken - scan to fix it */
		if (!s_off)
			s_block->left_free = 0;
		pcpu_block_refresh_hint(chunk, s_index);
	} else {
		s_block->left_free = min(s_block->left_free, s_off);
		if (s_index == e_index)
			s_block->right_free = min_t(int, s_block->right_free,
					PCPU_BITMAP_BLOCK_BITS - e_off);
		else
			s_block->right_free = 0;
	}

	/* e_block */
	if (s_index != e_index) {
		if (e_block->contig_hint == PCPU_BITMAP_BLOCK_BITS)
			nr_empty_pages++;

		e_block->first_free = find_next_zero_bit(
				pcpu_index_alloc_map(chunk, e_index),
				PCPU_BITMAP_BLOCK_BITS, e_off);

		if (e_off == PCPU_BITMAP_BLOCK_BITS) {
			/* reset the block */
			e_block++;
		} else {
			if (e_off > e_block->scan_hint_start)
				e_block->scan_hint = 0;

			e_block->left_free = 0;
			if (e_off > e_block->contig_hint_start) {
				/* contig hint is broken - scan to fix it */
				pcpu_block_refresh_hint(chunk, e_index);
			} else {
				e_block->right_free =
					min_t(int, e_block->right_free,
					      PCPU_BITMAP_BLOCK_BITS - e_off);
			}
		}

		/* blocks in between are fully used now */
		nr_empty_pages += (e_index - s_index - 1);
		for (block = s_block + 1; block < e_block; block++) {
			block->scan_hint = 0;
			block->contig_hint = 0;
			block->left_free = 0;
			block->right_free = 0;
		}
	}

	if (nr_empty_pages)
		pcpu_update_empty_pages(chunk, -nr_empty_pages);

	if (pcpu_region_overlap(chunk_md->scan_hint_start,
				chunk_md->scan_hint_start +
				chunk_md->scan_hint,
				bit_off,
				bit_off + bits))
		chunk_md->scan_hint = 0;

	/* only a broken chunk contig hint needs a chunk scan */
	if (pcpu_region_overlap(chunk_md->contig_hint_start,
				chunk_md->contig_hint_start +
				chunk_md->contig_hint,
				bit_off,
				bit_off + bits))
		pcpu_chunk_refresh_hint(chunk, false);
}

/* Mirrors pcpu_block_update_hint_free(), mm/percpu.c v5.12. */
static void pcpu_block_update_hint_free(struct pcpu_chunk *chunk, int bit_off,
					int bits)
{
	int nr_empty_pages = 0;
	struct pcpu_block_md *s_block, *e_block, *block;
	int s_index, e_index;
	int s_off, e_off;
	int start, end;		/* start and end of the whole free area */

	s_index = pcpu_off_to_block_index(bit_off);
	e_index = pcpu_off_to_block_index(bit_off + bits - 1);
	s_off = pcpu_off_to_block_off(bit_off);
	e_off = pcpu_off_to_block_off(bit_off + bits - 1) + 1;

	s_block = chunk->md_blocks + s_index;
	e_block = chunk->md_blocks + e_index;

	/* extend the freed area with its free neighbours inside the blocks */
	start = s_off;
	if (s_off == s_block->contig_hint + s_block->contig_hint_start) {
		start = s_block->contig_hint_start;
	} else {
		int l_bit = find_last_bit(pcpu_index_alloc_map(chunk, s_index),
					  start);
		start = (start == l_bit) ? 0 : l_bit + 1;
	}

	end = e_off;
	if (e_off == e_block->contig_hint_start)
		end = e_block->contig_hint_start + e_block->contig_hint;
	else
		end = find_next_bit(pcpu_index_alloc_map(chunk, e_index),
				    PCPU_BITMAP_BLOCK_BITS, end);

	/* s_block */
	e_off = (s_index == e_index) ? end : PCPU_BITMAP_BLOCK_BITS;
	if (!start && e_off == PCPU_BITMAP_BLOCK_BITS)
		nr_empty_pages++;
	pcpu_block_update(s_block, start, e_off);

	if (s_index != e_index) {
		/* e_block */
		if (end == PCPU_BITMAP_BLOCK_BITS)
			nr_empty_pages++;
		pcpu_block_update(e_block, 0, end);

		/* blocks in between are fully free */
		nr_empty_pages += (e_index - s_index - 1);
		for (block = s_block + 1; block < e_block; block++) {
			block->first_free = 0;
			block->scan_hint = 0;
			block->contig_hint_start = 0;
			block->contig_hint = PCPU_BITMAP_BLOCK_BITS;
			block->left_free = PCPU_BITMAP_BLOCK_BITS;
			block->right_free = PCPU_BITMAP_BLOCK_BITS;
		}
	}

	if (nr_empty_pages)
		pcpu_update_empty_pages(chunk, nr_empty_pages);

	/* the chunk hint may be off by up to a page, never above the truth */
	if (((end - start) >= PCPU_BITMAP_BLOCK_BITS) || s_index != e_index)
		pcpu_chunk_refresh_hint(chunk, true);
	else
		pcpu_block_update(&chunk->chunk_md,
				  pcpu_block_off_to_off(s_index, start),
				  end);
}

/* Mirrors pcpu_is_populated(), mm/percpu.c v5.12. */
static bool pcpu_is_populated(struct pcpu_chunk *chunk, int bit_off, int bits,
			      int *next_off)
{
	unsigned int page_start, page_end, rs, re;

	page_start = PFN_DOWN(bit_off * PCPU_MIN_ALLOC_SIZE);
	page_end = PFN_UP((bit_off + bits) * PCPU_MIN_ALLOC_SIZE);

	rs = page_start;
	bitmap_next_clear_region(chunk->populated, &rs, &re, page_end);
	if (rs >= page_end)
		return true;

	*next_off = re * PAGE_SIZE / PCPU_MIN_ALLOC_SIZE;
	return false;
}

/* Mirrors pcpu_find_block_fit(), mm/percpu.c v5.12. */
int pcpu_find_block_fit(struct pcpu_chunk *chunk, int alloc_bits,
			size_t align, bool pop_only)
{
	struct pcpu_block_md *chunk_md = &chunk->chunk_md;
	int bit_off, bits, next_off;

	/* no fit in the chunk's contig hint: don't scan */
	if (!pcpu_check_block_hint(chunk_md, alloc_bits, align))
		return -1;

	bit_off = pcpu_next_hint(chunk_md, alloc_bits);
	bits = 0;
	pcpu_for_each_fit_region(chunk, alloc_bits, align, bit_off, bits) {
		if (!pop_only || pcpu_is_populated(chunk, bit_off, bits,
						   &next_off))
			break;

		bit_off = next_off;
		bits = 0;
	}

	if (bit_off == pcpu_chunk_map_bits(chunk))
		return -1;

	return bit_off;
}

/* Mirrors pcpu_find_zero_area(), mm/percpu.c v5.12. */
static unsigned long pcpu_find_zero_area(unsigned long *map,
					 unsigned long size,
					 unsigned long start,
					 unsigned long nr,
					 unsigned long align_mask,
					 unsigned long *largest_off,
					 unsigned long *largest_bits)
{
	unsigned long index, end, i, area_off, area_bits;
again:
	index = find_next_zero_bit(map, size, start);

	index = __ALIGN_MASK(index, align_mask);
	area_off = index;

	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit(map, end, index);
	if (i < end) {
		area_bits = i - area_off;
		/* remember the largest area skipped, best aligned */
		if (area_bits > *largest_bits ||
		    (area_bits == *largest_bits && *largest_off &&
		     (!area_off || __ffs(area_off) > __ffs(*largest_off)))) {
			*largest_off = area_off;
			*largest_bits = area_bits;
		}

		start = i + 1;
		goto again;
	}
	return index;
}

/* Mirrors pcpu_alloc_area(), mm/percpu.c v5.12. */
int pcpu_alloc_area(struct pcpu_chunk *chunk, int alloc_bits, size_t align,
		    int start)
{
	struct pcpu_block_md *chunk_md = &chunk->chunk_md;
	size_t align_mask = (align) ? (align - 1) : 0;
	unsigned long area_off = 0, area_bits = 0;
	int bit_off, end, oslot;

	lockdep_assert_held(&pcpu_lock);

	oslot = pcpu_chunk_slot(chunk);

	end = min_t(int, start + alloc_bits + PCPU_BITMAP_BLOCK_BITS,
		    pcpu_chunk_map_bits(chunk));
	bit_off = pcpu_find_zero_area(chunk->alloc_map, end, start, alloc_bits,
				      align_mask, &area_off, &area_bits);
	if (bit_off >= end)
		return -1;

	if (area_bits)
		pcpu_block_update_scan(chunk, area_off, area_bits);

	bitmap_set(chunk->alloc_map, bit_off, alloc_bits);

	set_bit(bit_off, chunk->bound_map);
	bitmap_clear(chunk->bound_map, bit_off + 1, alloc_bits - 1);
	set_bit(bit_off + alloc_bits, chunk->bound_map);

	chunk->free_bytes -= alloc_bits * PCPU_MIN_ALLOC_SIZE;

	if (bit_off == chunk_md->first_free)
		chunk_md->first_free = find_next_zero_bit(
					chunk->alloc_map,
					pcpu_chunk_map_bits(chunk),
					bit_off + alloc_bits);

	pcpu_block_update_hint_alloc(chunk, bit_off, alloc_bits);

	pcpu_chunk_relocate(chunk, oslot);

	return bit_off * PCPU_MIN_ALLOC_SIZE;
}

/* Mirrors pcpu_free_area(), mm/percpu.c v5.12. */
int pcpu_free_area(struct pcpu_chunk *chunk, int off)
{
	struct pcpu_block_md *chunk_md = &chunk->chunk_md;
	int bit_off, bits, end, oslot, freed;

	lockdep_assert_held(&pcpu_lock);

	oslot = pcpu_chunk_slot(chunk);

	bit_off = off / PCPU_MIN_ALLOC_SIZE;

	end = find_next_bit(chunk->bound_map, pcpu_chunk_map_bits(chunk),
			    bit_off + 1);
	bits = end - bit_off;
	bitmap_clear(chunk->alloc_map, bit_off, bits);

	freed = bits * PCPU_MIN_ALLOC_SIZE;

	chunk->free_bytes += freed;

	chunk_md->first_free = min(chunk_md->first_free, bit_off);

	pcpu_block_update_hint_free(chunk, bit_off, bits);

	pcpu_chunk_relocate(chunk, oslot);

	return freed;
}

/* Mirrors pcpu_init_md_block(), mm/percpu.c v5.12. */
static void pcpu_init_md_block(struct pcpu_block_md *block, int nr_bits)
{
	block->scan_hint = 0;
	block->contig_hint = nr_bits;
	block->left_free = nr_bits;
	block->right_free = nr_bits;
	block->first_free = 0;
	block->nr_bits = nr_bits;
}

/* Mirrors pcpu_init_md_blocks(), mm/percpu.c v5.12. */
static void pcpu_init_md_blocks(struct pcpu_chunk *chunk)
{
	struct pcpu_block_md *md_block;

	pcpu_init_md_block(&chunk->chunk_md, pcpu_chunk_map_bits(chunk));

	for (md_block = chunk->md_blocks;
	     md_block != chunk->md_blocks + pcpu_chunk_nr_blocks(chunk);
	     md_block++)
		pcpu_init_md_block(md_block, PCPU_BITMAP_BLOCK_BITS);
}

/* boot memory (memblock): harness bookkeeping, the pages are charged apart */
static void *pcpu_memblock_alloc(size_t size)
{
	return mm_kzalloc(size, MM_FAIL_NR);
}

/*
 * Mirrors pcpu_alloc_first_chunk(), mm/percpu.c v5.12.  @tmp_addr is a fake
 * address: PCPU_FIRST_BASE + the region's offset in the unit.
 */
static struct pcpu_chunk *pcpu_alloc_first_chunk(unsigned long tmp_addr,
						 int map_size)
{
	struct pcpu_chunk *chunk;
	unsigned long aligned_addr;
	int start_offset, offset_bits, region_size, region_bits;

	aligned_addr = tmp_addr & PAGE_MASK;

	start_offset = tmp_addr - aligned_addr;

	/* lcm(PAGE_SIZE, PCPU_BITMAP_BLOCK_SIZE) is PAGE_SIZE here */
	region_size = ALIGN(start_offset + map_size, PAGE_SIZE);

	chunk = pcpu_memblock_alloc(sizeof(*chunk) + sizeof(unsigned long) *
				    BITS_TO_LONGS(region_size >> PAGE_SHIFT));

	INIT_LIST_HEAD(&chunk->list);

	chunk->base_addr = (void *)aligned_addr;
	chunk->start_offset = start_offset;
	chunk->end_offset = region_size - chunk->start_offset - map_size;
	chunk->mem_off = aligned_addr - PCPU_FIRST_BASE;

	chunk->nr_pages = region_size >> PAGE_SHIFT;
	region_bits = pcpu_chunk_map_bits(chunk);

	chunk->alloc_map = pcpu_memblock_alloc(BITS_TO_LONGS(region_bits) *
					       sizeof(chunk->alloc_map[0]));
	chunk->bound_map = pcpu_memblock_alloc(BITS_TO_LONGS(region_bits + 1) *
					       sizeof(chunk->bound_map[0]));
	chunk->md_blocks = pcpu_memblock_alloc(pcpu_chunk_nr_blocks(chunk) *
					       sizeof(chunk->md_blocks[0]));

	/* first chunk isn't memcg-aware */
	chunk->obj_cgroups = NULL;
	pcpu_init_md_blocks(chunk);

	/* manage populated page bitmap */
	chunk->immutable = true;
	bitmap_fill(chunk->populated, chunk->nr_pages);
	chunk->nr_populated = chunk->nr_pages;
	chunk->nr_empty_pop_pages = chunk->nr_pages;

	chunk->free_bytes = map_size;

	if (chunk->start_offset) {
		/* hide the beginning of the bitmap */
		offset_bits = chunk->start_offset / PCPU_MIN_ALLOC_SIZE;
		bitmap_set(chunk->alloc_map, 0, offset_bits);
		set_bit(0, chunk->bound_map);
		set_bit(offset_bits, chunk->bound_map);

		chunk->chunk_md.first_free = offset_bits;

		pcpu_block_update_hint_alloc(chunk, 0, offset_bits);
	}

	if (chunk->end_offset) {
		/* hide the end of the bitmap */
		offset_bits = chunk->end_offset / PCPU_MIN_ALLOC_SIZE;
		bitmap_set(chunk->alloc_map,
			   pcpu_chunk_map_bits(chunk) - offset_bits,
			   offset_bits);
		set_bit((start_offset + map_size) / PCPU_MIN_ALLOC_SIZE,
			chunk->bound_map);
		set_bit(region_bits, chunk->bound_map);

		pcpu_block_update_hint_alloc(chunk, pcpu_chunk_map_bits(chunk)
					     - offset_bits, offset_bits);
	}

	INIT_LIST_HEAD(&chunk->all_list);
	list_add_tail(&chunk->all_list, &pcpu_G->all_chunks);
	return chunk;
}

/*
 * Mirrors pcpu_alloc_chunk(), mm/percpu.c v5.12 (pcpu_mem_zalloc = kzalloc
 * or vmalloc, both charged here).  6.1 gives every chunk an obj_cgroups
 * vector when kmem accounting is on; v5.12 only MEMCG chunks.
 */
struct pcpu_chunk *pcpu_alloc_chunk(enum pcpu_chunk_type type, gfp_t gfp)
{
	struct pcpu_chunk *chunk;
	int region_bits;
	bool objcg_vec = pcpu_G->ops->isolation_slots ?
			 pcpu_G->memcg_kmem : pcpu_is_memcg_chunk(type);

	chunk = mm_kzalloc(pcpu_chunk_struct_size, MM_FAIL_KMALLOC);
	if (!chunk)
		return NULL;

	INIT_LIST_HEAD(&chunk->list);
	INIT_LIST_HEAD(&chunk->all_list);
	chunk->nr_pages = pcpu_unit_pages;
	region_bits = pcpu_chunk_map_bits(chunk);

	chunk->alloc_map = mm_kzalloc(BITS_TO_LONGS(region_bits) *
				      sizeof(chunk->alloc_map[0]), MM_FAIL_KMALLOC);
	if (!chunk->alloc_map)
		goto alloc_map_fail;

	chunk->bound_map = mm_kzalloc(BITS_TO_LONGS(region_bits + 1) *
				      sizeof(chunk->bound_map[0]), MM_FAIL_KMALLOC);
	if (!chunk->bound_map)
		goto bound_map_fail;

	chunk->md_blocks = mm_kzalloc(pcpu_chunk_nr_blocks(chunk) *
				      sizeof(chunk->md_blocks[0]), MM_FAIL_KMALLOC);
	if (!chunk->md_blocks)
		goto md_blocks_fail;

	if (objcg_vec) {
		chunk->obj_cgroups =
			mm_kzalloc(pcpu_chunk_map_bits(chunk) *
				   sizeof(struct obj_cgroup *), MM_FAIL_KMALLOC);
		if (!chunk->obj_cgroups)
			goto objcg_fail;
	}

	pcpu_init_md_blocks(chunk);

	chunk->free_bytes = chunk->nr_pages * PAGE_SIZE;

	return chunk;

objcg_fail:
	mm_kfree(chunk->md_blocks);
md_blocks_fail:
	mm_kfree(chunk->bound_map);
bound_map_fail:
	mm_kfree(chunk->alloc_map);
alloc_map_fail:
	mm_kfree(chunk);

	return NULL;
}

/* Mirrors pcpu_free_chunk(), mm/percpu.c v5.12. */
void pcpu_free_chunk(struct pcpu_chunk *chunk)
{
	if (!chunk)
		return;
	mm_kfree(chunk->obj_cgroups);
	mm_kfree(chunk->md_blocks);
	mm_kfree(chunk->bound_map);
	mm_kfree(chunk->alloc_map);
	mm_kfree(chunk);
}

/* Mirrors pcpu_chunk_populated(), mm/percpu.c v5.12. */
void pcpu_chunk_populated(struct pcpu_chunk *chunk, int page_start,
			  int page_end)
{
	int nr = page_end - page_start;

	lockdep_assert_held(&pcpu_lock);

	bitmap_set(chunk->populated, page_start, nr);
	chunk->nr_populated += nr;
	pcpu_nr_populated += nr;

	pcpu_update_empty_pages(chunk, nr);
}

/* Mirrors pcpu_chunk_depopulated(), mm/percpu.c v5.12. */
void pcpu_chunk_depopulated(struct pcpu_chunk *chunk, int page_start,
			    int page_end)
{
	int nr = page_end - page_start;

	lockdep_assert_held(&pcpu_lock);

	bitmap_clear(chunk->populated, page_start, nr);
	chunk->nr_populated -= nr;
	pcpu_nr_populated -= nr;

	pcpu_update_empty_pages(chunk, -nr);

	pcpu_G->nr_depopulated += nr;	/* harness: observable */
}

/* MM_NOCOV (mm/nocov.h): the harness looks up every live area after every op */
static MM_NOCOV bool pcpu_addr_in_chunk(struct pcpu_chunk *chunk, void *addr)
{
	char *start_addr, *end_addr;

	if (!chunk)
		return false;

	start_addr = (char *)chunk->base_addr + chunk->start_offset;
	end_addr = (char *)chunk->base_addr + chunk->nr_pages * PAGE_SIZE -
		   chunk->end_offset;

	return (char *)addr >= start_addr && (char *)addr < end_addr;
}

/*
 * Mirrors pcpu_chunk_addr_search(), mm/percpu.c v5.12.  The kernel finds a
 * dynamic chunk through vmalloc_to_page()->index; the model's fake address
 * encodes the chunk id.
 */
MM_NOCOV struct pcpu_chunk *pcpu_chunk_addr_search(void *addr)
{
	struct pcpu_chunk *chunk;
	unsigned long id;

	if (pcpu_addr_in_chunk(pcpu_first_chunk, addr))
		return pcpu_first_chunk;

	if (pcpu_addr_in_chunk(pcpu_reserved_chunk, addr))
		return pcpu_reserved_chunk;

	/* the fake address encodes the chunk id, as page->index the chunk */
	id = ((unsigned long)addr >> 40) - 2;
	if (id < (unsigned long)pcpu_G->chunk_by_id_cap) {
		chunk = pcpu_G->chunk_by_id[id];
		if (chunk && (char *)addr < (char *)chunk->base_addr + pcpu_unit_size)
			return chunk;
	}
	mm_violation("KERNEL_BUG", __func__, "no chunk holds address %p", addr);
}

/*
 * Mirrors pcpu_memcg_pre_alloc_hook(), mm/percpu.c v5.12 (CONFIG_MEMCG_KMEM):
 * the task is in a non-root cgroup when the config enables kmem accounting.
 * obj_cgroup_charge() fails when a CHARGE failure is injected.
 */
enum pcpu_chunk_type pcpu_memcg_pre_alloc_hook(size_t size, gfp_t gfp,
					       struct obj_cgroup **objcgp)
{
	if (!pcpu_G->memcg_kmem || !(gfp & __GFP_ACCOUNT))
		return PCPU_CHUNK_ROOT;

	if (mm_should_fail(MM_FAIL_CHARGE))
		return PCPU_FAIL_ALLOC;

	*objcgp = &pcpu_G->objcg;
	return PCPU_CHUNK_MEMCG;
}

/* Mirrors pcpu_memcg_post_alloc_hook(), mm/percpu.c v5.12 (6.1 checks the vector). */
void pcpu_memcg_post_alloc_hook(struct obj_cgroup *objcg,
				struct pcpu_chunk *chunk, int off, size_t size)
{
	if (!objcg)
		return;

	if (chunk && chunk->obj_cgroups)
		chunk->obj_cgroups[off >> PCPU_MIN_ALLOC_SHIFT] = objcg;
}

/* Mirrors pcpu_memcg_free_hook(), mm/percpu.c v5.12. */
void pcpu_memcg_free_hook(struct pcpu_chunk *chunk, int off, size_t size)
{
	if (!chunk->obj_cgroups)
		return;

	chunk->obj_cgroups[off >> PCPU_MIN_ALLOC_SHIFT] = NULL;
}

/* Mirrors pcpu_schedule_balance_work(), mm/percpu.c v5.12. */
void pcpu_schedule_balance_work(void)
{
	if (pcpu_async_enabled)
		schedule_work(&pcpu_balance_work);
}

/*
 * Mirrors pcpu_setup_first_chunk(), mm/percpu.c v5.12 (slots as in 6.1 for
 * v5.14), for one group of pcpu_nr_units units.  pcpu_G's config fields
 * (static/reserved/dyn size, unit pages) must be set.
 */
void pcpu_setup_first_chunk(void)
{
	int static_size = ALIGN(pcpu_G->static_size, PCPU_MIN_ALLOC_SIZE);
	int dyn_size = pcpu_G->dyn_size - (static_size - pcpu_G->static_size);
	int reserved_size = pcpu_G->reserved_size;
	size_t size_sum = pcpu_G->static_size + reserved_size + pcpu_G->dyn_size;
	struct pcpu_chunk *chunk;
	unsigned long tmp_addr;
	int i, map_size;

	pcpu_unit_size = pcpu_unit_pages << PAGE_SHIFT;
	pcpu_chunk_struct_size = sizeof(struct pcpu_chunk) +
		BITS_TO_LONGS(pcpu_unit_pages) * sizeof(unsigned long);

	if (pcpu_G->ops->isolation_slots) {
		/* 6.1: sidelined, free and to_depopulate slots at the end */
		pcpu_sidelined_slot = __pcpu_size_to_slot(pcpu_unit_size) + 1;
		pcpu_free_slot = pcpu_sidelined_slot + 1;
		pcpu_to_depopulate_slot = pcpu_free_slot + 1;
		pcpu_nr_slots = pcpu_to_depopulate_slot + 1;
	} else {
		/* the additional last slot is for empty chunks */
		pcpu_nr_slots = __pcpu_size_to_slot(pcpu_unit_size) + 2;
		pcpu_free_slot = pcpu_nr_slots - 1;
		pcpu_sidelined_slot = pcpu_to_depopulate_slot = -1;
	}
	pcpu_chunk_lists = pcpu_memblock_alloc(pcpu_nr_slots *
					       sizeof(pcpu_chunk_lists[0]) *
					       PCPU_NR_CHUNK_TYPES);
	for (i = 0; i < pcpu_nr_slots * PCPU_NR_CHUNK_TYPES; i++)
		INIT_LIST_HEAD(&pcpu_chunk_lists[i]);

	/* the reserved chunk (if any) then the dynamic one */
	tmp_addr = PCPU_FIRST_BASE + static_size;
	map_size = reserved_size ?: dyn_size;
	chunk = pcpu_alloc_first_chunk(tmp_addr, map_size);

	if (reserved_size) {
		pcpu_reserved_chunk = chunk;
		chunk->id = -1;

		tmp_addr = PCPU_FIRST_BASE + static_size + reserved_size;
		map_size = dyn_size;
		chunk = pcpu_alloc_first_chunk(tmp_addr, map_size);
	}

	pcpu_first_chunk = chunk;
	chunk->id = 0;
	pcpu_nr_empty_pop_pages = pcpu_first_chunk->nr_empty_pop_pages;
	pcpu_chunk_relocate(pcpu_first_chunk, -1);

	/* include all regions of the first chunk */
	pcpu_nr_populated += PFN_DOWN(size_sum);
	pcpu_G->boot_populated = PFN_DOWN(size_sum);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parts of mm/percpu.c that patch 15/15 leaves unchanged: identical in
 * v3.17 (+ patches 1-14) and v3.18, so both ports include this file into
 * their own translation unit (as the kernel includes percpu-vm.c), each
 * with its own G.  Read from the v3.18 area-map mm/percpu.c; see
 * docs/percpu-areamap.md for the copy read and how v3.17 was rebuilt.
 *
 * The including port defines pcpu_need_to_extend() (patched by 15/15).
 */
#ifndef MM_PERCPU_AREAMAP_CORE_H
#define MM_PERCPU_AREAMAP_CORE_H

#include <string.h>
#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/sched.h>

static int pcpu_need_to_extend(struct pcpu_chunk *chunk, bool is_atomic);

/* Mirrors __pcpu_size_to_slot(), mm/percpu.c v3.18. */
static int __pcpu_size_to_slot(int size)
{
	int highbit = fls(size);	/* size is in bytes */

	return max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/* Mirrors pcpu_size_to_slot(), mm/percpu.c v3.18. */
static int pcpu_size_to_slot(int size)
{
	if (size == pcpu_unit_size)
		return pcpu_nr_slots - 1;
	return __pcpu_size_to_slot(size);
}

/* Mirrors pcpu_chunk_slot(), mm/percpu.c v3.18 (int vs sizeof compare kept). */
static int pcpu_chunk_slot(const struct pcpu_chunk *chunk)
{
	if ((size_t)chunk->free_size < sizeof(int) ||
	    (size_t)chunk->contig_hint < sizeof(int))
		return 0;

	return pcpu_size_to_slot(chunk->free_size);
}

/* Mirrors pcpu_next_unpop(), mm/percpu.c v3.18. */
static void pcpu_next_unpop(struct pcpu_chunk *chunk, int *rs, int *re, int end)
{
	*rs = find_next_zero_bit(chunk->populated, end, *rs);
	*re = find_next_bit(chunk->populated, end, *rs + 1);
}

/* Mirrors pcpu_next_pop(), mm/percpu.c v3.18. */
static void pcpu_next_pop(struct pcpu_chunk *chunk, int *rs, int *re, int end)
{
	*rs = find_next_bit(chunk->populated, end, *rs);
	*re = find_next_zero_bit(chunk->populated, end, *rs + 1);
}

#define pcpu_for_each_unpop_region(chunk, rs, re, start, end)		    \
	for ((rs) = (start), pcpu_next_unpop((chunk), &(rs), &(re), (end)); \
	     (rs) < (re);						    \
	     (rs) = (re) + 1, pcpu_next_unpop((chunk), &(rs), &(re), (end)))

#define pcpu_for_each_pop_region(chunk, rs, re, start, end)		    \
	for ((rs) = (start), pcpu_next_pop((chunk), &(rs), &(re), (end));   \
	     (rs) < (re);						    \
	     (rs) = (re) + 1, pcpu_next_pop((chunk), &(rs), &(re), (end)))

/*
 * Mirrors pcpu_mem_zalloc(), mm/percpu.c v3.18: kzalloc or vzalloc, both
 * GFP_KERNEL, so it may sleep; charged as metadata, injectable (KMALLOC).
 */
static void *pcpu_mem_zalloc(size_t size)
{
	might_sleep();
	return mm_kzalloc(size, MM_FAIL_KMALLOC);
}

/* Mirrors pcpu_mem_free(), mm/percpu.c v3.18. */
static void pcpu_mem_free(void *ptr, size_t size)
{
	mm_kfree(ptr);
}

/* Mirrors pcpu_count_occupied_pages(), mm/percpu.c v3.18. */
static int pcpu_count_occupied_pages(struct pcpu_chunk *chunk, int i)
{
	int off = chunk->map[i] & ~1;
	int end = chunk->map[i + 1] & ~1;

	if (!PAGE_ALIGNED(off) && i > 0) {
		int prev = chunk->map[i - 1];

		if (!(prev & 1) && prev <= (int)round_down(off, PAGE_SIZE))
			off = round_down(off, PAGE_SIZE);
	}

	if (!PAGE_ALIGNED(end) && i + 1 < chunk->map_used) {
		int next = chunk->map[i + 1];
		int nend = chunk->map[i + 2] & ~1;

		if (!(next & 1) && nend >= (int)round_up(end, PAGE_SIZE))
			end = round_up(end, PAGE_SIZE);
	}

	return max_t(int, PFN_DOWN(end) - PFN_UP(off), 0);
}

/* Mirrors pcpu_chunk_relocate(), mm/percpu.c v3.18. */
static void pcpu_chunk_relocate(struct pcpu_chunk *chunk, int oslot)
{
	int nslot = pcpu_chunk_slot(chunk);

	if (chunk != pcpu_reserved_chunk && oslot != nslot) {
		if (oslot < nslot)
			list_move(&chunk->list, &pcpu_slot[nslot]);
		else
			list_move_tail(&chunk->list, &pcpu_slot[nslot]);
	}
}

/*
 * Harness, not kernel: pcpu_alloc() walks a slot list with
 * list_for_each_entry() and calls pcpu_alloc_area(), which relocates the
 * chunk when it fails.  If the failed scan leaves contig_hint below
 * sizeof(int) (every free area a 2-byte hole, contig_hint stale), the
 * chunk moves to slot 0 and the kernel's walk continues from slot 0's
 * list head as if it were a chunk (memory corruption).  The bug is in
 * both variants and is not the patch's: it is noted and the walk of that
 * slot ends here.  Returns true when the walk has escaped.
 */
static bool am_slot_walk_escaped(struct pcpu_chunk *chunk, int slot)
{
	if (pcpu_chunk_slot(chunk) == slot)
		return false;
	mm_note("KNOWN_BUG_SLOT_WALK",
		"chunk %d left slot %d for slot %d inside pcpu_alloc's list walk (contig_hint %d, free_size %d)",
		chunk->id, slot, pcpu_chunk_slot(chunk), chunk->contig_hint,
		chunk->free_size);
	return true;
}

/*
 * Mirrors pcpu_extend_area_map(), mm/percpu.c v3.18; with AM_FIX2016 as
 * after 6710e594f71c (v4.7), which runs it under pcpu_alloc_mutex so that
 * the balance work cannot destroy the chunk meanwhile.
 */
static int pcpu_extend_area_map(struct pcpu_chunk *chunk, int new_alloc)
{
	int *old = NULL, *new = NULL;
	size_t old_size = 0, new_size = new_alloc * sizeof(new[0]);
	unsigned long flags;

#if AM_FIX2016
	lockdep_assert_held_mutex(&pcpu_alloc_mutex);
#endif
	new = pcpu_mem_zalloc(new_size);
	if (!new)
		return -ENOMEM;

	/* acquire pcpu_lock and switch to new area map */
	spin_lock_irqsave(&pcpu_lock, flags);

	if (new_alloc <= chunk->map_alloc)
		goto out_unlock;

	old_size = chunk->map_alloc * sizeof(chunk->map[0]);
	old = chunk->map;

	memcpy(new, old, old_size);

	chunk->map_alloc = new_alloc;
	chunk->map = new;
	new = NULL;

out_unlock:
	spin_unlock_irqrestore(&pcpu_lock, flags);

	/* vfree() can't be called under pcpu_lock */
	pcpu_mem_free(old, old_size);
	pcpu_mem_free(new, new_size);

	return 0;
}

#if !AM_FIX2016
/* Mirrors pcpu_map_extend_workfn(), mm/percpu.c v3.18 (removed by 4f996e234dad). */
static void pcpu_map_extend_workfn(struct work_struct *work)
{
	struct pcpu_chunk *chunk = container_of(work, struct pcpu_chunk,
						map_extend_work);
	int new_alloc;

	spin_lock_irq(&pcpu_lock);
	new_alloc = pcpu_need_to_extend(chunk, false);
	spin_unlock_irq(&pcpu_lock);

	if (new_alloc)
		pcpu_extend_area_map(chunk, new_alloc);
}
#endif

/* Mirrors pcpu_fit_in_area(), mm/percpu.c v3.18. */
static int pcpu_fit_in_area(struct pcpu_chunk *chunk, int off, int this_size,
			    int size, int align, bool pop_only)
{
	int cand_off = off;
	long trips = 0;

	while (true) {
		int head = ALIGN(cand_off, align) - off;
		int page_start, page_end, rs, re;

		/* each trip skips an unpopulated region: <= pages + 1 trips */
		MM_LOOP_GUARD(trips, (long)pcpu_unit_pages + 2, "pcpu_fit_in_area");
		if (this_size < head + size)
			return -1;

		if (!pop_only)
			return head;

		/*
		 * If the first unpopulated page is beyond the end of the
		 * allocation, the whole allocation is populated; otherwise,
		 * retry from the end of the unpopulated area.
		 */
		page_start = PFN_DOWN(head + off);
		page_end = PFN_UP(head + off + size);

		rs = page_start;
		pcpu_next_unpop(chunk, &rs, &re, PFN_UP(off + this_size));
		if (rs >= page_end)
			return head;
		cand_off = re * PAGE_SIZE;
	}
}

/* Mirrors pcpu_alloc_area(), mm/percpu.c v3.18. */
static int pcpu_alloc_area(struct pcpu_chunk *chunk, int size, int align,
			   bool pop_only, int *occ_pages_p)
{
	int oslot = pcpu_chunk_slot(chunk);
	int max_contig = 0;
	int i, off;
	bool seen_free = false;
	int *p;

	for (i = chunk->first_free, p = chunk->map + i; i < chunk->map_used; i++, p++) {
		int head, tail;
		int this_size;

		off = *p;
		if (off & 1)
			continue;

		this_size = (p[1] & ~1) - off;

		head = pcpu_fit_in_area(chunk, off, this_size, size, align,
					pop_only);
		if (head < 0) {
			if (!seen_free) {
				chunk->first_free = i;
				seen_free = true;
			}
			max_contig = max(this_size, max_contig);
			continue;
		}

		/* the kernel reads p[-1] below; at i == 0 that is map[-1] */
		if (head && i == 0)
			mm_violation("KERNEL_MAP_UNDERFLOW", __func__,
				     "chunk %d: head %d at area 0 reads map[-1]",
				     chunk->id, head);

		/*
		 * If head is small or the previous block is free, merge'em.
		 * Note that 'small' is defined as smaller than sizeof(int).
		 */
		if (head && ((size_t)head < sizeof(int) || !(p[-1] & 1))) {
			*p = off += head;
			if (p[-1] & 1)
				chunk->free_size -= head;
			else
				max_contig = max(*p - p[-1], max_contig);
			this_size -= head;
			head = 0;
		}

		/* if tail is small, just keep it around */
		tail = this_size - head - size;
		if ((size_t)tail < sizeof(int)) {
			tail = 0;
			size = this_size - head;
		}

		/* split if warranted */
		if (head || tail) {
			int nr_extra = !!head + !!tail;

			/* insert new subblocks */
			memmove(p + nr_extra + 1, p + 1,
				sizeof(chunk->map[0]) * (chunk->map_used - i));
			chunk->map_used += nr_extra;

			if (head) {
				if (!seen_free) {
					chunk->first_free = i;
					seen_free = true;
				}
				*++p = off += head;
				++i;
				max_contig = max(head, max_contig);
			}
			if (tail) {
				p[1] = off + size;
				max_contig = max(tail, max_contig);
			}
		}

		if (!seen_free)
			chunk->first_free = i + 1;

		/* update hint and mark allocated */
		if (i + 1 == chunk->map_used)
			chunk->contig_hint = max_contig; /* fully scanned */
		else
			chunk->contig_hint = max(chunk->contig_hint,
						 max_contig);

		chunk->free_size -= size;
		*p |= 1;

		*occ_pages_p = pcpu_count_occupied_pages(chunk, i);
		pcpu_chunk_relocate(chunk, oslot);
		return off;
	}

	chunk->contig_hint = max_contig;	/* fully scanned */
	pcpu_chunk_relocate(chunk, oslot);

	/* tell the upper layer that this chunk has no matching area */
	return -1;
}

/* Mirrors pcpu_free_area(), mm/percpu.c v3.18. */
static void pcpu_free_area(struct pcpu_chunk *chunk, int freeme,
			   int *occ_pages_p)
{
	int oslot = pcpu_chunk_slot(chunk);
	int off = 0;
	unsigned i, j;
	int to_free = 0;
	int *p;

	freeme |= 1;	/* we are searching for <given offset, in use> pair */

	i = 0;
	j = chunk->map_used;
	while (i != j) {
		unsigned k = (i + j) / 2;

		off = chunk->map[k];
		if (off < freeme)
			i = k + 1;
		else if (off > freeme)
			j = k;
		else
			i = j = k;
	}
	BUG_ON(off != freeme);

	if (i < (unsigned)chunk->first_free)
		chunk->first_free = i;

	p = chunk->map + i;
	*p = off &= ~1;
	chunk->free_size += (p[1] & ~1) - off;

	*occ_pages_p = pcpu_count_occupied_pages(chunk, i);

	/* merge with next? */
	if (!(p[1] & 1))
		to_free++;
	/* merge with previous? */
	if (i > 0 && !(p[-1] & 1)) {
		to_free++;
		i--;
		p--;
	}
	if (to_free) {
		chunk->map_used -= to_free;
		memmove(p + 1, p + 1 + to_free,
			(chunk->map_used - i) * sizeof(chunk->map[0]));
	}

	chunk->contig_hint = max(chunk->map[i + 1] - chunk->map[i] - 1,
				 chunk->contig_hint);
	pcpu_chunk_relocate(chunk, oslot);
}

/* Mirrors pcpu_alloc_chunk(), mm/percpu.c v3.18. */
static struct pcpu_chunk *pcpu_alloc_chunk(void)
{
	struct pcpu_chunk *chunk;

	chunk = pcpu_mem_zalloc(pcpu_chunk_struct_size);
	if (!chunk)
		return NULL;

	chunk->map = pcpu_mem_zalloc(PCPU_DFL_MAP_ALLOC *
				     sizeof(chunk->map[0]));
	if (!chunk->map) {
		pcpu_mem_free(chunk, pcpu_chunk_struct_size);
		return NULL;
	}

	chunk->map_alloc = PCPU_DFL_MAP_ALLOC;
	chunk->map[0] = 0;
	chunk->map[1] = pcpu_unit_size | 1;
	chunk->map_used = 1;

	INIT_LIST_HEAD(&chunk->list);
#if AM_FIX2016
	INIT_LIST_HEAD(&chunk->map_extend_list);
#else
	INIT_WORK(&chunk->map_extend_work, pcpu_map_extend_workfn);
#endif
	chunk->free_size = pcpu_unit_size;
	chunk->contig_hint = pcpu_unit_size;
	chunk->map_end = pcpu_unit_size;	/* harness */

	return chunk;
}

/* Mirrors pcpu_free_chunk(), mm/percpu.c v3.18. */
static void pcpu_free_chunk(struct pcpu_chunk *chunk)
{
	if (!chunk)
		return;
	pcpu_mem_free(chunk->map, chunk->map_alloc * sizeof(chunk->map[0]));
	pcpu_mem_free(chunk, pcpu_chunk_struct_size);
}

/* Mirrors pcpu_chunk_populated(), mm/percpu.c v3.18. */
static void pcpu_chunk_populated(struct pcpu_chunk *chunk,
				 int page_start, int page_end)
{
	int nr = page_end - page_start;

	lockdep_assert_held(&pcpu_lock);

	bitmap_set(chunk->populated, page_start, nr);
	chunk->nr_populated += nr;
	pcpu_nr_empty_pop_pages += nr;
}

/* Mirrors pcpu_chunk_depopulated(), mm/percpu.c v3.18. */
static void pcpu_chunk_depopulated(struct pcpu_chunk *chunk,
				   int page_start, int page_end)
{
	int nr = page_end - page_start;

	lockdep_assert_held(&pcpu_lock);

	bitmap_clear(chunk->populated, page_start, nr);
	chunk->nr_populated -= nr;
	pcpu_nr_empty_pop_pages -= nr;
	G->nr_depopulated += nr;	/* harness */
}

#endif

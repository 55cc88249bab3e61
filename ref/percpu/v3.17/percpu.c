// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu v3.17: the area-map allocator of v3.17 + percpu/for-3.18 patches
 * 1-14 (atomic allocations served from populated areas only,
 * pcpu_nr_empty_pop_pages, chunk->nr_populated, first_free,
 * map_extend_work), i.e. mm/percpu.c v3.18 with 1a4d76076cda ("percpu:
 * implement asynchronous chunk population", 15/15) reverted.
 *
 * This file holds the functions 15/15 changes, in their pre-patch form;
 * the unchanged rest of mm/percpu.c, the backends and the harness glue
 * are the areamap-*.h files included below (shared with v3.18).
 */
#include "areamap.h"
#include "areamap-globals.h"

#define AM_PATCHED	false

#include "areamap-core.h"
#include "areamap-backend.h"
#include "areamap-check.h"

static void pcpu_balance_workfn(struct work_struct *work);

/*
 * Mirrors pcpu_need_to_extend(), mm/percpu.c v3.18 minus 15/15: an atomic
 * request schedules the async extension whenever the margin is low, even
 * before workqueues are up.
 */
static int pcpu_need_to_extend(struct pcpu_chunk *chunk, bool is_atomic)
{
	int margin, new_alloc;
	long trips = 0;

	if (is_atomic) {
		margin = 3;

		if (chunk->map_alloc <
		    chunk->map_used + PCPU_ATOMIC_MAP_MARGIN_LOW)
			schedule_work(&chunk->map_extend_work);
	} else {
		margin = PCPU_ATOMIC_MAP_MARGIN_HIGH;
	}

	if (chunk->map_alloc >= chunk->map_used + margin)
		return 0;

	new_alloc = PCPU_DFL_MAP_ALLOC;
	while (new_alloc < chunk->map_used + margin) {
		MM_LOOP_GUARD(trips, 32, "pcpu_need_to_extend");
		new_alloc *= 2;
	}

	return new_alloc;
}

/*
 * Mirrors pcpu_alloc(), mm/percpu.c v3.18 minus 15/15.  Returns the chunk
 * and sets *@offp in place of __addr_to_pcpu_ptr(chunk->base_addr + off).
 */
static struct pcpu_chunk *pcpu_alloc(size_t size, size_t align, bool reserved,
				     gfp_t gfp, int *offp)
{
	struct pcpu_chunk *chunk;
	const char *err = NULL;
	bool is_atomic = (gfp & GFP_KERNEL) != GFP_KERNEL;
	int occ_pages = 0;
	int slot, off, new_alloc, ret;
	unsigned long flags;
	/* a restart follows a map extension or a creation: <= chunks + 2 */
	long restarts = 0, bound = MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots) +
				   2 * (G->nr_chunks + 2);

	/* force >= 16bit alignment and an even size: bit 0 is in-use */
	if (unlikely(align < 2))
		align = 2;

	size = ALIGN(size, 2);

	if (unlikely(!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE))
		return NULL;	/* WARN: illegal size or align, the caller's bug */

	spin_lock_irqsave(&pcpu_lock, flags);

	/* serve reserved allocations from the reserved chunk if available */
	if (reserved && pcpu_reserved_chunk) {
		chunk = pcpu_reserved_chunk;

		if (size > (size_t)chunk->contig_hint) {
			err = "alloc from reserved chunk failed";
			goto fail_unlock;
		}

		while ((new_alloc = pcpu_need_to_extend(chunk, is_atomic))) {
			MM_LOOP_GUARD(restarts, bound, "pcpu_alloc");
			spin_unlock_irqrestore(&pcpu_lock, flags);
			if (is_atomic ||
			    pcpu_extend_area_map(chunk, new_alloc) < 0) {
				err = "failed to extend area map of reserved chunk";
				goto fail;
			}
			spin_lock_irqsave(&pcpu_lock, flags);
		}

		off = pcpu_alloc_area(chunk, size, align, is_atomic,
				      &occ_pages);
		if (off >= 0)
			goto area_found;

		err = "alloc from reserved chunk failed";
		goto fail_unlock;
	}

restart:
	MM_LOOP_GUARD(restarts, bound, "pcpu_alloc");
	/* search through normal chunks */
	for (slot = pcpu_size_to_slot(size); slot < pcpu_nr_slots; slot++) {
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			if (size > (size_t)chunk->contig_hint)
				continue;

			new_alloc = pcpu_need_to_extend(chunk, is_atomic);
			if (new_alloc) {
				if (is_atomic)
					continue;
				spin_unlock_irqrestore(&pcpu_lock, flags);
				if (pcpu_extend_area_map(chunk,
							 new_alloc) < 0) {
					err = "failed to extend area map";
					goto fail;
				}
				spin_lock_irqsave(&pcpu_lock, flags);
				/* pcpu_lock was dropped: restart the walk */
				goto restart;
			}

			off = pcpu_alloc_area(chunk, size, align, is_atomic,
					      &occ_pages);
			if (off >= 0)
				goto area_found;
			if (am_slot_walk_escaped(chunk, slot))	/* harness */
				break;
		}
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);

	/*
	 * No space left.  Create a new chunk.  Serialize and create iff
	 * there's still no empty chunk after grabbing the mutex.
	 */
	if (is_atomic)
		goto fail;

	mutex_lock(&pcpu_alloc_mutex);

	if (list_empty(&pcpu_slot[pcpu_nr_slots - 1])) {
		chunk = pcpu_create_chunk();
		if (!chunk) {
			mutex_unlock(&pcpu_alloc_mutex);
			err = "failed to allocate new chunk";
			goto fail;
		}

		spin_lock_irqsave(&pcpu_lock, flags);
		pcpu_chunk_relocate(chunk, -1);
	} else {
		spin_lock_irqsave(&pcpu_lock, flags);
	}

	mutex_unlock(&pcpu_alloc_mutex);
	goto restart;

area_found:
	spin_unlock_irqrestore(&pcpu_lock, flags);

	/* populate if not all pages are already there */
	if (!is_atomic) {
		int page_start, page_end, rs, re;

		mutex_lock(&pcpu_alloc_mutex);

		page_start = PFN_DOWN(off);
		page_end = PFN_UP(off + size);

		pcpu_for_each_unpop_region(chunk, rs, re, page_start, page_end) {
			WARN_ON(chunk->immutable);

			ret = pcpu_populate_chunk(chunk, rs, re);

			spin_lock_irqsave(&pcpu_lock, flags);
			if (ret) {
				mutex_unlock(&pcpu_alloc_mutex);
				pcpu_free_area(chunk, off, &occ_pages);
				err = "failed to populate";
				goto fail_unlock;
			}
			pcpu_chunk_populated(chunk, rs, re);
			spin_unlock_irqrestore(&pcpu_lock, flags);
		}

		mutex_unlock(&pcpu_alloc_mutex);
	}

	if (chunk != pcpu_reserved_chunk)
		pcpu_nr_empty_pop_pages -= occ_pages;

	/* the per-cpu memset and the caller's writes: the harness fills */
	*offp = off;
	return chunk;

fail_unlock:
	spin_unlock_irqrestore(&pcpu_lock, flags);
fail:
	(void)err;	/* pr_warn + dump_stack for !is_atomic, warn_limit 10 */
	return NULL;
}

/*
 * Mirrors pcpu_balance_workfn(), mm/percpu.c v3.18 minus 15/15: reclaim
 * all fully free chunks except for the first one.
 */
static void pcpu_balance_workfn(struct work_struct *work)
{
	LIST_HEAD(to_free);
	struct list_head *free_head = &pcpu_slot[pcpu_nr_slots - 1];
	struct pcpu_chunk *chunk, *next;

	mutex_lock(&pcpu_alloc_mutex);
	spin_lock_irq(&pcpu_lock);

	list_for_each_entry_safe(chunk, next, free_head, list) {
		WARN_ON(chunk->immutable);

		/* spare the first one */
		if (chunk == list_first_entry(free_head, struct pcpu_chunk, list))
			continue;

		list_move(&chunk->list, &to_free);
	}

	spin_unlock_irq(&pcpu_lock);
	am_check_after_reclaim();	/* harness: I4 */

	list_for_each_entry_safe(chunk, next, &to_free, list) {
		int rs, re;

		pcpu_for_each_pop_region(chunk, rs, re, 0, pcpu_unit_pages) {
			pcpu_depopulate_chunk(chunk, rs, re);
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_depopulated(chunk, rs, re);
			spin_unlock_irq(&pcpu_lock);
		}
		pcpu_destroy_chunk(chunk);
	}

	mutex_unlock(&pcpu_alloc_mutex);
}

/*
 * Mirrors free_percpu(), mm/percpu.c v3.18 minus 15/15; the chunk comes
 * from the caller instead of pcpu_chunk_addr_search().
 */
static void free_percpu(struct pcpu_chunk *chunk, int off)
{
	unsigned long flags;
	int occ_pages;

	spin_lock_irqsave(&pcpu_lock, flags);

	pcpu_free_area(chunk, off, &occ_pages);

	if (chunk != pcpu_reserved_chunk)
		pcpu_nr_empty_pop_pages += occ_pages;

	/* if there are more than one fully free chunks, wake up grim reaper */
	if (chunk->free_size == pcpu_unit_size) {
		struct pcpu_chunk *pos;

		list_for_each_entry(pos, &pcpu_slot[pcpu_nr_slots - 1], list)
			if (pos != chunk) {
				schedule_work(&pcpu_balance_work);
				break;
			}
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);
}

/* v3.17 has no percpu_enable_async(): async work is never gated */
static void am_enable_async(void)
{
}

/* the reference: no allowance */
static long am_pop_slack(void)
{
	return 0;
}

#include "areamap-harness.h"

AM_PORT(percpu_v3_17,
	.name = "v3.17",
	.reference = NULL,
	.models = "mm/percpu.c v3.18 with 15/15 (1a4d76076cda) reverted: v3.17 + percpu/for-3.18 1-14",
	.expect = "buggy: CVE-2016-4794: a chunk freed with its map_extend_work queued (since 9c824b6a172c, fixed by 4f996e234dad in v4.7); with interleavings, pcpu_nr_empty_pop_pages drifts when a population fails while another CPU frees in the chunk (EMPTY_POP_PAGES_COUNT); in the threaded mode, pcpu_alloc() updates pcpu_nr_empty_pop_pages after dropping pcpu_lock (DATA_RACE:pcpu_alloc, or DATA_RACE:free_percpu when the other side is a free; fixed by 320661b08dd6 in v4.11)");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu v3.18: "percpu: implement asynchronous chunk population" (Tejun
 * Heo, 15/15, merged as 1a4d76076cda) on the area-map allocator of the
 * reference (ref/percpu/v3.17).  The balance work keeps the empty populated
 * pages between PCPU_EMPTY_POP_PAGES_LOW and HIGH and at most one empty
 * chunk; pcpu_async_enabled gates both async jobs.
 *
 * This file holds the functions 15/15 changes, in their patched form; the
 * unchanged rest of mm/percpu.c, the backends and the harness glue are the
 * reference's areamap-*.h files (15/15 does not touch them).
 */
#include "../../../ref/percpu/v3.17/areamap.h"
#include "../../../ref/percpu/v3.17/areamap-globals.h"

#define AM_PATCHED	true

#include "../../../ref/percpu/v3.17/areamap-core.h"
#include "../../../ref/percpu/v3.17/areamap-backend.h"
#include "../../../ref/percpu/v3.17/areamap-check.h"

static void pcpu_balance_workfn(struct work_struct *work);

/* Mirrors pcpu_schedule_balance_work(), mm/percpu.c v3.18 (new in 15/15). */
static void pcpu_schedule_balance_work(void)
{
	if (pcpu_async_enabled)
		schedule_work(&pcpu_balance_work);
}

/*
 * Mirrors pcpu_need_to_extend(), mm/percpu.c v3.18: the async extension is
 * scheduled only once pcpu_async_enabled.  With AM_FIX2016 as after
 * 4f996e234dad: the chunk joins pcpu_map_extend_chunks and the balance
 * work (itself gated on pcpu_async_enabled) extends it.
 */
static int pcpu_need_to_extend(struct pcpu_chunk *chunk, bool is_atomic)
{
	int margin, new_alloc;
	long trips = 0;

#if AM_FIX2016
	lockdep_assert_held(&pcpu_lock);
#endif

	if (is_atomic) {
		margin = 3;

#if AM_FIX2016
		if (chunk->map_alloc <
		    chunk->map_used + PCPU_ATOMIC_MAP_MARGIN_LOW) {
			if (list_empty(&chunk->map_extend_list)) {
				list_add_tail(&chunk->map_extend_list,
					      &pcpu_map_extend_chunks);
				pcpu_schedule_balance_work();
			}
		}
#else
		if (chunk->map_alloc <
		    chunk->map_used + PCPU_ATOMIC_MAP_MARGIN_LOW &&
		    pcpu_async_enabled)
			schedule_work(&chunk->map_extend_work);
#endif
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
 * Mirrors pcpu_alloc(), mm/percpu.c v3.18.  A non-atomic request drops
 * pcpu_lock to extend a chunk's map without pcpu_alloc_mutex, so the
 * balance work may destroy the chunk meanwhile (CVE-2016-4794).  With
 * AM_FIX2016 as after 6710e594f71c (v4.7): non-atomic requests hold
 * pcpu_alloc_mutex from the start.  Returns the chunk and sets *@offp in
 * place of __addr_to_pcpu_ptr(chunk->base_addr + off).
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

#if AM_FIX2016
	if (!is_atomic)
		mutex_lock(&pcpu_alloc_mutex);
#endif

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

	if (!AM_FIX2016)
		mutex_lock(&pcpu_alloc_mutex);

	if (list_empty(&pcpu_slot[pcpu_nr_slots - 1])) {
		chunk = pcpu_create_chunk();
		if (!chunk) {
			if (!AM_FIX2016)
				mutex_unlock(&pcpu_alloc_mutex);
			err = "failed to allocate new chunk";
			goto fail;
		}

		spin_lock_irqsave(&pcpu_lock, flags);
		pcpu_chunk_relocate(chunk, -1);
	} else {
		spin_lock_irqsave(&pcpu_lock, flags);
	}

	if (!AM_FIX2016)
		mutex_unlock(&pcpu_alloc_mutex);
	goto restart;

area_found:
	spin_unlock_irqrestore(&pcpu_lock, flags);

	/* populate if not all pages are already there */
	if (!is_atomic) {
		int page_start, page_end, rs, re;

		if (!AM_FIX2016)
			mutex_lock(&pcpu_alloc_mutex);

		page_start = PFN_DOWN(off);
		page_end = PFN_UP(off + size);

		pcpu_for_each_unpop_region(chunk, rs, re, page_start, page_end) {
			WARN_ON(chunk->immutable);

			ret = pcpu_populate_chunk(chunk, rs, re);

			spin_lock_irqsave(&pcpu_lock, flags);
			if (ret) {
				if (!AM_FIX2016)
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

	if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
		pcpu_schedule_balance_work();

	/* the per-cpu memset and the caller's writes: the harness fills */
	*offp = off;
	return chunk;

fail_unlock:
	spin_unlock_irqrestore(&pcpu_lock, flags);
fail:
	(void)err;	/* pr_warn + dump_stack for !is_atomic, warn_limit 10 */
	if (is_atomic) {
		/* see the flag handling in pcpu_balance_workfn() */
		pcpu_atomic_alloc_failed = true;
		pcpu_schedule_balance_work();
	} else if (AM_FIX2016) {
		mutex_unlock(&pcpu_alloc_mutex);
	}
	return NULL;
}

/*
 * Mirrors pcpu_balance_workfn(), mm/percpu.c v3.18: (i) destroy every
 * fully free chunk but one; (ii)-(iv) populate up to HIGH empty pages,
 * most packed chunks first, creating a chunk when none has room.  With
 * AM_FIX2016 as after 4f996e234dad (v4.7): a destroyed chunk leaves
 * pcpu_map_extend_chunks, and the chunks on it get their maps extended.
 */
static void pcpu_balance_workfn(struct work_struct *work)
{
	LIST_HEAD(to_free);
	struct list_head *free_head = &pcpu_slot[pcpu_nr_slots - 1];
	struct pcpu_chunk *chunk, *next;
	int slot, nr_to_pop, ret;
	long passes = 0;

	/* no reason to keep several unused chunks; VM areas can be scarce */
	mutex_lock(&pcpu_alloc_mutex);
	spin_lock_irq(&pcpu_lock);

	list_for_each_entry_safe(chunk, next, free_head, list) {
		WARN_ON(chunk->immutable);

		/* spare the first one */
		if (chunk == list_first_entry(free_head, struct pcpu_chunk, list))
			continue;

#if AM_FIX2016
		list_del_init(&chunk->map_extend_list);
#endif
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

#if AM_FIX2016
	/* service chunks which requested async area map extension */
	do {
		int new_alloc = 0;

		spin_lock_irq(&pcpu_lock);

		chunk = list_first_entry_or_null(&pcpu_map_extend_chunks,
					struct pcpu_chunk, map_extend_list);
		if (chunk) {
			list_del_init(&chunk->map_extend_list);
			new_alloc = pcpu_need_to_extend(chunk, false);
		}

		spin_unlock_irq(&pcpu_lock);

		if (new_alloc)
			pcpu_extend_area_map(chunk, new_alloc);
	} while (chunk);
#endif

	/*
	 * Keep a number of free populated pages for atomic allocs, filling
	 * the most packed chunks first.  After an atomic failure populate
	 * the maximum, so that allocs larger than a page don't keep failing.
	 */
retry_pop:
	MM_LOOP_GUARD(passes, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots), "pcpu_balance_workfn");
	if (pcpu_atomic_alloc_failed) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
		/* best effort anyway, don't worry about synchronization */
		pcpu_atomic_alloc_failed = false;
		G->flag_consumed++;	/* harness: pop_slack */
	} else {
		nr_to_pop = clamp(PCPU_EMPTY_POP_PAGES_HIGH -
				  pcpu_nr_empty_pop_pages,
				  0, PCPU_EMPTY_POP_PAGES_HIGH);
	}

	for (slot = pcpu_size_to_slot(PAGE_SIZE); slot < pcpu_nr_slots; slot++) {
		int nr_unpop = 0, rs, re;

		if (!nr_to_pop)
			break;

		spin_lock_irq(&pcpu_lock);
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			nr_unpop = pcpu_unit_pages - chunk->nr_populated;
			if (nr_unpop)
				break;
		}
		spin_unlock_irq(&pcpu_lock);

		if (!nr_unpop)
			continue;

		/* @chunk can't go away while pcpu_alloc_mutex is held */
		pcpu_for_each_unpop_region(chunk, rs, re, 0, pcpu_unit_pages) {
			int nr = min(re - rs, nr_to_pop);

			ret = pcpu_populate_chunk(chunk, rs, rs + nr);
			if (!ret) {
				nr_to_pop -= nr;
				spin_lock_irq(&pcpu_lock);
				pcpu_chunk_populated(chunk, rs, rs + nr);
				spin_unlock_irq(&pcpu_lock);
			} else {
				nr_to_pop = 0;
			}

			if (!nr_to_pop)
				break;
		}
	}

	if (nr_to_pop) {
		/* ran out of chunks to populate, create a new one and retry */
		chunk = pcpu_create_chunk();
		if (chunk) {
			am_count_balance_creation();	/* harness: I5 */
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_relocate(chunk, -1);
			spin_unlock_irq(&pcpu_lock);
			goto retry_pop;
		}
	}

	mutex_unlock(&pcpu_alloc_mutex);
}

/*
 * Mirrors free_percpu(), mm/percpu.c v3.18; the chunk comes
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
				pcpu_schedule_balance_work();
				break;
			}
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);
}

/*
 * Mirrors percpu_enable_async(), mm/percpu.c v3.18 (a subsys_initcall):
 * slab and workqueues are up, async management may start.
 */
static int percpu_enable_async(void)
{
	pcpu_async_enabled = true;
	return 0;
}

static void am_enable_async(void)
{
	percpu_enable_async();
}

/*
 * Populated pages v3.18 may hold beyond v3.17 in lockstep (POPULATED_BOUND): every
 * such page is empty; a run populates only up to HIGH empty pages, or HIGH
 * more after consuming the failed flag; a km chunk the balance work
 * creates is born with pcpu_unit_pages populated.
 */
static long am_pop_slack(void)
{
	long slack = PCPU_EMPTY_POP_PAGES_HIGH * (1 + G->flag_consumed);

	if (G->backend == PCPU_BACKEND_KM)
		slack += (long)pcpu_unit_pages * G->balance_created;
	return slack;
}

#include "../../../ref/percpu/v3.17/areamap-harness.h"

#ifndef AM_V318_VARIANT
AM_PORT(percpu_v3_18,
	.name = "v3.18",
	.reference = "v3.17",
	.models = "mm/percpu.c v3.18 (1a4d76076cda, 15/15: asynchronous chunk population, Tejun Heo)",
	.expect = "buggy: CVE-2016-4794, map extension against chunk destruction: a chunk freed with its map_extend_work queued (fixed by 4f996e234dad), and a chunk destroyed while pcpu_alloc extends its map with pcpu_lock dropped (fixed by 6710e594f71c); with interleavings, pcpu_nr_empty_pop_pages drifts when a population fails while another CPU frees in the chunk (EMPTY_POP_PAGES_COUNT, the area-map era's); in the threaded mode, pcpu_alloc() updates pcpu_nr_empty_pop_pages after dropping pcpu_lock (DATA_RACE:pcpu_alloc, or DATA_RACE:free_percpu when the other side is a free; fixed by 320661b08dd6 in v4.11)");
#else
AM_V318_VARIANT
#endif

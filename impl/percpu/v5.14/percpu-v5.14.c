// SPDX-License-Identifier: GPL-2.0-only
/*
 * v5.14: the merged design of partial chunk depopulation (Dennis Zhou's
 * v4, f183324133ea, with the 5.14 follow-up that batches the TLB flush) as
 * it stands in Linux 6.1 mm/percpu.c and mm/percpu-vm.c.
 *
 * Chunks with enough empty populated pages are isolated by free_percpu()
 * to the to_depopulate slot; pcpu_reclaim_populated() depopulates their
 * empty pages from the back, then sidelines them (still isolated) or
 * reintegrates them; an allocation served from a sidelined chunk
 * reintegrates it.  No chunk types (the memcg argument only charges).
 *
 * The bitmap core (pcpu_core.c) is shared with v5.12: 6.1's versions of
 * those functions are identical but for ->isolated in
 * pcpu_chunk_relocate() / pcpu_update_empty_pages() and the slot layout,
 * both handled there.  pcpu_should_reclaim_chunk() and
 * pcpu_post_unmap_tlb_flush() are in pcpu_backend.c (vm and km).
 */
#include "../../../ref/percpu/v5.12/pcpu_bitmap.h"

/* Mirrors pcpu_isolate_chunk(), mm/percpu.c 6.1. */
static void pcpu_isolate_chunk(struct pcpu_chunk *chunk)
{
	lockdep_assert_held(&pcpu_lock);

	if (!chunk->isolated) {
		chunk->isolated = true;
		pcpu_nr_empty_pop_pages -= chunk->nr_empty_pop_pages;
	}
	list_move(&chunk->list, &pcpu_chunk_lists[pcpu_to_depopulate_slot]);
}

/* Mirrors pcpu_reintegrate_chunk(), mm/percpu.c 6.1. */
static void pcpu_reintegrate_chunk(struct pcpu_chunk *chunk)
{
	lockdep_assert_held(&pcpu_lock);

	if (chunk->isolated) {
		chunk->isolated = false;
		pcpu_nr_empty_pop_pages += chunk->nr_empty_pop_pages;
		pcpu_chunk_relocate(chunk, -1);
	}
}

/* Mirrors pcpu_alloc(), mm/percpu.c 6.1. */
static void __percpu *pcpu_alloc(size_t size, size_t align, bool reserved,
				 gfp_t gfp)
{
	gfp_t pcpu_gfp;
	bool is_atomic;
	struct obj_cgroup *objcg = NULL;
	struct pcpu_chunk *chunk, *next;
	int slot, off, ret;
	unsigned long flags;
	long restarts = 0;
	void __percpu *ptr;
	size_t bits, bit_align;

	pcpu_gfp = gfp & (GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	is_atomic = !gfpflags_allow_blocking(gfp);

	if (unlikely(align < PCPU_MIN_ALLOC_SIZE))
		align = PCPU_MIN_ALLOC_SIZE;

	size = ALIGN(size, PCPU_MIN_ALLOC_SIZE);
	bits = size >> PCPU_MIN_ALLOC_SHIFT;
	bit_align = align >> PCPU_MIN_ALLOC_SHIFT;

	/* the kernel WARNs and fails: a failed allocation, not a violation */
	if (unlikely(!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE ||
		     !is_power_of_2(align)))
		return NULL;

	/* 6.1: the hook only charges; there are no chunk types */
	if (unlikely(pcpu_memcg_pre_alloc_hook(size, gfp, &objcg) ==
		     PCPU_FAIL_ALLOC))
		return NULL;

	if (!is_atomic) {
		if (mutex_lock_killable(&pcpu_alloc_mutex)) {
			pcpu_memcg_post_alloc_hook(objcg, NULL, 0, size);
			return NULL;
		}
	}

	spin_lock_irqsave(&pcpu_lock, flags);

	/* serve reserved allocations from the reserved chunk if available */
	if (reserved && pcpu_reserved_chunk) {
		chunk = pcpu_reserved_chunk;

		off = pcpu_find_block_fit(chunk, bits, bit_align, is_atomic);
		if (off < 0)
			goto fail_unlock;

		off = pcpu_alloc_area(chunk, bits, bit_align, off);
		if (off >= 0)
			goto area_found;

		goto fail_unlock;
	}

restart:
	MM_LOOP_GUARD(restarts, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots),
		      "pcpu_alloc restart");
	/* active slots, then sidelined, then free; never to_depopulate */
	for (slot = pcpu_size_to_slot(size); slot <= pcpu_free_slot; slot++) {
		list_for_each_entry_safe(chunk, next, &pcpu_chunk_lists[slot],
					 list) {
			off = pcpu_find_block_fit(chunk, bits, bit_align,
						  is_atomic);
			if (off < 0) {
				if (slot < PCPU_SLOT_FAIL_THRESHOLD)
					pcpu_chunk_move(chunk, 0);
				continue;
			}

			off = pcpu_alloc_area(chunk, bits, bit_align, off);
			if (off >= 0) {
				/* only isolated chunks can sit there */
				if (chunk->isolated &&
				    pcpu_bm_chunk_list_slot(chunk, NULL) ==
				    pcpu_to_depopulate_slot)
					mm_violation("ALLOC_TO_DEPOPULATE", __func__,
						     "allocation served from chunk %d on the to_depopulate list",
						     chunk->id);
				pcpu_reintegrate_chunk(chunk);
				goto area_found;
			}
		}
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);

	if (is_atomic)
		goto fail;

	if (list_empty(&pcpu_chunk_lists[pcpu_free_slot])) {
		chunk = pcpu_create_chunk(PCPU_CHUNK_ROOT, pcpu_gfp);
		if (!chunk)
			goto fail;

		spin_lock_irqsave(&pcpu_lock, flags);
		pcpu_chunk_relocate(chunk, -1);
	} else {
		spin_lock_irqsave(&pcpu_lock, flags);
	}

	goto restart;

area_found:
	spin_unlock_irqrestore(&pcpu_lock, flags);

	/* populate if not all pages are already there */
	if (!is_atomic) {
		unsigned int page_start, page_end, rs, re;

		page_start = PFN_DOWN(off);
		page_end = PFN_UP(off + size);

		bitmap_for_each_clear_region(chunk->populated, rs, re,
					     page_start, page_end) {
			WARN_ON(chunk->immutable);

			ret = pcpu_populate_chunk(chunk, rs, re, pcpu_gfp);

			spin_lock_irqsave(&pcpu_lock, flags);
			if (ret) {
				pcpu_free_area(chunk, off);
				goto fail_unlock;
			}
			pcpu_chunk_populated(chunk, rs, re);
			spin_unlock_irqrestore(&pcpu_lock, flags);
		}

		mutex_unlock(&pcpu_alloc_mutex);
	}

	if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
		pcpu_schedule_balance_work();

	/* the memset of every unit is the harness's fill (pcpu_exec.c) */
	ptr = (char *)chunk->base_addr + off;

	pcpu_memcg_post_alloc_hook(objcg, chunk, off, size);

	return ptr;

fail_unlock:
	spin_unlock_irqrestore(&pcpu_lock, flags);
fail:
	if (is_atomic) {
		/* see the flag handling in pcpu_balance_workfn() */
		pcpu_atomic_alloc_failed = true;
		pcpu_schedule_balance_work();
	} else {
		mutex_unlock(&pcpu_alloc_mutex);
	}

	pcpu_memcg_post_alloc_hook(objcg, NULL, 0, size);

	return NULL;
}

/*
 * Mirrors pcpu_balance_free(empty_only), mm/percpu.c 6.1: destroy fully
 * free chunks but the first; with @empty_only only those with no populated
 * page left.  Called and returns with pcpu_lock held.
 */
static void pcpu_balance_free(bool empty_only)
{
	LIST_HEAD(to_free);
	struct list_head *free_head = &pcpu_chunk_lists[pcpu_free_slot];
	struct pcpu_chunk *chunk, *next;

	lockdep_assert_held(&pcpu_lock);

	list_for_each_entry_safe(chunk, next, free_head, list) {
		WARN_ON(chunk->immutable);

		/* spare the first one */
		if (chunk == list_first_entry(free_head, struct pcpu_chunk, list))
			continue;

		if (!empty_only || chunk->nr_empty_pop_pages == 0)
			list_move(&chunk->list, &to_free);
	}

	if (list_empty(&to_free))
		return;

	spin_unlock_irq(&pcpu_lock);
	list_for_each_entry_safe(chunk, next, &to_free, list) {
		unsigned int rs, re;

		bitmap_for_each_set_region(chunk->populated, rs, re, 0,
					   chunk->nr_pages) {
			pcpu_depopulate_chunk(chunk, rs, re);
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_depopulated(chunk, rs, re);
			spin_unlock_irq(&pcpu_lock);
		}
		pcpu_destroy_chunk(chunk);
		cond_resched();
	}
	spin_lock_irq(&pcpu_lock);
}

/*
 * Mirrors pcpu_balance_populated(void), mm/percpu.c 6.1: Tejun's retry_pop
 * structure, the slot loop up to pcpu_free_slot.  Called and returns with
 * pcpu_lock held.
 */
static void pcpu_balance_populated(void)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct pcpu_chunk *chunk;
	int slot, nr_to_pop, ret;
	long retries = 0;

	lockdep_assert_held(&pcpu_lock);

retry_pop:
	MM_LOOP_GUARD(retries, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots), "retry_pop");
	if (pcpu_atomic_alloc_failed) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
		/* best effort anyway, don't worry about synchronization */
		pcpu_atomic_alloc_failed = false;
	} else {
		nr_to_pop = clamp(PCPU_EMPTY_POP_PAGES_HIGH -
				  pcpu_nr_empty_pop_pages,
				  0, PCPU_EMPTY_POP_PAGES_HIGH);
	}

	for (slot = pcpu_size_to_slot(PAGE_SIZE); slot <= pcpu_free_slot; slot++) {
		unsigned int nr_unpop = 0, rs, re;

		if (!nr_to_pop)
			break;

		list_for_each_entry(chunk, &pcpu_chunk_lists[slot], list) {
			nr_unpop = chunk->nr_pages - chunk->nr_populated;
			if (nr_unpop)
				break;
		}

		if (!nr_unpop)
			continue;

		/* @chunk can't go away while pcpu_alloc_mutex is held */
		bitmap_for_each_clear_region(chunk->populated, rs, re, 0,
					     chunk->nr_pages) {
			int nr = min_t(int, re - rs, nr_to_pop);

			spin_unlock_irq(&pcpu_lock);
			ret = pcpu_populate_chunk(chunk, rs, rs + nr, gfp);
			cond_resched();
			spin_lock_irq(&pcpu_lock);
			if (!ret) {
				nr_to_pop -= nr;
				pcpu_chunk_populated(chunk, rs, rs + nr);
			} else {
				nr_to_pop = 0;
			}

			if (!nr_to_pop)
				break;
		}
	}

	if (nr_to_pop) {
		/* ran out of chunks to populate, create a new one and retry */
		spin_unlock_irq(&pcpu_lock);
		chunk = pcpu_create_chunk(PCPU_CHUNK_ROOT, gfp);
		cond_resched();
		spin_lock_irq(&pcpu_lock);
		if (chunk) {
			pcpu_bm_balance_created(PCPU_CHUNK_ROOT);
			pcpu_chunk_relocate(chunk, -1);
			goto retry_pop;
		}
	}
}

/*
 * Mirrors pcpu_reclaim_populated(), mm/percpu.c 6.1: depopulate the empty
 * pages of every to_depopulate chunk from the back, one batched TLB flush
 * per chunk, then sideline or reintegrate it.  Called and returns with
 * pcpu_lock held.
 */
static void pcpu_reclaim_populated(void)
{
	struct pcpu_chunk *chunk;
	struct pcpu_block_md *block;
	int freed_page_start, freed_page_end;
	int i, end;
	bool reintegrate;
	long trips = 0;

	lockdep_assert_held(&pcpu_lock);

	/* to_depopulate chunks are invisible to allocations */
	while (!list_empty(&pcpu_chunk_lists[pcpu_to_depopulate_slot])) {
		/* each trip moves one chunk off the list */
		MM_LOOP_GUARD(trips, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots) +
			      pcpu_G->nr_chunks, "pcpu_reclaim_populated");
		chunk = list_first_entry(&pcpu_chunk_lists[pcpu_to_depopulate_slot],
					 struct pcpu_chunk, list);
		WARN_ON(chunk->immutable);

		/* reverse order keeps populated pages at the chunk's start */
		freed_page_start = chunk->nr_pages;
		freed_page_end = 0;
		reintegrate = false;
		for (i = chunk->nr_pages - 1, end = -1; i >= 0; i--) {
			/* no more work to do */
			if (chunk->nr_empty_pop_pages == 0)
				break;

			/* reintegrate chunk to prevent atomic alloc failures */
			if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH) {
				reintegrate = true;
				goto end_chunk;
			}

			/*
			 * An empty populated page starts or extends the
			 * (i, end] range; at i == 0, step below it so the
			 * range covers page 0.
			 */
			block = chunk->md_blocks + i;
			if (block->contig_hint == PCPU_BITMAP_BLOCK_BITS &&
			    test_bit(i, chunk->populated)) {
				if (end == -1)
					end = i;
				if (i > 0)
					continue;
				i--;
			}

			/* depopulate if there is an active range */
			if (end == -1)
				continue;

			spin_unlock_irq(&pcpu_lock);
			pcpu_depopulate_chunk(chunk, i + 1, end + 1);
			cond_resched();
			spin_lock_irq(&pcpu_lock);

			pcpu_chunk_depopulated(chunk, i + 1, end + 1);
			freed_page_start = min(freed_page_start, i + 1);
			freed_page_end = max(freed_page_end, end + 1);

			/* reset the range and continue */
			end = -1;
		}

end_chunk:
		/* batch tlb flush per chunk to amortize cost */
		if (freed_page_start < freed_page_end) {
			spin_unlock_irq(&pcpu_lock);
			pcpu_post_unmap_tlb_flush(chunk,
						  freed_page_start,
						  freed_page_end);
			cond_resched();
			spin_lock_irq(&pcpu_lock);
		}
		/* I10: every depopulated range is flushed before it leaves */
		if (chunk->unflushed_start < chunk->unflushed_end)
			mm_violation("TLB_FLUSH", __func__,
				     "chunk %d leaves reclaim with pages [%d, %d) unmapped but not flushed",
				     chunk->id, chunk->unflushed_start,
				     chunk->unflushed_end);

		if (reintegrate || chunk->free_bytes == pcpu_unit_size)
			pcpu_reintegrate_chunk(chunk);
		else
			list_move_tail(&chunk->list,
				       &pcpu_chunk_lists[pcpu_sidelined_slot]);
	}
	/* I10: the to_depopulate list is empty when reclaim returns (loop cond) */
}

/* Mirrors pcpu_balance_workfn(), mm/percpu.c 6.1. */
static void pcpu_balance_workfn(struct work_struct *work)
{
	pcpu_bm_balance_begin();
	/* memalloc_noio_save(): GFP_NOIO changes nothing in the model */
	mutex_lock(&pcpu_alloc_mutex);
	spin_lock_irq(&pcpu_lock);

	pcpu_balance_free(false);
	pcpu_reclaim_populated();
	pcpu_bm_reclaim_done();		/* harness: RECLAIM_INCOMPLETE */
	pcpu_balance_populated();
	pcpu_balance_free(true);

	spin_unlock_irq(&pcpu_lock);
	mutex_unlock(&pcpu_alloc_mutex);
	pcpu_bm_balance_end();
}

/* Mirrors free_percpu(), mm/percpu.c 6.1. */
static void free_percpu(void __percpu *ptr)
{
	void *addr;
	struct pcpu_chunk *chunk;
	unsigned long flags;
	int size, off;
	bool need_balance = false;

	if (!ptr)
		return;

	addr = ptr;

	spin_lock_irqsave(&pcpu_lock, flags);

	chunk = pcpu_chunk_addr_search(addr);
	off = (char *)addr - (char *)chunk->base_addr;

	size = pcpu_free_area(chunk, off);

	pcpu_memcg_free_hook(chunk, off, size);

	/*
	 * More than one fully free chunk: wake up grim reaper.  An isolated
	 * chunk may be being reclaimed: reclaim cleans it up.
	 */
	if (!chunk->isolated && chunk->free_bytes == pcpu_unit_size) {
		struct pcpu_chunk *pos;

		list_for_each_entry(pos, &pcpu_chunk_lists[pcpu_free_slot], list)
			if (pos != chunk) {
				need_balance = true;
				break;
			}
	} else if (pcpu_should_reclaim_chunk(chunk)) {
		pcpu_isolate_chunk(chunk);
		need_balance = true;
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);

	if (need_balance)
		pcpu_schedule_balance_work();
}

static const struct pcpu_variant_ops pcpu_v5_14_ops = {
	.pcpu_alloc = pcpu_alloc,
	.free_percpu = free_percpu,
	.balance_workfn = pcpu_balance_workfn,
	.isolation_slots = true,
	.balance_fills_high = true,
};

PCPU_BM_PORT(pcpu_v5_14_port, pcpu_v5_14_ops);

PCPU_VARIANT(percpu_v5_14, pcpu_v5_14_port,
	.name = "v5.14",
	.reference = "v5.12",
	.models = "v5.14 partial chunk depopulation (f183324133ea) as in Linux 6.1 mm/percpu.c",
	.expect = "clean");

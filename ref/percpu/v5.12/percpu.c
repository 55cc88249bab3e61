// SPDX-License-Identifier: GPL-2.0-only
/*
 * percpu v5.12: the RFC's base, dennis/percpu.git for-next
 * with RFC 1/4 and 2/4 applied.  Balance frees surplus free chunks and
 * grows the pool of empty populated pages (Tejun's retry_pop structure,
 * Tejun Heo, v3.18); it never shrinks.  RFC 1/4's pcpu_shrink_populated() is here
 * but has no caller yet.
 *
 * Read from 0day-ci/linux mm/percpu.c @ 6c3e2fdd (v5.12-era) and the RFC
 * 1/4, 2/4 postings.  Choice: ONE global pcpu_nr_empty_pop_pages, as in the
 * RFC's base blob 6596a0a4286e (the 0day copy has a per-type array).
 */
#include "pcpu_bitmap.h"

/*
 * Mirrors pcpu_alloc(), mm/percpu.c v5.12.  rfc3 and rfc3-fix run it
 * unchanged (the RFC does not touch it).
 */
void __percpu *pcpu_alloc_v5_12(size_t size, size_t align, bool reserved,
				gfp_t gfp)
{
	gfp_t pcpu_gfp;
	bool is_atomic;
	enum pcpu_chunk_type type;
	struct list_head *pcpu_slot;
	struct obj_cgroup *objcg = NULL;
	struct pcpu_chunk *chunk, *next;
	int slot, off, ret;
	unsigned long flags;
	long restarts = 0;
	void __percpu *ptr;
	size_t bits, bit_align;

	pcpu_gfp = gfp & (GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	is_atomic = (gfp & GFP_KERNEL) != GFP_KERNEL;

	/* minimum allocation and alignment is PCPU_MIN_ALLOC_SIZE */
	if (unlikely(align < PCPU_MIN_ALLOC_SIZE))
		align = PCPU_MIN_ALLOC_SIZE;

	size = ALIGN(size, PCPU_MIN_ALLOC_SIZE);
	bits = size >> PCPU_MIN_ALLOC_SHIFT;
	bit_align = align >> PCPU_MIN_ALLOC_SHIFT;

	/* the kernel WARNs and fails: a failed allocation, not a violation */
	if (unlikely(!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE ||
		     !is_power_of_2(align)))
		return NULL;

	type = pcpu_memcg_pre_alloc_hook(size, gfp, &objcg);
	if (unlikely(type == PCPU_FAIL_ALLOC))
		return NULL;
	pcpu_slot = pcpu_chunk_list(type);

	if (!is_atomic) {
		/* balance allocates under this mutex: be killable (never here) */
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
	/* search through normal chunks */
	for (slot = pcpu_size_to_slot(size); slot < pcpu_nr_slots; slot++) {
		list_for_each_entry_safe(chunk, next, &pcpu_slot[slot], list) {
			off = pcpu_find_block_fit(chunk, bits, bit_align,
						  is_atomic);
			if (off < 0) {
				if (slot < PCPU_SLOT_FAIL_THRESHOLD)
					pcpu_chunk_move(chunk, 0);
				continue;
			}

			off = pcpu_alloc_area(chunk, bits, bit_align, off);
			if (off >= 0)
				goto area_found;
		}
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);

	/* no space left: create a chunk iff there's still no empty one */
	if (is_atomic)
		goto fail;

	if (list_empty(&pcpu_slot[pcpu_nr_slots - 1])) {
		chunk = pcpu_create_chunk(type, pcpu_gfp);
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
 * Mirrors pcpu_balance_free(type), mm/percpu.c after RFC 2/4: destroy every
 * fully free chunk of @type but the first.
 */
static void pcpu_balance_free(enum pcpu_chunk_type type)
{
	LIST_HEAD(to_free);
	struct list_head *pcpu_slot = pcpu_chunk_list(type);
	struct list_head *free_head = &pcpu_slot[pcpu_nr_slots - 1];
	struct pcpu_chunk *chunk, *next;

	spin_lock_irq(&pcpu_lock);

	list_for_each_entry_safe(chunk, next, free_head, list) {
		WARN_ON(chunk->immutable);

		/* spare the first one */
		if (chunk == list_first_entry(free_head, struct pcpu_chunk, list))
			continue;

		list_move(&chunk->list, &to_free);
	}

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
}

/*
 * Mirrors pcpu_balance_populated(type), mm/percpu.c after RFC 2/4: keep
 * HIGH empty populated pages; retry_pop recomputes nr_to_pop after a chunk
 * is created, so a chunk born populated (km) ends the loop.
 */
static void pcpu_balance_populated(enum pcpu_chunk_type type)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct list_head *pcpu_slot = pcpu_chunk_list(type);
	struct pcpu_chunk *chunk;
	int slot, nr_to_pop, ret;
	long retries = 0;

	/*
	 * Fill up from the most packed; after an atomic failure populate the
	 * maximum ("best effort anyway, don't worry about synchronization").
	 */
retry_pop:
	MM_LOOP_GUARD(retries, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots), "retry_pop");
	if (pcpu_atomic_alloc_failed) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
		pcpu_atomic_alloc_failed = false;
	} else {
		nr_to_pop = clamp(PCPU_EMPTY_POP_PAGES_HIGH -
				  pcpu_nr_empty_pop_pages,
				  0, PCPU_EMPTY_POP_PAGES_HIGH);
	}

	for (slot = pcpu_size_to_slot(PAGE_SIZE); slot < pcpu_nr_slots; slot++) {
		unsigned int nr_unpop = 0, rs, re;

		if (!nr_to_pop)
			break;

		spin_lock_irq(&pcpu_lock);
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			nr_unpop = chunk->nr_pages - chunk->nr_populated;
			if (nr_unpop)
				break;
		}
		spin_unlock_irq(&pcpu_lock);

		if (!nr_unpop)
			continue;

		/* @chunk can't go away while pcpu_alloc_mutex is held */
		bitmap_for_each_clear_region(chunk->populated, rs, re, 0,
					     chunk->nr_pages) {
			int nr = min_t(int, re - rs, nr_to_pop);

			ret = pcpu_populate_chunk(chunk, rs, rs + nr, gfp);
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
		chunk = pcpu_create_chunk(type, gfp);
		if (chunk) {
			pcpu_bm_balance_created(type);
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_relocate(chunk, -1);
			spin_unlock_irq(&pcpu_lock);
			goto retry_pop;
		}
	}
}

/*
 * Mirrors pcpu_shrink_populated(type) of RFC 1/4 (Message-ID
 * 20210324190626.564297-2-guro@fb.com): in the reference it has no caller
 * (before RFC 3/4), kept to show what rfc3 builds on.
 */
static __attribute__((unused)) void pcpu_shrink_populated(enum pcpu_chunk_type type)
{
	struct list_head *pcpu_slot = pcpu_chunk_list(type);
	struct pcpu_chunk *chunk;
	int slot, i, off, start;
	long restarts = 0;

	spin_lock_irq(&pcpu_lock);
	for (slot = pcpu_nr_slots - 1; slot >= 0; slot--) {
restart:
		/* one restart per chunk it isolates, at most */
		MM_LOOP_GUARD(restarts, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots) +
			      pcpu_G->nr_chunks, "pcpu_shrink_populated restart");
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			bool isolated = false;

			if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH)
				break;

			for (i = 0, start = -1; i < chunk->nr_pages; i++) {
				if (!chunk->nr_empty_pop_pages)
					break;

				/* empty and populated: start or extend [start, i) */
				if (test_bit(i, chunk->populated)) {
					off = find_first_bit(
						pcpu_index_alloc_map(chunk, i),
						PCPU_BITMAP_BLOCK_BITS);
					if (off >= PCPU_BITMAP_BLOCK_BITS) {
						if (start == -1)
							start = i;
						continue;
					}
				}

				if (start == -1)
					continue;

				/* isolate: no allocation from it meanwhile */
				if (!list_empty(&chunk->list)) {
					list_del_init(&chunk->list);
					isolated = true;
				}

				spin_unlock_irq(&pcpu_lock);
				pcpu_depopulate_chunk(chunk, start, i);
				cond_resched();
				spin_lock_irq(&pcpu_lock);

				pcpu_chunk_depopulated(chunk, start, i);

				start = -1;
			}

			if (isolated) {
				/* it may have moved while unlocked */
				if (list_empty(&chunk->list))
					list_add_tail(&chunk->list,
						      &pcpu_slot[slot]);
				goto restart;
			}
		}
	}
	spin_unlock_irq(&pcpu_lock);
}

/* Mirrors pcpu_balance_workfn(), mm/percpu.c after RFC 2/4. */
static void pcpu_balance_workfn(struct work_struct *work)
{
	enum pcpu_chunk_type type;

	pcpu_bm_balance_begin();
	for (type = 0; type < PCPU_NR_CHUNK_TYPES; type++) {
		mutex_lock(&pcpu_alloc_mutex);
		pcpu_balance_free(type);
		pcpu_balance_populated(type);
		mutex_unlock(&pcpu_alloc_mutex);
	}
	pcpu_bm_balance_end();
}

/* Mirrors free_percpu(), mm/percpu.c v5.12. */
static void free_percpu(void __percpu *ptr)
{
	void *addr;
	struct pcpu_chunk *chunk;
	unsigned long flags;
	int size, off;
	bool need_balance = false;
	struct list_head *pcpu_slot;

	if (!ptr)
		return;

	addr = ptr;

	spin_lock_irqsave(&pcpu_lock, flags);

	chunk = pcpu_chunk_addr_search(addr);
	off = (char *)addr - (char *)chunk->base_addr;

	size = pcpu_free_area(chunk, off);

	pcpu_slot = pcpu_chunk_list(pcpu_chunk_type(chunk));

	pcpu_memcg_free_hook(chunk, off, size);

	/* if there are more than one fully free chunks, wake up grim reaper */
	if (chunk->free_bytes == pcpu_unit_size) {
		struct pcpu_chunk *pos;

		list_for_each_entry(pos, &pcpu_slot[pcpu_nr_slots - 1], list)
			if (pos != chunk) {
				need_balance = true;
				break;
			}
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);

	if (need_balance)
		pcpu_schedule_balance_work();
}

static const struct pcpu_variant_ops pcpu_v5_12_ops = {
	.pcpu_alloc = pcpu_alloc_v5_12,
	.free_percpu = free_percpu,
	.balance_workfn = pcpu_balance_workfn,
	.balance_fills_high = true,
};

PCPU_BM_PORT(pcpu_v5_12_port, pcpu_v5_12_ops);

PCPU_VARIANT(percpu_v5_12, pcpu_v5_12_port,
	.name = "v5.12",
	.reference = NULL,
	.models = "v5.12 mm/percpu.c bitmap allocator + RFC 1/4, 2/4 of \"percpu: partial chunk depopulation\" (Roman Gushchin, 2021-03)",
	.expect = "clean");

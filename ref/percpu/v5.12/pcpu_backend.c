// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two chunk backends, chosen per run by config backend:
 * mm/percpu-vm.c (chunks populated page by page, one page per unit) and
 * mm/percpu-km.c (chunks born fully populated in one contiguous block).
 *
 * Model: a vm chunk's data is a table of nr_units * unit_pages page
 * pointers (the vmalloc mapping); a km chunk's data is its block.  Pages a
 * chunk releases go back to the machine, which poisons them.
 */
#include <string.h>

#include "pcpu_bitmap.h"

static bool pcpu_km(void)
{
	return pcpu_G->backend == PCPU_BACKEND_KM;
}

static char **pcpu_vm_pages(struct pcpu_chunk *chunk)
{
	return chunk->data;
}

static int pcpu_page_idx(unsigned int cpu, int page_idx)
{
	return cpu * pcpu_unit_pages + page_idx;	/* unit map: cpu -> cpu */
}

/* the TLB may still map [start, end) of @chunk until a flush */
static void pcpu_note_unflushed(struct pcpu_chunk *chunk, int start, int end)
{
	if (chunk->unflushed_start >= chunk->unflushed_end) {
		chunk->unflushed_start = start;
		chunk->unflushed_end = end;
		return;
	}
	chunk->unflushed_start = min(chunk->unflushed_start, start);
	chunk->unflushed_end = max(chunk->unflushed_end, end);
}

/*
 * Mirrors pcpu_populate_chunk() of mm/percpu-vm.c (pcpu_alloc_pages() +
 * pcpu_map_pages()) and of mm/percpu-km.c (nothing to do), v5.12 and 6.1.
 * One injected POPULATE failure fails the whole call.
 */
int pcpu_populate_chunk(struct pcpu_chunk *chunk, int page_start,
			int page_end, gfp_t gfp)
{
	char **pages = pcpu_vm_pages(chunk);
	unsigned int cpu, tcpu;
	int i;

	if (pcpu_km())
		return 0;

	/* pcpu_get_pages(): the temp pages array is serialized by the mutex */
	lockdep_assert_held(&pcpu_alloc_mutex);
	if (gfpflags_allow_blocking(gfp))
		might_sleep();
	if (mm_should_fail(MM_FAIL_POPULATE))
		return -ENOMEM;

	if (chunk->unflushed_start < chunk->unflushed_end &&
	    page_start < chunk->unflushed_end &&
	    chunk->unflushed_start < page_end)
		mm_note("TLB_STALE_REPOPULATE",
			"chunk %d: pages [%d, %d) mapped again while [%d, %d) was never flushed",
			chunk->id, page_start, page_end, chunk->unflushed_start,
			chunk->unflushed_end);

	for (cpu = 0; cpu < (unsigned int)pcpu_nr_units; cpu++) {
		for (i = page_start; i < page_end; i++) {
			char **pagep = &pages[pcpu_page_idx(cpu, i)];

			if (*pagep)
				mm_violation("DOUBLE_POPULATE", __func__,
					     "chunk %d page %d unit %u is already populated",
					     chunk->id, i, cpu);
			*pagep = mm_pages_alloc(1, MM_FAIL_NR);
			if (!*pagep)
				goto err;
		}
	}
	return 0;

err:
	while (--i >= page_start) {
		mm_pages_free(pages[pcpu_page_idx(cpu, i)], 1);
		pages[pcpu_page_idx(cpu, i)] = NULL;
	}
	for (tcpu = 0; tcpu < cpu; tcpu++) {
		for (i = page_start; i < page_end; i++) {
			mm_pages_free(pages[pcpu_page_idx(tcpu, i)], 1);
			pages[pcpu_page_idx(tcpu, i)] = NULL;
		}
	}
	return -ENOMEM;
}

/*
 * Mirrors pcpu_depopulate_chunk() of mm/percpu-vm.c (unmap, free; v5.12:
 * "no need to flush tlb, vmalloc will handle it lazily") and of
 * mm/percpu-km.c (nothing).
 */
void pcpu_depopulate_chunk(struct pcpu_chunk *chunk, int page_start,
			   int page_end)
{
	char **pages = pcpu_vm_pages(chunk);
	unsigned int cpu;
	int i;

	if (chunk->immutable)
		mm_violation("DEPOP_IMMUTABLE", __func__,
			     "depopulating pages [%d, %d) of immutable chunk %d",
			     page_start, page_end, chunk->id);
	if (pcpu_km())
		return;

	lockdep_assert_held(&pcpu_alloc_mutex);
	for (cpu = 0; cpu < (unsigned int)pcpu_nr_units; cpu++) {
		for (i = page_start; i < page_end; i++) {
			char **pagep = &pages[pcpu_page_idx(cpu, i)];

			/* pcpu_unmap_pages() then __free_page() on NULL */
			if (!*pagep)
				mm_violation("KERNEL_BUG", __func__,
					     "chunk %d page %d unit %u is not populated",
					     chunk->id, i, cpu);
			mm_pages_free(*pagep, 1);
			*pagep = NULL;
		}
	}
	pcpu_note_unflushed(chunk, page_start, page_end);
}

/*
 * Mirrors pcpu_post_unmap_tlb_flush(), mm/percpu-vm.c 6.1 (km: nothing).
 * v5.12 has no such function; only v5.14 calls it.
 */
void pcpu_post_unmap_tlb_flush(struct pcpu_chunk *chunk, int page_start,
			       int page_end)
{
	if (pcpu_km())
		return;
	if (page_start <= chunk->unflushed_start &&
	    page_end >= chunk->unflushed_end)
		chunk->unflushed_start = chunk->unflushed_end = 0;
}

static void pcpu_chunk_register(struct pcpu_chunk *chunk)
{
	struct pcpu_state *st = pcpu_G;

	chunk->id = st->next_chunk_id++;
	chunk->base_addr = (void *)PCPU_DYN_BASE(chunk->id);
	list_add_tail(&chunk->all_list, &st->all_chunks);
	st->nr_chunks++;
	if (chunk->id >= st->chunk_by_id_cap) {
		int cap = st->chunk_by_id_cap ? 2 * st->chunk_by_id_cap : 64;
		struct pcpu_chunk **n = mm_kzalloc(sizeof(*n) * cap, MM_FAIL_NR);

		if (st->chunk_by_id_cap)
			memcpy(n, st->chunk_by_id, sizeof(*n) * st->chunk_by_id_cap);
		mm_kfree(st->chunk_by_id);
		st->chunk_by_id = n;
		st->chunk_by_id_cap = cap;
	}
	st->chunk_by_id[chunk->id] = chunk;
}

static unsigned long pcpu_km_alloc_pages(void)
{
	/* pcpu_group_sizes[0] >> PAGE_SHIFT, one group of all units */
	return 1UL << order_base_2((unsigned long)pcpu_unit_pages * pcpu_nr_units);
}

/*
 * Mirrors pcpu_create_chunk() of mm/percpu-vm.c (metadata, then the vm
 * areas: an injected CREATE_CHUNK failure) and of mm/percpu-km.c (metadata,
 * then alloc_pages(order_base_2(nr_pages)) and the whole chunk populated).
 * v5.12's km passes the group's page count to pcpu_chunk_populated(); that
 * equals chunk->nr_pages only with one unit (the !SMP case km is built
 * for); the model uses chunk->nr_pages, as 6.1 does.
 */
struct pcpu_chunk *pcpu_create_chunk(enum pcpu_chunk_type type, gfp_t gfp)
{
	struct pcpu_chunk *chunk;
	unsigned long flags;

	if (gfpflags_allow_blocking(gfp))
		might_sleep();
	chunk = pcpu_alloc_chunk(type, gfp);
	if (!chunk)
		return NULL;

	if (pcpu_km()) {
		void *pages = mm_pages_alloc(pcpu_km_alloc_pages(),
					     MM_FAIL_CREATE_CHUNK);

		if (!pages) {
			pcpu_free_chunk(chunk);
			return NULL;
		}
		chunk->data = pages;
		pcpu_chunk_register(chunk);

		spin_lock_irqsave(&pcpu_lock, flags);
		pcpu_chunk_populated(chunk, 0, chunk->nr_pages);
		spin_unlock_irqrestore(&pcpu_lock, flags);
		return chunk;
	}

	/* pcpu_get_vm_areas() */
	if (mm_should_fail(MM_FAIL_CREATE_CHUNK)) {
		pcpu_free_chunk(chunk);
		return NULL;
	}
	chunk->data = mm_kzalloc(sizeof(char *) * pcpu_nr_units * pcpu_unit_pages,
				 MM_FAIL_NR);
	pcpu_chunk_register(chunk);
	return chunk;
}

/*
 * Mirrors pcpu_destroy_chunk() of mm/percpu-vm.c (free the vm areas: the
 * lazy vunmap flushes the TLB) and of mm/percpu-km.c (free the block).
 * "Always preceded by full depop": a page still mapped would leak.
 */
void pcpu_destroy_chunk(struct pcpu_chunk *chunk)
{
	if (!chunk)
		return;

	list_del(&chunk->all_list);
	pcpu_G->nr_chunks--;
	pcpu_G->chunk_by_id[chunk->id] = NULL;
	if (pcpu_km()) {
		mm_pages_free(chunk->data, pcpu_km_alloc_pages());
	} else {
		char **pages = pcpu_vm_pages(chunk);

		for (int i = 0; i < pcpu_nr_units * pcpu_unit_pages; i++)
			if (pages[i])
				mm_violation("DESTROY_POPULATED", __func__,
					     "chunk %d destroyed with page %d of unit %d mapped",
					     chunk->id, i % pcpu_unit_pages,
					     i / pcpu_unit_pages);
		mm_kfree(pages);
	}
	pcpu_free_chunk(chunk);
}

/*
 * Mirrors pcpu_should_reclaim_chunk() of mm/percpu-vm.c 6.1 (km: false).
 * Only v5.14 calls it.
 */
bool pcpu_should_reclaim_chunk(struct pcpu_chunk *chunk)
{
	if (pcpu_km())
		return false;

	/* do not reclaim either the first chunk or reserved chunk */
	if (chunk == pcpu_first_chunk || chunk == pcpu_reserved_chunk)
		return false;

	/*
	 * An isolated (sidelined) chunk with empty pages goes back to
	 * to_depopulate; else at least 1/4 empty pages and no global shortage
	 * aside from this chunk.
	 */
	return ((chunk->isolated && chunk->nr_empty_pop_pages) ||
		(pcpu_nr_empty_pop_pages >
		 (PCPU_EMPTY_POP_PAGES_HIGH + chunk->nr_empty_pop_pages) &&
		 chunk->nr_empty_pop_pages >= chunk->nr_pages / 4));
}

/* per_cpu_ptr() for the harness (contents, checks): no coverage (mm/nocov.h) */
MM_NOCOV char *pcpu_unit_addr(struct pcpu_chunk *chunk, int cpu, int off)
{
	if (chunk->immutable)
		return pcpu_G->boot_mem +
		       (long)cpu * pcpu_G->fc_unit_pages * PAGE_SIZE +
		       chunk->mem_off + off;
	if (pcpu_km())
		return (char *)chunk->data + (long)cpu * pcpu_unit_size + off;
	{
		char *page = pcpu_vm_pages(chunk)[pcpu_page_idx(cpu, off / PAGE_SIZE)];

		return page ? page + off % PAGE_SIZE : NULL;
	}
}

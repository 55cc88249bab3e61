/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Chunk backends, mm/percpu-vm.c and mm/percpu-km.c v3.18 (15/15 does not
 * touch them), and the first chunk (pcpu_setup_first_chunk +
 * percpu_init_late).  The kernel picks a backend at build time; the model
 * picks it from the config (G->backend) in each backend entry point.
 *
 * Memory: vm pages are one mm_pages_alloc(1) per (unit, page), freed at
 * depopulation; a km chunk is one block of 1 << order_base_2(unit_pages *
 * nr_units) pages.  Modelling choices are listed in docs/percpu-areamap.md.
 */
#ifndef MM_PERCPU_AREAMAP_BACKEND_H
#define MM_PERCPU_AREAMAP_BACKEND_H

/* -- mm/percpu-vm.c ----------------------------------------------------- */

/* Mirrors pcpu_free_pages(), mm/percpu-vm.c v3.18. */
static void pcpu_vm_free_pages(struct pcpu_chunk *chunk, int page_start,
			       int page_end)
{
	unsigned int cpu;
	int i;

	for_each_possible_cpu(cpu) {
		for (i = page_start; i < page_end; i++) {
			void **pagep = &chunk->pages[cpu * pcpu_unit_pages + i];

			mm_pages_free(*pagep, 1);
			*pagep = NULL;
		}
	}
}

/* Mirrors pcpu_alloc_pages(), mm/percpu-vm.c v3.18. */
static int pcpu_vm_alloc_pages(struct pcpu_chunk *chunk, int page_start,
			       int page_end)
{
	unsigned int cpu, tcpu;
	int i;

	for_each_possible_cpu(cpu) {
		for (i = page_start; i < page_end; i++) {
			void **pagep = &chunk->pages[cpu * pcpu_unit_pages + i];

			*pagep = mm_pages_alloc(1, MM_FAIL_NR);
			if (!*pagep)
				goto err;
		}
	}
	return 0;

err:
	while (--i >= page_start) {
		mm_pages_free(chunk->pages[cpu * pcpu_unit_pages + i], 1);
		chunk->pages[cpu * pcpu_unit_pages + i] = NULL;
	}

	for_each_possible_cpu(tcpu) {
		if (tcpu == cpu)
			break;
		for (i = page_start; i < page_end; i++) {
			mm_pages_free(chunk->pages[tcpu * pcpu_unit_pages + i], 1);
			chunk->pages[tcpu * pcpu_unit_pages + i] = NULL;
		}
	}
	return -ENOMEM;
}

/*
 * Mirrors pcpu_populate_chunk(), mm/percpu-vm.c v3.18: pcpu_get_pages()
 * asserts pcpu_alloc_mutex; an injected POPULATE failure stands for the
 * page allocation or vmap failing as a whole.
 */
static int pcpu_vm_populate_chunk(struct pcpu_chunk *chunk, int page_start,
				  int page_end)
{
	lockdep_assert_held_mutex(&pcpu_alloc_mutex);
	might_sleep();

	if (mm_should_fail(MM_FAIL_POPULATE))
		return -ENOMEM;
	if (pcpu_vm_alloc_pages(chunk, page_start, page_end))
		return -ENOMEM;
	return 0;
}

/* Mirrors pcpu_depopulate_chunk(), mm/percpu-vm.c v3.18. */
static void pcpu_vm_depopulate_chunk(struct pcpu_chunk *chunk, int page_start,
				     int page_end)
{
	lockdep_assert_held_mutex(&pcpu_alloc_mutex);
	pcpu_vm_free_pages(chunk, page_start, page_end);
}

/* -- dispatch (the kernel's #include of one backend) -------------------- */

static int pcpu_populate_chunk(struct pcpu_chunk *chunk, int page_start,
			       int page_end)
{
	if (G->backend == PCPU_BACKEND_KM)
		return 0;	/* percpu-km.c: chunks are born populated */
	return pcpu_vm_populate_chunk(chunk, page_start, page_end);
}

static void pcpu_depopulate_chunk(struct pcpu_chunk *chunk, int page_start,
				  int page_end)
{
	if (G->backend == PCPU_BACKEND_KM)
		return;		/* percpu-km.c: nada */
	pcpu_vm_depopulate_chunk(chunk, page_start, page_end);
}

/*
 * Mirrors pcpu_create_chunk() of mm/percpu-vm.c and mm/percpu-km.c v3.18.
 * The chunk-level resource (vm areas / contiguous pages) is asked first
 * (fault kind CREATE_CHUNK).  km: the kernel marks group_size pages
 * populated; CONFIG_NEED_PER_CPU_KM depends on !SMP, so that is one unit,
 * pcpu_unit_pages, which is what the model marks whatever nr_units is.
 */
static struct pcpu_chunk *pcpu_create_chunk(void)
{
	struct pcpu_chunk *chunk;

	might_sleep();
	if (mm_should_fail(MM_FAIL_CREATE_CHUNK))
		return NULL;

	chunk = pcpu_alloc_chunk();
	if (!chunk)
		return NULL;

	if (G->backend == PCPU_BACKEND_KM) {
		unsigned long nr = 1UL << order_base_2((unsigned long)pcpu_unit_pages *
						       pcpu_nr_units);

		chunk->data = mm_pages_alloc(nr, MM_FAIL_CREATE_CHUNK);
		if (!chunk->data) {
			pcpu_free_chunk(chunk);
			return NULL;
		}
		spin_lock_irq(&pcpu_lock);
		pcpu_chunk_populated(chunk, 0, pcpu_unit_pages);
		spin_unlock_irq(&pcpu_lock);
	} else {
		/* the vm area: where the page tables would say what is mapped */
		chunk->pages = mm_kzalloc(sizeof(void *) * pcpu_nr_units *
					  pcpu_unit_pages, MM_FAIL_NR);
	}

	/* harness bookkeeping (the restart bound of pcpu_alloc reads it) */
	MM_HARNESS_ACCESS(chunk->id = ++G->next_chunk_id; G->nr_chunks++);
	return chunk;
}

/*
 * Mirrors pcpu_destroy_chunk() of mm/percpu-vm.c and mm/percpu-km.c v3.18.
 * Before 4f996e234dad it frees a chunk whose map_extend_work may still be
 * queued (CVE-2016-4794): the machine's kfree reports it as debugobjects
 * would (FREE_ACTIVE_WORK), before the worker runs it on freed memory.
 */
static void pcpu_destroy_chunk(struct pcpu_chunk *chunk)
{
	if (G->backend == PCPU_BACKEND_KM) {
		mm_pages_free(chunk->data,
			      1UL << order_base_2((unsigned long)pcpu_unit_pages *
						  pcpu_nr_units));
	} else {
		/* always preceded by full depopulation */
		for (int i = 0; i < pcpu_nr_units * pcpu_unit_pages; i++)
			if (chunk->pages[i])
				mm_violation("DESTROY_POPULATED", __func__,
					     "chunk %d destroyed with page %d of unit %d mapped",
					     chunk->id, i % pcpu_unit_pages,
					     i / pcpu_unit_pages);
		mm_kfree(chunk->pages);
	}
	MM_HARNESS_ACCESS(G->nr_chunks--);
	pcpu_free_chunk(chunk);
}

/* -- the first chunk ----------------------------------------------------- */

/* first chunk maps: __initdata arrays, kmalloc'ed copies after percpu_init_late */
static int *am_first_map(void)
{
	size_t size = PERCPU_DYNAMIC_EARLY_SLOTS * sizeof(int);
	int *map = mm_kzalloc(size, MM_FAIL_KMALLOC);

	return map ? map : mm_kzalloc(size, MM_FAIL_NR);
}

static struct pcpu_chunk *am_first_chunk_struct(void)
{
	/* memblock_virt_alloc: boot memory, not charged */
	struct pcpu_chunk *chunk = mm_kzalloc(pcpu_chunk_struct_size, MM_FAIL_NR);

	INIT_LIST_HEAD(&chunk->list);
#if AM_FIX2016
	INIT_LIST_HEAD(&chunk->map_extend_list);
#else
	INIT_WORK(&chunk->map_extend_work, pcpu_map_extend_workfn);
#endif
	chunk->map = am_first_map();
	chunk->map_alloc = PERCPU_DYNAMIC_EARLY_SLOTS;
	chunk->immutable = true;
	bitmap_fill(chunk->populated, pcpu_unit_pages);
	chunk->nr_populated = pcpu_unit_pages;
	return chunk;
}

/*
 * Mirrors the chunk part of pcpu_setup_first_chunk(), mm/percpu.c v3.18:
 * schunk covers static + reserved (the reserved chunk) or static + dynamic;
 * dchunk the dynamic area when there is a reserved region.
 */
static void pcpu_setup_first_chunk(void)
{
	struct pcpu_chunk *schunk, *dchunk = NULL;
	int dyn_size = G->dyn_size;
	int i;

	pcpu_slot = mm_kzalloc(pcpu_nr_slots * sizeof(pcpu_slot[0]), MM_FAIL_NR);
	for (i = 0; i < pcpu_nr_slots; i++)
		INIT_LIST_HEAD(&pcpu_slot[i]);

	schunk = am_first_chunk_struct();
	if (G->reserved_size) {
		schunk->free_size = G->reserved_size;
		pcpu_reserved_chunk = schunk;
		pcpu_reserved_chunk_limit = G->static_size + G->reserved_size;
	} else {
		schunk->free_size = dyn_size;
		dyn_size = 0;			/* dynamic area covered */
	}
	schunk->contig_hint = schunk->free_size;

	schunk->map[0] = 1;
	schunk->map[1] = G->static_size;
	schunk->map_used = 1;
	if (schunk->free_size)
		schunk->map[++schunk->map_used] = 1 | (G->static_size + schunk->free_size);
	else
		schunk->map[1] |= 1;
	schunk->map_end = G->static_size + schunk->free_size;
	schunk->id = G->reserved_size ? -1 : 0;

	if (dyn_size) {
		dchunk = am_first_chunk_struct();
		dchunk->contig_hint = dchunk->free_size = dyn_size;
		dchunk->map[0] = 1;
		dchunk->map[1] = pcpu_reserved_chunk_limit;
		dchunk->map[2] = (pcpu_reserved_chunk_limit + dchunk->free_size) | 1;
		dchunk->map_used = 2;
		dchunk->map_end = pcpu_reserved_chunk_limit + dyn_size;
		dchunk->id = 0;
	}

	/* link the first chunk in */
	pcpu_first_chunk = dchunk ? dchunk : schunk;
	pcpu_nr_empty_pop_pages +=
		pcpu_count_occupied_pages(pcpu_first_chunk, 1);
	pcpu_chunk_relocate(pcpu_first_chunk, -1);
}

/* -- unit memory (the model of pcpu_chunk_addr) -------------------------- */

/* address of byte @off of @chunk in @cpu's unit; NULL when not backed */
static u8 *am_unit_addr(struct pcpu_chunk *chunk, int cpu, int off)
{
	if (chunk == pcpu_first_chunk || chunk == pcpu_reserved_chunk)
		return (u8 *)G->first_mem +
		       ((size_t)cpu * G->first_pages << PAGE_SHIFT) + off;
	if (G->backend == PCPU_BACKEND_KM)
		return (u8 *)chunk->data + (size_t)cpu * pcpu_unit_size + off;
	if (!chunk->pages[cpu * pcpu_unit_pages + (off >> PAGE_SHIFT)])
		return NULL;
	return (u8 *)chunk->pages[cpu * pcpu_unit_pages + (off >> PAGE_SHIFT)] +
	       (off & (PAGE_SIZE - 1));
}
#endif

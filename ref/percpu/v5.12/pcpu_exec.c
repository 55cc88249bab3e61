// SPDX-License-Identifier: GPL-2.0-only
/*
 * The entry points of the bitmap-era percpu ports (percpu_port.h): boot
 * from the family config, allocation and free through the version's
 * pcpu_alloc() / free_percpu(), where a pointer lives, balance-run
 * accounting, observables and the state dump.  The ops' meaning is the
 * family executor's.
 */
#include <stdio.h>
#include <string.h>

#include "pcpu_bitmap.h"

/*
 * Config -> first chunk layout, as pcpu_build_alloc_info() and
 * pcpu_setup_first_chunk() allow it (v5.12 and 6.1 alike): the dynamic
 * region is at least PERCPU_DYNAMIC_EARLY_SIZE (setup BUG_ONs below it),
 * the reserved region shrinks to leave room for that, and the dynamic
 * region is extended to the page end and clamped to the unit.  (Running
 * v5.14 against Linux 6.1's own mm/percpu.c found the port accepting a 4K
 * dynamic region the kernel refuses.)  The first chunk
 * is boot memory: its pages are charged, and the budget grows by as much
 * (memblock is not the runtime page supply the budget models).
 */
static void pcpu_bm_config(const struct mm_config *cfg)
{
	int static_size = cfg->v[PCPU_CFG_static_kb] << 10;
	int reserved = cfg->v[PCPU_CFG_reserved_kb] << 10;
	int dyn = cfg->v[PCPU_CFG_dyn_kb] << 10;
	long size_sum;

	pcpu_unit_pages = cfg->v[PCPU_CFG_unit_pages];
	pcpu_unit_size = pcpu_unit_pages << PAGE_SHIFT;
	pcpu_nr_units = mm_cur->nr_cpus;
	if (static_size + reserved + PERCPU_DYNAMIC_EARLY_SIZE > pcpu_unit_size)
		reserved = max(0, pcpu_unit_size - PERCPU_DYNAMIC_EARLY_SIZE - static_size);
	dyn = max(dyn, PERCPU_DYNAMIC_EARLY_SIZE);
	size_sum = PFN_ALIGN(static_size + reserved + dyn);
	if (size_sum > pcpu_unit_size)
		size_sum = pcpu_unit_size;
	pcpu_G->static_size = static_size;
	pcpu_G->reserved_size = reserved;
	pcpu_G->dyn_size = size_sum - static_size - reserved;
	pcpu_G->fc_unit_pages = size_sum >> PAGE_SHIFT;
}

void *pcpu_bm_create(const struct mm_config *cfg, const struct pcpu_variant_ops *ops,
		     const struct pcpu_live *live, long *boot_pages)
{
	struct pcpu_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);

	pcpu_G = st;
	mm_bind_global(&pcpu_G, st);	/* tasks resume with their instance */
	st->ops = ops;
	st->live = live;
	st->backend = cfg->v[PCPU_CFG_backend];
	st->memcg_kmem = cfg->v[PCPU_CFG_memcg];
	/* CONFIG_MEMCG_KMEM off: one chunk type; 6.1 has no chunk types */
	st->nr_chunk_types = !ops->isolation_slots && st->memcg_kmem ? 2 : 1;
	pcpu_bm_config(cfg);

	st->boot_pages = (long)st->fc_unit_pages * pcpu_nr_units;
	*boot_pages = st->boot_pages;
	mm_cur->budget_pages += st->boot_pages;
	st->boot_mem = mm_pages_alloc(st->boot_pages, MM_FAIL_NR);
	if (!st->boot_mem)
		mm_violation("HARNESS", __func__, "no memory for the first chunk");

	spin_lock_init(&pcpu_lock);
	mm_lock_init(&pcpu_alloc_mutex.dep, "pcpu_alloc_mutex", MM_MUTEX);
	INIT_WORK(&pcpu_balance_work, ops->balance_workfn);
	INIT_LIST_HEAD(&st->all_chunks);
	st->next_chunk_id = 1;
	/* percpu_enable_async() is a subsys_initcall: ran or not yet */
	pcpu_async_enabled = cfg->v[PCPU_CFG_async];

	pcpu_setup_first_chunk();
	return st;
}

/* the unit offset reported in results: first/reserved chunks sit inside */
static long pcpu_unit_off(struct pcpu_chunk *chunk, int off)
{
	return chunk->immutable ? chunk->mem_off + off : off;
}

/*
 * ALLOC_ISOLATED: v5.14's pcpu_alloc() (6.1 alike) reintegrates the chunk
 * it serves a request from, under pcpu_lock, before it populates: an
 * allocation never returns in an isolated chunk (unless another task
 * isolated it meanwhile).
 */
void *pcpu_bm_alloc(void *inst, size_t size, size_t align, bool reserved, gfp_t gfp)
{
	struct pcpu_chunk *chunk;
	void *ptr;

	pcpu_G = inst;
	pcpu_G->mutations++;
	ptr = pcpu_G->ops->pcpu_alloc(size, align, reserved, gfp);
	if (ptr && pcpu_G->ops->isolation_slots && mm_op_alone()) {
		chunk = pcpu_chunk_addr_search(ptr);
		if (chunk->isolated)
			mm_violation("ALLOC_ISOLATED", "pcpu_alloc",
				     "allocation returned in chunk %d, still isolated (on slot %d)",
				     chunk->id, pcpu_bm_chunk_list_slot(chunk, NULL));
	}
	return ptr;
}

void pcpu_bm_free(void *inst, void *ptr)
{
	pcpu_G = inst;
	pcpu_G->mutations++;
	pcpu_G->ops->free_percpu(ptr);
}

void pcpu_bm_locate(void *inst, void *ptr, int *chunk_id, long *unit_off)
{
	struct pcpu_chunk *chunk;

	pcpu_G = inst;
	chunk = pcpu_chunk_addr_search(ptr);
	*chunk_id = chunk->id;
	*unit_off = pcpu_unit_off(chunk, (char *)ptr - (char *)chunk->base_addr);
}

/* the chunk of @ptr (pcpu_chunk_addr_search()), for pcpu_bm_unit_addr_in() */
void *pcpu_bm_unit_where(void *inst, void *ptr)
{
	pcpu_G = inst;
	return pcpu_chunk_addr_search(ptr);
}

/* per_cpu_ptr(ptr, cpu) + off, to the end of its page; NULL if unpopulated */
char *pcpu_bm_unit_addr(void *inst, void *ptr, int cpu, long off, long *len)
{
	return pcpu_bm_unit_addr_in(inst, pcpu_bm_unit_where(inst, ptr), ptr, cpu, off, len);
}

/* pcpu_bm_unit_addr() in @where, the chunk pcpu_bm_unit_where() found */
char *pcpu_bm_unit_addr_in(void *inst, void *where, void *ptr, int cpu, long off, long *len)
{
	struct pcpu_chunk *chunk = where;
	int o;

	pcpu_G = inst;
	o = (int)((char *)ptr - (char *)chunk->base_addr + off);
	*len = PAGE_SIZE - o % PAGE_SIZE;
	if (!test_bit(o / PAGE_SIZE, chunk->populated))
		return NULL;
	return pcpu_unit_addr(chunk, cpu, o);
}

struct work_struct *pcpu_bm_balance_work(void *inst)
{
	pcpu_G = inst;
	return &pcpu_balance_work;
}

long pcpu_bm_nr_populated(void *inst)
{
	pcpu_G = inst;
	return pcpu_nr_populated;
}

int pcpu_bm_nr_empty_pop_pages(void *inst)
{
	pcpu_G = inst;
	return pcpu_nr_empty_pop_pages;
}

bool pcpu_bm_async_enabled(void *inst)
{
	pcpu_G = inst;
	return pcpu_async_enabled;
}

/* Mirrors percpu_enable_async(), mm/percpu.c v5.12 and 6.1 (subsys_initcall). */
void pcpu_bm_enable_async(void *inst)
{
	pcpu_G = inst;
	pcpu_async_enabled = true;
}

unsigned long pcpu_bm_fails_taken(void)
{
	unsigned long n = mm_cur->budget_fails;

	for (int k = 0; k < MM_FAIL_NR; k++)
		n += mm_cur->fail_hits[k];
	return n;
}

void pcpu_bm_balance_begin(void)
{
	struct pcpu_state *st = pcpu_G;
	struct pcpu_chunk *chunk;

	st->in_balance = mm_task_id() + 1;
	st->balance_creations[0] = st->balance_creations[1] = 0;
	st->balance_fails_at_begin = pcpu_bm_fails_taken();
	/* the chunks this run's pcpu_reclaim_populated() is to process */
	list_for_each_entry(chunk, &st->all_chunks, all_list)
		chunk->chk_to_depop = st->ops->isolation_slots && chunk->isolated &&
			pcpu_bm_chunk_list_slot(chunk, NULL) == pcpu_to_depopulate_slot;
}

/* I7: chunk creations per balance run and chunk type are bounded */
void pcpu_bm_balance_created(int type)
{
	struct pcpu_state *st = pcpu_G;

	/* creations by this run only: an allocation in another task is not its */
	if (st->in_balance != mm_task_id() + 1)
		return;
	/* a run others interleaved with may lose its new chunk to an allocation */
	if (++st->balance_creations[type] > PCPU_CREATE_PER_BALANCE_BOUND && mm_op_alone())
		mm_violation("UNBOUNDED_CHUNK_CREATION", "pcpu_balance_workfn",
			     "one balance run created %d chunks of type %d (bound %d); %ld chunks, %d empty populated pages, %ld pages held",
			     st->balance_creations[type], type,
			     PCPU_CREATE_PER_BALANCE_BOUND, st->nr_chunks,
			     pcpu_nr_empty_pop_pages, mm_pages_held());
}

/*
 * RECLAIM_INCOMPLETE: what pcpu_reclaim_populated() (mm/percpu.c v5.14,
 * f183324133ea; 6.1 alike) leaves.  Its loop runs until the to_depopulate
 * list is empty, and for each chunk it either depopulates every empty
 * populated page (the walk from the back stops early only when the chunk
 * has none left, or to reintegrate it when pcpu_nr_empty_pop_pages is
 * below PCPU_EMPTY_POP_PAGES_HIGH) and then sidelines it -- or
 * reintegrates it, always when it is fully free.  Depopulating an isolated
 * chunk leaves pcpu_nr_empty_pop_pages unchanged, so a chunk left isolated
 * has no empty populated page and is not fully free.  Checked right after
 * reclaim: the populate step that follows may populate a sidelined chunk
 * (its slot precedes pcpu_free_slot), legitimately.  Only when no other
 * task ran meanwhile (a free_percpu() may isolate a chunk again).
 */
void pcpu_bm_reclaim_done(void)
{
	struct pcpu_chunk *chunk;

	if (!mm_op_alone())
		return;
	if (!list_empty(&pcpu_chunk_lists[pcpu_to_depopulate_slot])) {
		chunk = list_first_entry(&pcpu_chunk_lists[pcpu_to_depopulate_slot],
					 struct pcpu_chunk, list);
		mm_violation("RECLAIM_INCOMPLETE", "pcpu_reclaim_populated",
			     "chunk %d is still on the to_depopulate list (%d empty populated pages)",
			     chunk->id, chunk->nr_empty_pop_pages);
	}
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		if (!chunk->chk_to_depop)
			continue;
		chunk->chk_to_depop = false;
		if (chunk->isolated && (chunk->nr_empty_pop_pages ||
					chunk->free_bytes == pcpu_unit_size))
			mm_violation("RECLAIM_INCOMPLETE", "pcpu_reclaim_populated",
				     "chunk %d left isolated with %d empty populated pages%s (pcpu_nr_empty_pop_pages %d)",
				     chunk->id, chunk->nr_empty_pop_pages,
				     chunk->free_bytes == pcpu_unit_size ? ", fully free" : "",
				     pcpu_nr_empty_pop_pages);
	}
}

/*
 * BALANCE_EMPTY_POP_PAGES: pcpu_balance_populated() ("Ensure there are
 * certain number of free populated pages for atomic allocs", v5.12; 6.1
 * alike) asks for PCPU_EMPTY_POP_PAGES_HIGH - pcpu_nr_empty_pop_pages
 * pages (HIGH after an atomic failure) and populates them, creating
 * chunks as needed; only a failure (populate, chunk creation) stops it
 * short.  Pages it populates in a sidelined chunk (v5.14: that slot is
 * below pcpu_free_slot) count towards nr_to_pop but not towards
 * pcpu_nr_empty_pop_pages, so the isolated chunks' empty pages count here.
 * Later steps do not lower the count: v5.14's pcpu_balance_free(true)
 * frees only chunks without empty populated pages.
 */
static void pcpu_bm_check_fills_high(void)
{
	struct pcpu_chunk *chunk;
	long empty = pcpu_nr_empty_pop_pages, isolated = 0;

	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list)
		if (chunk->isolated)
			isolated += chunk->nr_empty_pop_pages;
	if (empty + isolated < PCPU_EMPTY_POP_PAGES_HIGH)
		mm_violation("BALANCE_EMPTY_POP_PAGES", "pcpu_balance_populated",
			     "%ld empty populated pages (+%ld in isolated chunks) after a balance run without failures (HIGH %d)",
			     empty, isolated, PCPU_EMPTY_POP_PAGES_HIGH);
}

/*
 * FREE_CHUNKS: what pcpu_balance_free() leaves.  v5.12 (and RFC 3/4):
 * every fully free chunk of a type but the first on its free slot is
 * destroyed before the populate step, which may add the chunks it creates;
 * so a type has at most 1 + (chunks this run created) fully free chunks.
 * v5.14 (6.1 alike) ends with pcpu_balance_free(true) ("free chunks only
 * if there are no populated pages"): no fully free chunk but the first on
 * the free slot is left without populated pages, and reclaim leaves no
 * fully free chunk isolated.
 */
static void pcpu_bm_check_free_chunks(void)
{
	struct pcpu_state *st = pcpu_G;
	struct pcpu_chunk *chunk;

	if (!st->ops->isolation_slots) {
		long nfree[2] = { 0, 0 };

		list_for_each_entry(chunk, &st->all_chunks, all_list)
			if (!chunk->immutable && chunk->free_bytes == pcpu_unit_size)
				nfree[pcpu_chunk_type(chunk) ? 1 : 0]++;
		for (int t = 0; t < PCPU_NR_CHUNK_TYPES && t < 2; t++)
			if (nfree[t] > 1 + st->balance_creations[t])
				mm_violation("FREE_CHUNKS", "pcpu_balance_free",
					     "%ld fully free chunks of type %d after a balance run that created %d",
					     nfree[t], t, st->balance_creations[t]);
		return;
	}
	list_for_each_entry(chunk, &pcpu_chunk_lists[pcpu_free_slot], list) {
		if (chunk == list_first_entry(&pcpu_chunk_lists[pcpu_free_slot],
					      struct pcpu_chunk, list))
			continue;
		if (!chunk->nr_populated)
			mm_violation("FREE_CHUNKS", "pcpu_balance_free",
				     "chunk %d: fully free, no populated page, not the first on the free slot, after a balance run",
				     chunk->id);
	}
	list_for_each_entry(chunk, &st->all_chunks, all_list)
		if (chunk->isolated && chunk->free_bytes == pcpu_unit_size)
			mm_violation("FREE_CHUNKS", "pcpu_reclaim_populated",
				     "chunk %d: fully free and isolated after a balance run",
				     chunk->id);
}

/*
 * The end of a balance run: what the version's pcpu_balance_workfn()
 * promises, checked when no other task ran during it.
 */
void pcpu_bm_balance_end(void)
{
	struct pcpu_state *st = pcpu_G;

	st->in_balance = 0;
	if (!mm_op_alone())
		return;
	if (st->ops->isolation_slots &&
	    !list_empty(&pcpu_chunk_lists[pcpu_to_depopulate_slot]))
		mm_violation("RECLAIM_INCOMPLETE", "pcpu_balance_workfn",
			     "a chunk is on the to_depopulate list after a balance run");
	pcpu_bm_check_free_chunks();
	if (st->ops->balance_fills_high &&
	    pcpu_bm_fails_taken() == st->balance_fails_at_begin)
		pcpu_bm_check_fills_high();
}

/*
 * Where the allocation lists leave a chunk, for the state digest: size
 * slots by number, the special slots by role (v5.12 has its free slot at
 * pcpu_nr_slots - 1, v5.14 after the sidelined one).
 */
static long pcpu_canon_slot(long slot)
{
	if (slot == pcpu_free_slot)
		return 1000;
	if (slot == pcpu_sidelined_slot)
		return 1001;
	if (slot == pcpu_to_depopulate_slot)
		return 1002;
	return slot;
}

/*
 * A digest of what pcpu_alloc() reads to place a request: the chunks on
 * each slot list in list order, their free bytes, hints, isolation and
 * populated pages.  Two ports of the same allocation search with equal
 * digests (and equal allocation maps: lockstep) must give a request the
 * same answer (ATOMIC_SHORTFALL, fuzz/families/percpu/family.c).
 */
static long pcpu_alloc_state_digest(void)
{
	long nlists = (long)pcpu_nr_slots * PCPU_NR_CHUNK_TYPES;
	unsigned long h = 1469598103934665603UL;
	struct pcpu_chunk *chunk;

#define MIX(v) (h = (h ^ (unsigned long)(v)) * 1099511628211UL)
	for (long i = 0; i < nlists; i++) {
		long n = 0;

		list_for_each_entry(chunk, &pcpu_chunk_lists[i], list) {
			if (++n > pcpu_G->nr_chunks + 2)
				break;		/* a corrupt list: CHUNK_SLOT reports it */
			MIX(i / pcpu_nr_slots * 10000 + pcpu_canon_slot(i % pcpu_nr_slots));
			MIX(chunk->id);
			MIX(chunk->free_bytes);
			MIX(chunk->chunk_md.contig_hint);
			MIX(chunk->chunk_md.contig_hint_start);
			MIX(chunk->isolated);
			for (int w = 0; w < BITS_TO_LONGS(chunk->nr_pages); w++)
				MIX(chunk->populated[w]);
		}
	}
#undef MIX
	/* 62 bits: differences of two digests fit a long (plots); 0: no digest */
	return (long)((h & ((1UL << 62) - 1)) | 1);
}

void pcpu_bm_observe(void *inst, struct pcpu_obs *o)
{
	struct pcpu_chunk *chunk;

	pcpu_G = inst;
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		o->nr_isolated += chunk->isolated;
		o->nr_free_chunks += chunk != pcpu_first_chunk && chunk != pcpu_reserved_chunk &&
				     chunk->free_bytes == pcpu_unit_size;
	}
	o->nr_chunks = pcpu_G->nr_chunks;
	o->nr_depopulated = pcpu_G->nr_depopulated;
	o->nr_chunk_types = PCPU_NR_CHUNK_TYPES;
	o->pop_slack = PCPU_EMPTY_POP_PAGES_HIGH * PCPU_NR_CHUNK_TYPES + pcpu_G->pop_extra;
	o->first_chunk_pages = pcpu_G->fc_unit_pages;
	o->alloc_state_digest = pcpu_alloc_state_digest();
}

/* the slot list a chunk is on, -1 if none (reserved) or -2 if unknown */
int pcpu_bm_chunk_list_slot(struct pcpu_chunk *chunk, int *type)
{
	struct list_head *p;
	long nlists = (long)pcpu_nr_slots * PCPU_NR_CHUNK_TYPES;
	long guard = 0;

	for (p = chunk->list.next; p != &chunk->list; p = p->next) {
		if (p >= pcpu_chunk_lists && p < pcpu_chunk_lists + nlists) {
			long i = p - pcpu_chunk_lists;

			if (type)
				*type = i / pcpu_nr_slots;
			return i % pcpu_nr_slots;
		}
		if (++guard > 100000)
			return -2;
	}
	return -1;
}

void pcpu_bm_dump(void *inst, char *buf, size_t len)
{
	struct pcpu_chunk *chunk;
	size_t n = 0;

	pcpu_G = inst;
#define OUT(...) do { if (n < len) n += snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	OUT("empty_pop=%d populated=%lu chunks=%ld to_depop=%d atomic_failed=%d async=%d pending=%d slots=%d\n",
	    pcpu_nr_empty_pop_pages, pcpu_nr_populated, pcpu_G->nr_chunks,
	    pcpu_nr_chunks_to_depopulate, pcpu_atomic_alloc_failed,
	    pcpu_async_enabled, work_pending(&pcpu_balance_work), pcpu_nr_slots);
	OUT("chunk type slot free contig nr_pop empty flags\n");
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list) {
		int type = -1, slot = pcpu_bm_chunk_list_slot(chunk, &type);

		OUT("%5d %4d %4d %6d %6d %6d %5d %s%s%s%s\n", chunk->id, type, slot,
		    chunk->free_bytes, chunk->chunk_md.contig_hint * PCPU_MIN_ALLOC_SIZE,
		    chunk->nr_populated, chunk->nr_empty_pop_pages,
		    chunk->immutable ? "I" : "", chunk->depopulate ? "D" : "",
		    chunk->isolated ? "X" : "",
		    chunk->immutable || chunk->depopulate || chunk->isolated ? "" : "-");
	}
#undef OUT
}


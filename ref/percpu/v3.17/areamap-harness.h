/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entry points of both area-map ports (percpu_port.h): boot,
 * allocation and free, where an allocation lives, the balance and map
 * extension work, observables and the state dump (check is in
 * areamap-check.h).  Included last by each port, which defines before it,
 * with the kernel's semantics of its version:
 *   pcpu_alloc(size, align, reserved, gfp, &off) -> chunk or NULL
 *   free_percpu(chunk, off)
 *   pcpu_balance_workfn(work)
 *   am_enable_async()	percpu_enable_async(); never called where absent (v3.17)
 *   am_pop_slack()	struct pcpu_obs.pop_slack
 *   AM_PATCHED		v3.18's asynchronous population
 * A percpu pointer is modelled as (chunk, offset), a struct am_ptr: the
 * chunk is what pcpu_chunk_addr_search() would find.
 */
#ifndef MM_PERCPU_AREAMAP_HARNESS_H
#define MM_PERCPU_AREAMAP_HARNESS_H

#include <stdio.h>
#include <linux/gfp.h>
#include "percpu_port.h"

static long am_total_populated(void)
{
	struct pcpu_chunk *chunk;
	long n = 0;

	for (int slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_slot[slot], list)
			n += chunk->nr_populated;
	return n;
}

static void *am_alloc(void *inst, size_t size, size_t align, bool reserved, gfp_t gfp)
{
	struct pcpu_chunk *chunk;
	struct am_ptr *p;
	int off = -1;

	G = inst;
	chunk = pcpu_alloc(size, align, reserved, gfp, &off);
	if (!chunk)
		return NULL;
	p = mm_kzalloc(sizeof(*p), MM_FAIL_NR);
	p->chunk = chunk;
	p->off = off;
	return p;
}

static void am_free(void *inst, void *ptr)
{
	struct am_ptr *p = ptr;

	G = inst;
	free_percpu(p->chunk, p->off);
	mm_kfree(p);
}

static void am_locate(void *inst, void *ptr, int *chunk_id, long *unit_off)
{
	struct am_ptr *p = ptr;

	*chunk_id = p->chunk->id;
	*unit_off = p->off;
}

static char *am_port_unit_addr(void *inst, void *ptr, int cpu, long off, long *len)
{
	struct am_ptr *p = ptr;
	int o = p->off + (int)off;

	G = inst;
	*len = PAGE_SIZE - (o & (PAGE_SIZE - 1));
	return (char *)am_unit_addr(p->chunk, cpu, o);
}

/* the balance work, counted per run (UNBOUNDED_CHUNK_CREATION) */
static void am_balance_workfn(struct work_struct *work)
{
	G->run_creations = 0;
	G->balance_runs++;
	pcpu_balance_workfn(work);
}

static struct work_struct *am_balance_work(void *inst)
{
	G = inst;
	return &pcpu_balance_work;
}

static long am_nr_populated(void *inst)
{
	G = inst;
	return am_total_populated();
}

static int am_nr_empty_pop_pages(void *inst)
{
	G = inst;
	return pcpu_nr_empty_pop_pages;
}

#if AM_FIX2016
/* no per-chunk work after 4f996e234dad: the balance work extends the maps */
#define am_map_extend_work	NULL
#define am_extend_pending(chunk)	(!list_empty(&(chunk)->map_extend_list))
#else
#define am_extend_pending(chunk)	work_pending(&(chunk)->map_extend_work)
/* the @k-th pending chunk->map_extend_work (system_wq order) */
static struct work_struct *am_map_extend_work(void *inst, uint32_t k, int *chunk_id)
{
	struct work_struct *w;
	uint32_t n = 0;

	G = inst;
	for (w = mm_cur->system_wq.head; w; w = w->next)
		n += w->func == pcpu_map_extend_workfn;
	if (!n)
		return NULL;
	k %= n;
	for (w = mm_cur->system_wq.head; w; w = w->next)
		if (w->func == pcpu_map_extend_workfn && !k--)
			break;
	*chunk_id = container_of(w, struct pcpu_chunk, map_extend_work)->id;
	return w;
}
#endif

/* -- create, observe, dump ----------------------------------------------- */

static void *am_create(const struct mm_config *cfg, const struct pcpu_live *live,
		       long *boot_pages)
{
	struct pcpu_am_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);
	int size_sum, pages;

	G = st;
	mm_bind_global(&G, st);	/* tasks resume with their instance */
	G->patched = AM_PATCHED;
	G->backend = (int)cfg->v[PCPU_CFG_backend];
	pcpu_unit_pages = (int)cfg->v[PCPU_CFG_unit_pages];
	pcpu_unit_size = pcpu_unit_pages << PAGE_SHIFT;
	pcpu_nr_units = mm_cur->nr_cpus;
	pcpu_nr_slots = __pcpu_size_to_slot(pcpu_unit_size) + 2;
	pcpu_chunk_struct_size = sizeof(struct pcpu_chunk) +
		BITS_TO_LONGS(pcpu_unit_pages) * sizeof(unsigned long);
	spin_lock_init(&pcpu_lock);
	mm_lock_init(&pcpu_alloc_mutex.dep, "pcpu_alloc_mutex", MM_MUTEX);
	INIT_WORK(&pcpu_balance_work, am_balance_workfn);
	INIT_LIST_HEAD(&pcpu_map_extend_chunks);
	pcpu_async_enabled = cfg->v[PCPU_CFG_async];	/* read by v3.18 only */
	G->live = live;

	/*
	 * First chunk geometry, as pcpu_build_alloc_info() would make it:
	 * dyn >= PERCPU_DYNAMIC_EARLY_SIZE, static + reserved + dyn page
	 * aligned and within the unit (reserved shrinks first).
	 */
	G->static_size = (int)cfg->v[PCPU_CFG_static_kb] << 10;
	G->reserved_size = min((int)cfg->v[PCPU_CFG_reserved_kb] << 10,
			       pcpu_unit_size - G->static_size - PERCPU_DYNAMIC_EARLY_SIZE);
	G->dyn_size = max((int)cfg->v[PCPU_CFG_dyn_kb] << 10, PERCPU_DYNAMIC_EARLY_SIZE);
	size_sum = ALIGN(G->static_size + G->reserved_size + G->dyn_size, (int)PAGE_SIZE);
	size_sum = min(size_sum, pcpu_unit_size);
	G->dyn_size = size_sum - G->static_size - G->reserved_size;
	G->first_pages = size_sum >> PAGE_SHIFT;

	/*
	 * The first chunk's units are boot memory (memblock): charged, and
	 * the budget grows by as much, as it is not the runtime page supply.
	 */
	pages = G->first_pages * pcpu_nr_units;
	*boot_pages = pages;
	mm_cur->budget_pages += pages;
	G->first_mem = mm_pages_alloc(pages, MM_FAIL_NR);
	if (!G->first_mem)
		mm_violation("HARNESS", __func__, "no memory for the first chunk");
	pcpu_setup_first_chunk();
	return st;
}

static void am_observe(void *inst, struct pcpu_obs *o)
{
	struct pcpu_chunk *chunk;

	G = inst;
	o->nr_chunks = G->nr_chunks;
	/* fully free chunks sit on the last slot (pcpu_chunk_relocate()) */
	list_for_each_entry(chunk, &pcpu_slot[pcpu_nr_slots - 1], list)
		o->nr_free_chunks += chunk != pcpu_first_chunk && chunk != pcpu_reserved_chunk &&
				     chunk->free_size == pcpu_unit_size;
	o->nr_depopulated = G->nr_depopulated;
	o->pop_slack = am_pop_slack();
	o->nr_chunk_types = 1;
	o->first_chunk_pages = G->first_pages;
}

static void am_dump(void *inst, char *buf, size_t len)
{
	struct pcpu_chunk *chunk;
	size_t n = 0;

	G = inst;
	n += snprintf(buf + n, len - n,
		      "empty_pop %d chunks %d live %d balance %s async %d failed_flag %d\n",
		      pcpu_nr_empty_pop_pages, G->nr_chunks, G->live->nr,
		      work_pending(&pcpu_balance_work) ? "pending" : "idle",
		      G->patched && pcpu_async_enabled,
		      G->patched && pcpu_atomic_alloc_failed);
	for (int slot = pcpu_nr_slots; slot >= 0 && n < len; slot--) {
		struct list_head *head = slot == pcpu_nr_slots ? NULL : &pcpu_slot[slot];

		if (!head) {
			if (!pcpu_reserved_chunk)
				continue;
			chunk = pcpu_reserved_chunk;
		} else if (list_empty(head)) {
			continue;
		}
		for (struct list_head *pos = head ? head->next : NULL;
		     n < len; pos = pos->next) {
			if (head) {
				if (pos == head)
					break;
				chunk = list_entry(pos, struct pcpu_chunk, list);
			}
			n += snprintf(buf + n, len - n,
				      " c%d s%d free %d contig %d map %d/%d ff %d pop %d/%d%s\n",
				      chunk->id, head ? slot : -1, chunk->free_size,
				      chunk->contig_hint, chunk->map_used, chunk->map_alloc,
				      chunk->first_free, chunk->nr_populated, pcpu_unit_pages,
				      am_extend_pending(chunk) ? " ext" : "");
			if (!head)
				break;
		}
	}
}
static bool am_port_async_enabled(void *inst)
{
	G = inst;
	return pcpu_async_enabled;
}

static void am_port_enable_async(void *inst)
{
	G = inst;
	am_enable_async();
}

/* the port and variant of this version: AM_PORT(sym, ...) */
#define AM_PORT(sym, ...)							\
	static const struct pcpu_port sym##_port = {				\
		.create = am_create, .alloc = am_alloc, .free = am_free,	\
		.locate = am_locate, .unit_addr = am_port_unit_addr,		\
		.balance_work = am_balance_work,				\
		.nr_populated = am_nr_populated,				\
		.nr_empty_pop_pages = am_nr_empty_pop_pages,			\
		.async_enabled = AM_PATCHED ? am_port_async_enabled : NULL,	\
		.enable_async = AM_PATCHED ? am_port_enable_async : NULL,	\
		.map_extend_work = am_map_extend_work,				\
		.check = am_check, .observe = am_observe, .dump = am_dump,	\
		.schedules_balance = AM_PATCHED,				\
		.balance_fills_high = AM_PATCHED,				\
	};									\
	PCPU_VARIANT(sym, sym##_port, __VA_ARGS__)
#endif

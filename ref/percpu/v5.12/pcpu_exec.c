// SPDX-License-Identifier: GPL-2.0-only
/*
 * The harness side of the bitmap-era percpu ports: instance creation from
 * the family config, op execution (percpu_family.h), the contents of live
 * allocations, balance-run accounting, observables and the state dump.
 */
#include <stdio.h>
#include <string.h>

#include "pcpu_bitmap.h"

/*
 * Config -> first chunk layout (modelling choice, docs/percpu-bitmap.md):
 * the reserved region shrinks so that at least one page of dynamic region
 * fits in the unit; the dynamic region is extended to the page end like
 * pcpu_build_alloc_info() does, and clamped to the unit.  The first chunk
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
	if (static_size + reserved > pcpu_unit_size - (int)PAGE_SIZE)
		reserved = max(0, pcpu_unit_size - (int)PAGE_SIZE - static_size);
	size_sum = PFN_ALIGN(static_size + reserved + dyn);
	if (size_sum > pcpu_unit_size)
		size_sum = pcpu_unit_size;
	pcpu_G->static_size = static_size;
	pcpu_G->reserved_size = reserved;
	pcpu_G->dyn_size = size_sum - static_size - reserved;
	pcpu_G->fc_unit_pages = size_sum >> PAGE_SHIFT;
}

void *pcpu_bm_create(const struct mm_config *cfg, const struct pcpu_variant_ops *ops)
{
	struct pcpu_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);

	pcpu_G = st;
	st->ops = ops;
	st->backend = cfg->v[PCPU_CFG_backend];
	st->memcg_kmem = cfg->v[PCPU_CFG_memcg];
	/* CONFIG_MEMCG_KMEM off: one chunk type; 6.1 has no chunk types */
	st->nr_chunk_types = !ops->isolation_slots && st->memcg_kmem ? 2 : 1;
	pcpu_bm_config(cfg);

	st->boot_pages = (long)st->fc_unit_pages * pcpu_nr_units;
	mm_cur->budget_pages += st->boot_pages;
	st->boot_mem = mm_pages_alloc(st->boot_pages, MM_FAIL_NR);
	if (!st->boot_mem)
		mm_violation("HARNESS", __func__, "no memory for the first chunk");

	spin_lock_init(&pcpu_lock);
	mm_lock_init(&pcpu_alloc_mutex.dep, "pcpu_alloc_mutex", MM_MUTEX);
	INIT_WORK(&pcpu_balance_work, ops->balance_workfn);
	INIT_LIST_HEAD(&st->all_chunks);
	st->next_chunk_id = 1;
	pcpu_live_init(&st->live);
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
 * Walk the area of a live allocation in every unit, page by page (vm pages
 * are not contiguous): fill it, or check it.
 */
static void pcpu_contents(struct pcpu_chunk *chunk, int off, int len,
			  uint64_t id, bool fill)
{
	for (int cpu = 0; cpu < pcpu_nr_units; cpu++) {
		int o = off;

		while (o < off + len) {
			int seg = min_t(int, off + len - o,
					PAGE_SIZE - o % PAGE_SIZE);
			char *p = pcpu_unit_addr(chunk, cpu, o);
			long bad;

			if (!p || !test_bit(o / PAGE_SIZE, chunk->populated))
				mm_violation("UNPOPULATED_LIVE", fill ? "pcpu_alloc" : "free_percpu",
					     "chunk %d off %d unit %d: page %ld of a live allocation is not populated",
					     chunk->id, off, cpu, o / PAGE_SIZE);
			if (fill) {
				mm_fill(p, seg, id, cpu);
			} else {
				bad = mm_check(p, seg, id, cpu);
				if (bad >= 0)
					mm_violation("CONTENTS", "free_percpu",
						     "chunk %d offset %d unit %d: byte %ld of the allocation changed",
						     chunk->id, off, cpu, o - off + bad);
			}
			o += seg;
		}
	}
}

static void pcpu_res_set(struct mm_opres *res, struct pcpu_chunk *chunk,
			 int off, int size)
{
	res->val[0] = chunk->id;
	res->val[1] = pcpu_unit_off(chunk, off);
	res->val[2] = size;
}

/* one allocation through the variant's pcpu_alloc(); 0 or -ENOMEM */
static int pcpu_do_alloc(size_t size, size_t align, bool atomic, bool memcg,
			 bool reserved, struct mm_opres *res, long *digest)
{
	gfp_t gfp = atomic ? GFP_NOWAIT : GFP_KERNEL;
	struct pcpu_live_ent *e;
	struct pcpu_chunk *chunk;
	void *ptr;
	int off;

	unsigned long charge_fails = mm_cur->fail_hits[MM_FAIL_CHARGE];

	if (memcg)
		gfp |= __GFP_ACCOUNT;
	pcpu_G->mutations++;
	ptr = pcpu_G->ops->pcpu_alloc(size, align, reserved, gfp);

	/*
	 * Postcondition: low on empty pages or an atomic failure => balance
	 * queued (a memcg charge failure returns before the allocator).
	 */
	if (pcpu_async_enabled && !work_pending(&pcpu_balance_work) &&
	    charge_fails == mm_cur->fail_hits[MM_FAIL_CHARGE] &&
	    ((!ptr && atomic) || (ptr && pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)))
		mm_violation("BALANCE_NOT_SCHEDULED", "pcpu_alloc",
			     "%s with %d empty populated pages and no balance work pending",
			     ptr ? "allocation" : "atomic failure",
			     pcpu_nr_empty_pop_pages);
	if (!ptr) {
		if (atomic)
			pcpu_G->atomic_failures++;
		return -ENOMEM;
	}
	chunk = pcpu_chunk_addr_search(ptr);
	off = (char *)ptr - (char *)chunk->base_addr;
	e = pcpu_live_add(&pcpu_G->live, ptr, chunk->id, pcpu_unit_off(chunk, off),
			  (int)size, reserved);
	pcpu_contents(chunk, off, ALIGN((int)size, PCPU_MIN_ALLOC_SIZE), e->id, true);
	if (res)
		pcpu_res_set(res, chunk, off, (int)size);
	/* inflate's placement digest: lockstep sees where the n allocations went */
	if (digest)
		*digest = (*digest * 31 + chunk->id * 1000003L +
			   pcpu_unit_off(chunk, off)) % 2147483647L;
	return 0;
}

static void pcpu_do_free(int idx, struct mm_opres *res)
{
	struct pcpu_live_ent *e = &pcpu_G->live.ent[idx];
	struct pcpu_chunk *chunk = pcpu_chunk_addr_search(e->ptr);
	int off = (char *)e->ptr - (char *)chunk->base_addr;

	pcpu_G->mutations++;
	pcpu_contents(chunk, off, ALIGN(e->size, PCPU_MIN_ALLOC_SIZE), e->id, false);
	if (res)
		pcpu_res_set(res, chunk, off, e->size);
	pcpu_G->ops->free_percpu(e->ptr);
	pcpu_live_remove(&pcpu_G->live, idx);
}

static const enum mm_fail_kind pcpu_fail_kinds[] = {
	[PCPU_FAIL_POPULATE] = MM_FAIL_POPULATE,
	[PCPU_FAIL_CREATE_CHUNK] = MM_FAIL_CREATE_CHUNK,
	[PCPU_FAIL_KMALLOC] = MM_FAIL_KMALLOC,
};

void pcpu_bm_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	const uint32_t *a = op->arg;
	int i, n, idx, *victims;

	pcpu_G = inst;
	switch (op->id) {
	case PCPU_OP_ALLOC:
	case PCPU_OP_ALLOC_SMALL:
	case PCPU_OP_ALLOC_RESERVED: {
		bool rsv = op->id == PCPU_OP_ALLOC_RESERVED;
		bool atomic = !rsv && a[PCPU_ALLOC_gfp];

		res->status = pcpu_do_alloc(a[PCPU_ALLOC_size], 1UL << a[PCPU_ALLOC_align_shift],
					    atomic, !rsv && a[PCPU_ALLOC_type], rsv, res, NULL);
		if (res->status)
			snprintf(res->text, sizeof(res->text), "ENOMEM%s",
				 atomic ? " (atomic)" : "");
		else
			snprintf(res->text, sizeof(res->text), "ok chunk %ld off %ld size %ld",
				 res->val[0], res->val[1], res->val[2]);
		break;
	}
	case PCPU_OP_FREE:
		idx = pcpu_live_pick(&pcpu_G->live, a[PCPU_FREE_k]);
		if (idx < 0) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "skipped: nothing live");
			break;
		}
		pcpu_do_free(idx, res);
		snprintf(res->text, sizeof(res->text), "freed chunk %ld off %ld size %ld",
			 res->val[0], res->val[1], res->val[2]);
		break;
	case PCPU_OP_BALANCE:
		if (!work_pending(&pcpu_balance_work)) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "skipped: balance not pending");
			break;
		}
		mm_run_workqueue(&mm_cur->system_wq, -1);
		snprintf(res->text, sizeof(res->text), "balanced: %d empty, %lu populated",
			 pcpu_nr_empty_pop_pages, pcpu_nr_populated);
		break;
	case PCPU_OP_FORCE_BALANCE:
		schedule_work(&pcpu_balance_work);
		mm_run_workqueue(&mm_cur->system_wq, -1);
		snprintf(res->text, sizeof(res->text), "balanced: %d empty, %lu populated",
			 pcpu_nr_empty_pop_pages, pcpu_nr_populated);
		break;
	case PCPU_OP_FAIL_NEXT:
		mm_cur->fail_next[pcpu_fail_kinds[a[0] % 3]] = a[1];
		snprintf(res->text, sizeof(res->text), "fail next %u", a[1]);
		break;
	case PCPU_OP_INFLATE:
		/* n GFP_KERNEL users of one size (alloc_percpu(struct ...)) */
		for (i = 0, n = 0; i < (int)a[PCPU_INFLATE_n]; i++, n++)
			if (pcpu_do_alloc(a[PCPU_INFLATE_size], 8, false, a[PCPU_INFLATE_type], false, NULL,
					  &res->val[1]))
				break;
		res->status = n == (int)a[PCPU_INFLATE_n] ? 0 : -ENOMEM;
		res->val[0] = n;
		res->val[2] = a[PCPU_INFLATE_size];
		snprintf(res->text, sizeof(res->text), "inflated %d of %u%s, placement %ld", n,
			 a[PCPU_INFLATE_n], res->status ? " (ENOMEM)" : "", res->val[1]);
		break;
	case PCPU_OP_DEFLATE:
		victims = mm_kzalloc(sizeof(int) * (pcpu_G->live.nr + 1), MM_FAIL_NR);
		n = pcpu_live_deflate_pick(&pcpu_G->live, a[0], a[1], a[2], victims,
					   pcpu_unit_pages);
		for (i = 0; i < n; i++)
			pcpu_do_free(victims[i], NULL);
		mm_kfree(victims);
		res->val[0] = n;
		snprintf(res->text, sizeof(res->text), "deflated %d, %d live", n,
			 pcpu_G->live.nr);
		break;
	case PCPU_OP_ENABLE_ASYNC:
		/* percpu_enable_async(), mm/percpu.c (v5.12 and 6.1) */
		res->status = pcpu_async_enabled ? 1 : 0;
		pcpu_async_enabled = true;
		snprintf(res->text, sizeof(res->text), "%s", res->status ?
			 "skipped: async already enabled" : "async enabled");
		break;
	case PCPU_OP_MAP_EXTEND:
		/* the bitmap allocator has no area map to extend */
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: no map extension");
		break;
	case PCPU_OP_SET_BUDGET:
		mm_cur->budget_pages = a[0] + pcpu_G->boot_pages;
		snprintf(res->text, sizeof(res->text), "budget %u (+%ld boot)", a[0],
			 pcpu_G->boot_pages);
		break;
	default:
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: unknown op");
		break;
	}
}

void pcpu_bm_balance_begin(void)
{
	struct pcpu_state *st = pcpu_G;

	st->in_balance = true;
	st->balance_creations[0] = st->balance_creations[1] = 0;
}

/* I7: chunk creations per balance run and chunk type are bounded */
void pcpu_bm_balance_created(int type)
{
	struct pcpu_state *st = pcpu_G;

	if (!st->in_balance)
		return;
	if (++st->balance_creations[type] > PCPU_CREATE_PER_BALANCE_BOUND)
		mm_violation("UNBOUNDED_CHUNK_CREATION", "pcpu_balance_workfn",
			     "one balance run created %d chunks of type %d (bound %d); %ld chunks, %d empty populated pages, %ld pages held",
			     st->balance_creations[type], type,
			     PCPU_CREATE_PER_BALANCE_BOUND, st->nr_chunks,
			     pcpu_nr_empty_pop_pages, mm_pages_held());
}

void pcpu_bm_balance_end(void)
{
	pcpu_G->in_balance = false;
}

void pcpu_bm_observe(void *inst, void *obs)
{
	struct pcpu_obs *o = obs;
	struct pcpu_chunk *chunk;

	pcpu_G = inst;
	list_for_each_entry(chunk, &pcpu_G->all_chunks, all_list)
		o->nr_isolated += chunk->isolated;
	o->nr_populated = pcpu_nr_populated;
	o->nr_empty_pop_pages = pcpu_nr_empty_pop_pages;
	o->nr_chunks = pcpu_G->nr_chunks;
	o->nr_depopulated = pcpu_G->nr_depopulated;
	o->nr_chunk_types = PCPU_NR_CHUNK_TYPES;
	o->pop_slack = PCPU_EMPTY_POP_PAGES_HIGH * PCPU_NR_CHUNK_TYPES;
	o->balance_pending = work_pending(&pcpu_balance_work);
	o->atomic_failures = pcpu_G->atomic_failures;
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
	OUT("empty_pop=%d populated=%lu chunks=%ld to_depop=%d atomic_failed=%d async=%d pending=%d live=%d slots=%d\n",
	    pcpu_nr_empty_pop_pages, pcpu_nr_populated, pcpu_G->nr_chunks,
	    pcpu_nr_chunks_to_depopulate, pcpu_atomic_alloc_failed,
	    pcpu_async_enabled, work_pending(&pcpu_balance_work),
	    pcpu_G->live.nr, pcpu_nr_slots);
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

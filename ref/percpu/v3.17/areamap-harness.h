/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The mm_variant entry points of both area-map ports: create, exec,
 * observe, dump (check is in areamap-check.h).  Included last by each port,
 * which defines before it, with the kernel's semantics of its version:
 *   pcpu_alloc(size, align, reserved, gfp, &off) -> chunk or NULL
 *   free_percpu(chunk, off)
 *   pcpu_balance_workfn(work)
 *   am_enable_async()	percpu_enable_async(), false where absent
 *   am_pop_slack()	struct pcpu_obs.pop_slack
 * A percpu pointer is modelled as (chunk, offset): the live list keeps the
 * chunk, which is what pcpu_chunk_addr_search() would find.
 */
#ifndef MM_PERCPU_AREAMAP_HARNESS_H
#define MM_PERCPU_AREAMAP_HARNESS_H

#include <stdio.h>
#include <linux/gfp.h>

#define AM_INFLATE_ALIGN	8	/* __alignof__(u64): counters, stats */

/* -- deferred work --------------------------------------------------------- */

/*
 * system_wq is not ordered: any pending item may run next, so the ops run
 * one chosen item (mm_run_work: in a kworker's process context on this CPU).
 */
static void am_run_work_fn(struct work_struct *w)
{
	/* a forced run of an idle item (force_balance): queue it first */
	if (!work_pending(w))
		mm_queue_work(&mm_cur->system_wq, w);
	mm_run_work(&mm_cur->system_wq, w);
}

static long am_failures_taken(void)
{
	long n = (long)mm_cur->budget_fails;

	for (int i = 0; i < MM_FAIL_NR; i++)
		n += (long)mm_cur->fail_hits[i];
	return n;
}

static long am_total_populated(void)
{
	struct pcpu_chunk *chunk;
	long n = 0;

	for (int slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_slot[slot], list)
			n += chunk->nr_populated;
	return n;
}

/* -- contents (I5, I6) ------------------------------------------------------ */

/* fill or verify one allocation in every unit, page by page */
static void am_contents(struct pcpu_chunk *chunk, int off, int size,
			uint64_t id, bool verify)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		int o = off, seg = 0;

		while (o < off + size) {
			int len = min(off + size, (int)((o & ~(int)(PAGE_SIZE - 1)) + PAGE_SIZE)) - o;
			u8 *addr = am_unit_addr(chunk, cpu, o);
			long bad;

			if (!addr)
				mm_violation("UNPOPULATED_LIVE", verify ? "free_percpu" : "pcpu_alloc",
					     "chunk %d unit %d page %d under allocation %llu is not backed",
					     chunk->id, cpu, o >> PAGE_SHIFT,
					     (unsigned long long)id);
			if (!verify) {
				mm_fill(addr, len, id * 1024 + seg, cpu);
			} else if ((bad = mm_check(addr, len, id * 1024 + seg, cpu)) >= 0) {
				mm_violation("CONTENTS", "free_percpu",
					     "allocation %llu (chunk %d off %d size %d) unit %d corrupt at byte %ld",
					     (unsigned long long)id, chunk->id, off, size,
					     cpu, (long)(o - off) + bad);
			}
			o += len;
			seg++;
		}
	}
}

/* -- ops ------------------------------------------------------------------- */

/* I2: v3.18 promises a pending balance run after these events */
static void am_check_i2(bool ok, bool atomic)
{
	if (!G->patched || !pcpu_async_enabled || work_pending(&pcpu_balance_work))
		return;
	if (ok && pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
		mm_violation("BALANCE_NOT_SCHEDULED", "pcpu_alloc",
			     "%d empty populated pages after an allocation and no balance work pending",
			     pcpu_nr_empty_pop_pages);
	if (!ok && atomic)
		mm_violation("BALANCE_NOT_SCHEDULED", "pcpu_alloc",
			     "atomic allocation failed and no balance work pending");
}

/* one allocation through the port; returns its live entry or NULL */
static struct pcpu_live_ent *am_alloc_one(size_t size, size_t align,
					  bool reserved, gfp_t gfp)
{
	bool atomic = (gfp & GFP_KERNEL) != GFP_KERNEL;
	long pop_before = am_total_populated();
	struct pcpu_chunk *chunk;
	struct pcpu_live_ent *e;
	int off = -1;

	chunk = pcpu_alloc(size, align, reserved, gfp, &off);
	if (!chunk) {
		if (atomic)
			G->atomic_failures++;
		/* sizes pcpu_alloc() rejects up front promise nothing */
		if (ALIGN(size, 2) <= PCPU_MIN_UNIT_SIZE && align <= PAGE_SIZE)
			am_check_i2(false, atomic);
		return NULL;
	}
	if (atomic && am_total_populated() != pop_before)
		mm_violation("ATOMIC_POPULATES", "pcpu_alloc",
			     "atomic allocation changed populated pages %ld -> %ld",
			     pop_before, am_total_populated());
	e = pcpu_live_add(&G->live, chunk, chunk->id, off, (int)size,
			  chunk == pcpu_reserved_chunk);
	am_contents(chunk, off, (int)size, e->id, false);
	am_check_i2(true, atomic);
	return e;
}

static void am_free_idx(int idx)
{
	struct pcpu_live_ent *e = &G->live.ent[idx];

	am_contents(e->ptr, e->off, e->size, e->id, true);
	free_percpu(e->ptr, e->off);
	pcpu_live_remove(&G->live, idx);
}

static void am_op_alloc(const struct mm_op *op, struct mm_opres *res)
{
	bool reserved = op->id == PCPU_OP_ALLOC_RESERVED;
	size_t size = op->arg[PCPU_ALLOC_size];
	size_t align = (size_t)1 << op->arg[PCPU_ALLOC_align_shift];
	bool atomic = !reserved && op->arg[PCPU_ALLOC_gfp];
	struct pcpu_live_ent *e;

	e = am_alloc_one(size, align, reserved, atomic ? GFP_NOWAIT : GFP_KERNEL);
	if (!e) {
		res->status = -ENOMEM;
		snprintf(res->text, sizeof(res->text), "%zu/%zu %s: failed (empty_pop %d)",
			 size, align, atomic ? "atomic" : "GFP_KERNEL",
			 pcpu_nr_empty_pop_pages);
		return;
	}
	res->val[0] = e->chunk_id;
	res->val[1] = e->off;
	res->val[2] = e->size;
	snprintf(res->text, sizeof(res->text), "%zu/%zu %s -> chunk %d off %d (empty_pop %d%s)",
		 size, align, atomic ? "atomic" : "GFP_KERNEL", e->chunk_id, e->off,
		 pcpu_nr_empty_pop_pages,
		 work_pending(&pcpu_balance_work) ? ", balance pending" : "");
}

static void am_op_free(const struct mm_op *op, struct mm_opres *res)
{
	int idx = pcpu_live_pick(&G->live, op->arg[PCPU_FREE_k]);
	struct pcpu_live_ent e;

	if (idx < 0) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "nothing live");
		return;
	}
	e = G->live.ent[idx];
	am_free_idx(idx);
	res->val[0] = e.chunk_id;
	res->val[1] = e.off;
	res->val[2] = e.size;
	snprintf(res->text, sizeof(res->text), "chunk %d off %d size %d (empty_pop %d%s)",
		 e.chunk_id, e.off, e.size, pcpu_nr_empty_pop_pages,
		 work_pending(&pcpu_balance_work) ? ", balance pending" : "");
}

static void am_op_balance(bool force, struct mm_opres *res)
{
	long failures = am_failures_taken();

	if (!force && !work_pending(&pcpu_balance_work)) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "not pending");
		return;
	}
	G->run_creations = 0;
	G->balance_runs++;
	/* forced: the same function run from another trigger */
	am_run_work_fn(&pcpu_balance_work);
	if (G->patched && am_failures_taken() == failures &&
	    pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH)
		mm_violation("BALANCE_EMPTY_POP_PAGES", "pcpu_balance_workfn",
			     "%d empty populated pages after a balance run without failures (HIGH %d)",
			     pcpu_nr_empty_pop_pages, PCPU_EMPTY_POP_PAGES_HIGH);
	res->val[0] = pcpu_nr_empty_pop_pages;
	res->val[1] = G->nr_chunks;
	snprintf(res->text, sizeof(res->text), "ran: empty_pop %d, chunks %d, created %d",
		 pcpu_nr_empty_pop_pages, G->nr_chunks, G->run_creations);
}

static void am_op_map_extend(const struct mm_op *op, struct mm_opres *res)
{
	struct work_struct *w, *pick = NULL;
	struct pcpu_chunk *chunk;
	int n = 0, k, old;

	for (w = mm_cur->system_wq.head; w; w = w->next)
		n += w->func == pcpu_map_extend_workfn;
	if (!n) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "none pending");
		return;
	}
	k = (int)(op->arg[0] % (uint32_t)n);
	for (w = mm_cur->system_wq.head; w; w = w->next)
		if (w->func == pcpu_map_extend_workfn && !k--) {
			pick = w;
			break;
		}
	chunk = container_of(pick, struct pcpu_chunk, map_extend_work);
	old = chunk->map_alloc;
	am_run_work_fn(pick);
	res->val[0] = chunk->id;
	res->val[1] = chunk->map_alloc;
	snprintf(res->text, sizeof(res->text), "chunk %d: map_alloc %d -> %d (map_used %d)",
		 chunk->id, old, chunk->map_alloc, chunk->map_used);
}

static void am_op_inflate(const struct mm_op *op, struct mm_opres *res)
{
	size_t size = op->arg[PCPU_INFLATE_size];
	uint32_t n = op->arg[PCPU_INFLATE_n], i, hash = 0;

	for (i = 0; i < n; i++) {
		struct pcpu_live_ent *e = am_alloc_one(size, AM_INFLATE_ALIGN,
						       false, GFP_KERNEL);

		if (!e)
			break;	/* one failure ends the burst */
		hash = hash * 31 + (uint32_t)(e->chunk_id * 65536 + e->off);
	}
	res->status = i == n ? 0 : -ENOMEM;
	res->val[0] = i;
	res->val[1] = hash & 0x7fffffff;
	res->val[2] = (long)size;
	snprintf(res->text, sizeof(res->text), "%u of %u x %zu done, chunks %d, empty_pop %d",
		 i, n, size, G->nr_chunks, pcpu_nr_empty_pop_pages);
}

static void am_op_deflate(const struct mm_op *op, struct mm_opres *res)
{
	int *victims, nv, i;

	if (!G->live.nr) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "nothing live");
		return;
	}
	victims = mm_kzalloc(sizeof(int) * G->live.nr, MM_FAIL_NR);
	nv = pcpu_live_deflate_pick(&G->live, op->arg[0], op->arg[1], op->arg[2],
				    victims, pcpu_unit_pages);
	for (i = 0; i < nv; i++)
		am_free_idx(victims[i]);
	mm_kfree(victims);
	res->val[0] = nv;
	snprintf(res->text, sizeof(res->text), "freed %d, %d live, empty_pop %d%s",
		 nv, G->live.nr, pcpu_nr_empty_pop_pages,
		 work_pending(&pcpu_balance_work) ? ", balance pending" : "");
}

static void am_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	G = inst;
	switch (op->id) {
	case PCPU_OP_ALLOC:
	case PCPU_OP_ALLOC_SMALL:
	case PCPU_OP_ALLOC_RESERVED:
		am_op_alloc(op, res);
		break;
	case PCPU_OP_FREE:
		am_op_free(op, res);
		break;
	case PCPU_OP_BALANCE:
	case PCPU_OP_FORCE_BALANCE:
		am_op_balance(op->id == PCPU_OP_FORCE_BALANCE, res);
		break;
	case PCPU_OP_FAIL_NEXT:
		/* populate, create_chunk, kmalloc: same order as enum mm_fail_kind */
		mm_cur->fail_next[op->arg[0]] += op->arg[1];
		snprintf(res->text, sizeof(res->text), "kind %u: %u pending",
			 op->arg[0], mm_cur->fail_next[op->arg[0]]);
		break;
	case PCPU_OP_INFLATE:
		am_op_inflate(op, res);
		break;
	case PCPU_OP_DEFLATE:
		am_op_deflate(op, res);
		break;
	case PCPU_OP_ENABLE_ASYNC:
		res->status = am_enable_async() ? 0 : 1;
		snprintf(res->text, sizeof(res->text), "%s",
			 res->status ? "absent in this version" : "pcpu_async_enabled = true");
		break;
	case PCPU_OP_MAP_EXTEND:
		am_op_map_extend(op, res);
		break;
	case PCPU_OP_SET_BUDGET:
		mm_cur->budget_pages = op->arg[0];
		snprintf(res->text, sizeof(res->text), "budget %u pages, %ld held",
			 op->arg[0], mm_pages_held());
		break;
	default:
		res->status = 1;
		break;
	}
}

/* -- create, observe, dump ----------------------------------------------- */

static void *am_create(const struct mm_config *cfg)
{
	struct pcpu_am_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);
	int size_sum, pages;

	G = st;
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
	INIT_WORK(&pcpu_balance_work, pcpu_balance_workfn);
	pcpu_async_enabled = cfg->v[PCPU_CFG_async];	/* read by v3.18 only */
	pcpu_live_init(&G->live);

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

	/* the first chunk's units, charged when the budget allows */
	pages = G->first_pages * pcpu_nr_units;
	G->first_mem = mm_pages_alloc(pages, MM_FAIL_NR);
	if (!G->first_mem) {
		mm_note("FIRST_CHUNK_UNCHARGED", "%d pages over the budget", pages);
		G->first_mem = mm_kzalloc((size_t)pages << PAGE_SHIFT, MM_FAIL_NR);
	}
	pcpu_setup_first_chunk();
	return st;
}

static void am_observe(void *inst, void *obs)
{
	struct pcpu_obs *o = obs;

	G = inst;
	o->nr_populated = am_total_populated();
	o->nr_empty_pop_pages = pcpu_nr_empty_pop_pages;
	o->nr_chunks = G->nr_chunks;
	o->nr_depopulated = G->nr_depopulated;
	o->pop_slack = am_pop_slack();
	o->nr_chunk_types = 1;
	o->balance_pending = work_pending(&pcpu_balance_work);
	o->atomic_failures = G->atomic_failures;
}

static void am_dump(void *inst, char *buf, size_t len)
{
	struct pcpu_chunk *chunk;
	size_t n = 0;

	G = inst;
	n += snprintf(buf + n, len - n,
		      "empty_pop %d chunks %d live %d balance %s async %d failed_flag %d\n",
		      pcpu_nr_empty_pop_pages, G->nr_chunks, G->live.nr,
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
				      work_pending(&chunk->map_extend_work) ? " ext" : "");
			if (!head)
				break;
		}
	}
}
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The percpu family executor: one meaning per op for every percpu port
 * (see percpu_port.h and the ops' help in percpu_family.h).
 */
#include <stdio.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/kernel.h>
#include "percpu_port.h"
#include <mm/threads.h>

struct pcpu_inst {
	const struct pcpu_port *port;
	void *p;			/* the port's instance */
	struct pcpu_live live;		/* live allocations, in allocation order */
	long boot_pages;		/* first chunk pages added to the budget */
	long atomic_failures;
	int unit_pages;
};

#define PCPU_INFLATE_ALIGN	8	/* __alignof__(u64): counters, stats */

void *pcpu_exec_create(const struct pcpu_port *port, const struct mm_config *cfg)
{
	struct pcpu_inst *in = mm_kzalloc(sizeof(*in), MM_FAIL_NR);

	in->port = port;
	in->unit_pages = cfg->v[PCPU_CFG_unit_pages];
	pcpu_live_init(&in->live);
	in->p = port->create(cfg, &in->live, &in->boot_pages);
	return in;
}

void *pcpu_exec_port_inst(void *inst)
{
	return ((struct pcpu_inst *)inst)->p;
}

const struct pcpu_port *pcpu_exec_port(void *inst)
{
	return ((struct pcpu_inst *)inst)->port;
}

void pcpu_exec_set_port(void *inst, const struct pcpu_port *port)
{
	((struct pcpu_inst *)inst)->port = port;
}

/*
 * Fill a new allocation's area in every unit with its pattern, or check it
 * before the free, segment by segment as the port maps it.
 */
static void pcpu_contents(struct pcpu_inst *in, struct pcpu_live_ent *e, bool fill)
{
	const struct pcpu_port *port = in->port;
	long size = e->size;	/* the caller owns these bytes, and only these */
	/* no port code runs in this loop: the area's chunk is looked up once */
	void *where = port->unit_where ? port->unit_where(in->p, e->ptr) : NULL;

	for (int cpu = 0; cpu < mm_cur->nr_cpus; cpu++) {
		for (long o = 0; o < size;) {
			long len = 0, bad;
			char *p = where ? port->unit_addr_in(in->p, where, e->ptr, cpu, o, &len) :
				  port->unit_addr(in->p, e->ptr, cpu, o, &len);

			if (!p)
				mm_violation("UNPOPULATED_LIVE", fill ? "pcpu_alloc" : "free_percpu",
					     "chunk %d off %d unit %d: byte %ld of a live allocation of %d bytes is on an unpopulated page",
					     e->chunk_id, e->off, cpu, o, e->size);
			len = min(len, size - o);
			if (fill) {
				mm_fill(p, len, e->id, cpu);
			} else if ((bad = mm_check(p, len, e->id, cpu)) >= 0) {
				mm_violation("CONTENTS", "free_percpu",
					     "chunk %d off %d unit %d: byte %ld of the allocation changed",
					     e->chunk_id, e->off, cpu, o + bad);
			}
			o += len;
		}
	}
}

static bool balance_pending(struct pcpu_inst *in)
{
	return work_pending(in->port->balance_work(in->p));
}

static bool async_on(struct pcpu_inst *in)
{
	return !in->port->async_enabled || in->port->async_enabled(in->p);
}

/*
 * One allocation; its live entry or NULL.  Checks what pcpu_alloc()
 * promises in every version: an atomic request populates nothing; and,
 * where the version schedules the balance work, that it is pending after
 * an allocation leaving fewer than LOW empty populated pages or after an
 * atomic failure (a memcg charge failure returns before the allocator).
 */
static struct pcpu_live_ent *pcpu_do_alloc(struct pcpu_inst *in, size_t size, size_t align,
					   bool atomic, bool memcg, bool reserved)
{
	const struct pcpu_port *port = in->port;
	gfp_t gfp = (atomic ? GFP_NOWAIT : GFP_KERNEL) | (memcg ? __GFP_ACCOUNT : 0);
	unsigned long charge_fails = mm_cur->fail_hits[MM_FAIL_CHARGE];
	long pop_before = port->nr_populated(in->p);
	struct pcpu_live_ent *e;
	int chunk_id, empty;
	long off;
	void *ptr;

	ptr = port->alloc(in->p, size, align, reserved, gfp);
	empty = port->nr_empty_pop_pages(in->p);
	/* promises about this call alone: no other task may have run meanwhile */
	if (atomic && mm_op_alone() && port->nr_populated(in->p) != pop_before)
		mm_violation("ATOMIC_POPULATES", "pcpu_alloc",
			     "an atomic allocation changed the populated pages %ld -> %ld",
			     pop_before, port->nr_populated(in->p));
	if (port->schedules_balance && async_on(in) && !balance_pending(in) && mm_op_alone() &&
	    charge_fails == mm_cur->fail_hits[MM_FAIL_CHARGE] &&
	    ((!ptr && atomic) || (ptr && empty < PCPU_EMPTY_POP_PAGES_LOW)))
		mm_violation("BALANCE_NOT_SCHEDULED", "pcpu_alloc",
			     "%s with %d empty populated pages and no balance work pending",
			     ptr ? "an allocation" : "an atomic failure", empty);
	if (!ptr) {
		if (atomic)
			in->atomic_failures++;
		return NULL;
	}
	port->locate(in->p, ptr, &chunk_id, &off);
	mm_harness_lock();	/* threaded mode: the live table is the CPUs' */
	e = pcpu_live_add(&in->live, ptr, chunk_id, (int)off, (int)size, reserved);
	pcpu_contents(in, e, true);
	mm_harness_unlock();
	return e;
}

/*
 * Free a copy of a live entry already taken out of the table: the port may
 * stop half-way (a task) while other ops change the table.
 */
static void pcpu_do_free(struct pcpu_inst *in, struct pcpu_live_ent *e, struct mm_opres *res)
{
	pcpu_contents(in, e, false);
	if (res) {
		res->val[0] = e->chunk_id;
		res->val[1] = e->off;
		res->val[2] = e->size;
	}
	in->port->free(in->p, e->ptr);
}

/* failures taken so far: injected ones and budget refusals */
static unsigned long failures_taken(void)
{
	unsigned long n = mm_cur->budget_fails;

	for (int k = 0; k < MM_FAIL_NR; k++)
		n += mm_cur->fail_hits[k];
	return n;
}

/* run the balance work (queued first when forced: another trigger) */
static void pcpu_do_balance(struct pcpu_inst *in, bool force, struct mm_opres *res)
{
	struct work_struct *w = in->port->balance_work(in->p);
	unsigned long fails = failures_taken();
	int empty;

	if (!work_pending(w)) {
		if (!force) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "skipped: balance not pending");
			return;
		}
		mm_queue_work(&mm_cur->system_wq, w);
	}
	/* system_wq is not ordered: this item runs, whatever else is queued */
	if (!mm_run_work(&mm_cur->system_wq, w)) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: balance work runs already");
		return;
	}
	empty = in->port->nr_empty_pop_pages(in->p);
	if (in->port->balance_fills_high && fails == failures_taken() && mm_op_alone() &&
	    empty < PCPU_EMPTY_POP_PAGES_HIGH)
		mm_violation("BALANCE_EMPTY_POP_PAGES", "pcpu_balance_workfn",
			     "%d empty populated pages after a balance run without failures (HIGH %d)",
			     empty, PCPU_EMPTY_POP_PAGES_HIGH);
	snprintf(res->text, sizeof(res->text), "balanced: %d empty, %ld populated", empty,
		 in->port->nr_populated(in->p));
}

static const enum mm_fail_kind pcpu_fail_kinds[] = {
	[PCPU_FAIL_POPULATE] = MM_FAIL_POPULATE,
	[PCPU_FAIL_CREATE_CHUNK] = MM_FAIL_CREATE_CHUNK,
	[PCPU_FAIL_KMALLOC] = MM_FAIL_KMALLOC,
};

static void op_alloc(struct pcpu_inst *in, size_t size, uint32_t align_shift, bool atomic,
		     bool memcg, bool reserved, struct mm_opres *res)
{
	struct pcpu_live_ent *e = pcpu_do_alloc(in, size, (size_t)1 << align_shift, atomic,
						memcg, reserved);

	if (!e) {
		res->status = -ENOMEM;
		snprintf(res->text, sizeof(res->text), "ENOMEM%s", atomic ? " (atomic)" : "");
		return;
	}
	res->val[0] = e->chunk_id;
	res->val[1] = e->off;
	res->val[2] = e->size;
	snprintf(res->text, sizeof(res->text), "ok chunk %ld off %ld size %ld",
		 res->val[0], res->val[1], res->val[2]);
}

static void op_inflate(struct pcpu_inst *in, const uint32_t *a, struct mm_opres *res)
{
	uint32_t n = a[PCPU_INFLATE_n], i;

	/* n users of one size (alloc_percpu(struct ...)); one failure ends it */
	for (i = 0; i < n; i++) {
		struct pcpu_live_ent *e = pcpu_do_alloc(in, a[PCPU_INFLATE_size],
							PCPU_INFLATE_ALIGN, false,
							a[PCPU_INFLATE_type], false);

		if (!e)
			break;
		/* placement digest: lockstep sees where the n allocations went */
		res->val[1] = (res->val[1] * 31 + e->chunk_id * 1000003L + e->off) % 2147483647L;
	}
	res->status = i == n ? 0 : -ENOMEM;
	res->val[0] = i;
	res->val[2] = a[PCPU_INFLATE_size];
	snprintf(res->text, sizeof(res->text), "inflated %u of %u%s, placement %ld", i, n,
		 res->status ? " (ENOMEM)" : "", res->val[1]);
}

/*
 * Free the live entries at @idx[0..n) (descending): all out of the table
 * first, then freed, so that a free stopped half-way (a task) leaves a
 * table other ops can use.  @digest, if set, gets their placement digest.
 */
static void pcpu_free_picked(struct pcpu_inst *in, const int *idx, int n, long *digest);

static void op_deflate(struct pcpu_inst *in, const uint32_t *a, struct mm_opres *res)
{
	int *victims, n;

	mm_harness_lock();	/* until pcpu_free_picked() took them out */
	if (!in->live.nr) {
		mm_harness_unlock();
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: nothing live");
		return;
	}
	victims = mm_kzalloc(sizeof(int) * in->live.nr, MM_FAIL_NR);
	n = pcpu_live_deflate_pick(&in->live, a[PCPU_DEFLATE_pattern], a[PCPU_DEFLATE_permille],
				   a[PCPU_DEFLATE_seed], victims, in->unit_pages);
	pcpu_free_picked(in, victims, n, NULL);
	mm_kfree(victims);
	res->val[0] = n;
	snprintf(res->text, sizeof(res->text), "deflated %d, %d live", n, in->live.nr);
}

/* placement digest of a freed allocation: lockstep compares where frees went */
static long free_digest(long d, const struct pcpu_live_ent *e)
{
	return (d * 31 + e->chunk_id * 1000003L + e->off) % 2147483647L;
}

static void pcpu_free_picked(struct pcpu_inst *in, const int *idx, int n, long *digest)
{
	struct pcpu_live_ent *ents = mm_kzalloc(sizeof(*ents) * (n ? n : 1), MM_FAIL_NR);

	for (int i = 0; i < n; i++) {
		ents[i] = in->live.ent[idx[i]];
		if (digest)
			*digest = free_digest(*digest, &ents[i]);
	}
	pcpu_live_remove_many(&in->live, idx, n);
	mm_harness_unlock();	/* taken by the caller before it picked */
	for (int i = 0; i < n; i++)
		pcpu_do_free(in, &ents[i], NULL);
	mm_kfree(ents);
}

/* every k-th live allocation, in allocation order, newest first */
static void op_free_every(struct pcpu_inst *in, const uint32_t *a, struct mm_opres *res)
{
	uint32_t k = a[PCPU_FREE_EVERY_k], phase = a[PCPU_FREE_EVERY_phase] % k;
	int n = 0, *idx;

	mm_harness_lock();	/* until pcpu_free_picked() took them out */
	if (!in->live.nr) {
		mm_harness_unlock();
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: nothing live");
		return;
	}
	/* descending indices: a removal leaves the lower ones in place */
	idx = mm_kzalloc(sizeof(int) * in->live.nr, MM_FAIL_NR);
	for (int i = in->live.nr - 1; i >= 0; i--)
		if ((uint32_t)i % k == phase)
			idx[n++] = i;
	pcpu_free_picked(in, idx, n, &res->val[1]);
	mm_kfree(idx);
	res->val[0] = n;
	snprintf(res->text, sizeof(res->text), "freed %d (every %u from %u), %d live, placement %ld",
		 n, k, phase, in->live.nr, res->val[1]);
}

/* all live allocations of one chunk: the k-th holding any, in order of first use */
static void op_free_chunk(struct pcpu_inst *in, uint32_t k, struct mm_opres *res)
{
	int *ids, nids = 0, chunk_id, n = 0;

	mm_harness_lock();	/* until pcpu_free_picked() took them out */
	if (!in->live.nr) {
		mm_harness_unlock();
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: nothing live");
		return;
	}
	ids = mm_kzalloc(sizeof(int) * in->live.nr, MM_FAIL_NR);
	for (int i = 0; i < in->live.nr; i++) {
		int j;

		for (j = 0; j < nids && ids[j] != in->live.ent[i].chunk_id; j++)
			;
		if (j == nids)
			ids[nids++] = in->live.ent[i].chunk_id;
	}
	chunk_id = ids[k % (uint32_t)nids];
	for (int i = in->live.nr - 1; i >= 0; i--)
		if (in->live.ent[i].chunk_id == chunk_id)
			ids[n++] = i;	/* reused for the indices: n <= i */
	pcpu_free_picked(in, ids, n, &res->val[1]);
	mm_kfree(ids);
	res->val[0] = n;
	res->val[2] = chunk_id;
	snprintf(res->text, sizeof(res->text), "freed %d of chunk %d, %d live", n, chunk_id,
		 in->live.nr);
}

/*
 * The balance work until quiet: run it while it is pending (a run may
 * schedule the next one: free_percpu() of a fully free chunk, a failed
 * atomic request), at most n runs.  Each run is checked as a balance op.
 */
static void op_balance_quiet(struct pcpu_inst *in, uint32_t n, struct mm_opres *res)
{
	struct mm_opres one;
	uint32_t runs = 0;

	while (runs < n && balance_pending(in)) {
		memset(&one, 0, sizeof(one));
		pcpu_do_balance(in, false, &one);
		runs++;
	}
	if (!runs) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: balance not pending");
		return;
	}
	res->val[0] = runs;
	snprintf(res->text, sizeof(res->text), "%u balance runs, %s: %d empty, %ld populated",
		 runs, balance_pending(in) ? "still pending" : "quiet",
		 in->port->nr_empty_pop_pages(in->p), in->port->nr_populated(in->p));
}

static void op_map_extend(struct pcpu_inst *in, uint32_t k, struct mm_opres *res)
{
	struct work_struct *w = NULL;
	int chunk_id = 0;

	if (in->port->map_extend_work)
		w = in->port->map_extend_work(in->p, k, &chunk_id);
	if (!w) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: %s",
			 in->port->map_extend_work ? "none pending" : "no area map in this version");
		return;
	}
	if (!mm_run_work(&mm_cur->system_wq, w)) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: it runs already");
		return;
	}
	res->val[0] = chunk_id;
	snprintf(res->text, sizeof(res->text), "extended the map of chunk %d", chunk_id);
}

void pcpu_exec_op(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	struct pcpu_inst *in = inst;
	const uint32_t *a = op->arg;
	int idx;

	switch (op->id) {
	case PCPU_OP_ALLOC:
		op_alloc(in, a[PCPU_ALLOC_size], a[PCPU_ALLOC_align_shift], a[PCPU_ALLOC_gfp],
			 a[PCPU_ALLOC_type], false, res);
		break;
	case PCPU_OP_ALLOC_SMALL:
		op_alloc(in, a[PCPU_ALLOC_SMALL_size], a[PCPU_ALLOC_SMALL_align_shift],
			 a[PCPU_ALLOC_SMALL_gfp], a[PCPU_ALLOC_SMALL_type], false, res);
		break;
	case PCPU_OP_ALLOC_RESERVED:
		op_alloc(in, a[PCPU_ALLOC_RESERVED_size], a[PCPU_ALLOC_RESERVED_align_shift],
			 false, false, true, res);
		break;
	case PCPU_OP_FREE:
		mm_harness_lock();	/* threaded mode: pick and take out at once */
		idx = pcpu_live_pick(&in->live, a[PCPU_FREE_k]);
		if (idx < 0) {
			mm_harness_unlock();
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "skipped: nothing live");
			break;
		}
		{
			struct pcpu_live_ent e = in->live.ent[idx];

			pcpu_live_remove(&in->live, idx);
			mm_harness_unlock();
			pcpu_do_free(in, &e, res);
		}
		snprintf(res->text, sizeof(res->text), "freed chunk %ld off %ld size %ld",
			 res->val[0], res->val[1], res->val[2]);
		break;
	case PCPU_OP_BALANCE:
	case PCPU_OP_FORCE_BALANCE:
		pcpu_do_balance(in, op->id == PCPU_OP_FORCE_BALANCE, res);
		break;
	case PCPU_OP_FAIL_NEXT:
		mm_cur->fail_next[pcpu_fail_kinds[a[PCPU_FAIL_NEXT_kind]]] = a[PCPU_FAIL_NEXT_n];
		snprintf(res->text, sizeof(res->text), "the next %u %s requests fail",
			 a[PCPU_FAIL_NEXT_n], pcpu_fail_names[a[PCPU_FAIL_NEXT_kind]]);
		break;
	case PCPU_OP_INFLATE:
		op_inflate(in, a, res);
		break;
	case PCPU_OP_DEFLATE:
		op_deflate(in, a, res);
		break;
	case PCPU_OP_ENABLE_ASYNC:
		/* percpu_enable_async(): a subsys_initcall from v3.18 on */
		if (!in->port->enable_async || async_on(in)) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "skipped: %s", in->port->enable_async ?
				 "async already enabled" : "absent in this version");
			break;
		}
		in->port->enable_async(in->p);
		snprintf(res->text, sizeof(res->text), "async enabled");
		break;
	case PCPU_OP_MAP_EXTEND:
		op_map_extend(in, a[PCPU_MAP_EXTEND_k], res);
		break;
	case PCPU_OP_FREE_EVERY:
		op_free_every(in, a, res);
		break;
	case PCPU_OP_FREE_CHUNK:
		op_free_chunk(in, a[PCPU_FREE_CHUNK_k], res);
		break;
	case PCPU_OP_BALANCE_QUIET:
		op_balance_quiet(in, a[PCPU_BALANCE_QUIET_n], res);
		break;
	case PCPU_OP_SET_BUDGET:
		mm_cur->budget_pages = a[PCPU_SET_BUDGET_pages] + in->boot_pages;
		snprintf(res->text, sizeof(res->text), "budget %u (+%ld boot), %ld held",
			 a[PCPU_SET_BUDGET_pages], in->boot_pages, mm_pages_held());
		break;
	default:
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: unknown op");
		break;
	}
}

void pcpu_exec_check(void *inst)
{
	struct pcpu_inst *in = inst;

	in->port->check(in->p);
}

void pcpu_exec_observe(void *inst, void *obs)
{
	struct pcpu_inst *in = inst;
	struct pcpu_obs *o = obs;

	in->port->observe(in->p, o);
	o->nr_populated = in->port->nr_populated(in->p);
	o->nr_empty_pop_pages = in->port->nr_empty_pop_pages(in->p);
	o->balance_pending = balance_pending(in);
	o->atomic_failures = in->atomic_failures;
	o->pages_held = mm_pages_held();
	o->budget = mm_cur->budget_pages;
}

void pcpu_exec_dump(void *inst, char *buf, size_t len)
{
	struct pcpu_inst *in = inst;
	int n = snprintf(buf, len, "live=%d atomic_failures=%ld held=%ld budget=%ld\n",
			 in->live.nr, in->atomic_failures, mm_pages_held(),
			 mm_cur->budget_pages);

	if (n >= 0 && (size_t)n < len)
		in->port->dump(in->p, buf + n, len - n);
}

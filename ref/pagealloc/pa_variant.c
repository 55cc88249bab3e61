// SPDX-License-Identifier: GPL-2.0-only
/*
 * The entry points every pagealloc variant shares (create, exec, observe,
 * dump) and the reference variant v5.9.  A variant is a struct
 * pa_variant_ops (what differs) plus a struct mm_variant calling these.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pa_internal.h"

#define CALLER_REPORTS ((1u << MM_LR_SLEEP_IN_ATOMIC) | (1u << MM_LR_INVALID_WAIT_CTX))

void *pa_create(const struct mm_config *cfg, const struct pa_variant_ops *vops)
{
	struct pa_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);
	int batch = (int)cfg->v[PA_CFG_pcp_batch];

	G = st;
	st->vops = vops;
	st->nr_cpus = (int)cfg->v[PA_CFG_nr_cpus];
	st->preempt_rt = cfg->v[PA_CFG_preempt_rt];
	st->debug_pagealloc = cfg->v[PA_CFG_debug_pagealloc];
	mm_cur->known_lock_reports = vops->known_lock_reports;
	INIT_LIST_HEAD(&st->bad_pages);
	spin_lock_init(&st->kswapd_wait_lock);
	st->kswapd_wait_lock.dep.name = "kswapd_wait.lock";
	spin_lock_init(&st->linear_map_hash_lock);
	st->linear_map_hash_lock.dep.name = "linear_map_hash_lock";

	pa_zones_init(cfg);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		st->zones[z].lock.dep.name = z == ZONE_DMA32 ? "zone->lock(DMA32)" : "zone->lock(Normal)";
	/* rcu_init() -> kfree_rcu_batch_init() runs on boot_pageset */
	kfree_rcu_batch_init();
	pa_setup_wmarks(cfg);
	/* setup_per_cpu_pageset(): pageset_set_batch(batch), high = mult * batch */
	pageset_set_batch_all((int)cfg->v[PA_CFG_pcp_high_mult] * batch, batch);
	st->scratch = mm_kzalloc(st->total_pages, MM_FAIL_NR);
	st->last_free_pcp = NULL;
	return st;
}

static void page_res(struct mm_opres *res, struct page *page, unsigned int order)
{
	res->val[0] = page ? page->zid : -1;
	res->val[1] = page ? (long)page->pfn : -1;
	res->val[2] = order;
	res->val[3] = !page && G->last_alloc_injected;
	if (!page)
		res->status = -ENOMEM;
}

static void user_add(struct page *page, unsigned int order)
{
	if (G->nr_users == PA_MAX_USERS) {
		/* harness limit: give the page straight back */
		__free_pages(page, order);
		return;
	}
	G->users[G->nr_users].page = page;
	G->users[G->nr_users].order = order;
	G->nr_users++;
}

static bool caller_atomic(void)
{
	const struct mm_cpu *c = mm_this_cpu();

	return c->irqs_disabled || c->preempt_count || c->raw_locks_held ||
	       c->spin_locks_held;
}

/*
 * I6: V1 took exactly one pcp page of this CPU and left the buddy alone,
 * and the page it took is the one the posted code specifies: the first
 * list head, zones in zonelist order (Normal, DMA32), migratetypes 0..2,
 * that passes check_new_pcp(); it fails only when there is none (or with
 * DEBUG_PAGEALLOC).
 */
struct i6_snap {
	long nr_free[MAX_NR_ZONES];
	long pcp[MAX_NR_ZONES];
	struct page *expect;
};

static void i6_take(struct i6_snap *s)
{
	int cpu = smp_processor_id();

	s->expect = NULL;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		s->nr_free[z] = G->zones[z].nr_free_pages;
		s->pcp[z] = G->zones[z].pageset[cpu].pcp.count;
	}
	if (G->debug_pagealloc)
		return;
	for (int z = 0; z < MAX_NR_ZONES && !s->expect; z++) {
		struct per_cpu_pages *pcp = &G->zonelist[z]->pageset[cpu].pcp;

		for (int mt = 0; mt < MIGRATE_PCPTYPES && !s->expect; mt++) {
			struct page *head = list_first_entry_or_null(&pcp->lists[mt],
								     struct page, lru);

			if (head && !(head->flags & PG_bad))
				s->expect = head;
		}
	}
}

static void i6_verify(const struct i6_snap *s, struct page *page)
{
	int cpu = smp_processor_id();
	long dec = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		long now = G->zones[z].pageset[cpu].pcp.count;

		if (G->zones[z].nr_free_pages != s->nr_free[z])
			mm_violation("LOCKLESS_BUDDY", "__rcu_alloc_page_lockless",
				     "zone %s NR_FREE_PAGES %ld -> %ld", G->zones[z].name,
				     s->nr_free[z], G->zones[z].nr_free_pages);
		dec += s->pcp[z] - now;
		if (page && z == page->zid && now != s->pcp[z] - 1)
			mm_violation("LOCKLESS_PCP", "__rcu_alloc_page_lockless",
				     "pcp count of cpu %d zone %s %ld -> %ld on success", cpu,
				     G->zones[z].name, s->pcp[z], now);
	}
	if (dec != (page ? 1 : 0))
		mm_violation("LOCKLESS_PCP", "__rcu_alloc_page_lockless",
			     "pcp pages taken %ld, expected %d", dec, page ? 1 : 0);
	if (page && G->debug_pagealloc)
		mm_violation("LOCKLESS_DEBUG_PAGEALLOC", "__rcu_alloc_page_lockless",
			     "returned a page with DEBUG_PAGEALLOC");
	if (page != s->expect)
		mm_violation("LOCKLESS_PICK", "__rcu_alloc_page_lockless",
			     "returned pfn %ld, the first good pcp list head of cpu %d is pfn %ld",
			     page ? (long)page->pfn : -1L, cpu,
			     s->expect ? (long)s->expect->pfn : -1L);
}

static void op_page_alloc(const struct mm_op *op, struct mm_opres *res)
{
	unsigned int order = op->arg[PA_PAGE_ALLOC_order];
	gfp_t gfp = pa_gfp_of((int)op->arg[PA_PAGE_ALLOC_gfp]);
	bool claim = G->vops->gfp_no_locks && (gfp & __GFP_NO_LOCKS) && order == 0;
	long zl = G->zone_lock_taken, sp = G->slowpath_entries;
	struct page *page;

	if (op->arg[PA_PAGE_ALLOC_mt] == MIGRATE_MOVABLE)
		gfp |= __GFP_MOVABLE;
	else if (op->arg[PA_PAGE_ALLOC_mt] == MIGRATE_RECLAIMABLE)
		gfp |= __GFP_RECLAIMABLE;
	if (G->vops->gfp_no_locks && (gfp & __GFP_NO_LOCKS) && order)
		mm_note("NO_LOCKS_ORDER", "__GFP_NO_LOCKS with order %u (documented order-0 only)",
			order);
	if (claim)
		mm_lockless_enter();
	page = __alloc_pages_nodemask(gfp, order, 0);
	if (claim) {
		mm_lockless_exit();
		/* I7: ALLOC_NO_LOCKS never reaches zone->lock nor the slow path */
		if (G->zone_lock_taken != zl || G->slowpath_entries != sp)
			mm_violation("NO_LOCKS_PATH", "__alloc_pages_nodemask",
				     "__GFP_NO_LOCKS request took zone->lock %ld times, slow path %ld times",
				     G->zone_lock_taken - zl, G->slowpath_entries - sp);
	}
	page_res(res, page, order);
	if (page)
		user_add(page, order);
	snprintf(res->text, sizeof(res->text), "page_alloc order %u gfp %#x -> %s pfn %ld",
		 order, gfp, page ? G->zones[page->zid].name : "fail", res->val[1]);
}

static void op_lockless_alloc(struct mm_opres *res)
{
	struct i6_snap snap;
	unsigned long addr;
	struct page *page;

	i6_take(&snap);
	G->lockless_attempts++;
	addr = G->vops->lockless_entry();
	page = addr ? virt_to_page((void *)addr) : NULL;
	if (!page)
		G->lockless_failed++;
	if (G->vops->lockless_fn)
		i6_verify(&snap, page);
	page_res(res, page, 0);
	if (page)
		user_add(page, 0);
	snprintf(res->text, sizeof(res->text), "lockless_alloc -> %s pfn %ld",
		 page ? G->zones[page->zid].name : "fail", res->val[1]);
}

static void op_inject_bad_page(const struct mm_op *op, struct mm_opres *res)
{
	int cpu = (int)(op->arg[0] % (unsigned int)G->nr_cpus);
	struct zone *zone = &G->zones[op->arg[1]];
	struct list_head *list = &zone->pageset[cpu].pcp.lists[op->arg[2]];
	size_t len = list_count_nodes(list), pos;
	struct page *page;

	if (!len) {
		res->status = 1;
		return;
	}
	pos = op->arg[3] % len;
	list_for_each_entry(page, list, lru)
		if (pos-- == 0)
			break;
	page->flags |= PG_bad;
	res->val[1] = (long)page->pfn;
	snprintf(res->text, sizeof(res->text), "bad page pfn %lu", page->pfn);
}

void pa_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	unsigned int saved_known = mm_cur->known_lock_reports;
	bool atomic_caller;

	G = inst;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		G->nr_free_before[z] = G->zones[z].nr_free_pages;
	G->last_free_pcp = NULL;
	atomic_caller = caller_atomic();

	switch (op->id) {
	case PA_OP_PAGE_ALLOC:
	case PA_OP_PAGE_FREE:
	case PA_OP_DRAIN_LOCAL:
		/*
		 * A caller of the unchanged page-allocator API from atomic
		 * context: what the lock checker says is the same in every
		 * variant and is the known v5.9 behaviour (SPEC 3(i)).
		 */
		if (atomic_caller)
			mm_cur->known_lock_reports |= CALLER_REPORTS;
		break;
	case PA_OP_LOCKLESS_ALLOC:
		if (atomic_caller && !G->vops->lockless_fn && !G->vops->gfp_no_locks)
			mm_cur->known_lock_reports |= CALLER_REPORTS;
		break;
	default:
		break;
	}

	switch (op->id) {
	case PA_OP_PAGE_ALLOC:
		op_page_alloc(op, res);
		break;
	case PA_OP_PAGE_FREE: {
		int k;
		struct pa_user u;

		if (!G->nr_users) {
			res->status = 1;
			break;
		}
		k = (int)(op->arg[PA_PAGE_FREE_k] % (unsigned int)G->nr_users);
		u = G->users[k];
		memmove(&G->users[k], &G->users[k + 1],
			sizeof(G->users[0]) * (size_t)(G->nr_users - k - 1));
		G->nr_users--;
		__free_pages(u.page, u.order);
		res->val[0] = u.page->zid;
		res->val[1] = (long)u.page->pfn;
		res->val[2] = u.order;
		snprintf(res->text, sizeof(res->text), "page_free pfn %lu order %u",
			 u.page->pfn, u.order);
		break;
	}
	case PA_OP_LOCKLESS_ALLOC:
		op_lockless_alloc(res);
		break;
	case PA_OP_KVFREE_RCU: {
		long b = G->kv_via_block, h = G->kv_via_head, s = G->kv_via_sync;
		long f = G->lockless_failed;

		pa_kvfree_rcu((int)op->arg[PA_KVFREE_RCU_nargs], (int)op->arg[PA_KVFREE_RCU_nobj]);
		res->val[0] = G->kv_via_block - b;
		res->val[1] = G->kv_via_head - h;
		res->val[2] = G->kv_via_sync - s;
		res->val[3] = G->lockless_failed - f;
		snprintf(res->text, sizeof(res->text),
			 "kvfree_rcu block %ld head %ld sync %ld (block pages failed %ld, cache %d)",
			 res->val[0], res->val[1], res->val[2], res->val[3],
			 G->krc[smp_processor_id()].nr_bkv_objs);
		break;
	}
	case PA_OP_RCU_GP:
		mm_rcu_gp();
		snprintf(res->text, sizeof(res->text), "grace period %lu ended",
			 mm_cur->rcu_gp_seq);
		break;
	case PA_OP_RUN_WORK: {
		struct mm_workqueue *wq = &mm_cur->system_wq;
		size_t n = 0;
		int ran = 0;

		/* one item at a time (same FIFO order) to name what ran */
		n += (size_t)snprintf(res->text, sizeof(res->text), "ran:");
		while (ran < (int)op->arg[PA_RUN_WORK_n] && wq->head) {
			const char *name = wq->head->name ? wq->head->name : "?";

			if (n < sizeof(res->text))
				n += (size_t)snprintf(res->text + n, sizeof(res->text) - n,
						      " %s", name);
			ran += mm_run_workqueue(wq, 1);
		}
		res->val[0] = ran;
		if (!ran) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "no work pending");
		}
		break;
	}
	case PA_OP_DRAIN_LOCAL:
		drain_local_pages(NULL);
		break;
	case PA_OP_DRAIN_ALL:
		drain_all_pages(NULL);
		break;
	case PA_OP_FAIL_NEXT:
		mm_cur->fail_next[op->arg[0] == PA_FAIL_PAGE_ALLOC ? MM_FAIL_PAGE_ALLOC :
				  MM_FAIL_KMALLOC] += op->arg[1];
		break;
	case PA_OP_INJECT_BAD_PAGE:
		op_inject_bad_page(op, res);
		break;
	case PA_OP_SET_PCP:
		pageset_set_batch_all((int)(op->arg[0] * op->arg[1]), (int)op->arg[1]);
		break;
	default:
		res->status = 1;
		break;
	}
	mm_cur->known_lock_reports = saved_known;
}

void pa_observe(void *inst, void *obs_)
{
	struct pa_obs *obs = obs_;
	long blocks = 0;

	G = inst;
	memset(obs, 0, sizeof(*obs));
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		obs->nr_free[z] = G->zones[z].nr_free_pages;
		obs->nr_free_before[z] = G->nr_free_before[z];
		for (int cpu = 0; cpu < G->nr_cpus; cpu++)
			obs->pcp_count[cpu][z] = G->zones[z].pageset[cpu].pcp.count;
	}
	for (int i = 0; i < G->nr_users; i++)
		obs->user_pages += 1L << G->users[i].order;
	for (int cpu = 0; cpu < G->nr_cpus; cpu++) {
		struct kfree_rcu_cpu *krcp = &G->krc[cpu];
		struct kvfree_rcu_bulk_data *b;

		for (b = krcp->bkvhead[0]; b; b = b->next)
			blocks++;
		for (int i = 0; i < KFREE_N_BATCHES; i++)
			for (b = krcp->krw_arr[i].bkvhead_free[0]; b; b = b->next)
				blocks++;
		blocks += krcp->nr_bkv_objs;
	}
	obs->block_pages = blocks;
	obs->bad_pages = G->nr_bad;
	obs->kv_calls = G->kv_calls;
	obs->kv_via_block = G->kv_via_block;
	obs->kv_via_head = G->kv_via_head;
	obs->kv_via_sync = G->kv_via_sync;
	obs->kv_freed = G->kv_freed;
	obs->kv_fallbacks = G->kv_fallbacks;
	obs->lockless_attempts = G->lockless_attempts;
	obs->lockless_failed = G->lockless_failed;
	obs->zone_lock_taken = G->zone_lock_taken;
	obs->slowpath_entries = G->slowpath_entries;
	obs->rcu_gp_seq = mm_cur->rcu_gp_seq;
	obs->work_run = mm_cur->system_wq.nr_run;
}

static int pa_chain_len(const struct kvfree_rcu_bulk_data *b)
{
	int n = 0;

	for (; b && n < 1 << 20; b = b->next)
		n++;
	return n;
}

static long pa_head_len(const struct rcu_head *h)
{
	long n = 0;

	for (; h && n < 1 << 24; h = h->next)
		n++;
	return n;
}

void pa_dump(void *inst, char *buf, size_t len)
{
	size_t n = 0;

	G = inst;
#define OUT(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];

		OUT("zone %s: NR_FREE %ld wmark %lu/%lu/%lu reserve %ld free_area",
		    zone->name, zone->nr_free_pages, zone->_watermark[WMARK_MIN],
		    zone->_watermark[WMARK_LOW], zone->_watermark[WMARK_HIGH],
		    zone->lowmem_reserve[ZONE_NORMAL]);
		for (int o = 0; o < MAX_ORDER; o++)
			OUT(" %lu", zone->free_area[o].nr_free);
		OUT(" pageblocks");
		for (unsigned long b = 0; b < zone->spanned_pages / pageblock_nr_pages; b++)
			OUT(" %c", "UMR"[zone->pageblock_mt[b] % 3]);
		OUT("\n  pcp(count/high/batch [unmovable movable reclaimable]):");
		for (int cpu = 0; cpu < G->nr_cpus; cpu++) {
			struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;

			OUT(" cpu%d %d/%d/%d [%zu %zu %zu]", cpu, pcp->count, pcp->high, pcp->batch,
			    list_count_nodes(&pcp->lists[0]), list_count_nodes(&pcp->lists[1]),
			    list_count_nodes(&pcp->lists[2]));
		}
		OUT("\n");
	}
	OUT("users %d bad %ld | kvfree calls %ld block %ld head %ld sync %ld freed %ld fallbacks %ld | lockless %ld/%ld failed | zone->lock %ld slowpath %ld\n",
	    G->nr_users, G->nr_bad, G->kv_calls, G->kv_via_block, G->kv_via_head,
	    G->kv_via_sync, G->kv_freed, G->kv_fallbacks, G->lockless_failed,
	    G->lockless_attempts, G->zone_lock_taken, G->slowpath_entries);
	OUT("rcu gp_seq %lu, system_wq:", mm_cur->rcu_gp_seq);
	for (struct work_struct *w = mm_cur->system_wq.head; w; w = w->next)
		OUT(" %s", w->name ? w->name : "?");
	OUT("\n");
	for (int cpu = 0; cpu < G->nr_cpus; cpu++) {
		struct kfree_rcu_cpu *krcp = &G->krc[cpu];

		OUT("krc%d: count %d cache %d monitor_todo %d blocks %d heads %ld", cpu,
		    krcp->count, krcp->nr_bkv_objs, krcp->monitor_todo,
		    pa_chain_len(krcp->bkvhead[0]), pa_head_len(krcp->head));
		for (int i = 0; i < KFREE_N_BATCHES; i++) {
			struct kfree_rcu_cpu_work *krwp = &krcp->krw_arr[i];

			OUT(" | krw%d: blocks %d heads %ld %s%s", i,
			    pa_chain_len(krwp->bkvhead_free[0]), pa_head_len(krwp->head_free),
			    krwp->rcu_work.rcu_pending ? "waiting-gp" :
			    krwp->rcu_work.work.pending ? "work-queued" : "idle",
			    krwp->late_attach ? " late-attached" : "");
		}
		OUT("\n");
	}
#undef OUT
}

/* -- the reference: v5.9 ------------------------------------------------ */

/* the lockless_alloc op in v5.9: what RCU called, under its raw lock */
unsigned long pa_v59_lockless_entry(void)
{
	return __get_free_page(GFP_NOWAIT | __GFP_NOWARN);
}

static const struct pa_variant_ops v59_ops = {
	.name = "v5.9",
	.kvfree_rt_bailout = true,
	.boot_prefill = true,
	.kvfree_get_page = pa_v59_kvfree_get_page,
	.lockless_entry = pa_v59_lockless_entry,
	/*
	 * Known: zone->lock (spinlock_t) under the raw krcp->lock, reported
	 * at rmqueue_bulk (seed 002: PROVE_RAW_LOCK_NESTING; PREEMPT_RT).
	 */
	.known_lock_reports = (1u << MM_LR_INVALID_WAIT_CTX) | (1u << MM_LR_SLEEP_IN_ATOMIC),
};

static void *v59_create(const struct mm_config *cfg)
{
	return pa_create(cfg, &v59_ops);
}

const struct mm_variant pagealloc_v5_9 = {
	.name = "v5.9",
	.family = "pagealloc",
	.reference = NULL,
	.models = "Linux v5.9 mm/page_alloc.c buddy + pcp, kernel/rcu/tree.c kvfree_rcu",
	.expect = "clean",
	.create = v59_create,
	.exec = pa_exec,
	.check = pa_check,
	.observe = pa_observe,
	.dump = pa_dump,
};

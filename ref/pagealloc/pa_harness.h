/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness side of a pagealloc port, included last into the port's
 * translation unit: boot, the typed entry points of pa_port.h, the
 * observables, the -v dump and the struct mm_variant.  The port defines
 * before including it:
 *   PA_VARIANT, PA_NAME, PA_REFERENCE, PA_MODELS, PA_EXPECT  its registry
 *       entry (PA_REFERENCE NULL for the reference);
 *   pa_port_kvfree_block_page()  a static function: the page allocation
 *       its kvfree_call_rcu_add_ptr_to_bulk() makes, called directly;
 * and optionally
 *   PA_ALLOC_PAGES(gfp, order)   how a caller's page_alloc reaches
 *       __alloc_pages_nodemask() (default: directly);
 *   PA_KNOWN_LOCK_REPORTS        the lock reports its kernel is known to
 *       make (noted KNOWN_REF_BUG instead of violations).
 */
#ifndef MM_PA_HARNESS_H
#define MM_PA_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <mm/nocov.h>

#ifndef PA_ALLOC_PAGES
#define PA_ALLOC_PAGES(gfp, order)	__alloc_pages_nodemask((gfp), (order), 0)
#endif
#ifndef PA_KNOWN_LOCK_REPORTS
#define PA_KNOWN_LOCK_REPORTS		0u
#endif

static unsigned long pa_port_kvfree_block_page(void);

static void pa_enter(void *inst)
{
	G = inst;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		G->nr_free_before[z] = G->zones[z].nr_free_pages;
		G->boost_before[z] = (long)G->zones[z].watermark_boost;
	}
	G->last_free_pcp = NULL;
}

static struct pa_page pa_page_of(struct page *page, unsigned int order)
{
	struct pa_page pg = { -1, -1, order, false };

	if (page) {
		pg.zid = page->zid;
		pg.pfn = (long)page->pfn;
	} else {
		pg.injected = G->last_alloc_injected;
	}
	return pg;
}

/*
 * The table of pages the callers hold.  In the threaded mode two CPUs use
 * it at once: it is changed under the harness mutex, and a page put in it
 * is released to the op that takes it out (mm_tsan_release(), threads.h),
 * as handing a page to another CPU is synchronization in the kernel.
 */
static void user_add(struct page *page, unsigned int order)
{
	bool full;

	mm_tsan_release(page);
	mm_harness_lock();
	full = G->nr_users == PA_MAX_USERS;
	if (!full) {
		G->users[G->nr_users].page = page;
		G->users[G->nr_users].order = order;
		G->nr_users++;
	}
	mm_harness_unlock();
	if (full)	/* harness limit: give the page straight back */
		__free_pages(page, order);
}

static struct pa_page pa_e_alloc_pages(void *inst, gfp_t gfp_mask, unsigned int order)
{
	struct page *page;

	pa_enter(inst);
	page = PA_ALLOC_PAGES(gfp_mask, order);
	if (page)
		user_add(page, order);
	return pa_page_of(page, order);
}

static struct pa_page pa_e_free_live_page(void *inst, unsigned int idx)
{
	struct pa_page pg = { -1, -1, 0, false };
	struct pa_user u;
	int k;

	pa_enter(inst);
	mm_harness_lock();	/* threaded mode: pick and take out at once */
	if (!G->nr_users) {
		mm_harness_unlock();
		return pg;
	}
	k = (int)(idx % (unsigned int)G->nr_users);
	u = G->users[k];
	memmove(&G->users[k], &G->users[k + 1],
		sizeof(G->users[0]) * (size_t)(G->nr_users - k - 1));
	G->nr_users--;
	mm_harness_unlock();
	mm_tsan_acquire(u.page);
	__free_pages(u.page, u.order);
	return pa_page_of(u.page, u.order);
}

static struct pa_page pa_e_kvfree_block_page(void *inst)
{
	unsigned long addr;
	struct page *page;

	pa_enter(inst);
	MM_HARNESS_ACCESS(G->last_alloc_injected = false);
	G->lockless_attempts++;
	addr = pa_port_kvfree_block_page();
	page = addr ? virt_to_page((void *)addr) : NULL;
	if (!page)
		G->lockless_failed++;
	else
		user_add(page, 0);
	return pa_page_of(page, 0);
}

static void pa_e_kvfree_rcu(void *inst, int nargs, int nobj, struct pa_kvfree_res *r)
{
	long b, h, s, f;

	pa_enter(inst);
	b = G->kv_via_block;
	h = G->kv_via_head;
	s = G->kv_via_sync;
	f = G->lockless_failed;
	pa_kvfree_rcu(nargs, nobj);
	r->via_block = G->kv_via_block - b;
	r->via_head = G->kv_via_head - h;
	r->via_sync = G->kv_via_sync - s;
	r->block_pages_failed = G->lockless_failed - f;
	r->cache = krc[smp_processor_id()].nr_bkv_objs;
}

static void pa_e_drain_local_pages(void *inst)
{
	pa_enter(inst);
	drain_local_pages(NULL);
}

static void pa_e_drain_all_pages(void *inst)
{
	pa_enter(inst);
	drain_all_pages(NULL);
}

static long pa_e_inject_bad_page(void *inst, int cpu, int zid, int mt, unsigned int pos)
{
	struct list_head *list;
	struct page *page;
	unsigned long flags = 0;
	int saved = mm_cpu_id();
	long pfn = -1;
	size_t len;

	pa_enter(inst);
	cpu %= G->nr_cpus;
	/*
	 * threaded mode: the list is @cpu's; the injection owns that CPU as
	 * its own interrupts-off sections do (a thread acting as it waits)
	 */
	if (mm_threads_running) {
		mm_cpu_switch(cpu);
		local_irq_save(flags);
	}
	list = &G->zones[zid].pageset[cpu].pcp.lists[mt];
	len = list_count_nodes(list);
	if (len) {
		pos %= (unsigned int)len;
		list_for_each_entry(page, list, lru)
			if (pos-- == 0)
				break;
		page->flags |= PG_bad;
		pfn = (long)page->pfn;
	}
	if (mm_threads_running) {
		local_irq_restore(flags);
		mm_cpu_switch(saved);
	}
	return pfn;
}

static void pa_e_set_pcp(void *inst, unsigned int high_mult, unsigned int batch)
{
	pa_enter(inst);
	pa_pageset_set(high_mult, batch);
}

static bool pa_e_kswapd_run(void *inst)
{
	pa_enter(inst);
	return kswapd_run_once();
}

static int pa_e_nr_live(void *inst)
{
	return ((struct pa_state *)inst)->nr_users;
}

static const char *pa_e_zone_name(void *inst, int zid)
{
	return ((struct pa_state *)inst)->zones[zid].name;
}

static const struct pa_port pa_port_entries = {
	.enter = pa_enter,
	.alloc_pages = pa_e_alloc_pages,
	.free_live_page = pa_e_free_live_page,
	.kvfree_block_page = pa_e_kvfree_block_page,
	.kvfree_rcu = pa_e_kvfree_rcu,
	.drain_local_pages = pa_e_drain_local_pages,
	.drain_all_pages = pa_e_drain_all_pages,
	.inject_bad_page = pa_e_inject_bad_page,
	.set_pcp = pa_e_set_pcp,
	.kswapd_run = pa_e_kswapd_run,
	.nr_live = pa_e_nr_live,
	.zone_name = pa_e_zone_name,
};

/* Boot: the zones, rcu_init()'s kvfree_rcu setup, watermarks, pcp settings. */
static void *pa_create(const struct mm_config *cfg)
{
	struct pa_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);

	G = st;
	mm_bind_global(&G, st);	/* tasks resume with their instance */
	st->port = &pa_port_entries;
	st->nr_cpus = (int)cfg->v[PA_CFG_nr_cpus];
	st->preempt_rt = cfg->v[PA_CFG_preempt_rt];
	st->debug_pagealloc = cfg->v[PA_CFG_debug_pagealloc];
	krc = mm_kzalloc(sizeof(struct kfree_rcu_cpu) * MM_MAX_CPUS, MM_FAIL_NR);
	mm_cur->known_lock_reports = PA_KNOWN_LOCK_REPORTS;
	INIT_LIST_HEAD(&st->bad_pages);
	spin_lock_init(&st->linear_map_hash_lock);
	st->linear_map_hash_lock.dep.name = "linear_map_hash_lock";

	pa_zones_init(cfg);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		st->zones[z].lock.dep.name = z == ZONE_DMA32 ? "zone->lock(DMA32)" : "zone->lock(Normal)";
	/* rcu_init() -> kfree_rcu_batch_init() runs on boot_pageset */
	kfree_rcu_batch_init();
	pa_setup_wmarks(cfg);
	/* setup_per_cpu_pageset() (or a percpu_pagelist_fraction write) */
	pa_pageset_set(cfg->v[PA_CFG_pcp_high_mult], cfg->v[PA_CFG_pcp_batch]);
	st->scratch = mm_kzalloc(st->total_pages, MM_FAIL_NR);
	st->last_free_pcp = NULL;
	return st;
}

/* observables and the dump: no coverage feedback (mm/nocov.h) */
MM_NOCOV_BEGIN
static void pa_observe(void *inst, void *obs_)
{
	struct pa_obs *obs = obs_;
	long blocks = 0;

	G = inst;
	memset(obs, 0, sizeof(*obs));
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		obs->nr_free[z] = G->zones[z].nr_free_pages;
		obs->nr_free_before[z] = G->nr_free_before[z];
		obs->watermark_boost_before[z] = G->boost_before[z];
		obs->watermark_boost[z] = (long)G->zones[z].watermark_boost;
		for (int cpu = 0; cpu < G->nr_cpus; cpu++)
			obs->pcp_count[cpu][z] = G->zones[z].pageset[cpu].pcp.count;
	}
	for (int i = 0; i < G->nr_users; i++)
		obs->user_pages += 1L << G->users[i].order;
	for (int cpu = 0; cpu < G->nr_cpus; cpu++) {
		struct kfree_rcu_cpu *krcp = &krc[cpu];
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
	obs->kswapd_wakeups = G->kswapd_wakeups;
	obs->kswapd_runs = G->kswapd_runs;
	obs->boot_bnode_pages = G->boot_bnode_pages;
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

static void pa_dump(void *inst, char *buf, size_t len)
{
	size_t n = 0;

	G = inst;
#define OUT(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];

		OUT("zone %s: NR_FREE %ld wmark %lu/%lu/%lu boost %lu%s reserve %ld free_area",
		    zone->name, zone->nr_free_pages, zone->_watermark[WMARK_MIN],
		    zone->_watermark[WMARK_LOW], zone->_watermark[WMARK_HIGH],
		    zone->watermark_boost,
		    zone->flags & ZONE_BOOSTED_WATERMARK ? " (ZONE_BOOSTED_WATERMARK)" : "",
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
	OUT("kswapd %s order %d highest_zoneidx %d failures %d wakeups %ld runs %ld\n",
	    G->pgdat.kswapd_sleeping ? "asleep" : "awake", G->pgdat.kswapd_order,
	    G->pgdat.kswapd_highest_zoneidx, G->pgdat.kswapd_failures, G->kswapd_wakeups,
	    G->kswapd_runs);
	OUT("rcu gp_seq %lu, system_wq:", mm_cur->rcu_gp_seq);
	for (struct work_struct *w = mm_cur->system_wq.head; w; w = w->next)
		OUT(" %s", w->name ? w->name : "?");
	OUT("\n");
	for (int cpu = 0; cpu < G->nr_cpus; cpu++) {
		struct kfree_rcu_cpu *krcp = &krc[cpu];

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
MM_NOCOV_END

const struct mm_variant PA_VARIANT = {
	.name = PA_NAME,
	.family = "pagealloc",
	.reference = PA_REFERENCE,
	.models = PA_MODELS,
	.expect = PA_EXPECT,
	.create = pa_create,
	.exec = pa_exec,
	.check = pa_check,
	.observe = pa_observe,
	.dump = pa_dump,
};
#endif /* MM_PA_HARNESS_H */

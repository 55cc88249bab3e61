// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagealloc "lockless": seed 002 V1, [RFC-PATCH 2/4] "mm: Add
 * __rcu_alloc_page_lockless() func." as posted (Rezki, Not-signed-off-by
 * Peter Zijlstra), with its RCU client: [RFC 3/4] "rcu/tree: use
 * __rcu_alloc_page_lockless() func." on top of [RFC 1/4] "rcu/tree: Add a
 * work to allocate pages from regular context" (kvfree_rcu() takes a block
 * page from the bnode cache, else from __rcu_alloc_page_lockless(); on
 * failure it falls back and kicks the page cache worker, which refills the
 * cache with GFP_KERNEL pages).  The v5.9 PREEMPT_RT bail-out is gone.
 * [modelling choice] the v5.9 boot prefill of the bnode cache is kept so
 * that the reference and this variant boot identical (lockstep D1).
 */
#include "../../ref/pagealloc/pa_internal.h"

/* Mirrors __rmqueue_lockless(), seed 002 RFC 2/4. */
static struct page *__rmqueue_lockless(struct zone *zone, struct per_cpu_pages *pcp)
{
	struct list_head *list;
	struct page *page;
	int migratetype;

	(void)zone;
	for (migratetype = 0; migratetype < MIGRATE_PCPTYPES; migratetype++) {
		list = &pcp->lists[migratetype];
		page = list_first_entry_or_null(list, struct page, lru);
		if (page && !check_new_pcp(page)) {
			list_del(&page->lru);
			pcp->count--;
			return page;
		}
	}
	return NULL;
}

/*
 * Mirrors __rcu_alloc_page_lockless(), seed 002 RFC 2/4: "intended to use
 * for RCU code only; it does not use any atomic reserves".  The whole
 * function is declared lockless to the lock checker (I4).
 */
static unsigned long __rcu_alloc_page_lockless(void)
{
	struct page *page = NULL;
	unsigned long flags;
	int preferred_zoneref = -1;

	/*
	 * IS_ENABLED(CONFIG_DEBUG_PAGEALLOC): powerpc's __kernel_map_pages()
	 * uses sleep-able locks.  The model's debug_pagealloc=on stands for
	 * CONFIG_DEBUG_PAGEALLOC=y booted with debug_pagealloc=on, off for
	 * CONFIG_DEBUG_PAGEALLOC=n, so the compile-time test reads the knob.
	 */
	if (debug_pagealloc_enabled_static())
		return 0;

	mm_lockless_enter();
	/* for_each_zone_zonelist(zone, z, zonelist, ZONE_NORMAL): NORMAL, DMA32 */
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = G->zonelist[z];
		struct per_cpu_pages *pcp;

		if (preferred_zoneref < 0)
			preferred_zoneref = z;
		local_irq_save(flags);
		pcp = this_cpu_pcp(zone);
		page = __rmqueue_lockless(zone, pcp);
		/* __count_zid_vm_events(PGALLOC), zone_statistics(): not modelled */
		local_irq_restore(flags);
		if (page) {
			prep_new_page(page, 0, 0, 0);
			break;
		}
	}
	mm_lockless_exit();
	return page ? (unsigned long)page_address(page) : 0;
}

static const struct pa_variant_ops lockless_ops = {
	.name = "lockless",
	.page_cache_worker = true,
	.boot_prefill = true,
	.lockless_fn = true,
	.kvfree_get_page = __rcu_alloc_page_lockless,
	.lockless_entry = __rcu_alloc_page_lockless,
};

static void *lockless_create(const struct mm_config *cfg)
{
	return pa_create(cfg, &lockless_ops);
}

const struct mm_variant pagealloc_lockless = {
	.name = "lockless",
	.family = "pagealloc",
	.reference = "v5.9",
	.models = "seed 002 RFC 2/4 __rcu_alloc_page_lockless() + RFC 1/4, 3/4 kvfree_rcu client",
	.expect = "clean",
	.create = lockless_create,
	.exec = pa_exec,
	.check = pa_check,
	.observe = pa_observe,
	.dump = pa_dump,
};

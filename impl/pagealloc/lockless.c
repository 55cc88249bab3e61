// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagealloc "lockless": the series "kvfree_rcu() and _LOCK_NESTING/
 * _PREEMPT_RT" as posted by Uladzislau Rezki on 2020-09-18, patches 1-3:
 *   [PATCH 1/4] rcu/tree: Add a work to allocate pages from regular context
 *       (Message-ID 20200918194817.48921-2-urezki@gmail.com):
 *       rcu_min_cached_objs 5; no allocation in kvfree_rcu() itself and no
 *       boot prefill; on a fallback, unless interrupts were disabled at the
 *       call, the page cache work is queued, which refills the cache with
 *       GFP_NOWAIT | __GFP_NOWARN pages; kfree_rcu_work() gives a block
 *       back to the cache of the batch's owner (krwp->krcp);
 *   [RFC-PATCH 2/4] mm: Add __rcu_alloc_page_lockless() func.
 *       (Message-ID 20200918194817.48921-3-urezki@gmail.com), Not-signed-off-by
 *       Peter Zijlstra;
 *   [PATCH 3/4] rcu/tree: use __rcu_alloc_page_lockless() func.
 *       (Message-ID 20200918194817.48921-4-urezki@gmail.com): the block page
 *       is taken from the cache, else from __rcu_alloc_page_lockless().
 * Patch 4/4 (schedule_delayed_work() instead of system_highpri_wq) is not
 * modelled: the machine has one work queue and no delays.
 * This file holds the functions 1-3 add or change; the rest is the
 * reference's (ref/pagealloc).
 */
#define KFREE_RCU_CPU_EXTRA \
	struct work_struct page_cache_work; \
	int work_in_progress;		/* atomic_t */

#include "../../ref/pagealloc/pa_internal.h"

#define rcu_min_cached_objs	5	/* 1/4 */

#include "../../ref/pagealloc/page_alloc.h"
#include "../../ref/pagealloc/page_alloc-entry.h"
#include "../../ref/pagealloc/kvfree_rcu.h"

/* Mirrors __rmqueue_lockless(), [RFC-PATCH 2/4] (Message-ID 20200918194817.48921-3-urezki@gmail.com). */
static struct page *__rmqueue_lockless(struct zone *zone, struct per_cpu_pages *pcp)
{
	struct list_head *list;
	struct page *page;
	int migratetype;

	(void)zone;
	/* the caller's local_irq_save() is what makes the list access safe */
	lockdep_assert_irqs_disabled();
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
 * Mirrors __rcu_alloc_page_lockless(), [RFC-PATCH 2/4] (Message-ID 20200918194817.48921-3-urezki@gmail.com): "intended to use
 * for RCU code only; it does not use any atomic reserves".  The whole
 * function is declared lockless to the lock checker.
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


/* Mirrors fill_page_cache_func(), 1/4: runs from the work queue. */
static void fill_page_cache_func(struct work_struct *work)
{
	struct kvfree_rcu_bulk_data *bnode;
	struct kfree_rcu_cpu *krcp = container_of(work, struct kfree_rcu_cpu, page_cache_work);
	unsigned long flags;
	bool pushed;
	int i;

	for (i = 0; i < rcu_min_cached_objs; i++) {
		/* GFP_NOWAIT: minimize reclaim; it may wake kswapd */
		bnode = (struct kvfree_rcu_bulk_data *)__get_free_page(GFP_NOWAIT | __GFP_NOWARN);
		if (bnode) {
			raw_spin_lock_irqsave(&krcp->lock, flags);
			pushed = put_cached_bnode(krcp, bnode);
			raw_spin_unlock_irqrestore(&krcp->lock, flags);
			if (!pushed) {
				free_page((unsigned long)bnode);
				break;
			}
		}
	}
	WRITE_ONCE(krcp->work_in_progress, 0);	/* atomic_set() */
}

/* Mirrors kvfree_call_rcu_add_ptr_to_bulk(), 1/4 + 3/4 (kmalloc channel). */
static bool kvfree_call_rcu_add_ptr_to_bulk(struct kfree_rcu_cpu *krcp, void *ptr)
{
	struct kvfree_rcu_bulk_data *bnode;
	int idx = 0;

	if (unlikely(!krcp->initialized))
		return false;
	lockdep_assert_held(&krcp->lock);

	if (!krcp->bkvhead[idx] || krcp->bkvhead[idx]->nr_records == KVFREE_BULK_MAX_ENTR) {
		bnode = get_cached_bnode(krcp);
		if (!bnode) {
			MM_HARNESS_ACCESS(G->lockless_attempts++);	/* model: observables */
			bnode = (struct kvfree_rcu_bulk_data *)__rcu_alloc_page_lockless();
			if (!bnode)
				MM_HARNESS_ACCESS(G->lockless_failed++);
		}
		/* Switch to emergency path. */
		if (!bnode)
			return false;
		bnode->nr_records = 0;
		bnode->next = krcp->bkvhead[idx];
		krcp->bkvhead[idx] = bnode;
	}
	krcp->bkvhead[idx]->records[krcp->bkvhead[idx]->nr_records++] = ptr;
	return true;
}

/*
 * Mirrors kfree_rcu_work(), kernel/rcu/tree.c v5.9 with 1/4: a freed block
 * goes back to the cache of the batch's owner, under its lock.
 */
static void kfree_rcu_work(struct work_struct *work)
{
	unsigned long flags;
	struct kvfree_rcu_bulk_data *bkvhead[FREE_N_CHANNELS], *bnext;
	struct rcu_head *head, *next;
	struct kfree_rcu_cpu *krcp;
	struct kfree_rcu_cpu_work *krwp;
	unsigned int late;
	int i;

	krwp = container_of(work, struct kfree_rcu_cpu_work, rcu_work.work);
	krcp = krwp->krcp;

	raw_spin_lock_irqsave(&krcp->lock, flags);
	for (i = 0; i < FREE_N_CHANNELS; i++) {
		bkvhead[i] = krwp->bkvhead_free[i];
		krwp->bkvhead_free[i] = NULL;
	}
	head = krwp->head_free;
	krwp->head_free = NULL;
	late = krwp->late_attach;
	krwp->late_attach = 0;
	raw_spin_unlock_irqrestore(&krcp->lock, flags);

	for (i = 0; i < FREE_N_CHANNELS; i++) {
		for (; bkvhead[i]; bkvhead[i] = bnext) {
			bnext = bkvhead[i]->next;
			/* kfree_bulk(bkvhead[i]->nr_records, bkvhead[i]->records) */
			for (unsigned long j = 0; j < bkvhead[i]->nr_records; j++)
				obj_kfree(bkvhead[i]->records[j], late & LATE_BKV, "kfree_bulk");

			raw_spin_lock_irqsave(&krcp->lock, flags);
			if (put_cached_bnode(krcp, bkvhead[i]))
				bkvhead[i] = NULL;
			raw_spin_unlock_irqrestore(&krcp->lock, flags);

			if (bkvhead[i])
				free_page((unsigned long)bkvhead[i]);
			cond_resched();	/* cond_resched_tasks_rcu_qs() */
		}
	}

	/* Emergency case only: the rcu_head channel. */
	for (; head; head = next) {
		unsigned long offset = (unsigned long)head->func;
		void *ptr = (char *)head - offset;

		next = head->next;
		obj_kfree(ptr, late & LATE_HEAD, "kvfree");
		cond_resched();
	}
}

/*
 * Mirrors kvfree_call_rcu(), kernel/rcu/tree.c v5.9 with 1/4: on a
 * fallback the page cache work is queued (system_highpri_wq; the machine's
 * one queue) unless interrupts were disabled when kvfree_rcu() was called.
 */
static void kvfree_call_rcu(struct rcu_head *head, unsigned long func, bool *via_sync,
			    bool *via_head)
{
	unsigned long flags;
	struct kfree_rcu_cpu *krcp;
	bool irq_disabled = irqs_disabled();
	bool success;
	void *ptr;

	if (head) {
		ptr = (char *)head - func;
	} else {
		might_sleep();
		ptr = (void *)func;
	}

	/* krc_this_cpu_lock() */
	local_irq_save(flags);
	krcp = &krc[smp_processor_id()];
	raw_spin_lock(&krcp->lock);

	success = kvfree_call_rcu_add_ptr_to_bulk(krcp, ptr);
	if (!success) {
		MM_HARNESS_ACCESS(G->kv_fallbacks++);	/* model: observables */
		/* TODO: schedule the work from the hrtimer. */
		if (!irq_disabled && !krcp->work_in_progress) {
			krcp->work_in_progress = 1;	/* atomic_xchg() */
			queue_work(&mm_cur->system_wq, &krcp->page_cache_work);
		}
		if (head == NULL)
			goto unlock_return;
		head->func = (void (*)(struct rcu_head *))func;
		head->next = krcp->head;
		krcp->head = head;
		success = true;
		*via_head = true;
	}

	WRITE_ONCE(krcp->count, krcp->count + 1);
	if (!krcp->monitor_todo) {
		krcp->monitor_todo = true;
		schedule_work(&krcp->monitor_work);	/* KFREE_DRAIN_JIFFIES */
	}

unlock_return:
	raw_spin_unlock(&krcp->lock);
	local_irq_restore(flags);

	if (!success) {
		*via_sync = true;
		synchronize_rcu();
		obj_kfree(ptr, false, "kvfree_call_rcu");
	}
}

/* Mirrors kfree_rcu_batch_init(), v5.9 with 1/4: no prefill, the page cache work. */
static void kfree_rcu_batch_init(void)
{
	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct kfree_rcu_cpu *krcp = &krc[cpu];

		raw_spin_lock_init(&krcp->lock);
		krcp->cpu = cpu;
		for (int i = 0; i < KFREE_N_BATCHES; i++) {
			INIT_WORK(&krcp->krw_arr[i].rcu_work.work, kfree_rcu_work);
			krcp->krw_arr[i].krcp = krcp;
		}
		INIT_WORK(&krcp->monitor_work, kfree_rcu_monitor);
		INIT_WORK(&krcp->page_cache_work, fill_page_cache_func);
		if (cpu >= G->nr_cpus)
			continue;
		krcp->initialized = true;
	}
}

#include "../../ref/pagealloc/pa_check.h"

/*
 * What 2/4 promises, checked around the lockless_alloc op: a success took
 * exactly one page off this CPU's pcp lists and left the buddy alone, and
 * the page is the one the posted code specifies: the first list head,
 * zones in zonelist order (Normal, DMA32), migratetypes 0..2, that passes
 * check_new_pcp(); it fails only when there is none (or with
 * DEBUG_PAGEALLOC).
 */
struct lockless_snap {
	long nr_free[MAX_NR_ZONES];
	long pcp[MAX_NR_ZONES];
	struct page *expect;
};

static void lockless_snap_take(struct lockless_snap *s)
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

static void lockless_snap_verify(const struct lockless_snap *s, struct page *page)
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

/* tests build purpose-broken copies of this port by defining it */
#ifndef PA_LOCKLESS_FN
#define PA_LOCKLESS_FN	__rcu_alloc_page_lockless
#endif

/*
 * the lockless_alloc op: __rcu_alloc_page_lockless(), checked when the op
 * runs alone: the snapshot compares the zones' and the CPU's pcp counters
 * across the call, and another CPU's thread changes them meanwhile in the
 * threaded mode (mm_op_alone() is false there)
 */
static unsigned long pa_port_kvfree_block_page(void)
{
	struct lockless_snap snap;
	unsigned long addr;
	bool alone = mm_op_alone();

	if (alone)
		lockless_snap_take(&snap);
	addr = PA_LOCKLESS_FN();
	if (alone && mm_op_alone())
		lockless_snap_verify(&snap, addr ? virt_to_page((void *)addr) : NULL);
	return addr;
}

#ifndef PA_VARIANT
#define PA_VARIANT	pagealloc_lockless
#endif
#define PA_NAME		"lockless"
#define PA_REFERENCE	"v5.9"
#define PA_MODELS	"Rezki's series \"kvfree_rcu() and _LOCK_NESTING/_PREEMPT_RT\" (2020-09-18) patches 1-3: [RFC-PATCH 2/4] __rcu_alloc_page_lockless(), Message-ID 20200918194817.48921-3-urezki@gmail.com, with its kvfree_rcu() client (1/4 page cache work, 3/4)"
#define PA_EXPECT	"clean"
#include "../../ref/pagealloc/pa_harness.h"

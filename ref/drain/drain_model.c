// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drain family's shared model: zones, per-cpu pagesets and the drain
 * helpers of mm/page_alloc.c v5.17, the allocation path down to direct
 * reclaim, mm_percpu_wq pools, kthread workers (kernel/kthread.c v5.17),
 * CPU hotplug and a scheduler tick.  Every variant runs on it; the
 * variants differ only in __drain_all_pages() and in what they hook into
 * page_alloc_init_late() and CPU hotplug.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/sched.h>
#include <mm/threads.h>
#include "drain_internal.h"

struct dr_state *dr_G;

struct workqueue_struct {
	const char *name;
};
static struct workqueue_struct mm_percpu_wq_struct = { "mm_percpu_wq" };
/* created by init_mm_internals() before smp_init(): present in every phase modelled */
struct workqueue_struct *const mm_percpu_wq = &mm_percpu_wq_struct;

/* -- scheduler ----------------------------------------------------------- */

static struct dr_pool_work *pool_work_of(struct work_struct *w)
{
	for (int c = 0; c < MM_MAX_CPUS; c++) {
		struct dr_pool_work *pw = dr_G->pool_work[c];

		if ((char *)w >= (char *)pw && (char *)w < (char *)(pw + DR_POOL_SLOTS))
			return container_of(w, struct dr_pool_work, work);
	}
	return NULL;
}

/* a tick of the per-cpu pool's kworker: the head item runs when its cost is paid */
static void pool_tick(int cpu)
{
	struct work_struct *w = dr_G->pool[cpu].head;
	struct dr_pool_work *pw = pool_work_of(w);

	if (pw && pw->left > 1) {
		pw->left--;
		return;
	}
	mm_run_work(&dr_G->pool[cpu], w);
}

/* kthread_worker_fn(), one work item: runs in the worker's own context */
static void kthread_worker_run_one(struct kthread_worker *worker)
{
	struct mm_cpu saved = *mm_this_cpu();
	struct kthread_work *work;

	work = list_first_entry(&worker->work_list, struct kthread_work, node);
	list_del_init(&work->node);
	worker->current_work = work;
	worker->running.name = "the kthread worker's running item";
	worker->running.owner = mm_lock_owner_id();
	memset(mm_this_cpu(), 0, sizeof(saved));
	work->func(work);
	*mm_this_cpu() = saved;
	worker->current_work = NULL;
	worker->running.owner = 0;
	mm_sched_wake(&worker->running);
}

/* its item runs in a task stopped half-way (not the caller's own) */
static bool worker_busy_elsewhere(const struct kthread_worker *kw)
{
	return kw && kw->current_work && mm_owner_task(kw->running.owner) != mm_cur->cur_task;
}

/*
 * One tick of @cpu: a SCHED_FIFO worker with work runs; otherwise the
 * SCHED_NORMAL entities (the pool's kworker, a SCHED_NORMAL kthread
 * worker, the competing tasks) take turns.
 */
static void dr_tick_cpu(int cpu)
{
	struct kthread_worker *kw = dr_G->kt_live[cpu];
	/* a kthread whose item is under way in a stopped task is that task */
	bool kw_has = kw && !list_empty(&kw->work_list) && !worker_busy_elsewhere(kw);
	bool pool_has = dr_G->pool[cpu].head != NULL;
	int saved = mm_cpu_id(), n, pick;

	mm_cpu_switch(cpu);
	if (kw_has && kw->task->policy == SCHED_FIFO) {
		kthread_worker_run_one(kw);
		goto out;
	}
	/* the harness's injected load (threaded mode: another CPU's op may reset it) */
	MM_HARNESS_ACCESS(n = pool_has + kw_has + dr_G->nr_hogs[cpu]);
	if (!n)
		goto out;
	pick = (int)(dr_G->rr[cpu]++ % (unsigned int)n);
	if (pool_has && pick == 0)
		pool_tick(cpu);
	else if (kw_has && pick == pool_has)
		kthread_worker_run_one(kw);
out:
	mm_cpu_switch(saved);
}

/*
 * The pool of an offline CPU is unbound: an unbound kworker runs its items
 * on an online CPU (CPU 0 here), as the comment in drain_local_pages_wq()
 * expects ("We can operate on a different cpu which is alright").
 */
static void dr_tick_unbound(int cpu)
{
	int saved = mm_cpu_id();

	mm_cpu_switch(0);
	pool_tick(cpu);
	mm_cpu_switch(saved);
}

void dr_tick_all(void)
{
	int cpu;

	dr_G->ticks++;
	for (cpu = 0; cpu < dr_G->nr_cpus; cpu++) {
		if (cpu_online(cpu))
			dr_tick_cpu(cpu);
		else if (dr_G->pool[cpu].head)
			dr_tick_unbound(cpu);
	}
}

/* sleep until @done: time passes on every CPU */
static void dr_wait_until(bool (*done)(const void *), const void *arg, const char *site)
{
	long n = 0;

	while (!done(arg)) {
		MM_LOOP_GUARD(n, DR_TICK_BOUND, site);
		/*
		 * items under way in stopped tasks end before time passes:
		 * the waiter sleeps while their workers run on
		 */
		if (mm_flush_running_work(NULL, site))
			continue;
		for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
			struct kthread_worker *kw = dr_G->kt_live[cpu];

			if (worker_busy_elsewhere(kw))
				mm_sched_wait(&kw->running, site);
		}
		dr_tick_all();
		dr_G->wait_ticks++;
	}
}

/* -- mm_percpu_wq ---------------------------------------------------------- */

/* the pools' queues are the harness's books: walked under the harness mutex */
static bool work_queued(const struct work_struct *work)
{
	bool queued = false;

	mm_harness_lock();
	for (int c = 0; c < MM_MAX_CPUS && !queued; c++)
		for (const struct work_struct *w = dr_G->pool[c].head; w; w = w->next)
			if (w == work)
				queued = true;
	mm_harness_unlock();
	return queued;
}

static bool work_idle(const void *w)
{
	return !work_queued(w);
}

/* Mirrors queue_work_on() (kernel/workqueue.c v5.17) on a per-cpu workqueue. */
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	if (work_queued(work)) {
		if (!pool_work_of(work))
			mm_violation("DOUBLE_QUEUE", "queue_work_on",
				     "drain work of CPU %d queued while pending", cpu);
		return false;
	}
	mm_queue_work(&dr_G->pool[cpu], work);
	return true;
}

/* Mirrors flush_work(): wait until @work has run. */
bool flush_work(struct work_struct *work)
{
	bool queued = work_queued(work);

	might_sleep();
	dr_wait_until(work_idle, work, "flush_work");
	return queued;
}

/* the other users of mm_percpu_wq: they cost CPU time */
static void vmstat_update(struct work_struct *w)
{
	container_of(w, struct dr_pool_work, work)->used = false;
}

static void lru_add_drain_per_cpu(struct work_struct *w)
{
	container_of(w, struct dr_pool_work, work)->used = false;
}

/* a blocker: work that frees the pages it holds when it is done */
static void blocker_workfn(struct work_struct *w)
{
	struct dr_pool_work *pw = container_of(w, struct dr_pool_work, work);

	for (int i = 0; i < pw->nr_pages; i++) {
		dr_G->work_pages--;
		free_unref_page(pw->pages[i]);
	}
	pw->nr_pages = 0;
	pw->used = false;
}

/* -- buddy and pcp ----------------------------------------------------------- */

static void buddy_add(struct zone *zone, struct page *page, int mt)
{
	page->loc = DR_LOC_BUDDY;
	page->mt = mt;
	page->cpu = -1;
	list_add(&page->lru, &zone->free_list[mt]);
	MM_ATOMIC_ADD(zone->nr_free, 1);	/* vm_stat: atomic_long_add() */
}

/* __rmqueue(): the migratetype's list, else any other (no stealing modelled) */
static struct page *__rmqueue(struct zone *zone, int migratetype)
{
	for (int i = 0; i < MIGRATE_PCPTYPES; i++) {
		int mt = (migratetype + i) % MIGRATE_PCPTYPES;
		struct page *page;

		if (list_empty(&zone->free_list[mt]))
			continue;
		page = list_first_entry(&zone->free_list[mt], struct page, lru);
		list_del(&page->lru);
		return page;
	}
	return NULL;
}

/* Mirrors rmqueue_bulk(), mm/page_alloc.c v5.17 (order 0). */
static int rmqueue_bulk(struct zone *zone, unsigned long count, struct list_head *list,
			int migratetype, int cpu)
{
	int i, allocated = 0;

	spin_lock(&zone->lock);
	for (i = 0; i < (int)count; ++i) {
		struct page *page = __rmqueue(zone, migratetype);

		if (!page)
			break;
		page->loc = DR_LOC_PCP;
		page->cpu = cpu;
		page->mt = migratetype;
		list_add_tail(&page->lru, list);
		allocated++;
	}
	MM_ATOMIC_ADD(zone->nr_free, -(long)i);	/* vm_stat: atomic_long_add() */
	spin_unlock(&zone->lock);
	return allocated;
}

/*
 * Mirrors free_pcppages_bulk(), mm/page_alloc.c v5.17 (order 0): lists
 * taken round-robin, pages from the tail, back to the buddy under
 * zone->lock.
 */
static void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp)
{
	int pindex = 0;

	count = min(pcp->count, count);
	spin_lock(&zone->lock);
	while (count > 0) {
		struct list_head *list;
		struct page *page;

		do {
			if (++pindex == MIGRATE_PCPTYPES)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (list_empty(list));
		page = list_last_entry(list, struct page, lru);
		list_del(&page->lru);
		pcp->count--;
		count--;
		buddy_add(zone, page, pindex);
	}
	spin_unlock(&zone->lock);
}

/*
 * Mirrors drain_pages_zone(), mm/page_alloc.c v5.17: @cpu is the current
 * CPU (pinned) or one that is not online.
 */
void drain_pages_zone(unsigned int cpu, struct zone *zone)
{
	struct per_cpu_pages *pcp;
	int flags;

	local_irq_save(flags);
	pcp = per_cpu_ptr(&zone->per_cpu_pageset, cpu);
	if (pcp->count)
		free_pcppages_bulk(zone, pcp->count, pcp);
	local_irq_restore(flags);
	/* the model's drain bookkeeping (harness) */
	MM_HARNESS_ACCESS(dr_G->drained_gen[cpu][zone->idx] = dr_G->drain_gen;
			  dr_G->freed_after_drain[cpu][zone->idx] = false);
}

/* Mirrors drain_pages(), mm/page_alloc.c v5.17. */
void drain_pages(unsigned int cpu)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		drain_pages_zone(cpu, zone);
}

/* Mirrors drain_local_pages(), mm/page_alloc.c v5.17: this CPU's lists. */
void drain_local_pages(struct zone *zone)
{
	int cpu = smp_processor_id();

	if (zone)
		drain_pages_zone(cpu, zone);
	else
		drain_pages(cpu);
}

/*
 * Mirrors free_unref_page() of an order-0 page, mm/page_alloc.c v5.17,
 * onto this CPU's list; at pcp->high a batch goes back to the buddy (the
 * v5.17 free_factor scaling of nr_pcp_free() is not modelled).
 */
void free_unref_page(struct page *page)
{
	struct zone *zone = &dr_G->zones[page->zone];
	int cpu = smp_processor_id();
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
	int flags;

	local_irq_save(flags);
	page->loc = DR_LOC_PCP;
	page->cpu = cpu;
	list_add(&page->lru, &pcp->lists[page->mt]);
	pcp->count++;
	MM_HARNESS_ACCESS(dr_G->freed_after_drain[cpu][zone->idx] = true);	/* harness */
	if (pcp->count >= pcp->high)
		free_pcppages_bulk(zone, pcp->batch, pcp);
	local_irq_restore(flags);
}

/* Mirrors rmqueue_pcplist() / __rmqueue_pcplist(), mm/page_alloc.c v5.17 (order 0). */
static struct page *rmqueue_pcplist(struct zone *zone, int migratetype)
{
	int cpu = smp_processor_id();
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
	struct list_head *list = &pcp->lists[migratetype];
	struct page *page;
	int flags;

	local_irq_save(flags);
	if (list_empty(list)) {
		pcp->count += rmqueue_bulk(zone, pcp->batch, list, migratetype, cpu);
		if (list_empty(list)) {
			local_irq_restore(flags);
			return NULL;
		}
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	pcp->count--;
	local_irq_restore(flags);
	return page;
}

/* order-0 zone_watermark_ok(): free pages above the mark (no lowmem_reserve) */
static bool zone_watermark_ok(const struct zone *z, long mark)
{
	return READ_ONCE(z->nr_free) > mark;	/* zone_page_state(): atomic_long_read() */
}

/* Mirrors get_page_from_freelist(): the zonelist from @high_zoneidx down. */
static struct page *get_page_from_freelist(int high_zoneidx, int migratetype, bool min_mark)
{
	for (int z = high_zoneidx; z >= 0; z--) {
		struct zone *zone = &dr_G->zones[z];
		struct page *page;

		if (!zone_watermark_ok(zone, min_mark ? zone->wmark_min : zone->wmark_low))
			continue;
		page = rmqueue_pcplist(zone, migratetype);
		if (page)
			return page;
	}
	return NULL;
}

/* drain_all_pages() as called from the kernel: the variant's __drain_all_pages(zone, false) */
static void drain_all_pages(struct zone *zone)
{
	dr_drain_all(zone, false, false);
}

/*
 * Mirrors __alloc_pages_direct_reclaim(), mm/page_alloc.c v5.17.  Reclaim
 * itself is not modelled: it reports progress without freeing pages, so
 * the allocation retries, drains the pcp lists and retries once more.
 * v5.17 drains with NULL; the zone-targeted drain is what the op asked for
 * (reclaim_drain), see docs/drain.md.
 */
static struct page *__alloc_pages_direct_reclaim(int high_zoneidx, int migratetype)
{
	struct page *page;
	bool drained = false;

retry:
	page = get_page_from_freelist(high_zoneidx, migratetype, true);
	if (!page && !drained) {
		int rz;

		/* the harness's choice, set by the cpu_online op that runs this */
		MM_HARNESS_ACCESS(rz = dr_G->reclaim_drain);

		MM_HARNESS_ACCESS(dr_G->reclaim_drains++);	/* model: observables */
		drain_all_pages(rz == DR_ZONE_NULL ? NULL : &dr_G->zones[rz - 1]);
		drained = true;
		goto retry;
	}
	return page;
}

/*
 * Mirrors __alloc_pages() of an order-0 page (v5.17): the fast path at the
 * low watermark, then the slow path at the min watermark and, for a
 * request that may block, one round of direct reclaim.  No OOM killer.
 */
static struct page *__alloc_pages(gfp_t gfp, int high_zoneidx, int migratetype, long *rounds)
{
	struct page *page;

	page = get_page_from_freelist(high_zoneidx, migratetype, false);
	if (page)
		return page;
	page = get_page_from_freelist(high_zoneidx, migratetype, true);
	if (page || !gfpflags_allow_blocking(gfp))
		return page;
	might_sleep();
	if (rounds)
		(*rounds)++;
	return __alloc_pages_direct_reclaim(high_zoneidx, migratetype);
}

/*
 * kzalloc(GFP_KERNEL) of the kthread API: served from a cached slab, or
 * (slab=new_page) a new slab page from the page allocator, which may
 * enter direct reclaim.
 */
static void *dr_kzalloc_kernel(size_t size)
{
	might_sleep();
	if (mm_should_fail(MM_FAIL_KMALLOC))
		return NULL;
	if (dr_G->slab_needs_page) {
		struct page *page = __alloc_pages(GFP_KERNEL, DR_NR_ZONES - 1, 0, NULL);

		if (!page)
			return NULL;
		page->loc = DR_LOC_SLAB;
		dr_G->slab_pages++;
		dr_G->slab_needs_page = false;
	}
	return mm_kzalloc(size, MM_FAIL_NR);
}

/* -- kthread workers -------------------------------------------------------- */

/*
 * Mirrors kthread_create_worker_on_cpu() / __kthread_create_worker(),
 * kernel/kthread.c v5.17: kzalloc(GFP_KERNEL) of the worker, then the
 * task (created by kthreadd; its own allocations are not modelled), bound
 * to @cpu.
 */
struct kthread_worker *kthread_create_worker_on_cpu(int cpu, unsigned int flags,
						    const char *namefmt, ...)
{
	struct kthread_worker *worker;
	struct task_struct *task;
	va_list ap;

	worker = dr_kzalloc_kernel(sizeof(*worker));
	if (!worker) {
		dr_G->kt_create_failed[cpu] = true;
		return ERR_PTR(-ENOMEM);
	}
	raw_spin_lock_init(&worker->lock);
	INIT_LIST_HEAD(&worker->work_list);
	/* __kthread_create_on_node(): may fail (fatal signal, no memory) */
	if (mm_should_fail(MM_FAIL_KTHREAD_CREATE)) {
		mm_kfree(worker);
		dr_G->kt_create_failed[cpu] = true;
		return ERR_PTR(-ENOMEM);
	}
	task = mm_kzalloc(sizeof(*task), MM_FAIL_NR);
	task->cpu = cpu;
	task->policy = SCHED_NORMAL;
	va_start(ap, namefmt);
	vsnprintf(task->comm, sizeof(task->comm), namefmt, ap);
	va_end(ap);
	worker->flags = flags;
	worker->task = task;
	if (dr_G->kt_live[cpu])
		mm_violation("WORKER_MISSING", "kthread_create_worker_on_cpu",
			     "a second kthread worker bound to CPU %d", cpu);
	dr_G->kt_live[cpu] = worker;
	dr_G->nr_workers++;
	dr_G->kt_create_failed[cpu] = false;
	return worker;
}

/* Mirrors sched_set_fifo_low() (kernel/sched/core.c v5.17): SCHED_FIFO, priority 1. */
void sched_set_fifo_low(struct task_struct *p)
{
	p->policy = SCHED_FIFO;
}

/* is @worker alive (created and not destroyed) */
static bool worker_alive(const struct kthread_worker *worker)
{
	for (int c = 0; c < MM_MAX_CPUS; c++)
		if (dr_G->kt_live[c] == worker)
			return true;
	return false;
}

/* Mirrors kthread_init_work(). */
void kthread_init_work(struct kthread_work *work, kthread_work_func_t fn)
{
	memset(work, 0, sizeof(*work));
	INIT_LIST_HEAD(&work->node);
	work->func = fn;
}

/* Mirrors kthread_queue_work() with its sanity checks, kernel/kthread.c v5.17. */
bool kthread_queue_work(struct kthread_worker *worker, struct kthread_work *work)
{
	bool ret = false;
	int flags;

	raw_spin_lock_irqsave(&worker->lock, flags);
	if (!list_empty(&work->node) || work->canceling) {
		/* queuing_blocked(): the drain never queues its item twice */
		raw_spin_unlock_irqrestore(&worker->lock, flags);
		mm_violation("DOUBLE_QUEUE", "kthread_queue_work",
			     "drain work of %s queued while pending", worker->task->comm);
	}
	WARN_ON_ONCE(work->worker && work->worker != worker);
	list_add_tail(&work->node, &worker->work_list);
	work->worker = worker;
	ret = true;
	raw_spin_unlock_irqrestore(&worker->lock, flags);
	return ret;
}

static bool kwork_idle(const void *arg)
{
	const struct kthread_work *work = arg;

	return list_empty(&work->node) && (!work->worker || work->worker->current_work != work);
}

/* Mirrors kthread_flush_work(): wait until @work is neither queued nor running. */
void kthread_flush_work(struct kthread_work *work)
{
	if (!work->worker)
		return;
	if (!worker_alive(work->worker))
		mm_violation("MEMORY_SAFETY", "kthread_flush_work",
			     "work->worker is a destroyed kthread_worker: its lock is on freed memory");
	might_sleep();
	dr_wait_until(kwork_idle, work, "kthread_flush_work");
}

/*
 * Mirrors kthread_cancel_work_sync() (a work item only runs inside a
 * tick).  work->worker is whatever worker the item was last queued on; the
 * model reports a destroyed one before the lock in it is touched.
 */
bool kthread_cancel_work_sync(struct kthread_work *work)
{
	struct kthread_worker *worker = work->worker;
	bool ret = false;
	int flags;

	if (!worker)
		return false;
	if (!worker_alive(worker))
		mm_violation("MEMORY_SAFETY", "kthread_cancel_work_sync",
			     "work->worker is a destroyed kthread_worker: raw_spin_lock_irqsave(&worker->lock) on freed memory");
	raw_spin_lock_irqsave(&worker->lock, flags);
	WARN_ON_ONCE(work->worker != worker);
	if (!list_empty(&work->node)) {
		list_del_init(&work->node);
		ret = true;
	}
	raw_spin_unlock_irqrestore(&worker->lock, flags);
	return ret;
}

/* kthread_flush_worker(): nothing queued, and no item under way in a stopped task */
static bool worker_idle(const void *arg)
{
	const struct kthread_worker *kw = arg;

	return list_empty(&kw->work_list) && !worker_busy_elsewhere(kw);
}

/*
 * Mirrors kthread_destroy_worker(), kernel/kthread.c v5.17: reads
 * worker->task first, so a NULL worker oopses.
 */
void kthread_destroy_worker(struct kthread_worker *worker)
{
	struct task_struct *task;
	int cpu;

	if (!worker)
		mm_violation("NULL_DEREF", "kthread_destroy_worker",
			     "kthread_destroy_worker(NULL): worker->task dereferences NULL");
	task = worker->task;
	if (WARN_ON(!task))
		return;
	/* kthread_flush_worker() */
	dr_wait_until(worker_idle, worker, "kthread_flush_worker");
	/* kthread_stop() */
	cpu = task->cpu;
	if (dr_G->kt_live[cpu] == worker) {
		dr_G->kt_live[cpu] = NULL;
		dr_G->nr_workers--;
	}
	mm_kfree(task);
	WARN_ON(!list_empty(&worker->work_list));
	mm_kfree(worker);
}

/* Mirrors cpuhp_setup_state_nocalls(): registers, calls nothing now. */
int cpuhp_setup_state_nocalls(int state, const char *name, cpuhp_cb_t startup,
			      cpuhp_cb_t teardown)
{
	dr_G->cpuhp_startup = startup;
	dr_G->cpuhp_teardown = teardown;
	return 0;
}

/* -- the drain the kernel calls, with its checks ------------------------------- */

void dr_trace_drain_early_return(struct zone *zone)
{
	dr_G->early = true;
	dr_G->drain_early++;
	if (mm_lock_held(&pcpu_drain_mutex.dep))
		mm_violation("DRAIN_SKIPPED_BY_OWNER", "__drain_all_pages",
			     "drain_all_pages(%s) returned early on pcpu_drain_mutex, held by this very task since %s, which is not draining: no page drained",
			     zone ? zone->name : "NULL",
			     pcpu_drain_mutex.dep.site ? pcpu_drain_mutex.dep.site : "?");
}

/*
 * Call the variant's __drain_all_pages(); then PAGES_NOT_DRAINED: every
 * CPU of cpus_with_pcps has empty lists for the zone(s) unless a free
 * followed its drain, and DOUBLE_QUEUE: no drain item is left pending.
 */
void dr_drain_all(struct zone *zone, bool force_all_cpus, bool top)
{
	struct dr_state *s = dr_G;
	bool was_early = s->early, early;
	long t0 = s->wait_ticks, ticks;
	unsigned long gen = ++s->drain_gen;
	const cpumask_t *mask;
	int cpu;

	s->early = false;
	s->drain_calls++;
	s->vops->__drain_all_pages(zone, force_all_cpus);
	early = s->early;
	s->early = was_early;
	ticks = s->wait_ticks - t0;
	s->drain_ticks_total += ticks;
	if (top)
		s->last_drain_ticks = ticks;
	if (ticks)
		mm_note("DRAIN_LATENCY", "%s drain waited %ld ticks", top ? "a" : "a nested", ticks);
	/* a postcondition of this call alone: not while other tasks ran during it */
	if (early || !mm_op_alone())
		return;
	mask = s->vops->cpus_with_pcps();
	for_each_cpu(cpu, mask) {
		for (int z = 0; z < s->nr_zones; z++) {
			int cnt = s->zones[z].per_cpu_pageset[cpu].count;

			if (zone && zone->idx != z)
				continue;
			if (!cnt || (s->drained_gen[cpu][z] >= gen && s->freed_after_drain[cpu][z]))
				continue;
			mm_violation("PAGES_NOT_DRAINED", "__drain_all_pages",
				     "CPU %d was in cpus_with_pcps but still has %d pages on its %s pcp lists (%s)",
				     cpu, cnt, s->zones[z].name,
				     s->drained_gen[cpu][z] >= gen ? "drained, then refilled without a free" :
				     "never drained by this call");
		}
	}
	for (cpu = 0; cpu < s->nr_cpus; cpu++)
		if (s->vops->drain_pending(cpu))
			mm_violation("DOUBLE_QUEUE", "__drain_all_pages",
				     "the drain work of CPU %d is still pending after the flush loop", cpu);
}

/* -- instance ------------------------------------------------------------------- */

void *dr_create(const struct mm_config *cfg, const struct dr_variant_ops *vops)
{
	struct dr_state *s = mm_kzalloc(sizeof(*s), MM_FAIL_NR);
	static const char *const names[DR_NR_ZONES] = { "DMA32", "Normal" };
	long present[DR_NR_ZONES] = { cfg->v[DR_CFG_dma32_pages], cfg->v[DR_CFG_normal_pages] };
	int batch = (int)cfg->v[DR_CFG_pcp_batch];

	dr_G = s;
	mm_bind_global(&dr_G, s);	/* tasks resume with their instance */
	s->vops = vops;
	s->nr_cpus = mm_cur->nr_cpus;
	s->online.bits = (1UL << s->nr_cpus) - 1;
	s->init_late_done = cfg->v[DR_CFG_boot] == DR_BOOT_LATE;
	mm_lock_init(&s->drain_mutex.dep, "pcpu_drain_mutex", MM_MUTEX);
	mm_lock_init(&s->cpu_add_remove_lock.dep, "cpu_add_remove_lock", MM_MUTEX);
	/* what an op sets up for its own calls: each task has its own */
	mm_task_local(&s->slab_needs_page, sizeof(s->slab_needs_page));
	mm_task_local(&s->reclaim_drain, sizeof(s->reclaim_drain));
	s->nr_zones = DR_NR_ZONES;
	for (int z = 0; z < DR_NR_ZONES; z++) {
		struct zone *zone = &s->zones[z];

		zone->name = names[z];
		zone->idx = z;
		spin_lock_init(&zone->lock);
		zone->lock.dep.name = "zone->lock";
		zone->present_pages = present[z];
		zone->wmark_min = cfg->v[DR_CFG_wmark_min];
		zone->wmark_low = zone->wmark_min + zone->wmark_min / 4;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			INIT_LIST_HEAD(&zone->free_list[mt]);
		for (int c = 0; c < MM_MAX_CPUS; c++) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[c];

			pcp->batch = batch;
			pcp->high = batch * (int)cfg->v[DR_CFG_pcp_high_mult];
			for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
				INIT_LIST_HEAD(&pcp->lists[mt]);
		}
		for (long i = 0; i < present[z]; i++) {
			struct page *page = &s->pages[s->nr_pages++];

			page->zone = z;
			buddy_add(zone, page, 1);	/* MIGRATE_MOVABLE */
		}
	}
	for (int c = 0; c < MM_MAX_CPUS; c++)
		s->pool[c].name = "mm_percpu_wq";
	if (vops->init)
		vops->init();
	/* page_alloc_init_late() ran before this machine's first op */
	if (s->init_late_done && vops->init_late)
		vops->init_late();
	return s;
}

static void zone_counts(long free[DR_NR_ZONES], long work[DR_NR_ZONES])
{
	struct dr_state *s = dr_G;

	for (int z = 0; z < s->nr_zones; z++) {
		free[z] = s->zones[z].nr_free;
		work[z] = 0;
		for (int c = 0; c < MM_MAX_CPUS; c++) {
			s->pcp_before_op[c][z] = s->zones[z].per_cpu_pageset[c].count;
			free[z] += s->zones[z].per_cpu_pageset[c].count;
		}
	}
	s->drain_gen_before_op = s->drain_gen;
	for (int i = 0; i < s->nr_pages; i++)
		if (s->pages[i].loc == DR_LOC_WORK)
			work[s->pages[i].zone]++;
}

/*
 * The executor's table of pages the callers hold.  In the threaded mode two
 * CPUs use it at once: it is changed under the harness mutex, and a page put
 * in it is released to the op that takes it out (mm_tsan_release(),
 * threads.h), as handing a page to another CPU is synchronization in the
 * kernel.  NULL when another CPU took the last one.
 */
static struct page *live_take(int k)
{
	struct dr_state *s = dr_G;
	struct page *page = NULL;

	mm_harness_lock();
	if (s->nr_live) {
		int idx = k % s->nr_live;

		page = s->live[idx];
		s->live[idx] = s->live[--s->nr_live];
		s->user_pages--;
	}
	mm_harness_unlock();
	if (page)
		mm_tsan_acquire(page);
	return page;
}

static void op_alloc(const struct mm_op *op, struct mm_opres *res)
{
	struct dr_state *s = dr_G;
	gfp_t gfp = op->arg[DR_ALLOC_gfp] == 0 ? GFP_KERNEL : GFP_NOWAIT;
	long got = 0, rounds = 0;

	for (uint32_t i = 0; i < op->arg[DR_ALLOC_n]; i++) {
		struct page *page = __alloc_pages(gfp, (int)op->arg[DR_ALLOC_zone],
						  (int)op->arg[DR_ALLOC_mt], &rounds);

		if (!page) {
			res->status = -ENOMEM;
			break;
		}
		page->loc = DR_LOC_USER;
		page->mt = (int)op->arg[DR_ALLOC_mt];
		mm_tsan_release(page);
		mm_harness_lock();
		s->live[s->nr_live++] = page;
		s->user_pages++;
		mm_harness_unlock();
		got++;
	}
	res->val[0] = got;
	res->val[1] = op->arg[DR_ALLOC_n];
	res->val[2] = rounds;
	snprintf(res->text, sizeof(res->text), "%ld/%u pages, %ld reclaim rounds%s", got,
		 op->arg[DR_ALLOC_n], rounds, res->status ? ", failed" : "");
}

static void op_inject(const struct mm_op *op, struct mm_opres *res)
{
	struct dr_state *s = dr_G;
	int cpu = (int)op->arg[DR_INJECT_WORK_cpu];
	static const work_func_t fns[] = { vmstat_update, lru_add_drain_per_cpu, blocker_workfn };
	struct dr_pool_work *pw = NULL;

	if (!cpu_online(cpu)) {
		res->status = 1;
		return;
	}
	for (int i = 0; i < DR_POOL_SLOTS; i++)
		if (!s->pool_work[cpu][i].used) {
			pw = &s->pool_work[cpu][i];
			break;
		}
	if (!pw) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "pool of CPU %d full", cpu);
		return;
	}
	memset(pw, 0, sizeof(*pw));
	pw->used = true;
	pw->kind = (int)op->arg[DR_INJECT_WORK_kind];
	pw->left = (int)op->arg[DR_INJECT_WORK_cost];
	INIT_WORK(&pw->work, fns[pw->kind]);
	if (pw->kind == DR_WORK_BLOCKER)
		while (pw->nr_pages < (int)op->arg[DR_INJECT_WORK_pages] && s->nr_live) {
			struct page *page = live_take(pw->nr_pages);

			if (!page)
				break;
			page->loc = DR_LOC_WORK;
			pw->pages[pw->nr_pages++] = page;
			s->work_pages++;
		}
	queue_work_on(cpu, mm_percpu_wq, &pw->work);
	snprintf(res->text, sizeof(res->text), "%s on CPU %d, %d ticks, %d pages",
		 dr_work_names[pw->kind], cpu, pw->left, pw->nr_pages);
}

static void op_cpu_online(const struct mm_op *op, struct mm_opres *res)
{
	struct dr_state *s = dr_G;
	int cpu = (int)op->arg[DR_CPU_ONLINE_cpu];

	if (!s->init_late_done || cpu >= s->nr_cpus || cpu_online(cpu)) {
		res->status = 1;
		return;
	}
	/* set_cpu_online() precedes the CPUHP_AP_ONLINE_DYN states */
	cpumask_set_cpu(cpu, &s->online);
	s->slab_needs_page = op->arg[DR_CPU_ONLINE_slab];
	s->reclaim_drain = (int)op->arg[DR_CPU_ONLINE_reclaim_drain];
	if (s->cpuhp_startup)
		s->cpuhp_startup(cpu);
	s->slab_needs_page = false;
	s->reclaim_drain = DR_ZONE_NULL;
	res->val[0] = s->nr_workers;
	snprintf(res->text, sizeof(res->text), "CPU %d online, %d workers", cpu, s->nr_workers);
}

/* Mirrors page_alloc_cpu_dead(), mm/page_alloc.c v5.17 (the pcp part). */
static int page_alloc_cpu_dead(unsigned int cpu)
{
	drain_pages(cpu);
	return 0;
}

static void op_cpu_offline(const struct mm_op *op, struct mm_opres *res)
{
	struct dr_state *s = dr_G;
	int cpu = (int)op->arg[DR_CPU_OFFLINE_cpu];

	if (!s->init_late_done || cpu == 0 || cpu >= s->nr_cpus || !cpu_online(cpu)) {
		res->status = 1;
		return;
	}
	if (s->cpuhp_teardown)
		s->cpuhp_teardown(cpu);
	/* the pool's pending items run before the CPU is dead (workqueue unbinding) */
	mm_run_workqueue(&s->pool[cpu], -1);
	/* tasks preempted on it move to CPU 0 before it dies (migrate_tasks()) */
	mm_tasks_migrate(cpu, 0);
	cpumask_clear_cpu(cpu, &s->online);
	MM_HARNESS_ACCESS(s->nr_hogs[cpu] = 0);
	page_alloc_cpu_dead(cpu);
	res->val[0] = s->nr_workers;
	snprintf(res->text, sizeof(res->text), "CPU %d offline, %d workers", cpu, s->nr_workers);
}

void dr_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	struct dr_state *s = inst;
	int cpu = mm_cpu_id();

	dr_G = s;
	zone_counts(s->free_before_op, s->work_before_op);
	switch (op->id) {
	case DR_OP_ALLOC:
		if (!cpu_online(op->arg[DR_ALLOC_cpu]))
			goto skip;
		op_alloc(op, res);
		break;
	case DR_OP_FREE: {
		long n = 0;

		if (!cpu_online(op->arg[DR_FREE_cpu]) || !s->nr_live)
			goto skip;
		for (uint32_t i = 0; i < op->arg[DR_FREE_n]; i++, n++) {
			struct page *page = live_take((int)op->arg[DR_FREE_k]);

			if (!page)
				break;
			free_unref_page(page);
		}
		res->val[0] = n;
		snprintf(res->text, sizeof(res->text), "%ld pages freed on CPU %d", n, cpu);
		break;
	}
	case DR_OP_DRAIN_ALL: {
		int z = (int)op->arg[DR_DRAIN_ALL_zone];
		long early0 = s->drain_early;

		if (!cpu_online(op->arg[DR_DRAIN_ALL_cpu]))
			goto skip;
		dr_drain_all(z == DR_ZONE_NULL ? NULL : &s->zones[z - 1],
			     op->arg[DR_DRAIN_ALL_force_all_cpus], true);
		res->val[0] = s->drain_early != early0;
		res->val[1] = s->last_drain_ticks;
		snprintf(res->text, sizeof(res->text), "%s, waited %ld ticks",
			 res->val[0] ? "returned early" : "drained", s->last_drain_ticks);
		break;
	}
	case DR_OP_DRAIN_LOCAL: {
		int z = (int)op->arg[DR_DRAIN_LOCAL_zone];

		if (!cpu_online(op->arg[DR_DRAIN_LOCAL_cpu]))
			goto skip;
		mm_preempt_disable();
		drain_local_pages(z == DR_ZONE_NULL ? NULL : &s->zones[z - 1]);
		mm_preempt_enable();
		break;
	}
	case DR_OP_CPU_ONLINE:
		mutex_lock(&s->cpu_add_remove_lock);
		op_cpu_online(op, res);
		mutex_unlock(&s->cpu_add_remove_lock);
		break;
	case DR_OP_CPU_OFFLINE:
		mutex_lock(&s->cpu_add_remove_lock);
		op_cpu_offline(op, res);
		mutex_unlock(&s->cpu_add_remove_lock);
		break;
	case DR_OP_INJECT_WORK:
		op_inject(op, res);
		break;
	case DR_OP_SCHED_TICK:
		for (uint32_t i = 0; i < op->arg[DR_SCHED_TICK_n]; i++)
			dr_tick_all();
		break;
	case DR_OP_CPU_LOAD:
		if (!cpu_online(op->arg[DR_CPU_LOAD_cpu]))
			goto skip;
		s->nr_hogs[op->arg[DR_CPU_LOAD_cpu]] = (int)op->arg[DR_CPU_LOAD_nr];
		break;
	case DR_OP_FAIL_NEXT:
		mm_cur->fail_next[op->arg[DR_FAIL_NEXT_kind] == DR_FAIL_KTHREAD_CREATE ?
				  MM_FAIL_KTHREAD_CREATE : MM_FAIL_KMALLOC] = op->arg[DR_FAIL_NEXT_n];
		break;
	case DR_OP_INIT_LATE:
		/* boot runs it once, before hotplug can start */
		mutex_lock(&s->cpu_add_remove_lock);
		if (s->init_late_done) {
			mutex_unlock(&s->cpu_add_remove_lock);
			goto skip;
		}
		s->slab_needs_page = op->arg[DR_INIT_LATE_slab];
		s->reclaim_drain = (int)op->arg[DR_INIT_LATE_reclaim_drain];
		if (s->vops->init_late)
			s->vops->init_late();
		s->init_late_done = true;
		s->slab_needs_page = false;
		s->reclaim_drain = DR_ZONE_NULL;
		mutex_unlock(&s->cpu_add_remove_lock);
		res->val[0] = s->nr_workers;
		break;
	default:
		goto skip;
	}
	return;
skip:
	res->status = 1;
}

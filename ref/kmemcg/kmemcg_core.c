// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kmemcg model every variant shares: percpu_ref (lib/percpu-refcount.c
 * v5.1/v5.2), memory cgroups (mm/memcontrol.c v5.1: css_alloc, online and
 * offline of kmem, css_free), the SLUB-like slab of root and per-memcg
 * caches (mm/slub.c, mm/slab_common.c v5.1: create_cache,
 * memcg_create_kmem_cache, shutdown_cache, shutdown_memcg_caches,
 * kmem_cache_destroy), charging (__memcg_kmem_charge_memcg()), and the
 * harness side: ops, invariants, observables.  What the variants port
 * differently is in struct kmemcg_ops (kmemcg_v5_1.c, impl/kmemcg/).
 */
#include "kmemcg_internal.h"
#include <mm/once.h>
#include <mm/threads.h>

struct kmc_state *G;

/* -- RCU read side, per task ----------------------------------------- */
void kmc_rcu_read_lock(void)
{
	current_task()->rcu_read_depth++;
	mm_rcu_read_lock();
}

void kmc_rcu_read_unlock(void)
{
	if (current_task()->rcu_read_depth <= 0)
		mm_violation("RCU_NESTING_DRIFT", "rcu_read_unlock",
			     "rcu_read_unlock() without rcu_read_lock() (task of cpu %d)", mm_cpu_id());
	current_task()->rcu_read_depth--;
	mm_rcu_read_unlock();
}

void *kmalloc(size_t size)
{
	if (mm_should_fail(MM_FAIL_KMALLOC))
		return NULL;
	return mm_kzalloc(size, MM_FAIL_NR);
}

void kfree(void *p)
{
	if (p)
		mm_kfree(p);
}

/* -- the memcg_params rcu_head/work union ------------------------------ */
static void kmc_union_busy(struct kmem_cache *s, const char *what)
{
	if (s->memcg_params.rcu_pending || s->memcg_params.work.pending)
		mm_violation("DOUBLE_QUEUE", what,
			     "%s of cache %s while its memcg_params %s is still pending", what, s->name,
			     s->memcg_params.rcu_pending ? "rcu_head" : "work");
}

static void kmc_rcu_trampoline(struct rcu_head *head);

struct kmc_rcu_tramp {
	void (*func)(struct rcu_head *);
};

void call_rcu_checked(struct rcu_head *head, void (*func)(struct rcu_head *), struct kmem_cache *s)
{
	kmc_union_busy(s, "call_rcu");
	s->memcg_params.rcu_pending = true;
	/* the union: the rcu_head's callback is kept in the work's func slot */
	s->memcg_params.work.name = (const char *)func;
	mm_call_rcu(head, kmc_rcu_trampoline);
}

static void kmc_rcu_trampoline(struct rcu_head *head)
{
	struct kmem_cache *s = container_of(head, struct kmem_cache, memcg_params.rcu_head);
	void (*func)(struct rcu_head *) = (void (*)(struct rcu_head *))s->memcg_params.work.name;

	s->memcg_params.rcu_pending = false;
	func(head);
}

void queue_work_checked(struct mm_workqueue *wq, struct work_struct *w, struct kmem_cache *s)
{
	if (s)
		kmc_union_busy(s, "queue_work");
	queue_work(wq, w);
}

/* rcu_barrier(): every callback queued so far has run */
void rcu_barrier(void)
{
	mm_might_sleep("rcu_barrier");
	if (mm_cur->rcu_head_list)
		mm_rcu_gp();
}

/* flush_workqueue(): every item queued so far, or running in another task, has run */
void flush_workqueue(struct mm_workqueue *wq)
{
	mm_flush_workqueue(wq, "flush_workqueue");
}

/* -- percpu_ref, lib/percpu-refcount.c v5.1/v5.2 ----------------------- */
static void css_release(struct percpu_ref *ref);

static void percpu_ref_noop_confirm_switch(struct percpu_ref *ref)
{
}

static void percpu_ref_call_release(struct percpu_ref *ref)
{
	ref->nr_released++;
	if (ref->nr_released > 1)
		mm_violation("PERCPU_REF_RELEASE", "percpu_ref_put_many",
			     "%s released a second time", ref->name);
	if (!ref->dead)
		mm_violation("PERCPU_REF_RELEASE", "percpu_ref_put_many",
			     "%s released before percpu_ref_kill()", ref->name);
	if (ref->release != css_release)
		G->cache_releases++;
	ref->release(ref);
}

/* Mirrors percpu_ref_init(), lib/percpu-refcount.c v5.1 (flags 0: percpu mode). */
int percpu_ref_init(struct percpu_ref *ref, percpu_ref_func_t *release, bool inject)
{
	/* __alloc_percpu_gfp() of the counters (@inject: fail_next percpu_ref_init applies) */
	if (inject && mm_should_fail(MM_FAIL_POPULATE))
		return -ENOMEM;
	ref->percpu_allocated = true;
	ref->atomic = false;
	ref->dead = false;
	ref->bias = true;		/* PERCPU_COUNT_BIAS + 1 */
	ref->count = 1;
	ref->percpu_sum = 0;
	ref->release = release;
	ref->confirm_switch = NULL;
	ref->nr_released = 0;
	return 0;
}

/*
 * Mirrors percpu_ref_exit(), lib/percpu-refcount.c v5.2 (the warning of
 * the report fixed by a264df74df38): a switch still in progress warns.
 */
void percpu_ref_exit(struct percpu_ref *ref)
{
	if (ref->percpu_allocated) {
		/* non-NULL confirm_switch indicates switching in progress */
		WARN_ON_ONCE(ref->confirm_switch);
		ref->percpu_allocated = false;
		ref->atomic = ref->dead = true;	/* __PERCPU_REF_ATOMIC_DEAD */
	}
}

/*
 * Mirrors __ref_is_percpu(), include/linux/percpu-refcount.h v5.1, which
 * reads the mode with READ_ONCE(ref->percpu_count_ptr); the model keeps
 * the mode in three flags, read the same way.
 */
static bool __ref_is_percpu(struct percpu_ref *ref)
{
	return READ_ONCE(ref->percpu_allocated) && !READ_ONCE(ref->atomic) &&
	       !READ_ONCE(ref->dead);
}

/*
 * percpu_sum stands for every CPU's counter (this_cpu_add() on its own in
 * the kernel), count for the atomic_long_t: both updated atomically in the
 * threaded mode (MM_ATOMIC_ADD, include/mm/once.h), plainly elsewhere.
 */
void percpu_ref_get_many(struct percpu_ref *ref, unsigned long nr)
{
	if (__ref_is_percpu(ref))
		MM_ATOMIC_ADD(ref->percpu_sum, (long)nr);
	else
		MM_ATOMIC_ADD(ref->count, (long)nr);
}

void percpu_ref_put_many(struct percpu_ref *ref, unsigned long nr)
{
	if (__ref_is_percpu(ref)) {
		MM_ATOMIC_ADD(ref->percpu_sum, -(long)nr);
	} else {
		/* atomic_long_sub_and_test() */
		long count = MM_ATOMIC_ADD_RETURN(ref->count, -(long)nr);

		if (!READ_ONCE(ref->bias) && count == 0)
			percpu_ref_call_release(ref);
	}
}

bool percpu_ref_tryget(struct percpu_ref *ref)
{
	if (__ref_is_percpu(ref)) {
		MM_ATOMIC_ADD(ref->percpu_sum, 1);
		return true;
	}
	/* atomic_long_inc_not_zero() */
	if (!READ_ONCE(ref->bias) && READ_ONCE(ref->count) == 0)
		return false;
	MM_ATOMIC_ADD(ref->count, 1);
	return true;
}

bool percpu_ref_tryget_live(struct percpu_ref *ref)
{
	if (__ref_is_percpu(ref)) {
		MM_ATOMIC_ADD(ref->percpu_sum, 1);
		return true;
	}
	if (READ_ONCE(ref->dead))
		return false;
	if (!READ_ONCE(ref->bias) && READ_ONCE(ref->count) == 0)
		return false;
	MM_ATOMIC_ADD(ref->count, 1);
	return true;
}

/* the memory a ref lives in was released (harness: the owner is gone) */
static bool percpu_ref_owner_gone(struct percpu_ref *ref);

/* Mirrors percpu_ref_switch_to_atomic_rcu() and percpu_ref_call_confirm_rcu(), v5.1. */
static void percpu_ref_switch_to_atomic_rcu(struct rcu_head *rcu)
{
	struct percpu_ref *ref = container_of(rcu, struct percpu_ref, rcu);

	if (percpu_ref_owner_gone(ref))
		mm_violation("MEMORY_SAFETY", "percpu_ref_switch_to_atomic_rcu",
			     "%s: the mode switch runs on memory already freed", ref->name);
	MM_ATOMIC_ADD(ref->count, ref->percpu_sum);	/* atomic_long_add() */
	ref->percpu_sum = 0;
	WRITE_ONCE(ref->bias, false);	/* PERCPU_COUNT_BIAS, in the same add */
	if (READ_ONCE(ref->count) <= 0)	/* atomic_long_read() */
		mm_violation("KERNEL_WARN", "percpu_ref_switch_to_atomic_rcu",
			     "percpu ref %s <= 0 (%ld) after switching to atomic", ref->name, ref->count);
	ref->confirm_switch(ref);
	ref->confirm_switch = NULL;
	/* drop ref from percpu_ref_switch_to_atomic() */
	percpu_ref_put(ref);
}

/* Mirrors percpu_ref_kill_and_confirm() and __percpu_ref_switch_to_atomic(), v5.1. */
void percpu_ref_kill_and_confirm(struct percpu_ref *ref, percpu_ref_func_t *confirm_kill)
{
	if (ref->dead)
		mm_violation("KERNEL_WARN", "percpu_ref_kill_and_confirm",
			     "%s called more than once on %s!", __func__, ref->name);
	ref->dead = true;
	if (ref->atomic) {
		if (confirm_kill)
			confirm_kill(ref);
	} else {
		ref->atomic = true;
		ref->confirm_switch = confirm_kill ? confirm_kill : percpu_ref_noop_confirm_switch;
		percpu_ref_get(ref);	/* put after confirmation */
		mm_call_rcu(&ref->rcu, percpu_ref_switch_to_atomic_rcu);
	}
	percpu_ref_put(ref);
}

/* -- memory cgroups ----------------------------------------------------- */
struct kmc_memcg_box {
	struct mem_cgroup memcg;
	bool freed;
};

static bool percpu_ref_owner_gone(struct percpu_ref *ref)
{
	for (int i = 0; i < G->nr_children; i++)
		if (&G->children[i]->memcg_params.refcnt == ref)
			return G->children[i]->released;
	return false;
}

void css_get_many(struct cgroup_subsys_state *css, unsigned int n)
{
	struct mem_cgroup *memcg = container_of(css, struct mem_cgroup, css);

	if (mem_cgroup_is_root(memcg))	/* CSS_NO_REF */
		return;
	percpu_ref_get_many(&css->refcnt, n);
}

void css_put_many(struct cgroup_subsys_state *css, unsigned int n)
{
	struct mem_cgroup *memcg = container_of(css, struct mem_cgroup, css);

	if (mem_cgroup_is_root(memcg))
		return;
	percpu_ref_put_many(&css->refcnt, n);
}

bool css_tryget_online(struct cgroup_subsys_state *css)
{
	struct mem_cgroup *memcg = container_of(css, struct mem_cgroup, css);

	if (mem_cgroup_is_root(memcg))
		return true;
	return percpu_ref_tryget_live(&css->refcnt);
}

static int kmem_enabled_key;

static int memcg_alloc_cache_id(void)
{
	for (int id = 0; id < MEMCG_CACHES_MAX; id++)
		if (!G->memcg_ida[id]) {
			G->memcg_ida[id] = true;
			return id;
		}
	return -ENOSPC;
}

static void memcg_free_cache_id(int id)
{
	G->memcg_ida[id] = false;
}

/* Mirrors memcg_online_kmem(), mm/memcontrol.c v5.1. */
static int memcg_online_kmem(struct mem_cgroup *memcg)
{
	int memcg_id = memcg_alloc_cache_id();

	if (memcg_id < 0)
		return memcg_id;
	MM_ATOMIC_ADD(kmem_enabled_key, 1);	/* static_branch_inc(&memcg_kmem_enabled_key) */
	memcg->kmemcg_id = memcg_id;
	memcg->kmem_state = KMEM_ONLINE;
	INIT_LIST_HEAD(&memcg->kmem_caches);
	return 0;
}

/* Mirrors memcg_offline_kmem(), mm/memcontrol.c v5.1 (the root is the parent). */
static void memcg_offline_kmem(struct mem_cgroup *memcg)
{
	int kmemcg_id;

	if (memcg->kmem_state != KMEM_ONLINE)
		return;
	/*
	 * Clear the online state before clearing memcg_caches array
	 * entries.  The slab_mutex in memcg_deactivate_kmem_caches()
	 * guarantees that no cache will be created for this cgroup after
	 * we are done (see memcg_create_kmem_cache()).
	 */
	memcg->kmem_state = KMEM_ALLOCATED;
	G->ops->memcg_deactivate_kmem_caches(memcg);
	kmemcg_id = memcg->kmemcg_id;
	BUG_ON(kmemcg_id < 0);
	/* the descendants' (none) and its own kmemcg_id become the parent's */
	memcg->kmemcg_id = root_mem_cgroup->kmemcg_id;
	memcg_free_cache_id(kmemcg_id);
}

/* exported for the v5.1 and v4 memcg_free_kmem() */
void kmc_memcg_offline_kmem(struct mem_cgroup *memcg)
{
	memcg_offline_kmem(memcg);
}

void kmc_static_branch_dec(void)
{
	MM_ATOMIC_ADD(kmem_enabled_key, -1);
}

static void css_free_work_fn(struct work_struct *work)
{
	struct cgroup_subsys_state *css = container_of(work, struct cgroup_subsys_state, destroy_work);
	struct mem_cgroup *memcg = container_of(css, struct mem_cgroup, css);
	struct kmc_memcg_box *box = container_of(memcg, struct kmc_memcg_box, memcg);

	/* mem_cgroup_css_free() */
	G->ops->memcg_free_kmem(memcg);
	percpu_ref_exit(&css->refcnt);
	/* mem_cgroup_free() */
	box->freed = true;
	MM_HARNESS_ACCESS(if (G->memcgs[memcg->slot] == memcg)
				  G->memcgs[memcg->slot] = NULL);
}

static void css_free_rcu_fn(struct rcu_head *rcu_head)
{
	struct cgroup_subsys_state *css = container_of(rcu_head, struct cgroup_subsys_state, rcu_head);

	INIT_WORK(&css->destroy_work, css_free_work_fn);
	queue_work(&mm_cur->system_wq, &css->destroy_work);
}

/* css_release(), with css_release_work_fn() folded in: free after a grace period */
static void css_release(struct percpu_ref *ref)
{
	struct cgroup_subsys_state *css = container_of(ref, struct cgroup_subsys_state, refcnt);

	mm_call_rcu(&css->rcu_head, css_free_rcu_fn);
}

static bool memcg_freed(struct mem_cgroup *memcg)
{
	return container_of(memcg, struct kmc_memcg_box, memcg)->freed;
}

/*
 * The executor's tables of memcgs and root caches by name (G->memcgs,
 * G->roots).  In the threaded mode an op on one CPU makes an object that
 * ops on other CPUs use: the kernel publishes a new css under cgroup_mutex
 * and RCU, a new cache through its creator; the tables are harness code,
 * so an object is released when it is put in one and acquired when an op
 * looks it up (mm_tsan_release(), threads.h).
 */
#define KMC_TABLE_GET(slot) ({						\
	__typeof__(slot) __obj;						\
	MM_HARNESS_ACCESS(__obj = (slot));				\
	if (__obj)							\
		mm_tsan_acquire(__obj);					\
	__obj; })

static struct mem_cgroup *kmc_memcg_at(uint32_t m)
{
	return KMC_TABLE_GET(G->memcgs[m]);
}

/* mkdir: css_create() -> mem_cgroup_css_alloc() -> memcg_online_kmem() */
static int kmc_memcg_create(int m)
{
	struct kmc_memcg_box *box;
	struct mem_cgroup *memcg;
	int err;

	/* a new cgroup of the same name may be made while the old one is dying */
	memcg = kmc_memcg_at((uint32_t)m);
	if ((memcg && !memcg->offline) || G->nr_memcgs == KMC_MAX_MEMCGS)
		return 1;
	box = kmalloc(sizeof(*box));
	if (!box)
		return -ENOMEM;
	memcg = &box->memcg;
	memcg->slot = m;
	memcg->kmemcg_id = -1;
	memcg->memory.max = memcg->kmem.max = LONG_MAX;
	INIT_LIST_HEAD(&memcg->kmem_caches);
	memcg->css.refcnt.name = "css->refcnt";
	err = percpu_ref_init(&memcg->css.refcnt, css_release, false);
	if (err) {
		kfree(box);
		return err;
	}
	err = memcg_online_kmem(memcg);
	if (err) {
		percpu_ref_exit(&memcg->css.refcnt);
		kfree(box);
		return err;
	}
	mm_tsan_release(memcg);
	MM_HARNESS_ACCESS(G->memcgs[m] = memcg; G->all_memcgs[G->nr_memcgs++] = memcg);
	return 0;
}

static void task_set_cgroup(struct kmc_task *t, struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = t->memcg;

	t->memcg = memcg;
	css_put(&old->css);
}

/* rmdir: tasks out, kill_css(), mem_cgroup_css_offline() */
static int kmc_memcg_offline(int m)
{
	struct mem_cgroup *memcg = kmc_memcg_at((uint32_t)m);

	if (!memcg || memcg->offline)
		return 1;
	for (int i = 0; i < G->nr_cpus; i++)
		if (G->tasks[i].memcg == memcg)
			task_set_cgroup(&G->tasks[i], root_mem_cgroup);
	memcg->offline = true;
	/*
	 * kill_css(): css_tryget_online() fails from now on; it holds a
	 * reference of its own until css_killed_work_fn() has offlined the
	 * css, so a grace period meanwhile cannot release it
	 */
	css_get(&memcg->css);
	percpu_ref_kill_and_confirm(&memcg->css.refcnt, NULL);
	/* css_killed_work_fn(): mem_cgroup_css_offline(), then its css_put() */
	memcg_offline_kmem(memcg);
	css_put(&memcg->css);
	return 0;
}

/* -- page counters and charging ----------------------------------------- */
/* Mirrors page_counter_try_charge(), mm/page_counter.c v5.1 (one level). */
static bool page_counter_try_charge(struct page_counter *c, long nr)
{
	long new = MM_ATOMIC_ADD_RETURN(c->usage, nr);	/* atomic_long_add_return() */

	if (new > c->max) {
		MM_ATOMIC_ADD(c->usage, -nr);
		return false;
	}
	return true;
}

/* Mirrors page_counter_uncharge() -> page_counter_cancel(), v5.1. */
static void page_counter_uncharge(struct page_counter *c, long nr)
{
	long new = MM_ATOMIC_ADD_RETURN(c->usage, -nr);	/* atomic_long_sub_return() */

	if (new < 0)
		mm_violation("KERNEL_WARN", "page_counter_cancel", "page_counter underflow: %ld nr_pages=%ld",
			     new, nr);
}

/* Mirrors try_charge(), mm/memcontrol.c v5.1: memory counter, css references per page. */
static int try_charge(struct mem_cgroup *memcg, long nr_pages)
{
	if (mem_cgroup_is_root(memcg))
		return 0;
	if (mm_should_fail(MM_FAIL_CHARGE) || !page_counter_try_charge(&memcg->memory, nr_pages))
		return -ENOMEM;
	css_get_many(&memcg->css, nr_pages);
	return 0;
}

static void cancel_charge(struct mem_cgroup *memcg, long nr_pages)
{
	if (mem_cgroup_is_root(memcg))
		return;
	page_counter_uncharge(&memcg->memory, nr_pages);
	css_put_many(&memcg->css, nr_pages);
}

/*
 * Mirrors __memcg_kmem_charge_memcg(), mm/memcontrol.c v5.1, cgroup v1
 * (the memory counter, then the kmem counter with its limit); setting
 * page->mem_cgroup is left to the caller (v5.1 sets it here, the patch
 * moves it to __memcg_kmem_charge()).
 */
int memcg_kmem_charge_memcg(struct slab_page *page, int gfp, int order, struct mem_cgroup *memcg)
{
	long nr_pages = 1L << order;
	int ret;

	ret = try_charge(memcg, nr_pages);
	if (ret)
		return ret;
	if (!page_counter_try_charge(&memcg->kmem, nr_pages)) {
		cancel_charge(memcg, nr_pages);
		return -ENOMEM;
	}
	return 0;
}

/* Mirrors __memcg_kmem_uncharge_memcg() of the series' 3/7 (no css_put). */
void memcg_kmem_uncharge_memcg(struct slab_page *page, int order, struct mem_cgroup *memcg)
{
	long nr_pages = 1L << order;

	page_counter_uncharge(&memcg->kmem, nr_pages);
	page_counter_uncharge(&memcg->memory, nr_pages);
}

void mod_node_page_state(long nr)
{
	MM_ATOMIC_ADD(G->node_slab, nr);	/* vm_node_stat: atomic_long_add() */
}

void mod_lruvec_state(struct mem_cgroup *memcg, long nr)
{
	MM_ATOMIC_ADD(G->node_slab, nr);	/* vm_node_stat: atomic_long_add() */
	MM_ATOMIC_ADD(memcg->lruvec_slab, nr);	/* lruvec_stat: atomic_long_add() */
}

/* -- slab ----------------------------------------------------------------- */
/*
 * SLUB's list_lock.  The cache's one node keeps its slab pages on lists
 * guarded by kmem_cache_node->list_lock, a spinlock_t taken with interrupts
 * off (spin_lock_irqsave(), or spin_lock() where they are off already).  The
 * model has one list of every slab page (n->partial, and n->full as
 * SLUB_DEBUG keeps it) and s->list_lock for the node's lock.  SLUB changes
 * page->inuse with cmpxchg_double_slab() on a frozen per-CPU slab and takes
 * the lock only to move a slab between lists; the model has no per-CPU
 * slabs, so it takes an object from, or gives one back to, a slab on the
 * list under the lock (as acquire_slab() takes a slab off n->partial under
 * it), and keeps the cache's object count there too.
 */

/* n->nr_partial as __slab_free() reads it: the other empty slabs, under list_lock */
static int nr_empty_slabs(struct kmem_cache *s, struct slab_page *except)
{
	struct slab_page *p;
	int n = 0;

	lockdep_assert_held(&s->list_lock);
	list_for_each_entry(p, &s->slabs, lru)
		if (p != except && !p->inuse)
			n++;
	return n;
}

/* Mirrors add_partial(), mm/slub.c v5.1 (DEACTIVATE_TO_TAIL): under n->list_lock. */
static void add_partial(struct kmem_cache *s, struct slab_page *page)
{
	lockdep_assert_held(&s->list_lock);
	list_add_tail(&page->lru, &s->slabs);
}

/* Mirrors remove_partial(), mm/slub.c v5.1: under n->list_lock. */
static void remove_partial(struct kmem_cache *s, struct slab_page *page)
{
	lockdep_assert_held(&s->list_lock);
	list_del(&page->lru);
}

/* Mirrors slabs_node(), mm/slub.c v5.1 (SLUB_DEBUG): atomic_long_read(&n->nr_slabs). */
static long slabs_node(struct kmem_cache *s)
{
	return READ_ONCE(s->nr_slabs);
}

/*
 * Mirrors discard_slab() and __free_slab(), mm/slub.c v5.1: the slab is off
 * the lists already (its caller took it off under n->list_lock and dropped
 * the lock); dec_slabs_node(), uncharge, then the pages go back.
 */
static void discard_slab(struct kmem_cache *s, struct slab_page *page)
{
	MM_ATOMIC_ADD(s->nr_slabs, -1);	/* dec_slabs_node(): atomic_long_dec() */
	if (page->charged)
		page->charged = false;
	G->ops->uncharge_slab_page(page, page->order, s);
	mm_pages_free(page->mem, 1UL << page->order);
	kfree(page);
}

/*
 * Mirrors allocate_slab(), mm/slub.c v5.1 with the series' 4/7
 * charge_slab_page(): called without n->list_lock; inc_slabs_node() at the end.
 */
static struct slab_page *allocate_slab(struct kmem_cache *s, int gfp)
{
	struct slab_page *page = mm_kzalloc(sizeof(*page), MM_FAIL_NR);

	page->mem = mm_pages_alloc(1UL << s->order, MM_FAIL_PAGE_ALLOC);
	if (!page->mem) {
		kfree(page);
		return NULL;
	}
	page->cache = s;
	page->order = s->order;
	if (G->ops->charge_slab_page(page, gfp, s->order, s)) {
		mm_pages_free(page->mem, 1UL << s->order);
		kfree(page);
		return NULL;
	}
	if (!is_root_cache(s)) {
		page->charged = true;
		page->charged_to = s->memcg_params.memcg;
		MM_HARNESS_ACCESS(G->last_charged += 1L << s->order);
	}
	MM_ATOMIC_ADD(s->nr_slabs, 1);	/* inc_slabs_node(): atomic_long_inc() */
	return page;
}

/*
 * slab_alloc(): an object from a slab with room, taken under n->list_lock
 * (get_partial_node(), acquire_slab()), or from a new slab, allocated with
 * the lock dropped (new_slab()) and put on the list under it.
 */
static struct slab_page *slab_alloc(struct kmem_cache *s, int gfp)
{
	struct slab_page *page;
	unsigned long flags;

	spin_lock_irqsave(&s->list_lock, flags);
	list_for_each_entry(page, &s->slabs, lru)
		if (page->inuse < (int)s->objs_per_slab)
			goto found;
	spin_unlock_irqrestore(&s->list_lock, flags);
	page = allocate_slab(s, gfp);
	if (!page)
		return NULL;
	spin_lock_irqsave(&s->list_lock, flags);
	add_partial(s, page);
found:
	page->inuse++;
	s->nr_objs++;
	spin_unlock_irqrestore(&s->list_lock, flags);
	/* harness metric: an object from a cache whose percpu_ref is dead */
	MM_HARNESS_ACCESS(if (!is_root_cache(s) && s->memcg_params.refcnt.dead)
				  G->killed_cache_allocs++);
	return page;
}

/*
 * slab_free(), as __slab_free() in mm/slub.c v5.1 ends: a slab left empty
 * goes when the node keeps min_partial slabs already; it is taken off the
 * list under n->list_lock and discarded once the lock is dropped.
 */
static void slab_free(struct kmem_cache *s, struct slab_page *page)
{
	unsigned long flags;
	bool empty;

	spin_lock_irqsave(&s->list_lock, flags);
	page->inuse--;
	s->nr_objs--;
	empty = !page->inuse && nr_empty_slabs(s, page) >= s->min_partial;
	if (empty)
		remove_partial(s, page);	/* slab_empty: */
	spin_unlock_irqrestore(&s->list_lock, flags);
	if (empty)
		discard_slab(s, page);
}

/*
 * Mirrors __kmem_cache_shrink(), mm/slub.c v5.1: under n->list_lock every
 * empty slab moves to a discard list, released after the lock is dropped
 * (the model orders no slabs by use, so nothing is promoted); nonzero while
 * the node still has slabs.
 */
int __kmem_cache_shrink(struct kmem_cache *s)
{
	struct slab_page *page, *t;
	unsigned long flags;
	LIST_HEAD(discard);

	spin_lock_irqsave(&s->list_lock, flags);
	list_for_each_entry_safe(page, t, &s->slabs, lru)
		if (!page->inuse)
			list_move(&page->lru, &discard);
	spin_unlock_irqrestore(&s->list_lock, flags);
	list_for_each_entry_safe(page, t, &discard, lru)
		discard_slab(s, page);
	return slabs_node(s) != 0;
}

/* Mirrors __kmemcg_cache_deactivate(), mm/slub.c: no empty slab caching. */
void __kmemcg_cache_deactivate(struct kmem_cache *s)
{
	s->min_partial = 0;	/* and slub_set_cpu_partial(s, 0) */
	s->deactivated = true;
}

/* kobject_put() of the cache's kobject: kmem_cache_release() at zero */
static void kmc_kobject_put(struct kmem_cache *s)
{
	if (--s->kobj_ref)
		return;
	/* slab_kmem_cache_release() */
	G->ops->destroy_memcg_params(s);
	s->released = true;
}

/* Mirrors sysfs_slab_remove_workfn(), mm/slub.c v5.1. */
static void sysfs_slab_remove_workfn(struct work_struct *work)
{
	struct kmem_cache *s = container_of(work, struct kmem_cache, kobj_remove_work);

	/*
	 * For a memcg cache, this may be called during deactivation and
	 * again on shutdown: remove only once.
	 */
	if (s->state_in_sysfs)
		s->state_in_sysfs = false;	/* kobject_del() */
	kmc_kobject_put(s);
}

/* Mirrors sysfs_slab_remove(), mm/slub.c v5.1. */
void sysfs_slab_remove(struct kmem_cache *s)
{
	s->kobj_ref++;	/* kobject_get() */
	if (!schedule_work(&s->kobj_remove_work))
		s->sysfs_remove_lost = true;	/* this reference is never put */
}

/*
 * Mirrors free_partial(), mm/slub.c v5.1: every empty slab off the list under
 * n->list_lock (spin_lock_irq(): interrupts are on here), discarded after it
 * is dropped; a slab with objects stays (list_slab_objects() only reports).
 */
static void free_partial(struct kmem_cache *s)
{
	struct slab_page *page, *h;
	LIST_HEAD(discard);

	spin_lock_irq(&s->list_lock);
	list_for_each_entry_safe(page, h, &s->slabs, lru) {
		if (!page->inuse) {
			remove_partial(s, page);
			list_add(&page->lru, &discard);
		}
	}
	spin_unlock_irq(&s->list_lock);
	list_for_each_entry_safe(page, h, &discard, lru)
		discard_slab(s, page);
}

/* Mirrors __kmem_cache_shutdown(), mm/slub.c v5.1 (one node, no per-CPU slabs to flush). */
static int __kmem_cache_shutdown(struct kmem_cache *s)
{
	free_partial(s);
	if (!list_empty(&s->slabs) || slabs_node(s))	/* n->nr_partial || slabs_node() */
		return 1;
	sysfs_slab_remove(s);
	return 0;
}

/* Mirrors shutdown_cache(), mm/slab_common.c v5.1. */
int shutdown_cache(struct kmem_cache *s)
{
	if (!is_root_cache(s) && !s->nr_objs) {
		if (s->inflight)
			mm_violation("SHUTDOWN_ACTIVE", "shutdown_cache",
				     "cache %s shut down with %d allocation(s) in flight", s->name, s->inflight);
		if (G->ops->percpu_ref_scheme && !s->memcg_params.refcnt.dead &&
		    !s->memcg_params.root_cache->memcg_params.dying)
			mm_violation("SHUTDOWN_ACTIVE", "shutdown_cache",
				     "cache %s shut down while its percpu_ref is live and its root is not dying",
				     s->name);
	}
	if (__kmem_cache_shutdown(s) != 0)
		return -EBUSY;
	G->ops->memcg_unlink_cache(s);
	list_del(&s->list);
	s->unlinked = true;
	/* sysfs_slab_unlink(s); sysfs_slab_release(s) */
	kmc_kobject_put(s);
	return 0;
}

/* Mirrors create_cache(), mm/slab_common.c v5.1. */
static struct kmem_cache *create_cache(const char *name, unsigned int object_size, unsigned int order,
				       struct mem_cgroup *memcg, struct kmem_cache *root_cache)
{
	struct kmem_cache *s;
	int err;

	s = kmalloc(sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = object_size;
	s->order = order;
	s->objs_per_slab = max(1u, (unsigned int)((PAGE_SIZE << order) / object_size));
	s->min_partial = G->min_partial;
	spin_lock_init(&s->list_lock);	/* init_kmem_cache_node() */
	INIT_LIST_HEAD(&s->slabs);
	INIT_LIST_HEAD(&s->memcg_params.children);
	INIT_LIST_HEAD(&s->memcg_params.children_node);
	INIT_LIST_HEAD(&s->memcg_params.kmem_caches_node);
	s->memcg_params.refcnt.name = s->name;
	err = G->ops->init_memcg_params(s, root_cache);
	if (err)
		goto out_free_cache;
	/* __kmem_cache_create(): sysfs_slab_add() */
	s->kobj_ref = 1;
	s->state_in_sysfs = true;
	INIT_WORK(&s->kobj_remove_work, sysfs_slab_remove_workfn);
	s->refcount = 1;
	list_add(&s->list, &G->slab_caches);
	G->ops->memcg_link_cache(s, memcg);
	return s;

out_free_cache:
	G->ops->destroy_memcg_params(s);
	kfree(s);
	return NULL;
}

/* Mirrors memcg_create_kmem_cache(), mm/slab_common.c v5.1. */
static void memcg_create_kmem_cache(struct mem_cgroup *memcg, struct kmem_cache *root_cache)
{
	struct memcg_cache_array *arr;
	struct kmem_cache *s;
	char *cache_name;
	int idx;

	mutex_lock(&slab_mutex);
	/* The memory cgroup could have been offlined while the cache creation work was pending. */
	if (memcg->kmem_state != KMEM_ONLINE || root_cache->memcg_params.dying)
		goto out_unlock;
	idx = memcg->kmemcg_id;
	arr = root_cache->memcg_params.memcg_caches;
	if (arr->entries[idx])
		goto out_unlock;
	cache_name = kmalloc(48);	/* kasprintf(GFP_KERNEL, "%s(%llu:%s)", ...) */
	if (!cache_name)
		goto out_unlock;
	snprintf(cache_name, 48, "%s(m%d:%d)", root_cache->name, memcg->slot, G->nr_children);
	if (G->nr_children == KMC_MAX_CACHES) {	/* harness limit */
		kfree(cache_name);
		goto out_unlock;
	}
	s = create_cache(cache_name, root_cache->object_size, root_cache->order, memcg, root_cache);
	kfree(cache_name);
	if (!s)
		goto out_unlock;
	s->id = 100 + G->nr_children;
	G->children[G->nr_children++] = s;
	/* readers do not lock (cache_from_memcg_idx()): smp_wmb() first */
	MM_PUBLISH(arr->entries[idx], s);
out_unlock:
	mutex_unlock(&slab_mutex);
}

/* Mirrors memcg_kmem_cache_create_func(), mm/memcontrol.c v5.1. */
void memcg_kmem_cache_create_func(struct work_struct *w)
{
	struct memcg_kmem_cache_create_work *cw = container_of(w, struct memcg_kmem_cache_create_work, work);
	struct mem_cgroup *memcg = cw->memcg;
	struct kmem_cache *cachep = cw->cachep;

	memcg_create_kmem_cache(memcg, cachep);
	css_put(&memcg->css);
	kfree(cw);
}

void memcg_schedule_kmem_cache_create_work(struct mem_cgroup *memcg, struct kmem_cache *cachep,
					  struct memcg_kmem_cache_create_work *cw)
{
	cw->memcg = memcg;
	cw->cachep = cachep;
	INIT_WORK(&cw->work, memcg_kmem_cache_create_func);
	queue_work(memcg_kmem_cache_wq, &cw->work);
}

/* Mirrors shutdown_memcg_caches(), mm/slab_common.c v5.1. */
static int shutdown_memcg_caches(struct kmem_cache *s)
{
	struct memcg_cache_array *arr = s->memcg_params.memcg_caches;
	struct kmem_cache *c, *c2;
	LIST_HEAD(busy);

	BUG_ON(!is_root_cache(s));
	/* First, shutdown active caches, i.e. caches that belong to online memory cgroups. */
	for (int i = 0; i < MEMCG_CACHES_MAX; i++) {
		c = arr->entries[i];
		if (!c)
			continue;
		if (shutdown_cache(c))
			list_move(&c->memcg_params.children_node, &busy);
		else
			arr->entries[i] = NULL;
	}
	/* Second, shutdown all caches left from memory cgroups that are now offline. */
	list_for_each_entry_safe(c, c2, &s->memcg_params.children, memcg_params.children_node)
		shutdown_cache(c);
	list_splice_init(&busy, &s->memcg_params.children);
	if (!list_empty(&s->memcg_params.children))
		return -EBUSY;
	return 0;
}

/* Mirrors kmem_cache_destroy(), mm/slab_common.c v5.1. */
static void kmem_cache_destroy(struct kmem_cache *s)
{
	int err;

	G->ops->flush_memcg_workqueue(s);
	mutex_lock(&slab_mutex);
	s->refcount--;
	if (s->refcount)
		goto out_unlock;
	err = shutdown_memcg_caches(s);
	if (!err)
		err = shutdown_cache(s);
	if (err)
		mm_note("KMEM_CACHE_DESTROY_BUSY", "kmem_cache_destroy %s: Slab cache still has objects", s->name);
out_unlock:
	mutex_unlock(&slab_mutex);
}

/* memcg_kmem_bypass(), v5.1: in_interrupt() (the irq gfp choice) */
bool memcg_kmem_bypass(void)
{
	return G->tasks[mm_cpu_id()].inflight_gfp == KMC_GFP_IRQ;
}

/* mem_cgroup_from_task() */
struct mem_cgroup *mem_cgroup_from_task(struct kmc_task *t)
{
	return t->memcg;
}

/* -- harness: state, ops ------------------------------------------------ */
void *kmc_create(const struct mm_config *cfg, const struct kmemcg_ops *ops)
{
	struct kmc_state *st = mm_kzalloc(sizeof(*st), MM_FAIL_NR);

	G = st;
	mm_bind_global(&G, st);	/* tasks resume with their instance */
	kmem_enabled_key = 0;
	st->ops = ops;
	st->nr_cpus = (int)cfg->v[KMC_CFG_nr_cpus];
	st->min_partial = (int)cfg->v[KMC_CFG_min_partial];
	st->root.slot = KMEMCG_ROOT_MEMCG;
	st->root.kmemcg_id = -1;
	st->root.memory.max = st->root.kmem.max = LONG_MAX;
	INIT_LIST_HEAD(&st->root.kmem_caches);
	INIT_LIST_HEAD(&st->slab_caches);
	INIT_LIST_HEAD(&st->slab_root_caches);
	mutex_init(&st->slab_mtx);
	st->slab_mtx.dep.name = "slab_mutex";
	spin_lock_init(&st->wq_lock);
	st->wq_lock.dep.name = "memcg_kmem_wq_lock";
	st->kmem_cache_wq.name = "memcg_kmem_cache";
	for (int i = 0; i < KMEMCG_NR_CPUS; i++)
		st->tasks[i].memcg = &st->root;
	return st;
}

static int kmc_root_cache_create(int r, unsigned int size, unsigned int order)
{
	struct kmem_cache *s;
	char name[16];

	if (G->roots[r])
		return 1;
	snprintf(name, sizeof(name), "r%d", r);
	mutex_lock(&slab_mutex);
	s = create_cache(name, size, order, NULL, NULL);
	mutex_unlock(&slab_mutex);
	if (!s)
		return -ENOMEM;
	s->id = r;
	mm_tsan_release(s);	/* KMC_TABLE_GET() */
	MM_HARNESS_ACCESS(G->roots[r] = s);
	return 0;
}

static struct kmem_cache *kmc_root_at(uint32_t r)
{
	return KMC_TABLE_GET(G->roots[r]);
}

static bool kmc_has_objects(struct kmem_cache *root)
{
	struct kmem_cache *c;

	if (root->nr_objs)
		return true;
	for (int i = 0; i < G->nr_children; i++) {
		c = G->children[i];
		if (!c->released && c->memcg_params.root_cache == root && (c->nr_objs || c->inflight))
			return true;
	}
	for (int i = 0; i < G->nr_cpus; i++)
		if (G->tasks[i].inflight == root)
			return true;
	return false;
}

static int kmc_root_cache_destroy(int r)
{
	struct kmem_cache *s = G->roots[r];

	/* a module frees its objects before kmem_cache_destroy() */
	if (!s || kmc_has_objects(s))
		return 1;
	G->roots[r] = NULL;
	kmem_cache_destroy(s);
	return 0;
}

/* slab_pre_alloc_hook(): memcg_kmem_get_cache() for SLAB_ACCOUNT caches */
static struct kmem_cache *slab_pre_alloc_hook(struct kmem_cache *s)
{
	/* memcg_kmem_enabled(): a patched branch, read without a lock */
	if (READ_ONCE(kmem_enabled_key) > 0)
		return G->ops->memcg_kmem_get_cache(s);
	return s;
}

static void slab_post_alloc_hook(struct kmem_cache *s)
{
	if (READ_ONCE(kmem_enabled_key) > 0)
		G->ops->memcg_kmem_put_cache(s);
}

/*
 * Free slots in the object table, less one for every allocation begun on a
 * CPU and not yet finished: each of those adds an object when it ends.
 */
static int kmc_obj_room(void)
{
	int room;

	mm_harness_lock();	/* threaded mode: the table is the CPUs' */
	room = KMC_MAX_OBJS - G->nr_objs;
	for (int i = 0; i < G->nr_cpus; i++)
		room -= G->tasks[i].inflight != NULL;
	mm_harness_unlock();
	return room;
}

/*
 * A slab page put in the object table is released to the op that frees it
 * (mm_tsan_release(), threads.h): handing an object to another CPU is
 * synchronization in the kernel; the table is harness code.
 */
static bool kmc_add_obj(struct slab_page *page)
{
	bool added = false;

	mm_tsan_release(page);
	mm_harness_lock();
	if (G->nr_objs < KMC_MAX_OBJS) {
		G->objs[G->nr_objs++].page = page;
		added = true;
	}
	mm_harness_unlock();
	return added;
}

/* one allocation end: object from @cachep, memcg_kmem_put_cache() */
static int kmc_alloc_finish(struct kmem_cache *cachep, int gfp, long *nonroot)
{
	struct slab_page *page = slab_alloc(cachep, gfp);

	if (page) {
		kmc_add_obj(page);
		if (!is_root_cache(cachep))
			(*nonroot)++;
	}
	if (!is_root_cache(cachep))
		cachep->inflight--;
	slab_post_alloc_hook(cachep);
	return page ? 1 : 0;
}

static struct kmem_cache *kmc_alloc_start(struct kmc_task *t, struct kmem_cache *root, int gfp)
{
	struct kmem_cache *cachep;

	t->inflight_gfp = gfp;
	cachep = slab_pre_alloc_hook(root);
	if (!is_root_cache(cachep))
		cachep->inflight++;
	return cachep;
}

/* the object at @k modulo the table (picked and taken out at once); false if empty */
static bool kmc_free_obj(uint32_t k)
{
	struct slab_page *page;
	int idx;

	mm_harness_lock();
	if (!G->nr_objs) {
		mm_harness_unlock();
		return false;
	}
	idx = (int)(k % (uint32_t)G->nr_objs);
	page = G->objs[idx].page;
	G->objs[idx] = G->objs[--G->nr_objs];
	mm_harness_unlock();
	mm_tsan_acquire(page);
	slab_free(page->cache, page);
	return true;
}

static struct kmem_cache *kmc_child_of(struct kmem_cache *root, struct mem_cgroup *memcg)
{
	for (int i = 0; i < G->nr_children; i++) {
		struct kmem_cache *c = G->children[i];

		if (!c->released && c->memcg_params.root_cache == root && c->memcg_params.memcg == memcg &&
		    !c->unlinked)
			return c;
	}
	return NULL;
}

void kmc_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	const uint32_t *a = op->arg;
	struct kmc_task *t;
	struct kmem_cache *s;
	struct mem_cgroup *memcg;
	long got = 0, nonroot = 0;

	G = inst;
	G->last_charged = 0;
	res->status = 0;
	switch (op->id) {
	case KMC_OP_MEMCG_CREATE:
	case KMC_OP_MEMCG_OFFLINE: {
		int m = (int)a[op->id == KMC_OP_MEMCG_CREATE ? KMC_MEMCG_CREATE_m : KMC_MEMCG_OFFLINE_m];

		if (G->memcg_busy[m]) {
			res->status = 1;
			break;
		}
		G->memcg_busy[m] = true;
		res->status = op->id == KMC_OP_MEMCG_CREATE ? kmc_memcg_create(m) : kmc_memcg_offline(m);
		G->memcg_busy[m] = false;
		break;
	}
	case KMC_OP_MEMCG_SET_LIMIT: {
		long pages = a[KMC_MEMCG_SET_LIMIT_pages] == 64 ? LONG_MAX : (long)a[KMC_MEMCG_SET_LIMIT_pages];

		memcg = kmc_memcg_at(a[KMC_MEMCG_SET_LIMIT_m]);
		if (!memcg)
			res->status = 1;
		else if (memcg->kmem.usage > pages)	/* page_counter_set_max(): -EBUSY */
			res->status = -EBUSY;
		else
			memcg->kmem.max = pages;
		break;
	}
	case KMC_OP_TASK_ATTACH:
		t = current_task();
		memcg = a[KMC_TASK_ATTACH_m] == KMEMCG_ROOT_MEMCG ? root_mem_cgroup : kmc_memcg_at(a[KMC_TASK_ATTACH_m]);
		if (!memcg || memcg == t->memcg || !css_tryget_online(&memcg->css)) {
			res->status = 1;
			break;
		}
		task_set_cgroup(t, memcg);
		break;
	case KMC_OP_TASK_ACTIVE:
		t = current_task();
		memcg = NULL;
		if (t->busy) {	/* the task is inside an allocation */
			res->status = 1;
			break;
		}
		if (a[KMC_TASK_ACTIVE_m] != KMEMCG_ROOT_MEMCG) {
			memcg = kmc_memcg_at(a[KMC_TASK_ACTIVE_m]);
			if (!memcg || memcg == t->active_memcg || !css_tryget_online(&memcg->css)) {
				res->status = 1;
				break;
			}
		} else if (!t->active_memcg) {
			res->status = 1;
			break;
		}
		if (t->active_memcg)
			css_put(&t->active_memcg->css);
		t->active_memcg = memcg;
		break;
	case KMC_OP_ROOT_CACHE_CREATE:
	case KMC_OP_ROOT_CACHE_DESTROY: {
		int r = (int)a[op->id == KMC_OP_ROOT_CACHE_CREATE ? KMC_ROOT_CACHE_CREATE_r :
			       KMC_ROOT_CACHE_DESTROY_r];

		if (G->root_busy[r]) {
			res->status = 1;
			break;
		}
		G->root_busy[r] = true;
		if (op->id == KMC_OP_ROOT_CACHE_CREATE)
			res->status = kmc_root_cache_create(r, a[KMC_ROOT_CACHE_CREATE_size],
							    a[KMC_ROOT_CACHE_CREATE_order]);
		else
			res->status = kmc_root_cache_destroy(r);
		G->root_busy[r] = false;
		break;
	}
	case KMC_OP_KMEM_ALLOC:
		t = current_task();
		s = kmc_root_at(a[KMC_KMEM_ALLOC_r]);
		if (!s || t->inflight || t->busy) {
			res->status = 1;
			break;
		}
		t->busy = true;
		for (uint32_t i = 0; i < a[KMC_KMEM_ALLOC_n] && kmc_obj_room() > 0; i++) {
			/*
			 * in flight from here to the put: the root cache is in
			 * use and the object has its slot (other tasks may run)
			 */
			t->inflight = s;
			t->inflight = kmc_alloc_start(t, s, (int)a[KMC_KMEM_ALLOC_gfp]);
			got += kmc_alloc_finish(t->inflight, (int)a[KMC_KMEM_ALLOC_gfp], &nonroot);
			t->inflight = NULL;
		}
		t->busy = false;
		t->inflight_gfp = 0;
		res->status = got ? 0 : -ENOMEM;
		break;
	case KMC_OP_KMEM_FREE:
		if (!G->nr_objs) {
			res->status = 1;
			break;
		}
		for (uint32_t i = 0; i < a[KMC_KMEM_FREE_n] && G->nr_objs; i++)
			if (!kmc_free_obj(a[KMC_KMEM_FREE_k]))
				break;
		break;
	case KMC_OP_CACHE_SHRINK:
		s = kmc_root_at(a[KMC_CACHE_SHRINK_r]);
		if (s && a[KMC_CACHE_SHRINK_m] != KMEMCG_ROOT_MEMCG) {
			memcg = kmc_memcg_at(a[KMC_CACHE_SHRINK_m]);
			s = memcg ? kmc_child_of(s, memcg) : NULL;
		}
		if (!s) {
			res->status = 1;
			break;
		}
		__kmem_cache_shrink(s);	/* kmem_cache_shrink() */
		break;
	case KMC_OP_RCU_GP:
		mm_rcu_gp();
		break;
	case KMC_OP_RUN_WORK:
		res->val[0] = mm_run_workqueue(a[KMC_RUN_WORK_wq] == KMC_WQ_SYSTEM ? &mm_cur->system_wq :
					       memcg_kmem_cache_wq, (int)a[KMC_RUN_WORK_n]);
		res->status = res->val[0] ? 0 : 1;
		break;
	case KMC_OP_FAIL_NEXT: {
		static const enum mm_fail_kind kinds[KMC_FAIL_NR] = {
			MM_FAIL_KMALLOC, MM_FAIL_CHARGE, MM_FAIL_POPULATE, MM_FAIL_PAGE_ALLOC
		};

		mm_cur->fail_next[kinds[a[KMC_FAIL_NEXT_kind]]] = a[KMC_FAIL_NEXT_n];
		break;
	}
	case KMC_OP_ALLOC_BEGIN:
		t = current_task();
		s = kmc_root_at(a[KMC_ALLOC_BEGIN_r]);
		if (!s || t->inflight || t->busy || kmc_obj_room() <= 0) {
			res->status = 1;
			break;
		}
		t->busy = true;
		t->inflight = s;
		t->inflight = kmc_alloc_start(t, s, (int)a[KMC_ALLOC_BEGIN_gfp]);
		t->busy = false;
		res->val[0] = !is_root_cache(t->inflight);
		break;
	case KMC_OP_ALLOC_END:
		t = current_task();
		if (!t->inflight || t->busy) {
			res->status = 1;
			break;
		}
		t->busy = true;
		got = kmc_alloc_finish(t->inflight, t->inflight_gfp, &nonroot);
		t->inflight = NULL;
		t->busy = false;
		t->inflight_gfp = 0;
		res->status = got ? 0 : -ENOMEM;
		break;
	default:
		res->status = 1;
	}
	if (op->id == KMC_OP_KMEM_ALLOC || op->id == KMC_OP_ALLOC_END) {
		res->val[0] = got;
		res->val[1] = nonroot;
		res->val[2] = G->last_charged;
	}
	snprintf(res->text, sizeof(res->text), "status %d val %ld %ld %ld", res->status, res->val[0],
		 res->val[1], res->val[2]);
}

/* -- invariants ------------------------------------------------------------ */
static bool kmc_quiescent(void)
{
	if (mm_cur->rcu_head_list || mm_cur->system_wq.head || G->kmem_cache_wq.head)
		return false;
	for (int i = 0; i < G->nr_cpus; i++)
		if (G->tasks[i].inflight)
			return false;
	return true;
}

static long cache_pages(struct kmem_cache *s)
{
	struct slab_page *p;
	long n = 0;

	list_for_each_entry(p, &s->slabs, lru)
		n += 1L << p->order;
	return n;
}

static bool memcg_task_refs(struct mem_cgroup *memcg)
{
	for (int i = 0; i < G->nr_cpus; i++)
		if (G->tasks[i].memcg == memcg || G->tasks[i].active_memcg == memcg)
			return true;
	return false;
}

static void kmc_check_css(struct mem_cgroup *memcg)
{
	struct work_struct *w;
	struct kmem_cache *c;
	long expect = 0, actual = percpu_ref_total(&memcg->css.refcnt);

	expect += memcg->offline ? 0 : 1;
	expect += memcg->css.refcnt.confirm_switch ? 1 : 0;
	for (int i = 0; i < G->nr_cpus; i++) {
		expect += G->tasks[i].memcg == memcg;
		expect += G->tasks[i].active_memcg == memcg;
		c = G->tasks[i].inflight;
		if (!G->ops->percpu_ref_scheme && c && !is_root_cache(c) && c->memcg_params.memcg == memcg)
			expect++;
	}
	for (w = G->kmem_cache_wq.head; w; w = w->next)
		if (w->func == memcg_kmem_cache_create_func &&
		    container_of(w, struct memcg_kmem_cache_create_work, work)->memcg == memcg)
			expect++;
	for (int i = 0; i < G->nr_children; i++) {
		c = G->children[i];
		if (c->released || c->memcg_params.memcg != memcg)
			continue;
		if (G->ops->percpu_ref_scheme) {
			if (!c->unlinked)	/* linked */
				expect++;
		} else {
			struct slab_page *p;

			list_for_each_entry(p, &c->slabs, lru)
				if (p->mem_cgroup == memcg)
					expect += 1L << p->order;
			/* the deactivation pin */
			if (c->memcg_params.rcu_pending || c->memcg_params.work.pending)
				expect++;
		}
	}
	if (actual != expect)
		mm_violation("CSS_REFS", "css_put_many",
			     "memcg m%d: css refcnt %ld, expected %ld (%s)", memcg->slot, actual, expect,
			     memcg->offline ? "offline" : "online");
}

void kmc_check(void *inst)
{
	struct kmem_cache *c;
	long node = 0;

	G = inst;
	for (int i = 0; i < G->nr_cpus; i++)
		if (G->tasks[i].rcu_read_depth)
			mm_violation("RCU_NESTING_DRIFT", "memcg_kmem_get_cache",
				     "task of cpu %d ends the op with rcu_read_lock() depth %d", i,
				     G->tasks[i].rcu_read_depth);
	/* I2: non-root caches' percpu_ref */
	for (int i = 0; i < G->nr_children && G->ops->percpu_ref_scheme; i++) {
		struct percpu_ref *ref;
		long expect;

		c = G->children[i];
		ref = &c->memcg_params.refcnt;
		if (c->released || !ref->percpu_allocated)
			continue;
		expect = cache_pages(c) + c->inflight + (ref->dead ? 0 : 1) + (ref->confirm_switch ? 1 : 0);
		if (percpu_ref_total(ref) != expect)
			mm_violation("PERCPU_REF_COUNT", "percpu_ref_put_many",
				     "cache %s: refcnt %ld, expected %ld (pages %ld, in flight %d, %s%s)", c->name,
				     percpu_ref_total(ref), expect, cache_pages(c), c->inflight,
				     ref->dead ? "dead" : "live", ref->confirm_switch ? ", switching" : "");
	}
	/* I3, I4 */
	for (int k = 0; k < G->nr_memcgs; k++) {
		struct mem_cgroup *memcg = G->all_memcgs[k];
		int m = memcg->slot;
		long charged = 0;

		if (memcg_freed(memcg))
			continue;
		kmc_check_css(memcg);
		for (int i = 0; i < G->nr_children; i++) {
			struct slab_page *p;

			list_for_each_entry(p, &G->children[i]->slabs, lru)
				if (p->charged && p->charged_to == memcg)
					charged += 1L << p->order;
		}
		if (memcg->kmem.usage != charged || memcg->memory.usage != charged ||
		    memcg->lruvec_slab != charged)
			mm_violation("KMEM_COUNTER", "memcg_kmem_uncharge",
				     "memcg m%d: kmem %ld, memory %ld, lruvec slab %ld; its charged slab pages %ld",
				     m, memcg->kmem.usage, memcg->memory.usage, memcg->lruvec_slab, charged);
	}
	for (int r = 0; r < KMEMCG_NR_ROOT; r++)
		if (G->roots[r])
			node += cache_pages(G->roots[r]);
	list_for_each_entry(c, &G->slab_caches, list)
		if (!is_root_cache(c))
			node += cache_pages(c);
	for (int i = 0; i < G->nr_children; i++)	/* unlinked but not released */
		if (G->children[i]->unlinked && !G->children[i]->released)
			node += cache_pages(G->children[i]);
	if (node != G->node_slab)
		mm_violation("KMEM_COUNTER", "mod_node_page_state",
			     "node NR_SLAB_UNRECLAIMABLE %ld, slab pages %ld", G->node_slab, node);
	kmc_check_lifetimes();
}

/* I7: zombies and leaked caches once everything ran */
void kmc_check_lifetimes(void)
{
	struct kmem_cache *c;
	bool quiet;

	quiet = kmc_quiescent();
	for (int k = 0; k < G->nr_memcgs && quiet; k++) {
		struct mem_cgroup *memcg = G->all_memcgs[k];
		int m = memcg->slot;
		bool busy = false;

		if (memcg_freed(memcg) || !memcg->offline || memcg_task_refs(memcg))
			continue;
		for (int i = 0; i < G->nr_children; i++)
			if (!G->children[i]->released && G->children[i]->memcg_params.memcg == memcg &&
			    G->children[i]->nr_objs)
				busy = true;
		if (!busy)
			mm_violation("MEMCG_ZOMBIE", "mem_cgroup_css_free",
				     "memcg m%d offline, no objects, nothing pending, css refcnt %ld: never freed",
				     m, percpu_ref_total(&memcg->css.refcnt));
	}
	for (int i = 0; i < G->nr_children && quiet; i++) {
		struct mem_cgroup *memcg;

		c = G->children[i];
		memcg = c->memcg_params.memcg;
		if (c->released || c->nr_objs)
			continue;
		if (!c->memcg_params.root_cache->memcg_params.dying && !memcg->offline)
			continue;
		if (!G->ops->percpu_ref_scheme && !c->memcg_params.root_cache->memcg_params.dying &&
		    !memcg_freed(memcg))
			continue;	/* v5.1: the cache lives as long as its memcg (MEMCG_ZOMBIE covers that) */
		if (G->ops->known_sysfs_remove_leak && c->sysfs_remove_lost) {
			if (!c->leak_noted)
				mm_note("KNOWN_REF_BUG", "cache %s: sysfs_slab_remove() ran again while its first removal work was pending; the kobject reference it took is never put",
					c->name);
			c->leak_noted = true;
			continue;
		}
		mm_violation("LEAKED_CACHE", G->ops->percpu_ref_scheme ? "kmemcg_queue_cache_shutdown" :
			     "memcg_destroy_kmem_caches",
			     "cache %s (memcg m%d %s) has no objects, nothing is pending, yet it was never released",
			     c->name, memcg->slot, memcg_freed(memcg) ? "freed" : "offline");
	}
}

void kmc_observe(void *inst, void *obs)
{
	struct kmc_obs *o = obs;

	G = inst;
	memset(o, 0, sizeof(*o));
	o->live_objects = G->nr_objs;
	o->slab_pages = G->node_slab;
	for (int m = 0; m < KMEMCG_NR_MEMCG; m++) {
		struct mem_cgroup *memcg = G->memcgs[m];

		o->kmem_usage[m] = memcg ? memcg->kmem.usage : -1;
		o->lruvec_slab[m] = memcg ? memcg->lruvec_slab : -1;
	}
	for (int k = 0; k < G->nr_memcgs; k++)
		o->live_memcgs += !memcg_freed(G->all_memcgs[k]);
	o->cache_releases = G->cache_releases;
	for (int i = 0; i < G->nr_children; i++) {
		o->live_nonroot_caches += !G->children[i]->released;
		o->sysfs_visible_caches += !G->children[i]->released && G->children[i]->state_in_sysfs;
	}
	o->killed_cache_allocs = G->killed_cache_allocs;
	o->quiescent = kmc_quiescent();
	o->rcu_gp_seq = (long)mm_cur->rcu_gp_seq;
}

void kmc_dump(void *inst, char *buf, size_t len)
{
	size_t n = 0;

	G = inst;
#define OUT(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	for (int k = 0; k < G->nr_memcgs; k++) {
		struct mem_cgroup *memcg = G->all_memcgs[k];
		int m = memcg->slot;

		if (memcg_freed(memcg))
			continue;
		OUT("  memcg m%d %s kmemcg_id %d css %ld%s kmem %ld/%ld\n", m,
		    memcg->offline ? "offline" : "online", memcg->kmemcg_id,
		    percpu_ref_total(&memcg->css.refcnt), memcg->css.refcnt.dead ? " dead" : "",
		    memcg->kmem.usage, memcg->kmem.max == LONG_MAX ? -1L : memcg->kmem.max);
	}
	for (int i = 0; i < G->nr_children; i++) {
		struct kmem_cache *c = G->children[i];
		struct percpu_ref *ref = &c->memcg_params.refcnt;

		if (c->released)
			continue;
		OUT("  cache %s objs %ld pages %ld%s%s", c->name, c->nr_objs, cache_pages(c),
		    c->deactivated ? " deactivated" : "", c->unlinked ? " unlinked" : "");
		if (G->ops->percpu_ref_scheme)
			OUT(" refcnt %ld%s%s%s", percpu_ref_total(ref), ref->atomic ? " atomic" : " percpu",
			    ref->dead ? " dead" : "", ref->confirm_switch ? " switching" : "");
		OUT("%s%s\n", c->memcg_params.rcu_pending ? " rcu-pending" : "",
		    c->memcg_params.work.pending ? " work-pending" : "");
	}
	OUT("  rcu callbacks %s, memcg_kmem_cache_wq %s, system_wq %s, objects %d\n",
	    mm_cur->rcu_head_list ? "pending" : "none", G->kmem_cache_wq.head ? "pending" : "empty",
	    mm_cur->system_wq.head ? "pending" : "empty", G->nr_objs);
#undef OUT
}

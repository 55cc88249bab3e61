// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference kmemcg variant, v5.1: the css-reference scheme
 * (page -> mem_cgroup -> kmem_cache).  Every charged slab page holds a css
 * reference (try_charge()) and sets page->mem_cgroup; memcg_kmem_get_cache()
 * pins the memcg for the running allocation; deactivation pins it until
 * its work ran; the caches are shut down only when the memcg is freed
 * (memcg_destroy_kmem_caches()).
 */
#include "kmemcg_internal.h"

/* Mirrors get_mem_cgroup_from_current(), mm/memcontrol.c v5.1. */
static struct mem_cgroup *get_mem_cgroup_from_current(void)
{
	struct kmc_task *t = current_task();
	struct mem_cgroup *memcg;

	if (unlikely(t->active_memcg)) {
		memcg = root_mem_cgroup;
		rcu_read_lock();
		if (css_tryget_online(&t->active_memcg->css))
			memcg = t->active_memcg;
		rcu_read_unlock();
		return memcg;
	}
	/* get_mem_cgroup_from_mm() */
	rcu_read_lock();
	do {
		memcg = mem_cgroup_from_task(t);
		if (unlikely(!memcg))
			memcg = root_mem_cgroup;
	} while (!css_tryget_online(&memcg->css));
	rcu_read_unlock();
	return memcg;
}

/* Mirrors cache_from_memcg_idx(), mm/slab.h v5.1. */
static struct kmem_cache *cache_from_memcg_idx(struct kmem_cache *s, int idx)
{
	struct kmem_cache *cachep;
	struct memcg_cache_array *arr;

	rcu_read_lock();
	arr = rcu_dereference(s->memcg_params.memcg_caches);
	cachep = MM_SUBSCRIBE(arr->entries[idx]);	/* READ_ONCE(), address dependency */
	rcu_read_unlock();
	return cachep;
}

/* Mirrors memcg_schedule_kmem_cache_create(), mm/memcontrol.c v5.1. */
static void memcg_schedule_kmem_cache_create(struct mem_cgroup *memcg, struct kmem_cache *cachep)
{
	struct memcg_kmem_cache_create_work *cw;

	cw = kmalloc(sizeof(*cw));	/* GFP_NOWAIT | __GFP_NOWARN */
	if (!cw)
		return;
	css_get(&memcg->css);
	memcg_schedule_kmem_cache_create_work(memcg, cachep, cw);
}

/* Mirrors memcg_kmem_get_cache(), mm/memcontrol.c v5.1. */
static struct kmem_cache *memcg_kmem_get_cache(struct kmem_cache *cachep)
{
	struct mem_cgroup *memcg;
	struct kmem_cache *memcg_cachep;
	int kmemcg_id;

	VM_BUG_ON(!is_root_cache(cachep));
	if (memcg_kmem_bypass())
		return cachep;
	memcg = get_mem_cgroup_from_current();
	kmemcg_id = READ_ONCE(memcg->kmemcg_id);
	if (kmemcg_id < 0)
		goto out;
	memcg_cachep = cache_from_memcg_idx(cachep, kmemcg_id);
	if (likely(memcg_cachep))
		return memcg_cachep;
	memcg_schedule_kmem_cache_create(memcg, cachep);
out:
	css_put(&memcg->css);
	return cachep;
}

/* Mirrors memcg_kmem_put_cache(), mm/memcontrol.c v5.1. */
static void memcg_kmem_put_cache(struct kmem_cache *cachep)
{
	if (!is_root_cache(cachep))
		css_put(&cachep->memcg_params.memcg->css);
}

/*
 * Mirrors memcg_charge_slab() (mm/slab.h v5.1) with the stats of
 * allocate_slab(), mm/slub.c v5.1: __memcg_kmem_charge_memcg() sets
 * page->mem_cgroup, mod_lruvec_page_state() follows it.
 */
static int charge_slab_page(struct slab_page *page, int gfp, int order, struct kmem_cache *s)
{
	if (!is_root_cache(s)) {
		int ret = memcg_kmem_charge_memcg(page, gfp, order, s->memcg_params.memcg);

		if (ret)
			return ret;
		page->mem_cgroup = s->memcg_params.memcg;
	}
	/* mod_lruvec_page_state(page, cache_vmstat_idx(s), 1 << order) */
	if (page->mem_cgroup)
		mod_lruvec_state(page->mem_cgroup, 1L << order);
	else
		mod_node_page_state(1L << order);
	return 0;
}

/* Mirrors memcg_kmem_uncharge(), mm/memcontrol.c v5.1, and the stats of __free_slab(). */
static void uncharge_slab_page(struct slab_page *page, int order, struct kmem_cache *s)
{
	struct mem_cgroup *memcg = page->mem_cgroup;
	long nr_pages = 1L << order;

	if (memcg)
		mod_lruvec_state(memcg, -nr_pages);
	else
		mod_node_page_state(-nr_pages);
	if (!memcg)
		return;
	memcg_kmem_uncharge_memcg(page, order, memcg);
	page->mem_cgroup = NULL;
	css_put_many(&memcg->css, nr_pages);
}

/* Mirrors init_memcg_params(), mm/slab_common.c v5.1. */
static int init_memcg_params(struct kmem_cache *s, struct kmem_cache *root_cache)
{
	struct memcg_cache_array *arr;

	if (root_cache) {
		s->memcg_params.root_cache = root_cache;
		return 0;
	}
	arr = kmalloc(sizeof(*arr));	/* kvzalloc() */
	if (!arr)
		return -ENOMEM;
	s->memcg_params.memcg_caches = arr;
	return 0;
}

/* Mirrors destroy_memcg_params(), mm/slab_common.c v5.1. */
static void destroy_memcg_params(struct kmem_cache *s)
{
	if (is_root_cache(s))
		kfree(s->memcg_params.memcg_caches);
}

/* Mirrors memcg_link_cache(), mm/slab_common.c v5.1. */
static void memcg_link_cache(struct kmem_cache *s, struct mem_cgroup *memcg)
{
	if (is_root_cache(s)) {
		list_add(&s->root_caches_node, &G->slab_root_caches);
	} else {
		s->memcg_params.memcg = memcg;
		list_add(&s->memcg_params.children_node, &s->memcg_params.root_cache->memcg_params.children);
		list_add(&s->memcg_params.kmem_caches_node, &memcg->kmem_caches);
	}
}

/* Mirrors memcg_unlink_cache(), mm/slab_common.c v5.1. */
static void memcg_unlink_cache(struct kmem_cache *s)
{
	if (is_root_cache(s)) {
		list_del(&s->root_caches_node);
	} else {
		list_del(&s->memcg_params.children_node);
		list_del(&s->memcg_params.kmem_caches_node);
	}
}

/* Mirrors kmemcg_deactivate_workfn(), mm/slab_common.c v5.1. */
static void kmemcg_deactivate_workfn(struct work_struct *work)
{
	struct kmem_cache *s = container_of(work, struct kmem_cache, memcg_params.work);

	mutex_lock(&slab_mutex);
	s->memcg_params.work_fn(s);	/* deact_fn */
	mutex_unlock(&slab_mutex);
	/* done, put the ref from slab_deactivate_memcg_cache_rcu_sched() */
	css_put(&s->memcg_params.memcg->css);
}

/* Mirrors kmemcg_deactivate_rcufn(), mm/slab_common.c v5.1. */
static void kmemcg_deactivate_rcufn(struct rcu_head *head)
{
	struct kmem_cache *s = container_of(head, struct kmem_cache, memcg_params.rcu_head);

	/* We need to grab blocking locks.  Bounce to ->deact_work. */
	INIT_WORK(&s->memcg_params.work, kmemcg_deactivate_workfn);
	queue_work_checked(memcg_kmem_cache_wq, &s->memcg_params.work, s);
}

/* Mirrors slab_deactivate_memcg_cache_rcu_sched(), mm/slab_common.c v5.1. */
static void slab_deactivate_memcg_cache_rcu_sched(struct kmem_cache *s, void (*deact_fn)(struct kmem_cache *))
{
	if (WARN_ON_ONCE(is_root_cache(s)) || WARN_ON_ONCE(s->memcg_params.work_fn))
		return;
	if (s->memcg_params.root_cache->memcg_params.dying)
		return;
	/* pin memcg so that @s doesn't get destroyed in the middle */
	css_get(&s->memcg_params.memcg->css);
	s->memcg_params.work_fn = deact_fn;
	call_rcu_checked(&s->memcg_params.rcu_head, kmemcg_deactivate_rcufn, s);
}

/* Mirrors kmemcg_cache_deact_after_rcu(), mm/slub.c v5.1. */
static void kmemcg_cache_deact_after_rcu(struct kmem_cache *s)
{
	/*
	 * Even if @s becomes empty after shrinking, we can't know that @s
	 * doesn't have allocations already in-flight and thus can't destroy
	 * @s until the associated memcg is released; the sysfs files of
	 * empty caches go now.
	 */
	if (!__kmem_cache_shrink(s))
		sysfs_slab_remove(s);
}

/* Mirrors memcg_deactivate_kmem_caches(), mm/slab_common.c v5.1, with SLUB's __kmemcg_cache_deactivate(). */
static void memcg_deactivate_kmem_caches(struct mem_cgroup *memcg)
{
	int idx = memcg->kmemcg_id;
	struct memcg_cache_array *arr;
	struct kmem_cache *s, *c;

	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &G->slab_root_caches, root_caches_node) {
		arr = s->memcg_params.memcg_caches;
		c = arr->entries[idx];
		if (!c)
			continue;
		__kmemcg_cache_deactivate(c);
		slab_deactivate_memcg_cache_rcu_sched(c, kmemcg_cache_deact_after_rcu);
		arr->entries[idx] = NULL;
	}
	mutex_unlock(&slab_mutex);
}

/* Mirrors memcg_destroy_kmem_caches(), mm/slab_common.c v5.1. */
static void memcg_destroy_kmem_caches(struct mem_cgroup *memcg)
{
	struct kmem_cache *s, *s2;

	mutex_lock(&slab_mutex);
	list_for_each_entry_safe(s, s2, &memcg->kmem_caches, memcg_params.kmem_caches_node) {
		/*
		 * The cgroup is about to be freed and therefore has no charges
		 * left. Hence, all its caches must be empty by now.
		 */
		BUG_ON(shutdown_cache(s));
	}
	mutex_unlock(&slab_mutex);
}

/* Mirrors memcg_free_kmem(), mm/memcontrol.c v5.1. */
static void memcg_free_kmem(struct mem_cgroup *memcg)
{
	/* css_alloc() failed, offlining didn't happen */
	if (unlikely(memcg->kmem_state == KMEM_ONLINE))
		kmc_memcg_offline_kmem(memcg);
	if (memcg->kmem_state == KMEM_ALLOCATED) {
		memcg_destroy_kmem_caches(memcg);
		kmc_static_branch_dec();
		WARN_ON(memcg->kmem.usage);
	}
}

/* Mirrors flush_memcg_workqueue(), mm/slab_common.c v5.1 (SLUB). */
static void flush_memcg_workqueue(struct kmem_cache *s)
{
	mutex_lock(&slab_mutex);
	s->memcg_params.dying = true;
	mutex_unlock(&slab_mutex);
	/* SLUB deactivates the kmem_caches through call_rcu. */
	rcu_barrier();
	/* Make sure all previous workitems on workqueue are processed. */
	flush_workqueue(memcg_kmem_cache_wq);
}

const struct kmemcg_ops kmemcg_v5_1_ops = {
	.name = "v5.1",
	.percpu_ref_scheme = false,
	.memcg_kmem_get_cache = memcg_kmem_get_cache,
	.memcg_kmem_put_cache = memcg_kmem_put_cache,
	.charge_slab_page = charge_slab_page,
	.uncharge_slab_page = uncharge_slab_page,
	.init_memcg_params = init_memcg_params,
	.destroy_memcg_params = destroy_memcg_params,
	.memcg_link_cache = memcg_link_cache,
	.memcg_unlink_cache = memcg_unlink_cache,
	.memcg_deactivate_kmem_caches = memcg_deactivate_kmem_caches,
	.memcg_free_kmem = memcg_free_kmem,
	.flush_memcg_workqueue = flush_memcg_workqueue,
	.known_sysfs_remove_leak = true,
};

static void *v5_1_create(const struct mm_config *cfg)
{
	return kmc_create(cfg, &kmemcg_v5_1_ops);
}

const struct mm_variant kmemcg_v5_1 = {
	.name = "v5.1",
	.family = "kmemcg",
	.reference = NULL,
	.models = "Linux v5.1 mm/slab_common.c, mm/memcontrol.c, mm/slab.h, mm/slub.c: css-reference scheme, caches die with their memcg",
	.expect = "clean",
	.create = v5_1_create,
	.exec = kmc_exec,
	.check = kmc_check,
	.observe = kmc_observe,
	.dump = kmc_dump,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * "[PATCH v4 5/7] mm: rework non-root kmem_cache lifecycle management"
 * (Roman Gushchin, 2019-05-14; Reviewed-by Shakeel Butt), as posted, on
 * the series' 1/7-4/7: page -> kmem_cache -> mem_cgroup.  A non-root cache
 * holds one css reference (memcg_link_cache()) and a percpu_ref counting
 * its charged pages and running allocations; deactivation kills the ref
 * after a grace period and a work item, the release queues the shutdown
 * through the same rcu_head/work union.
 *
 * Variants: v4 (memcg_kmem_get_cache() exactly as posted) and tryget-live
 * (percpu_ref_tryget_live() instead of percpu_ref_tryget(), after Shakeel
 * Butt's "*percpu_ref_tryget_live()" on the posted comment).  The v5.3
 * variant (kmemcg_v5_3.c) reuses this lifecycle.
 */
#include "../../ref/kmemcg/kmemcg_internal.h"
#include "kmemcg_v4.h"

/* Mirrors memcg_schedule_kmem_cache_create(), the v4 posting. */
void v4_memcg_schedule_kmem_cache_create(struct mem_cgroup *memcg, struct kmem_cache *cachep)
{
	struct memcg_kmem_cache_create_work *cw;

	if (!css_tryget_online(&memcg->css))
		return;
	cw = kmalloc(sizeof(*cw));	/* GFP_NOWAIT | __GFP_NOWARN */
	if (!cw)
		return;
	memcg_schedule_kmem_cache_create_work(memcg, cachep, cw);
}

/*
 * Mirrors memcg_kmem_get_cache(), the v4 posting, exactly: note the
 * rcu_read_lock() at out_unlock (the v5 posting's changelog: "s/rcu_read_lock()/
 * rcu_read_unlock() in memcg_kmem_get_cache()").
 */
static struct kmem_cache *v4_memcg_kmem_get_cache(struct kmem_cache *cachep)
{
	struct kmc_task *current = current_task();
	struct mem_cgroup *memcg;
	struct kmem_cache *memcg_cachep;
	int kmemcg_id;
	struct memcg_cache_array *arr;

	VM_BUG_ON(!is_root_cache(cachep));
	if (memcg_kmem_bypass())
		return cachep;
	rcu_read_lock();
	if (unlikely(current->active_memcg))
		memcg = current->active_memcg;
	else
		memcg = mem_cgroup_from_task(current);
	if (!memcg || memcg == root_mem_cgroup)
		goto out_unlock;
	kmemcg_id = READ_ONCE(memcg->kmemcg_id);
	if (kmemcg_id < 0)
		goto out_unlock;
	arr = rcu_dereference(cachep->memcg_params.memcg_caches);
	memcg_cachep = MM_SUBSCRIBE(arr->entries[kmemcg_id]);	/* READ_ONCE(), address dependency */
	/*
	 * If the memcg is dying or memcg_cache is about to be released,
	 * don't bother creating new kmem_caches (the posted comment).
	 */
	if (unlikely(!memcg_cachep))
		v4_memcg_schedule_kmem_cache_create(memcg, cachep);
	else if (percpu_ref_tryget(&memcg_cachep->memcg_params.refcnt))
		cachep = memcg_cachep;
out_unlock:
	rcu_read_lock();
	return cachep;
}

/* tryget-live: the v4 posting with percpu_ref_tryget_live(). */
static struct kmem_cache *tryget_live_memcg_kmem_get_cache(struct kmem_cache *cachep)
{
	struct kmc_task *current = current_task();
	struct mem_cgroup *memcg;
	struct kmem_cache *memcg_cachep;
	int kmemcg_id;
	struct memcg_cache_array *arr;

	VM_BUG_ON(!is_root_cache(cachep));
	if (memcg_kmem_bypass())
		return cachep;
	rcu_read_lock();
	if (unlikely(current->active_memcg))
		memcg = current->active_memcg;
	else
		memcg = mem_cgroup_from_task(current);
	if (!memcg || memcg == root_mem_cgroup)
		goto out_unlock;
	kmemcg_id = READ_ONCE(memcg->kmemcg_id);
	if (kmemcg_id < 0)
		goto out_unlock;
	arr = rcu_dereference(cachep->memcg_params.memcg_caches);
	memcg_cachep = MM_SUBSCRIBE(arr->entries[kmemcg_id]);	/* READ_ONCE(), address dependency */
	if (unlikely(!memcg_cachep))
		v4_memcg_schedule_kmem_cache_create(memcg, cachep);
	else if (percpu_ref_tryget_live(&memcg_cachep->memcg_params.refcnt))
		cachep = memcg_cachep;
out_unlock:
	rcu_read_lock();
	return cachep;
}

/* Mirrors memcg_kmem_put_cache(), the v4 posting. */
void v4_memcg_kmem_put_cache(struct kmem_cache *cachep)
{
	if (!is_root_cache(cachep))
		percpu_ref_put(&cachep->memcg_params.refcnt);
}

/* Mirrors memcg_charge_slab(), mm/slab.h, the v4 posting. */
static int memcg_charge_slab(struct slab_page *page, int gfp, int order, struct kmem_cache *s)
{
	struct mem_cgroup *memcg;
	int ret;

	memcg = s->memcg_params.memcg;
	ret = memcg_kmem_charge_memcg(page, gfp, order, memcg);
	if (ret)
		return ret;
	mod_lruvec_state(memcg, 1L << order);
	/* transer try_charge() page references to kmem_cache */
	percpu_ref_get_many(&s->memcg_params.refcnt, 1UL << order);
	css_put_many(&memcg->css, 1U << order);
	return 0;
}

/* Mirrors memcg_uncharge_slab(), mm/slab.h, the v4 posting. */
static void memcg_uncharge_slab(struct slab_page *page, int order, struct kmem_cache *s)
{
	struct mem_cgroup *memcg;

	memcg = s->memcg_params.memcg;
	mod_lruvec_state(memcg, -(1L << order));
	memcg_kmem_uncharge_memcg(page, order, memcg);
	percpu_ref_put_many(&s->memcg_params.refcnt, 1UL << order);
}

/* Mirrors charge_slab_page(), mm/slab.h, the v4 posting. */
int v4_charge_slab_page(struct slab_page *page, int gfp, int order, struct kmem_cache *s)
{
	if (is_root_cache(s)) {
		mod_node_page_state(1L << order);
		return 0;
	}
	return memcg_charge_slab(page, gfp, order, s);
}

/* Mirrors uncharge_slab_page(), mm/slab.h, the v4 posting. */
void v4_uncharge_slab_page(struct slab_page *page, int order, struct kmem_cache *s)
{
	if (is_root_cache(s)) {
		mod_node_page_state(-(1L << order));
		return;
	}
	memcg_uncharge_slab(page, order, s);
}

static void kmemcg_queue_cache_shutdown(struct percpu_ref *percpu_ref);

/* Mirrors init_memcg_params(), mm/slab_common.c, the v4 posting. */
int v4_init_memcg_params(struct kmem_cache *s, struct kmem_cache *root_cache)
{
	struct memcg_cache_array *arr;

	if (root_cache) {
		int ret = percpu_ref_init(&s->memcg_params.refcnt, kmemcg_queue_cache_shutdown, true);

		if (ret)
			return ret;
		s->memcg_params.root_cache = root_cache;
		return 0;
	}
	arr = kmalloc(sizeof(*arr));	/* kvzalloc() */
	if (!arr)
		return -ENOMEM;
	s->memcg_params.memcg_caches = arr;
	return 0;
}

/* Mirrors destroy_memcg_params(), mm/slab_common.c, the v4 posting. */
void v4_destroy_memcg_params(struct kmem_cache *s)
{
	if (is_root_cache(s))
		kfree(s->memcg_params.memcg_caches);
	else
		percpu_ref_exit(&s->memcg_params.refcnt);
}

/* Mirrors memcg_link_cache(), the v4 posting: one css reference per non-root cache. */
void v4_memcg_link_cache(struct kmem_cache *s, struct mem_cgroup *memcg)
{
	if (is_root_cache(s)) {
		list_add(&s->root_caches_node, &G->slab_root_caches);
	} else {
		css_get(&memcg->css);
		s->memcg_params.memcg = memcg;
		list_add(&s->memcg_params.children_node, &s->memcg_params.root_cache->memcg_params.children);
		list_add(&s->memcg_params.kmem_caches_node, &memcg->kmem_caches);
	}
}

/* Mirrors memcg_unlink_cache(), the v4 posting. */
void v4_memcg_unlink_cache(struct kmem_cache *s)
{
	if (is_root_cache(s)) {
		list_del(&s->root_caches_node);
	} else {
		list_del(&s->memcg_params.children_node);
		list_del(&s->memcg_params.kmem_caches_node);
		css_put(&s->memcg_params.memcg->css);
	}
}

/* Mirrors kmemcg_after_rcu_workfn(), mm/slab_common.c, the series' 2/7 and the v4 posting. */
static void kmemcg_after_rcu_workfn(struct work_struct *work)
{
	struct kmem_cache *s = container_of(work, struct kmem_cache, memcg_params.work);

	mutex_lock(&slab_mutex);
	s->memcg_params.work_fn(s);
	s->memcg_params.work_fn = NULL;
	mutex_unlock(&slab_mutex);
}

/*
 * Mirrors kmemcg_schedule_work_after_rcu(): we need to grab blocking
 * locks.  Bounce to ->work.  The work item shares the space with the RCU
 * head and can't be initialized earlier.
 */
static void kmemcg_schedule_work_after_rcu(struct rcu_head *head)
{
	struct kmem_cache *s = container_of(head, struct kmem_cache, memcg_params.rcu_head);

	INIT_WORK(&s->memcg_params.work, kmemcg_after_rcu_workfn);
	queue_work_checked(memcg_kmem_cache_wq, &s->memcg_params.work, s);
}

/* Mirrors kmemcg_cache_shutdown_after_rcu(), the v4 posting. */
static void kmemcg_cache_shutdown_after_rcu(struct kmem_cache *s)
{
	WARN_ON(shutdown_cache(s));
}

/* Mirrors kmemcg_queue_cache_shutdown(), the v4 posting: the percpu_ref release. */
static void kmemcg_queue_cache_shutdown(struct percpu_ref *percpu_ref)
{
	struct kmem_cache *s = container_of(percpu_ref, struct kmem_cache, memcg_params.refcnt);

	spin_lock(&memcg_kmem_wq_lock);
	if (s->memcg_params.root_cache->memcg_params.dying)
		goto unlock;
	WARN_ON(s->memcg_params.work_fn);
	s->memcg_params.work_fn = kmemcg_cache_shutdown_after_rcu;
	call_rcu_checked(&s->memcg_params.rcu_head, kmemcg_schedule_work_after_rcu, s);
unlock:
	spin_unlock(&memcg_kmem_wq_lock);
}

/* Mirrors kmemcg_cache_deactivate_after_rcu(), the v4 posting, with SLUB's __kmemcg_cache_deactivate_after_rcu(). */
static void kmemcg_cache_deactivate_after_rcu(struct kmem_cache *s)
{
	__kmem_cache_shrink(s);
	percpu_ref_kill(&s->memcg_params.refcnt);
}

/* Mirrors kmemcg_cache_deactivate(), the series' 2/7 and the v4 posting. */
static void kmemcg_cache_deactivate(struct kmem_cache *s)
{
	__kmemcg_cache_deactivate(s);
	if (s->memcg_params.root_cache->memcg_params.dying)
		return;
	WARN_ON_ONCE(s->memcg_params.work_fn);
	s->memcg_params.work_fn = kmemcg_cache_deactivate_after_rcu;
	call_rcu_checked(&s->memcg_params.rcu_head, kmemcg_schedule_work_after_rcu, s);
}

/* Mirrors memcg_deactivate_kmem_caches(), mm/slab_common.c, the v4 posting. */
void v4_memcg_deactivate_kmem_caches(struct mem_cgroup *memcg)
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
		kmemcg_cache_deactivate(c);
		arr->entries[idx] = NULL;
	}
	mutex_unlock(&slab_mutex);
}

/* Mirrors memcg_free_kmem(), mm/memcontrol.c, the v4 posting. */
void v4_memcg_free_kmem(struct mem_cgroup *memcg)
{
	if (unlikely(memcg->kmem_state == KMEM_ONLINE))
		kmc_memcg_offline_kmem(memcg);
	if (memcg->kmem_state == KMEM_ALLOCATED) {
		WARN_ON(!list_empty(&memcg->kmem_caches));
		kmc_static_branch_dec();
		WARN_ON(memcg->kmem.usage);
	}
}

/* Mirrors flush_memcg_workqueue(), mm/slab_common.c, the v4 posting (SLUB). */
void v4_flush_memcg_workqueue(struct kmem_cache *s)
{
	/*
	 * memcg_params.dying is synchronized using slab_mutex AND
	 * memcg_kmem_wq_lock spinlock, because it's not always
	 * possible to grab slab_mutex.
	 */
	mutex_lock(&slab_mutex);
	spin_lock(&memcg_kmem_wq_lock);
	s->memcg_params.dying = true;
	spin_unlock(&memcg_kmem_wq_lock);
	mutex_unlock(&slab_mutex);
	rcu_barrier();
	flush_workqueue(memcg_kmem_cache_wq);
}

#define V4_LIFECYCLE \
	.percpu_ref_scheme = true, \
	.memcg_kmem_put_cache = v4_memcg_kmem_put_cache, \
	.charge_slab_page = v4_charge_slab_page, \
	.uncharge_slab_page = v4_uncharge_slab_page, \
	.init_memcg_params = v4_init_memcg_params, \
	.destroy_memcg_params = v4_destroy_memcg_params, \
	.memcg_link_cache = v4_memcg_link_cache, \
	.memcg_unlink_cache = v4_memcg_unlink_cache, \
	.memcg_deactivate_kmem_caches = v4_memcg_deactivate_kmem_caches, \
	.memcg_free_kmem = v4_memcg_free_kmem, \
	.flush_memcg_workqueue = v4_flush_memcg_workqueue

static const struct kmemcg_ops v4_ops = {
	.name = "v4",
	.memcg_kmem_get_cache = v4_memcg_kmem_get_cache,
	V4_LIFECYCLE,
};

static const struct kmemcg_ops tryget_live_ops = {
	.name = "tryget-live",
	.memcg_kmem_get_cache = tryget_live_memcg_kmem_get_cache,
	V4_LIFECYCLE,
};


static void *v4_create(const struct mm_config *cfg)
{
	return kmc_create(cfg, &v4_ops);
}

static void *tryget_live_create(const struct mm_config *cfg)
{
	return kmc_create(cfg, &tryget_live_ops);
}

const struct mm_variant kmemcg_v4 = {
	.name = "v4",
	.family = "kmemcg",
	.reference = "v5.1",
	.models = "\"[PATCH v4 5/7] mm: rework non-root kmem_cache lifecycle management\", Roman Gushchin, 2019-05-14, as posted",
	.expect = "buggy: memcg_kmem_get_cache() ends with rcu_read_lock() instead of rcu_read_unlock() (fixed in v5 of the series); carries v5.3's css leak and destroy race, masked by it",
	.create = v4_create,
	.exec = kmc_exec,
	.check = kmc_check,
	.observe = kmc_observe,
	.dump = kmc_dump,
};

const struct mm_variant kmemcg_tryget_live = {
	.name = "tryget-live",
	.family = "kmemcg",
	.reference = "v5.1",
	.models = "the v4 posting with percpu_ref_tryget_live() in memcg_kmem_get_cache() (Shakeel Butt's review of v4 5/7)",
	.expect = "buggy: inherits v4's rcu_read_lock() at out_unlock (and, masked by it, v5.3's css leak and destroy race)",
	.create = tryget_live_create,
	.exec = kmc_exec,
	.check = kmc_check,
	.observe = kmc_observe,
	.dump = kmc_dump,
};

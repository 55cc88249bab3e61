// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lifecycle as merged for v5.3: commit f0a3a24b532d "mm: memcg/slab:
 * rework non-root kmem_cache lifecycle management" (Roman Gushchin), the
 * v5 posting of the series, whose changelog against v4 is "fixed a
 * compilation warning around missing kmemcg_queue_cache_shutdown()" and
 * "s/rcu_read_lock()/rcu_read_unlock() in memcg_kmem_get_cache()".  The
 * rest of the lifecycle is the v4 one (kmemcg_v4.c).  Not modelled: the
 * series' 6/7 (reparenting of the caches to the parent on offline), which
 * only changes which memcg a deactivated cache charges.
 *
 * v5.3-fixes is this file compiled again with KMEMCG_V5_3_FIXES: the two
 * upstream fixes whose Fixes: tag names f0a3a24b532d and that this
 * family's campaigns reproduce (see impl/kmemcg/kmemcg_v5_3_fixes.c).
 */
#include "kmemcg_v4.h"

#ifndef KMEMCG_V5_3_FIXES
#define KMEMCG_V5_3_FIXES	0
#endif

#if KMEMCG_V5_3_FIXES
/* Mirrors memcg_schedule_kmem_cache_create() with 3a98990ae215. */
static void v5_3_memcg_schedule_kmem_cache_create(struct mem_cgroup *memcg,
						  struct kmem_cache *cachep)
{
	struct memcg_kmem_cache_create_work *cw;

	if (!css_tryget_online(&memcg->css))
		return;
	cw = kmalloc(sizeof(*cw));	/* GFP_NOWAIT | __GFP_NOWARN */
	if (!cw) {
		css_put(&memcg->css);
		return;
	}
	memcg_schedule_kmem_cache_create_work(memcg, cachep, cw);
}

/* Mirrors flush_memcg_workqueue() with a264df74df38. */
static void v5_3_flush_memcg_workqueue(struct kmem_cache *s)
{
	v4_flush_memcg_workqueue(s);
	/* children still deactivating need one more grace period to go */
	if (!list_empty(&s->memcg_params.children))
		rcu_barrier();
}
#else
#define v5_3_memcg_schedule_kmem_cache_create	v4_memcg_schedule_kmem_cache_create
#define v5_3_flush_memcg_workqueue		v4_flush_memcg_workqueue
#endif

/* Mirrors memcg_kmem_get_cache(), mm/memcontrol.c, f0a3a24b532d (v5.3). */
static struct kmem_cache *v5_3_memcg_kmem_get_cache(struct kmem_cache *cachep)
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
		v5_3_memcg_schedule_kmem_cache_create(memcg, cachep);
	else if (percpu_ref_tryget(&memcg_cachep->memcg_params.refcnt))
		cachep = memcg_cachep;
out_unlock:
	rcu_read_unlock();
	return cachep;
}

#if !KMEMCG_V5_3_FIXES
#define V5_3_SYM	kmemcg_v5_3
#define V5_3_NAME	"v5.3"
#define V5_3_MODELS	"f0a3a24b532d \"mm: memcg/slab: rework non-root kmem_cache lifecycle management\" (v5.3), modelled as the series' v5 posting"
#define V5_3_EXPECT	"buggy: css reference leaked when the cache-creation work cannot be allocated (fixed by 3a98990ae215); kmem_cache_destroy() racing a child's percpu_ref_kill() (fixed by a264df74df38)"
#else
#define V5_3_SYM	kmemcg_v5_3_fixes
#define V5_3_NAME	"v5.3-fixes"
#define V5_3_MODELS	"v5.3 (f0a3a24b532d) with 3a98990ae215 \"mm/memcontrol.c: add missed css_put()\" and a264df74df38 \"mm: memcg/slab: wait for !root kmem_cache refcnt killing on root kmem_cache destruction\""
#define V5_3_EXPECT	"clean"
#endif

static const struct kmemcg_ops v5_3_ops = {
	.name = V5_3_NAME,
	.percpu_ref_scheme = true,
	.memcg_kmem_get_cache = v5_3_memcg_kmem_get_cache,
	.memcg_kmem_put_cache = v4_memcg_kmem_put_cache,
	.charge_slab_page = v4_charge_slab_page,
	.uncharge_slab_page = v4_uncharge_slab_page,
	.init_memcg_params = v4_init_memcg_params,
	.destroy_memcg_params = v4_destroy_memcg_params,
	.memcg_link_cache = v4_memcg_link_cache,
	.memcg_unlink_cache = v4_memcg_unlink_cache,
	.memcg_deactivate_kmem_caches = v4_memcg_deactivate_kmem_caches,
	.memcg_free_kmem = v4_memcg_free_kmem,
	.flush_memcg_workqueue = v5_3_flush_memcg_workqueue,
};

static void *v5_3_create(const struct mm_config *cfg)
{
	return kmc_create(cfg, &v5_3_ops);
}

const struct mm_variant V5_3_SYM = {
	.name = V5_3_NAME,
	.family = "kmemcg",
	.reference = "v5.1",
	.models = V5_3_MODELS,
	.expect = V5_3_EXPECT,
	.create = v5_3_create,
	.exec = kmc_exec,
	.check = kmc_check,
	.observe = kmc_observe,
	.dump = kmc_dump,
};

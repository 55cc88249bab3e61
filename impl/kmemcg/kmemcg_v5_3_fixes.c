// SPDX-License-Identifier: GPL-2.0-only
/*
 * v5.3 with the two upstream fixes whose Fixes: tag names f0a3a24b532d
 * and that this family's campaigns reproduce:
 *  - 3a98990ae215 "mm/memcontrol.c: add missed css_put()" (Muchun Song,
 *    2020-06): memcg_schedule_kmem_cache_create() puts the css reference
 *    it got from css_tryget_online() when the kmalloc() fails;
 *  - a264df74df38 "mm: memcg/slab: wait for !root kmem_cache refcnt
 *    killing on root kmem_cache destruction" (Roman Gushchin, 2019-11):
 *    flush_memcg_workqueue() waits another grace period while children
 *    remain, so their percpu_ref_kill() switches end before shutdown.
 * Everything else is the v5.3 lifecycle (kmemcg_v4.c, kmemcg_v5_3.c).
 */
#include "kmemcg_v4.h"

/* Mirrors memcg_schedule_kmem_cache_create() with 3a98990ae215. */
static void fixed_memcg_schedule_kmem_cache_create(struct mem_cgroup *memcg, struct kmem_cache *cachep)
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

/* Mirrors memcg_kmem_get_cache(), f0a3a24b532d (v5.3), calling the fixed scheduler. */
static struct kmem_cache *fixed_memcg_kmem_get_cache(struct kmem_cache *cachep)
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
	memcg_cachep = READ_ONCE(arr->entries[kmemcg_id]);
	if (unlikely(!memcg_cachep))
		fixed_memcg_schedule_kmem_cache_create(memcg, cachep);
	else if (percpu_ref_tryget(&memcg_cachep->memcg_params.refcnt))
		cachep = memcg_cachep;
out_unlock:
	rcu_read_unlock();
	return cachep;
}

/* Mirrors flush_memcg_workqueue() with a264df74df38. */
static void fixed_flush_memcg_workqueue(struct kmem_cache *s)
{
	v4_flush_memcg_workqueue(s);
	/* children still deactivating need one more grace period to go */
	if (!list_empty(&s->memcg_params.children))
		rcu_barrier();
}

static const struct kmemcg_ops v5_3_fixes_ops = {
	.name = "v5.3-fixes",
	.percpu_ref_scheme = true,
	.memcg_kmem_get_cache = fixed_memcg_kmem_get_cache,
	.memcg_kmem_put_cache = v4_memcg_kmem_put_cache,
	.charge_slab_page = v4_charge_slab_page,
	.uncharge_slab_page = v4_uncharge_slab_page,
	.init_memcg_params = v4_init_memcg_params,
	.destroy_memcg_params = v4_destroy_memcg_params,
	.memcg_link_cache = v4_memcg_link_cache,
	.memcg_unlink_cache = v4_memcg_unlink_cache,
	.memcg_deactivate_kmem_caches = v4_memcg_deactivate_kmem_caches,
	.memcg_free_kmem = v4_memcg_free_kmem,
	.flush_memcg_workqueue = fixed_flush_memcg_workqueue,
};

static void *v5_3_fixes_create(const struct mm_config *cfg)
{
	return kmc_create(cfg, &v5_3_fixes_ops);
}

const struct mm_variant kmemcg_v5_3_fixes = {
	.name = "v5.3-fixes",
	.family = "kmemcg",
	.reference = "v5.1",
	.models = "v5.3 (f0a3a24b532d) with 3a98990ae215 \"mm/memcontrol.c: add missed css_put()\" and a264df74df38 \"mm: memcg/slab: wait for !root kmem_cache refcnt killing on root kmem_cache destruction\"",
	.expect = "clean",
	.create = v5_3_fixes_create,
	.exec = kmc_exec,
	.check = kmc_check,
	.observe = kmc_observe,
	.dump = kmc_dump,
};

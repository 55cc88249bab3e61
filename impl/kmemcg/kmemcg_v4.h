/* SPDX-License-Identifier: GPL-2.0-only */
/* The v4 posting's lifecycle functions, shared with the v5.3 variant. */
#ifndef MM_KMEMCG_V4_H
#define MM_KMEMCG_V4_H
#include "../../ref/kmemcg/kmemcg_internal.h"

void v4_memcg_schedule_kmem_cache_create(struct mem_cgroup *memcg, struct kmem_cache *cachep);
void v4_memcg_kmem_put_cache(struct kmem_cache *cachep);
int v4_charge_slab_page(struct slab_page *page, int gfp, int order, struct kmem_cache *s);
void v4_uncharge_slab_page(struct slab_page *page, int order, struct kmem_cache *s);
int v4_init_memcg_params(struct kmem_cache *s, struct kmem_cache *root_cache);
void v4_destroy_memcg_params(struct kmem_cache *s);
void v4_memcg_link_cache(struct kmem_cache *s, struct mem_cgroup *memcg);
void v4_memcg_unlink_cache(struct kmem_cache *s);
void v4_memcg_deactivate_kmem_caches(struct mem_cgroup *memcg);
void v4_memcg_free_kmem(struct mem_cgroup *memcg);
void v4_flush_memcg_workqueue(struct kmem_cache *s);
#endif

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
 * Everything else is the v5.3 lifecycle: kmemcg_v5_3.c, compiled again
 * here with the fixes switched on.
 */
#define KMEMCG_V5_3_FIXES	1
#include "kmemcg_v5_3.c"

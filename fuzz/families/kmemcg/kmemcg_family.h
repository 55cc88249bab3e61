/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kmemcg family: the lifecycle of non-root (per-memcg) kmem_caches,
 * mm/slab_common.c, mm/memcontrol.c and mm/slab.h, in the v5.1 scheme
 * (page -> mem_cgroup -> kmem_cache: every charged slab page pins the memcg,
 * caches die with it) and in Roman Gushchin's "mm: rework non-root
 * kmem_cache lifecycle management" (v4 5/7, May 2019; merged for v5.3 as
 * f0a3a24b532d): page -> kmem_cache -> mem_cgroup, a percpu_ref per
 * non-root cache.  Operation language, invariants and observables,
 * declared once.  Op slot numbers and config indices are stable forever.
 */
#ifndef MM_KMEMCG_FAMILY_H
#define MM_KMEMCG_FAMILY_H

#include <mm/harness.h>

#define KMEMCG_NR_MEMCG		4	/* memory cgroups m0..m3, children of the root */
#define KMEMCG_NR_ROOT		3	/* root kmem_caches r0..r2 */
#define KMEMCG_NR_CPUS		4	/* one task per CPU */
#define KMEMCG_ROOT_MEMCG	KMEMCG_NR_MEMCG	/* the value of an m argument naming the root */

#define KMC_CFG(X, p) \
	X(p, nr_cpus, 1, KMEMCG_NR_CPUS, NULL, MM_CFG_NR_CPUS, "CPUs, one task on each") \
	X(p, budget, 16, 1024, NULL, MM_CFG_BUDGET, "the machine's page budget (slab pages)") \
	X(p, min_partial, 0, 2, NULL, 0, "empty slabs an active cache keeps (s->min_partial; 0 after deactivation)")
MM_DECLARE_CFG(KMC_CFG, KMC_CFG)

#define KMC_OPS(OP) \
	OP(KMC, MEMCG_CREATE, 0, memcg_create, "mkdir: mem_cgroup_css_alloc() + memcg_online_kmem() of memcg m (skipped while an online one has the slot; a dying one may stay behind)") \
	OP(KMC, MEMCG_OFFLINE, 1, memcg_offline, "rmdir: its tasks move to the root, kill_css(), mem_cgroup_css_offline()") \
	OP(KMC, MEMCG_SET_LIMIT, 2, memcg_set_limit, "memory.kmem.limit_in_bytes of m, in pages (64: unlimited)") \
	OP(KMC, TASK_ATTACH, 3, task_attach, "move the task of cpu into memcg m (4: the root)") \
	OP(KMC, TASK_ACTIVE, 4, task_active, "memalloc_use_memcg(m) for the task of cpu, holding a css reference (4: memalloc_unuse_memcg)") \
	OP(KMC, ROOT_CACHE_CREATE, 5, root_cache_create, "kmem_cache_create() of root cache r, SLAB_ACCOUNT (skipped if it exists)") \
	OP(KMC, KMEM_ALLOC, 6, kmem_alloc, "n x kmem_cache_alloc(r, gfp) by the task of cpu: get_cache, object, put_cache") \
	OP(KMC, KMEM_FREE, 7, kmem_free, "kmem_cache_free() of n live objects from k % nr_live") \
	OP(KMC, CACHE_SHRINK, 8, cache_shrink, "kmem_cache_shrink() of root cache r (m=4) or of its cache for memcg m") \
	OP(KMC, ROOT_CACHE_DESTROY, 9, root_cache_destroy, "kmem_cache_destroy() of root cache r (skipped while it or a child has objects)") \
	OP(KMC, RCU_GP, 10, rcu_gp, "end one RCU grace period: call_rcu callbacks, percpu_ref mode switches") \
	OP(KMC, RUN_WORK, 11, run_work, "run n items of memcg_kmem_cache_wq or system_wq") \
	OP(KMC, FAIL_NEXT, 12, fail_next, "the next n requests of a kind fail") \
	OP(KMC, ALLOC_BEGIN, 13, alloc_begin, "slab_pre_alloc_hook(): memcg_kmem_get_cache(r) by the task of cpu, held (an allocation in flight)") \
	OP(KMC, ALLOC_END, 14, alloc_end, "the task of cpu finishes its allocation in flight: object from the cache, memcg_kmem_put_cache()")

#define KMC_A_CPU(X, p) X(p, cpu, 0, KMEMCG_NR_CPUS - 1, NULL, MM_ARG_CPU, "the CPU (and task)")
#define KMC_A_M(X, p) X(p, m, 0, KMEMCG_NR_MEMCG - 1, NULL, 0, "memory cgroup")
#define KMC_A_MR(X, p) X(p, m, 0, KMEMCG_NR_MEMCG, NULL, 0, "memory cgroup (4: the root)")
#define KMC_A_R(X, p) X(p, r, 0, KMEMCG_NR_ROOT - 1, NULL, 0, "root cache")
#define KMC_A_GFP(X, p) X(p, gfp, 0, KMC_GFP_NR - 1, kmc_gfp_names, 0, "gfp and caller")
#define KMC_ARGS_MEMCG_CREATE(X, p) KMC_A_M(X, p)
#define KMC_ARGS_MEMCG_OFFLINE(X, p) KMC_A_M(X, p)
#define KMC_ARGS_MEMCG_SET_LIMIT(X, p) KMC_A_M(X, p) X(p, pages, 0, 64, NULL, 0, "limit in pages (64: PAGE_COUNTER_MAX)")
#define KMC_ARGS_TASK_ATTACH(X, p) KMC_A_CPU(X, p) KMC_A_MR(X, p)
#define KMC_ARGS_TASK_ACTIVE(X, p) KMC_A_CPU(X, p) KMC_A_MR(X, p)
#define KMC_ARGS_ROOT_CACHE_CREATE(X, p) KMC_A_R(X, p) \
	X(p, size, 8, 4096, NULL, 0, "object size") X(p, order, 0, 3, NULL, 0, "slab page order")
#define KMC_ARGS_KMEM_ALLOC(X, p) KMC_A_CPU(X, p) KMC_A_R(X, p) X(p, n, 1, 64, NULL, 0, "objects") KMC_A_GFP(X, p)
#define KMC_ARGS_KMEM_FREE(X, p) X(p, k, 0, 255, NULL, 0, "first live object (k % nr_live)") X(p, n, 1, 64, NULL, 0, "objects")
#define KMC_ARGS_CACHE_SHRINK(X, p) KMC_A_R(X, p) KMC_A_MR(X, p)
#define KMC_ARGS_ROOT_CACHE_DESTROY(X, p) KMC_A_R(X, p)
#define KMC_ARGS_RCU_GP(X, p)
#define KMC_ARGS_RUN_WORK(X, p) X(p, wq, 0, 1, kmc_wq_names, 0, "queue") X(p, n, 1, 16, NULL, 0, "items")
#define KMC_ARGS_FAIL_NEXT(X, p) X(p, kind, 0, KMC_FAIL_NR - 1, kmc_fail_names, 0, "what fails") X(p, n, 1, 8, NULL, 0, "requests")
#define KMC_ARGS_ALLOC_BEGIN(X, p) KMC_A_CPU(X, p) KMC_A_R(X, p) KMC_A_GFP(X, p)
#define KMC_ARGS_ALLOC_END(X, p) KMC_A_CPU(X, p)
MM_DECLARE_OPS(KMC_OPS)

enum kmc_gfp {
	KMC_GFP_KERNEL_ACCOUNT,	/* process context, __GFP_ACCOUNT (the cache is SLAB_ACCOUNT anyway) */
	KMC_GFP_NOWAIT,		/* GFP_NOWAIT | __GFP_ACCOUNT */
	KMC_GFP_IRQ,		/* from interrupt: memcg_kmem_bypass() */
	KMC_GFP_NR
};
enum kmc_fail { KMC_FAIL_KMALLOC, KMC_FAIL_CHARGE, KMC_FAIL_PERCPU_REF_INIT, KMC_FAIL_PAGE_ALLOC, KMC_FAIL_NR };
enum kmc_wq { KMC_WQ_MEMCG_KMEM_CACHE, KMC_WQ_SYSTEM };

#define KMC_INVARIANTS(I) \
	I(RCU_NESTING_DRIFT, "I1", "every rcu_read_lock() of a task is matched by rcu_read_unlock() by the end of the op") \
	I(PERCPU_REF_COUNT, "I2", "a non-root cache's percpu_ref counts its charged slab pages, allocations in flight, the initial reference until kill and a mode switch in progress") \
	I(PERCPU_REF_RELEASE, "I2_RELEASE", "a percpu_ref is released once, after kill, at zero") \
	I(CSS_REFS, "I3", "a memcg's css reference count equals what holds it (online base, tasks, pages or caches, works, pins, allocations in flight)") \
	I(KMEM_COUNTER, "I4", "memcg->kmem, the memcg's lruvec slab stat and the node's slab stat equal what the slab pages say") \
	I(DOUBLE_QUEUE, "I5_DOUBLE_QUEUE", "the rcu_head/work union of memcg_params is never queued while pending") \
	I(SHUTDOWN_ACTIVE, "I5_SHUTDOWN_ACTIVE", "a non-root cache is shut down only when nothing can allocate from it (killed, or its root dying) and no allocation is in flight") \
	I(MEMCG_ZOMBIE, "I7_ZOMBIE", "once offline, unreferenced by tasks, without objects and with every RCU callback and work run, a memcg is freed") \
	I(LEAKED_CACHE, "I7_LEAKED_CACHE", "once its memcg is offline or its root destroyed, without objects and with every RCU callback and work run, a non-root cache is freed") \
	I(ALLOC_RESULT, "D1", "relation: kmem_alloc/alloc_end allocate the same number of objects, charged the same way") \
	I(STATS_EQUAL, "D2", "relation: live objects, slab pages, memcg kmem counters and stats equal after every op") \
	I(QUIESCENT_BOUND, "D3", "relation: at quiescence, while both hold the same objects, the implementation has no more live non-root caches and memcgs than the reference")

#define KMC_OBS(O, A, p) \
	O(p, live_objects, "objects allocated and not freed") \
	O(p, slab_pages, "pages in slabs of all caches (node NR_SLAB_UNRECLAIMABLE)") \
	A(p, kmem_usage, [KMEMCG_NR_MEMCG], "page_counter_read(&memcg->kmem) per memcg slot (-1: no memcg)") \
	A(p, lruvec_slab, [KMEMCG_NR_MEMCG], "the memcg's lruvec NR_SLAB_UNRECLAIMABLE per slot") \
	O(p, live_memcgs, "memcgs allocated and not freed") \
	O(p, live_nonroot_caches, "non-root kmem_caches not yet released") \
	O(p, sysfs_visible_caches, "non-root caches still in sysfs") \
	O(p, killed_cache_allocs, "objects allocated from a non-root cache whose percpu_ref was dead") \
	O(p, cache_releases, "percpu_ref releases of non-root caches (shutdowns queued)") \
	O(p, quiescent, "1 when no RCU callback, no work and no allocation is pending") \
	O(p, rcu_gp_seq, "completed grace periods")
MM_DECLARE_OBS(kmc_obs, KMC_OBS)

extern const char *const kmc_gfp_names[], *const kmc_fail_names[], *const kmc_wq_names[];

/*
 * Op results: kmem_alloc / alloc_end: status 0 (or -ENOMEM if no object),
 * val[0] objects allocated, val[1] of them from a non-root cache, val[2]
 * pages charged; alloc_begin: val[0] 1 when a non-root cache was returned;
 * other ops: status 0, 1 (skipped) or -ENOMEM.
 */
extern const struct mm_family kmemcg_family;
#endif

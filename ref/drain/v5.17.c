// SPDX-License-Identifier: GPL-2.0-only
/*
 * drain_all_pages() of mm/page_alloc.c as the RFC found it (the mm tree of
 * February 2022, blob 3589febc6d31, read from 0day-ci/linux @ 009729e4f858;
 * the v5.17 design): per-cpu work items on mm_percpu_wq, queued and flushed
 * under pcpu_drain_mutex.
 */
#include <linux/sched.h>
#include "drain_internal.h"

/* work_structs for global per-cpu drains */
struct pcpu_drain {
	struct zone *zone;
	struct work_struct work;
};

struct v517_priv {
	struct pcpu_drain pcpu_drain[MM_MAX_CPUS];
	cpumask_t cpus_with_pcps;
};

#define V ((struct v517_priv *)dr_G->vpriv)

/* Mirrors drain_local_pages_wq(), mm/page_alloc.c (the RFC's base, v5.17 design). */
static void drain_local_pages_wq(struct work_struct *work)
{
	struct pcpu_drain *drain;

	drain = container_of(work, struct pcpu_drain, work);

	/*
	 * The kworker may have been unbound by CPU offline: whichever CPU it
	 * runs on, it drains that one, without moving in between.
	 */
	preempt_disable();
	drain_local_pages(drain->zone);
	preempt_enable();
}

/* Mirrors __drain_all_pages(), mm/page_alloc.c v5.17. */
static void __drain_all_pages(struct zone *zone, bool force_all_cpus)
{
	int cpu;

	/* in the BSS in the kernel: no allocation in the direct reclaim path */
	cpumask_t *cpus_with_pcps = &V->cpus_with_pcps;

	/* nobody may get here before mm_percpu_wq is initialized */
	if (WARN_ON_ONCE(!mm_percpu_wq))
		return;

	/*
	 * A drain already in progress is enough, unless the caller wants one
	 * zone drained (CMA, memory hotplug), which must be complete on return.
	 */
	if (unlikely(!mutex_trylock(&pcpu_drain_mutex))) {
		if (!zone) {
			dr_trace_drain_early_return(zone);
			return;
		}
		mutex_lock(&pcpu_drain_mutex);
	}

	/* a racing CPU offline drains that CPU's lists itself */
	for_each_online_cpu(cpu) {
		struct per_cpu_pages *pcp;
		struct zone *z;
		bool has_pcps = false;

		if (force_all_cpus) {
			/* the pcp->count test is racy; these callers want every CPU */
			has_pcps = true;
		} else if (zone) {
			pcp = per_cpu_ptr(&zone->per_cpu_pageset, cpu);
			if (pcp->count)
				has_pcps = true;
		} else {
			for_each_populated_zone(z) {
				pcp = per_cpu_ptr(&z->per_cpu_pageset, cpu);
				if (pcp->count) {
					has_pcps = true;
					break;
				}
			}
		}

		if (has_pcps)
			cpumask_set_cpu(cpu, cpus_with_pcps);
		else
			cpumask_clear_cpu(cpu, cpus_with_pcps);
	}

	for_each_cpu(cpu, cpus_with_pcps) {
		struct pcpu_drain *drain = per_cpu_ptr(&V->pcpu_drain, cpu);

		drain->zone = zone;
		INIT_WORK(&drain->work, drain_local_pages_wq);
		queue_work_on(cpu, mm_percpu_wq, &drain->work);
	}
	for_each_cpu(cpu, cpus_with_pcps)
		flush_work(&per_cpu_ptr(&V->pcpu_drain, cpu)->work);

	mutex_unlock(&pcpu_drain_mutex);
}

static void v517_init(void)
{
	dr_G->vpriv = mm_kzalloc(sizeof(struct v517_priv), MM_FAIL_NR);
}

static const cpumask_t *v517_cpus_with_pcps(void)
{
	return &V->cpus_with_pcps;
}

static bool v517_drain_pending(int cpu)
{
	return V->pcpu_drain[cpu].work.pending;
}

static void v517_requeue(int cpu)
{
	queue_work_on(cpu, mm_percpu_wq, &V->pcpu_drain[cpu].work);
}

static const struct dr_variant_ops v517_ops = {
	.name = "v5.17",
	.init = v517_init,
	.__drain_all_pages = __drain_all_pages,
	.cpus_with_pcps = v517_cpus_with_pcps,
	.drain_pending = v517_drain_pending,
	.requeue = v517_requeue,
};

static void *v517_create(const struct mm_config *cfg)
{
	return dr_create(cfg, &v517_ops);
}

const struct mm_variant drain_v5_17 = {
	.name = "v5.17",
	.family = "drain",
	.reference = NULL,
	.models = "Linux v5.17 mm/page_alloc.c __drain_all_pages(): work items on mm_percpu_wq under pcpu_drain_mutex",
	.expect = "clean",
	.create = v517_create,
	.exec = dr_exec,
	.check = dr_check,
	.observe = dr_observe,
	.dump = dr_dump,
};

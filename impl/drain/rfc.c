// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RFC as posted: "[RFC 1/1] mm: page_alloc: replace mm_percpu_wq with
 * kthreads in drain_all_pages" (Suren Baghdasaryan, 2022-02-24, against
 * mm/page_alloc.c blob 3589febc6d31, Suggested-by Petr Mladek): per-cpu
 * pg_drain kthread workers at SCHED_FIFO low priority, created in
 * alloc_drain_worker() under pcpu_drain_mutex from page_alloc_init_late()
 * and the CPUHP_AP_ONLINE_DYN callback, destroyed in free_drain_worker().
 *
 * Hillf Danton's review (2022-03-01): the kzalloc(GFP_KERNEL) of
 * kthread_create_worker_on_cpu() under pcpu_drain_mutex may enter direct
 * reclaim and drain_all_pages(), which takes pcpu_drain_mutex again:
 * "Either deadlock or no page drained".
 */
#include <linux/sched.h>
#include "rfc.h"

static void drain_local_pages_func(struct kthread_work *work);

/* Mirrors the RFC's alloc_drain_worker(): the worker is created under the mutex. */
static int alloc_drain_worker(unsigned int cpu)
{
	struct pcpu_drain *drain;

	mutex_lock(&pcpu_drain_mutex);
	drain = per_cpu_ptr(&RFC->pcpu_drain, cpu);
	drain->worker = kthread_create_worker_on_cpu(cpu, 0, "pg_drain/%u", cpu);
	if (IS_ERR(drain->worker)) {
		drain->worker = NULL;
		pr_err("Failed to create pg_drain/%u\n", cpu);
		goto out;
	}
	/* Ensure the thread is not blocked by normal priority tasks */
	sched_set_fifo_low(drain->worker->task);
	kthread_init_work(&drain->work, drain_local_pages_func);
out:
	mutex_unlock(&pcpu_drain_mutex);

	return 0;
}

/* Mirrors the RFC's free_drain_worker() (rfc-fix keeps it as posted). */
static int free_drain_worker(unsigned int cpu)
{
	struct pcpu_drain *drain;

	mutex_lock(&pcpu_drain_mutex);
	drain = per_cpu_ptr(&RFC->pcpu_drain, cpu);
	kthread_cancel_work_sync(&drain->work);
	kthread_destroy_worker(drain->worker);
	drain->worker = NULL;
	mutex_unlock(&pcpu_drain_mutex);

	return 0;
}

/* Mirrors the RFC's init_drain_workers(), called last in page_alloc_init_late(). */
static void init_drain_workers(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		alloc_drain_worker(cpu);

	if (cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
				      "page_alloc/drain:online",
				      alloc_drain_worker,
				      free_drain_worker)) {
		pr_err("page_alloc_drain: Failed to allocate a hotplug state\n");
	}
}

/* Mirrors the RFC's drain_local_pages_func() (drain_local_pages_wq() renamed). */
static void drain_local_pages_func(struct kthread_work *work)
{
	struct pcpu_drain *drain;

	drain = container_of(work, struct pcpu_drain, work);

	preempt_disable();
	drain_local_pages(drain->zone);
	preempt_enable();
}

/* Mirrors the RFC's __drain_all_pages(). */
static void __drain_all_pages(struct zone *zone, bool force_all_cpus)
{
	int cpu;
	struct pcpu_drain *drain;

	/* in the BSS in the kernel: no allocation in the direct reclaim path */
	cpumask_t *cpus_with_pcps = &RFC->cpus_with_pcps;

	/* the WARN_ON_ONCE(!mm_percpu_wq) check is gone */

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

	for_each_online_cpu(cpu) {
		struct per_cpu_pages *pcp;
		struct zone *z;
		bool has_pcps = false;

		if (force_all_cpus) {
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
		drain = per_cpu_ptr(&RFC->pcpu_drain, cpu);

		drain->zone = zone;
		if (likely(drain->worker))
			kthread_queue_work(drain->worker, &drain->work);
	}
	/* Wait for kthreads to finish or drain itself */
	for_each_cpu(cpu, cpus_with_pcps) {
		drain = per_cpu_ptr(&RFC->pcpu_drain, cpu);

		if (likely(drain->worker))
			kthread_flush_work(&drain->work);
		else
			drain_local_pages_func(&drain->work);
	}

	mutex_unlock(&pcpu_drain_mutex);
}

/* -- variant plumbing (shared with rfc-fix) ------------------------------ */

static void rfc_init(void)
{
	struct rfc_priv *p = mm_kzalloc(sizeof(*p), MM_FAIL_NR);

	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		INIT_LIST_HEAD(&p->pcpu_drain[cpu].work.node);
	dr_G->vpriv = p;
}

static const cpumask_t *rfc_cpus_with_pcps(void)
{
	return &RFC->cpus_with_pcps;
}

static struct kthread_worker *rfc_worker(int cpu)
{
	return RFC->pcpu_drain[cpu].worker;
}

static bool rfc_drain_pending(int cpu)
{
	return !list_empty(&RFC->pcpu_drain[cpu].work.node);
}

static void rfc_requeue(int cpu)
{
	if (RFC->pcpu_drain[cpu].worker)
		kthread_queue_work(RFC->pcpu_drain[cpu].worker, &RFC->pcpu_drain[cpu].work);
}

const struct rfc_shared rfc_shared = {
	.drain_local_pages_func = drain_local_pages_func,
	.free_drain_worker = free_drain_worker,
};

const struct dr_variant_ops drain_rfc_ops = {
	.name = "rfc",
	.kthreads = true,
	.init = rfc_init,
	.__drain_all_pages = __drain_all_pages,
	.init_late = init_drain_workers,
	.cpus_with_pcps = rfc_cpus_with_pcps,
	.worker = rfc_worker,
	.drain_pending = rfc_drain_pending,
	.requeue = rfc_requeue,
};

static void *rfc_create(const struct mm_config *cfg)
{
	return dr_create(cfg, &drain_rfc_ops);
}

const struct mm_variant drain_rfc = {
	.name = "rfc",
	.family = "drain",
	.reference = "v5.17",
	.models = "[RFC 1/1] mm: page_alloc: replace mm_percpu_wq with kthreads in drain_all_pages (Suren Baghdasaryan, 2022-02-24), as posted",
	.expect = "buggy: alloc_drain_worker() allocates under pcpu_drain_mutex; direct reclaim's drain then returns early or deadlocks (Hillf Danton's review); the flush loop's fallback drains the caller's CPU; free_drain_worker() oopses on a CPU without a worker, or first takes the lock of its destroyed previous worker",
	.create = rfc_create,
	.exec = dr_exec,
	.check = dr_check,
	.observe = dr_observe,
	.dump = dr_dump,
};

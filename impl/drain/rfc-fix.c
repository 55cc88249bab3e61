// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfc-fix: the RFC with the change Suren Baghdasaryan proposed in his reply
 * to Hillf Danton (2022-03-02): "calling kthread_create_worker_on_cpu
 * outside of the pcpu_drain_mutex protection and then assigning the result
 * to drain->worker after taking pcpu_drain_mutex".  Everything else is the
 * RFC as posted (impl/drain/rfc.c).  No such revision was posted.
 */
#include <linux/sched.h>
#include "rfc.h"

#define drain_local_pages_func	(rfc_shared.drain_local_pages_func)
#define free_drain_worker	(rfc_shared.free_drain_worker)


/* The RFC's alloc_drain_worker() with the worker created before the mutex. */
static int alloc_drain_worker(unsigned int cpu)
{
	struct kthread_worker *worker;
	struct pcpu_drain *drain;

	worker = kthread_create_worker_on_cpu(cpu, 0, "pg_drain/%u", cpu);

	mutex_lock(&pcpu_drain_mutex);
	drain = per_cpu_ptr(&RFC->pcpu_drain, cpu);
	if (IS_ERR(worker)) {
		drain->worker = NULL;
		pr_err("Failed to create pg_drain/%u\n", cpu);
		goto out;
	}
	drain->worker = worker;
	/* Ensure the thread is not blocked by normal priority tasks */
	sched_set_fifo_low(drain->worker->task);
	kthread_init_work(&drain->work, drain_local_pages_func);
out:
	mutex_unlock(&pcpu_drain_mutex);

	return 0;
}

/* The RFC's init_drain_workers(), registering this alloc_drain_worker(). */
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

static void *rfc_fix_create(const struct mm_config *cfg)
{
	static struct dr_variant_ops rfc_fix_ops;

	/* the RFC's ops with this init_drain_workers() (the same every time) */
	rfc_fix_ops = drain_rfc_ops;
	rfc_fix_ops.name = "rfc-fix";
	rfc_fix_ops.init_late = init_drain_workers;
	return dr_create(cfg, &rfc_fix_ops);
}

const struct mm_variant drain_rfc_fix = {
	.name = "rfc-fix",
	.family = "drain",
	.reference = "v5.17",
	.models = "the RFC with kthread_create_worker_on_cpu() outside pcpu_drain_mutex, as Suren Baghdasaryan proposed replying to Hillf Danton (2022-03-02)",
	.expect = "buggy: fixes Hillf's recursion, but the flush loop's fallback still drains the caller's CPU instead of a CPU without a worker, and free_drain_worker() still oopses on such a CPU (or uses its destroyed previous worker)",
	.create = rfc_fix_create,
	.exec = dr_exec,
	.check = dr_check,
	.observe = dr_observe,
	.dump = dr_dump,
};

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RFC "mm: page_alloc: replace mm_percpu_wq with kthreads in
 * drain_all_pages" (Suren Baghdasaryan, 2022-02-24): what rfc and rfc-fix
 * share.  They differ only in alloc_drain_worker().
 */
#ifndef DR_RFC_H
#define DR_RFC_H
#include "../../ref/drain/drain_internal.h"

/* work_structs for global per-cpu drains (now a kthread_work and its worker) */
struct pcpu_drain {
	struct zone *zone;
	struct kthread_work work;
	struct kthread_worker *worker;
};

struct rfc_priv {
	struct pcpu_drain pcpu_drain[MM_MAX_CPUS];
	cpumask_t cpus_with_pcps;
};

#define RFC ((struct rfc_priv *)dr_G->vpriv)

/*
 * What rfc-fix takes from rfc.c as posted: the variant ops (whose
 * __drain_all_pages is the RFC's) and the functions its own
 * alloc_drain_worker() and init_drain_workers() name.
 */
struct rfc_shared {
	kthread_work_func_t drain_local_pages_func;
	cpuhp_cb_t free_drain_worker;
};
extern const struct rfc_shared rfc_shared;
extern const struct dr_variant_ops drain_rfc_ops;
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drain family's compact model of mm/page_alloc.c as of v5.17: zones
 * with free lists and per-cpu pagesets, the drain functions every variant
 * shares (drain_pages_zone(), drain_pages(), drain_local_pages()), the
 * allocation path down to direct reclaim, CPU hotplug with its callbacks,
 * the per-cpu pools of mm_percpu_wq, kthread workers and a scheduler tick.
 * The variants (ref/drain/v5.17.c, impl/drain/) supply __drain_all_pages()
 * and, for the RFC, the hotplug callbacks and init_drain_workers().
 *
 * Modelling choices (see docs/drain.md): order-0 pages only; one node; the
 * buddy allocator is a free list per migratetype without merging; reclaim
 * itself (__perform_reclaim) reports progress without freeing pages; an
 * allocation gets one reclaim round and then fails (no OOM killer).
 */
#ifndef DR_INTERNAL_H
#define DR_INTERNAL_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/gfp.h>
#include "drain_family.h"
#include <mm/once.h>

#define MIGRATE_PCPTYPES	3
#define DR_MAX_PAGES		(64 + 128)
#define DR_POOL_SLOTS		16	/* other work items per CPU at most */
#define DR_WORK_PAGES		8
#define DR_TICK_BOUND		20000	/* a flush waits at most this many ticks */

/* where a page is */
enum dr_loc { DR_LOC_BUDDY, DR_LOC_PCP, DR_LOC_USER, DR_LOC_SLAB, DR_LOC_WORK };

/*
 * The family's global functions keep their kernel names in the source; the
 * link sees them prefixed, so they never clash with another family's port
 * of the same kernel function.
 */
#define drain_pages_zone	drain_fam_drain_pages_zone
#define drain_pages	drain_fam_drain_pages
#define drain_local_pages	drain_fam_drain_local_pages
#define free_unref_page	drain_fam_free_unref_page
#define mm_percpu_wq	drain_fam_mm_percpu_wq
#define queue_work_on	drain_fam_queue_work_on
#define flush_work	drain_fam_flush_work
#define kthread_create_worker_on_cpu	drain_fam_kthread_create_worker_on_cpu
#define kthread_init_work	drain_fam_kthread_init_work
#define kthread_queue_work	drain_fam_kthread_queue_work
#define kthread_flush_work	drain_fam_kthread_flush_work
#define kthread_cancel_work_sync	drain_fam_kthread_cancel_work_sync
#define kthread_destroy_worker	drain_fam_kthread_destroy_worker
#define sched_set_fifo_low	drain_fam_sched_set_fifo_low
#define cpuhp_setup_state_nocalls	drain_fam_cpuhp_setup_state_nocalls

struct page {
	struct list_head lru;
	int zone;		/* zone index */
	int loc;		/* enum dr_loc */
	int cpu;		/* pcp: which CPU */
	int mt;			/* migratetype of its pcp/free list */
};

/* Mirrors struct per_cpu_pages (include/linux/mmzone.h v5.17), order 0 only. */
struct per_cpu_pages {
	int count;
	int high;
	int batch;
	struct list_head lists[MIGRATE_PCPTYPES];
};

/* Mirrors the parts of struct zone (v5.17) a drain touches. */
struct zone {
	const char *name;
	int idx;
	spinlock_t lock;
	long present_pages;
	long nr_free;		/* NR_FREE_PAGES */
	long wmark_min, wmark_low;
	struct list_head free_list[MIGRATE_PCPTYPES];
	struct per_cpu_pages per_cpu_pageset[MM_MAX_CPUS];
};

typedef struct { unsigned long bits; } cpumask_t;

/* -- kthread workers (kernel/kthread.c v5.17) -------------------------- */
struct kthread_work;
typedef void (*kthread_work_func_t)(struct kthread_work *work);

struct kthread_work {
	struct list_head node;
	kthread_work_func_t func;
	struct kthread_worker *worker;
	int canceling;
};

#define SCHED_NORMAL	0
#define SCHED_FIFO	1

struct task_struct {
	int cpu;		/* kthread_bind() */
	int policy;
	char comm[16];
};

struct kthread_worker {
	unsigned int flags;
	raw_spinlock_t lock;
	struct list_head work_list;
	struct task_struct *task;
	struct kthread_work *current_work;
	/* held by the task running current_work (a kthread runs one at a time) */
	struct mm_lock running;
};

/* -- other work on mm_percpu_wq ----------------------------------------- */
struct dr_pool_work {
	struct work_struct work;
	int kind;		/* enum dr_work_kind */
	int left;		/* ticks still needed */
	int nr_pages;
	struct page *pages[DR_WORK_PAGES];
	bool used;
};

/* what a variant supplies */
struct dr_variant_ops {
	const char *name;
	bool kthreads;			/* an RFC variant: pg_drain workers */
	void (*init)(void);		/* allocate the variant's per-cpu data */
	void (*__drain_all_pages)(struct zone *zone, bool force_all_cpus);
	void (*init_late)(void);	/* its part of page_alloc_init_late() */
	const cpumask_t *(*cpus_with_pcps)(void);
	/* the pg_drain worker of @cpu (kthread variants), for the checks */
	struct kthread_worker *(*worker)(int cpu);
	/* is the drain work item of @cpu pending */
	bool (*drain_pending)(int cpu);
	/* queue a drain work item a second time (tests: DOUBLE_QUEUE) */
	void (*requeue)(int cpu);
};

typedef int (*cpuhp_cb_t)(unsigned int cpu);

struct dr_state {
	const struct dr_variant_ops *vops;
	void *vpriv;			/* the variant's data */
	int nr_cpus;
	cpumask_t online;
	bool init_late_done;

	struct page pages[DR_MAX_PAGES];
	int nr_pages;
	struct zone zones[DR_NR_ZONES];
	int nr_zones;

	struct mutex drain_mutex;	/* pcpu_drain_mutex */
	/* cpu_maps_update_begin(): hotplug, and boot's init_late, one at a time */
	struct mutex cpu_add_remove_lock;

	/* mm_percpu_wq: one pool per CPU */
	struct mm_workqueue pool[MM_MAX_CPUS];
	struct dr_pool_work pool_work[MM_MAX_CPUS][DR_POOL_SLOTS];
	int nr_hogs[MM_MAX_CPUS];
	unsigned int rr[MM_MAX_CPUS];

	/* kthread workers alive per CPU (bound there) */
	struct kthread_worker *kt_live[MM_MAX_CPUS];
	int nr_workers;
	bool kt_create_failed[MM_MAX_CPUS];

	/* the registered CPUHP_AP_ONLINE_DYN callbacks */
	cpuhp_cb_t cpuhp_startup, cpuhp_teardown;

	/* the current hotplug/init op: what its allocations meet */
	bool slab_needs_page;
	int reclaim_drain;		/* enum dr_zone_arg */

	/* pcp bookkeeping for PAGES_NOT_DRAINED */
	unsigned long drain_gen;
	unsigned long drained_gen[MM_MAX_CPUS][DR_NR_ZONES];
	bool freed_after_drain[MM_MAX_CPUS][DR_NR_ZONES];
	bool early;			/* the last __drain_all_pages returned early */

	/* counters (observables) */
	long user_pages, slab_pages, work_pages;
	long drain_calls, drain_early, reclaim_drains;
	long last_drain_ticks, drain_ticks_total, wait_ticks, ticks;
	long free_before_op[DR_NR_ZONES], work_before_op[DR_NR_ZONES];
	long pcp_before_op[MM_MAX_CPUS][DR_NR_ZONES];
	unsigned long drain_gen_before_op;	/* drain_gen when the op started */

	/* live user pages, for free */
	struct page *live[DR_MAX_PAGES];
	int nr_live;
};

/* the instance the driver runs now (set before every call into a port) */
extern struct dr_state *dr_G;

#define pcpu_drain_mutex	(dr_G->drain_mutex)
#define for_each_online_cpu(cpu) \
	for ((cpu) = 0; (cpu) < dr_G->nr_cpus; (cpu)++) \
		if (cpu_online(cpu))
#define for_each_cpu(cpu, mask) \
	for ((cpu) = 0; (cpu) < MM_MAX_CPUS; (cpu)++) \
		if ((mask)->bits & (1UL << (cpu)))
#define for_each_populated_zone(z) \
	for ((z) = &dr_G->zones[0]; (z) < &dr_G->zones[dr_G->nr_zones]; (z)++)
#define per_cpu_ptr(ptr, cpu)	(&(*(ptr))[cpu])
#define pr_err(...)		mm_note("pr_err", __VA_ARGS__)

static inline bool cpu_online(int cpu)
{
	/* cpumask_test_cpu(): test_bit(), a volatile read of the mask word */
	return cpu >= 0 && cpu < MM_MAX_CPUS && (READ_ONCE(dr_G->online.bits) & (1UL << cpu));
}
/* cpumask_set_cpu()/cpumask_clear_cpu(): the atomic set_bit()/clear_bit() */
static inline void cpumask_set_cpu(int cpu, cpumask_t *m) { MM_ATOMIC_OR(m->bits, 1UL << cpu); }
static inline void cpumask_clear_cpu(int cpu, cpumask_t *m) { MM_ATOMIC_AND(m->bits, ~(1UL << cpu)); }

/* -- the shared model (drain_model.c) ----------------------------------- */
void drain_pages_zone(unsigned int cpu, struct zone *zone);
void drain_pages(unsigned int cpu);
void drain_local_pages(struct zone *zone);
void free_unref_page(struct page *page);

/* observation point of the ports: __drain_all_pages() returns early */
void dr_trace_drain_early_return(struct zone *zone);

/* mm_percpu_wq and the scheduler */
struct workqueue_struct;
extern struct workqueue_struct *const mm_percpu_wq;
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work);
bool flush_work(struct work_struct *work);

/* kthread API */
struct kthread_worker *kthread_create_worker_on_cpu(int cpu, unsigned int flags,
						    const char *namefmt, ...);
void kthread_init_work(struct kthread_work *work, kthread_work_func_t fn);
bool kthread_queue_work(struct kthread_worker *worker, struct kthread_work *work);
void kthread_flush_work(struct kthread_work *work);
bool kthread_cancel_work_sync(struct kthread_work *work);
void kthread_destroy_worker(struct kthread_worker *worker);
void sched_set_fifo_low(struct task_struct *p);
int cpuhp_setup_state_nocalls(int state, const char *name, cpuhp_cb_t startup,
			      cpuhp_cb_t teardown);
#define CPUHP_AP_ONLINE_DYN	1

/* the variant entry points of mm_variant */
void *dr_create(const struct mm_config *cfg, const struct dr_variant_ops *vops);
void dr_exec(void *inst, const struct mm_op *op, struct mm_opres *res);
void dr_check(void *inst);
void dr_observe(void *inst, void *obs);
void dr_dump(void *inst, char *buf, size_t len);

/* for the tests: the drain the model issues, with its checks */
void dr_drain_all(struct zone *zone, bool force_all_cpus, bool top);
void dr_tick_all(void);
#endif

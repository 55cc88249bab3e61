/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port-private state of the pagealloc ports: the v5.9 page allocator
 * (mm/page_alloc.c, zones DMA32/NORMAL, buddy + per-cpu lists) and the
 * v5.9 kvfree_rcu() machinery of kernel/rcu/tree.c, shared by the
 * reference (v5.9) and the implementations of seed 002, which differ only
 * where struct pa_variant_ops says.  One struct pa_state is one simulated
 * kernel; pa_G points at the instance being run (set at every entry).
 */
#ifndef MM_PA_INTERNAL_H
#define MM_PA_INTERNAL_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include <mm/harness.h>
#include "pagealloc_family.h"

/* -- model constants [modelling choice: small zones] ------------------- */
#define MAX_ORDER		5
#define pageblock_order		(MAX_ORDER - 1)
#define pageblock_nr_pages	(1UL << pageblock_order)

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_TYPES
};

enum zone_type { ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };
enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

/* mm/internal.h v5.9 */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_HARDER		0x10
#define ALLOC_HIGH		0x20
#define ALLOC_CPUSET		0x40
#define ALLOC_CMA		0x80
#define ALLOC_NOFRAGMENT	0x100
#define ALLOC_KSWAPD		0x800
/* seed 002 V2 (#48): "Lock free allocation." */
#define ALLOC_NO_LOCKS		0x1000

/* seed 002 V2: the new gfp bit (0x800000 is ___GFP_NOLOCKDEP in v5.9) */
#define ___GFP_NO_LOCKS		0x800000u
#define __GFP_NO_LOCKS		((gfp_t)___GFP_NO_LOCKS)
#define ___GFP_NOMEMALLOC	0x80000u
#define __GFP_NOMEMALLOC	((gfp_t)___GFP_NOMEMALLOC)

/* page flags of the model */
#define PG_buddy	0x1	/* PageBuddy: head of a free buddy block */
#define PG_reserved	0x2	/* boot memory, never freed */
#define PG_bad		0x4	/* check_new_page() would fail (inject_bad_page) */

struct page {
	struct list_head lru;
	unsigned long private;	/* buddy order while PageBuddy */
	unsigned long index;	/* pcp migratetype (set_pcppage_migratetype) */
	unsigned int flags;
	int zid;
	unsigned long pfn;
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

struct per_cpu_pages {
	int count;		/* number of pages in the list */
	int high;		/* high watermark, emptying needed */
	int batch;		/* chunk size for buddy add/remove */
	struct list_head lists[MIGRATE_PCPTYPES];
};

struct per_cpu_pageset {
	struct per_cpu_pages pcp;
};

struct zone {
	unsigned long _watermark[NR_WMARK];
	long lowmem_reserve[MAX_NR_ZONES];
	struct per_cpu_pageset pageset[MM_MAX_CPUS];	/* this_cpu_ptr(zone->pageset) */
	const char *name;
	int idx;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long managed_pages;
	unsigned long nr_boot_reserved;
	struct free_area free_area[MAX_ORDER];
	spinlock_t lock;
	long nr_free_pages;			/* vm_stat[NR_FREE_PAGES] */
	unsigned char pageblock_mt[64];		/* per pageblock migratetype */
	struct page *mem_map;			/* spanned_pages struct pages */
	char *mem;				/* page contents (charged at boot) */
};

/* kernel/rcu/tree.c v5.9 */
struct kvfree_rcu_bulk_data {
	unsigned long nr_records;
	struct kvfree_rcu_bulk_data *next;
	void *records[];
};

#define KVFREE_BULK_MAX_ENTR \
	((PAGE_SIZE - sizeof(struct kvfree_rcu_bulk_data)) / sizeof(void *))
#define KFREE_N_BATCHES		2
#define FREE_N_CHANNELS		1	/* [modelling choice] kmalloc channel only */
#define rcu_min_cached_objs	2	/* v5.9 default */

struct rcu_work {
	struct work_struct work;
	struct rcu_head rcu;
	bool rcu_pending;	/* PENDING bit between queue_rcu_work and the work */
	unsigned long t_queued;	/* pa_clock when call_rcu() was made */
};

struct kfree_rcu_cpu;

/* kfree_rcu_cpu_work.late_attach bits: which channel came in late */
#define LATE_BKV	0x1
#define LATE_HEAD	0x2

struct kfree_rcu_cpu_work {
	struct rcu_work rcu_work;
	struct rcu_head *head_free;
	struct kvfree_rcu_bulk_data *bkvhead_free[FREE_N_CHANNELS];
	struct kfree_rcu_cpu *krcp;
	unsigned int late_attach; /* LATE_BKV/LATE_HEAD: attached while the rcu_work was pending */
};

struct kfree_rcu_cpu {
	struct rcu_head *head;
	struct kvfree_rcu_bulk_data *bkvhead[FREE_N_CHANNELS];
	struct kfree_rcu_cpu_work krw_arr[KFREE_N_BATCHES];
	raw_spinlock_t lock;
	struct work_struct monitor_work;	/* delayed_work: delay not modelled */
	bool monitor_todo;
	bool initialized;
	int count;
	struct kvfree_rcu_bulk_data *bkvcache;	/* llist of cached pages */
	int nr_bkv_objs;
	/* seed 002 RFC 1/4: page cache worker */
	struct work_struct page_cache_work;
	bool work_in_progress;
	int cpu;
};

/* a kvfree_rcu()'d object: what the caller kmalloc'ed (simulated) */
enum { OBJ_FREE_SLOT, OBJ_QUEUED, OBJ_FREED };
struct rcu_obj {
	struct rcu_head rh;	/* must be first: head - offset == object */
	unsigned int state;
	unsigned int nargs;
	unsigned long t_call;	/* pa_clock at kvfree_rcu() */
	unsigned long gp_at_call;
	struct rcu_obj *next_free;
};

struct pa_user {
	struct page *page;
	unsigned int order;
};

#define PA_MAX_USERS	1024

struct pa_state;

/* What distinguishes the variants (set by each variant's create). */
struct pa_variant_ops {
	const char *name;
	bool gfp_no_locks;		/* V2 hooks (ALLOC_NO_LOCKS) compiled in */
	bool kvfree_rt_bailout;		/* v5.9: IS_ENABLED(CONFIG_PREEMPT_RT) -> fallback */
	bool page_cache_worker;		/* RFC 1/4: run_page_cache_worker() on failure */
	bool boot_prefill;		/* v5.9 kfree_rcu_batch_init() prefills the cache */
	bool lockless_fn;		/* V1: lockless_entry is __rcu_alloc_page_lockless (I6) */
	/* kvfree_call_rcu_add_ptr_to_bulk(): a new block page, or 0 */
	unsigned long (*kvfree_get_page)(void);
	/* the lockless_alloc op: returns a page address or 0 */
	unsigned long (*lockless_entry)(void);
	unsigned int known_lock_reports;
	/* tests only: purpose-built broken variants (tests/pagealloc) */
	unsigned int test_faults;
};

#define PA_TEST_SKIP_NO_LOCKS_HOOK	0x1	/* V2 hooks of rmqueue_bulk / slow path ignored */
#define PA_TEST_FAIL_ALLOCS		0x2	/* __alloc_pages_nodemask() always fails */

struct pa_state {
	const struct pa_variant_ops *vops;
	int nr_cpus;
	bool preempt_rt, debug_pagealloc;
	struct zone zones[MAX_NR_ZONES];
	struct zone *zonelist[MAX_NR_ZONES];	/* NORMAL -> DMA32 */
	spinlock_t kswapd_wait_lock;		/* pgdat->kswapd_wait.lock */
	spinlock_t linear_map_hash_lock;	/* __kernel_map_pages (powerpc) */

	struct pa_user users[PA_MAX_USERS];
	int nr_users;
	struct list_head bad_pages;		/* leaked by bad_page() */
	long nr_bad;

	struct kfree_rcu_cpu krc[MM_MAX_CPUS];
	struct rcu_obj **obj_chunks;
	int nr_obj_chunks, obj_chunk_cap;
	struct rcu_obj *obj_free;
	unsigned long pa_clock;			/* event counter for I9 causality */

	/* counters (observables) */
	long kv_calls, kv_via_block, kv_via_head, kv_via_sync, kv_freed;
	long kv_fallbacks;
	long lockless_attempts, lockless_failed;
	long zone_lock_taken, slowpath_entries, kswapd_wakeups;
	long nr_free_before[MAX_NR_ZONES];
	bool last_alloc_injected;

	/* postcondition records for check() */
	struct per_cpu_pages *last_free_pcp;
	int last_free_count_before, last_free_count_after;
	int last_free_high, last_free_batch;
	unsigned char *scratch;			/* conservation recount */
	unsigned long total_pages;
	long nr_free_drift;			/* rmqueue: bad blocks not accounted */
};

extern struct pa_state *pa_G;
#define G pa_G

static inline struct zone *page_zone(const struct page *page)
{
	return &G->zones[page->zid];
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return page->pfn;
}

static inline struct page *pfn_to_page_zone(struct zone *zone, unsigned long pfn)
{
	return &zone->mem_map[pfn - zone->zone_start_pfn];
}

static inline void *page_address(const struct page *page)
{
	struct zone *zone = page_zone(page);

	return zone->mem + (page->pfn - zone->zone_start_pfn) * PAGE_SIZE;
}

struct page *virt_to_page(const void *addr);

#define debug_pagealloc_enabled_static()	(G->debug_pagealloc)
#define this_cpu_pcp(zone)	(&(zone)->pageset[smp_processor_id()].pcp)

/* page_alloc.c (v5.9 ports) */
void pa_zones_init(const struct mm_config *cfg);
void pa_setup_wmarks(const struct mm_config *cfg);
struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
				    int migratetype_hint);
struct page *alloc_pages_mt(gfp_t gfp_mask, unsigned int order, int mt);
unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages((addr), 0)
void drain_local_pages(struct zone *zone);
void drain_all_pages(struct zone *zone);
bool check_new_pcp(struct page *page);
void prep_new_page(struct page *page, unsigned int order, gfp_t gfp_flags,
		   unsigned int alloc_flags);
void __count_zid_vm_events_pgalloc(struct page *page);
void pageset_set_batch_all(int high, int batch);
void pa_bad_page(struct page *page);
void pa_check(void *inst);
gfp_t pa_gfp_of(int choice);

/* kvfree_rcu.c (v5.9 ports) */
void kfree_rcu_batch_init(void);
void pa_kvfree_rcu(int nargs, int nobj);
bool kvfree_call_rcu_add_ptr_to_bulk(struct kfree_rcu_cpu *krcp, void *ptr);

/* pa_variant.c: the common variant entry points */
void *pa_create(const struct mm_config *cfg, const struct pa_variant_ops *vops);
void pa_exec(void *inst, const struct mm_op *op, struct mm_opres *res);
void pa_check(void *inst);
void pa_observe(void *inst, void *obs);
void pa_dump(void *inst, char *buf, size_t len);

/* the reference's lockless_alloc: what RCU called before the patches */
unsigned long pa_v59_lockless_entry(void);
unsigned long pa_v59_kvfree_get_page(void);
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The state of one simulated v5.9 kernel for the pagealloc family: the page
 * allocator of mm/page_alloc.c (zones DMA32/NORMAL, buddy + per-cpu lists,
 * watermarks with their boost, kswapd's wait queue of mm/vmscan.c) and the
 * kvfree_rcu() machinery of kernel/rcu/tree.c.  Every port includes this
 * header and the core headers of this directory into its own translation
 * unit (as the kernel's tools/testing builds a C file into a test), so every
 * function is static and G (the instance being run, set at every entry) is
 * private to the port.  A port that adds fields to struct kfree_rcu_cpu
 * defines KFREE_RCU_CPU_EXTRA before including this header.
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
#include <mm/once.h>
#include <mm/threads.h>
#include "pagealloc_family.h"
#include "pa_port.h"

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

#define ___GFP_NOMEMALLOC	0x80000u
#define __GFP_NOMEMALLOC	((gfp_t)___GFP_NOMEMALLOC)
#ifndef __GFP_RETRY_MAYFAIL
#define __GFP_RETRY_MAYFAIL	((gfp_t)___GFP_RETRY_MAYFAIL)
#endif

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

/* enum zone_flags, include/linux/mmzone.h v5.9 (the one the model uses) */
#define ZONE_BOOSTED_WATERMARK	0x1

struct zone {
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	unsigned long flags;			/* ZONE_BOOSTED_WATERMARK */
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
	int cpu;
#ifdef KFREE_RCU_CPU_EXTRA
	KFREE_RCU_CPU_EXTRA
#endif
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

/* pg_data_t, include/linux/mmzone.h v5.9: the fields kswapd's wake-up reads */
struct pglist_data {
	spinlock_t kswapd_wait_lock;		/* kswapd_wait.lock */
	bool kswapd_sleeping;			/* waitqueue_active(&kswapd_wait) */
	int kswapd_order;
	int kswapd_highest_zoneidx;
	int kswapd_failures;			/* 'reclaim' runs that failed */
};

#define MAX_RECLAIM_RETRIES	16

struct pa_state {
	const struct pa_port *port;		/* first: the family's executor reads it */
	int nr_cpus;
	bool preempt_rt, debug_pagealloc;
	struct zone zones[MAX_NR_ZONES];
	struct zone *zonelist[MAX_NR_ZONES];	/* NORMAL -> DMA32 */
	struct pglist_data pgdat;		/* one node */
	spinlock_t linear_map_hash_lock;	/* __kernel_map_pages (powerpc) */

	struct pa_user users[PA_MAX_USERS];
	int nr_users;
	struct list_head bad_pages;		/* leaked by bad_page() */
	long nr_bad;

	struct kfree_rcu_cpu *krcs;		/* [MM_MAX_CPUS] (the per-CPU krc), the port's layout */
	int boot_bnode_pages;			/* cached by kfree_rcu_batch_init() */
	struct rcu_obj **obj_chunks;
	int nr_obj_chunks, obj_chunk_cap;
	struct rcu_obj *obj_free;
	unsigned long pa_clock;			/* event counter for I9 causality */

	/* counters (observables) */
	long kv_calls, kv_via_block, kv_via_head, kv_via_sync, kv_freed;
	long kv_fallbacks;
	long lockless_attempts, lockless_failed;
	long zone_lock_taken, slowpath_entries, kswapd_wakeups, kswapd_runs;
	long nr_free_before[MAX_NR_ZONES];
	long boost_before[MAX_NR_ZONES];	/* zone->watermark_boost then */
	bool last_alloc_injected;

	/* postcondition records for check() */
	struct per_cpu_pages *last_free_pcp;
	int last_free_count_before, last_free_count_after;
	int last_free_high, last_free_batch;
	unsigned char *scratch;			/* conservation recount */
	/* pending block and rcu_head chains the last check verified (pa_check.h) */
	struct pa_chain_seen {
		void *top;		/* the first block or rcu_head */
		void **tail_next;	/* &next of the last one */
		long len;		/* rcu_heads; a block chain: the top's nr_records */
		bool block;
	} chain_seen[MM_MAX_CPUS * (1 + KFREE_N_BATCHES) * 2];
	int nr_chain_seen;
	long chain_seen_freed;			/* kv_freed at that check, -1: none */
	unsigned long total_pages;
	long nr_free_drift;			/* rmqueue: bad blocks not accounted */
};

/* the instance being run: private to each port's translation unit */
static struct pa_state *pa_G __attribute__((unused));
#define G pa_G

#define irqs_disabled()		(mm_this_cpu()->irqs_disabled)

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

#define debug_pagealloc_enabled_static()	(G->debug_pagealloc)
#define this_cpu_pcp(zone)	(&(zone)->pageset[smp_processor_id()].pcp)

#endif

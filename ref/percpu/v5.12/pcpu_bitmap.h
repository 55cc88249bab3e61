/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bitmap-era percpu allocator (mm/percpu.c, mm/percpu-internal.h,
 * mm/percpu-vm.c, mm/percpu-km.c), shared by the ports v5.12, rfc3,
 * rfc3-fix and v5.14.
 *
 * Contract: every kernel global of mm/percpu.c lives in struct pcpu_state,
 * one per variant instance; pcpu_G points at the instance the driver is
 * running (every entry point sets it first), and the kernel names below
 * (pcpu_lock, pcpu_nr_slots, ...) are macros onto it, so the ports read
 * like the kernel.  The allocator core (hints, areas, chunks, slots,
 * backends) is in pcpu_core.c / pcpu_backend.c; each version supplies
 * pcpu_alloc(), free_percpu() and pcpu_balance_workfn() through
 * struct pcpu_variant_ops.  The harness side (exec, check, observe, dump)
 * is pcpu_exec.c and pcpu_check.c.
 */
#ifndef PCPU_BITMAP_H
#define PCPU_BITMAP_H

#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <mm/harness.h>
#include <mm/nocov.h>

#include "percpu_family.h"
#include "percpu_live.h"
#include "percpu_port.h"

/* include/linux/percpu.h, mm/percpu.c (same values in v5.12 and 6.1) */
#define PFN_ALIGN(x)			ALIGN((unsigned long)(x), PAGE_SIZE)
#define PAGE_MASK			(~(PAGE_SIZE - 1))
#define PCPU_MIN_UNIT_SIZE		PFN_ALIGN(32 << 10)
#define PERCPU_DYNAMIC_EARLY_SIZE	(12 << 10)
#define PCPU_MIN_ALLOC_SHIFT		2
#define PCPU_MIN_ALLOC_SIZE		(1 << PCPU_MIN_ALLOC_SHIFT)
#define PCPU_BITMAP_BLOCK_SIZE		PAGE_SIZE
#define PCPU_BITMAP_BLOCK_BITS		(PCPU_BITMAP_BLOCK_SIZE >> PCPU_MIN_ALLOC_SHIFT)
#define PCPU_SLOT_BASE_SHIFT		5
#define PCPU_SLOT_FAIL_THRESHOLD	3
#define __ALIGN_MASK(x, mask)		(((x) + (mask)) & ~(mask))

/*
 * Linker names: the functions below keep their kernel names in the source;
 * the symbols get a bm_ prefix so that other percpu ports (area-map
 * era) may export the same kernel names.
 */
#define __pcpu_size_to_slot bm___pcpu_size_to_slot
#define pcpu_size_to_slot bm_pcpu_size_to_slot
#define pcpu_chunk_slot bm_pcpu_chunk_slot
#define pcpu_chunk_type bm_pcpu_chunk_type
#define pcpu_is_memcg_chunk bm_pcpu_is_memcg_chunk
#define pcpu_chunk_list bm_pcpu_chunk_list
#define pcpu_chunk_move bm_pcpu_chunk_move
#define pcpu_chunk_relocate bm_pcpu_chunk_relocate
#define pcpu_update_empty_pages bm_pcpu_update_empty_pages
#define pcpu_find_block_fit bm_pcpu_find_block_fit
#define pcpu_alloc_area bm_pcpu_alloc_area
#define pcpu_free_area bm_pcpu_free_area
#define pcpu_index_alloc_map bm_pcpu_index_alloc_map
#define pcpu_alloc_chunk bm_pcpu_alloc_chunk
#define pcpu_free_chunk bm_pcpu_free_chunk
#define pcpu_chunk_populated bm_pcpu_chunk_populated
#define pcpu_chunk_depopulated bm_pcpu_chunk_depopulated
#define pcpu_chunk_addr_search bm_pcpu_chunk_addr_search
#define pcpu_schedule_balance_work bm_pcpu_schedule_balance_work
#define pcpu_setup_first_chunk bm_pcpu_setup_first_chunk
#define pcpu_memcg_pre_alloc_hook bm_pcpu_memcg_pre_alloc_hook
#define pcpu_memcg_post_alloc_hook bm_pcpu_memcg_post_alloc_hook
#define pcpu_memcg_free_hook bm_pcpu_memcg_free_hook
#define pcpu_populate_chunk bm_pcpu_populate_chunk
#define pcpu_depopulate_chunk bm_pcpu_depopulate_chunk
#define pcpu_post_unmap_tlb_flush bm_pcpu_post_unmap_tlb_flush
#define pcpu_create_chunk bm_pcpu_create_chunk
#define pcpu_destroy_chunk bm_pcpu_destroy_chunk
#define pcpu_should_reclaim_chunk bm_pcpu_should_reclaim_chunk
#define pcpu_unit_addr bm_pcpu_unit_addr
#define pcpu_G bm_pcpu_G

/* v5.12 chunk types (mm/percpu-internal.h); 6.1 has none (one list set) */
enum pcpu_chunk_type {
	PCPU_CHUNK_ROOT,
	PCPU_CHUNK_MEMCG,
};
#define PCPU_FAIL_ALLOC			2

struct obj_cgroup {
	int unused;
};

/* mm/percpu-internal.h: all hints are in bits (PCPU_MIN_ALLOC_SIZE units) */
struct pcpu_block_md {
	int scan_hint;
	int scan_hint_start;
	int contig_hint;
	int contig_hint_start;
	int left_free;
	int right_free;
	int first_free;
	int nr_bits;
};

struct pcpu_chunk {
	struct list_head list;		/* linked to pcpu_slot lists */
	int free_bytes;
	struct pcpu_block_md chunk_md;
	void *base_addr;		/* model: a fake address, never dereferenced */

	unsigned long *alloc_map;
	unsigned long *bound_map;
	struct pcpu_block_md *md_blocks;

	void *data;			/* vm: page table, km: the contiguous pages */
	bool immutable;			/* no [de]population allowed */
	bool isolated;			/* 6.1 only: off the active slots */
	bool depopulate;		/* RFC 3/4 only: depopulation hint */
	int start_offset;
	int end_offset;
	struct obj_cgroup **obj_cgroups;	/* v5.12: non-NULL = MEMCG chunk */

	int nr_pages;
	int nr_populated;
	int nr_empty_pop_pages;

	/* harness side, not kernel state */
	int id;				/* see struct mm_opres in percpu_family.h */
	long mem_off;			/* first/reserved: offset of base_addr in the unit */
	struct list_head all_list;	/* every chunk alive, creation order */
	int unflushed_start, unflushed_end; /* depopulated, TLB not flushed yet */
	long chk_bits;			/* check(): bits owned by live allocations */
	long chk_set;			/* check(): set bits of the alloc map */
	int chk_slot, chk_type;		/* check(): the slot list it is on */
	bool chk_to_depop;		/* on to_depopulate when the balance run began */
	bool chk_clean;			/* check(): unchanged since its last check */
	void *chk_snap;			/* check(): what it read then (pcpu_check.c) */
	size_t chk_snap_bytes;

	unsigned long populated[];	/* populated bitmap */
};

/*
 * What a version supplies to the shared core: its entry points, and the
 * kernel features its mm/percpu.c has (read by the core and the checks
 * instead of asking which version runs).
 */
struct pcpu_variant_ops {
	void __percpu *(*pcpu_alloc)(size_t size, size_t align, bool reserved,
				     gfp_t gfp);
	void (*free_percpu)(void __percpu *ptr);
	work_func_t balance_workfn;
	/* per-variant part of check(); may be NULL */
	void (*check)(void);
	/*
	 * 6.1 layout (v5.14 on): no chunk types, every chunk gets an
	 * obj_cgroups vector under kmem accounting, and the sidelined, free
	 * and to_depopulate slots follow the size slots (chunk isolation).
	 */
	bool isolation_slots;
	/* RFC 3/4's chunk->depopulate hints and their counter */
	bool depop_hints;
	/*
	 * A balance run that meets no failure leaves at least
	 * PCPU_EMPTY_POP_PAGES_HIGH empty populated pages (counting those of
	 * isolated chunks, see pcpu_bm_balance_end()); not RFC 3/4, whose
	 * shrink step may end below HIGH by design.
	 */
	bool balance_fills_high;
};

struct pcpu_state {
	const struct pcpu_variant_ops *ops;

	/* configuration */
	int backend;			/* enum pcpu_backend */
	bool memcg_kmem;		/* memcg_kmem_enabled() and a non-root task */
	int nr_chunk_types;		/* PCPU_NR_CHUNK_TYPES */
	int static_size, reserved_size, dyn_size;
	long boot_pages;		/* first chunk memory (memblock) */
	char *boot_mem;			/* nr_units blocks of fc_unit_pages pages */
	int fc_unit_pages;

	/* mm/percpu.c globals */
	int unit_pages;
	int unit_size;
	int nr_units;
	int nr_slots;
	int free_slot;			/* v5.12: nr_slots - 1; 6.1 pcpu_free_slot */
	int sidelined_slot;		/* 6.1 */
	int to_depopulate_slot;		/* 6.1 */
	size_t chunk_struct_size;
	struct pcpu_chunk *first_chunk;
	struct pcpu_chunk *reserved_chunk;
	spinlock_t lock;
	struct mutex alloc_mutex;
	struct list_head *chunk_lists;
	int nr_empty_pop_pages;		/* one global in all four ports */
	unsigned long nr_populated;
	struct work_struct balance_work;
	bool async_enabled;
	bool atomic_alloc_failed;
	int nr_chunks_to_depopulate;	/* RFC 3/4 */

	/* harness bookkeeping */
	const struct pcpu_live *live;	/* the executor's live allocations */
	struct list_head all_chunks;
	struct pcpu_chunk **chunk_by_id;	/* created chunks by id (page->index) */
	int chunk_by_id_cap;
	int next_chunk_id;
	long nr_chunks;			/* created, not destroyed */
	long nr_depopulated;
	unsigned long boot_populated;	/* PFN_DOWN(size_sum) */
	int in_balance;		/* the task running the balance work + 1, 0 outside it */
	int balance_creations[2];	/* per chunk type, this balance run */
	unsigned long balance_fails_at_begin;	/* failures taken when it began */
	unsigned long mutations;	/* alloc/free ops so far (I8) */
	uint64_t chk_live_id;		/* check(): live ids up to this one were checked */
	unsigned long i8_mutations;
	unsigned long i8_fails_at_begin;
	int i8_last_counter, i8_stale_runs;
	/*
	 * Pages a revision's balance run populated beyond what v5.12's would
	 * have: its pop_slack grows by them (rfc3's tail after creating a
	 * chunk keeps nr_to_pop where v5.12's retry_pop recomputes it).
	 */
	long pop_extra;
	struct obj_cgroup objcg;	/* the current task's (non-root) cgroup */
};

extern _Thread_local struct pcpu_state *pcpu_G;

/* kernel names onto the instance (after the struct: fields differ) */
#define pcpu_unit_pages		(pcpu_G->unit_pages)
#define pcpu_unit_size		(pcpu_G->unit_size)
#define pcpu_nr_units		(pcpu_G->nr_units)
#define pcpu_nr_slots		(pcpu_G->nr_slots)
#define pcpu_free_slot		(pcpu_G->free_slot)
#define pcpu_sidelined_slot	(pcpu_G->sidelined_slot)
#define pcpu_to_depopulate_slot	(pcpu_G->to_depopulate_slot)
#define pcpu_chunk_struct_size	(pcpu_G->chunk_struct_size)
#define pcpu_first_chunk	(pcpu_G->first_chunk)
#define pcpu_reserved_chunk	(pcpu_G->reserved_chunk)
#define pcpu_lock		(pcpu_G->lock)
#define pcpu_alloc_mutex	(pcpu_G->alloc_mutex)
#define pcpu_chunk_lists	(pcpu_G->chunk_lists)
#define pcpu_nr_empty_pop_pages	(pcpu_G->nr_empty_pop_pages)
#define pcpu_nr_populated	(pcpu_G->nr_populated)
#define pcpu_balance_work	(pcpu_G->balance_work)
#define pcpu_async_enabled	(pcpu_G->async_enabled)
#define pcpu_atomic_alloc_failed (pcpu_G->atomic_alloc_failed)
#define pcpu_nr_chunks_to_depopulate (pcpu_G->nr_chunks_to_depopulate)
#define PCPU_NR_CHUNK_TYPES	(pcpu_G->nr_chunk_types)

#define mutex_lock_killable(m)	(mutex_lock(m), 0)

/* -- pcpu_core.c: the allocator core, identical in v5.12 and 6.1 ------- */
int __pcpu_size_to_slot(int size);
int pcpu_size_to_slot(int size);
int pcpu_chunk_slot(const struct pcpu_chunk *chunk);
enum pcpu_chunk_type pcpu_chunk_type(struct pcpu_chunk *chunk);
bool pcpu_is_memcg_chunk(enum pcpu_chunk_type chunk_type);
struct list_head *pcpu_chunk_list(enum pcpu_chunk_type chunk_type);
void pcpu_chunk_move(struct pcpu_chunk *chunk, int slot);
void pcpu_chunk_relocate(struct pcpu_chunk *chunk, int oslot);
void pcpu_update_empty_pages(struct pcpu_chunk *chunk, int nr);
int pcpu_find_block_fit(struct pcpu_chunk *chunk, int alloc_bits,
			size_t align, bool pop_only);
int pcpu_alloc_area(struct pcpu_chunk *chunk, int alloc_bits, size_t align,
		    int start);
int pcpu_free_area(struct pcpu_chunk *chunk, int off);
unsigned long *pcpu_index_alloc_map(struct pcpu_chunk *chunk, int index);
struct pcpu_chunk *pcpu_alloc_chunk(enum pcpu_chunk_type type, gfp_t gfp);
void pcpu_free_chunk(struct pcpu_chunk *chunk);
void pcpu_chunk_populated(struct pcpu_chunk *chunk, int page_start,
			  int page_end);
void pcpu_chunk_depopulated(struct pcpu_chunk *chunk, int page_start,
			    int page_end);
struct pcpu_chunk *pcpu_chunk_addr_search(void *addr);
void pcpu_schedule_balance_work(void);
void pcpu_setup_first_chunk(void);
enum pcpu_chunk_type pcpu_memcg_pre_alloc_hook(size_t size, gfp_t gfp,
					       struct obj_cgroup **objcgp);
void pcpu_memcg_post_alloc_hook(struct obj_cgroup *objcg,
				struct pcpu_chunk *chunk, int off, size_t size);
void pcpu_memcg_free_hook(struct pcpu_chunk *chunk, int off, size_t size);

static inline int pcpu_chunk_nr_blocks(struct pcpu_chunk *chunk)
{
	return chunk->nr_pages * PAGE_SIZE / PCPU_BITMAP_BLOCK_SIZE;
}

static inline int pcpu_nr_pages_to_map_bits(int pages)
{
	return pages * PAGE_SIZE / PCPU_MIN_ALLOC_SIZE;
}

static inline int pcpu_chunk_map_bits(struct pcpu_chunk *chunk)
{
	return pcpu_nr_pages_to_map_bits(chunk->nr_pages);
}

/* fake addresses: first chunk unit 0 at PCPU_FIRST_BASE, chunk id at its own */
#define PCPU_FIRST_BASE		(1UL << 40)
#define PCPU_DYN_BASE(id)	((2UL + (unsigned long)(id)) << 40)

/* -- pcpu_backend.c: mm/percpu-vm.c or mm/percpu-km.c by config --------- */
int pcpu_populate_chunk(struct pcpu_chunk *chunk, int page_start,
			int page_end, gfp_t gfp);
void pcpu_depopulate_chunk(struct pcpu_chunk *chunk, int page_start,
			   int page_end);
void pcpu_post_unmap_tlb_flush(struct pcpu_chunk *chunk, int page_start,
			       int page_end);
struct pcpu_chunk *pcpu_create_chunk(enum pcpu_chunk_type type, gfp_t gfp);
void pcpu_destroy_chunk(struct pcpu_chunk *chunk);
bool pcpu_should_reclaim_chunk(struct pcpu_chunk *chunk);
/* harness: where byte @off of @chunk lives in @cpu's unit, NULL if unpopulated */
char *pcpu_unit_addr(struct pcpu_chunk *chunk, int cpu, int off);

/* -- the v5.12 functions rfc3 and rfc3-fix run unchanged (percpu.c) --- */
void __percpu *pcpu_alloc_v5_12(size_t size, size_t align, bool reserved,
				gfp_t gfp);

/* -- pcpu_exec.c: the entry points of every bitmap-era port (percpu_port.h) */
void *pcpu_bm_create(const struct mm_config *cfg, const struct pcpu_variant_ops *ops,
		     const struct pcpu_live *live, long *boot_pages);
void *pcpu_bm_alloc(void *inst, size_t size, size_t align, bool reserved, gfp_t gfp);
void pcpu_bm_free(void *inst, void *ptr);
void pcpu_bm_locate(void *inst, void *ptr, int *chunk_id, long *unit_off);
char *pcpu_bm_unit_addr(void *inst, void *ptr, int cpu, long off, long *len);
void *pcpu_bm_unit_where(void *inst, void *ptr);
char *pcpu_bm_unit_addr_in(void *inst, void *where, void *ptr, int cpu, long off, long *len);
struct work_struct *pcpu_bm_balance_work(void *inst);
long pcpu_bm_nr_populated(void *inst);
int pcpu_bm_nr_empty_pop_pages(void *inst);
bool pcpu_bm_async_enabled(void *inst);
void pcpu_bm_enable_async(void *inst);
void pcpu_bm_check(void *inst);
void pcpu_bm_observe(void *inst, struct pcpu_obs *o);
void pcpu_bm_dump(void *inst, char *buf, size_t len);

/*
 * The port of a bitmap-era version that supplies @ops: define it with
 * PCPU_BM_PORT(name, ops), then PCPU_VARIANT(sym, name, ...).
 */
#define PCPU_BM_PORT(name, ops_)						\
	static void *name##_create(const struct mm_config *cfg,			\
				   const struct pcpu_live *live, long *boot)	\
	{									\
		return pcpu_bm_create(cfg, &(ops_), live, boot);		\
	}									\
	static const struct pcpu_port name = {					\
		.create = name##_create, .alloc = pcpu_bm_alloc,		\
		.free = pcpu_bm_free, .locate = pcpu_bm_locate,			\
		.unit_addr = pcpu_bm_unit_addr,					\
		.unit_where = pcpu_bm_unit_where,				\
		.unit_addr_in = pcpu_bm_unit_addr_in,				\
		.balance_work = pcpu_bm_balance_work,				\
		.nr_populated = pcpu_bm_nr_populated,				\
		.nr_empty_pop_pages = pcpu_bm_nr_empty_pop_pages,		\
		.async_enabled = pcpu_bm_async_enabled,				\
		.enable_async = pcpu_bm_enable_async,				\
		.check = pcpu_bm_check, .observe = pcpu_bm_observe,		\
		.dump = pcpu_bm_dump, .schedules_balance = true,		\
	}

/* a balance run starts / created a chunk of @type (UNBOUNDED_CHUNK_CREATION) */
void pcpu_bm_balance_begin(void);
void pcpu_bm_balance_created(int type);
void pcpu_bm_balance_end(void);
/* v5.14: pcpu_reclaim_populated() returned (RECLAIM_INCOMPLETE) */
void pcpu_bm_reclaim_done(void);
/* failures taken so far on the machine: injected ones and budget refusals */
unsigned long pcpu_bm_fails_taken(void);
/* the slot list @chunk is on (and its type): -1 none, -2 corrupt list */
int pcpu_bm_chunk_list_slot(struct pcpu_chunk *chunk, int *type);
/* the recount checks of pcpu_check.c, usable by tests */
void pcpu_bm_check_state(void);
#endif /* PCPU_BITMAP_H */

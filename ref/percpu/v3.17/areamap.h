/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Area-map-era percpu allocator (mm/percpu.c v3.17 + percpu/for-3.18
 * patches 1-14, and v3.18 = with patch 15/15): the chunk and instance
 * state shared by the ports ref/percpu/v3.17 and impl/percpu/v3.18 and by
 * their tests (tests/percpu-areamap/), which corrupt it on purpose.
 *
 * Contract: one struct pcpu_am_state per variant instance holds every
 * kernel global of mm/percpu.c (kernel names) and the harness bookkeeping.
 * Ports read the globals through areamap-globals.h; tests use the fields.
 */
#ifndef MM_PERCPU_AREAMAP_H
#define MM_PERCPU_AREAMAP_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "percpu_family.h"
#include "percpu_live.h"

/* include/linux/percpu.h v3.18 */
#define PCPU_MIN_UNIT_SIZE		(32 << 10)
#define PERCPU_DYNAMIC_EARLY_SIZE	(12 << 10)
#define PERCPU_DYNAMIC_EARLY_SLOTS	128
/* mm/percpu.c v3.18 */
#define PCPU_SLOT_BASE_SHIFT		5	/* 1-31 shares the same slot */
#define PCPU_DFL_MAP_ALLOC		16	/* start a map with 16 ents */
#define PCPU_ATOMIC_MAP_MARGIN_LOW	32
#define PCPU_ATOMIC_MAP_MARGIN_HIGH	64

#ifndef AM_FIX2016
#define AM_FIX2016	0	/* the 2016 map extension fixes (v3.18-fix2016) */
#endif

/*
 * struct pcpu_chunk, mm/percpu.c v3.18 (map_extend_work era); with
 * AM_FIX2016 as after 4f996e234dad (v4.7), which replaced the per-chunk
 * work by a list the balance work services.
 */
struct pcpu_chunk {
	struct list_head	list;		/* linked to pcpu_slot lists */
	int			free_size;	/* free bytes in the chunk */
	int			contig_hint;	/* max contiguous size hint */

	int			map_used;	/* # of map entries used before the sentry */
	int			map_alloc;	/* # of map entries allocated */
	int			*map;		/* allocation map */
	/* one per version, same layout for the tests: the work, or after 4f996e234dad the list */
	union {
		struct work_struct	map_extend_work;/* async ->map[] extension */
		struct list_head	map_extend_list;/* on pcpu_map_extend_chunks */
	};

	void			*data;		/* km: the contiguous block */
	int			first_free;	/* no free below this */
	bool			immutable;	/* no [de]population allowed */
	int			nr_populated;	/* # of populated pages */

	/* harness: not in the kernel struct */
	int			id;		/* 0 first, -1 reserved, then 1, 2, ... */
	int			map_end;	/* offset the sentry must carry */
	void			**pages;	/* vm: page per (unit, page), the vm area */
	unsigned long		populated[];	/* populated bitmap */
};

/* a percpu pointer: what __addr_to_pcpu_ptr(chunk->base_addr + off) names */
struct am_ptr {
	struct pcpu_chunk *chunk;
	int off;
};

struct pcpu_am_state {
	/* mm/percpu.c globals */
	int			pcpu_unit_pages;
	int			pcpu_unit_size;
	int			pcpu_nr_units;
	int			pcpu_nr_slots;
	size_t			pcpu_chunk_struct_size;
	struct pcpu_chunk	*pcpu_first_chunk;
	struct pcpu_chunk	*pcpu_reserved_chunk;
	int			pcpu_reserved_chunk_limit;
	spinlock_t		pcpu_lock;
	struct mutex		pcpu_alloc_mutex;
	struct list_head	*pcpu_slot;
	int			pcpu_nr_empty_pop_pages;
	struct work_struct	pcpu_balance_work;
	/* chunks which need their map areas extended, protected by pcpu_lock (4f996e234dad) */
	struct list_head	pcpu_map_extend_chunks;
	bool			pcpu_async_enabled;	/* v3.18 only */
	bool			pcpu_atomic_alloc_failed; /* v3.18 only */

	/* configuration */
	bool			patched;	/* v3.18 */
	int			backend;	/* enum pcpu_backend */
	int			static_size, reserved_size, dyn_size;
	int			first_pages;	/* backed pages per unit of the first chunk */
	void			*first_mem;	/* first chunk units, back to back */

	/* harness bookkeeping */
	const struct pcpu_live	*live;		/* the executor's live allocations */
	int			next_chunk_id;
	int			nr_chunks;	/* created chunks alive */
	long			nr_depopulated;
	long			flag_consumed;	/* balance passes that consumed the failed flag */
	long			balance_created;/* chunks created by the balance work */
	long			balance_runs;
	int			run_creations;	/* chunk creations in the current run */
};

/* I3/I4/I5 bounds: see docs/percpu-areamap.md */
#define PCPU_AM_CREATE_PER_RUN	1

const char *pcpu_am_chunk_name(const struct pcpu_chunk *chunk, char *buf, size_t len);
#endif

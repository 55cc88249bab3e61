/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The percpu family's operation language and observables, shared by the
 * bitmap-era (v5.12, rfc3, rfc3-fix, v5.14) and the area-map-era (v3.17,
 * v3.18) ports.  Op slot numbers and config indices are stable forever.
 */
#ifndef MM_PERCPU_FAMILY_H
#define MM_PERCPU_FAMILY_H

#include <mm/harness.h>

/* config field indices */
enum pcpu_cfg {
	PCPU_CFG_NR_CPUS,	/* 1..8 */
	PCPU_CFG_BACKEND,	/* 0 vm (mm/percpu-vm.c), 1 km (mm/percpu-km.c) */
	PCPU_CFG_UNIT_PAGES,	/* pcpu_unit_pages, 8..64 */
	PCPU_CFG_BUDGET,	/* machine page budget, 64..16384 */
	PCPU_CFG_STATIC_KB,	/* static area of the first chunk, 1..16 KiB */
	PCPU_CFG_RESERVED_KB,	/* reserved region, 0..16 KiB (0: no reserved chunk) */
	PCPU_CFG_DYN_KB,	/* first chunk dynamic region, 4..64 KiB (clamped to the unit) */
	PCPU_CFG_MEMCG,		/* 0/1: memcg-aware chunk type in use (bitmap era) */
	PCPU_CFG_ASYNC,		/* 0/1: pcpu_async_enabled at start (subsys_initcall ran) */
	PCPU_CFG_NR
};

enum pcpu_backend { PCPU_BACKEND_VM, PCPU_BACKEND_KM };

/* op slots */
enum pcpu_opid {
	PCPU_OP_ALLOC = 0,	/* cpu, size 1..32768, align_shift 2..12, atomic, memcg */
	PCPU_OP_ALLOC_SMALL = 1,/* cpu, size 1..256, align_shift, atomic, memcg */
	PCPU_OP_FREE = 2,	/* cpu, k 0..65535: free_percpu of live allocation k % nr_live */
	PCPU_OP_ALLOC_RESERVED = 3, /* cpu, size 1..16384, align_shift */
	PCPU_OP_BALANCE = 4,	/* run pcpu_balance_work if pending */
	PCPU_OP_FORCE_BALANCE = 5, /* run the balance work even if not scheduled */
	PCPU_OP_FAIL_NEXT = 6,	/* kind (populate, create_chunk, kmalloc), n 1..8 */
	PCPU_OP_INFLATE = 7,	/* cpu, size 1..2048, n 1..512 GFP_KERNEL allocations, memcg */
	PCPU_OP_DEFLATE = 8,	/* pattern, permille 500..999, seed */
	PCPU_OP_ENABLE_ASYNC = 9, /* percpu_enable_async() (area-map era; no-op where absent) */
	PCPU_OP_MAP_EXTEND = 10, /* run pending map_extend_work (area-map era), chunk k */
	PCPU_OP_SET_BUDGET = 11, /* pages 64..16384 */
	PCPU_OP_NR_SLOTS_USED = 12
};

enum pcpu_fail_arg { PCPU_FAIL_POPULATE, PCPU_FAIL_CREATE_CHUNK, PCPU_FAIL_KMALLOC };
enum pcpu_deflate_pattern {
	PCPU_DEFLATE_RANDOM, PCPU_DEFLATE_EVERY_K,
	PCPU_DEFLATE_KEEP_ONE_PER_CHUNK, PCPU_DEFLATE_KEEP_ONE_PER_PAGE
};

/* argument positions */
#define PCPU_A_CPU	0
#define PCPU_A_SIZE	1
#define PCPU_A_ALIGN	2	/* align = 1 << value */
#define PCPU_A_ATOMIC	3
#define PCPU_A_MEMCG	4
#define PCPU_A_K	1	/* free: which live allocation */
#define PCPU_A_N	2	/* inflate: count (size is arg 1, memcg arg 3) */

#define PCPU_EMPTY_POP_PAGES_LOW	2
#define PCPU_EMPTY_POP_PAGES_HIGH	4
/* chunk creations one balance run may make, per chunk type (see README) */
#define PCPU_CREATE_PER_BALANCE_BOUND	2

/*
 * Op results (struct mm_opres.val) for allocations and frees:
 * val[0] chunk id (creation order: first chunk 0, reserved chunk -1,
 * then 1, 2, ... for created chunks), val[1] offset in the unit,
 * val[2] size.
 */

/* Observables every percpu variant exports after each op. */
struct pcpu_obs {
	long nr_populated;	/* pcpu_nr_populated: populated pages, per unit */
	long nr_empty_pop_pages; /* global empty populated pages counted for atomic allocs */
	long nr_chunks;		/* chunks alive, excluding first and reserved */
	long nr_depopulated;	/* pages (per unit) depopulated since start */
	long nr_isolated;	/* chunks isolated from allocation now (v5.14) */
	long pop_slack;		/* populated pages this variant may hold beyond its
				 * reference in lockstep (its documented allowance) */
	int nr_chunk_types;
	int balance_pending;
	long atomic_failures;	/* atomic allocations that failed so far */
};

extern const struct mm_family percpu_family;
#endif

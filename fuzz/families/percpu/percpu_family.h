/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The percpu family (mm/percpu.c): its operation language, invariants and
 * observables, declared once and shared by the bitmap-era ports (v5.12,
 * rfc3, rfc3-fix, v5.14) and the area-map-era ports (v3.17, v3.18).  Op
 * slot numbers and config indices are stable forever.
 */
#ifndef MM_PERCPU_FAMILY_H
#define MM_PERCPU_FAMILY_H

#include <mm/harness.h>

/*
 * Config fields, in binary order (stable forever).  The first chunk's
 * layout follows pcpu_build_alloc_info(): static, reserved and dynamic
 * regions, page aligned and clamped to the unit.
 */
#define PCPU_CFG(X, p) \
	X(p, nr_cpus, 1, MM_MAX_CPUS, NULL, MM_CFG_NR_CPUS, "CPUs (and units per chunk)") \
	X(p, backend, 0, 1, pcpu_backend_names, 0, "chunk backend: vm (mm/percpu-vm.c) or km (mm/percpu-km.c)") \
	X(p, unit_pages, 8, 64, NULL, 0, "pcpu_unit_pages") \
	X(p, budget, 64, 16384, NULL, MM_CFG_BUDGET, "the machine's page budget, first chunk excluded") \
	X(p, static_kb, 1, 16, NULL, 0, "static area of the first chunk, KiB") \
	X(p, reserved_kb, 0, 16, NULL, 0, "reserved region, KiB (0: no reserved chunk)") \
	X(p, dyn_kb, 4, 64, NULL, 0, "first chunk dynamic region, KiB (clamped to the unit)") \
	X(p, memcg, 0, 1, pcpu_onoff_names, 0, "memcg kmem accounting on and the task in a non-root cgroup") \
	X(p, async, 0, 1, pcpu_onoff_names, 0, "pcpu_async_enabled at start (percpu_enable_async() ran)")
MM_DECLARE_CFG(PCPU_CFG, PCPU_CFG)

enum pcpu_backend { PCPU_BACKEND_VM, PCPU_BACKEND_KM };
enum pcpu_fail_arg { PCPU_FAIL_POPULATE, PCPU_FAIL_CREATE_CHUNK, PCPU_FAIL_KMALLOC };
enum pcpu_deflate_pattern {
	PCPU_DEFLATE_RANDOM, PCPU_DEFLATE_EVERY_K,
	PCPU_DEFLATE_KEEP_ONE_PER_CHUNK, PCPU_DEFLATE_KEEP_ONE_PER_PAGE
};

/* Ops: slot numbers are stable forever. */
#define PCPU_OPS(OP) \
	OP(PCPU, ALLOC, 0, alloc, "__alloc_percpu_gfp(size, 1 << align_shift, gfp), charged to the cgroup if type=memcg") \
	OP(PCPU, ALLOC_SMALL, 1, alloc_small, "alloc with a small size (reference counters, statistics)") \
	OP(PCPU, FREE, 2, free, "free_percpu() of live allocation k % nr_live (skipped with nothing live)") \
	OP(PCPU, ALLOC_RESERVED, 3, alloc_reserved, "__alloc_reserved_percpu(size, 1 << align_shift) (module static percpu)") \
	OP(PCPU, BALANCE, 4, balance, "run pcpu_balance_work if it is pending (skipped otherwise)") \
	OP(PCPU, FORCE_BALANCE, 5, force_balance, "schedule and run the balance work (other triggers)") \
	OP(PCPU, FAIL_NEXT, 6, fail_next, "the next n requests of a kind fail (sets the count)") \
	OP(PCPU, INFLATE, 7, inflate, "n GFP_KERNEL allocations of one size, 8-byte aligned, stopping at the first failure") \
	OP(PCPU, DEFLATE, 8, deflate, "free_percpu() of a fraction of the live allocations, chosen by pattern") \
	OP(PCPU, ENABLE_ASYNC, 9, enable_async, "percpu_enable_async() (subsys_initcall; skipped where it ran)") \
	OP(PCPU, MAP_EXTEND, 10, map_extend, "run the pending map_extend_work of chunk k (area-map era; skipped elsewhere)") \
	OP(PCPU, SET_BUDGET, 11, set_budget, "set the machine's page budget (first chunk excluded)") \
	OP(PCPU, FREE_EVERY, 12, free_every, "free_percpu() of every k-th live allocation (allocation order, index % k == phase % k; reserved ones too)") \
	OP(PCPU, FREE_CHUNK, 13, free_chunk, "free_percpu() of every live allocation in one chunk (the k-th of the chunks holding live allocations, in order of first use)") \
	OP(PCPU, BALANCE_QUIET, 14, balance_quiet, "run pcpu_balance_work while it is pending, at most n runs (the work until quiet)")

#define PCPU_A_CPU(X, p) X(p, cpu, 0, MM_MAX_CPUS - 1, NULL, MM_ARG_CPU, "the CPU the caller runs on")
#define PCPU_A_ALIGN(X, p) X(p, align_shift, 2, 12, NULL, 0, "align = 1 << align_shift")
#define PCPU_A_TYPE(X, p) X(p, type, 0, 1, pcpu_type_names, 0, "root, or memcg: __GFP_ACCOUNT")
#define PCPU_ARGS_ALLOC(X, p) PCPU_A_CPU(X, p) \
	X(p, size, 1, 32768, NULL, 0, "bytes") PCPU_A_ALIGN(X, p) \
	X(p, gfp, 0, 1, pcpu_gfp_names, 0, "GFP_KERNEL or GFP_NOWAIT (atomic)") PCPU_A_TYPE(X, p)
#define PCPU_ARGS_ALLOC_SMALL(X, p) PCPU_A_CPU(X, p) \
	X(p, size, 1, 256, NULL, 0, "bytes") PCPU_A_ALIGN(X, p) \
	X(p, gfp, 0, 1, pcpu_gfp_names, 0, "GFP_KERNEL or GFP_NOWAIT (atomic)") PCPU_A_TYPE(X, p)
#define PCPU_ARGS_FREE(X, p) PCPU_A_CPU(X, p) \
	X(p, k, 0, 65535, NULL, 0, "which live allocation (k % nr_live)")
#define PCPU_ARGS_ALLOC_RESERVED(X, p) PCPU_A_CPU(X, p) \
	X(p, size, 1, 16384, NULL, 0, "bytes") PCPU_A_ALIGN(X, p)
#define PCPU_ARGS_BALANCE(X, p)
#define PCPU_ARGS_FORCE_BALANCE(X, p)
#define PCPU_ARGS_FAIL_NEXT(X, p) \
	X(p, kind, 0, 2, pcpu_fail_names, 0, "populate: backing pages, create_chunk, kmalloc: metadata") \
	X(p, n, 1, 8, NULL, 0, "requests")
#define PCPU_ARGS_INFLATE(X, p) PCPU_A_CPU(X, p) \
	X(p, size, 1, 2048, NULL, 0, "bytes") X(p, n, 1, 512, NULL, 0, "allocations") \
	PCPU_A_TYPE(X, p)
#define PCPU_ARGS_DEFLATE(X, p) \
	X(p, pattern, 0, 3, pcpu_deflate_names, 0, "random, every_k, keep_one_per_chunk, keep_one_per_page") \
	X(p, permille, 500, 999, NULL, 0, "share of the live allocations to free") \
	X(p, seed, 0, 65535, NULL, 0, "choice of victims")
#define PCPU_ARGS_ENABLE_ASYNC(X, p)
#define PCPU_ARGS_MAP_EXTEND(X, p) X(p, k, 0, 255, NULL, 0, "which chunk (k % chunks with pending work)")
#define PCPU_ARGS_SET_BUDGET(X, p) X(p, pages, 64, 16384, NULL, 0, "pages")
#define PCPU_ARGS_FREE_EVERY(X, p) PCPU_A_CPU(X, p) \
	X(p, k, 1, 64, NULL, 0, "stride (1: every live allocation)") \
	X(p, phase, 0, 63, NULL, 0, "first index freed (phase % k)")
#define PCPU_ARGS_FREE_CHUNK(X, p) PCPU_A_CPU(X, p) \
	X(p, k, 0, 255, NULL, 0, "which chunk (k % chunks holding live allocations)")
#define PCPU_ARGS_BALANCE_QUIET(X, p) X(p, n, 1, 16, NULL, 0, "balance runs at most")
MM_DECLARE_OPS(PCPU_OPS)

/*
 * Invariants and relations (ids as reported; the second column lists the
 * ids older mmdiff versions used, still accepted in signatures).
 */
#define PCPU_INVARIANTS(I) \
	I(EMPTY_POP_PAGES_COUNT, "I3_EMPTY_POP_PAGES I1_EMPTY_POP_PAGES", "pcpu_nr_empty_pop_pages equals the sum of the chunks' empty populated pages") \
	I(POPULATED_COUNT, "I4_POPULATED", "a chunk's nr_populated and pcpu_nr_populated equal the populated bitmaps") \
	I(CHUNK_EMPTY_PAGES, "I4_EMPTY_PAGES", "a chunk's nr_empty_pop_pages equals its recount") \
	I(CHUNK_FREE_BYTES, "I4_FREE_BYTES FREE_SIZE", "a chunk's free_bytes equals the free bytes of its allocation map") \
	I(CHUNK_CONTIG_HINT, "I4_CONTIG_HINT CONTIG_HINT", "chunk and block contig hints are the largest free areas") \
	I(ALLOC_MAP, "I4_ALLOC_MAP", "the allocation map owns exactly the live allocations") \
	I(LIVE_AREAS, "", "every live allocation is in a chunk on a slot list") \
	I(CHUNK_SLOT, "I6_SLOT SLOT_LIST SLOT_MISMATCH", "every chunk is on exactly the slot list pcpu_chunk_slot() names") \
	I(CHUNK_COUNT, "I6_CHUNK_COUNT", "chunks on the lists equal the chunks created and not destroyed") \
	I(ISOLATED, "I10_ISOLATED", "an isolated chunk is on the to_depopulate or sidelined list, and only then") \
	I(UNPOPULATED_LIVE, "I5_UNPOPULATED_LIVE I6_POPULATED", "every page under a live allocation is populated in every unit") \
	I(CONTENTS, "I5_CONTENTS", "a live allocation's contents are intact when it is freed") \
	I(BALANCE_NOT_SCHEDULED, "I2_BALANCE_PENDING", "an allocation leaving fewer than PCPU_EMPTY_POP_PAGES_LOW empty populated pages, or an atomic failure, schedules the balance work") \
	I(BALANCE_EMPTY_POP_PAGES, "", "a balance run with memory available leaves PCPU_EMPTY_POP_PAGES_HIGH empty populated pages") \
	I(UNBOUNDED_CHUNK_CREATION, "", "one balance run creates at most two chunks of a type") \
	I(FREE_CHUNKS, "I4_FREE_CHUNKS", "a balance run leaves at most one fully free chunk (bitmap era: per type, plus those it created; v5.14: plus those with populated pages)") \
	I(ATOMIC_POPULATES, "I6_ATOMIC_POPULATES", "an atomic allocation never populates pages") \
	I(DOUBLE_POPULATE, "I4_DOUBLE_POPULATE", "pcpu_populate_chunk() is never asked for a populated page") \
	I(DEPOP_IMMUTABLE, "I2_DEPOP_IMMUTABLE", "an immutable chunk (first, reserved) is never depopulated") \
	I(DESTROY_POPULATED, "I4_DESTROY_POPULATED KERNEL_LEAK", "a chunk is destroyed with its pages unmapped and freed") \
	I(HINT_IMMUTABLE, "I2_HINT_IMMUTABLE", "an immutable chunk never carries the depopulate hint (RFC 3/4)") \
	I(HINT_COUNTER, "I1_HINT_COUNTER", "pcpu_nr_chunks_to_depopulate equals the chunks carrying the hint (RFC 3/4)") \
	I(HINT_LEAK, "", "the depopulate hint counter does not stay raised over quiet balance runs (RFC 3/4)") \
	I(ALLOC_TO_DEPOPULATE, "I10_ALLOC_TO_DEPOPULATE", "no allocation is served from a chunk on the to_depopulate list (v5.14)") \
	I(TLB_FLUSH, "I10_TLB_FLUSH", "reclaim flushes the TLB for the pages it unmapped (v5.14)") \
	I(RECLAIM_INCOMPLETE, "", "reclaim leaves no chunk to depopulate, and no chunk it left isolated has empty populated pages or is fully free (v5.14)") \
	I(ALLOC_ISOLATED, "", "an allocation served from an isolated chunk reintegrates it (v5.14 pcpu_reintegrate_chunk)") \
	I(KERNEL_MAP_UNDERFLOW, "", "the area map is never read before its first entry (v3.x)") \
	I(AREA_MAP_BOUNDS, "MAP_BOUNDS", "area map: 1 <= map_used < map_alloc, room for the sentry (v3.x)") \
	I(AREA_MAP_ORDER, "MAP_ORDER", "area map: map[0] is offset 0 and offsets strictly increase (v3.x)") \
	I(AREA_MAP_SENTRY, "MAP_SENTRY", "area map: map[map_used] is the chunk end, in use (v3.x)") \
	I(AREA_MAP_UNMERGED, "MAP_UNMERGED", "area map: no two adjacent free areas (v3.x)") \
	I(FIRST_FREE, "", "no free area below chunk->first_free (v3.x)") \
	I(OOM_LIKE, "D1_OOM_LIKE", "relation: in lockstep, a GFP_KERNEL allocation the reference satisfies fails in the implementation while it holds more pages than a chunk's slack") \
	I(POPULATED_BOUND, "D3_POPULATED_BOUND", "relation: in lockstep, after a balance run the implementation populates at most its allowance more than the reference") \
	I(CHUNK_BOUND, "D5_CHUNK_BOUND", "relation: in lockstep, the implementation has at most two chunks per type more than the reference") \
	I(ATOMIC_SHORTFALL, "", "relation: in lockstep from the same allocation state (digest), an atomic allocation the reference satisfies does not fail in the implementation")

/* Observables every percpu variant exports after each op. */
#define PCPU_OBS(O, A, p) \
	O(p, nr_populated, "pcpu_nr_populated: populated pages, per unit") \
	O(p, nr_empty_pop_pages, "pcpu_nr_empty_pop_pages: empty populated pages for atomic allocations") \
	O(p, nr_chunks, "chunks alive, first and reserved excluded") \
	O(p, nr_free_chunks, "of them fully free (what the balance work reclaims beyond one)") \
	O(p, nr_depopulated, "pages (per unit) depopulated since start") \
	O(p, nr_isolated, "chunks isolated from allocation now (v5.14)") \
	O(p, pop_slack, "populated pages this variant may hold beyond its reference in lockstep") \
	O(p, nr_chunk_types, "chunk types (v5.12 with memcg: root and memcg)") \
	O(p, balance_pending, "pcpu_balance_work pending") \
	O(p, atomic_failures, "atomic allocations that failed so far") \
	O(p, first_chunk_pages, "pages per unit of the first chunk (static, reserved, dynamic)") \
	O(p, pages_held, "pages held: backing pages plus metadata") \
	O(p, budget, "the machine's page budget") \
	O(p, alloc_state_digest, "digest of what pcpu_alloc() reads: slot lists in order, hints, populated pages (0: none)")
MM_DECLARE_OBS(pcpu_obs, PCPU_OBS)

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


extern const char *const pcpu_backend_names[], *const pcpu_onoff_names[],
	*const pcpu_gfp_names[], *const pcpu_type_names[], *const pcpu_fail_names[],
	*const pcpu_deflate_names[];
extern const struct mm_family percpu_family;
#endif

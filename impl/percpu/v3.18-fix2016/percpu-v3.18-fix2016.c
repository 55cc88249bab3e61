// SPDX-License-Identifier: GPL-2.0-only
/*
 * v3.18-fix2016: v3.18 with the two v4.7 fixes for CVE-2016-4794 (Tejun
 * Heo, percpu/for-4.7-fixes; reported by Alexei Starovoitov, Vlastimil
 * Babka and Sasha Levin):
 *   4f996e234dad "percpu: fix synchronization between
 *     chunk->map_extend_work and chunk destruction"
 *     (Message-ID 20160525154419.GE3354@mtj.duckdns.org): async map
 *     extension moves into pcpu_balance_work, on pcpu_map_extend_chunks;
 *   6710e594f71c "percpu: fix synchronization between synchronous map
 *     extension and chunk destruction"
 *     (Message-ID 20160525154525.GF3354@mtj.duckdns.org): non-atomic
 *     pcpu_alloc() holds pcpu_alloc_mutex from the start.
 * v3.18's file compiled again with the fixes switched on (AM_FIX2016).
 */
#define AM_FIX2016	1
#define AM_V318_VARIANT							\
	AM_PORT(percpu_v3_18_fix2016,					\
		.name = "v3.18-fix2016",				\
		.reference = "v3.18",					\
		.models = "mm/percpu.c v3.18 + 4f996e234dad + 6710e594f71c (v4.7, CVE-2016-4794)", \
		.expect = "buggy under concurrency only: with interleavings, the area-map era's empty-page count (below); CVE-2016-4794 is fixed; in the threaded mode, pcpu_alloc() updates pcpu_nr_empty_pop_pages after dropping pcpu_lock (DATA_RACE:pcpu_alloc, or DATA_RACE:free_percpu when the other side is a free; fixed by 320661b08dd6 in v4.11)");
#include "../v3.18/percpu.c"

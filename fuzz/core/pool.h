/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine's memory pool: blocks a machine gave back at destroy, kept
 * by exact size for the next machine of the process, so that an input's
 * pages and metadata are memory the process already has instead of fresh
 * pages faulted in (and, under ASan, quarantined and unmapped again) for
 * every input.
 *
 * A block is @hdr bytes of machine header then @size bytes of payload,
 * carved from arenas the pool maps itself (not malloc: libFuzzer counts
 * mallocs against frees per input and would take the pool for a leak).
 * Under ASan an arena is poisoned but for the blocks handed out: the
 * header and exactly [payload, payload + size) are addressable; after
 * each payload a redzone as wide as ASan's own for a malloc of that size
 * stays poisoned, so an overflow past a payload is caught as before; a
 * pooled block's payload is poisoned, and mm_pool_get() unpoisons exactly
 * that payload again and zeroes it.  Blocks are reused only for the same
 * @size.  One pool per thread; past MM_POOL_MAX_BYTES of arenas, blocks
 * come from calloc and go back to free, as without a pool.
 */
#ifndef MM_POOL_H
#define MM_POOL_H

#include <stddef.h>

#define MM_POOL_MAX_BYTES	(512UL << 20)

/* a block of @hdr + @size bytes: header uninitialized, payload zeroed and addressable */
void *mm_pool_get(size_t hdr, size_t size);
/* give back @blk (from mm_pool_get with the same sizes): kept for reuse, payload poisoned */
void mm_pool_put(void *blk, size_t hdr, size_t size);
/* poison / unpoison @size bytes at @p (no-ops without ASan) */
void mm_pool_poison(void *p, size_t size);
void mm_pool_unpoison(void *p, size_t size);

struct mm_pool_stats {
	unsigned long hits;	/* blocks handed out again */
	unsigned long carved;	/* blocks carved from an arena */
	unsigned long fallback;	/* blocks from calloc (arenas full) */
	unsigned long blocks;	/* pooled now */
	size_t arena_bytes;	/* arenas mapped */
};
void mm_pool_get_stats(struct mm_pool_stats *st);
/* the redzone after a block of @hdr + @size bytes */
size_t mm_pool_redzone(size_t hdr, size_t size);
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine's memory pool: blocks a machine gave back at destroy, kept
 * by exact size for the next machine of the process, so that an input's
 * pages and metadata are memory the process already has instead of fresh
 * pages faulted in (and, under ASan, quarantined and unmapped again) for
 * every input.
 *
 * A block is @hdr bytes of machine header then @size bytes of payload.
 * Under ASan the payload of a pooled block is poisoned; mm_pool_get()
 * unpoisons exactly [payload, payload + size) and zeroes it.  Blocks come
 * from calloc(@hdr + @size), so ASan's redzones around each block stay
 * where ASan put them: an overflow past a payload is caught as before.
 * Blocks are reused only for the same @size, so the partial last granule
 * is the same as a fresh calloc's.  One pool per thread, bounded
 * (MM_POOL_MAX_BYTES); beyond it blocks go back to libc.
 */
#ifndef MM_POOL_H
#define MM_POOL_H

#include <stddef.h>

#define MM_POOL_MAX_BYTES	(256UL << 20)

/* a block of @hdr + @size bytes: header uninitialized, payload zeroed and addressable */
void *mm_pool_get(size_t hdr, size_t size);
/* keep @blk (from mm_pool_get with the same sizes) for reuse; payload poisoned */
void mm_pool_put(void *blk, size_t hdr, size_t size);
/* poison / unpoison @size bytes at @p (no-ops without ASan) */
void mm_pool_poison(void *p, size_t size);
void mm_pool_unpoison(void *p, size_t size);

struct mm_pool_stats {
	unsigned long hits;	/* blocks handed out again */
	unsigned long misses;	/* blocks taken from calloc */
	unsigned long blocks;	/* held now */
	size_t bytes;		/* held now (payload and header) */
};
void mm_pool_get_stats(struct mm_pool_stats *st);
/* give every pooled block back to libc */
void mm_pool_drain(void);
#endif

// SPDX-License-Identifier: GPL-2.0-only
/* The machine's memory pool; see pool.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MM_POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MM_POOL_ASAN 1
#endif
#ifdef MM_POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* a pooled block's first word links it to the next one of its size */
struct pool_blk {
	struct pool_blk *next;
};

/* one free list per exact payload size; open addressing on the size */
#define POOL_CLASSES	1024

struct pool_class {
	size_t size;		/* 0: unused slot */
	size_t hdr;
	struct pool_blk *head;
};

static _Thread_local struct pool_class classes[POOL_CLASSES];
static _Thread_local struct mm_pool_stats stats;

void mm_pool_poison(void *p, size_t size)
{
#ifdef MM_POOL_ASAN
	__asan_poison_memory_region(p, size);
#else
	(void)p;
	(void)size;
#endif
}

void mm_pool_unpoison(void *p, size_t size)
{
#ifdef MM_POOL_ASAN
	__asan_unpoison_memory_region(p, size);
#else
	(void)p;
	(void)size;
#endif
}

/* the class of (@hdr, @size): its slot, or NULL when the table is full */
static struct pool_class *pool_class(size_t hdr, size_t size, int create)
{
	uint64_t h = ((uint64_t)size * 0x9e3779b97f4a7c15ULL) ^ hdr;
	unsigned int i = (unsigned int)(h >> 40) % POOL_CLASSES;

	for (unsigned int n = 0; n < POOL_CLASSES; n++, i = (i + 1) % POOL_CLASSES) {
		struct pool_class *c = &classes[i];

		if (c->size == size + 1 && c->hdr == hdr)
			return c;
		if (!c->size) {
			if (!create)
				return NULL;
			c->size = size + 1;	/* size 0 is a valid payload */
			c->hdr = hdr;
			return c;
		}
	}
	return NULL;
}

void *mm_pool_get(size_t hdr, size_t size)
{
	struct pool_class *c = pool_class(hdr, size, 0);
	struct pool_blk *b = c ? c->head : NULL;

	if (b) {
		c->head = b->next;
		stats.hits++;
		stats.blocks--;
		stats.bytes -= hdr + size;
		mm_pool_unpoison((char *)b + hdr, size);
		memset((char *)b + hdr, 0, size);
		return b;
	}
	b = calloc(1, hdr + size);
	if (!b) {
		fprintf(stderr, "mmdiff: out of host memory (%zu bytes)\n", size);
		abort();
	}
	stats.misses++;
	return b;
}

void mm_pool_put(void *blk, size_t hdr, size_t size)
{
	struct pool_class *c;
	struct pool_blk *b = blk;

	mm_pool_poison((char *)blk + hdr, size);
	if (stats.bytes + hdr + size > MM_POOL_MAX_BYTES ||
	    !(c = pool_class(hdr, size, 1))) {
		free(blk);
		return;
	}
	b->next = c->head;
	c->head = b;
	stats.blocks++;
	stats.bytes += hdr + size;
}

void mm_pool_get_stats(struct mm_pool_stats *st)
{
	*st = stats;
}

void mm_pool_drain(void)
{
	for (int i = 0; i < POOL_CLASSES; i++) {
		struct pool_blk *b = classes[i].head, *n;

		for (; b; b = n) {
			n = b->next;
			free(b);
		}
		classes[i].head = NULL;
	}
	stats.blocks = 0;
	stats.bytes = 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/* The machine's memory pool; see pool.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

#define ARENA_BYTES	(64UL << 20)	/* mapped at a time */
#define ARENA_MAX	(MM_POOL_MAX_BYTES / ARENA_BYTES)
#define POOL_ALIGN	16UL
/*
 * Payloads this large are zeroed when pooled, not when reused: given back
 * to the kernel page by page (MADV_DONTNEED), so that pages an input never
 * touches (most of a zone's memory, say) cost neither a memset nor a
 * fault, or, for a size whose inputs touched most of it last time, by a
 * memset (cheaper than faulting it all in again).  Only the partial pages
 * at either end are zeroed on reuse.
 */
#define POOL_LAZY_ZERO	(64UL << 10)
#define POOL_PAGE	4096UL

/* a pooled block's first word links it to the next one of its size */
struct pool_blk {
	struct pool_blk *next;
};

/* one free list per exact (header, payload) size; open addressing */
#define POOL_CLASSES	16384

struct pool_class {
	size_t size;		/* payload + 1; 0: unused slot */
	size_t hdr;
	struct pool_blk *head;
};

struct arena {
	char *base, *cur, *end;
};

static _Thread_local struct pool_class classes[POOL_CLASSES];
static _Thread_local struct arena arenas[ARENA_MAX];
static _Thread_local int nr_arenas;
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

/*
 * The right redzone ASan's allocator gives a malloc of @user bytes
 * (ComputeRZLog in compiler-rt's asan_allocator.cpp): the gap a port may
 * overflow into and still be caught.
 */
size_t mm_pool_redzone(size_t hdr, size_t size)
{
	size_t user = hdr + size;

	return user <= 64 - 16 ? 16 : user <= 128 - 32 ? 32 :
	       user <= 512 - 64 ? 64 : user <= 4096 - 128 ? 128 :
	       user <= (1 << 14) - 256 ? 256 : user <= (1 << 15) - 512 ? 512 :
	       user <= (1 << 16) - 1024 ? 1024 : 2048;
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

/*
 * Two bytes of a large block's trailing redzone are the pool's own note on
 * how it zeroed the block last (poisoned memory: read and written here
 * without ASan's checks; a port that writes there is caught by ASan, and
 * without ASan could only change how the block is zeroed, not whether).
 */
static unsigned char *zero_note(void *blk, size_t hdr, size_t size)
{
	return (unsigned char *)blk + ((hdr + size + POOL_ALIGN - 1) & ~(POOL_ALIGN - 1));
}

__attribute__((no_sanitize("address"))) static unsigned char note_get(const unsigned char *n)
{
	return *(const volatile unsigned char *)n;
}

__attribute__((no_sanitize("address"))) static void note_set(unsigned char *n, unsigned char v)
{
	*(volatile unsigned char *)n = v;
}

static bool in_arena(const void *p)
{
	for (int i = 0; i < nr_arenas; i++)
		if ((const char *)p >= arenas[i].base && (const char *)p < arenas[i].end)
			return true;
	return false;
}

/* a new block carved from the arenas (fresh mappings read as zero), or NULL */
static void *carve(size_t hdr, size_t size)
{
	size_t span = (hdr + size + POOL_ALIGN - 1) & ~(POOL_ALIGN - 1);
	size_t need = span + mm_pool_redzone(hdr, size);
	struct arena *a = nr_arenas ? &arenas[nr_arenas - 1] : NULL;
	char *p;

	if (!a || (size_t)(a->end - a->cur) < need) {
		size_t len = need > ARENA_BYTES ? (need + ARENA_BYTES - 1) & ~(ARENA_BYTES - 1) :
			     ARENA_BYTES;
		size_t mapped = 0;

		for (int i = 0; i < nr_arenas; i++)
			mapped += arenas[i].end - arenas[i].base;
		if (nr_arenas == (int)ARENA_MAX || mapped + len > MM_POOL_MAX_BYTES)
			return NULL;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		/* all redzone until handed out */
		mm_pool_poison(p, len);
		a = &arenas[nr_arenas++];
		a->base = a->cur = p;
		a->end = p + len;
		stats.arena_bytes += len;
	}
	p = a->cur;
	a->cur += need;
	/* leading redzone: the previous block's, or the arena's poisoned start */
	mm_pool_unpoison(p, hdr + size);
	if (size >= POOL_LAZY_ZERO)
		note_set(zero_note(p, hdr, size), 1);	/* never touched: residency tells */
	stats.carved++;
	return p;
}

/* the page-aligned interior of a lazily zeroed payload */
static void lazy_span(char *p, size_t size, char **lo, char **hi)
{
	*lo = (char *)(((uintptr_t)p + POOL_PAGE - 1) & ~(POOL_PAGE - 1));
	*hi = (char *)(((uintptr_t)p + size) & ~(POOL_PAGE - 1));
	if (*hi < *lo)
		*hi = *lo;
}

/* are more than a third of the pages of [@lo, @hi) resident (touched since zeroed)? */
static bool mostly_resident(char *lo, char *hi)
{
	unsigned char vec[256];
	size_t pages = (hi - lo) / POOL_PAGE, resident = 0;

	for (size_t done = 0; done < pages;) {
		size_t n = pages - done < sizeof(vec) ? pages - done : sizeof(vec);

		if (mincore(lo + done * POOL_PAGE, n * POOL_PAGE, vec))
			return true;
		for (size_t i = 0; i < n; i++)
			resident += vec[i] & 1;
		done += n;
	}
	return resident * 3 > pages;
}

static void zero_payload(char *p, size_t size)
{
	char *lo, *hi;

	if (size < POOL_LAZY_ZERO) {
		memset(p, 0, size);
		return;
	}
	lazy_span(p, size, &lo, &hi);
	memset(p, 0, lo - p);
	memset(hi, 0, p + size - hi);
}

void *mm_pool_get(size_t hdr, size_t size)
{
	struct pool_class *c = pool_class(hdr, size, 0);
	struct pool_blk *b = c ? c->head : NULL;

	if (b) {
		c->head = b->next;
		stats.hits++;
		stats.blocks--;
		mm_pool_unpoison((char *)b + hdr, size);
		zero_payload((char *)b + hdr, size);
		return b;
	}
	b = carve(hdr, size);
	if (b)
		return b;
	b = calloc(1, hdr + size);
	if (!b) {
		fprintf(stderr, "mmdiff: out of host memory (%zu bytes)\n", size);
		abort();
	}
	stats.fallback++;
	return b;
}

void mm_pool_put(void *blk, size_t hdr, size_t size)
{
	struct pool_class *c;
	struct pool_blk *b = blk;

	if (!in_arena(blk)) {
		free(blk);
		return;
	}
	c = pool_class(hdr, size, 1);
	if (size >= POOL_LAZY_ZERO) {
		unsigned char *note = zero_note(blk, hdr, size);
		char *lo, *hi;
		bool by_memset;

		lazy_span((char *)blk + hdr, size, &lo, &hi);
		/*
		 * What the input touched shows as resident pages only after a
		 * MADV_DONTNEED (note[0] set): a block zeroed by memset tries
		 * that again every 8th time, to find out whether inputs still
		 * touch most of it.
		 */
		if (note_get(note))
			by_memset = hi > lo && mostly_resident(lo, hi);
		else
			by_memset = (note_get(note + 1) + 1) % 8 != 0;
		note_set(note, !by_memset);
		note_set(note + 1, by_memset ? note_get(note + 1) + 1 : 0);
		if (hi > lo && (by_memset || madvise(lo, hi - lo, MADV_DONTNEED))) {
			mm_pool_unpoison(lo, hi - lo);
			memset(lo, 0, hi - lo);
		}
	}
	mm_pool_poison((char *)blk + hdr, size);
	if (!c)
		return;		/* no class left: the block stays poisoned, unused */
	b->next = c->head;
	c->head = b;
	stats.blocks++;
}

void mm_pool_get_stats(struct mm_pool_stats *st)
{
	*st = stats;
}

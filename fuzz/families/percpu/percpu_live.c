// SPDX-License-Identifier: GPL-2.0-only
/* Live allocation list of a percpu variant; see percpu_live.h. */
#include <stdlib.h>
#include <string.h>

#include <mm/machine.h>
#include "percpu_family.h"
#include "percpu_live.h"

void pcpu_live_init(struct pcpu_live *l)
{
	memset(l, 0, sizeof(*l));
}

static void pcpu_live_grow(struct pcpu_live *l)
{
	int cap = l->cap ? 2 * l->cap : 64;
	struct pcpu_live_ent *n;

	/* bookkeeping of the harness, not of the kernel: no budget charge */
	n = mm_kzalloc(sizeof(*n) * cap, MM_FAIL_NR);
	if (!n)
		mm_violation("HARNESS", __func__, "out of memory");
	if (l->nr)
		memcpy(n, l->ent, sizeof(*n) * l->nr);
	mm_kfree(l->ent);
	l->ent = n;
	l->cap = cap;
}

struct pcpu_live_ent *pcpu_live_add(struct pcpu_live *l, void *ptr,
				    int chunk_id, int off, int size,
				    bool reserved)
{
	struct pcpu_live_ent *e;

	if (l->nr == l->cap)
		pcpu_live_grow(l);
	e = &l->ent[l->nr++];
	e->ptr = ptr;
	e->id = ++l->next_id;
	e->chunk_id = chunk_id;
	e->off = off;
	e->size = size;
	e->reserved = reserved;
	return e;
}

int pcpu_live_pick(const struct pcpu_live *l, uint32_t k)
{
	return l->nr ? (int)(k % (uint32_t)l->nr) : -1;
}

void pcpu_live_remove(struct pcpu_live *l, int idx)
{
	memmove(&l->ent[idx], &l->ent[idx + 1],
		sizeof(l->ent[0]) * (l->nr - idx - 1));
	l->nr--;
}

/*
 * One pass for many removals: @idx holds @n indices in strictly descending
 * order (as the deflate and free patterns produce them); the survivors
 * keep their order.  O(live) instead of a memmove per victim.
 */
void pcpu_live_remove_many(struct pcpu_live *l, const int *idx, int n)
{
	int w, r, k = n - 1;

	if (n <= 0)
		return;
	w = idx[k];
	for (r = w; r < l->nr; r++) {
		if (k >= 0 && r == idx[k]) {
			k--;
			continue;
		}
		l->ent[w++] = l->ent[r];
	}
	l->nr = w;
}

/* xorshift32: the deflate's own deterministic choice */
static uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static int key_cmp_seen(const long *keys, int n, long key)
{
	for (int i = 0; i < n; i++)
		if (keys[i] == key)
			return 1;
	return 0;
}

int pcpu_live_deflate_pick(const struct pcpu_live *l, int pattern,
			   int permille, uint32_t seed, int *victims,
			   int unit_pages)
{
	int nv = 0, every_k;
	long *keys = NULL;
	int nkeys = 0;
	uint32_t s = seed;

	if (!l->nr)
		return 0;
	if (pattern >= PCPU_DEFLATE_KEEP_ONE_PER_CHUNK) {
		keys = mm_kzalloc(sizeof(long) * l->nr, MM_FAIL_NR);
		if (!keys)
			mm_violation("HARNESS", __func__, "out of memory");
	}
	/* keep 1 in every_k: permille 500 keeps every 2nd, 999 every 1000th */
	every_k = 1000 / (1000 - permille);
	/* walk newest first so that victim indices come out descending */
	for (int i = l->nr - 1; i >= 0; i--) {
		const struct pcpu_live_ent *e = &l->ent[i];
		bool victim;
		long key;

		if (e->reserved)
			continue;	/* deflate models dynamic users only */
		switch (pattern) {
		case PCPU_DEFLATE_RANDOM:
			victim = next_rand(&s) % 1000 < (uint32_t)permille;
			break;
		case PCPU_DEFLATE_EVERY_K:
			victim = i % every_k != 0;
			break;
		default:
			key = (long)e->chunk_id * 4096 +
			      (pattern == PCPU_DEFLATE_KEEP_ONE_PER_PAGE ?
			       e->off / 4096 % unit_pages : 0);
			victim = key_cmp_seen(keys, nkeys, key);
			if (!victim)
				keys[nkeys++] = key;
			break;
		}
		if (victim)
			victims[nv++] = i;
	}
	mm_kfree(keys);
	return nv;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live percpu allocations of one variant instance, in allocation order:
 * what free_percpu(k), inflate and deflate pick from.  Shared by every
 * percpu port so that the same op picks the same allocation in lockstep.
 */
#ifndef MM_PERCPU_LIVE_H
#define MM_PERCPU_LIVE_H

#include <stdbool.h>
#include <stdint.h>

struct pcpu_live_ent {
	void *ptr;		/* the __percpu pointer the port returned */
	uint64_t id;		/* allocation sequence number (content pattern) */
	int chunk_id;		/* see struct mm_opres in percpu_family.h */
	int off;		/* offset in the unit */
	int size;
	bool reserved;
};

struct pcpu_live {
	struct pcpu_live_ent *ent;
	int nr, cap;
	uint64_t next_id;
};

/* storage comes from the machine (mm_kzalloc, never charged to the budget) */
void pcpu_live_init(struct pcpu_live *l);
/* append; returns the entry (its id is assigned here) */
struct pcpu_live_ent *pcpu_live_add(struct pcpu_live *l, void *ptr,
				    int chunk_id, int off, int size,
				    bool reserved);
/* index of the k-th live allocation (k % nr), -1 when none */
int pcpu_live_pick(const struct pcpu_live *l, uint32_t k);
void pcpu_live_remove(struct pcpu_live *l, int idx);
/* remove the entries at @idx[0..n), strictly descending, in one pass */
void pcpu_live_remove_many(struct pcpu_live *l, const int *idx, int n);

/*
 * Choose the victims of a deflate: fills @victims (indices, descending so
 * they can be removed in order) and returns their count.  @page_of maps an
 * entry to a (chunk, page) key for the keep-one-per-* patterns.
 */
int pcpu_live_deflate_pick(const struct pcpu_live *l, int pattern,
			   int permille, uint32_t seed, int *victims,
			   int unit_pages);
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * [PATCH rfc 3/4] "percpu: on demand chunk depopulation" (Roman Gushchin,
 * 2021-03-24) on top of RFC 1/4 and 2/4 of "percpu: partial chunk
 * depopulation", as posted: free_percpu() marks depopulation candidates, pcpu_balance_free()
 * clears the hint of chunks it frees, pcpu_balance_populated() becomes a
 * dispatcher between pcpu_grow_populated() and pcpu_shrink_populated().
 *
 * The bug the kernel test robot hit: pcpu_grow_populated() keeps
 * `retry_pop:` right before the slot loop and the unchanged tail
 * `goto retry_pop` after creating a chunk, but nr_to_pop is now a parameter
 * and is never recomputed.  A chunk born populated (mm/percpu-km.c) leaves
 * the slot loop nothing to populate, nr_to_pop stays > 0 and the tail
 * creates another chunk, forever, until memory runs out.  With the vm
 * backend a new chunk has nr_pages >= 8 > HIGH unpopulated pages in the
 * free slot, which the next pass populates, so the loop ends after one
 * creation (or at a populate failure, which zeroes nr_to_pop).
 *
 * rfc3-fix is this file compiled again with PCPU_V1_GROW_TAIL (the next
 * revision's chunk-creation tail); see impl/percpu/rfc3-fix/.
 */
#include "percpu-rfc3.h"

#ifndef PCPU_V1_GROW_TAIL
#define PCPU_V1_GROW_TAIL	0
#define PCPU_RFC3_OPS		pcpu_rfc3_ops
#define PCPU_RFC3_VARIANT	percpu_rfc3
#endif

/*
 * Mirrors pcpu_balance_free(type) with RFC 3/4: a chunk about to be freed
 * loses its depopulation hint.
 */
static void pcpu_balance_free(enum pcpu_chunk_type type)
{
	LIST_HEAD(to_free);
	struct list_head *pcpu_slot = pcpu_chunk_list(type);
	struct list_head *free_head = &pcpu_slot[pcpu_nr_slots - 1];
	struct pcpu_chunk *chunk, *next;

	spin_lock_irq(&pcpu_lock);

	list_for_each_entry_safe(chunk, next, free_head, list) {
		WARN_ON(chunk->immutable);

		/* spare the first one */
		if (chunk == list_first_entry(free_head, struct pcpu_chunk, list))
			continue;

		if (chunk->depopulate) {
			chunk->depopulate = false;
			pcpu_nr_chunks_to_depopulate--;
		}

		list_move(&chunk->list, &to_free);
	}

	spin_unlock_irq(&pcpu_lock);

	list_for_each_entry_safe(chunk, next, &to_free, list) {
		unsigned int rs, re;

		bitmap_for_each_set_region(chunk->populated, rs, re, 0,
					   chunk->nr_pages) {
			pcpu_depopulate_chunk(chunk, rs, re);
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_depopulated(chunk, rs, re);
			spin_unlock_irq(&pcpu_lock);
		}
		pcpu_destroy_chunk(chunk);
		cond_resched();
	}
}

/*
 * Mirrors pcpu_grow_populated(type, nr_to_pop) of RFC 3/4 (the old
 * pcpu_balance_populated() from the slot loop on).  The tail after
 * pcpu_create_chunk() is RFC 3/4's (unchanged from v5.12: goto retry_pop)
 * or, for rfc3-fix, v1's: subtract the new chunk's populated
 * pages and retry only if some are still wanted.
 */
static void pcpu_grow_populated(enum pcpu_chunk_type type, int nr_to_pop)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct list_head *pcpu_slot = pcpu_chunk_list(type);
	struct pcpu_chunk *chunk;
	int slot, ret;
	long retries = 0;
	int tail_want = -1, tail_done = 0;	/* harness: pop_extra */

retry_pop:
	MM_LOOP_GUARD(retries, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots), "retry_pop");
	for (slot = pcpu_size_to_slot(PAGE_SIZE); slot < pcpu_nr_slots; slot++) {
		unsigned int nr_unpop = 0, rs, re;

		if (!nr_to_pop)
			break;

		spin_lock_irq(&pcpu_lock);
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			nr_unpop = chunk->nr_pages - chunk->nr_populated;
			if (nr_unpop)
				break;
		}
		spin_unlock_irq(&pcpu_lock);

		if (!nr_unpop)
			continue;

		/* @chunk can't go away while pcpu_alloc_mutex is held */
		bitmap_for_each_clear_region(chunk->populated, rs, re, 0,
					     chunk->nr_pages) {
			int nr = min_t(int, re - rs, nr_to_pop);

			ret = pcpu_populate_chunk(chunk, rs, rs + nr, gfp);
			if (!ret) {
				nr_to_pop -= nr;
				spin_lock_irq(&pcpu_lock);
				pcpu_chunk_populated(chunk, rs, rs + nr);
				spin_unlock_irq(&pcpu_lock);
				if (tail_want >= 0) {
					tail_done += nr;
					pcpu_G->pop_extra +=
						max(0, tail_done - tail_want) -
						max(0, tail_done - nr - tail_want);
				}
			} else {
				nr_to_pop = 0;
			}

			if (!nr_to_pop)
				break;
		}
	}

	if (nr_to_pop) {
		/* ran out of chunks to populate, create a new one and retry */
		chunk = pcpu_create_chunk(type, gfp);
		if (chunk) {
			pcpu_bm_balance_created(type);
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_relocate(chunk, -1);
			/*
			 * harness: v5.12's retry_pop would recompute nr_to_pop
			 * here (HIGH after an atomic failure, else the pages
			 * short of HIGH); what this run populates beyond that
			 * from here is a policy difference, not a runaway
			 */
			tail_want = pcpu_atomic_alloc_failed ? PCPU_EMPTY_POP_PAGES_HIGH :
				clamp(PCPU_EMPTY_POP_PAGES_HIGH - pcpu_nr_empty_pop_pages,
				      0, PCPU_EMPTY_POP_PAGES_HIGH);
			tail_done = 0;
			if (PCPU_V1_GROW_TAIL) {
				/* v1 3/5: the new chunk may be born populated */
				nr_to_pop = max_t(int, 0, nr_to_pop -
						  chunk->nr_populated);
				spin_unlock_irq(&pcpu_lock);
				if (nr_to_pop)
					goto retry_pop;
				return;
			}
			spin_unlock_irq(&pcpu_lock);
			goto retry_pop;
		}
	}
}

/*
 * Mirrors pcpu_shrink_populated(type): RFC 1/4's body with RFC 3/4's hunk
 * (stop when no candidate is left; skip and clear unmarked/marked chunks).
 * As posted, a range of empty pages reaching the chunk's last page is not
 * depopulated, and nothing flushes the TLB after the unmap (the vm
 * backend's depopulate relies on vunmap's lazy flush, which never comes
 * for a chunk that stays alive): noted as TLB_STALE_REPOPULATE when such
 * pages are mapped again.
 */
static void pcpu_shrink_populated(enum pcpu_chunk_type type)
{
	struct list_head *pcpu_slot = pcpu_chunk_list(type);
	struct pcpu_chunk *chunk;
	int slot, i, off, start;
	long restarts = 0;

	spin_lock_irq(&pcpu_lock);
	for (slot = pcpu_nr_slots - 1; slot >= 0; slot--) {
restart:
		/* one restart per chunk it isolates, at most */
		MM_LOOP_GUARD(restarts, MM_LOOP_BOUND_DEFAULT(pcpu_nr_slots) +
			      pcpu_G->nr_chunks, "pcpu_shrink_populated restart");
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			bool isolated = false;

			if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH ||
			    pcpu_nr_chunks_to_depopulate < 1)
				break;

			/* "Don't try to depopulate a chunk again and again." */
			if (!chunk->depopulate)
				continue;
			chunk->depopulate = false;
			pcpu_nr_chunks_to_depopulate--;

			for (i = 0, start = -1; i < chunk->nr_pages; i++) {
				if (!chunk->nr_empty_pop_pages)
					break;

				/* empty and populated: start or extend [start, i) */
				if (test_bit(i, chunk->populated)) {
					off = find_first_bit(
						pcpu_index_alloc_map(chunk, i),
						PCPU_BITMAP_BLOCK_BITS);
					if (off >= PCPU_BITMAP_BLOCK_BITS) {
						if (start == -1)
							start = i;
						continue;
					}
				}

				if (start == -1)
					continue;

				/* isolate: no allocation from it meanwhile */
				if (!list_empty(&chunk->list)) {
					list_del_init(&chunk->list);
					isolated = true;
				}

				spin_unlock_irq(&pcpu_lock);
				pcpu_depopulate_chunk(chunk, start, i);
				cond_resched();
				spin_lock_irq(&pcpu_lock);

				pcpu_chunk_depopulated(chunk, start, i);

				start = -1;
			}

			if (isolated) {
				/* it may have moved while unlocked */
				if (list_empty(&chunk->list))
					list_add_tail(&chunk->list,
						      &pcpu_slot[slot]);
				goto restart;
			}
		}
	}
	spin_unlock_irq(&pcpu_lock);
}

/* Mirrors the new pcpu_balance_populated(type) dispatcher of RFC 3/4. */
static void pcpu_balance_populated(enum pcpu_chunk_type type)
{
	int nr_to_pop;

	/*
	 * Keep HIGH empty populated pages for atomic allocations; after an
	 * atomic failure populate the maximum.
	 */
	if (pcpu_atomic_alloc_failed) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
		/* best effort anyway, don't worry about synchronization */
		pcpu_atomic_alloc_failed = false;
		pcpu_grow_populated(type, nr_to_pop);
	} else if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH - pcpu_nr_empty_pop_pages;
		pcpu_grow_populated(type, nr_to_pop);
	} else if (pcpu_nr_chunks_to_depopulate > 0) {
		pcpu_shrink_populated(type);
	}
}

static unsigned long pcpu_fails_taken(void)
{
	unsigned long n = mm_cur->budget_fails;

	for (int i = 0; i < MM_FAIL_NR; i++)
		n += mm_cur->fail_hits[i];
	return n;
}

/*
 * I8 HINT_LEAK.  Without alloc/free and without any failure, a balance run
 * either grows the pool back to HIGH empty pages or, at HIGH, shrinks, and
 * every shrink clears the hint of the first marked chunk it meets (all
 * marked chunks sit on their type's slot lists, and each type is shrunk in
 * a run that starts at HIGH).  So the counter drops within two quiet runs;
 * three quiet runs after the first one with no drop is a leaked hint.
 */
void pcpu_rfc3_hint_liveness(void)
{
	struct pcpu_state *st = pcpu_G;
	int cnt = pcpu_nr_chunks_to_depopulate;
	bool quiet = st->mutations == st->i8_mutations &&
		     pcpu_fails_taken() == st->i8_fails_at_begin;

	if (cnt > 0 && quiet && cnt >= st->i8_last_counter)
		st->i8_stale_runs++;
	else
		st->i8_stale_runs = 0;
	st->i8_last_counter = cnt;
	st->i8_mutations = st->mutations;
	if (st->i8_stale_runs >= 3)
		mm_violation("HINT_LEAK", "pcpu_balance_workfn",
			     "pcpu_nr_chunks_to_depopulate stuck at %d over %d quiet balance runs",
			     cnt, st->i8_stale_runs);
}

/* Mirrors pcpu_balance_workfn() after RFC 2/4 (calls RFC 3/4's dispatcher). */
static void pcpu_balance_workfn(struct work_struct *work)
{
	enum pcpu_chunk_type type;

	pcpu_bm_balance_begin();
	pcpu_G->i8_fails_at_begin = pcpu_fails_taken();
	for (type = 0; type < PCPU_NR_CHUNK_TYPES; type++) {
		mutex_lock(&pcpu_alloc_mutex);
		pcpu_balance_free(type);
		pcpu_balance_populated(type);
		mutex_unlock(&pcpu_alloc_mutex);
	}
	pcpu_bm_balance_end();
	pcpu_rfc3_hint_liveness();
}

/* Mirrors free_percpu() with RFC 3/4's marking of depopulation candidates. */
static void free_percpu(void __percpu *ptr)
{
	void *addr;
	struct pcpu_chunk *chunk;
	unsigned long flags;
	int size, off;
	bool need_balance = false;
	struct list_head *pcpu_slot;
	struct pcpu_chunk *pos;

	if (!ptr)
		return;

	addr = ptr;

	spin_lock_irqsave(&pcpu_lock, flags);

	chunk = pcpu_chunk_addr_search(addr);
	off = (char *)addr - (char *)chunk->base_addr;

	size = pcpu_free_area(chunk, off);

	pcpu_slot = pcpu_chunk_list(pcpu_chunk_type(chunk));

	pcpu_memcg_free_hook(chunk, off, size);

	if (chunk->free_bytes == pcpu_unit_size) {
		/* more than one fully free chunk: wake up grim reaper */
		list_for_each_entry(pos, &pcpu_slot[pcpu_nr_slots - 1], list)
			if (pos != chunk) {
				need_balance = true;
				break;
			}

	} else if (chunk->nr_empty_pop_pages > chunk->nr_pages / 4) {
		/*
		 * Not alone in its slot and over 1/4 of its pages empty:
		 * a depopulation target; two or more schedule a balance.
		 * (As posted, the loop tests chunk->depopulate, not pos's.)
		 */
		int nslot = pcpu_chunk_slot(chunk);

		list_for_each_entry(pos, &pcpu_slot[nslot], list)
			if (pos != chunk && !chunk->depopulate &&
			    !chunk->immutable) {
				chunk->depopulate = true;
				pcpu_nr_chunks_to_depopulate++;
				break;
			}

		if (pcpu_nr_chunks_to_depopulate > 1)
			need_balance = true;
	}

	spin_unlock_irqrestore(&pcpu_lock, flags);

	if (need_balance)
		pcpu_schedule_balance_work();
}

const struct pcpu_variant_ops PCPU_RFC3_OPS = {
	.pcpu_alloc = pcpu_alloc_v5_12,
	.free_percpu = free_percpu,
	.balance_workfn = pcpu_balance_workfn,
	.depop_hints = true,
};

PCPU_BM_PORT(pcpu_rfc3_port, PCPU_RFC3_OPS);

#if !PCPU_V1_GROW_TAIL
#define PCPU_RFC3_NAME		"rfc3"
#define PCPU_RFC3_MODELS	"[PATCH rfc 3/4] percpu: on demand chunk depopulation (+ RFC 1/4, 2/4), Roman Gushchin, 2021-03-24"
#define PCPU_RFC3_EXPECT	"buggy: pcpu_grow_populated() never recomputes nr_to_pop after creating a chunk; km chunks are born populated, so balance creates chunks until memory runs out (UNBOUNDED_CHUNK_CREATION; UNBOUNDED_LOOP at retry_pop in a run other tasks interleaved with); with interleavings, as rfc3-fix: pcpu_shrink_populated() drops pcpu_lock with a chunk off the slot lists, and a free_percpu() meanwhile puts it back, so an atomic allocation is served from pages being depopulated (POPULATED_COUNT) or the chunk lands on a stale slot (CHUNK_SLOT)"
#else
#define PCPU_RFC3_NAME		"rfc3-fix"
#define PCPU_RFC3_MODELS	"RFC 3/4 with the chunk-creation tail of pcpu_grow_populated() from v1 of the series (Message-ID 20210401214301.1689099-1-guro@fb.com)"
#define PCPU_RFC3_EXPECT	"buggy: with interleavings only: pcpu_shrink_populated() drops pcpu_lock with a chunk off the slot lists; a free_percpu() meanwhile puts it back, so an atomic allocation is served from pages being depopulated (POPULATED_COUNT), or the run puts it back on the slot it found it in though it moved (CHUNK_SLOT); v5.14 isolates with pcpu_isolate_chunk() and reintegrates through pcpu_chunk_relocate()"
#endif

PCPU_VARIANT(PCPU_RFC3_VARIANT, pcpu_rfc3_port,
	.name = PCPU_RFC3_NAME,
	.reference = "v5.12",
	.models = PCPU_RFC3_MODELS,
	.expect = PCPU_RFC3_EXPECT);

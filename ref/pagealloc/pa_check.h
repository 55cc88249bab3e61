/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-variant invariants of the pagealloc family, checked after every op.
 * Each is a property of the v5.9 kernel's own semantics; a violation names
 * the kernel function the op entered (pa_exec_entry()):
 *
 * PCP_COUNT           pcp->count equals the total length of pcp->lists[]
 *                     (per CPU and zone), and each pcp page's stored
 *                     migratetype is that of the list it is on.
 * PCP_HIGH            a free that brings pcp->count to pcp->high returns
 *                     min(batch, count) pages to the buddy
 *                     (free_unref_page_commit); otherwise count grows by 1.
 * CONSERVATION        every page is in exactly one place: boot-reserved,
 *                     buddy, one pcp list, one user, one kvfree_rcu block
 *                     (attached, in flight or cached), or leaked by bad_page.
 * NR_FREE             NR_FREE_PAGES equals the pages in buddy blocks (plus
 *                     the blocks rmqueue() leaks without accounting), and
 *                     free_area[o].nr_free the blocks on its lists.
 * BUDDY_FORM          every buddy block is PageBuddy with its order,
 *                     order-aligned, inside its zone, on the free list of
 *                     its order; no free block has a free buddy of the same
 *                     order below pageblock_order (__free_one_page merges).
 * WMARK_BOOST         zone->watermark_boost is 0 in a zone under 4
 *                     pageblocks and never above boost_watermark()'s
 *                     max(pageblock_nr_pages, high * factor / 10000).
 * KVFREE_ACCOUNT      via_block + via_rcu_head + via_sync == calls;
 *                     freed + pending == calls; pending objects are
 *                     queued; the bnode cache holds nr_bkv_objs <=
 *                     rcu_min_cached_objs pages; blocks hold at most
 *                     KVFREE_BULK_MAX_ENTR records.
 * Checked where they happen (kvfree_rcu.h, the ports):
 * KVFREE_DOUBLE_FREE  a kvfree_rcu()'d object is freed exactly once,
 * KVFREE_BEFORE_GP    and only after a grace period ended since the call.
 * LOCKLESS_*, NO_LOCKS_PATH: the revisions' own promises, in their ports.
 * Lock rules (SLEEP_IN_ATOMIC, INVALID_WAIT_CTX, DEADLOCK, NMI_UNSAFE,
 * LOCK_IN_LOCKLESS_PATH) are the machine's lock checker's.
 */
#ifndef MM_PA_CHECK_H
#define MM_PA_CHECK_H

#include <string.h>

#include <mm/nocov.h>
#include "pa_internal.h"

/* the checker: no coverage feedback (mm/nocov.h) */
MM_NOCOV_BEGIN

enum { PL_NONE, PL_RESERVED, PL_BUDDY, PL_PCP, PL_USER, PL_BLOCK, PL_BAD };
static const char *const place_names[] = {
	"nowhere", "boot-reserved", "buddy", "pcp", "user", "kvfree block", "bad"
};

static unsigned char *owner_of __attribute__((unused));	/* G->scratch */

static struct page *pfn_page(unsigned long pfn)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];

		if (pfn >= zone->zone_start_pfn &&
		    pfn < zone->zone_start_pfn + zone->spanned_pages)
			return &zone->mem_map[pfn - zone->zone_start_pfn];
	}
	return NULL;
}

static void mark(struct page *page, unsigned long nr, int place)
{
	for (unsigned long i = 0; i < nr; i++) {
		unsigned long pfn = page->pfn + i;

		if (pfn >= G->total_pages)
			mm_violation("CONSERVATION", pa_exec_entry(),
				     "%s block pfn %lu + %lu beyond memory", place_names[place],
				     page->pfn, nr);
		if (owner_of[pfn] != PL_NONE)
			mm_violation("CONSERVATION", pa_exec_entry(),
				     "pfn %lu is both %s and %s", pfn,
				     place_names[owner_of[pfn]], place_names[place]);
		owner_of[pfn] = (unsigned char)place;
	}
}

static void check_buddy(struct zone *zone, long *buddy_pages)
{
	unsigned int max_order = min_t(unsigned int, MAX_ORDER - 1, pageblock_order);

	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		struct free_area *area = &zone->free_area[o];
		unsigned long blocks = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;
			unsigned long guard = 0;

			list_for_each_entry(page, &area->free_list[mt], lru) {
				unsigned long off = page->pfn - zone->zone_start_pfn;

				if (++guard > G->total_pages)
					mm_violation("BUDDY_FORM", pa_exec_entry(),
						     "free list %s/%u/%d does not end", zone->name, o, mt);
				if (page->zid != zone->idx || off >= zone->spanned_pages ||
				    off + (1UL << o) > zone->spanned_pages)
					mm_violation("BUDDY_FORM", pa_exec_entry(),
						     "pfn %lu order %u outside zone %s", page->pfn, o,
						     zone->name);
				if (!(page->flags & PG_buddy) || page->private != o)
					mm_violation("BUDDY_FORM", pa_exec_entry(),
						     "pfn %lu on the order-%u list: PageBuddy %d order %lu",
						     page->pfn, o, !!(page->flags & PG_buddy), page->private);
				if (page->pfn & ((1UL << o) - 1))
					mm_violation("BUDDY_FORM", pa_exec_entry(),
						     "pfn %lu not aligned to its order %u", page->pfn, o);
				if (o < max_order) {
					unsigned long bpfn = page->pfn ^ (1UL << o);
					struct page *buddy = pfn_page(bpfn);

					if (buddy && buddy->zid == page->zid &&
					    (buddy->flags & PG_buddy) && buddy->private == o)
						mm_violation("BUDDY_FORM", pa_exec_entry(),
							     "free buddies pfn %lu and %lu of order %u not merged",
							     page->pfn, bpfn, o);
				}
				for (unsigned long i = 1; i < (1UL << o); i++)
					if (page[i].flags & PG_buddy)
						mm_violation("BUDDY_FORM", pa_exec_entry(),
							     "tail pfn %lu of a free block is PageBuddy",
							     page->pfn + i);
				mark(page, 1UL << o, PL_BUDDY);
				*buddy_pages += 1L << o;
				blocks++;
			}
		}
		if (blocks != area->nr_free)
			mm_violation("NR_FREE", pa_exec_entry(),
				     "zone %s free_area[%u].nr_free %lu, lists hold %lu", zone->name,
				     o, area->nr_free, blocks);
	}
}

static void check_pcp(struct zone *zone)
{
	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;
		long n = 0;

		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &pcp->lists[mt], lru) {
				if (++n > (long)G->total_pages)
					mm_violation("PCP_COUNT", pa_exec_entry(),
						     "pcp list cpu %d zone %s does not end", cpu, zone->name);
				if (page->zid != zone->idx)
					mm_violation("CONSERVATION", pa_exec_entry(),
						     "pfn %lu of zone %d on a pcp list of zone %s",
						     page->pfn, page->zid, zone->name);
				if ((int)page->index != mt)
					mm_violation("PCP_COUNT", pa_exec_entry(),
						     "pfn %lu has pcp migratetype %lu on list %d",
						     page->pfn, page->index, mt);
				mark(page, 1, PL_PCP);
			}
		}
		if (n != pcp->count)
			mm_violation("PCP_COUNT", pa_exec_entry(),
				     "cpu %d zone %s: pcp->count %d, lists hold %ld", cpu, zone->name,
				     pcp->count, n);
	}
}

/*
 * The pending objects, walked in full after every op, cost O(pending) per
 * op: quadratic in kvfree_rcu() calls without a grace period.  The kernel
 * code changes a pending chain in three ways only: it adds at the head (a
 * record appended to the first block, a block or an rcu_head pushed:
 * kvfree_call_rcu()), moves a chain whole (queue_kfree_rcu_work()) and
 * consumes it whole (kfree_rcu_work(), every object through obj_kfree());
 * an object leaves OBJ_QUEUED only in obj_kfree().  So while no object was
 * freed since the last check (kv_freed unchanged) and the check is not a
 * full one (mm_check_full()), a chain is walked down to the top of a chain
 * the last check verified, if that one's tail still ends it: below, an
 * rcu_head chain's length is the record's, and a block's records were
 * verified (the top block's up to its nr_records then).  Blocks are still
 * all visited (their pages are marked, their counts bounded and summed).
 * What is walked is checked as before, in the same order, so every
 * violation the full walk would report there is reported at the same op
 * with the same text; when the account does not balance, the chains are
 * recounted in full before it is reported, so its text is the full
 * check's.  A chain edited in its middle (which none of the three does) is
 * seen by the next full check: after the input's last op, and every
 * MM_CHECK_FULL_EVERY ops (tests/pagealloc/test_pa_deferred.c).
 */
#define PA_NR_CHAINS (MM_MAX_CPUS * (1 + KFREE_N_BATCHES) * 2)

struct chain_walk {
	bool incremental;		/* may stop at a chain verified before */
	bool recount;			/* a second walk: no marks */
	int nr;
	struct pa_chain_seen seen[PA_NR_CHAINS];	/* this check's chains */
};

/* the last check's record of a chain whose top is @top, if still whole */
static const struct pa_chain_seen *chain_seen_at(const void *top, bool block)
{
	for (int i = 0; i < G->nr_chain_seen; i++) {
		const struct pa_chain_seen *s = &G->chain_seen[i];

		if (s->top == top && s->block == block && !*s->tail_next)
			return s;
	}
	return NULL;
}

static void chain_record(struct chain_walk *w, void *top, void **tail_next, long len,
			 bool block)
{
	if (top && w->nr < PA_NR_CHAINS)
		w->seen[w->nr++] = (struct pa_chain_seen){
			.top = top, .tail_next = tail_next, .len = len, .block = block,
		};
}

static void check_block_chain(struct kvfree_rcu_bulk_data *b, long *pending,
			      struct chain_walk *w)
{
	struct kvfree_rcu_bulk_data *top = b, *tail = NULL;
	bool verified = false;	/* below a verified top: records checked before */
	long n = 0;

	for (; b; b = b->next) {
		unsigned long j = 0;

		if (++n > (long)G->total_pages)
			mm_violation("KVFREE_ACCOUNT", pa_exec_entry(), "block chain does not end");
		if (b->nr_records > KVFREE_BULK_MAX_ENTR)
			mm_violation("KVFREE_ACCOUNT", pa_exec_entry(), "block holds %lu records",
				     b->nr_records);
		if (verified) {
			j = b->nr_records;
		} else if (w->incremental && G->nr_chain_seen) {
			const struct pa_chain_seen *s = chain_seen_at(b, true);

			if (s) {
				verified = true;
				j = min_t(unsigned long, (unsigned long)s->len, b->nr_records);
			}
		}
		for (; j < b->nr_records; j++) {
			struct rcu_obj *o = b->records[j];

			if (o->state != OBJ_QUEUED)
				mm_violation("KVFREE_ACCOUNT", pa_exec_entry(),
					     "pending object in a block has state %u", o->state);
		}
		*pending += (long)b->nr_records;
		if (!w->recount)
			mark(virt_to_page(b), 1, PL_BLOCK);
		tail = b;
	}
	if (top)
		chain_record(w, top, (void **)&tail->next, (long)top->nr_records, true);
}

/* the chain's length */
static long check_head_chain(struct rcu_head *h, struct chain_walk *w)
{
	struct rcu_head *top = h, *tail = NULL;
	long n = 0;

	for (; h; h = h->next) {
		struct rcu_obj *o = (struct rcu_obj *)((char *)h - (unsigned long)h->func);

		if (w->incremental && G->nr_chain_seen) {
			const struct pa_chain_seen *s = chain_seen_at(h, false);

			if (s) {
				n += s->len;
				tail = container_of(s->tail_next, struct rcu_head, next);
				break;
			}
		}
		if (++n > 1L << 24)
			mm_violation("KVFREE_ACCOUNT", pa_exec_entry(), "rcu_head chain does not end");
		if (o->state != OBJ_QUEUED)
			mm_violation("KVFREE_ACCOUNT", pa_exec_entry(),
				     "pending rcu_head object has state %u", o->state);
		tail = h;
	}
	if (top)
		chain_record(w, top, (void **)&tail->next, n, false);
	return n;
}

/* the pending objects of every CPU's chains */
static long walk_chains(struct chain_walk *w)
{
	long pending = 0;

	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct kfree_rcu_cpu *krcp = &krc[cpu];
		long cached = 0;

		check_block_chain(krcp->bkvhead[0], &pending, w);
		pending += check_head_chain(krcp->head, w);
		for (int i = 0; i < KFREE_N_BATCHES; i++) {
			check_block_chain(krcp->krw_arr[i].bkvhead_free[0], &pending, w);
			pending += check_head_chain(krcp->krw_arr[i].head_free, w);
		}
		if (w->recount)
			continue;
		for (struct kvfree_rcu_bulk_data *b = krcp->bkvcache; b; b = b->next) {
			if (++cached > rcu_min_cached_objs)
				break;
			mark(virt_to_page(b), 1, PL_BLOCK);
		}
		if (cached != krcp->nr_bkv_objs || cached > rcu_min_cached_objs)
			mm_violation("KVFREE_ACCOUNT", pa_exec_entry(),
				     "cpu %d bnode cache: nr_bkv_objs %d, list %ld, limit %d", cpu,
				     krcp->nr_bkv_objs, cached, rcu_min_cached_objs);
	}
	return pending;
}

static void check_kvfree(void)
{
	struct chain_walk w = {
		.incremental = !mm_check_full() && G->chain_seen_freed == G->kv_freed,
	};
	long pending;

	if (G->kv_via_block + G->kv_via_head + G->kv_via_sync != G->kv_calls)
		mm_violation("KVFREE_ACCOUNT", pa_exec_entry(),
			     "block %ld + head %ld + sync %ld != calls %ld", G->kv_via_block,
			     G->kv_via_head, G->kv_via_sync, G->kv_calls);
	pending = walk_chains(&w);
	if (w.incremental && G->kv_freed + pending != G->kv_calls) {
		/* the full check's text: recount in full (the pages are marked) */
		memset(&w, 0, sizeof(w));
		w.recount = true;
		pending = walk_chains(&w);
	}
	if (G->kv_freed + pending != G->kv_calls)
		mm_violation("KVFREE_ACCOUNT", pa_exec_entry(),
			     "freed %ld + pending %ld != calls %ld", G->kv_freed, pending,
			     G->kv_calls);
	memcpy(G->chain_seen, w.seen, sizeof(w.seen[0]) * w.nr);
	G->nr_chain_seen = w.nr;
	G->chain_seen_freed = G->kv_freed;
}

static void check_boost(void)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];
		unsigned long max_boost = zone->_watermark[WMARK_HIGH] *
					  (unsigned long)watermark_boost_factor / 10000;

		max_boost = max(pageblock_nr_pages, max_boost);
		if ((pageblock_nr_pages * 4 > zone->managed_pages && zone->watermark_boost) ||
		    zone->watermark_boost > max_boost)
			mm_violation("WMARK_BOOST", "boost_watermark",
				     "zone %s (%lu managed pages, high %lu): watermark_boost %lu, max %lu",
				     zone->name, zone->managed_pages, zone->_watermark[WMARK_HIGH],
				     zone->watermark_boost, max_boost);
	}
}

static void pa_check(void *inst)
{
	long buddy_pages[MAX_NR_ZONES];
	struct page *page;

	G = inst;
	owner_of = G->scratch;
	memset(owner_of, 0, G->total_pages);

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];

		for (unsigned long i = 0; i < zone->nr_boot_reserved; i++)
			mark(&zone->mem_map[i], 1, PL_RESERVED);
		buddy_pages[z] = 0;
		check_buddy(zone, &buddy_pages[z]);
		check_pcp(zone);
	}
	{
		/*
		 * NR_FREE_PAGES against the recount; the drift is rmqueue()'s
		 * own.  The recount is the pages of the blocks check_buddy()
		 * passed: each lies inside its own zone and was marked once
		 * (mark() stops at a page owned twice), so it equals counting
		 * the pages marked buddy, per zone and in all.
		 */
		long sum = 0, buddy = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			sum += G->zones[z].nr_free_pages;
			buddy += buddy_pages[z];
		}
		if (sum != buddy + G->nr_free_drift)
			mm_violation("NR_FREE", pa_exec_entry(),
				     "NR_FREE_PAGES %ld, buddy holds %ld (+%ld leaked unaccounted)",
				     sum, buddy, G->nr_free_drift);
		for (int z = 0; z < MAX_NR_ZONES && !G->nr_free_drift; z++) {
			struct zone *zone = &G->zones[z];

			if (buddy_pages[z] != zone->nr_free_pages)
				mm_violation("NR_FREE", pa_exec_entry(),
					     "zone %s NR_FREE_PAGES %ld, buddy holds %ld", zone->name,
					     zone->nr_free_pages, buddy_pages[z]);
		}
	}
	for (int i = 0; i < G->nr_users; i++)
		mark(G->users[i].page, 1UL << G->users[i].order, PL_USER);
	list_for_each_entry(page, &G->bad_pages, lru)
		mark(page, 1UL << page->private, PL_BAD);
	check_kvfree();
	check_boost();
	for (unsigned long pfn = 0; pfn < G->total_pages; pfn++)
		if (owner_of[pfn] == PL_NONE)
			mm_violation("CONSERVATION", pa_exec_entry(), "pfn %lu is nowhere (lost)", pfn);

	if (G->last_free_pcp) {
		int before = G->last_free_count_before, after = G->last_free_count_after;
		int expect = before + 1;

		if (expect >= G->last_free_high)
			expect -= min(G->last_free_batch, before + 1);
		if (after != expect)
			mm_violation("PCP_HIGH", "free_unref_page_commit",
				     "pcp count %d -> %d after a free (high %d, batch %d), expected %d",
				     before, after, G->last_free_high, G->last_free_batch, expect);
	}
}
MM_NOCOV_END
#endif /* MM_PA_CHECK_H */

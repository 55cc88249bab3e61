/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The v5.9 page allocator (mm/page_alloc.c) of the pagealloc family, the
 * part every revision shares: the buddy free lists with split (expand) and
 * merge (__free_one_page), the per-cpu lists, fallback stealing with the
 * watermark boost, rmqueue() with its kswapd wake-up, watermarks, the slow
 * path with its kswapd wake-ups and reclaim retries, wakeup_kswapd() and a
 * kswapd that reclaims nothing (mm/vmscan.c), draining and boot.  Read from
 * the v5.9-era mm/page_alloc.c (KINGFIOX/linux-5.4.286 @ 8aae2b806e44 plus
 * the v5.9 helpers) and, for the boost, rmqueue() exit and slow-path code, a
 * v5.10.228 tree (06I90/Notes-of-Kernel-5.10.228 @ c026e141ec2d), minus
 * what postdates v5.9: boost_watermark() is v5.9's void form with the flag
 * set regardless (the context of Johannes Weiner's "mm: don't wake kswapd
 * prematurely when watermark boosting is disabled", Message-ID
 * 20201020175833.397286-1-hannes@cmpxchg.org, posted after v5.9), and
 * zone_watermark_fast()'s GFP_ATOMIC boost exception of that tree is left
 * out (not verified to be in v5.9).  wakeup_kswapd() and its helpers follow
 * v5.9 mm/vmscan.c as the kernel documents them; not read from a stored
 * copy.
 *
 * A port includes this file into its own translation unit after
 * pa_internal.h and provides the functions a revision may change, declared
 * below: rmqueue_bulk(), get_page_from_freelist(), prepare_alloc_pages()
 * and __alloc_pages_nodemask() (v5.9's are in page_alloc-entry.h).
 *
 * Modelling choices (docs/pagealloc.md): one node; MAX_ORDER 5 and
 * pageblock_order 4; no CMA, no memory isolation, no highatomic reserve,
 * no deferred struct page init (deferred_pages false), DEBUG_VM=y
 * (check_new_pcp checks every page, as distros ship it); zone_statistics /
 * vm events are not modelled beyond NR_FREE_PAGES; nothing is reclaimable
 * (no page cache, no anon pages), so reclaim makes no progress and
 * kcompactd is never woken; under PREEMPT_RT the pcp lists are protected
 * by the RT tree's local lock, modelled as not disabling interrupts;
 * debug_pagealloc maps pages with a spinlock_t taken (powerpc hash
 * __kernel_map_pages).
 */
#ifndef MM_PA_PAGE_ALLOC_H
#define MM_PA_PAGE_ALLOC_H

#include <errno.h>
#include <string.h>

#include <linux/lockdep.h>
#include <linux/sched.h>
#include "pa_internal.h"

#pragma GCC diagnostic ignored "-Wunused-function"

struct alloc_context;
static int rmqueue_bulk(struct zone *zone, unsigned int order, unsigned long count,
			struct list_head *list, int migratetype, unsigned int alloc_flags);

/* -- small helpers ----------------------------------------------------- */

#define zone_lock(zone) do { MM_HARNESS_ACCESS(G->zone_lock_taken++); spin_lock(&(zone)->lock); } while (0)
#define zone_unlock(zone) spin_unlock(&(zone)->lock)

/*
 * pcp protection: local_irq_save, or the RT tree's local lock (no irq-off;
 * its section runs unpreempted here, mm_local_lock())
 */
#define pcp_irq_save(flags) do {					\
		(flags) = 1;						\
		if (!G->preempt_rt)					\
			local_irq_save(flags);				\
		else							\
			mm_local_lock();				\
	} while (0)
#define pcp_irq_restore(flags) do {					\
		if (!G->preempt_rt)					\
			local_irq_restore(flags);			\
		else							\
			mm_local_unlock();				\
	} while (0)
/*
 * What a per-cpu list access asserts: v5.9's contract, in its comments
 * ("Remove page from the per-cpu list, caller must protect the list",
 * __rmqueue_pcplist(); free_unref_page_commit() runs inside
 * free_unref_page()'s local_irq_save()), is this CPU's interrupts off --
 * outside the RT tree, whose local lock protects the lists instead.
 */
#define pcp_assert_protected() do { if (!G->preempt_rt) lockdep_assert_irqs_disabled(); } while (0)

static struct page *virt_to_page(const void *addr)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];
		const char *a = addr;

		if (a >= zone->mem && a < zone->mem + zone->spanned_pages * PAGE_SIZE)
			return &zone->mem_map[(a - zone->mem) / PAGE_SIZE];
	}
	mm_violation("KERNEL_BUG", "virt_to_page", "virt_to_page of a non-linear address");
}

#define free_page(addr)	free_pages((addr), 0)

static inline bool PageBuddy(const struct page *page)
{
	return page->flags & PG_buddy;
}

static inline unsigned long page_order(const struct page *page)
{
	return page->private;
}

static inline void set_page_order(struct page *page, unsigned int order)
{
	page->private = order;
	page->flags |= PG_buddy;
}

static inline unsigned long __find_buddy_pfn(unsigned long page_pfn, unsigned int order)
{
	return page_pfn ^ (1UL << order);
}

static inline bool pfn_in_zone(const struct zone *zone, unsigned long pfn)
{
	return pfn >= zone->zone_start_pfn &&
	       pfn < zone->zone_start_pfn + zone->spanned_pages;
}

/* Mirrors page_is_buddy(), mm/page_alloc.c v5.9 (one node: same zone). */
static inline bool page_is_buddy(struct page *page, struct page *buddy, unsigned int order)
{
	if (!PageBuddy(buddy))
		return false;
	if (page_order(buddy) != order)
		return false;
	return page->zid == buddy->zid;
}

static inline int get_pageblock_migratetype(const struct page *page)
{
	struct zone *zone = page_zone(page);

	return zone->pageblock_mt[(page->pfn - zone->zone_start_pfn) >> pageblock_order];
}

static inline void set_pageblock_migratetype(struct page *page, int mt)
{
	struct zone *zone = page_zone(page);

	zone->pageblock_mt[(page->pfn - zone->zone_start_pfn) >> pageblock_order] = (unsigned char)mt;
}

static inline void set_pcppage_migratetype(struct page *page, int mt)
{
	page->index = (unsigned long)mt;
}

static inline int get_pcppage_migratetype(const struct page *page)
{
	return (int)page->index;
}

/* v5.9 free-list helpers */
static inline void add_to_free_list(struct page *page, struct zone *zone,
				    unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];

	list_add(&page->lru, &area->free_list[mt]);
	area->nr_free++;
}

static inline void add_to_free_list_tail(struct page *page, struct zone *zone,
					 unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];

	list_add_tail(&page->lru, &area->free_list[mt]);
	area->nr_free++;
}

static inline void move_to_free_list(struct page *page, struct zone *zone,
				     unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];

	list_move(&page->lru, &area->free_list[mt]);
}

static inline void del_page_from_free_list(struct page *page, struct zone *zone,
					   unsigned int order)
{
	list_del(&page->lru);
	page->flags &= ~PG_buddy;
	page->private = 0;
	zone->free_area[order].nr_free--;
}

static inline struct page *get_page_from_free_area(struct free_area *area, int mt)
{
	return list_first_entry_or_null(&area->free_list[mt], struct page, lru);
}

static inline bool free_area_empty(struct free_area *area, int mt)
{
	return list_empty(&area->free_list[mt]);
}

static inline void __mod_zone_freepage_state(struct zone *zone, long nr, int mt)
{
	(void)mt;
	MM_ATOMIC_ADD(zone->nr_free_pages, nr);	/* vm_stat: atomic_long_add() */
}

/* bad_page(): report and taint; the struct page keeps its bad fields */
static void pa_bad_page(struct page *page)
{
	mm_note("BAD_PAGE", "pfn %lu: bad page state", page->pfn);
}

/* a page its caller drops after bad_page(): never used again */
static void pa_leak(struct page *page, unsigned int order)
{
	page->private = order;
	list_add(&page->lru, &G->bad_pages);
	G->nr_bad += 1L << order;
}

/* Mirrors check_new_page(), v5.9: a corrupt struct page is reported. */
static bool check_new_page(struct page *page)
{
	if (!(page->flags & PG_bad))
		return false;
	pa_bad_page(page);
	return true;
}

/* DEBUG_VM=y variants, v5.9 */
static bool check_new_pcp(struct page *page)
{
	return check_new_page(page);
}

static bool check_pcp_refill(struct page *page)
{
	if (debug_pagealloc_enabled_static())
		return check_new_page(page);
	return false;
}

static bool check_new_pages(struct page *page, unsigned int order)
{
	for (unsigned int i = 0; i < (1U << order); i++)
		if (check_new_page(page + i))
			return true;
	return false;
}

static bool check_free_page(struct page *page)
{
	if (!(page->flags & PG_bad))
		return false;
	pa_bad_page(page);
	return true;
}

static bool bulkfree_pcp_prepare(struct page *page)
{
	if (debug_pagealloc_enabled_static())
		return check_free_page(page);
	return false;
}

/*
 * kernel_map_pages() -> __kernel_map_pages() of powerpc with the hash MMU
 * (arch/powerpc/mm/book3s64/hash_utils.c, v5.9): kernel_map_linear_page()
 * and kernel_unmap_linear_page() take linear_map_hash_lock, declared with
 * DEFINE_SPINLOCK (a spinlock_t) until it became a raw_spinlock_t in later
 * kernels (Rezki in the thread: "powerpc variant uses sleep-able locks").  x86 and
 * arm64 take no lock here with debug_pagealloc on; the model takes the
 * powerpc side, the one the thread discusses.  [modelling choice]
 */
static void kernel_map_pages(struct page *page, int numpages, int enable)
{
	(void)page;
	(void)numpages;
	(void)enable;
	spin_lock(&G->linear_map_hash_lock);
	spin_unlock(&G->linear_map_hash_lock);
}

/* -- freeing ----------------------------------------------------------- */

/* Mirrors buddy_merge_likely(), v5.9. */
static inline bool buddy_merge_likely(unsigned long pfn, unsigned long buddy_pfn,
				      struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	struct page *higher_page, *higher_buddy;
	unsigned long combined_pfn;

	if (order >= MAX_ORDER - 2)
		return false;
	if (!pfn_in_zone(zone, buddy_pfn))
		return false;
	combined_pfn = buddy_pfn & pfn;
	higher_page = page + ((long)combined_pfn - (long)pfn);
	buddy_pfn = __find_buddy_pfn(combined_pfn, order + 1);
	higher_buddy = higher_page + ((long)buddy_pfn - (long)combined_pfn);
	return pfn_in_zone(zone, buddy_pfn) &&
	       page_is_buddy(higher_page, higher_buddy, order + 1);
}

/* Mirrors __free_one_page(), mm/page_alloc.c v5.9 (no isolation, no guard pages). */
static void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
			    unsigned int order, int migratetype)
{
	unsigned long combined_pfn, buddy_pfn = 0;
	unsigned int max_order = min_t(unsigned int, MAX_ORDER - 1, pageblock_order);
	struct page *buddy;

	lockdep_assert_held(&zone->lock);
	BUG_ON(PageBuddy(page));
	BUG_ON(pfn & ((1UL << order) - 1));

	__mod_zone_freepage_state(zone, 1L << order, migratetype);

	while (order < max_order) {
		buddy_pfn = __find_buddy_pfn(pfn, order);
		if (!pfn_in_zone(zone, buddy_pfn))
			goto done_merging;
		buddy = page + ((long)buddy_pfn - (long)pfn);
		if (!page_is_buddy(page, buddy, order))
			goto done_merging;
		del_page_from_free_list(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = page + ((long)combined_pfn - (long)pfn);
		pfn = combined_pfn;
		order++;
	}
	buddy_pfn = __find_buddy_pfn(pfn, order);
done_merging:
	set_page_order(page, order);
	if (buddy_merge_likely(pfn, buddy_pfn, page, order))
		add_to_free_list_tail(page, zone, order, migratetype);
	else
		add_to_free_list(page, zone, order, migratetype);
}

/* Mirrors free_one_page(), v5.9. */
static void free_one_page(struct zone *zone, struct page *page, unsigned long pfn,
			  unsigned int order, int migratetype)
{
	zone_lock(zone);
	__free_one_page(page, pfn, zone, order, migratetype);
	zone_unlock(zone);
}

/* Mirrors free_pages_prepare(), v5.9 (check_free with DEBUG_VM). */
static bool free_pages_prepare(struct page *page, unsigned int order, bool check_free)
{
	if (check_free && check_free_page(page)) {
		pa_leak(page, order);
		return false;
	}
	if (debug_pagealloc_enabled_static())
		kernel_map_pages(page, 1 << order, 0);
	return true;
}

/*
 * Mirrors free_pcppages_bulk(), mm/page_alloc.c v5.9: round-robin over the
 * pcp lists from the tail, then into the buddy under zone->lock.
 */
static void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp)
{
	int migratetype = 0;
	int batch_free = 0;
	struct page *page, *tmp;
	LIST_HEAD(head);
	long guard = 0;

	count = min(pcp->count, count);
	while (count) {
		struct list_head *list;

		do {
			MM_LOOP_GUARD(guard, 64L * MIGRATE_PCPTYPES + 4096, __func__);
			batch_free++;
			if (++migratetype == MIGRATE_PCPTYPES)
				migratetype = 0;
			list = &pcp->lists[migratetype];
		} while (list_empty(list));

		/* This is the only non-empty list. Free them all. */
		if (batch_free == MIGRATE_PCPTYPES)
			batch_free = count;

		do {
			page = list_last_entry(list, struct page, lru);
			list_del(&page->lru);
			pcp->count--;
			if (bulkfree_pcp_prepare(page)) {
				pa_leak(page, 0);
				continue;
			}
			list_add_tail(&page->lru, &head);
		} while (--count && --batch_free && !list_empty(list));
	}

	zone_lock(zone);
	list_for_each_entry_safe(page, tmp, &head, lru) {
		int mt = get_pcppage_migratetype(page);

		list_del(&page->lru);
		__free_one_page(page, page_to_pfn(page), zone, 0, mt);
	}
	zone_unlock(zone);
}

/* Mirrors free_unref_page_commit(), v5.9. */
static void free_unref_page_commit(struct page *page, unsigned long pfn)
{
	struct zone *zone = page_zone(page);
	struct per_cpu_pages *pcp;
	int migratetype;
	bool alone;

	(void)pfn;
	pcp_assert_protected();
	migratetype = get_pcppage_migratetype(page);
	if (migratetype >= MIGRATE_PCPTYPES)
		migratetype = MIGRATE_MOVABLE;	/* no isolation in the model */

	pcp = this_cpu_pcp(zone);
	/*
	 * harness: the PCP_HIGH check's record of this free, kept only for an
	 * op that runs alone (in the threaded mode another CPU's free would
	 * overwrite it meanwhile)
	 */
	alone = mm_op_alone();
	if (alone)
		MM_HARNESS_ACCESS(G->last_free_pcp = pcp; G->last_free_count_before = pcp->count);
	list_add(&page->lru, &pcp->lists[migratetype]);
	pcp->count++;
	if (alone)
		MM_HARNESS_ACCESS(G->last_free_high = pcp->high; G->last_free_batch = pcp->batch);
	if (pcp->count >= pcp->high) {
		unsigned long batch = READ_ONCE(pcp->batch);

		free_pcppages_bulk(zone, (int)batch, pcp);
	}
	if (alone)
		MM_HARNESS_ACCESS(G->last_free_count_after = pcp->count);
}

/* Mirrors free_unref_page(), v5.9. */
static void free_unref_page(struct page *page)
{
	unsigned long flags;
	unsigned long pfn = page_to_pfn(page);

	/* free_unref_page_prepare() */
	if (!free_pages_prepare(page, 0, true))
		return;
	set_pcppage_migratetype(page, get_pageblock_migratetype(page));

	pcp_irq_save(flags);
	free_unref_page_commit(page, pfn);
	pcp_irq_restore(flags);
}

/* Mirrors __free_pages_ok(), v5.9. */
static void __free_pages_ok(struct page *page, unsigned int order)
{
	unsigned long flags;
	int migratetype;
	unsigned long pfn = page_to_pfn(page);

	if (!free_pages_prepare(page, order, true))
		return;
	migratetype = get_pageblock_migratetype(page);
	pcp_irq_save(flags);	/* local_irq_save(); the RT tree's local lock */
	free_one_page(page_zone(page), page, pfn, order, migratetype);
	pcp_irq_restore(flags);
}

/* Mirrors __free_pages() / free_the_page(), v5.9 (refcount 1 -> 0). */
static void __free_pages(struct page *page, unsigned int order)
{
	if (order == 0)
		free_unref_page(page);
	else
		__free_pages_ok(page, order);
}

static void free_pages(unsigned long addr, unsigned int order)
{
	if (addr != 0)
		__free_pages(virt_to_page((void *)addr), order);
}

/* -- allocation from the buddy ----------------------------------------- */

/* Mirrors expand(), v5.9 (no guard pages). */
static inline void expand(struct zone *zone, struct page *page, int low, int high,
			  int migratetype)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, migratetype);
		set_page_order(&page[size], high);
	}
}

/* Mirrors __rmqueue_smallest(), v5.9. */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int migratetype)
{
	unsigned int current_order;
	struct free_area *area;
	struct page *page;

	for (current_order = order; current_order < MAX_ORDER; ++current_order) {
		area = &zone->free_area[current_order];
		page = get_page_from_free_area(area, migratetype);
		if (!page)
			continue;
		del_page_from_free_list(page, zone, current_order);
		expand(zone, page, order, current_order, migratetype);
		set_pcppage_migratetype(page, migratetype);
		return page;
	}
	return NULL;
}

static const int fallbacks[MIGRATE_TYPES][3] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE,   MIGRATE_TYPES },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_TYPES },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE,   MIGRATE_MOVABLE,   MIGRATE_TYPES },
	[MIGRATE_HIGHATOMIC]  = { MIGRATE_TYPES },
};

/* Mirrors move_freepages() over one pageblock, v5.9; returns pages moved. */
static int move_freepages_block(struct zone *zone, struct page *page, int migratetype,
				int *num_movable)
{
	unsigned long start_pfn = page->pfn & ~(pageblock_nr_pages - 1);
	struct page *p = pfn_to_page_zone(zone, start_pfn);
	struct page *end = p + pageblock_nr_pages;
	int pages_moved = 0;

	if (num_movable)
		*num_movable = 0;
	while (p < end) {
		unsigned int order;

		if (!PageBuddy(p)) {
			p++;
			continue;
		}
		order = (unsigned int)page_order(p);
		move_to_free_list(p, zone, order, migratetype);
		p += 1UL << order;
		pages_moved += 1 << order;
	}
	return pages_moved;
}

static bool can_steal_fallback(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	if (order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	    start_mt == MIGRATE_UNMOVABLE)
		return true;
	return false;
}

/* watermark_boost_factor, mm/page_alloc.c v5.9 (the sysctl's default) */
static const int watermark_boost_factor = 15000;

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return zone->managed_pages;
}

/* Mirrors boost_watermark(), mm/page_alloc.c v5.9 (void: the flag is set regardless). */
static inline void boost_watermark(struct zone *zone)
{
	unsigned long max_boost;

	if (!watermark_boost_factor)
		return;
	/* Don't bother in zones that are unlikely to produce results. */
	if ((pageblock_nr_pages * 4) > zone_managed_pages(zone))
		return;
	max_boost = zone->_watermark[WMARK_HIGH] * (unsigned long)watermark_boost_factor / 10000;
	/* high watermark may be uninitialised (or very small): do not boost */
	if (!max_boost)
		return;
	max_boost = max(pageblock_nr_pages, max_boost);
	zone->watermark_boost = min(zone->watermark_boost + pageblock_nr_pages, max_boost);
}

/*
 * Mirrors steal_suitable_fallback(), v5.9: claim the whole pageblock when
 * its free pages plus the pages "alike" the request make half of it.  A
 * steal below pageblock_order boosts the zone's watermarks and, with
 * ALLOC_KSWAPD, flags the zone so that rmqueue() wakes kswapd.  The model
 * has no PageLRU / __PageMovable pages, so move_freepages_block() counts
 * movable_pages 0, and as in the kernel an unmovable or reclaimable request
 * falling back to a MOVABLE block counts every non-free page as alike
 * (pageblock_nr_pages - free_pages): it always claims such a block.
 */
static void steal_suitable_fallback(struct zone *zone, struct page *page,
				    unsigned int alloc_flags, int start_type, bool whole_block)
{
	unsigned int current_order = (unsigned int)page_order(page);
	int free_pages, movable_pages, alike_pages;
	int old_block_type = get_pageblock_migratetype(page);

	/* Take ownership for orders >= pageblock_order */
	if (current_order >= pageblock_order) {
		/* change_pageblock_range() of one block */
		set_pageblock_migratetype(page, start_type);
		goto single_page;
	}

	/*
	 * Boost watermarks to increase reclaim pressure to reduce the
	 * likelihood of future fallbacks. Wake kswapd now as the node
	 * may be balanced overall and kswapd will not wake naturally.
	 */
	boost_watermark(zone);
	if (alloc_flags & ALLOC_KSWAPD)
		MM_ATOMIC_OR(zone->flags, ZONE_BOOSTED_WATERMARK);	/* set_bit() */

	if (!whole_block)
		goto single_page;
	free_pages = move_freepages_block(zone, page, start_type, &movable_pages);
	if (start_type == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_block_type == MIGRATE_MOVABLE)
		alike_pages = (int)pageblock_nr_pages - (free_pages + movable_pages);
	else
		alike_pages = 0;
	if (!free_pages)
		goto single_page;
	if (free_pages + alike_pages >= (int)(pageblock_nr_pages >> 1))
		set_pageblock_migratetype(page, start_type);
	return;
single_page:
	move_to_free_list(page, zone, current_order, start_type);
}

/* Mirrors find_suitable_fallback(), v5.9 (only_stealable false). */
static int find_suitable_fallback(struct free_area *area, unsigned int order,
				  int migratetype, bool *can_steal)
{
	int i, fallback_mt;

	if (area->nr_free == 0)
		return -1;
	*can_steal = false;
	for (i = 0;; i++) {
		fallback_mt = fallbacks[migratetype][i];
		if (fallback_mt == MIGRATE_TYPES)
			break;
		if (free_area_empty(area, fallback_mt))
			continue;
		if (can_steal_fallback(order, migratetype))
			*can_steal = true;
		return fallback_mt;
	}
	return -1;
}

/* Mirrors __rmqueue_fallback(), v5.9. */
static bool __rmqueue_fallback(struct zone *zone, int order, int start_migratetype,
			       unsigned int alloc_flags)
{
	struct free_area *area;
	int current_order;
	int min_order = order;
	struct page *page;
	int fallback_mt;
	bool can_steal;

	if (alloc_flags & ALLOC_NOFRAGMENT)
		min_order = pageblock_order;

	for (current_order = MAX_ORDER - 1; current_order >= min_order; --current_order) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, current_order, start_migratetype,
						     &can_steal);
		if (fallback_mt == -1)
			continue;
		if (!can_steal && start_migratetype == MIGRATE_MOVABLE && current_order > order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (current_order = order; current_order < MAX_ORDER; current_order++) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, current_order, start_migratetype,
						     &can_steal);
		if (fallback_mt != -1)
			break;
	}
	BUG_ON(current_order == MAX_ORDER);

do_steal:
	page = get_page_from_free_area(area, fallback_mt);
	steal_suitable_fallback(zone, page, alloc_flags, start_migratetype, can_steal);
	return true;
}

/* Mirrors __rmqueue(), v5.9 (no CMA). */
static struct page *__rmqueue(struct zone *zone, unsigned int order, int migratetype,
			      unsigned int alloc_flags)
{
	struct page *page;
	long guard = 0;

retry:
	MM_LOOP_GUARD(guard, 4L * MAX_ORDER + 8, __func__);
	page = __rmqueue_smallest(zone, order, migratetype);
	if (!page && __rmqueue_fallback(zone, (int)order, migratetype, alloc_flags))
		goto retry;
	return page;
}

/* Mirrors __rmqueue_pcplist(), v5.9. */
static struct page *__rmqueue_pcplist(struct zone *zone, int migratetype,
				      unsigned int alloc_flags, struct per_cpu_pages *pcp,
				      struct list_head *list)
{
	struct page *page;
	long guard = 0;

	pcp_assert_protected();
	do {
		MM_LOOP_GUARD(guard, 4096, "__rmqueue_pcplist");
		if (list_empty(list)) {
			pcp->count += rmqueue_bulk(zone, 0, pcp->batch, list, migratetype,
						   alloc_flags);
			if (unlikely(list_empty(list)))
				return NULL;
		}
		page = list_first_entry(list, struct page, lru);
		list_del(&page->lru);
		pcp->count--;
		if (!check_new_pcp(page))
			break;
		pa_leak(page, 0);
	} while (1);
	return page;
}

/* Mirrors rmqueue_pcplist(), v5.9. */
static struct page *rmqueue_pcplist(struct zone *preferred_zone, struct zone *zone,
				    gfp_t gfp_flags, int migratetype, unsigned int alloc_flags)
{
	struct per_cpu_pages *pcp;
	struct list_head *list;
	struct page *page;
	unsigned long flags;

	(void)preferred_zone;
	(void)gfp_flags;
	pcp_irq_save(flags);
	pcp = this_cpu_pcp(zone);
	list = &pcp->lists[migratetype];
	page = __rmqueue_pcplist(zone, migratetype, alloc_flags, pcp, list);
	/* __count_zid_vm_events(PGALLOC), zone_statistics(): not modelled */
	pcp_irq_restore(flags);
	return page;
}

/* -- watermarks -------------------------------------------------------- */

/* Mirrors the wmark_pages() family of include/linux/mmzone.h v5.9. */
static inline unsigned long wmark_pages(const struct zone *z, int i)
{
	return z->_watermark[i] + z->watermark_boost;
}

#define min_wmark_pages(z)	wmark_pages(z, WMARK_MIN)
#define high_wmark_pages(z)	wmark_pages(z, WMARK_HIGH)

/* Mirrors __zone_watermark_ok(), v5.9 (no CMA, no highatomic reserve). */
static bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
				int highest_zoneidx, unsigned int alloc_flags,
				long free_pages)
{
	long min = (long)mark;
	int o;
	const bool alloc_harder = alloc_flags & ALLOC_HARDER;

	free_pages -= (1L << order) - 1;
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_harder)
		min -= min / 4;
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (o = (int)order; o < MAX_ORDER; o++) {
		struct free_area *area = &z->free_area[o];
		int mt;

		if (!area->nr_free)
			continue;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(area, mt))
				return true;
		if (alloc_harder && !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

/* Mirrors zone_watermark_fast(), v5.9. */
static inline bool zone_watermark_fast(struct zone *z, unsigned int order,
				       unsigned long mark, int highest_zoneidx,
				       unsigned int alloc_flags)
{
	long free_pages = READ_ONCE(z->nr_free_pages);	/* zone_page_state(): atomic_long_read() */

	if (!order && free_pages > (long)mark + z->lowmem_reserve[highest_zoneidx])
		return true;
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages);
}

/* Mirrors zone_watermark_ok_safe(), v5.9 (NR_FREE_PAGES is exact here). */
static bool zone_watermark_ok_safe(struct zone *z, unsigned int order, unsigned long mark,
				   int highest_zoneidx)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, 0,
				   READ_ONCE(z->nr_free_pages));	/* zone_page_snapshot() */
}

/* -- kswapd (mm/vmscan.c v5.9) ------------------------------------------ */

static inline bool managed_zone(const struct zone *zone)
{
	return zone_managed_pages(zone);
}

/* Mirrors pgdat_balanced(), mm/vmscan.c v5.9. */
static bool pgdat_balanced(struct pglist_data *pgdat, int order, int highest_zoneidx)
{
	unsigned long mark = -1UL;
	int i;

	(void)pgdat;
	for (i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = &G->zones[i];

		if (!managed_zone(zone))
			continue;
		mark = high_wmark_pages(zone);
		if (zone_watermark_ok_safe(zone, (unsigned int)order, mark, highest_zoneidx))
			return true;
	}
	/* a node with no populated zone within highest_zoneidx needs no balancing */
	return mark == -1UL;
}

/* Mirrors pgdat_watermark_boosted(), mm/vmscan.c v5.9. */
static bool pgdat_watermark_boosted(struct pglist_data *pgdat, int highest_zoneidx)
{
	(void)pgdat;
	for (int i = highest_zoneidx; i >= 0; i--) {
		struct zone *zone = &G->zones[i];

		if (!managed_zone(zone))
			continue;
		if (zone->watermark_boost)
			return true;
	}
	return false;
}

/*
 * Mirrors __wake_up_common_lock() of wake_up_interruptible(
 * &pgdat->kswapd_wait), kernel/sched/wait.c v5.9: the wait queue's
 * spinlock_t taken with interrupts saved, kswapd made runnable.
 */
static void __wake_up_common_lock(struct pglist_data *pgdat)
{
	unsigned long flags;

	spin_lock_irqsave(&pgdat->kswapd_wait_lock, flags);
	WRITE_ONCE(pgdat->kswapd_sleeping, false);
	G->kswapd_wakeups++;
	spin_unlock_irqrestore(&pgdat->kswapd_wait_lock, flags);
}

/*
 * Mirrors wakeup_kswapd(), mm/vmscan.c v5.9: record the order and zone
 * kswapd should balance for; return early when kswapd is already awake
 * (its wait queue is empty) or the node is hopeless or balanced and not
 * boosted; else wake it, taking the wait queue's lock.  No cpusets.  The
 * kcompactd wake-up of the balanced case is not modelled: nothing is
 * compactable in the model.
 */
static void wakeup_kswapd(struct zone *zone, gfp_t gfp_flags, int order,
			  int highest_zoneidx)
{
	struct pglist_data *pgdat = &G->pgdat;
	int curr_idx;

	(void)gfp_flags;
	if (!managed_zone(zone))
		return;
	curr_idx = READ_ONCE(pgdat->kswapd_highest_zoneidx);
	if (curr_idx == MAX_NR_ZONES || curr_idx < highest_zoneidx)
		WRITE_ONCE(pgdat->kswapd_highest_zoneidx, highest_zoneidx);
	if (READ_ONCE(pgdat->kswapd_order) < order)
		WRITE_ONCE(pgdat->kswapd_order, order);

	/* waitqueue_active(&pgdat->kswapd_wait): kswapd is running */
	if (!READ_ONCE(pgdat->kswapd_sleeping))	/* !waitqueue_active(): list_empty() */
		return;

	/* Hopeless node, leave it to direct reclaim if possible */
	if (pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(pgdat, order, highest_zoneidx) &&
	     !pgdat_watermark_boosted(pgdat, highest_zoneidx)))
		return;	/* wakeup_kcompactd(): not modelled */

	__wake_up_common_lock(pgdat);	/* wake_up_interruptible() */
}

/*
 * One run of kswapd(), mm/vmscan.c v5.9: read and reset the requested
 * order and zone, balance_pgdat() and back to sleep.  balance_pgdat() here
 * reclaims nothing (nothing is reclaimable): a boosted or unbalanced node
 * counts a failure, and the boost the run started with is taken off each
 * zone under zone->lock, as balance_pgdat() does at its end.
 */
static bool kswapd_run_once(void)
{
	struct pglist_data *pgdat = &G->pgdat;
	unsigned long zone_boosts[MAX_NR_ZONES] = { 0 };
	unsigned long nr_boost_reclaim = 0, flags;
	int order, highest_zoneidx, i;
	bool boosted, balanced;

	if (READ_ONCE(pgdat->kswapd_sleeping))
		return false;
	G->kswapd_runs++;
	order = READ_ONCE(pgdat->kswapd_order);
	highest_zoneidx = READ_ONCE(pgdat->kswapd_highest_zoneidx);
	if (highest_zoneidx == MAX_NR_ZONES)
		highest_zoneidx = MAX_NR_ZONES - 1;
	WRITE_ONCE(pgdat->kswapd_order, 0);
	WRITE_ONCE(pgdat->kswapd_highest_zoneidx, MAX_NR_ZONES);

	/* balance_pgdat() */
	for (i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = &G->zones[i];

		if (!managed_zone(zone))
			continue;
		nr_boost_reclaim += zone->watermark_boost;
		zone_boosts[i] = zone->watermark_boost;
	}
	boosted = nr_boost_reclaim;
	balanced = pgdat_balanced(pgdat, order, highest_zoneidx);
	if (boosted || !balanced) {
		cond_resched();
		/* kswapd_shrink_node() reclaimed nothing: sc.nr_reclaimed == 0 */
		pgdat->kswapd_failures++;
	}
	if (boosted) {
		for (i = 0; i <= highest_zoneidx; i++) {
			struct zone *zone = &G->zones[i];

			if (!zone_boosts[i])
				continue;
			/* Increments are under the zone lock */
			MM_HARNESS_ACCESS(G->zone_lock_taken++);
			spin_lock_irqsave(&zone->lock, flags);
			zone->watermark_boost -= min(zone->watermark_boost, zone_boosts[i]);
			spin_unlock_irqrestore(&zone->lock, flags);
		}
		/* wakeup_kcompactd(): not modelled */
	}
	/* kswapd_try_to_sleep(): back on the wait queue */
	WRITE_ONCE(pgdat->kswapd_sleeping, true);
	return true;
}

/* -- rmqueue ----------------------------------------------------------- */

/*
 * Mirrors rmqueue(), mm/page_alloc.c v5.9 (no highatomic reserve): every
 * allocation that leaves through "out" -- the per-cpu list path always,
 * success or not; the buddy path on success -- clears a zone's
 * ZONE_BOOSTED_WATERMARK and wakes kswapd.
 */
static struct page *rmqueue(struct zone *preferred_zone, struct zone *zone,
			    unsigned int order, gfp_t gfp_flags, unsigned int alloc_flags,
			    int migratetype)
{
	unsigned long flags;
	struct page *page;
	long guard = 0;

	if (likely(order == 0)) {
		page = rmqueue_pcplist(preferred_zone, zone, gfp_flags, migratetype,
				       alloc_flags);
		goto out;
	}

	MM_HARNESS_ACCESS(G->zone_lock_taken++);
	spin_lock_irqsave(&zone->lock, flags);
	do {
		MM_LOOP_GUARD(guard, 4096, "rmqueue");
		page = __rmqueue(zone, order, migratetype, alloc_flags);
		if (page && check_new_pages(page, order)) {
			pa_leak(page, order);
			/* leaked; the kernel accounts NR_FREE_PAGES for the good page only */
			G->nr_free_drift += 1L << order;
			continue;
		}
		break;
	} while (1);
	if (!page)
		goto failed;
	__mod_zone_freepage_state(zone, -(1L << order), get_pcppage_migratetype(page));
	/* the kernel drops the lock first and restores irqs after the stats */
	spin_unlock_irqrestore(&zone->lock, flags);

out:
	/* Separate test+clear to avoid unnecessary atomics */
	if (READ_ONCE(zone->flags) & ZONE_BOOSTED_WATERMARK) {	/* test_bit() */
		MM_ATOMIC_AND(zone->flags, ~ZONE_BOOSTED_WATERMARK);	/* clear_bit() */
		wakeup_kswapd(zone, 0, 0, zone->idx);
	}
	return page;

failed:
	spin_unlock_irqrestore(&zone->lock, flags);
	return NULL;
}

/* -- the allocation paths ---------------------------------------------- */

struct alloc_context {
	int highest_zoneidx;
	int migratetype;
	int preferred;		/* index in the zonelist of preferred_zoneref */
};

/* Mirrors post_alloc_hook() + prep_new_page(), v5.9. */
static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp_flags,
			  unsigned int alloc_flags)
{
	(void)alloc_flags;
	page->private = 0;
	if (debug_pagealloc_enabled_static())
		kernel_map_pages(page, 1 << order, 1);
	/* kasan_alloc_pages(), kernel_poison_pages(), set_page_owner(): lock-free here */
	if (gfp_flags & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

/* zonelist walk from the preferred zone, zones <= highest_zoneidx */
static struct zone *zonelist_next(const struct alloc_context *ac, int *z)
{
	while (*z < MAX_NR_ZONES) {
		struct zone *zone = G->zonelist[(*z)++];

		if (zone->idx <= ac->highest_zoneidx)
			return zone;
	}
	return NULL;
}

/* provided by the port (v5.9's in page_alloc-entry.h) */
static struct page *get_page_from_freelist(gfp_t gfp_mask, unsigned int order,
					   int alloc_flags, const struct alloc_context *ac);

/* Mirrors gfp_to_alloc_flags(), v5.9 (not an RT task, no CMA). */
static unsigned int gfp_to_alloc_flags(gfp_t gfp_mask)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	alloc_flags |= (unsigned int)(gfp_mask & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM));
	if (gfp_mask & __GFP_ATOMIC) {
		if (!(gfp_mask & __GFP_NOMEMALLOC))
			alloc_flags |= ALLOC_HARDER;
		alloc_flags &= ~ALLOC_CPUSET;
	}
	return alloc_flags;
}

/* Mirrors wake_all_kswapds(), v5.9: one node, so one wakeup_kswapd(). */
static void wake_all_kswapds(unsigned int order, gfp_t gfp_mask,
			     const struct alloc_context *ac)
{
	int z = ac->preferred;
	struct zone *zone = zonelist_next(ac, &z);

	if (zone)
		wakeup_kswapd(zone, gfp_mask, (int)order, ac->highest_zoneidx);
}

#define PAGE_ALLOC_COSTLY_ORDER	3

/*
 * Mirrors should_reclaim_retry(), v5.9 (no highatomic reserve to unreserve,
 * nothing reclaimable or under writeback): retry while a zone would pass
 * its min watermark with its free pages, at most MAX_RECLAIM_RETRIES
 * times without progress.
 */
static bool should_reclaim_retry(gfp_t gfp_mask, unsigned int order,
				 const struct alloc_context *ac, unsigned int alloc_flags,
				 bool did_some_progress, int *no_progress_loops)
{
	struct zone *zone;
	int z = ac->preferred;
	bool ret = false;

	(void)gfp_mask;
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return false;	/* unreserve_highatomic_pageblock(): none */

	while ((zone = zonelist_next(ac, &z))) {
		/* zone_reclaimable_pages() is 0 */
		long available = READ_ONCE(zone->nr_free_pages);

		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone), ac->highest_zoneidx,
					alloc_flags, available)) {
			ret = true;
			break;
		}
	}
	cond_resched();
	return ret;
}

/*
 * Mirrors __alloc_pages_slowpath(), v5.9: wake kswapd, retry at the min
 * watermark; for blocking requests loop through direct reclaim (which makes
 * no progress here, so __alloc_pages_direct_reclaim() returns at once) and
 * should_reclaim_retry(), waking kswapd again on every retry; then the OOM
 * path: a last attempt at the high watermark under oom_lock, and the OOM
 * killer, which finds nothing to free (noted OOM; the request fails).
 * Compaction is not modelled (orders <= PAGE_ALLOC_COSTLY_ORDER, nothing
 * movable).
 */
static struct page *__alloc_pages_slowpath(gfp_t gfp_mask, unsigned int order,
					   struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp_mask & __GFP_DIRECT_RECLAIM;
	const bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	unsigned int alloc_flags;
	int no_progress_loops = 0;
	unsigned long did_some_progress = 0;
	struct page *page;
	long guard = 0;

	MM_HARNESS_ACCESS(G->slowpath_entries++);	/* model: observables */
	if ((gfp_mask & (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM)) ==
	    (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM))
		gfp_mask &= ~__GFP_ATOMIC;

	alloc_flags = gfp_to_alloc_flags(gfp_mask);
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp_mask, ac);

	page = get_page_from_freelist(gfp_mask, order, (int)alloc_flags, ac);
	if (page)
		return page;

retry:
	MM_LOOP_GUARD(guard, 4L * MAX_RECLAIM_RETRIES, "__alloc_pages_slowpath");
	/* Ensure kswapd doesn't accidentally go to sleep as long as we loop */
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp_mask, ac);

	page = get_page_from_freelist(gfp_mask, order, (int)alloc_flags, ac);
	if (page)
		return page;

	/* Caller is not willing to reclaim, we can't balance anything */
	if (!can_direct_reclaim)
		return NULL;	/* nopage */

	/* __alloc_pages_direct_reclaim(): __perform_reclaim() makes no progress */
	cond_resched();
	did_some_progress = 0;

	if (gfp_mask & __GFP_NORETRY)
		return NULL;
	if (costly_order && !(gfp_mask & __GFP_RETRY_MAYFAIL))
		return NULL;
	if (should_reclaim_retry(gfp_mask, order, ac, alloc_flags, did_some_progress > 0,
				 &no_progress_loops))
		goto retry;

	/*
	 * __alloc_pages_may_oom(): oom_lock (a mutex_trylock() a single
	 * caller always wins: not modelled), the last attempt at the high
	 * watermark without direct reclaim
	 */
	page = get_page_from_freelist((gfp_mask | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM,
				      order, ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
	if (page)
		return page;
	/* out_of_memory(): no victim frees anything the model tracks */
	mm_note("OOM", "order-%u GFP 0x%x request would invoke the OOM killer", order,
		gfp_mask);
	return NULL;
}

/* Mirrors alloc_flags_nofragment(), v5.9 (one node, DMA32 populated). */
static unsigned int alloc_flags_nofragment(struct zone *zone, gfp_t gfp_mask)
{
	unsigned int alloc_flags = gfp_mask & __GFP_KSWAPD_RECLAIM;

	if (zone->idx != ZONE_NORMAL)
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

/* provided by the port (v5.9's in page_alloc-entry.h) */
static struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
					   int preferred_nid);

/* Mirrors __get_free_pages(), v5.9. */
static unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page = __alloc_pages_nodemask(gfp_mask, order, 0);

	if (!page)
		return 0;
	return (unsigned long)page_address(page);
}

#define __get_free_page(gfp) __get_free_pages((gfp), 0)

/* -- draining ---------------------------------------------------------- */

/* Mirrors drain_pages_zone(), v5.9. */
static void drain_pages_zone(unsigned int cpu, struct zone *zone)
{
	unsigned long flags;
	struct per_cpu_pages *pcp;

	pcp_irq_save(flags);
	pcp = &zone->pageset[cpu].pcp;
	if (pcp->count)
		free_pcppages_bulk(zone, pcp->count, pcp);
	pcp_irq_restore(flags);
}

/* Mirrors drain_pages(), v5.9. */
static void drain_pages(unsigned int cpu)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		drain_pages_zone(cpu, &G->zones[z]);
}

/* Mirrors drain_local_pages(), v5.9. */
static void drain_local_pages(struct zone *zone)
{
	int cpu = smp_processor_id();

	if (zone)
		drain_pages_zone((unsigned int)cpu, zone);
	else
		drain_pages((unsigned int)cpu);
}

/*
 * drain_all_pages(), v5.9, synchronously: the per-cpu drain works run at
 * once, each on its CPU [modelling choice: the asynchronous drain through
 * mm_percpu_wq is not this family's subject].
 */
static void drain_all_pages(struct zone *zone)
{
	int self = mm_cpu_id();

	for (int cpu = 0; cpu < G->nr_cpus; cpu++) {
		bool has = false;

		for (int z = 0; z < MAX_NR_ZONES; z++)
			if ((!zone || zone == &G->zones[z]) &&
			    G->zones[z].pageset[cpu].pcp.count)
				has = true;
		if (!has)
			continue;
		mm_cpu_switch(cpu);
		drain_local_pages(zone);
		mm_cpu_switch(self);
	}
}

/* Mirrors pageset_update(), mm/page_alloc.c v5.9, on every CPU of @zone. */
static void pageset_update(struct zone *zone, unsigned long high, unsigned long batch)
{
	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;

		/* start with a fail safe value for batch */
		pcp->batch = 1;
		/* Update high, then batch, in order */
		pcp->high = (int)high;
		pcp->batch = (int)batch;
	}
}

/*
 * The pcp settings v5.9 can reach: pageset_set_batch(batch) gives high
 * 6 * batch (the default, zone_batchsize()'s batch); pageset_set_high(high)
 * of percpu_pagelist_fraction gives batch max(1, high / 4), at most
 * PAGE_SHIFT * 8.  @high_mult 6 is the first, any other the second with
 * high = high_mult * batch.  [modelling choice] the kernel computes the
 * fraction's high per zone (managed pages / fraction); the model applies
 * one high to both zones.
 */
static void pa_pageset_set(unsigned int high_mult, unsigned int batch)
{
	unsigned long high, b;

	if (high_mult == 6) {
		high = 6UL * batch;		/* pageset_set_batch() */
		b = max(1UL, (unsigned long)batch);
	} else {
		high = (unsigned long)high_mult * batch;	/* pageset_set_high() */
		b = max(1UL, high / 4);
		if ((high / 4) > (PAGE_SHIFT * 8))
			b = PAGE_SHIFT * 8;
	}
	for (int z = 0; z < MAX_NR_ZONES; z++)
		pageset_update(&G->zones[z], high, b);
}

/* -- boot -------------------------------------------------------------- */

static void zone_init(struct zone *zone, int idx, unsigned long start_pfn,
		      unsigned long pages, unsigned long reserved)
{
	zone->name = idx == ZONE_DMA32 ? "DMA32" : "Normal";
	zone->idx = idx;
	zone->zone_start_pfn = start_pfn;
	zone->spanned_pages = pages;
	zone->nr_boot_reserved = reserved;
	spin_lock_init(&zone->lock);
	for (int o = 0; o < MAX_ORDER; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[mt]);
	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			INIT_LIST_HEAD(&zone->pageset[cpu].pcp.lists[mt]);
	zone->mem_map = mm_kzalloc(sizeof(struct page) * pages, MM_FAIL_NR);
	/* boot memory: the zone's pages are the family's page supply */
	zone->mem = mm_pages_alloc(pages, MM_FAIL_NR);
	if (!zone->mem_map || !zone->mem)
		mm_violation("HARNESS", "free_area_init_core", "budget too small for the zones");
	for (unsigned long i = 0; i < pages; i++) {
		struct page *p = &zone->mem_map[i];

		INIT_LIST_HEAD(&p->lru);
		p->zid = idx;
		p->pfn = start_pfn + i;
		if (i < reserved)
			p->flags |= PG_reserved;
	}
	/* memmap_init_zone(): every pageblock starts MIGRATE_MOVABLE */
	for (unsigned long b = 0; b < pages / pageblock_nr_pages; b++)
		zone->pageblock_mt[b] = MIGRATE_MOVABLE;
}

/* Mirrors __free_pages_memory() of memblock_free_all(), v5.9. */
static void free_boot_memory(struct zone *zone)
{
	unsigned long start = zone->zone_start_pfn + zone->nr_boot_reserved;
	unsigned long end = zone->zone_start_pfn + zone->spanned_pages;

	zone_lock(zone);
	while (start < end) {
		unsigned int order = min_t(unsigned int, MAX_ORDER - 1,
					   (unsigned int)__ffs(start | (1UL << 40)));

		while (start + (1UL << order) > end)
			order--;
		__free_one_page(pfn_to_page_zone(zone, start), start, zone, order,
				get_pageblock_migratetype(pfn_to_page_zone(zone, start)));
		zone->managed_pages += 1UL << order;
		start += 1UL << order;
	}
	zone_unlock(zone);
}

/*
 * Boot: zones, boot memory into the buddy, lowmem_reserve, zonelist and
 * boot_pageset.  Watermarks come later (pa_setup_wmarks, a core_initcall
 * in the kernel, after rcu_init()'s kfree_rcu_batch_init()).
 */
static void pa_zones_init(const struct mm_config *cfg)
{
	unsigned long dma_pages = cfg->v[PA_CFG_dma32_blocks] * pageblock_nr_pages;
	unsigned long normal_pages = cfg->v[PA_CFG_normal_blocks] * pageblock_nr_pages;
	unsigned long pct = cfg->v[PA_CFG_boot_used_pct];
	int batch = (int)cfg->v[PA_CFG_pcp_batch];

	zone_init(&G->zones[ZONE_DMA32], ZONE_DMA32, 0, dma_pages, dma_pages * pct / 100);
	zone_init(&G->zones[ZONE_NORMAL], ZONE_NORMAL, dma_pages, normal_pages,
		  normal_pages * pct / 100);
	G->total_pages = dma_pages + normal_pages;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		free_boot_memory(&G->zones[z]);

	/* setup_per_zone_lowmem_reserve(): sysctl_lowmem_reserve_ratio[DMA32] = 256 */
	G->zones[ZONE_DMA32].lowmem_reserve[ZONE_NORMAL] =
		(long)(G->zones[ZONE_NORMAL].managed_pages / 256);

	G->zonelist[0] = &G->zones[ZONE_NORMAL];
	G->zonelist[1] = &G->zones[ZONE_DMA32];

	/* boot_pageset until setup_per_cpu_pageset(): high 0, batch 1 */
	for (int z = 0; z < MAX_NR_ZONES; z++)
		pageset_update(&G->zones[z], 0, 1);
	(void)batch;

	/* kswapd_init(): kswapd runs and goes to sleep on kswapd_wait */
	spin_lock_init(&G->pgdat.kswapd_wait_lock);
	G->pgdat.kswapd_wait_lock.dep.name = "kswapd_wait.lock";
	G->pgdat.kswapd_sleeping = true;
	G->pgdat.kswapd_highest_zoneidx = MAX_NR_ZONES;
}

/*
 * __setup_per_zone_wmarks(): min_free_kbytes spread by zone size;
 * low/high gaps max(min/4, cfg gap) (watermark_scale_factor's role).
 */
static void pa_setup_wmarks(const struct mm_config *cfg)
{
	unsigned long total_managed;

	total_managed = G->zones[0].managed_pages + G->zones[1].managed_pages;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &G->zones[z];
		unsigned long min = cfg->v[PA_CFG_wmark_min] * zone->managed_pages /
				    (total_managed ? total_managed : 1);
		unsigned long gap = max(min >> 2, (unsigned long)cfg->v[PA_CFG_wmark_gap]);

		zone->_watermark[WMARK_MIN] = min;
		zone->_watermark[WMARK_LOW] = min + gap;
		zone->_watermark[WMARK_HIGH] = min + 2 * gap;
	}
}
#endif /* MM_PA_PAGE_ALLOC_H */

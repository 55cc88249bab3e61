// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagealloc v5.9, the reference: mm/page_alloc.c and mm/vmscan.c's kswapd
 * wake-up of Linux v5.9 with the kvfree_rcu() client of kernel/rcu/tree.c
 * v5.9, whose block pages come from the bnode cache (two pages per CPU,
 * prefilled at boot), else -- not on PREEMPT_RT -- from
 * __get_free_page(GFP_NOWAIT | __GFP_NOWARN) under the raw krcp->lock.
 *
 * Known (noted KNOWN_REF_BUG, not violations): that allocation nests
 * zone->lock and the kswapd wait queue's lock, both spinlock_t, in the raw
 * krcp->lock: INVALID_WAIT_CTX with CONFIG_PROVE_RAW_LOCK_NESTING,
 * SLEEP_IN_ATOMIC on PREEMPT_RT -- the problem the series "kvfree_rcu()
 * and _LOCK_NESTING/_PREEMPT_RT" (Uladzislau Rezki, 2020-09) sets out to
 * solve.
 */
#include "pa_internal.h"

#define rcu_min_cached_objs	2	/* kernel/rcu/tree.c v5.9 */

#include "page_alloc.h"
#include "page_alloc-entry.h"
#include "kvfree_rcu.h"

/* Mirrors kvfree_call_rcu_add_ptr_to_bulk(), kernel/rcu/tree.c v5.9 (kmalloc channel). */
static bool kvfree_call_rcu_add_ptr_to_bulk(struct kfree_rcu_cpu *krcp, void *ptr)
{
	struct kvfree_rcu_bulk_data *bnode;
	int idx = 0;

	if (unlikely(!krcp->initialized))
		return false;
	lockdep_assert_held(&krcp->lock);

	if (!krcp->bkvhead[idx] || krcp->bkvhead[idx]->nr_records == KVFREE_BULK_MAX_ENTR) {
		bnode = get_cached_bnode(krcp);
		if (!bnode) {
			/*
			 * To keep this path working on raw non-preemptible
			 * sections, prevent the optional entry into the
			 * allocator as it uses sleeping locks.
			 */
			if (mm_cur->preempt_rt)		/* IS_ENABLED(CONFIG_PREEMPT_RT) */
				return false;
			MM_HARNESS_ACCESS(G->lockless_attempts++);	/* model: observables */
			bnode = (struct kvfree_rcu_bulk_data *)
				__get_free_page(GFP_NOWAIT | __GFP_NOWARN);
			if (!bnode)
				MM_HARNESS_ACCESS(G->lockless_failed++);
		}
		/* Switch to emergency path. */
		if (unlikely(!bnode))
			return false;
		bnode->nr_records = 0;
		bnode->next = krcp->bkvhead[idx];
		krcp->bkvhead[idx] = bnode;
	}
	krcp->bkvhead[idx]->records[krcp->bkvhead[idx]->nr_records++] = ptr;
	return true;
}

#include "kvfree_rcu-v5.9.h"
#include "pa_check.h"

/* the lockless_alloc op: the allocation above, called directly */
static unsigned long pa_port_kvfree_block_page(void)
{
	return __get_free_page(GFP_NOWAIT | __GFP_NOWARN);
}

#ifndef PA_VARIANT
#define PA_VARIANT	pagealloc_v5_9
#endif
#define PA_NAME		"v5.9"
#define PA_REFERENCE	NULL
#define PA_MODELS	"Linux v5.9 mm/page_alloc.c buddy + pcp lists, watermark boost and wakeup_kswapd(), kernel/rcu/tree.c kvfree_rcu()"
#define PA_EXPECT	"clean"
#define PA_KNOWN_LOCK_REPORTS	((1u << MM_LR_INVALID_WAIT_CTX) | (1u << MM_LR_SLEEP_IN_ATOMIC))
#include "pa_harness.h"

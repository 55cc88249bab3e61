// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagealloc "nolocks-flag": seed 002 V2, the __GFP_NO_LOCKS gfp flag of
 * Rezki's #48 (following Vlastimil #39): ___GFP_NO_LOCKS 0x800000u,
 * __GFP_BITS_SHIFT 24 + LOCKDEP, ALLOC_NO_LOCKS 0x1000 set in
 * prepare_alloc_pages(), rmqueue_bulk() returning 0 before zone->lock, the
 * deferred-grow retries skipped and the slow path bypassed in
 * __alloc_pages_nodemask().  The hooks are in ref/pagealloc/page_alloc.c
 * ("V2 hook"), active with .gfp_no_locks.  Its kvfree_rcu() client is the
 * thread's one-line change: __get_free_page(__GFP_NO_LOCKS) in place of
 * GFP_NOWAIT | __GFP_NOWARN, the v5.9 PREEMPT_RT bail-out left in place.
 * An order-0 __GFP_NO_LOCKS request is declared lockless to the checker:
 * the flag's documentation promises "without sleepable-locks".
 *
 * The known bug (expect: buggy): V2 has no DEBUG_PAGEALLOC guard (V1
 * returns 0 under CONFIG_DEBUG_PAGEALLOC), so a page found on the pcp list
 * goes through prep_new_page() -> post_alloc_hook() -> kernel_map_pages().
 * On powerpc with the hash MMU, __kernel_map_pages() ->
 * kernel_map_linear_page() takes linear_map_hash_lock, a spinlock_t
 * (DEFINE_SPINLOCK) in v5.9: a sleeping lock on PREEMPT_RT, under the raw
 * krcp->lock of its kvfree_rcu() caller.  Rezki named it himself (#61)
 * and did not change V2.  Arch-specific: x86 skips cpa_lock when
 * debug_pagealloc is enabled (4K linear map, no split) and arm64 maps
 * through apply_to_page_range() without a lock; the model takes the
 * powerpc side because the thread does.  Later kernels made the lock a
 * raw_spinlock_t (Linux 6.1 hash_utils.c), which would make it legal.
 */
#include "../../ref/pagealloc/pa_internal.h"

static unsigned long nolocks_get_free_page(void)
{
	unsigned long addr;

	mm_lockless_enter();
	addr = __get_free_page(__GFP_NO_LOCKS);
	mm_lockless_exit();
	return addr;
}

static unsigned long nolocks_kvfree_get_page(void)
{
	if (mm_cur->preempt_rt)
		return 0;
	return nolocks_get_free_page();
}

static const struct pa_variant_ops nolocks_ops = {
	.name = "nolocks-flag",
	.gfp_no_locks = true,
	.kvfree_rt_bailout = true,
	.boot_prefill = true,
	.kvfree_get_page = nolocks_kvfree_get_page,
	.lockless_entry = nolocks_get_free_page,
};

static void *nolocks_create(const struct mm_config *cfg)
{
	return pa_create(cfg, &nolocks_ops);
}

const struct mm_variant pagealloc_nolocks_flag = {
	.name = "nolocks-flag",
	.family = "pagealloc",
	.reference = "v5.9",
	.models = "seed 002 V2 (#48) __GFP_NO_LOCKS / ALLOC_NO_LOCKS and its kvfree_rcu client",
	.expect = "buggy (powerpc hash MMU): with DEBUG_PAGEALLOC prep_new_page() maps the page under linear_map_hash_lock, a spinlock_t in v5.9 (Rezki #61)",
	.create = nolocks_create,
	.exec = pa_exec,
	.check = pa_check,
	.observe = pa_observe,
	.dump = pa_dump,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pagealloc family's executor: one meaning per op, for every variant.
 * It decodes an op's arguments (through the named constants of
 * pagealloc_family.h), sets up what the caller's context makes known, and
 * calls the port's typed entry points (pa_port.h).  A port without an entry
 * point lacks that feature: the op is skipped (status 1) the same way for
 * every variant.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include "pagealloc_family.h"
#include "pa_port.h"

/*
 * The gfp bit the __GFP_NO_LOCKS revision adds ("[RFC-PATCH 2/4] mm: Add
 * __rcu_alloc_page_lockless() func.", the diff posted in its thread: ___GFP_NO_LOCKS
 * 0x800000u).  In v5.9 the same bit is ___GFP_NOLOCKDEP with LOCKDEP and
 * outside __GFP_BITS_MASK without it: every revision receives the same
 * bits and gives them its own meaning.
 */
#define PA_GFP_BIT_NO_LOCKS	((gfp_t)0x800000u)

static gfp_t pa_gfp_of(unsigned int choice)
{
	switch (choice) {
	case PA_GFP_KERNEL:		return GFP_KERNEL;
	case PA_GFP_NOWAIT:		return GFP_NOWAIT | __GFP_NOWARN;
	case PA_GFP_ATOMIC:		return GFP_ATOMIC;
	case PA_GFP_ZERO_MASK:		return 0;
	case PA_GFP_NO_LOCKS:		return PA_GFP_BIT_NO_LOCKS;
	case PA_GFP_NO_LOCKS_RECLAIM:	return PA_GFP_BIT_NO_LOCKS | __GFP_RECLAIM;
	case PA_GFP_NO_LOCKS_ZERO:	return PA_GFP_BIT_NO_LOCKS | __GFP_ZERO;
	default:			return GFP_NOWAIT;
	}
}

/* the mobility flag of an allocation op's mt argument */
static gfp_t pa_gfp_mt(unsigned int mt)
{
	return mt == PA_MT_MOVABLE ? __GFP_MOVABLE :
	       mt == PA_MT_RECLAIMABLE ? __GFP_RECLAIMABLE : 0;
}

static const char *cur_entry = "boot";

const char *pa_exec_entry(void)
{
	return cur_entry;
}

static const char *const entry_of[] = {
	[PA_OP_PAGE_ALLOC] = "__alloc_pages_nodemask",
	[PA_OP_PAGE_FREE] = "__free_pages",
	[PA_OP_LOCKLESS_ALLOC] = "kvfree_call_rcu_add_ptr_to_bulk",
	[PA_OP_KVFREE_RCU] = "kvfree_call_rcu",
	[PA_OP_RCU_GP] = "rcu_do_batch",
	[PA_OP_RUN_WORK] = "process_one_work",
	[PA_OP_DRAIN_LOCAL] = "drain_local_pages",
	[PA_OP_DRAIN_ALL] = "drain_all_pages",
	[PA_OP_FAIL_NEXT] = "should_fail_alloc_page",
	[PA_OP_INJECT_BAD_PAGE] = "check_new_page",
	[PA_OP_SET_PCP] = "pageset_update",
	[PA_OP_KSWAPD] = "balance_pgdat",
	[PA_OP_PAGE_ALLOC_BULK] = "__alloc_pages_nodemask",
	[PA_OP_PAGE_FREE_EVERY] = "__free_pages",
	[PA_OP_QUIET] = "process_one_work",
};

/* lock reports that are the caller's, the same in every revision */
#define CALLER_REPORTS ((1u << MM_LR_SLEEP_IN_ATOMIC) | (1u << MM_LR_INVALID_WAIT_CTX))

static bool caller_atomic(void)
{
	const struct mm_cpu *c = mm_this_cpu();

	return c->irqs_disabled || c->preempt_count || c->raw_locks_held ||
	       c->spin_locks_held;
}

static const char *zname(const struct pa_port *p, void *inst, int zid)
{
	if (zid < 0)
		return "fail";
	return p->zone_name ? p->zone_name(inst, zid) : pa_zone_names[zid];
}

static void page_res(struct mm_opres *res, const struct pa_page *pg)
{
	res->val[0] = pg->pfn >= 0 ? pg->zid : -1;
	res->val[1] = pg->pfn;
	res->val[2] = pg->order;
	res->val[3] = pg->pfn < 0 && pg->injected;
	if (pg->pfn < 0)
		res->status = -ENOMEM;
}

#define SKIP(what) do { \
	res->status = 1; \
	snprintf(res->text, sizeof(res->text), "skipped: this revision has no %s", what); \
} while (0)

static void op_run_work(const struct mm_op *op, struct mm_opres *res)
{
	struct mm_workqueue *wq = &mm_cur->system_wq;
	size_t n = 0;
	int ran = 0;

	/* one item at a time (same FIFO order) to name what ran */
	n += (size_t)snprintf(res->text, sizeof(res->text), "ran:");
	while (ran < (int)op->arg[PA_RUN_WORK_n] && wq->head) {
		const char *name = wq->head->name ? wq->head->name : "?";

		if (n < sizeof(res->text))
			n += (size_t)snprintf(res->text + n, sizeof(res->text) - n, " %s", name);
		cur_entry = name;
		if (!mm_run_workqueue(wq, 1))
			break;	/* the head runs already (in a stopped task) */
		ran++;
	}
	res->val[0] = ran;
	if (!ran) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "no work pending");
	}
}

/* n allocations of one kind, as a caller filling an array of pages would */
static void op_alloc_bulk(const struct pa_port *p, void *inst, const struct mm_op *op,
			  gfp_t gfp, struct mm_opres *res)
{
	unsigned int order = op->arg[PA_PAGE_ALLOC_BULK_order];
	uint32_t n = op->arg[PA_PAGE_ALLOC_BULK_n], i;
	struct pa_page pg = { -1, -1, 0, false };

	for (i = 0; i < n; i++) {
		pg = p->alloc_pages(inst, gfp, order);
		if (pg.pfn < 0)
			break;
		res->val[1] = (res->val[1] * 31 + pg.zid * 1000003L + pg.pfn) % 2147483647L;
	}
	res->val[0] = i;
	res->val[2] = order;
	if (i < n) {
		res->status = -ENOMEM;
		res->val[3] = pg.injected;
	}
	snprintf(res->text, sizeof(res->text), "page_alloc_bulk order %u gfp %#x: %u of %u%s, placement %ld",
		 order, gfp, i, n, i < n ? " (ENOMEM)" : "", res->val[1]);
}

/* every k-th live page, newest first so the lower indices stay in place */
static void op_free_every(const struct pa_port *p, void *inst, const struct mm_op *op,
			  struct mm_opres *res)
{
	uint32_t k = op->arg[PA_PAGE_FREE_EVERY_k], phase = op->arg[PA_PAGE_FREE_EVERY_phase] % k;
	int n = 0;

	for (int i = p->nr_live(inst) - 1; i >= 0; i--) {
		struct pa_page pg;

		if ((uint32_t)i % k != phase)
			continue;
		pg = p->free_live_page(inst, (unsigned int)i);
		res->val[1] = (res->val[1] * 31 + pg.zid * 1000003L + pg.pfn) % 2147483647L;
		n++;
	}
	res->val[0] = n;
	if (!n) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "no live page");
		return;
	}
	snprintf(res->text, sizeof(res->text), "freed %d pages (every %u from %u), %d live",
		 n, k, phase, p->nr_live(inst));
}

static bool rcu_callbacks_pending(void)
{
	return mm_cur->rcu_head_list != NULL;
}

/*
 * Deferred work until quiet: a round runs the work items pending at its
 * start (an item that queues itself again waits for the next round), then
 * ends a grace period if RCU callbacks wait; at most n rounds.
 */
static void op_quiet(const struct mm_op *op, struct mm_opres *res)
{
	struct mm_workqueue *wq = &mm_cur->system_wq;
	uint32_t rounds = 0, n = op->arg[PA_QUIET_n];

	while (rounds < n && (wq->head || rcu_callbacks_pending())) {
		long pending = 0;

		for (struct work_struct *w = wq->head; w && pending < 1 << 20; w = w->next)
			pending++;
		for (long i = 0; i < pending && wq->head; i++) {
			cur_entry = wq->head->name ? wq->head->name : "?";
			if (!mm_run_workqueue(wq, 1))
				break;	/* the head runs already (in a stopped task) */
			res->val[0]++;
		}
		if (rcu_callbacks_pending()) {
			cur_entry = "rcu_do_batch";
			mm_rcu_gp();
			res->val[1]++;
		}
		rounds++;
	}
	res->val[2] = wq->head || rcu_callbacks_pending();
	if (!rounds) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "already quiet");
		return;
	}
	snprintf(res->text, sizeof(res->text), "%u rounds: %ld work items, %ld grace periods, %s",
		 rounds, res->val[0], res->val[1], res->val[2] ? "still busy" : "quiet");
}

void pa_exec(void *inst, const struct mm_op *op, struct mm_opres *res)
{
	const struct pa_port *p = *(const struct pa_port *const *)inst;
	unsigned int saved_known = mm_cur->known_lock_reports;
	struct pa_page pg;

	if (p->enter)
		p->enter(inst);
	cur_entry = op->id < ARRAY_SIZE(entry_of) && entry_of[op->id] ? entry_of[op->id] : "?";
	switch (op->id) {
	case PA_OP_PAGE_ALLOC:
	case PA_OP_PAGE_FREE:
	case PA_OP_DRAIN_LOCAL:
	case PA_OP_LOCKLESS_ALLOC:
	case PA_OP_PAGE_ALLOC_BULK:
	case PA_OP_PAGE_FREE_EVERY:
		/*
		 * A caller of the page allocator from atomic context gets what
		 * v5.9 gives it there: its SLEEP_IN_ATOMIC / INVALID_WAIT_CTX
		 * reports are the caller's and are noted, in every variant.
		 * What a revision promises lockless is checked regardless
		 * (LOCK_IN_LOCKLESS_PATH is never masked).
		 */
		if (caller_atomic())
			mm_cur->known_lock_reports |= CALLER_REPORTS;
		break;
	default:
		break;
	}

	switch (op->id) {
	case PA_OP_PAGE_ALLOC: {
		unsigned int order = op->arg[PA_PAGE_ALLOC_order];
		gfp_t gfp = pa_gfp_of(op->arg[PA_PAGE_ALLOC_gfp]);

		gfp |= pa_gfp_mt(op->arg[PA_PAGE_ALLOC_mt]);
		if (!p->alloc_pages) {
			SKIP("__alloc_pages_nodemask()");
			break;
		}
		pg = p->alloc_pages(inst, gfp, order);
		page_res(res, &pg);
		snprintf(res->text, sizeof(res->text), "page_alloc order %u gfp %#x -> %s pfn %ld",
			 order, gfp, zname(p, inst, pg.zid), pg.pfn);
		break;
	}
	case PA_OP_PAGE_ALLOC_BULK: {
		gfp_t gfp = pa_gfp_of(op->arg[PA_PAGE_ALLOC_BULK_gfp]);

		gfp |= pa_gfp_mt(op->arg[PA_PAGE_ALLOC_BULK_mt]);
		if (!p->alloc_pages) {
			SKIP("__alloc_pages_nodemask()");
			break;
		}
		op_alloc_bulk(p, inst, op, gfp, res);
		break;
	}
	case PA_OP_PAGE_FREE_EVERY:
		if (!p->free_live_page || !p->nr_live) {
			SKIP("__free_pages()");
			break;
		}
		op_free_every(p, inst, op, res);
		break;
	case PA_OP_QUIET:
		op_quiet(op, res);
		break;
	case PA_OP_PAGE_FREE:
		if (!p->free_live_page) {
			SKIP("__free_pages()");
			break;
		}
		pg = p->free_live_page(inst, op->arg[PA_PAGE_FREE_k]);
		if (pg.pfn < 0) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "no live page");
			break;
		}
		res->val[0] = pg.zid;
		res->val[1] = pg.pfn;
		res->val[2] = pg.order;
		snprintf(res->text, sizeof(res->text), "page_free pfn %ld order %u", pg.pfn,
			 pg.order);
		break;
	case PA_OP_LOCKLESS_ALLOC:
		if (!p->kvfree_block_page) {
			SKIP("kvfree_rcu() block-page allocation");
			break;
		}
		pg = p->kvfree_block_page(inst);
		page_res(res, &pg);
		snprintf(res->text, sizeof(res->text), "lockless_alloc -> %s pfn %ld",
			 zname(p, inst, pg.zid), pg.pfn);
		break;
	case PA_OP_KVFREE_RCU: {
		struct pa_kvfree_res kr = { 0 };

		if (!p->kvfree_rcu) {
			SKIP("kvfree_rcu()");
			break;
		}
		p->kvfree_rcu(inst, (int)op->arg[PA_KVFREE_RCU_nargs],
			      (int)op->arg[PA_KVFREE_RCU_nobj], &kr);
		res->val[0] = kr.via_block;
		res->val[1] = kr.via_head;
		res->val[2] = kr.via_sync;
		res->val[3] = kr.block_pages_failed;
		snprintf(res->text, sizeof(res->text),
			 "kvfree_rcu block %ld head %ld sync %ld (block pages failed %ld, cache %d)",
			 kr.via_block, kr.via_head, kr.via_sync, kr.block_pages_failed, kr.cache);
		break;
	}
	case PA_OP_RCU_GP:
		mm_rcu_gp();
		snprintf(res->text, sizeof(res->text), "grace period %lu ended",
			 mm_cur->rcu_gp_seq);
		break;
	case PA_OP_RUN_WORK:
		op_run_work(op, res);
		break;
	case PA_OP_DRAIN_LOCAL:
		if (!p->drain_local_pages) {
			SKIP("drain_local_pages()");
			break;
		}
		p->drain_local_pages(inst);
		break;
	case PA_OP_DRAIN_ALL:
		if (!p->drain_all_pages) {
			SKIP("drain_all_pages()");
			break;
		}
		p->drain_all_pages(inst);
		break;
	case PA_OP_FAIL_NEXT:
		/* sets the count, as the op's help says */
		mm_cur->fail_next[op->arg[PA_FAIL_NEXT_kind] == PA_FAIL_PAGE_ALLOC ?
				  MM_FAIL_PAGE_ALLOC : MM_FAIL_KMALLOC] =
			(int)op->arg[PA_FAIL_NEXT_n];
		break;
	case PA_OP_INJECT_BAD_PAGE: {
		long pfn;

		if (!p->inject_bad_page) {
			SKIP("check_new_page() injection");
			break;
		}
		pfn = p->inject_bad_page(inst, (int)op->arg[PA_INJECT_BAD_PAGE_cpu],
					 (int)op->arg[PA_INJECT_BAD_PAGE_zone],
					 (int)op->arg[PA_INJECT_BAD_PAGE_mt],
					 op->arg[PA_INJECT_BAD_PAGE_pos]);
		if (pfn < 0) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "empty pcp list");
			break;
		}
		res->val[1] = pfn;
		snprintf(res->text, sizeof(res->text), "bad page pfn %ld", pfn);
		break;
	}
	case PA_OP_SET_PCP:
		if (!p->set_pcp) {
			SKIP("pcp high/batch update");
			break;
		}
		p->set_pcp(inst, op->arg[PA_SET_PCP_high_mult], op->arg[PA_SET_PCP_batch]);
		break;
	case PA_OP_KSWAPD:
		if (!p->kswapd_run) {
			SKIP("kswapd");
			break;
		}
		if (!p->kswapd_run(inst)) {
			res->status = 1;
			snprintf(res->text, sizeof(res->text), "kswapd asleep");
		} else {
			snprintf(res->text, sizeof(res->text), "kswapd ran balance_pgdat()");
		}
		break;
	default:
		res->status = 1;
		break;
	}
	mm_cur->known_lock_reports = saved_known;
}

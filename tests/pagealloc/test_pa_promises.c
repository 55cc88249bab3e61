// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-cpu lists' interrupt contract (lockdep_assert_irqs_disabled() at
 * v5.9's __rmqueue_pcplist() and free_unref_page_commit(), and at the
 * lockless patch's __rmqueue_lockless()): a KERNEL_WARN when a caller
 * reaches them with interrupts on, silent under local_irq_save() and on
 * PREEMPT_RT (whose local lock protects the lists); and the bulk ops
 * (page_alloc_bulk, page_free_every, quiet).  The lockless revision's
 * source is built into this file: it carries v5.9's page allocator too.
 */
#define PA_TEST_PORT	"../../impl/pagealloc/lockless.c"
#define PA_VARIANT	lockless_promises
#include "pa_test.h"

static struct per_cpu_pages *pcp_of(struct zone *zone)
{
	return this_cpu_pcp(zone);
}

static void rmqueue_irqs_on(struct pa_state *st)
{
	struct zone *zone = st->zonelist[0];
	struct per_cpu_pages *pcp = pcp_of(zone);

	__rmqueue_pcplist(zone, MIGRATE_MOVABLE, 0, pcp, &pcp->lists[MIGRATE_MOVABLE]);
}

static void rmqueue_irqs_off(struct pa_state *st)
{
	unsigned long flags;

	local_irq_save(flags);
	rmqueue_irqs_on(st);
	local_irq_restore(flags);
}

static void lockless_irqs_on(struct pa_state *st)
{
	struct zone *zone = st->zonelist[0];

	__rmqueue_lockless(zone, pcp_of(zone));
}

static void lockless_irqs_off(struct pa_state *st)
{
	unsigned long flags;

	local_irq_save(flags);
	lockless_irqs_on(st);
	local_irq_restore(flags);
}

/* the caller's page 0 back onto the pcp list, interrupts on */
static void commit_irqs_on(struct pa_state *st)
{
	struct page *page = st->users[0].page;

	st->nr_users = 0;
	free_unref_page_commit(page, page->pfn);
}

static void test_irq_contract(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	if (pa_new(&in, &lockless_promises, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, rmqueue_irqs_on, false), "KERNEL_WARN"));
		CHECK(strstr(in.m.detail, "lockdep_assert_irqs_disabled") != NULL);
		CHECK(!strcmp(in.m.where, "__rmqueue_pcplist"));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &lockless_promises, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, rmqueue_irqs_off, false), ""));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &lockless_promises, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, lockless_irqs_on, false), "KERNEL_WARN"));
		CHECK(!strcmp(in.m.where, "__rmqueue_lockless"));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &lockless_promises, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, lockless_irqs_off, false), ""));
		mm_instance_destroy(&in);
	}
	if (pa_new(&in, &lockless_promises, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL,
						PA_MT_MOVABLE, 0), NULL), ""));
		CHECK(!strcmp(pa_inside(&in, commit_irqs_on, false), "KERNEL_WARN"));
		CHECK(!strcmp(in.m.where, "free_unref_page_commit"));
		mm_instance_destroy(&in);
	}
	/* PREEMPT_RT: the local lock, not the interrupt flag, protects them */
	cfg.v[PA_CFG_preempt_rt] = 1;
	if (pa_new(&in, &lockless_promises, &cfg)) {
		CHECK(!strcmp(pa_inside(&in, rmqueue_irqs_on, false), ""));
		mm_instance_destroy(&in);
	}
}

static struct mm_op bulk_op(uint32_t n)
{
	struct mm_op op = pa_op(PA_OP_PAGE_ALLOC_BULK, 0, 0, PA_GFP_KERNEL, PA_MT_MOVABLE,
				MM_CTX_PROCESS);

	op.arg[PA_PAGE_ALLOC_BULK_n] = n;
	return op;
}

static void test_bulk_ops(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();
	struct mm_opres r;

	if (!pa_new(&in, &lockless_promises, &cfg))
		return;
	memset(&r, 0, sizeof(r));
	CHECK(!strcmp(pa_do(&in, bulk_op(10), &r), ""));
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[0], 10);
	CHECK_EQ(((struct pa_state *)in.inst)->nr_users, 10);
	memset(&r, 0, sizeof(r));
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_FREE_EVERY, 0, 3, 1, MM_CTX_PROCESS, 0), &r), ""));
	CHECK_EQ(r.val[0], 3);				/* indices 1, 4, 7 */
	CHECK_EQ(((struct pa_state *)in.inst)->nr_users, 7);
	/* two blocks of 16 pages: the bulk stops at the first failure */
	memset(&r, 0, sizeof(r));
	CHECK(!strcmp(pa_do(&in, bulk_op(64), &r), ""));
	CHECK_EQ(r.status, -ENOMEM);
	CHECK(r.val[0] < 64);
	memset(&r, 0, sizeof(r));
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_FREE_EVERY, 0, 1, 0, MM_CTX_PROCESS, 0), &r), ""));
	CHECK_EQ(((struct pa_state *)in.inst)->nr_users, 0);

	/* kvfree_rcu: its work and a grace period free everything */
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 5, MM_CTX_PROCESS, 0), NULL), ""));
	memset(&r, 0, sizeof(r));
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_QUIET, 0, 8, 0, 0, 0), &r), ""));
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.val[2], 0);				/* quiet */
	CHECK(r.val[1] >= 1);				/* a grace period ended */
	CHECK_EQ(((struct pa_state *)in.inst)->kv_freed, 5);
	memset(&r, 0, sizeof(r));
	CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_QUIET, 0, 8, 0, 0, 0), &r), ""));
	CHECK_EQ(r.status, 1);				/* already quiet */
	mm_instance_destroy(&in);
}

int main(void)
{
	test_irq_contract();
	test_bulk_ops();
	return test_done("test_pa_promises");
}

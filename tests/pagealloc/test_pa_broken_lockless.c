// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lockless revision's own invariants (LOCKLESS_BUDDY, LOCKLESS_PICK)
 * fire on purpose-broken copies of its port: the lockless_alloc op's
 * function replaced by one that refills from the buddy, or by one that
 * never finds a page.  Mode 0 is the posted __rcu_alloc_page_lockless().
 */
#define PA_LOCKLESS_FN	test_lockless_fn
static unsigned long test_lockless_fn(void);
#define PA_TEST_PORT	"../../impl/pagealloc/lockless.c"
#define PA_VARIANT	lockless_under_test
#include "pa_test.h"

static int mode;

static unsigned long test_lockless_fn(void)
{
	switch (mode) {
	case 1:
		return __get_free_page(GFP_NOWAIT | __GFP_NOWARN);	/* refills */
	case 2:
		return 0;						/* gives up */
	default:
		return __rcu_alloc_page_lockless();
	}
}

static void test_broken(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	for (mode = 0; mode < 2; mode++) {
		if (!pa_new(&in, &lockless_under_test, &cfg))
			return;
		/* empty pcp lists: the posted code fails, the refilling one takes zone->lock */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      mode ? "LOCKLESS_BUDDY" : ""));
		mm_instance_destroy(&in);
	}
	mode = 2;
	if (pa_new(&in, &lockless_under_test, &cfg)) {
		/* empty pcp lists: failing is right */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL), ""));
		pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_KERNEL, MIGRATE_MOVABLE, 0), NULL);
		/* Normal's movable list holds 17, 18, 19: failing now is not */
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_LOCKLESS_ALLOC, 0, 0, 0, 0, 0), NULL),
			      "LOCKLESS_PICK"));
		mm_instance_destroy(&in);
	}
	mode = 0;
}

int main(void)
{
	test_broken();
	return test_done("test_pa_broken_lockless");
}

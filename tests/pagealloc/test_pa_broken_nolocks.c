// SPDX-License-Identifier: GPL-2.0-only
/*
 * NO_LOCKS_PATH fires on a purpose-broken copy of the __GFP_NO_LOCKS port
 * whose allocation path lacks the diff's hooks (rmqueue_bulk() and the slow
 * path are v5.9's), and stays silent on the port as posted.
 */
#define PA_TEST_WITHOUT_HOOKS
#define PA_TEST_PORT	"../../impl/pagealloc/nolocks_flag.c"
#define PA_VARIANT	nolocks_without_hooks
#include "pa_test.h"

static void test_hooks(void)
{
	struct mm_instance in;
	struct mm_config cfg = pa_cfg();

	/* watermarks above the free pages: the fast path fails without a lock */
	cfg.v[PA_CFG_wmark_min] = 32;
	if (pa_new(&in, &nolocks_without_hooks, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NO_LOCKS, 0, 0), NULL),
			      "NO_LOCKS_PATH"));
		mm_instance_destroy(&in);
	}
	/* the posted diff under the same conditions */
	if (pa_new(&in, &pagealloc_nolocks_flag, &cfg)) {
		CHECK(!strcmp(pa_do(&in, pa_op(PA_OP_PAGE_ALLOC, 0, 0, PA_GFP_NO_LOCKS, 0, 0), NULL), ""));
		mm_instance_destroy(&in);
	}
}

int main(void)
{
	test_hooks();
	return test_done("test_pa_broken_nolocks");
}

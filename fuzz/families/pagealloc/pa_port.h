/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entry points a pagealloc port provides to the family's executor
 * (pa_exec.c), typed.  The executor owns the op semantics: it decodes the
 * arguments, sets up the caller's context, and calls these; a port that
 * leaves one NULL is a revision without that feature, and the op is
 * skipped (status 1) in the same way for every variant.
 *
 * An instance (what mm_variant.create returns) starts with a pointer to
 * its port's struct pa_port; the executor reads nothing else of it.
 */
#ifndef MM_PA_PORT_H
#define MM_PA_PORT_H

#include <stdbool.h>
#include <linux/types.h>
#include <mm/harness.h>

/* a page (block) an entry handed out or took back */
struct pa_page {
	int zid;		/* zone index, -1: none */
	long pfn;		/* -1: none */
	unsigned int order;
	bool injected;		/* an allocation failed by fail_next */
};

/* what nobj kvfree_rcu() calls did */
struct pa_kvfree_res {
	long via_block, via_head, via_sync;	/* objects by path */
	long block_pages_failed;		/* block-page allocations that failed */
	int cache;				/* this CPU's bnode cache afterwards */
};

struct pa_port {
	/* every op starts here: the port's kernel is now @inst (work and RCU callbacks too) */
	void (*enter)(void *inst);
	/* __alloc_pages_nodemask(gfp_mask, order); the page stays the caller's */
	struct pa_page (*alloc_pages)(void *inst, gfp_t gfp_mask, unsigned int order);
	/* __free_pages() of the caller's live page idx % nr_live; pfn -1: none */
	struct pa_page (*free_live_page)(void *inst, unsigned int idx);
	/*
	 * the page allocation kvfree_call_rcu_add_ptr_to_bulk() makes for a
	 * new pointer block when the bnode cache is empty, made directly
	 */
	struct pa_page (*kvfree_block_page)(void *inst);
	/* nobj kvfree_rcu(ptr) (nargs 1) or kvfree_rcu(ptr, rh) (nargs 2) */
	void (*kvfree_rcu)(void *inst, int nargs, int nobj, struct pa_kvfree_res *r);
	void (*drain_local_pages)(void *inst);
	void (*drain_all_pages)(void *inst);
	/* check_new_page() fails for page pos % len of a pcp list; pfn or -1 */
	long (*inject_bad_page)(void *inst, int cpu, int zid, int mt, unsigned int pos);
	/* a pcp high/batch update on every pageset (see the op's help) */
	void (*set_pcp)(void *inst, unsigned int high_mult, unsigned int batch);
	/* kswapd runs balance_pgdat() once if woken; false: it was asleep */
	bool (*kswapd_run)(void *inst);
	/* the caller's live pages (what free_live_page picks from) */
	int (*nr_live)(void *inst);
	/* zone names for the trace */
	const char *(*zone_name)(void *inst, int zid);
};

void pa_exec(void *inst, const struct mm_op *op, struct mm_opres *res);
/* the kernel function the op being run entered (for the ports' checks) */
const char *pa_exec_entry(void);
#endif

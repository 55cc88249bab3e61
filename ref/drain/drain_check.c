// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drain family's per-variant invariants after every op, observables
 * and the -v state dump.  (PAGES_NOT_DRAINED and DRAIN_SKIPPED_BY_OWNER
 * are checked where the drain returns, in drain_model.c.)
 */
#include <stdio.h>
#include <string.h>

#include "drain_internal.h"

static void check_pages(struct dr_state *s)
{
	long loc[DR_NR_ZONES][5] = { { 0 } };

	for (int i = 0; i < s->nr_pages; i++) {
		const struct page *p = &s->pages[i];

		if (p->loc < 0 || p->loc > DR_LOC_WORK)
			mm_violation("CONSERVATION", "dr_check", "page %d in no known place", i);
		loc[p->zone][p->loc]++;
		if (p->loc == DR_LOC_PCP && !cpu_online(p->cpu))
			mm_violation("CONSERVATION", "dr_check",
				     "page %d stranded on the pcp list of offline CPU %d", i, p->cpu);
	}
	for (int z = 0; z < s->nr_zones; z++) {
		struct zone *zone = &s->zones[z];
		long buddy = 0, pcp = 0;

		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			buddy += (long)list_count_nodes(&zone->free_list[mt]);
		if (buddy != zone->nr_free || buddy != loc[z][DR_LOC_BUDDY])
			mm_violation("PCP_COUNT", "dr_check",
				     "%s: NR_FREE_PAGES %ld, free lists %ld, pages in the buddy %ld",
				     zone->name, zone->nr_free, buddy, loc[z][DR_LOC_BUDDY]);
		for (int c = 0; c < MM_MAX_CPUS; c++) {
			struct per_cpu_pages *p = &zone->per_cpu_pageset[c];
			long n = 0;

			for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
				struct page *page;

				list_for_each_entry(page, &p->lists[mt], lru) {
					if (page->loc != DR_LOC_PCP || page->cpu != c || page->zone != z)
						mm_violation("CONSERVATION", "dr_check",
							     "a page on the %s pcp list of CPU %d is recorded elsewhere",
							     zone->name, c);
					n++;
				}
			}
			if (n != p->count)
				mm_violation("PCP_COUNT", "dr_check",
					     "%s CPU %d: pcp->count %d, %ld pages on its lists",
					     zone->name, c, p->count, n);
			pcp += n;
		}
		if (buddy + pcp + loc[z][DR_LOC_USER] + loc[z][DR_LOC_SLAB] + loc[z][DR_LOC_WORK] !=
		    zone->present_pages || pcp != loc[z][DR_LOC_PCP])
			mm_violation("CONSERVATION", "dr_check",
				     "%s: buddy %ld + pcp %ld + user %ld + slab %ld + work %ld != %ld present",
				     zone->name, buddy, pcp, loc[z][DR_LOC_USER], loc[z][DR_LOC_SLAB],
				     loc[z][DR_LOC_WORK], zone->present_pages);
	}
	if (loc[0][DR_LOC_USER] + loc[1][DR_LOC_USER] != s->user_pages ||
	    s->nr_live != s->user_pages ||
	    loc[0][DR_LOC_SLAB] + loc[1][DR_LOC_SLAB] != s->slab_pages ||
	    loc[0][DR_LOC_WORK] + loc[1][DR_LOC_WORK] != s->work_pages)
		mm_violation("CONSERVATION", "dr_check",
			     "user %ld (live %d), slab %ld, work %ld disagree with the pages",
			     s->user_pages, s->nr_live, s->slab_pages, s->work_pages);
}

static void check_workers(struct dr_state *s)
{
	if (!s->vops->kthreads || !s->init_late_done)
		return;
	for (int cpu = 0; cpu < s->nr_cpus; cpu++) {
		struct kthread_worker *w = s->vops->worker(cpu);

		if (cpu_online(cpu) && !w && !s->kt_create_failed[cpu])
			mm_violation("WORKER_MISSING", "dr_check",
				     "online CPU %d has no pg_drain worker and none failed to be created", cpu);
		if (!cpu_online(cpu) && w)
			mm_violation("WORKER_MISSING", "dr_check",
				     "offline CPU %d still has a pg_drain worker", cpu);
		if (w && w != s->kt_live[cpu])
			mm_violation("WORKER_MISSING", "dr_check",
				     "the pg_drain worker of CPU %d is not the one bound there", cpu);
	}
}

void dr_check(void *inst)
{
	struct dr_state *s = inst;

	dr_G = s;
	check_pages(s);
	check_workers(s);
	for (int cpu = 0; cpu < s->nr_cpus; cpu++)
		if (s->vops->drain_pending(cpu))
			mm_violation("DOUBLE_QUEUE", "dr_check",
				     "the drain work of CPU %d is pending at the end of the op", cpu);
}

void dr_observe(void *inst, void *obs_)
{
	struct dr_state *s = inst;
	struct dr_obs *o = obs_;
	long pending = 0;

	dr_G = s;
	memset(o, 0, sizeof(*o));
	for (int z = 0; z < s->nr_zones; z++) {
		o->nr_free[z] = s->zones[z].nr_free;
		o->free_before[z] = s->free_before_op[z];
		o->work_before[z] = s->work_before_op[z];
		for (int c = 0; c < MM_MAX_CPUS; c++) {
			o->pcp_count[c][z] = s->zones[z].per_cpu_pageset[c].count;
			o->pcp_before[c][z] = s->pcp_before_op[c][z];
			/* drained during this op, then given a page back */
			o->freed_after_drain[c][z] = s->drained_gen[c][z] > s->drain_gen_before_op &&
						     s->freed_after_drain[c][z];
		}
	}
	for (int c = 0; c < MM_MAX_CPUS; c++)
		for (const struct work_struct *w = s->pool[c].head; w; w = w->next)
			pending++;
	o->user_pages = s->user_pages;
	o->slab_pages = s->slab_pages;
	o->work_pages = s->work_pages;
	o->pool_pending = pending;
	o->online_mask = (long)s->online.bits;
	o->workers = s->nr_workers;
	o->drain_calls = s->drain_calls;
	o->drain_early = s->drain_early;
	o->reclaim_drains = s->reclaim_drains;
	o->last_drain_ticks = s->last_drain_ticks;
	o->drain_ticks_total = s->drain_ticks_total;
	o->ticks = s->ticks;
}

void dr_dump(void *inst, char *buf, size_t len)
{
	struct dr_state *s = inst;
	size_t n = 0;

	dr_G = s;
#define OUT(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	OUT("online=%#lx init_late=%d workers=%d user=%ld slab=%ld work=%ld pcpu_drain_mutex=%s ticks=%ld\n",
	    s->online.bits, s->init_late_done, s->nr_workers, s->user_pages, s->slab_pages,
	    s->work_pages, mutex_is_locked(&pcpu_drain_mutex) ? "held" : "free", s->ticks);
	for (int z = 0; z < s->nr_zones; z++) {
		OUT("%-6s free %ld (min %ld low %ld) pcp", s->zones[z].name, s->zones[z].nr_free,
		    s->zones[z].wmark_min, s->zones[z].wmark_low);
		for (int c = 0; c < s->nr_cpus; c++)
			OUT(" %d", s->zones[z].per_cpu_pageset[c].count);
		OUT("\n");
	}
	OUT("cpu online worker fifo failed pool hogs\n");
	for (int c = 0; c < s->nr_cpus; c++) {
		struct kthread_worker *w = s->vops->worker ? s->vops->worker(c) : NULL;
		long pend = 0;

		for (const struct work_struct *x = s->pool[c].head; x; x = x->next)
			pend++;
		OUT("%3d %6d %6s %4s %6d %4ld %4d\n", c, cpu_online(c), w ? "yes" : "-",
		    w && w->task->policy == SCHED_FIFO ? "yes" : "-", s->kt_create_failed[c], pend,
		    s->nr_hogs[c]);
	}
#undef OUT
}

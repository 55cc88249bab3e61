// SPDX-License-Identifier: GPL-2.0-only
/* State coverage in libFuzzer's extra counters; see statecov.h. */
#include <stdint.h>
#include <string.h>

#include <mm/nocov.h>
#include <linux/workqueue.h>
#include "statecov.h"

#define SC_COUNTERS	(1 << 14)
#define SC_MAX_VALUES	24	/* quantities per state: observables, then the machine's */

/* libFuzzer reads (and clears before each input) every byte of this section */
__attribute__((section("__libfuzzer_extra_counters"), used))
static uint8_t sc_counters[SC_COUNTERS];

static bool sc_tasks;

MM_NOCOV_BEGIN

/* 0, 1, 2, 3-4, 5-8, 9-16, 17-64, more (negative: its own bucket) */
static unsigned int bucket(long v)
{
	if (v < 0)
		return 8;
	if (v <= 2)
		return (unsigned int)v;
	if (v <= 4)
		return 3;
	if (v <= 8)
		return 4;
	if (v <= 16)
		return 5;
	return v <= 64 ? 6 : 7;
}

static void hit(uint32_t key)
{
	key ^= key >> 15;
	key *= 0x2c1b3c6dU;
	key ^= key >> 12;
	sc_counters[key % SC_COUNTERS] = 1;
}

static bool is_digest(const char *name)
{
	size_t n = strlen(name);

	return n >= 7 && !strcmp(name + n - 7, "_digest");
}

/* FNV-1a of a scheduling point's name: the same on every build and run */
static uint32_t site_hash(const char *s)
{
	uint32_t h = 2166136261U;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619U;
	return h;
}

/*
 * Interleaved runs observe nothing, and the code a stopped task left
 * and the op that ran meanwhile are edges each on their own; the pair
 * (where a task stands, what ran beside it) is what a race needs: a
 * task stopped inside a map extension while a balance run frees its
 * chunk.  Features: each alive task's site alone, with the op just run,
 * and with the number of tasks alive.
 */
static void task_feedback(const struct mm_op *op, const struct mm_machine *m)
{
	const char *site[MM_MAX_TASKS];
	int nr = mm_tasks_sites(m, site, MM_MAX_TASKS);

	for (int i = 0; i < nr; i++) {
		uint32_t h = site_hash(site[i]) & 0x0fffffffU;

		hit(0x40000000U | h);
		hit(0x50000000U | (h ^ (uint32_t)(op->id + 1) * 0x9e3779b1U) >> 4);
		hit(0x60000000U | (h ^ (uint32_t)nr * 0x85ebca6bU) >> 4);
	}
}

static void state_feedback(const struct mm_family *fam, const struct mm_op *op,
			   const void *obs, const struct mm_machine *m)
{
	uint8_t b[SC_MAX_VALUES];
	long queued = 0;
	int n = 0;

	if (m->sched && sc_tasks)
		task_feedback(op, m);
	if (!obs)
		return;

	for (int i = 0; i < fam->nr_obs && n < SC_MAX_VALUES - 2; i++) {
		const struct mm_obsdesc *d = &fam->obs[i];

		if (is_digest(d->name))
			continue;
		for (int k = 0; k < d->count && k < 4 && n < SC_MAX_VALUES - 2; k++)
			b[n++] = (uint8_t)bucket(mm_obs_value(obs, d, k));
	}
	/* deferred work: queued items and RCU callbacks */
	for (const struct work_struct *w = m->system_wq.head; w && queued < 100; w = w->next)
		queued++;
	b[n++] = (uint8_t)bucket(queued);
	b[n++] = m->rcu_head_list != NULL;
	for (int i = 0; i < n; i++) {
		hit((uint32_t)i << 8 | b[i]);
		for (int j = i + 1; j < n; j++)
			hit(0x80000000U | (uint32_t)i << 20 | (uint32_t)j << 12 |
			    (uint32_t)b[i] << 4 | b[j]);
	}
}

MM_NOCOV_END

void mm_statecov_enable(bool tasks)
{
	sc_tasks = tasks;
	mm_state_feedback = state_feedback;
}

void mm_statecov_reset(void)
{
	memset(sc_counters, 0, sizeof(sc_counters));
}

unsigned int mm_statecov_hits(void)
{
	unsigned int n = 0;

	for (int i = 0; i < SC_COUNTERS; i++)
		n += sc_counters[i] != 0;
	return n;
}

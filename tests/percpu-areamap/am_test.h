/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test support for the area-map percpu ports (v3.17, v3.18): build a config
 * and ops, run one instance op by op, reach into its state (areamap.h) and
 * run its check() on a state a test has corrupted.
 */
#ifndef AM_TEST_H
#define AM_TEST_H

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "../../ref/percpu/v3.17/areamap.h"
#include "percpu_port.h"
#include <errno.h>

#include "driver.h"
#include "input.h"
#include "../test.h"


struct am_cfg {
	int nr_cpus, backend, unit_pages, budget, static_kb, reserved_kb,
	    dyn_kb, async;
};

static const struct am_cfg AM_DEFAULT = {
	.nr_cpus = 2, .backend = PCPU_BACKEND_VM, .unit_pages = 8,
	.budget = 4096, .static_kb = 4, .reserved_kb = 4, .dyn_kb = 12,
	.async = 1,
};

static inline struct mm_config am_config(struct am_cfg c)
{
	struct mm_config cfg = { 0 };

	cfg.v[PCPU_CFG_nr_cpus] = c.nr_cpus;
	cfg.v[PCPU_CFG_backend] = c.backend;
	cfg.v[PCPU_CFG_unit_pages] = c.unit_pages;
	cfg.v[PCPU_CFG_budget] = c.budget;
	cfg.v[PCPU_CFG_static_kb] = c.static_kb;
	cfg.v[PCPU_CFG_reserved_kb] = c.reserved_kb;
	cfg.v[PCPU_CFG_dyn_kb] = c.dyn_kb;
	cfg.v[PCPU_CFG_async] = c.async;
	return cfg;
}

/* create @variant ("v3.17"/"v3.18") with @c; aborts the test on failure */
static inline void am_start(struct mm_instance *in, const char *variant,
			    struct am_cfg c)
{
	const struct mm_variant *v = mm_variant_find("percpu", variant);
	struct mm_config cfg = am_config(c);

	if (!v || mm_instance_create(in, &percpu_family, v, &cfg)) {
		fprintf(stderr, "cannot create %s: %s\n", variant,
			v ? in->m.inv : "unknown variant");
		exit(1);
	}
}

static inline struct pcpu_am_state *am_st(struct mm_instance *in)
{
	return pcpu_exec_port_inst(in->inst);
}

/* the executor's live table, writable (tests corrupt it on purpose) */
static inline struct pcpu_live *am_live(struct mm_instance *in)
{
	return (struct pcpu_live *)am_st(in)->live;
}

/* run one op; returns its status, or 100 when it violated an invariant */
static inline int am_op(struct mm_instance *in, int id, uint32_t a0, uint32_t a1,
			uint32_t a2, uint32_t a3, struct mm_opres *res)
{
	struct mm_op op = { .id = (uint8_t)id, .arg = { a0, a1, a2, a3, 0, 0 } };
	struct mm_opres tmp;

	if (!res)
		res = &tmp;
	if (mm_instance_exec(in, &op, res))
		return 100;
	return res->status;
}

static inline int am_alloc(struct mm_instance *in, uint32_t size, uint32_t shift,
			   bool atomic, struct mm_opres *res)
{
	return am_op(in, PCPU_OP_ALLOC, 0, size, shift, atomic, res);
}

static inline int am_free(struct mm_instance *in, uint32_t k)
{
	return am_op(in, PCPU_OP_FREE, 0, k, 0, 0, NULL);
}

/* the violation id of the instance, "" when none */
static inline const char *am_inv(struct mm_instance *in)
{
	return in->m.violated ? in->m.inv : "";
}

/* run check() now (after corrupting the state); returns the violation id */
static inline const char *am_run_check(struct mm_instance *in)
{
	jmp_buf jb;

	mm_machine_enter(&in->m);
	in->m.unwind = &jb;
	if (setjmp(jb)) {
		in->m.unwind = NULL;
		return in->m.inv;
	}
	in->v->check(in->inst);
	in->m.unwind = NULL;
	return "";
}

static inline struct pcpu_chunk *am_chunk(struct mm_instance *in, int id)
{
	struct pcpu_am_state *st = am_st(in);

	if (st->pcpu_reserved_chunk && st->pcpu_reserved_chunk->id == id)
		return st->pcpu_reserved_chunk;
	for (int s = 0; s < st->pcpu_nr_slots; s++)
		for (struct list_head *p = st->pcpu_slot[s].next;
		     p != &st->pcpu_slot[s]; p = p->next)
			if (list_entry(p, struct pcpu_chunk, list)->id == id)
				return list_entry(p, struct pcpu_chunk, list);
	return NULL;
}

/* which slot list holds @chunk, -1 if none */
static inline int am_slot_of(struct mm_instance *in, struct pcpu_chunk *chunk)
{
	struct pcpu_am_state *st = am_st(in);

	for (int s = 0; s < st->pcpu_nr_slots; s++)
		for (struct list_head *p = st->pcpu_slot[s].next;
		     p != &st->pcpu_slot[s]; p = p->next)
			if (p == &chunk->list)
				return s;
	return -1;
}

static inline bool am_balance_pending(struct mm_instance *in)
{
	return am_st(in)->pcpu_balance_work.pending;
}

static inline int am_count_map_extend_pending(struct mm_instance *in)
{
	int n = 0;

	for (struct work_struct *w = in->m.system_wq.head; w; w = w->next)
		n += strcmp(w->name, "pcpu_map_extend_workfn") == 0;
	return n;
}

static inline bool am_note_seen(struct mm_instance *in, const char *what)
{
	return in->m.notes.nr && strncmp(in->m.notes.last, what, strlen(what)) == 0;
}
#endif

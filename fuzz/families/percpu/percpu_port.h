/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The typed entry points a percpu port provides, and the family executor
 * (exec.c) that turns the family's ops into calls of them.
 *
 * The executor owns every op's meaning, for both eras alike: which live
 * allocation free/deflate pick, the contents written and checked, the
 * inflate and deflate loops, fault injection, the budget, and the checks
 * that hold for every version (contents, atomic allocations populate
 * nothing, the balance work promised by asynchronous population).  A port
 * is kernel code plus these entry points; an optional entry point left
 * NULL means the version lacks the feature, and its op is skipped the same
 * way for every variant.
 */
#ifndef MM_PERCPU_PORT_H
#define MM_PERCPU_PORT_H

#include <linux/gfp.h>
#include <linux/workqueue.h>
#include "percpu_family.h"
#include "percpu_live.h"

struct pcpu_port {
	/*
	 * Boot on mm_cur from the config (pcpu_setup_first_chunk()); the
	 * executor's live table is what the port's checks compare against.
	 * The first chunk is boot memory: the port adds its pages to the
	 * budget (memblock is not the runtime page supply the budget models)
	 * and returns how many it added in *boot_pages.
	 */
	void *(*create)(const struct mm_config *cfg, const struct pcpu_live *live,
			long *boot_pages);
	/* __alloc_percpu_gfp() or __alloc_reserved_percpu(): NULL on failure */
	void *(*alloc)(void *inst, size_t size, size_t align, bool reserved, gfp_t gfp);
	/* free_percpu() */
	void (*free)(void *inst, void *ptr);
	/* pcpu_chunk_addr_search(): chunk id (first 0, reserved -1) and unit offset */
	void (*locate)(void *inst, void *ptr, int *chunk_id, long *unit_off);
	/*
	 * Where byte @off of @ptr's area lives in @cpu's unit, and in *@len
	 * how many bytes follow it on the same page; NULL if not populated.
	 */
	char *(*unit_addr)(void *inst, void *ptr, int cpu, long off, long *len);
	/*
	 * Optional: unit_addr() in two steps, so that the contents code looks
	 * an area's chunk up once per allocation instead of once per page and
	 * unit: unit_where() is what unit_addr() looks up for @ptr (NULL: not
	 * found, and unit_addr() is used), unit_addr_in() the rest of it.
	 */
	void *(*unit_where)(void *inst, void *ptr);
	char *(*unit_addr_in)(void *inst, void *where, void *ptr, int cpu, long off,
			      long *len);
	/* pcpu_balance_work */
	struct work_struct *(*balance_work)(void *inst);
	/* pages populated in every chunk, per unit */
	long (*nr_populated)(void *inst);
	/* pcpu_nr_empty_pop_pages */
	int (*nr_empty_pop_pages)(void *inst);
	/* pcpu_async_enabled, and percpu_enable_async(); NULL where absent */
	bool (*async_enabled)(void *inst);
	void (*enable_async)(void *inst);
	/* the @k-th pending chunk->map_extend_work, NULL if none (area map era) */
	struct work_struct *(*map_extend_work)(void *inst, uint32_t k, int *chunk_id);
	/* the version's own invariants; observables; the -v state */
	void (*check)(void *inst);
	void (*observe)(void *inst, struct pcpu_obs *o);
	void (*dump)(void *inst, char *buf, size_t len);

	/*
	 * What the version promises, checked by the executor: pcpu_alloc()
	 * schedules the balance work after leaving fewer than
	 * PCPU_EMPTY_POP_PAGES_LOW empty populated pages or failing an atomic
	 * request (v3.18 on), and a balance run that meets no failure leaves at
	 * least PCPU_EMPTY_POP_PAGES_HIGH of them (v3.18's population loop).
	 */
	bool schedules_balance;
	bool balance_fills_high;
};

/* the family's mm_variant entry points, shared by every percpu port */
void *pcpu_exec_create(const struct pcpu_port *port, const struct mm_config *cfg);
void pcpu_exec_op(void *inst, const struct mm_op *op, struct mm_opres *res);
void pcpu_exec_check(void *inst);
void pcpu_exec_observe(void *inst, void *obs);
void pcpu_exec_dump(void *inst, char *buf, size_t len);
/* the port's own instance, and its entry points (tests inspect them) */
void *pcpu_exec_port_inst(void *inst);
const struct pcpu_port *pcpu_exec_port(void *inst);
/* tests only: run @inst through other entry points (e.g. stronger promises) */
void pcpu_exec_set_port(void *inst, const struct pcpu_port *port);

/*
 * Define a percpu variant: its mm_variant with the family executor over
 * @port.  Use at file scope: PCPU_VARIANT(sym, port, .name = ..., ...);
 */
#define PCPU_VARIANT(sym, port_, ...)						\
	static void *sym##_create(const struct mm_config *cfg)			\
	{									\
		return pcpu_exec_create(&(port_), cfg);				\
	}									\
	const struct mm_variant sym = {						\
		.family = "percpu", .create = sym##_create,			\
		.exec = pcpu_exec_op, .check = pcpu_exec_check,			\
		.observe = pcpu_exec_observe, .dump = pcpu_exec_dump,		\
		__VA_ARGS__							\
	}
#endif

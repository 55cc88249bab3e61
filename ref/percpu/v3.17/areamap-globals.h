/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel global names of mm/percpu.c mapped onto the current instance, so
 * that the ports read like the kernel.  Included once by each port
 * translation unit after areamap.h; G is set at every entry point.
 * Never include this from tests: it rewrites the field names.
 */
#ifndef MM_PERCPU_AREAMAP_GLOBALS_H
#define MM_PERCPU_AREAMAP_GLOBALS_H

static struct pcpu_am_state *G;

#define pcpu_unit_pages			(G->pcpu_unit_pages)
#define pcpu_unit_size			(G->pcpu_unit_size)
#define pcpu_nr_units			(G->pcpu_nr_units)
#define pcpu_nr_slots			(G->pcpu_nr_slots)
#define pcpu_chunk_struct_size		(G->pcpu_chunk_struct_size)
#define pcpu_first_chunk		(G->pcpu_first_chunk)
#define pcpu_reserved_chunk		(G->pcpu_reserved_chunk)
#define pcpu_reserved_chunk_limit	(G->pcpu_reserved_chunk_limit)
#define pcpu_lock			(G->pcpu_lock)
#define pcpu_alloc_mutex		(G->pcpu_alloc_mutex)
#define pcpu_slot			(G->pcpu_slot)
#define pcpu_nr_empty_pop_pages		(G->pcpu_nr_empty_pop_pages)
#define pcpu_balance_work		(G->pcpu_balance_work)
#define pcpu_map_extend_chunks		(G->pcpu_map_extend_chunks)
#define pcpu_async_enabled		(G->pcpu_async_enabled)
#define pcpu_atomic_alloc_failed	(G->pcpu_atomic_alloc_failed)

#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < pcpu_nr_units; (cpu)++)
#define PAGE_ALIGNED(x)		IS_ALIGNED((unsigned long)(x), PAGE_SIZE)
#define round_down(x, y)	((x) & ~((__typeof__(x))(y) - 1))
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))(y) - 1)) + 1)
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * S000.v1grow: rfc3 with the chunk-creation tail of pcpu_grow_populated()
 * as in v1 of the series (Message-ID 20210401214301.1689099-1-guro@fb.com,
 * "fixed a panic discovered by krobot"): after creating a chunk,
 * nr_to_pop -= chunk->nr_populated and retry only if pages are still
 * wanted.  Everything else is rfc3's code (impl/percpu/rfc3/); the kind
 * PCPU_KIND_RFC3_FIX sets pcpu_G->grow_v1_tail, which selects the tail.
 */
#include "../rfc3/percpu-rfc3.h"

static void *pcpu_rfc3_fix_create(const struct mm_config *cfg)
{
	return pcpu_bm_create(cfg, PCPU_KIND_RFC3_FIX, &pcpu_rfc3_ops);
}

const struct mm_variant percpu_rfc3_fix = {
	.name = "rfc3-fix",
	.family = "percpu",
	.reference = "v5.12",
	.models = "RFC 3/4 with v1's pcpu_grow_populated() chunk-creation tail (S000.v1grow)",
	.expect = "clean",
	.create = pcpu_rfc3_fix_create,
	.exec = pcpu_bm_exec,
	.check = pcpu_bm_check,
	.observe = pcpu_bm_observe,
	.dump = pcpu_bm_dump,
};

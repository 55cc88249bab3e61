// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfc3-fix: RFC 3/4 with the chunk-creation tail of pcpu_grow_populated()
 * as in v1 of the series (Message-ID 20210401214301.1689099-1-guro@fb.com,
 * "fixed a panic discovered by krobot"): after creating a chunk,
 * nr_to_pop -= chunk->nr_populated and retry only if pages are still
 * wanted.  Everything else is rfc3's code, compiled again here with the
 * tail switched on.
 */
#define PCPU_V1_GROW_TAIL	1
#define PCPU_RFC3_OPS		pcpu_rfc3_fix_ops
#define PCPU_RFC3_VARIANT	percpu_rfc3_fix
#define pcpu_rfc3_hint_liveness	pcpu_rfc3_fix_hint_liveness
#include "../rfc3/percpu-rfc3.c"

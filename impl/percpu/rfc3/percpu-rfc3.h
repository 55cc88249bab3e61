/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RFC 3/4 "percpu: on demand chunk depopulation" as posted, on the v5.12
 * core.  rfc3-fix compiles the same file with v1's chunk-creation tail in
 * pcpu_grow_populated().
 */
#ifndef PCPU_RFC3_H
#define PCPU_RFC3_H
#include "../../../ref/percpu/v5.12/pcpu_bitmap.h"

extern const struct pcpu_variant_ops pcpu_rfc3_ops;
/* I8 HINT_LEAK, run at the end of every balance run (exported for tests) */
void pcpu_rfc3_hint_liveness(void);
#endif

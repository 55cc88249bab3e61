/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the pagealloc tests: a config from named values, one variant
 * instance run op by op, and running a function inside an instance (its
 * machine entered, violations caught) to corrupt or probe its state.
 *
 * A test file includes one port's source (PA_TEST_PORT, default the
 * reference) into its own translation unit, as the ports include the core:
 * its kernel functions and its state layout are then the test's, and a
 * test can build purpose-broken copies of it (PA_VARIANT names the copy).
 */
#ifndef PA_TEST_H
#define PA_TEST_H
#include <setjmp.h>
#include <string.h>

#include "../test.h"
#include "driver.h"
#ifndef PA_TEST_PORT
#define PA_TEST_PORT "../../ref/pagealloc/v5.9.c"
#endif
#ifndef PA_VARIANT
#define PA_VARIANT pa_test_port
#endif
#include PA_TEST_PORT

/* 1 cpu, DMA32 and Normal one block each, no boot use, no watermarks */
static inline struct mm_config pa_cfg(void)
{
	struct mm_config c;

	memset(&c, 0, sizeof(c));
	c.v[PA_CFG_nr_cpus] = 1;
	c.v[PA_CFG_dma32_blocks] = 1;
	c.v[PA_CFG_normal_blocks] = 1;
	c.v[PA_CFG_pcp_batch] = 4;
	c.v[PA_CFG_pcp_high_mult] = 6;
	return c;
}

static inline struct pa_state *pa_new(struct mm_instance *in, const struct mm_variant *v,
				      const struct mm_config *cfg)
{
	if (mm_instance_create(in, &pagealloc_family, v, cfg)) {
		fprintf(stderr, "create failed: %s %s\n", in->m.inv, in->m.detail);
		return NULL;
	}
	return in->inst;
}

static inline struct mm_op pa_op(int id, uint32_t a0, uint32_t a1, uint32_t a2,
				 uint32_t a3, uint32_t a4)
{
	struct mm_op op = { .id = (uint8_t)id, .arg = { a0, a1, a2, a3, a4 } };

	return op;
}

/* exec an op; returns the violated invariant id or "" */
static inline const char *pa_do(struct mm_instance *in, struct mm_op op, struct mm_opres *res)
{
	struct mm_opres r;

	if (mm_instance_exec(in, &op, res ? res : &r))
		return in->m.inv;
	return "";
}

/*
 * Run @fn(inst) inside the instance with violations caught, then its
 * check(); returns the invariant that fired or "".
 */
static inline const char *pa_inside(struct mm_instance *in, void (*fn)(struct pa_state *),
				    bool then_check)
{
	jmp_buf jb;

	mm_machine_enter(&in->m);
	in->m.unwind = &jb;
	if (setjmp(jb)) {
		in->m.unwind = NULL;
		in->dead = true;
		return in->m.inv;
	}
	mm_set_context(0, MM_CTX_PROCESS);
	pa_G = in->inst;
	if (fn)
		fn(in->inst);
	mm_clear_context();
	if (then_check)
		in->v->check(in->inst);
	in->m.unwind = NULL;
	return "";
}
#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: run @fn as one op in process context on CPU 0 of a fresh
 * two-CPU machine @m (PREEMPT_RT and raw-lock nesting as asked); returns
 * the id of the violation it raised, or "" when none.
 */
#ifndef MM_TEST_MACHINE_RUN_H
#define MM_TEST_MACHINE_RUN_H
#include <setjmp.h>
#include <stdio.h>
#include <mm/machine.h>

static inline const char *machine_run(struct mm_machine *m, void (*fn)(void), bool rt,
				      bool prove)
{
	static char inv[64];
	static jmp_buf jb;

	mm_machine_init(m, 2, 16);
	m->preempt_rt = rt;
	m->prove_raw_lock_nesting = prove;
	mm_machine_enter(m);
	m->unwind = &jb;
	inv[0] = '\0';
	if (!setjmp(jb)) {
		mm_set_context(0, MM_CTX_PROCESS);
		fn();
		mm_clear_context();
	} else {
		snprintf(inv, sizeof(inv), "%s", m->inv);
	}
	mm_machine_destroy(m);
	return inv;
}
#endif

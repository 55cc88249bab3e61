/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the bitmap-era percpu port tests: one variant instance driven
 * op by op from .ops text lines, its state reachable through the port's
 * private header, and check() run on purpose-built broken states.
 */
#ifndef PCPU_TEST_H
#define PCPU_TEST_H

#include <stdio.h>
#include <string.h>

#include "../test.h"
#include "driver.h"
#include "input.h"
#include "../../ref/percpu/v5.12/pcpu_bitmap.h"

static struct mm_instance T;
static char T_cfg[256];
static const struct mm_family *T_fam;

static __attribute__((unused)) int t_parse(const char *ops, struct mm_input *in)
{
	char text[1024], err[160];
	const struct mm_family *fam;

	snprintf(text, sizeof(text), "family percpu\nconfig %s\n%s\n", T_cfg, ops);
	if (mm_text_parse(text, NULL, &fam, in, err, sizeof(err))) {
		fprintf(stderr, "parse error: %s\n", err);
		return -1;
	}
	T_fam = fam;
	return 0;
}

/* a fresh instance of @variant with config line @cfg ("nr_cpus=1 ...") */
static __attribute__((unused)) int t_start(const char *variant, const char *cfg)
{
	static struct mm_input in;

	if (T.inst)
		mm_instance_destroy(&T);
	snprintf(T_cfg, sizeof(T_cfg), "%s", cfg);
	if (t_parse("", &in))
		return -1;
	return mm_instance_create(&T, T_fam, mm_variant_find("percpu", variant),
				  &in.cfg);
}

/* run one op line; returns 0, or 1 on a violation (T.m.inv says which) */
static __attribute__((unused)) int t_op(const char *line, struct mm_opres *res)
{
	static struct mm_input in;
	struct mm_opres scratch;

	if (t_parse(line, &in) || in.nr_ops != 1) {
		fprintf(stderr, "bad op line: %s\n", line);
		return -1;
	}
	return mm_instance_exec(&T, &in.ops[0], res ? res : &scratch);
}

/* the instance's state, made current for direct inspection */
static __attribute__((unused)) struct pcpu_state *t_st(void)
{
	mm_machine_enter(&T.m);
	pcpu_G = pcpu_exec_port_inst(T.inst);
	return pcpu_G;
}

static __attribute__((unused)) struct pcpu_chunk *t_chunk(int id)
{
	struct pcpu_chunk *c;

	list_for_each_entry(c, &t_st()->all_chunks, all_list)
		if (c->id == id)
			return c;
	return NULL;
}

static __attribute__((unused)) int t_slot(int id)
{
	t_st();
	return pcpu_bm_chunk_list_slot(t_chunk(id), NULL);
}

/* run the variant's check() on the current (maybe corrupted) state */
static __attribute__((unused)) const char *t_check(void)
{
	static char inv[64];
	jmp_buf jb;

	t_st();
	T.m.violated = false;
	T.m.inv[0] = '\0';
	T.m.unwind = &jb;
	if (setjmp(jb)) {
		T.m.unwind = NULL;
		snprintf(inv, sizeof(inv), "%s", T.m.inv);
		T.m.violated = false;
		return inv;
	}
	T.v->check(T.inst);
	T.m.unwind = NULL;
	return "";
}

/* run @fn with the instance's machine current and an unwind point */
static __attribute__((unused)) const char *t_call(void (*fn)(void))
{
	static char inv[64];
	jmp_buf jb;

	t_st();
	T.m.violated = false;
	T.m.inv[0] = '\0';
	T.m.unwind = &jb;
	if (setjmp(jb)) {
		T.m.unwind = NULL;
		snprintf(inv, sizeof(inv), "%s", T.m.inv);
		T.m.violated = false;
		return inv;
	}
	fn();
	T.m.unwind = NULL;
	return "";
}

/* verdict signature of a whole .ops text run on "ref,impl" */
static __attribute__((unused)) const char *t_run(const char *variants, const char *text)
{
	static struct mm_input in;
	static struct mm_verdict v;
	const struct mm_variant *vars[4];
	const struct mm_family *fam;
	char err[160];
	int n;

	if (mm_text_parse(text, NULL, &fam, &in, err, sizeof(err)))
		return "PARSE_ERROR";
	n = mm_pick_variants(fam, variants, vars, 4, err, sizeof(err));
	if (n < 0)
		return "BAD_VARIANTS";
	mm_run(fam, vars, n, &in, &v, NULL);
	return v.violated ? v.sig : "OK";
}
#endif

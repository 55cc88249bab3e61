// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drain family: every invariant and differential relation fires on a
 * purpose-built scenario or broken state and stays silent on the intact
 * one; the reference drains behind contending work, the kthread variants
 * do not (latency is measured, never a verdict).
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "driver.h"
#include "input.h"
#include "../../impl/drain/rfc.h"

extern const struct mm_variant drain_v5_17, drain_rfc, drain_rfc_fix;

static struct mm_input in;

/* run @text on "ref,impl"; returns the verdict's signature or "OK" */
static const char *run(const char *spec, const char *text)
{
	static struct mm_verdict v;
	const struct mm_family *f;
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	char err[256];
	int n;

	if (mm_text_parse(text, NULL, &f, &in, err, sizeof(err))) {
		fprintf(stderr, "parse: %s\n", err);
		return "PARSE";
	}
	n = mm_pick_variants(f, spec, vars, MM_MAX_VARIANTS, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "variants: %s\n", err);
		return "VARIANTS";
	}
	if (!mm_run(f, vars, n, &in, &v, NULL))
		return "OK";
	return v.sig;
}

#define CHECK_SIG(spec, text, sig) do {					\
	const char *__s = run(spec, text);				\
	if (strcmp(__s, sig))						\
		fprintf(stderr, "%s: got %s, want %s\n", spec, __s, sig); \
	CHECK(!strcmp(__s, sig));					\
} while (0)

#define HDR "family drain\n"
#define CFG2 "config nr_cpus=2 dma32_pages=8 normal_pages=8 wmark_min=16 pcp_batch=4 pcp_high_mult=6 boot=late\n"

/* Hillf Danton's path: alloc_drain_worker() under pressure */
static const char *deadlock_ops =
	HDR CFG2 "cpu_offline cpu=1\ncpu_online cpu=1 slab=new_page reclaim_drain=Normal\n";
static const char *skipped_ops =
	HDR CFG2 "cpu_offline cpu=1\ncpu_online cpu=1 slab=new_page reclaim_drain=NULL\n";
/* a CPU whose worker could not be created, then a drain from another CPU */
static const char *fallback_ops =
	HDR "config nr_cpus=2 dma32_pages=16 normal_pages=16 wmark_min=0 pcp_batch=4 pcp_high_mult=6 boot=late\n"
	"cpu_offline cpu=1\nfail_next kind=kthread_create n=1\n"
	"cpu_online cpu=1 slab=cached reclaim_drain=NULL\n"
	"alloc cpu=1 zone=Normal mt=movable gfp=GFP_KERNEL n=1\n"
	"drain_all_pages cpu=0 zone=NULL force_all_cpus=0\n";
/* ... and that CPU going down again */
static const char *null_worker_ops =
	HDR "config nr_cpus=2 dma32_pages=16 normal_pages=16 wmark_min=0 pcp_batch=4 pcp_high_mult=6 boot=late\n"
	"cpu_offline cpu=1\nfail_next kind=kmalloc n=1\n"
	"cpu_online cpu=1 slab=cached reclaim_drain=NULL\ncpu_offline cpu=1\n";
/* ... after the item was once queued on a worker since destroyed */
static const char *stale_worker_ops =
	HDR "config nr_cpus=2 dma32_pages=16 normal_pages=16 wmark_min=0 pcp_batch=4 pcp_high_mult=6 boot=late\n"
	"alloc cpu=1 zone=Normal mt=movable gfp=GFP_KERNEL n=1\n"
	"drain_all_pages cpu=0 zone=NULL force_all_cpus=0\ncpu_offline cpu=1\n"
	"fail_next kind=kthread_create n=1\ncpu_online cpu=1 slab=cached reclaim_drain=NULL\n"
	"cpu_offline cpu=1\n";
/* contention: a blocker and competing tasks ahead of the drain on CPU 1 */
static const char *contended_ops =
	HDR "config nr_cpus=2 dma32_pages=16 normal_pages=32 wmark_min=0 pcp_batch=4 pcp_high_mult=6 boot=late\n"
	"alloc cpu=1 zone=Normal mt=movable gfp=GFP_KERNEL n=8\n"
	"free cpu=1 k=0 n=4\n"
	"cpu_load cpu=1 nr=3\n"
	"inject_work cpu=1 kind=vmstat_update cost=5 pages=0\n"
	"inject_work cpu=1 kind=blocker cost=40 pages=2\n"
	"drain_all_pages cpu=0 zone=NULL force_all_cpus=0\n";

static void test_scenarios(void)
{
	CHECK_SIG("v5.17,rfc", deadlock_ops, "drain/rfc/DEADLOCK@__drain_all_pages:pcpu_drain_mutex");
	CHECK_SIG("v5.17,rfc", skipped_ops, "drain/rfc/DRAIN_SKIPPED_BY_OWNER@__drain_all_pages");
	CHECK_SIG("v5.17,rfc", fallback_ops, "drain/rfc/PAGES_NOT_DRAINED@__drain_all_pages");
	CHECK_SIG("v5.17,rfc", null_worker_ops, "drain/rfc/NULL_DEREF@kthread_destroy_worker");
	CHECK_SIG("v5.17,rfc", stale_worker_ops, "drain/rfc/MEMORY_SAFETY@kthread_cancel_work_sync");
	CHECK_SIG("v5.17,rfc-fix", stale_worker_ops, "drain/rfc-fix/MEMORY_SAFETY@kthread_cancel_work_sync");
	CHECK_SIG("v5.17,v5.17", stale_worker_ops, "OK");
	/* Suren's fix ends the recursion; the fallback and the NULL worker stay */
	CHECK_SIG("v5.17,rfc-fix", deadlock_ops, "OK");
	CHECK_SIG("v5.17,rfc-fix", skipped_ops, "OK");
	CHECK_SIG("v5.17,rfc-fix", fallback_ops, "drain/rfc-fix/PAGES_NOT_DRAINED@__drain_all_pages");
	CHECK_SIG("v5.17,rfc-fix", null_worker_ops, "drain/rfc-fix/NULL_DEREF@kthread_destroy_worker");
	/* the reference, alone and against itself */
	CHECK_SIG("v5.17", deadlock_ops, "OK");
	CHECK_SIG("v5.17,v5.17", fallback_ops, "OK");
	CHECK_SIG("v5.17,v5.17", null_worker_ops, "OK");
	CHECK_SIG("v5.17,rfc", contended_ops, "OK");
	CHECK_SIG("v5.17,rfc-fix", contended_ops, "OK");
}

/* one instance, op by op */
static struct mm_instance inst;

static bool make(const struct mm_variant *v, const char *text)
{
	const struct mm_family *f;
	char err[256];

	if (mm_text_parse(text, NULL, &f, &in, err, sizeof(err)))
		return false;
	if (mm_instance_create(&inst, &drain_family, v, &in.cfg))
		return false;
	for (int i = 0; i < in.nr_ops; i++) {
		struct mm_opres res;

		if (mm_instance_exec(&inst, &in.ops[i], &res))
			return false;
	}
	return true;
}

static long drain_ticks(const struct mm_variant *v, const char *text)
{
	struct dr_obs o;

	if (!make(v, text)) {
		mm_instance_destroy(&inst);
		return -1;
	}
	mm_instance_observe(&inst, &o);
	mm_instance_destroy(&inst);
	return o.last_drain_ticks;
}

static void test_latency(void)
{
	long ref = drain_ticks(&drain_v5_17, contended_ops);
	long rfc = drain_ticks(&drain_rfc, contended_ops);
	long fix = drain_ticks(&drain_rfc_fix, contended_ops);

	/* behind 5 + 40 ticks of work, sharing the CPU with 3 tasks */
	CHECK(ref >= 4 * 45);
	CHECK_EQ(rfc, 1);
	CHECK_EQ(fix, 1);
	fprintf(stderr, "latency: v5.17 %ld ticks, rfc %ld, rfc-fix %ld\n", ref, rfc, fix);
}

/* run @fn inside the instance, then its check(); the invariant that fired or "" */
static const char *inside(void (*fn)(void))
{
	static char inv[64];
	jmp_buf jb;

	mm_machine_enter(&inst.m);
	inst.m.unwind = &jb;
	if (setjmp(jb)) {
		inst.m.unwind = NULL;
		inst.dead = true;
		snprintf(inv, sizeof(inv), "%s", inst.m.inv);
		return inv;
	}
	mm_set_context(0, MM_CTX_PROCESS);
	dr_G = inst.inst;
	if (fn)
		fn();
	mm_clear_context();
	inst.v->check(inst.inst);
	inst.m.unwind = NULL;
	return "";
}

static const char *corrupt(const struct mm_variant *v, void (*fn)(void))
{
	static char inv[64];

	if (!make(v, HDR "config nr_cpus=2 dma32_pages=16 normal_pages=16 wmark_min=0 pcp_batch=4 pcp_high_mult=6 boot=late\n"
		  "alloc cpu=1 zone=Normal mt=movable gfp=GFP_KERNEL n=6\nfree cpu=1 k=0 n=3\n")) {
		mm_instance_destroy(&inst);
		return "setup failed";
	}
	snprintf(inv, sizeof(inv), "%s", inside(fn));
	mm_instance_destroy(&inst);
	return inv;
}

static void c_none(void) { }
static void c_pcp_count(void) { dr_G->zones[1].per_cpu_pageset[1].count++; }
static void c_nr_free(void) { dr_G->zones[0].nr_free--; }
static void c_lost_page(void)
{
	/* a user page disappears from the books */
	dr_G->live[0]->loc = DR_LOC_SLAB;
}
static void c_stranded(void)
{
	/* CPU 1 marked offline with pages still on its lists */
	dr_G->online.bits &= ~2UL;
	((struct rfc_priv *)dr_G->vpriv)->pcpu_drain[1].worker = NULL;
}
static void c_stranded_ref(void) { dr_G->online.bits &= ~2UL; }
static void c_no_worker(void) { ((struct rfc_priv *)dr_G->vpriv)->pcpu_drain[1].worker = NULL; }
static void c_offline_worker(void)
{
	/* CPU 1 offline, its pcp drained, but the worker kept */
	dr_G->online.bits &= ~2UL;
	drain_pages(1);
}
static void c_requeue_twice(void)
{
	dr_G->vops->requeue(1);
	dr_G->vops->requeue(1);
}
static void c_requeue_once(void) { dr_G->vops->requeue(1); }
static void c_skip_drain(void)
{
	/* a drain whose worker of CPU 1 is gone: the fallback drains CPU 0 */
	((struct rfc_priv *)dr_G->vpriv)->pcpu_drain[1].worker = NULL;
	dr_G->kt_create_failed[1] = true;
	dr_drain_all(NULL, false, true);
}
static void c_drain_ref(void) { dr_drain_all(NULL, false, true); }

static void test_invariants(void)
{
	CHECK(!strcmp(corrupt(&drain_v5_17, c_none), ""));
	CHECK(!strcmp(corrupt(&drain_rfc, c_none), ""));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_pcp_count), "PCP_COUNT"));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_nr_free), "PCP_COUNT"));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_lost_page), "CONSERVATION"));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_stranded_ref), "CONSERVATION"));
	CHECK(!strcmp(corrupt(&drain_rfc, c_stranded), "CONSERVATION"));
	CHECK(!strcmp(corrupt(&drain_rfc, c_no_worker), "WORKER_MISSING"));
	CHECK(!strcmp(corrupt(&drain_rfc, c_offline_worker), "WORKER_MISSING"));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_requeue_twice), "DOUBLE_QUEUE"));
	CHECK(!strcmp(corrupt(&drain_rfc, c_requeue_twice), "DOUBLE_QUEUE"));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_requeue_once), "DOUBLE_QUEUE"));
	CHECK(!strcmp(corrupt(&drain_rfc, c_requeue_once), "DOUBLE_QUEUE"));
	CHECK(!strcmp(corrupt(&drain_rfc, c_skip_drain), "PAGES_NOT_DRAINED"));
	CHECK(!strcmp(corrupt(&drain_v5_17, c_drain_ref), ""));
	CHECK(!strcmp(corrupt(&drain_rfc, c_drain_ref), ""));
}

/* the relations on fabricated results and observables */
static const char *relation(const struct mm_op *op, const struct mm_opres *rr,
			    const struct mm_opres *ir, const struct dr_obs *ro,
			    const struct dr_obs *io)
{
	static char inv[64];
	struct mm_machine m;
	struct mm_diffctx d = { .fam = &drain_family, .op = op, .ref_res = rr,
				.impl_res = ir, .ref_obs = ro, .impl_obs = io };
	jmp_buf jb;

	mm_machine_init(&m, 1, 0);
	mm_machine_enter(&m);
	m.unwind = &jb;
	inv[0] = 0;
	if (setjmp(jb))
		snprintf(inv, sizeof(inv), "%s", m.inv);
	else
		drain_family.diff(&d);
	mm_machine_destroy(&m);
	return inv;
}

static void test_relations(void)
{
	struct mm_op drain = { .id = DR_OP_DRAIN_ALL };
	struct mm_op alloc = { .id = DR_OP_ALLOC };
	struct mm_opres rr = { 0 }, ir = { 0 };
	struct dr_obs ro = { 0 }, io = { 0 };

	ro.online_mask = io.online_mask = 3;
	CHECK(!strcmp(relation(&drain, &rr, &ir, &ro, &io), ""));
	/* EARLY_RETURN */
	ir.val[0] = 1;
	CHECK(!strcmp(relation(&drain, &rr, &ir, &ro, &io), "EARLY_RETURN"));
	ir.val[0] = 0;
	/* DRAINED: the reference emptied CPU 1, the implementation kept its pages */
	io.pcp_before[1][1] = 3;
	io.pcp_count[1][1] = 3;
	CHECK(!strcmp(relation(&drain, &rr, &ir, &ro, &io), "DRAINED"));
	ro.pcp_count[1][1] = 1;		/* the reference kept some too: no verdict */
	CHECK(!strcmp(relation(&drain, &rr, &ir, &ro, &io), ""));
	ro.pcp_count[1][1] = 0;
	drain.arg[DR_DRAIN_ALL_zone] = DR_ZONE_DMA32;	/* Normal not in scope */
	CHECK(!strcmp(relation(&drain, &rr, &ir, &ro, &io), ""));
	/* ALLOC_FAIL: GFP_KERNEL, Normal zonelist, the implementation had as much */
	alloc.arg[DR_ALLOC_zone] = 1;
	alloc.arg[DR_ALLOC_gfp] = 0;
	rr.val[0] = 4;
	ir.val[0] = 2;
	ir.status = -12;
	ro.free_before[0] = io.free_before[0] = 10;
	ro.free_before[1] = io.free_before[1] = 10;
	CHECK(!strcmp(relation(&alloc, &rr, &ir, &ro, &io), "ALLOC_FAIL"));
	ro.work_before[1] = 2;		/* the reference's pending work may free 2 */
	CHECK(!strcmp(relation(&alloc, &rr, &ir, &ro, &io), ""));
	ro.work_before[1] = 0;
	io.free_before[0] = 9;		/* fewer free pages in the implementation */
	CHECK(!strcmp(relation(&alloc, &rr, &ir, &ro, &io), ""));
	io.free_before[0] = 10;
	alloc.arg[DR_ALLOC_gfp] = 1;	/* GFP_NOWAIT: no bound */
	CHECK(!strcmp(relation(&alloc, &rr, &ir, &ro, &io), ""));
}

int main(void)
{
	test_scenarios();
	test_latency();
	test_invariants();
	test_relations();
	return test_done("test_drain");
}

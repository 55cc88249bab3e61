// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmemcg: every invariant and relation fires on a purpose-built broken
 * state or variant and stays silent on the intact one; the lifecycle
 * seeds end with every memcg and non-root cache freed in every variant
 * that is not expected buggy; v4's and v5.3's known bugs fire.
 */
#include <setjmp.h>
#include <string.h>

#include "../test.h"
#include "driver.h"
#include "input.h"
#include "../../ref/kmemcg/kmemcg_internal.h"

extern const struct mm_variant kmemcg_v5_1, kmemcg_v4, kmemcg_tryget_live, kmemcg_v5_3;

static struct mm_input in;

static void parse(const char *text)
{
	const struct mm_family *f;
	char err[256];

	if (mm_text_parse(text, NULL, &f, &in, err, sizeof(err))) {
		fprintf(stderr, "parse: %s\n", err);
		CHECK(!"parses");
	}
}

/* run @text's ops on @v; returns the invariant that fired or "" */
static const char *run_ops(struct mm_instance *mi, const struct mm_variant *v, const char *text)
{
	struct mm_opres res;

	parse(text);
	if (mm_instance_create(mi, &kmemcg_family, v, &in.cfg))
		return mi->m.inv;
	for (int i = 0; i < in.nr_ops; i++)
		if (mm_instance_exec(mi, &in.ops[i], &res))
			return mi->m.inv;
	return "";
}

/* run @fn inside the instance, then @chk (or the variant's check); the invariant that fired */
static const char *inside(struct mm_instance *mi, void (*fn)(void), void (*chk)(void))
{
	static char inv[64];
	jmp_buf jb;

	mm_machine_enter(&mi->m);
	mi->m.unwind = &jb;
	if (setjmp(jb)) {
		mi->m.unwind = NULL;
		mi->dead = true;
		snprintf(inv, sizeof(inv), "%s", mi->m.inv);
		return inv;
	}
	mm_set_context(0, MM_CTX_PROCESS);
	G = mi->inst;
	if (fn)
		fn();
	mm_clear_context();
	if (chk)
		chk();
	else
		mi->v->check(mi->inst);
	mi->m.unwind = NULL;
	return "";
}

/* a child cache of r0 for m0 exists, with 3 objects in it; m0 online */
static const char *child_cache =
	"family kmemcg\nconfig nr_cpus=2 budget=64 min_partial=1\n"
	"root_cache_create r=0 size=1024 order=0\nmemcg_create m=0\ntask_attach cpu=0 m=0\n"
	"kmem_alloc cpu=0 r=0 n=1 gfp=GFP_KERNEL_ACCOUNT\nrun_work wq=memcg_kmem_cache n=2\n"
	"kmem_alloc cpu=0 r=0 n=3 gfp=GFP_KERNEL_ACCOUNT\n";

static const char *corrupt(const struct mm_variant *v, const char *text, void (*fn)(void), void (*chk)(void))
{
	static char inv[64];
	struct mm_instance mi;
	const char *r = run_ops(&mi, v, text);

	if (*r) {
		snprintf(inv, sizeof(inv), "ops: %s", r);
	} else {
		snprintf(inv, sizeof(inv), "%s", inside(&mi, fn, chk));
	}
	mm_instance_destroy(&mi);
	return inv;
}

static struct kmem_cache *child0(void) { return G->children[0]; }
static struct mem_cgroup *m0(void) { return G->memcgs[0]; }

static void c_none(void) { }
static void c_rcu(void) { G->tasks[1].rcu_read_depth++; }
static void c_ref_count(void) { child0()->memcg_params.refcnt.percpu_sum++; }
static void c_css(void) { m0()->css.refcnt.percpu_sum--; }
static void c_kmem(void) { m0()->kmem.usage++; }
static void c_node(void) { G->node_slab--; }
static void c_lruvec(void) { m0()->lruvec_slab += 2; }

static void noop_rcu(struct rcu_head *h) { (void)h; }
static void c_double_queue(void)
{
	call_rcu_checked(&child0()->memcg_params.rcu_head, noop_rcu, child0());
	call_rcu_checked(&child0()->memcg_params.rcu_head, noop_rcu, child0());
}

static void c_shutdown_live(void)
{
	/* an empty child of an online memcg, its percpu_ref never killed */
	while (G->nr_objs)
		G->objs[0] = G->objs[--G->nr_objs], child0()->nr_objs = 0;
	__kmem_cache_shrink(child0());
	shutdown_cache(child0());
}

static int released;
static void count_release(struct percpu_ref *ref) { (void)ref; released++; }
static void c_release_twice(void)
{
	static struct percpu_ref ref = { .name = "test ref" };

	percpu_ref_init(&ref, count_release, false);
	percpu_ref_kill(&ref);
	mm_rcu_gp();		/* switch done, the count reaches zero: released */
	CHECK_EQ(released, 1);
	percpu_ref_get(&ref);
	percpu_ref_put(&ref);	/* zero again */
}

static void c_tryget(void)
{
	static struct percpu_ref ref = { .name = "test ref" };

	released = 0;
	percpu_ref_init(&ref, count_release, false);
	percpu_ref_get(&ref);		/* an allocation in flight */
	CHECK(percpu_ref_tryget_live(&ref));
	percpu_ref_put(&ref);
	percpu_ref_kill(&ref);
	CHECK(!percpu_ref_tryget_live(&ref));	/* dead */
	CHECK(percpu_ref_tryget(&ref));		/* count > 0 */
	percpu_ref_put(&ref);
	mm_rcu_gp();
	CHECK_EQ(percpu_ref_total(&ref), 1);
	CHECK_EQ(released, 0);
	percpu_ref_put(&ref);
	CHECK_EQ(released, 1);
	CHECK(!percpu_ref_tryget(&ref));	/* zero */
	percpu_ref_exit(&ref);
}

/* a mode switch that ends on a released cache's ref */
static void c_switch_after_free(void)
{
	percpu_ref_kill(&child0()->memcg_params.refcnt);
	child0()->released = true;
	mm_rcu_gp();
}

/* one put too many while percpu: the switch finds the count at zero */
static void c_underflow(void)
{
	static struct percpu_ref ref = { .name = "test ref" };

	percpu_ref_init(&ref, count_release, false);
	percpu_ref_put(&ref);
	percpu_ref_kill(&ref);
	mm_rcu_gp();
}

/* m0 offline with a reference nobody accounts for, nothing pending */
static const char *offline_idle =
	"family kmemcg\nconfig nr_cpus=1 budget=64 min_partial=0\nmemcg_create m=0\nmemcg_create m=1\nmemcg_offline m=1\n"
	"rcu_gp\nrcu_gp\nrun_work wq=system n=4\n";
static void c_zombie(void)
{
	m0()->offline = true;	/* and its css was never killed */
}

static void c_leak(void)
{
	/* r0 dying, its child for m0 empty, nothing pending: must have gone */
	while (G->nr_objs)
		G->objs[0] = G->objs[--G->nr_objs];
	child0()->nr_objs = 0;
	G->roots[0]->nr_objs = 0;
	G->roots[0]->memcg_params.dying = true;
}

static void test_invariants_fire(void)
{
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_none, NULL), ""));
	CHECK(!strcmp(corrupt(&kmemcg_v5_1, child_cache, c_none, NULL), ""));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_rcu, NULL), "RCU_NESTING_DRIFT"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_ref_count, NULL), "PERCPU_REF_COUNT"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_release_twice, NULL), "PERCPU_REF_RELEASE"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_tryget, NULL), ""));
	CHECK(!strcmp(corrupt(&kmemcg_v5_1, child_cache, c_css, NULL), "CSS_REFS"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_css, NULL), "CSS_REFS"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_1, child_cache, c_kmem, NULL), "KMEM_COUNTER"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_node, NULL), "KMEM_COUNTER"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_lruvec, NULL), "KMEM_COUNTER"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_double_queue, NULL), "DOUBLE_QUEUE"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_shutdown_live, NULL), "SHUTDOWN_ACTIVE"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_switch_after_free, NULL), "MEMORY_SAFETY"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_underflow, NULL), "KERNEL_WARN"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_1, offline_idle, c_none, kmc_check_lifetimes), ""));
	CHECK(!strcmp(corrupt(&kmemcg_v5_1, offline_idle, c_zombie, kmc_check_lifetimes), "MEMCG_ZOMBIE"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_3, child_cache, c_leak, kmc_check_lifetimes), "LEAKED_CACHE"));
	CHECK(!strcmp(corrupt(&kmemcg_v5_1, child_cache, c_leak, kmc_check_lifetimes), "LEAKED_CACHE"));
}

/* -- relations: a broken variant against v5.1 ------------------------------ */
static struct kmemcg_ops broken_ops;

static struct kmem_cache *get_cache_root_only(struct kmem_cache *cachep) { return cachep; }
static void put_cache_nop(struct kmem_cache *cachep) { (void)cachep; }
static int charge_twice(struct slab_page *page, int gfp, int order, struct kmem_cache *s)
{
	int ret = kmemcg_v5_1_ops.charge_slab_page(page, gfp, order, s);

	if (!ret && !is_root_cache(s))
		s->memcg_params.memcg->kmem.usage += 1L << order;	/* counted twice */
	return ret;
}
static void free_kmem_keep_caches(struct mem_cgroup *memcg)
{
	(void)memcg;
	kmc_static_branch_dec();	/* memcg_destroy_kmem_caches() forgotten */
}

static void *broken_create(const struct mm_config *cfg)
{
	return kmc_create(cfg, &broken_ops);
}

static void check_nothing(void *inst) { (void)inst; }

static struct mm_variant broken = {
	.name = "broken",
	.family = "kmemcg",
	.reference = "v5.1",
	.models = "test",
	.expect = "buggy: test",
	.create = broken_create,
	.exec = kmc_exec,
	.check = check_nothing,
	.observe = kmc_observe,
	.dump = kmc_dump,
};

static const char *relation(const char *text)
{
	static char sig[192];
	const struct mm_variant *vars[2] = { &kmemcg_v5_1, &broken };
	struct mm_verdict verdict;

	parse(text);
	mm_run(&kmemcg_family, vars, 2, &in, &verdict, NULL);
	snprintf(sig, sizeof(sig), "%s", verdict.violated ? verdict.sig : "");
	return sig;
}

static void test_relations_fire(void)
{
	broken_ops = kmemcg_v5_1_ops;
	CHECK(!strcmp(relation(child_cache), ""));
	broken_ops.memcg_kmem_get_cache = get_cache_root_only;
	broken_ops.memcg_kmem_put_cache = put_cache_nop;
	CHECK(!strcmp(relation(child_cache), "kmemcg/broken~v5.1/ALLOC_RESULT@kmem_alloc"));
	broken_ops = kmemcg_v5_1_ops;
	broken_ops.charge_slab_page = charge_twice;
	CHECK(!strcmp(relation(child_cache), "kmemcg/broken~v5.1/STATS_EQUAL@kmem_alloc"));
	broken_ops = kmemcg_v5_1_ops;
	broken_ops.memcg_free_kmem = free_kmem_keep_caches;
	CHECK(!strcmp(relation("family kmemcg\nconfig nr_cpus=1 budget=64 min_partial=0\n"
			       "root_cache_create r=0 size=1024 order=0\nmemcg_create m=0\ntask_attach cpu=0 m=0\n"
			       "kmem_alloc cpu=0 r=0 n=1 gfp=GFP_KERNEL_ACCOUNT\nrun_work wq=memcg_kmem_cache n=2\n"
			       "memcg_offline m=0\nrcu_gp\nrun_work wq=memcg_kmem_cache n=2\nrcu_gp\n"
			       "run_work wq=system n=4\n"),
		      "kmemcg/broken~v5.1/QUIESCENT_BOUND@run_work"));
}

/* -- the known bugs, and clean lifecycles ---------------------------------- */
static void test_known_bugs(void)
{
	struct mm_instance mi;

	CHECK(!strcmp(run_ops(&mi, &kmemcg_v4, child_cache), "RCU_NESTING_DRIFT"));
	CHECK(!strcmp(mi.m.where, "memcg_kmem_get_cache"));
	mm_instance_destroy(&mi);
	CHECK(!strcmp(run_ops(&mi, &kmemcg_tryget_live, child_cache), "RCU_NESTING_DRIFT"));
	mm_instance_destroy(&mi);
}

/* everything freed at the end of the lifecycle seed, in every variant */
static void test_lifecycle_ends_empty(void)
{
	static const char *text =
		"family kmemcg\n"
		"config nr_cpus=2 budget=256 min_partial=1\n"
		"root_cache_create r=0 size=512 order=0\n"
		"root_cache_create r=1 size=64 order=1\n"
		"memcg_create m=0\n"
		"memcg_create m=1\n"
		"task_attach cpu=0 m=0\n"
		"task_attach cpu=1 m=1\n"
		"kmem_alloc cpu=0 r=0 n=4 gfp=GFP_KERNEL_ACCOUNT\n"
		"kmem_alloc cpu=1 r=1 n=4 gfp=GFP_NOWAIT\n"
		"run_work wq=memcg_kmem_cache n=4\n"
		"kmem_alloc cpu=0 r=0 n=12 gfp=GFP_KERNEL_ACCOUNT\n"
		"kmem_alloc cpu=1 r=1 n=40 gfp=GFP_KERNEL_ACCOUNT\n"
		"alloc_begin cpu=0 r=1 gfp=GFP_KERNEL_ACCOUNT\n"
		"memcg_offline m=0\n"
		"rcu_gp\n"
		"run_work wq=memcg_kmem_cache n=16\n"
		"run_work wq=memcg_kmem_cache n=16\n"
		"run_work wq=memcg_kmem_cache n=16\n"
		"alloc_end cpu=0\n"
		"memcg_offline m=1\n"
		"kmem_free k=0 n=64\n"
		"kmem_free k=0 n=64\n"
		"rcu_gp\n"
		"run_work wq=memcg_kmem_cache n=16\n"
		"rcu_gp\n"
		"run_work wq=memcg_kmem_cache n=16\n"
		"rcu_gp\n"
		"run_work wq=system n=8\n"
		"rcu_gp\n"
		"run_work wq=system n=8\n"
		"rcu_gp\n"
		"run_work wq=memcg_kmem_cache n=16\n"
		"run_work wq=system n=8\n"
		"rcu_gp\n"
		"run_work wq=system n=8\n";
	const struct mm_variant *vs[] = { &kmemcg_v5_1, &kmemcg_v5_3 };

	for (unsigned i = 0; i < 2; i++) {
		struct mm_instance mi;
		struct kmc_obs o;

		CHECK(!strcmp(run_ops(&mi, vs[i], text), ""));
		mm_instance_observe(&mi, &o);
		CHECK_EQ(o.live_memcgs, 0);
		CHECK_EQ(o.live_nonroot_caches, 0);
		CHECK_EQ(o.live_objects, 0);
		CHECK_EQ(o.quiescent, 1);
		mm_instance_destroy(&mi);
	}
}

/*
 * v5.1: kmem_cache_destroy() right after rmdir runs the deactivation work
 * (sysfs_slab_remove(), work pending) and shutdown_cache() (sysfs_slab_remove()
 * again, schedule_work() a no-op): one kobject reference is never put.
 * Logged as KNOWN_REF_BUG; the same ops leave nothing behind in v5.3-fixes.
 */
static void test_v5_1_sysfs_leak(void)
{
	static const char *text =
		"family kmemcg\nconfig nr_cpus=1 budget=16 min_partial=0\n"
		"root_cache_create r=0 size=8 order=0\nmemcg_create m=0\ntask_attach cpu=0 m=0\n"
		"kmem_alloc cpu=0 r=0 n=1 gfp=GFP_KERNEL_ACCOUNT\nrun_work wq=memcg_kmem_cache n=1\n"
		"kmem_free k=0 n=1\nmemcg_offline m=0\nroot_cache_destroy r=0\nrcu_gp\nrun_work wq=system n=3\n";
	extern const struct mm_variant kmemcg_v5_3_fixes;
	struct mm_instance mi;
	struct kmc_obs o;

	CHECK(!strcmp(run_ops(&mi, &kmemcg_v5_1, text), ""));
	mm_instance_observe(&mi, &o);
	CHECK_EQ(o.quiescent, 1);
	CHECK_EQ(o.live_nonroot_caches, 1);
	CHECK_EQ(mi.m.notes.nr, 1);
	CHECK(strstr(mi.m.notes.last, "KNOWN_REF_BUG") != NULL);
	mm_instance_destroy(&mi);
	CHECK(!strcmp(run_ops(&mi, &kmemcg_v5_3_fixes, text), ""));
	mm_instance_observe(&mi, &o);
	CHECK_EQ(o.quiescent, 1);
	CHECK_EQ(o.live_nonroot_caches, 0);
	CHECK_EQ(o.live_memcgs, 0);
	mm_instance_destroy(&mi);
}

int main(void)
{
	test_v5_1_sysfs_leak();
	test_invariants_fire();
	test_relations_fire();
	test_known_bugs();
	test_lifecycle_ends_empty();
	return test_done("kmemcg");
}

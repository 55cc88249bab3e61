// SPDX-License-Identifier: GPL-2.0-only
/*
 * Full and incremental checks (mm_check_full(), include/mm/harness.h) and
 * pagealloc's incremental walk of the pending block and rcu_head chains
 * (pa_check.h):
 *  - the driver asks for a full check at create, after an input's last op
 *    and every MM_CHECK_FULL_EVERY ops, and only then;
 *  - the incremental walk counts what the full walk counts through the
 *    kernel code's own ways of changing a chain (push, detach, consume);
 *  - a port freeing an object still on a chain is reported at that op with
 *    the full check's text;
 *  - a chain edited in its middle (which no kernel path does) is reported
 *    by the deferred full check: after the last op, or within
 *    MM_CHECK_FULL_EVERY ops.
 */
#include "pa_test.h"

static struct mm_op op6(int id, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
			uint32_t a4, uint32_t a5)
{
	struct mm_op op = { .id = (uint8_t)id, .arg = { a0, a1, a2, a3, a4, a5 } };

	return op;
}

static long chain_len(const struct rcu_head *h)
{
	long n = 0;

	for (; h; h = h->next)
		n++;
	return n;
}

/*
 * memory used up, the boot's cached blocks filled, then @nobj
 * kvfree_rcu(ptr, rh): all on the rcu_head channel
 */
static struct pa_state *heads_new(struct mm_instance *in, int nobj)
{
	struct mm_config cfg = pa_cfg();
	struct pa_state *st = pa_new(in, &pa_test_port, &cfg);

	if (!st)
		return NULL;
	pa_do(in, op6(PA_OP_PAGE_ALLOC_BULK, 0, 3, PA_GFP_KERNEL, 0, MM_CTX_PROCESS, 64), NULL);
	pa_do(in, op6(PA_OP_PAGE_ALLOC_BULK, 0, 0, PA_GFP_KERNEL, 0, MM_CTX_PROCESS, 64), NULL);
	CHECK(!strcmp(pa_do(in, pa_op(PA_OP_KVFREE_RCU, 0, 2, 1024, MM_CTX_PROCESS, 0), NULL), ""));
	CHECK(!strcmp(pa_do(in, pa_op(PA_OP_KVFREE_RCU, 0, 2, nobj, MM_CTX_PROCESS, 0), NULL), ""));
	CHECK(st->kv_via_head >= nobj && chain_len(st->krcs[0].head) >= nobj);
	return st;
}

/* what the last check recorded of the chain whose top is @top */
static long seen_len(const struct pa_state *st, const void *top, bool block)
{
	for (int i = 0; i < st->nr_chain_seen; i++)
		if (st->chain_seen[i].top == top && st->chain_seen[i].block == block)
			return st->chain_seen[i].len;
	return top ? -1 : 0;
}

static long top_records(const struct kvfree_rcu_bulk_data *b)
{
	return b ? (long)b->nr_records : 0;
}

/* after every op, the incremental records equal a walk of the chains */
static void test_kernel_ways(void)
{
	struct mm_instance in;
	struct pa_state *st = heads_new(&in, 40);
	struct mm_op ops[] = {
		pa_op(PA_OP_KVFREE_RCU, 0, 2, 7, MM_CTX_PROCESS, 0),	/* push */
		pa_op(PA_OP_RUN_WORK, 0, 1, 0, 0, 0),			/* detach */
		pa_op(PA_OP_KVFREE_RCU, 0, 2, 5, MM_CTX_PROCESS, 0),	/* a new chain */
		pa_op(PA_OP_KVFREE_RCU, 0, 2, 3, MM_CTX_PROCESS, 0),
		pa_op(PA_OP_RCU_GP, 0, 0, 0, 0, 0),
		pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0),			/* consume */
		pa_op(PA_OP_KVFREE_RCU, 0, 2, 2, MM_CTX_PROCESS, 0),
		pa_op(PA_OP_RUN_WORK, 0, 4, 0, 0, 0),
		pa_op(PA_OP_KVFREE_RCU, 0, 2, 9, MM_CTX_PROCESS, 0),
	};

	bool both = false;

	if (!st)
		return;
	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct kfree_rcu_cpu *krcp = &st->krcs[0];

		CHECK(!strcmp(pa_do(&in, ops[i], NULL), ""));
		CHECK_EQ(seen_len(st, krcp->head, false), chain_len(krcp->head));
		CHECK_EQ(seen_len(st, krcp->bkvhead[0], true), top_records(krcp->bkvhead[0]));
		for (int b = 0; b < KFREE_N_BATCHES; b++) {
			struct kfree_rcu_cpu_work *krwp = &krcp->krw_arr[b];

			CHECK_EQ(seen_len(st, krwp->head_free, false), chain_len(krwp->head_free));
			CHECK_EQ(seen_len(st, krwp->bkvhead_free[0], true),
				 top_records(krwp->bkvhead_free[0]));
		}
		both |= krcp->head && krcp->krw_arr[0].head_free;
		/* and a full check agrees */
		CHECK(!strcmp(pa_inside(&in, NULL, true), ""));
	}
	CHECK(both && st->kv_freed > 0);
	mm_instance_destroy(&in);
}

/* obj_kfree() of the third object of the pending chain: a port's bug */
static void c_free_queued(struct pa_state *st)
{
	obj_kfree((char *)st->krcs[0].head->next->next, true, "test");
}

/* obj_kfree() of a record of the second pending block */
static void c_free_recorded(struct pa_state *st)
{
	obj_kfree(st->krcs[0].bkvhead[0]->next->records[3], true, "test");
}

/* a recorded object's state changed outside obj_kfree(): no kernel path does this */
static void c_state_behind(struct pa_state *st)
{
	((struct rcu_obj *)st->krcs[0].bkvhead[0]->next->records[3])->state = OBJ_FREED;
}

/* the chain loses its third object, edited in the middle: no kernel path does this */
static void c_drop_middle(struct pa_state *st)
{
	struct rcu_head *h = st->krcs[0].head->next;

	h->next = h->next->next;
}

static void test_fires(void)
{
	struct mm_instance in;
	const struct mm_op quiet = pa_op(PA_OP_DRAIN_LOCAL, 0, MM_CTX_PROCESS, 0, 0, 0);
	struct pa_state *st;
	int n;

	/* a freed object on a chain: at the next op, the full check's text */
	if ((st = heads_new(&in, 20))) {
		CHECK(!strcmp(pa_inside(&in, c_free_queued, false), ""));
		CHECK(!strcmp(pa_do(&in, quiet, NULL), "KVFREE_ACCOUNT"));
		CHECK(strstr(in.m.detail, "pending rcu_head object has state 2") != NULL);
		mm_instance_destroy(&in);
	}
	if ((st = heads_new(&in, 20))) {
		CHECK(st->krcs[0].bkvhead[0] && st->krcs[0].bkvhead[0]->next);
		CHECK(!strcmp(pa_inside(&in, c_free_recorded, false), ""));
		CHECK(!strcmp(pa_do(&in, quiet, NULL), "KVFREE_ACCOUNT"));
		CHECK(strstr(in.m.detail, "pending object in a block has state 2") != NULL);
		mm_instance_destroy(&in);
	}
	if ((st = heads_new(&in, 20))) {
		CHECK(!strcmp(pa_inside(&in, c_state_behind, false), ""));
		CHECK(!strcmp(pa_do(&in, quiet, NULL), ""));
		mm_instance_last_op(&in);
		CHECK(!strcmp(pa_do(&in, quiet, NULL), "KVFREE_ACCOUNT"));
		CHECK(strstr(in.m.detail, "pending object in a block has state 2") != NULL);
		mm_instance_destroy(&in);
	}
	/* an edited middle: unseen by incremental checks, reported by the last op's */
	if ((st = heads_new(&in, 20))) {
		char want[96];

		snprintf(want, sizeof(want), "freed 0 + pending %ld != calls %ld",
			 st->kv_calls - 1, st->kv_calls);
		CHECK(!strcmp(pa_inside(&in, c_drop_middle, false), ""));
		CHECK(!strcmp(pa_do(&in, quiet, NULL), ""));
		CHECK(!strcmp(pa_do(&in, quiet, NULL), ""));
		mm_instance_last_op(&in);
		CHECK(!strcmp(pa_do(&in, quiet, NULL), "KVFREE_ACCOUNT"));
		CHECK(!strcmp(in.m.detail, want));
		mm_instance_destroy(&in);
	}
	/* ... and within MM_CHECK_FULL_EVERY ops without a last op */
	if ((st = heads_new(&in, 20))) {
		CHECK(!strcmp(pa_inside(&in, c_drop_middle, false), ""));
		for (n = 1; n <= MM_CHECK_FULL_EVERY; n++)
			if (strcmp(pa_do(&in, quiet, NULL), ""))
				break;
		CHECK(n > 1 && n <= MM_CHECK_FULL_EVERY);
		CHECK(!strcmp(in.m.inv, "KVFREE_ACCOUNT"));
		mm_instance_destroy(&in);
	}
	/* a check outside mm_instance_exec() is full */
	if ((st = heads_new(&in, 20))) {
		CHECK(!strcmp(pa_inside(&in, c_drop_middle, true), "KVFREE_ACCOUNT"));
		mm_instance_destroy(&in);
	}
}

/* which checks mm_run() makes full */
static bool fulls[MM_MAX_OPS + 2];
static int nr_checks;

static void recording_check(void *inst)
{
	if (nr_checks < (int)(sizeof(fulls) / sizeof(fulls[0])))
		fulls[nr_checks++] = mm_check_full();
	pa_test_port.check(inst);
}

static void test_driver_schedule(void)
{
	struct mm_variant v = pa_test_port;
	const struct mm_variant *vars[] = { &v };
	struct mm_input input;
	struct mm_verdict out;
	int nops = 2 * MM_CHECK_FULL_EVERY + 5;

	v.check = recording_check;
	memset(&input, 0, sizeof(input));
	input.cfg = pa_cfg();
	input.nr_ops = nops;
	for (int i = 0; i < nops; i++)
		input.ops[i] = pa_op(PA_OP_DRAIN_LOCAL, 0, MM_CTX_PROCESS, 0, 0, 0);
	nr_checks = 0;
	CHECK_EQ(mm_run(&pagealloc_family, vars, 1, &input, &out, NULL), 0);
	CHECK_EQ(nr_checks, nops + 1);
	CHECK(fulls[0]);	/* create */
	for (int k = 0; k < nops; k++)
		CHECK_EQ(fulls[k + 1], (k + 1) % MM_CHECK_FULL_EVERY == 0 || k == nops - 1);
	CHECK(mm_check_full());	/* outside a run */
}

int main(void)
{
	test_kernel_ways();
	test_fires();
	test_driver_schedule();
	return test_done("test_pa_deferred");
}

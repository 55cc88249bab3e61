/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvfree_rcu() of kernel/rcu/tree.c v5.9, the page allocator's client in
 * this family, the part every revision shares: the simulated objects,
 * the bnode cache (get_cached_bnode(), put_cached_bnode() with the port's
 * rcu_min_cached_objs), queue_rcu_work(), the monitor detaching a batch
 * (queue_kfree_rcu_work(), kfree_rcu_drain_unlock(), kfree_rcu_monitor()).
 * A port includes it after page_alloc.h, with rcu_min_cached_objs
 * defined, and provides kvfree_call_rcu_add_ptr_to_bulk(),
 * kvfree_call_rcu(), kfree_rcu_work() and kfree_rcu_batch_init() (v5.9's
 * last three are in kvfree_rcu-v5.9.h).
 * Modelling choices: only the kmalloc channel (no vmalloc pointers); the
 * monitor's KFREE_DRAIN_JIFFIES delay is not modelled (the work runs when
 * a run_work op runs system_wq); no debug-objects double-free detection.
 */
#ifndef MM_PA_KVFREE_RCU_H
#define MM_PA_KVFREE_RCU_H

#include <string.h>

#include <linux/sched.h>
#include "pa_internal.h"

#pragma GCC diagnostic ignored "-Wunused-function"

#ifndef rcu_min_cached_objs
#error "a port defines rcu_min_cached_objs before including kvfree_rcu.h"
#endif

#define krc (G->krcs)

/* -- the simulated objects the callers kvfree_rcu() --------------------- */

#define OBJ_CHUNK 1024

/* threaded mode: the free list is the CPUs' and the work's, under the harness mutex */
static struct rcu_obj *obj_alloc(void)
{
	struct rcu_obj *o;

	mm_harness_lock();
	o = G->obj_free;

	if (!o) {
		struct rcu_obj *chunk;

		if (G->nr_obj_chunks == G->obj_chunk_cap) {
			int cap = G->obj_chunk_cap ? 2 * G->obj_chunk_cap : 16;
			struct rcu_obj **n = mm_kzalloc(sizeof(*n) * cap, MM_FAIL_NR);

			if (G->nr_obj_chunks)
				memcpy(n, G->obj_chunks, sizeof(*n) * G->nr_obj_chunks);
			mm_kfree(G->obj_chunks);
			G->obj_chunks = n;
			G->obj_chunk_cap = cap;
		}
		chunk = mm_kzalloc(sizeof(*chunk) * OBJ_CHUNK, MM_FAIL_NR);
		G->obj_chunks[G->nr_obj_chunks++] = chunk;
		for (int i = OBJ_CHUNK - 1; i >= 0; i--) {
			chunk[i].next_free = G->obj_free;
			G->obj_free = &chunk[i];
		}
		o = G->obj_free;
	}
	G->obj_free = o->next_free;
	o->next_free = NULL;
	mm_harness_unlock();
	/*
	 * threaded mode: memory kfree()d on one CPU and allocated again on
	 * another, as the slab allocator hands it over (obj_kfree() releases)
	 */
	mm_tsan_acquire(o);
	return o;
}

/*
 * kfree() of an object after its grace period (I9): it must be queued,
 * and a grace period must have ended since kvfree_rcu() was called.
 * @late: the object's channel was attached to an rcu_work already pending
 * (queue_rcu_work() returned false).  v5.9 then frees it with no grace
 * period of its own: a real bug of v5.9 (and of every variant here, which
 * share this code), fixed upstream in v6.3 by "rcu: Avoid freeing new
 * kfree_rcu() memory after old grace period" (Ziwei Dai).  No revision of
 * this family touches it, so it is logged as a known reference bug.
 */
static void obj_kfree(void *ptr, bool late, const char *where)
{
	struct rcu_obj *o = ptr;

	if (o->state != OBJ_QUEUED)
		mm_violation("KVFREE_DOUBLE_FREE", where,
			     "object freed twice or never queued (state %u)", o->state);
	if (mm_cur->rcu_gp_seq <= o->gp_at_call) {
		if (!late)
			mm_violation("KVFREE_BEFORE_GP", where,
				     "object queued at gp_seq %lu freed at gp_seq %lu",
				     o->gp_at_call, mm_cur->rcu_gp_seq);
		mm_note("KNOWN_REF_BUG",
			"KVFREE_BEFORE_GP in %s: object queued at gp_seq %lu freed at gp_seq %lu, its channel was attached to an already pending rcu_work (v5.9 race, fixed in v6.3)",
			where, o->gp_at_call, mm_cur->rcu_gp_seq);
	}
	mm_tsan_release(o);	/* to the CPU that allocates it again (obj_alloc()) */
	mm_harness_lock();
	o->state = OBJ_FREED;
	G->kv_freed++;
	o->next_free = G->obj_free;
	G->obj_free = o;
	mm_harness_unlock();
}

/* -- the bnode cache (v5.9: rcu/tree: cache specified number of objects) -- */

/* Mirrors get_cached_bnode(), kernel/rcu/tree.c v5.9. */
static struct kvfree_rcu_bulk_data *get_cached_bnode(struct kfree_rcu_cpu *krcp)
{
	struct kvfree_rcu_bulk_data *bnode;

	if (!krcp->nr_bkv_objs)
		return NULL;
	krcp->nr_bkv_objs--;
	bnode = krcp->bkvcache;
	krcp->bkvcache = bnode->next;
	return bnode;
}

/* Mirrors put_cached_bnode(), v5.9. */
static bool put_cached_bnode(struct kfree_rcu_cpu *krcp, struct kvfree_rcu_bulk_data *bnode)
{
	if (krcp->nr_bkv_objs >= rcu_min_cached_objs)
		return false;
	bnode->next = krcp->bkvcache;
	krcp->bkvcache = bnode;
	krcp->nr_bkv_objs++;
	return true;
}

/* -- rcu_work (kernel/workqueue.c queue_rcu_work) ------------------------ */

/* Mirrors rcu_work_rcufn(), kernel/workqueue.c v5.9. */
static void rcu_work_rcufn(struct rcu_head *rcu)
{
	struct rcu_work *rwork = container_of(rcu, struct rcu_work, rcu);

	local_irq_disable();
	queue_work(&mm_cur->system_wq, &rwork->work);
	local_irq_enable();
	/* the work's own pending bit holds it now (the kernel's bit is atomic) */
	mm_harness_lock();
	rwork->rcu_pending = false;
	mm_harness_unlock();
}

/* Mirrors queue_rcu_work(): false if the work is already pending. */
static bool queue_rcu_work(struct rcu_work *rwork)
{
	bool pending;

	/* test_and_set_bit(WORK_STRUCT_PENDING_BIT): one atomic step */
	mm_harness_lock();
	pending = rwork->rcu_pending || work_pending(&rwork->work);
	if (!pending)
		rwork->rcu_pending = true;
	mm_harness_unlock();
	if (pending)
		return false;
	rwork->t_queued = ++G->pa_clock;
	call_rcu(&rwork->rcu, rcu_work_rcufn);
	return true;
}

/* -- reclaim ------------------------------------------------------------- */

/* Mirrors queue_kfree_rcu_work(), v5.9. */
static bool queue_kfree_rcu_work(struct kfree_rcu_cpu *krcp)
{
	struct kfree_rcu_cpu_work *krwp;
	bool repeat = false;
	int i, j;

	lockdep_assert_held(&krcp->lock);
	for (i = 0; i < KFREE_N_BATCHES; i++) {
		krwp = &krcp->krw_arr[i];
		if ((krcp->bkvhead[0] && !krwp->bkvhead_free[0]) ||
		    (krcp->head && !krwp->head_free)) {
			/* model only: the channels this pass attaches */
			unsigned int attached = 0;

			for (j = 0; j < FREE_N_CHANNELS; j++) {
				if (!krwp->bkvhead_free[j]) {
					if (krcp->bkvhead[j])
						attached |= LATE_BKV;
					krwp->bkvhead_free[j] = krcp->bkvhead[j];
					krcp->bkvhead[j] = NULL;
				}
			}
			if (!krwp->head_free) {
				if (krcp->head)
					attached |= LATE_HEAD;
				krwp->head_free = krcp->head;
				krcp->head = NULL;
			}
			WRITE_ONCE(krcp->count, 0);
			/*
			 * v5.9 ignores the result: when the rcu_work is
			 * already pending, the channels just attached ride on
			 * a grace period that may predate them.
			 */
			if (!queue_rcu_work(&krwp->rcu_work))
				krwp->late_attach |= attached;
		}
		if (krcp->bkvhead[0] || krcp->head)
			repeat = true;
	}
	return !repeat;
}

/* Mirrors kfree_rcu_drain_unlock(), v5.9. */
static void kfree_rcu_drain_unlock(struct kfree_rcu_cpu *krcp, unsigned long flags)
{
	krcp->monitor_todo = false;
	if (queue_kfree_rcu_work(krcp)) {
		raw_spin_unlock_irqrestore(&krcp->lock, flags);
		return;
	}
	/* Previous RCU batch still in progress, try again later. */
	krcp->monitor_todo = true;
	schedule_work(&krcp->monitor_work);	/* schedule_delayed_work() */
	raw_spin_unlock_irqrestore(&krcp->lock, flags);
}

/* Mirrors kfree_rcu_monitor(), v5.9. */
static void kfree_rcu_monitor(struct work_struct *work)
{
	unsigned long flags;
	struct kfree_rcu_cpu *krcp = container_of(work, struct kfree_rcu_cpu, monitor_work);

	raw_spin_lock_irqsave(&krcp->lock, flags);
	if (krcp->monitor_todo)
		kfree_rcu_drain_unlock(krcp, flags);
	else
		raw_spin_unlock_irqrestore(&krcp->lock, flags);
}

/* provided by the port (v5.9's in kvfree_rcu-v5.9.h) */
static void kvfree_call_rcu(struct rcu_head *head, unsigned long func, bool *via_sync,
			    bool *via_head);

/* The kvfree_rcu op: @nobj objects, kvfree_rcu(ptr) or kvfree_rcu(ptr, rh). */
static void pa_kvfree_rcu(int nargs, int nobj)
{
	for (int i = 0; i < nobj; i++) {
		struct rcu_obj *o = obj_alloc();
		bool via_sync = false, via_head = false;

		o->state = OBJ_QUEUED;
		o->nargs = (unsigned int)nargs;
		o->t_call = ++G->pa_clock;
		o->gp_at_call = mm_cur->rcu_gp_seq;
		G->kv_calls++;
		if (nargs == 2)
			kvfree_call_rcu(&o->rh, 0, &via_sync, &via_head);
		else
			kvfree_call_rcu(NULL, (unsigned long)o, &via_sync, &via_head);
		if (via_sync)
			G->kv_via_sync++;
		else if (via_head)
			G->kv_via_head++;
		else
			G->kv_via_block++;
	}
}

#endif /* MM_PA_KVFREE_RCU_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvfree_rcu() of kernel/rcu/tree.c v5.9, the page allocator's client in
 * seed 002: per-CPU struct kfree_rcu_cpu under a raw_spinlock_t, pointer
 * blocks of one page each (struct kvfree_rcu_bulk_data), the rcu_head
 * fallback of the two-argument form and the synchronize_rcu() fallback of
 * the one-argument form, the monitor work detaching a batch and
 * queue_rcu_work() freeing it after a grace period.  Where a block page
 * comes from is the variant's (struct pa_variant_ops):
 *   v5.9          get_cached_bnode(), else (not on PREEMPT_RT)
 *                 __get_free_page(GFP_NOWAIT | __GFP_NOWARN);
 *   lockless      get_cached_bnode(), else __rcu_alloc_page_lockless(),
 *                 and on failure the RFC 1/4 page cache worker;
 *   nolocks-flag  as v5.9 with __get_free_page(__GFP_NO_LOCKS).
 * Modelling choices: only the kmalloc channel (no vmalloc pointers); the
 * monitor's KFREE_DRAIN_JIFFIES delay is not modelled (the work runs when
 * a run_work op runs system_wq); no debug-objects double-free detection.
 */
#include <string.h>

#include <linux/sched.h>
#include "pa_internal.h"

#define krc (G->krc)

/* -- the simulated objects the callers kvfree_rcu() --------------------- */

#define OBJ_CHUNK 1024

static struct rcu_obj *obj_alloc(void)
{
	struct rcu_obj *o = G->obj_free;

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
	return o;
}

/*
 * kfree() of an object after its grace period (I9): it must be queued,
 * and a grace period must have ended since kvfree_rcu() was called.
 * @late: the object's channel was attached to an rcu_work already pending
 * (queue_rcu_work() returned false).  v5.9 then frees it with no grace
 * period of its own: a real bug of v5.9 (and of every variant here, which
 * share this code), fixed upstream in v6.3 by "rcu: Avoid freeing new
 * kfree_rcu() memory after old grace period" (Ziwei Dai).  Outside the
 * seed's patches, so it is logged as a known reference bug.
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
	o->state = OBJ_FREED;
	G->kv_freed++;
	o->next_free = G->obj_free;
	G->obj_free = o;
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
	rwork->rcu_pending = false;	/* the work's own pending bit holds it now */
}

/* Mirrors queue_rcu_work(): false if the work is already pending. */
static bool queue_rcu_work(struct rcu_work *rwork)
{
	if (rwork->rcu_pending || work_pending(&rwork->work))
		return false;
	rwork->rcu_pending = true;
	rwork->t_queued = ++G->pa_clock;
	call_rcu(&rwork->rcu, rcu_work_rcufn);
	return true;
}

/* -- reclaim ------------------------------------------------------------- */

/*
 * Mirrors kfree_rcu_work(), kernel/rcu/tree.c v5.9: runs from system_wq
 * after the grace period queue_rcu_work() waited for.
 */
static void kfree_rcu_work(struct work_struct *work)
{
	unsigned long flags;
	struct kvfree_rcu_bulk_data *bkvhead[FREE_N_CHANNELS], *bnext;
	struct rcu_head *head, *next;
	struct kfree_rcu_cpu *krcp;
	struct kfree_rcu_cpu_work *krwp;
	unsigned int late;
	int i;

	krwp = container_of(work, struct kfree_rcu_cpu_work, rcu_work.work);
	krcp = krwp->krcp;

	raw_spin_lock_irqsave(&krcp->lock, flags);
	for (i = 0; i < FREE_N_CHANNELS; i++) {
		bkvhead[i] = krwp->bkvhead_free[i];
		krwp->bkvhead_free[i] = NULL;
	}
	head = krwp->head_free;
	krwp->head_free = NULL;
	late = krwp->late_attach;
	krwp->late_attach = 0;
	raw_spin_unlock_irqrestore(&krcp->lock, flags);

	for (i = 0; i < FREE_N_CHANNELS; i++) {
		for (; bkvhead[i]; bkvhead[i] = bnext) {
			struct kfree_rcu_cpu *this;

			bnext = bkvhead[i]->next;
			/* kfree_bulk(bkvhead[i]->nr_records, bkvhead[i]->records) */
			for (unsigned long j = 0; j < bkvhead[i]->nr_records; j++)
				obj_kfree(bkvhead[i]->records[j], late & LATE_BKV, "kfree_bulk");

			/* krc_this_cpu_lock() */
			local_irq_save(flags);
			this = &krc[smp_processor_id()];
			raw_spin_lock(&this->lock);
			if (put_cached_bnode(this, bkvhead[i]))
				bkvhead[i] = NULL;
			raw_spin_unlock(&this->lock);
			local_irq_restore(flags);

			if (bkvhead[i])
				free_page((unsigned long)bkvhead[i]);
			cond_resched();	/* cond_resched_tasks_rcu_qs() */
		}
	}

	/* Emergency case only: the rcu_head channel. */
	for (; head; head = next) {
		unsigned long offset = (unsigned long)head->func;
		void *ptr = (char *)head - offset;

		next = head->next;
		obj_kfree(ptr, late & LATE_HEAD, "kvfree");
		cond_resched();
	}
}

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

/* -- RFC 1/4: "rcu/tree: Add a work to allocate pages from regular context" */

/*
 * Mirrors fill_page_cache_func(), seed 002 RFC 1/4 "rcu/tree: Add a work to
 * allocate pages from regular context" (SPEC 3(c): 8c0a1269709d).
 */
static void fill_page_cache_func(struct work_struct *work)
{
	struct kvfree_rcu_bulk_data *bnode;
	struct kfree_rcu_cpu *krcp = container_of(work, struct kfree_rcu_cpu, page_cache_work);
	unsigned long flags;
	bool pushed;
	int i;

	for (i = 0; i < rcu_min_cached_objs; i++) {
		bnode = (struct kvfree_rcu_bulk_data *)__get_free_page(GFP_KERNEL | __GFP_NOWARN);
		if (bnode) {
			raw_spin_lock_irqsave(&krcp->lock, flags);
			pushed = put_cached_bnode(krcp, bnode);
			raw_spin_unlock_irqrestore(&krcp->lock, flags);
			if (!pushed) {
				free_page((unsigned long)bnode);
				break;
			}
		}
	}
	krcp->work_in_progress = false;
}

/* Mirrors run_page_cache_worker(), RFC 1/4 (its hrtimer not modelled). */
static void run_page_cache_worker(struct kfree_rcu_cpu *krcp)
{
	if (!krcp->work_in_progress) {
		krcp->work_in_progress = true;
		/* hrtimer -> queue_work(system_highpri_wq): one queue here */
		queue_work(&mm_cur->system_wq, &krcp->page_cache_work);
	}
}

/* -- the entry ----------------------------------------------------------- */

/* v5.9's block page source (the reference's kvfree_get_page). */
unsigned long pa_v59_kvfree_get_page(void)
{
	/*
	 * To keep this path working on raw non-preemptible sections,
	 * v5.9 does not enter the allocator on PREEMPT_RT.
	 */
	if (mm_cur->preempt_rt)
		return 0;
	return __get_free_page(GFP_NOWAIT | __GFP_NOWARN);
}

/* Mirrors kvfree_call_rcu_add_ptr_to_bulk(), v5.9 (kmalloc channel). */
bool kvfree_call_rcu_add_ptr_to_bulk(struct kfree_rcu_cpu *krcp, void *ptr)
{
	struct kvfree_rcu_bulk_data *bnode;
	int idx = 0;

	if (unlikely(!krcp->initialized))
		return false;
	lockdep_assert_held(&krcp->lock);

	if (!krcp->bkvhead[idx] || krcp->bkvhead[idx]->nr_records == KVFREE_BULK_MAX_ENTR) {
		bnode = get_cached_bnode(krcp);
		if (!bnode) {
			G->lockless_attempts++;
			bnode = (struct kvfree_rcu_bulk_data *)G->vops->kvfree_get_page();
			if (!bnode)
				G->lockless_failed++;
		}
		/* Switch to emergency path. */
		if (unlikely(!bnode))
			return false;
		bnode->nr_records = 0;
		bnode->next = krcp->bkvhead[idx];
		krcp->bkvhead[idx] = bnode;
	}
	krcp->bkvhead[idx]->records[krcp->bkvhead[idx]->nr_records++] = ptr;
	return true;
}

/* Mirrors kvfree_call_rcu(), kernel/rcu/tree.c v5.9. */
static void kvfree_call_rcu(struct rcu_head *head, unsigned long func, bool *via_sync,
			    bool *via_head)
{
	unsigned long flags;
	struct kfree_rcu_cpu *krcp;
	bool success;
	void *ptr;

	if (head) {
		ptr = (char *)head - func;
	} else {
		might_sleep();
		ptr = (void *)func;
	}

	/* krc_this_cpu_lock() */
	local_irq_save(flags);
	krcp = &krc[smp_processor_id()];
	raw_spin_lock(&krcp->lock);

	success = kvfree_call_rcu_add_ptr_to_bulk(krcp, ptr);
	if (!success) {
		G->kv_fallbacks++;
		if (G->vops->page_cache_worker)
			run_page_cache_worker(krcp);	/* RFC 1/4 */
		if (head == NULL)
			goto unlock_return;
		head->func = (void (*)(struct rcu_head *))func;
		head->next = krcp->head;
		krcp->head = head;
		success = true;
		*via_head = true;
	}

	WRITE_ONCE(krcp->count, krcp->count + 1);
	if (!krcp->monitor_todo) {
		krcp->monitor_todo = true;
		schedule_work(&krcp->monitor_work);	/* KFREE_DRAIN_JIFFIES */
	}

unlock_return:
	raw_spin_unlock(&krcp->lock);
	local_irq_restore(flags);

	if (!success) {
		*via_sync = true;
		synchronize_rcu();
		obj_kfree(ptr, false, "kvfree_call_rcu");
	}
}

/* The kvfree_rcu op: @nobj objects, kvfree_rcu(ptr) or kvfree_rcu(ptr, rh). */
void pa_kvfree_rcu(int nargs, int nobj)
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

/* Mirrors kfree_rcu_batch_init(), v5.9 (the cache prefill at boot). */
void kfree_rcu_batch_init(void)
{
	for (int cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct kfree_rcu_cpu *krcp = &krc[cpu];

		raw_spin_lock_init(&krcp->lock);
		krcp->cpu = cpu;
		for (int i = 0; i < KFREE_N_BATCHES; i++) {
			INIT_WORK(&krcp->krw_arr[i].rcu_work.work, kfree_rcu_work);
			krcp->krw_arr[i].krcp = krcp;
		}
		INIT_WORK(&krcp->monitor_work, kfree_rcu_monitor);
		INIT_WORK(&krcp->page_cache_work, fill_page_cache_func);
		if (cpu >= G->nr_cpus)
			continue;
		if (G->vops->boot_prefill) {
			for (int i = 0; i < rcu_min_cached_objs; i++) {
				struct kvfree_rcu_bulk_data *bnode =
					(struct kvfree_rcu_bulk_data *)
					__get_free_page(GFP_NOWAIT | __GFP_NOWARN);

				if (bnode)
					put_cached_bnode(krcp, bnode);
			}
		}
		krcp->initialized = true;
	}
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The v5.9 forms of the kvfree_rcu() functions of kernel/rcu/tree.c that
 * the revisions of the kvfree_rcu() client change: kfree_rcu_work(),
 * kvfree_call_rcu() and kfree_rcu_batch_init().  A port whose revision
 * keeps them includes this file after kvfree_rcu.h.
 */
#ifndef MM_PA_KVFREE_RCU_V59_H
#define MM_PA_KVFREE_RCU_V59_H

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
		MM_HARNESS_ACCESS(G->kv_fallbacks++);	/* model: observables */
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


/* Mirrors kfree_rcu_batch_init(), v5.9 (the cache prefill at boot). */
static void kfree_rcu_batch_init(void)
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
		if (cpu >= G->nr_cpus)
			continue;
		for (int i = 0; i < rcu_min_cached_objs; i++) {
			struct kvfree_rcu_bulk_data *bnode =
				(struct kvfree_rcu_bulk_data *)
				__get_free_page(GFP_NOWAIT | __GFP_NOWARN);

			if (bnode)
				put_cached_bnode(krcp, bnode);
			/* else pr_err("Failed to preallocate for %d CPU!\n", cpu) */
		}
		G->boot_bnode_pages += krcp->nr_bkv_objs;
		krcp->initialized = true;
	}
}
#endif /* MM_PA_KVFREE_RCU_V59_H */

// SPDX-License-Identifier: GPL-2.0-only
/* The simulated machine: budget, fault injection, lock checker, work, RCU. */
#include <string.h>

#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "machine_run.h"
#include "test.h"

static struct mm_machine m;
static jmp_buf jb;	/* the known-report case below runs its own */

static const char *run(void (*fn)(void), bool rt, bool prove)
{
	return machine_run(&m, fn, rt, prove);
}

static spinlock_t zone_lock;
static raw_spinlock_t krcp_lock;
static struct mutex mtx;

static void init_locks(void)
{
	spin_lock_init(&zone_lock);
	raw_spin_lock_init(&krcp_lock);
	mutex_init(&mtx);
}

static void nested_spin_in_raw(void)
{
	unsigned long flags;

	init_locks();
	raw_spin_lock_irqsave(&krcp_lock, flags);
	spin_lock(&zone_lock);
	spin_unlock(&zone_lock);
	raw_spin_unlock_irqrestore(&krcp_lock, flags);
}

static void mutex_under_spin(void)
{
	init_locks();
	spin_lock(&zone_lock);
	mutex_lock(&mtx);
}

static void relock(void)
{
	init_locks();
	spin_lock_irq(&zone_lock);
	spin_lock_irq(&zone_lock);
}

static void leak_lock(void)
{
	init_locks();
	mutex_lock(&mtx);
}

static void lockless_takes_lock(void)
{
	init_locks();
	mm_lockless_enter();
	spin_lock(&zone_lock);
}

static void clean_nesting(void)
{
	unsigned long flags;

	init_locks();
	mutex_lock(&mtx);
	spin_lock_irqsave(&zone_lock, flags);
	raw_spin_lock(&krcp_lock);
	raw_spin_unlock(&krcp_lock);
	spin_unlock_irqrestore(&zone_lock, flags);
	mutex_unlock(&mtx);
}

static void irq_flag(void)
{
	unsigned long f1, f2;

	init_locks();
	local_irq_enable();		/* redundant, as the kernel allows */
	local_irq_save(f1);
	spin_lock_irqsave(&zone_lock, f2);	/* nested irqsave */
	spin_unlock_irqrestore(&zone_lock, f2);
	CHECK_EQ(mm_this_cpu()->irqs_disabled, 1);	/* still off: f2 said so */
	local_irq_restore(f1);
	CHECK_EQ(mm_this_cpu()->irqs_disabled, 0);
}

static void leak_preempt(void)
{
	preempt_disable();
}

static void budget(void)
{
	void *a, *b, *c;

	a = mm_pages_alloc(10, MM_FAIL_NR);
	CHECK(a != NULL);
	b = mm_pages_alloc(7, MM_FAIL_NR);	/* 10 + 7 > 16 */
	CHECK(b == NULL);
	CHECK_EQ(m.budget_fails, 1);
	c = mm_kzalloc(100, MM_FAIL_KMALLOC);	/* one page of metadata */
	CHECK(c != NULL);
	CHECK_EQ(mm_pages_held(), 11);
	m.fail_next[MM_FAIL_KMALLOC] = 2;
	CHECK(mm_kzalloc(8, MM_FAIL_KMALLOC) == NULL);
	CHECK(mm_kzalloc(8, MM_FAIL_KMALLOC) == NULL);
	CHECK(mm_kzalloc(8, MM_FAIL_KMALLOC) != NULL);
	CHECK_EQ(m.fail_hits[MM_FAIL_KMALLOC], 2);
	CHECK(mm_kzalloc(1 << 20, MM_FAIL_NR) != NULL);	/* bookkeeping: free */
	mm_pages_free(a, 10);
	CHECK_EQ(mm_pages_held(), 1);
	/* left allocated on purpose: destroy frees everything */
	CHECK(mm_pages_alloc(15, MM_FAIL_NR) != NULL);
}

static void contents(void)
{
	char *p = mm_pages_alloc(1, MM_FAIL_NR);

	mm_fill(p + 8, 100, 42, 1);
	CHECK_EQ(mm_check(p + 8, 100, 42, 1), -1);
	CHECK(mm_check(p + 8, 100, 42, 0) != -1);	/* other CPU, other pattern */
	CHECK(mm_check(p + 8, 100, 43, 1) != -1);
	p[8 + 57] ^= 1;
	CHECK_EQ(mm_check(p + 8, 100, 42, 1), 57);
}

static int ran[3];
static void w0(struct work_struct *w) { ran[0]++; }
static struct work_struct works[2];
static void requeue(struct work_struct *w) { ran[1]++; schedule_work(w); }

static void workqueue(void)
{
	INIT_WORK(&works[0], w0);
	CHECK(schedule_work(&works[0]));
	CHECK(!schedule_work(&works[0]));	/* pending: no-op */
	CHECK(work_pending(&works[0]));
	CHECK_EQ(ran[0], 0);			/* nothing runs by itself */
	CHECK_EQ(mm_run_workqueue(&m.system_wq, -1), 1);
	CHECK_EQ(ran[0], 1);
	CHECK(!work_pending(&works[0]));
	/* run one chosen item out of order; the other stays queued */
	INIT_WORK(&works[1], w0);
	schedule_work(&works[0]);
	schedule_work(&works[1]);
	CHECK(mm_run_work(&m.system_wq, &works[1]));
	CHECK(!mm_run_work(&m.system_wq, &works[1]));
	CHECK(work_pending(&works[0]));
	CHECK_EQ(ran[0], 2);
	CHECK_EQ(mm_run_workqueue(&m.system_wq, -1), 1);
	CHECK_EQ(ran[0], 3);
	CHECK(m.system_wq.head == NULL && m.system_wq.tail == NULL);
}

static void runaway_work(void)
{
	INIT_WORK(&works[1], requeue);
	schedule_work(&works[1]);
	mm_run_workqueue(&m.system_wq, -1);
}

static struct rcu_head heads[2];
static void cb(struct rcu_head *h) { ran[2]++; CHECK(m.rcu_gp_seq > h->gp_seq_queued); }
static void queue_during_gp(struct rcu_head *h) { ran[2]++; call_rcu(&heads[1], cb); }

static void rcu(void)
{
	call_rcu(&heads[0], queue_during_gp);
	CHECK_EQ(ran[2], 0);
	mm_rcu_gp();
	CHECK_EQ(ran[2], 1);			/* the one queued during it waits */
	mm_rcu_gp();
	CHECK_EQ(ran[2], 2);
}

static void trylocks(void)
{
	init_locks();
	CHECK(spin_trylock(&zone_lock));
	CHECK(!spin_trylock(&zone_lock));	/* held by us: fails, no deadlock */
	spin_unlock(&zone_lock);
	CHECK(mutex_trylock(&mtx));
	mutex_unlock(&mtx);
}

static void sleeping_cb(struct rcu_head *h) { might_sleep(); }

static void rcu_cb_sleeps(void)
{
	call_rcu(&heads[0], sleeping_cb);
	mm_rcu_gp();		/* callbacks run in softirq: may not sleep */
}

static void sleep_in_raw_ctx(void)
{
	mm_set_context(1, MM_CTX_RAW_LOCK_HELD);
	might_sleep();
}

static void nmi_alloc(void)
{
	mm_set_context(0, MM_CTX_NMI);
	mm_allocator_entry("test");
}

int main(void)
{
	CHECK(!strcmp(run(nested_spin_in_raw, false, false), ""));
	CHECK(!strcmp(run(nested_spin_in_raw, false, true), "INVALID_WAIT_CTX"));
	CHECK(!strcmp(run(nested_spin_in_raw, true, false), "SLEEP_IN_ATOMIC"));
	CHECK(!strcmp(run(mutex_under_spin, false, false), "SLEEP_IN_ATOMIC"));
	CHECK(!strcmp(run(relock, false, false), "DEADLOCK"));
	CHECK(!strcmp(run(leak_lock, false, false), "LOCK_MISUSE"));
	CHECK(!strcmp(run(lockless_takes_lock, false, false), "LOCK_IN_LOCKLESS_PATH"));
	CHECK(!strcmp(run(clean_nesting, false, true), ""));
	CHECK(!strcmp(run(clean_nesting, true, true), ""));
	CHECK(!strcmp(run(budget, false, false), ""));
	CHECK(!strcmp(run(irq_flag, false, false), ""));
	CHECK(!strcmp(run(leak_preempt, false, false), "LOCK_MISUSE"));
	CHECK(!strcmp(run(contents, false, false), ""));
	CHECK(!strcmp(run(workqueue, false, false), ""));
	CHECK(!strcmp(run(runaway_work, false, false), "UNBOUNDED_LOOP"));
	CHECK(!strcmp(run(rcu, false, false), ""));
	CHECK(!strcmp(run(sleep_in_raw_ctx, false, false), "SLEEP_IN_ATOMIC"));
	CHECK(!strcmp(run(trylocks, false, false), ""));
	CHECK(!strcmp(run(rcu_cb_sleeps, false, false), "SLEEP_IN_ATOMIC"));
	CHECK(!strcmp(run(nmi_alloc, false, false), "NMI_UNSAFE"));
	/* a known reference bug is logged, not fatal */
	mm_machine_init(&m, 1, 16);
	m.prove_raw_lock_nesting = true;
	m.known_lock_reports = 1u << MM_LR_INVALID_WAIT_CTX;
	mm_machine_enter(&m);
	m.unwind = &jb;
	if (!setjmp(jb)) {
		mm_set_context(0, MM_CTX_PROCESS);
		nested_spin_in_raw();
		mm_clear_context();
		CHECK_EQ(m.notes.nr, 1);
		CHECK(strstr(m.notes.last, "INVALID_WAIT_CTX") != NULL);
	} else {
		CHECK(!"known report must not unwind");
	}
	mm_machine_destroy(&m);
	return test_done("test_machine");
}

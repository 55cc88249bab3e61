// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tasks and interleavings (fuzz/core/sched.c): stopping and resuming,
 * waiting for a lock another task holds, deadlock and livelock reports,
 * migration off an offlined CPU, mm_op_alone(), debugobjects' check of
 * memory freed with work queued in it, flushes that wait for a work item
 * under way in a stopped task, and RCU read sections no task stops in.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "test.h"

static struct mm_machine m;
static jmp_buf jb;
static char trail[512];		/* who did what, in order */

static void say(const char *s)
{
	strncat(trail, s, sizeof(trail) - strlen(trail) - 1);
}

/* run @fn as the op stream on a fresh machine; returns the violation id or "" */
static const char *run(void (*fn)(void))
{
	static char inv[64];

	trail[0] = '\0';
	mm_machine_init(&m, 4, 16);
	mm_machine_enter(&m);
	m.unwind = &jb;
	inv[0] = '\0';
	if (!setjmp(jb)) {
		fn();
		mm_tasks_settle();
	} else {
		snprintf(inv, sizeof(inv), "%s", m.inv);
	}
	mm_machine_destroy(&m);
	return inv;
}

static struct mutex a, b;

/* takes a, stops with it held, releases it */
static const char *hold_a(void *arg)
{
	mm_set_context(0, MM_CTX_PROCESS);
	mutex_lock(&a);
	say("T:a ");
	mm_sched_point("hold_a");	/* stops here with a held */
	say("T:unlock ");
	mutex_unlock(&a);
	mm_clear_context();
	return "done";
}

/* the op stream needs a while a stopped task holds it: the task runs first */
static void wait_for_task(void)
{
	mutex_init(&a);
	CHECK_EQ(mm_task_start(hold_a, NULL, 0, 1, "hold_a"), 1);
	CHECK_EQ(mm_tasks_alive(), 1);
	mm_sched_op_begin();
	mm_set_context(1, MM_CTX_PROCESS);
	CHECK(mm_op_alone());
	mutex_lock(&a);
	say("op:a ");
	CHECK(!mm_op_alone());		/* T1 ran during this op */
	mutex_unlock(&a);
	mm_clear_context();
	/* T1 ran to the scheduling point after its unlock and stopped there */
	CHECK_EQ(mm_tasks_alive(), 1);
}

/* T1 takes a and waits for b; T2 takes b and waits for a */
static const char *ab(void *arg)
{
	mm_set_context(0, MM_CTX_PROCESS);
	mutex_lock(&a);
	mm_sched_point("ab");
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);
	mm_clear_context();
	return NULL;
}

static const char *ba(void *arg)
{
	mm_set_context(1, MM_CTX_PROCESS);
	mutex_lock(&b);
	mm_sched_point("ba");
	mutex_lock(&a);
	mutex_unlock(&a);
	mutex_unlock(&b);
	mm_clear_context();
	return NULL;
}

static void abba(void)
{
	mutex_init(&a);
	mutex_init(&b);
	mm_task_start(ab, NULL, 0, 1, "ab");
	mm_task_start(ba, NULL, 1, 1, "ba");
	mm_task_resume(0, 4);	/* T1 waits for b */
	mm_task_resume(1, 4);	/* T2 waits for a: nobody can go on */
	mm_tasks_settle();
}

/* a task that never ends */
static const char *spin(void *arg)
{
	mm_set_context(0, MM_CTX_PROCESS);
	for (;;)
		mm_sched_point("spin");
	return NULL;
}

static void livelock(void)
{
	mm_task_start(spin, NULL, 0, 0, "spin");
	mm_task_resume(0, -1);
}

/* stops with a held on CPU 3; CPU 3 goes offline; it ends on CPU 0 */
static const char *on_cpu3(void *arg)
{
	mm_set_context(3, MM_CTX_PROCESS);
	mutex_lock(&a);
	mm_sched_point("on_cpu3");
	CHECK_EQ(m.cpu, 0);
	mutex_unlock(&a);	/* still its lock: no LOCK_MISUSE */
	mm_clear_context();
	return NULL;
}

static void migrate(void)
{
	mutex_init(&a);
	mm_task_start(on_cpu3, NULL, 3, 1, "on_cpu3");
	mm_tasks_migrate(3, 0);
}

struct obj {
	long pad;
	struct work_struct w;
};

static void work_fn(struct work_struct *w) { }

static void free_queued_work(void)
{
	struct obj *o = mm_kzalloc(sizeof(*o), MM_FAIL_NR);

	INIT_WORK(&o->w, work_fn);
	schedule_work(&o->w);
	mm_kfree(o);
}

/* a work item that frees itself is fine (the kernel allows it) */
static void self_free_fn(struct work_struct *w)
{
	mm_kfree(container_of(w, struct obj, w));
}

static void free_self_in_work(void)
{
	struct obj *o = mm_kzalloc(sizeof(*o), MM_FAIL_NR);

	INIT_WORK(&o->w, self_free_fn);
	schedule_work(&o->w);
	mm_run_workqueue(&m.system_wq, -1);
}

/* a work item that stops half-way (a task runs the queue) */
static void stopping_fn(struct work_struct *w)
{
	say("W:start ");
	mm_sched_point("stopping_fn");
	say("W:end ");
}

static const char *run_queue(void *arg)
{
	mm_set_context(0, MM_CTX_PROCESS);
	mm_run_workqueue(&m.system_wq, -1);
	mm_clear_context();
	return "ran";
}

static struct work_struct w1, w2;

/* flush_workqueue() returns only once the item under way in T1 has ended */
static void flush_waits_for_running(void)
{
	INIT_WORK(&w1, stopping_fn);
	INIT_WORK(&w2, work_fn);
	schedule_work(&w1);
	CHECK_EQ(mm_task_start(run_queue, NULL, 0, 1, "run_queue"), 1);
	schedule_work(&w2);
	mm_set_context(1, MM_CTX_PROCESS);
	mm_flush_workqueue(&m.system_wq, "flush_workqueue");
	say("flushed ");
	CHECK(!m.system_wq.head);
	mm_clear_context();
}

/* a flush holding the mutex the item under way needs never returns */
static void locked_fn(struct work_struct *w)
{
	mm_sched_point("locked_fn");
	mutex_lock(&a);
	mutex_unlock(&a);
}

static void flush_holding_lock(void)
{
	mutex_init(&a);
	INIT_WORK(&w1, locked_fn);
	schedule_work(&w1);
	mm_task_start(run_queue, NULL, 0, 1, "run_queue");
	mm_set_context(1, MM_CTX_PROCESS);
	mutex_lock(&a);
	mm_flush_running_work(&w1, "flush_work");
}

/* no task stops inside an RCU read-side section */
static const char *reader(void *arg)
{
	mm_set_context(0, MM_CTX_PROCESS);
	mm_rcu_read_lock();
	mm_sched_point("in_rcu");
	say("R:in ");
	mm_rcu_read_unlock();
	mm_sched_point("after_rcu");
	say("R:out ");
	mm_clear_context();
	return "done";
}

static void rcu_reader(void)
{
	mm_task_start(reader, NULL, 0, 0, "reader");
	say("op ");
}

/* the same schedule twice gives the same events */
static void events(char *buf, size_t len)
{
	mm_machine_init(&m, 4, 16);
	mm_machine_enter(&m);
	m.unwind = &jb;
	if (!setjmp(jb)) {
		mutex_init(&a);
		mm_task_start(hold_a, NULL, 0, 1, "hold_a");
		mm_task_resume(0, 1);
		mm_tasks_settle();
	}
	mm_sched_take_events(&m, buf, len);
	mm_machine_destroy(&m);
}

int main(void)
{
	static char e1[2048], e2[2048];

	CHECK(!strcmp(run(wait_for_task), ""));
	CHECK(!strcmp(trail, "T:a T:unlock op:a "));
	CHECK(!strcmp(run(abba), "DEADLOCK"));
	CHECK(strstr(m.detail, "T1 (ab) waits in ab for b held by T2, holding a") != NULL);
	CHECK(strstr(m.detail, "T2 (ba) waits in ba for a held by T1, holding b") != NULL);
	CHECK(!strcmp(run(livelock), "LIVELOCK"));
	CHECK(!strcmp(run(migrate), ""));
	CHECK(!strcmp(run(free_queued_work), "FREE_ACTIVE_WORK"));
	CHECK(!strcmp(m.where, "work_fn"));
	CHECK(!strcmp(run(free_self_in_work), ""));
	CHECK(!strcmp(run(flush_waits_for_running), ""));
	CHECK(!strcmp(trail, "W:start W:end flushed "));
	CHECK(!strcmp(run(flush_holding_lock), "DEADLOCK"));
	CHECK(strstr(m.detail, "the op waits in flush_work for a running work item held by T1") != NULL);
	CHECK(strstr(m.detail, "T1 (run_queue) waits in") != NULL);
	CHECK(!strcmp(run(rcu_reader), ""));
	CHECK(!strcmp(trail, "R:in op R:out "));
	events(e1, sizeof(e1));
	events(e2, sizeof(e2));
	CHECK(strstr(e1, "T1 | stops in hold_a, holding a") != NULL);
	CHECK(!strcmp(e1, e2));
	return test_done("test_sched");
}

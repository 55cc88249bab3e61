/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated machine one variant instance runs on.
 *
 * Contract: every variant instance owns one struct mm_machine.  The driver
 * makes it current (mm_machine_enter) before calling into the port, so shim
 * functions (locks, allocation, work queues) need no machine argument, the
 * way kernel code needs none.  Everything a port allocates through this API
 * is freed by mm_machine_destroy(), even after a violation unwound the port
 * half-way through a function.
 *
 * A violation (mm_violation) records the first failure of the instance and
 * unwinds to the driver with longjmp: the run is over at the first one.
 */
#ifndef MM_MACHINE_H
#define MM_MACHINE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <mm/once.h>

#define MM_MAX_CPUS		8
#define MM_PAGE_SIZE		4096UL
#define MM_DETAIL_LEN		1024

/* What a fault-injection request (fail_next) and the budget apply to. */
enum mm_fail_kind {
	MM_FAIL_POPULATE,	/* percpu backend: pcpu_populate_chunk pages */
	MM_FAIL_CREATE_CHUNK,	/* percpu backend: pcpu_create_chunk */
	MM_FAIL_KMALLOC,	/* metadata (kmalloc/vmalloc) */
	MM_FAIL_KTHREAD_CREATE,
	MM_FAIL_CHARGE,
	MM_FAIL_PAGE_ALLOC,	/* page allocator refill from "hardware" */
	MM_FAIL_NR
};

/* Calling context of an operation. */
enum mm_ctx {
	MM_CTX_PROCESS,
	MM_CTX_IRQS_OFF,
	MM_CTX_RAW_LOCK_HELD,
	MM_CTX_ZONE_LOCK_HELD,
	MM_CTX_NMI,
	MM_CTX_NR
};

enum mm_lock_class { MM_MUTEX, MM_SPINLOCK, MM_RAW_SPINLOCK };

/* Lock-checker findings; each can be made a logged note (known ref bug). */
enum mm_lock_report {
	MM_LR_DEADLOCK,
	MM_LR_SLEEP_IN_ATOMIC,
	MM_LR_INVALID_WAIT_CTX,
	MM_LR_NMI_UNSAFE,
	MM_LR_LOCK_IN_LOCKLESS_PATH,
	MM_LR_LOCK_MISUSE,
	MM_LR_NR
};

struct mm_lock {
	const char *name;
	enum mm_lock_class cls;
	int owner;		/* task id + 1, 0 when free */
	const char *site;	/* where it was taken */
	bool irqs_off;		/* taken with an _irq/_irqsave variant that disabled irqs */
};

#define MM_MAX_HELD 16
#define MM_MAX_CLEANUPS 8
#define MM_MAX_BINDINGS 4
#define MM_MAX_TASKS_RUNNING 8	/* nested work runs per machine at most */

/* Per-CPU execution state; one task per CPU in deterministic mode. */
struct mm_cpu {
	int irqs_disabled;	/* the CPU's interrupt flag: 1 when disabled */
	int preempt_count;
	int raw_locks_held;
	int spin_locks_held;
	int in_nmi;
	int lockless_depth;	/* > 0 inside an entry point claimed lockless */
	int rcu_read_depth;	/* > 0 in an RCU read-side section: not preemptible */
	/*
	 * > 0 inside a PREEMPT_RT local lock (page_alloc's pa_lock): modelled
	 * as not preempted there, a subset of the schedules the kernel runs
	 */
	int local_lock_depth;
	int ctx_irqs, ctx_preempt;	/* what the op's context started with */
	int nr_held;
	struct mm_lock *held[MM_MAX_HELD];
};

struct list_head;
struct work_struct;
struct rcu_head;

/* An explicit work queue: nothing runs until an op runs it. */
struct mm_workqueue {
	const char *name;
	struct work_struct *head, *tail;
	unsigned long nr_run;
	unsigned long nr_queued;	/* items ever queued (mm_queue_work) */
};

struct mm_note_log {
	unsigned int nr;
	char last[256];
};

struct mm_alloc_hdr;
struct mm_sched;

struct mm_machine {
	/* configuration */
	int nr_cpus;
	long budget_pages;
	bool preempt_rt;
	bool prove_raw_lock_nesting;

	/* memory: backing pages plus metadata bytes, both against the budget */
	long pages_used;
	long meta_bytes;
	long pages_peak;
	struct mm_alloc_hdr *allocs;	/* everything live, freed at destroy */
	/* given back during this run, oldest first: poisoned, not reused (pool.h) */
	struct mm_alloc_hdr *retired, *retired_tail;
	long retired_bytes;
	unsigned int fail_next[MM_FAIL_NR];
	unsigned long fail_hits[MM_FAIL_NR];	/* injected failures taken */
	unsigned long budget_fails;		/* requests refused by the budget */

	/* execution */
	int cpu;			/* current CPU (smp_processor_id) */
	int cur_task;			/* 0: the op stream; 1..MM_MAX_TASKS: a started task */
	struct mm_sched *sched;		/* tasks (fuzz/core/sched.c); NULL until one starts */
	struct mm_cpu cpus[MM_MAX_CPUS];
	unsigned long sched_points;
	const char *sched_what, *sched_lock;	/* the next scheduling point's kind, for the trace */
	unsigned int known_lock_reports;	/* mask of 1 << mm_lock_report */
	struct mm_note_log notes;
	/* harness-owned locks standing for the caller's context (ctx ops) */
	struct mm_lock ctx_raw_lock, ctx_spin_lock;

	/* deferred work */
	struct mm_workqueue system_wq;
	/* work items whose function runs now (in tasks stopped half-way) */
	const struct work_struct *running_work[1 + MM_MAX_TASKS_RUNNING];
	const struct mm_workqueue *running_wq[1 + MM_MAX_TASKS_RUNNING];
	/* owned by the task running the item: what a flush waits for */
	struct mm_lock running_lock[1 + MM_MAX_TASKS_RUNNING];
	struct rcu_head *rcu_head_list, *rcu_tail;
	unsigned long rcu_gp_seq;	/* completed grace periods */

	/* what makes a variant instance current again (mm_bind_global, mm_on_resume) */
	struct { void *slot; void *value; void (*fn)(void *arg); } bindings[MM_MAX_BINDINGS];
	int nr_bindings;
	/* per-task words of the instance (mm_task_local) */
	struct { void *addr; size_t size; } task_locals[MM_MAX_BINDINGS];
	int nr_task_locals;

	/* resources outside the machine's allocations (mm_on_destroy) */
	struct { void (*fn)(void *arg); void *arg; } cleanups[MM_MAX_CLEANUPS];
	int nr_cleanups;

	/* the -v trace: task events are printed as they happen (NULL: kept) */
	FILE *trace;

	/* who runs on it, for reports that come from outside (sanitizers) */
	const char *family_name, *variant_name;

	/* violation state */
	jmp_buf *unwind;
	bool violated;
	char inv[64];
	char where[64];
	char lock[48];		/* the lock of a lock-checker finding, "" otherwise */
	char detail[MM_DETAIL_LEN];
};

/* The machine of the variant the driver is running now. */
extern struct mm_machine *mm_cur;

void mm_machine_init(struct mm_machine *m, int nr_cpus, long budget_pages);
void mm_machine_destroy(struct mm_machine *m);
/* run @fn(@arg) when the current machine is destroyed (file descriptors, mappings) */
void mm_on_destroy(void (*fn)(void *arg), void *arg);
static inline void mm_machine_enter(struct mm_machine *m) { mm_cur = m; }
/*
 * A port's instance pointer (its "current state" global, set at every
 * entry point): *@slot is set to @value again whenever a task of this
 * machine resumes half-way through the port, since other instances' ops
 * may have run meanwhile.  @slot is the address of a pointer variable.
 */
void mm_bind_global(void *slot, void *value);
/* likewise: @fn(@arg) makes the instance current (real-source state) */
void mm_on_resume(void (*fn)(void *arg), void *arg);
/*
 * A word of the instance that describes the op under way (a flag an op
 * sets for its own calls): each task keeps its own value, swapped in and
 * out with it; a started task begins with the starter's.  @size <= 8.
 */
void mm_task_local(void *addr, size_t size);
/* make the current machine's instance current again (the bindings) */
void mm_machine_resume_bindings(struct mm_machine *m);

/*
 * Report a violation of invariant @inv (an id such as "I3_EMPTY_POP_PAGES")
 * detected in @where, and unwind to the driver.  Never returns.
 */
__attribute__((noreturn, format(printf, 3, 4)))
void mm_violation(const char *inv, const char *where, const char *fmt, ...);
/* Log a non-fatal event (known reference bug, soft metric). */
__attribute__((format(printf, 2, 3)))
void mm_note(const char *what, const char *fmt, ...);

/* -- memory (budget, fault injection, poisoning) -------------------- */
/* true if an injected failure of @kind is due now (and consumes it) */
bool mm_should_fail(enum mm_fail_kind kind);
/*
 * @nr contiguous pages, zeroed; NULL when the budget or an injected failure
 * of @kind says no (@kind MM_FAIL_NR: budget only, no injection).
 */
void *mm_pages_alloc(unsigned long nr, enum mm_fail_kind kind);
void mm_pages_free(void *p, unsigned long nr);
/*
 * Charge @nr pages backed by the caller's own memory (the real-source
 * variants' page file) against the budget, with the same fault injection
 * and refusals as mm_pages_alloc; false when refused.  Uncharge on free.
 */
bool mm_pages_charge(unsigned long nr, enum mm_fail_kind kind);
void mm_pages_uncharge(unsigned long nr);
/*
 * zeroed metadata charged to the budget in bytes; NULL on failure.  With
 * @kind MM_FAIL_NR: harness bookkeeping, never charged nor injected.
 */
void *mm_kzalloc(size_t size, enum mm_fail_kind kind);
void mm_kfree(void *p);
/* pages held now: backing pages plus metadata rounded up to pages */
long mm_pages_held(void);
long mm_machine_pages_held(const struct mm_machine *m);	/* of any machine */

/* Allocation contents: a pattern derived from (id, cpu), checked at free. */
void mm_fill(void *p, size_t len, uint64_t id, int cpu);
/* returns the first bad byte offset, or -1 when intact */
long mm_check(const void *p, size_t len, uint64_t id, int cpu);

/* -- execution context, locks, scheduling points --------------------- */
void mm_set_context(int cpu, enum mm_ctx ctx);	/* enter an op's context */
void mm_clear_context(void);			/* leave it; checks leaks */
/*
 * The current CPU (smp_processor_id()) and its execution state.  In the
 * threaded mode (MM_THREADS builds, include/mm/threads.h) each simulated
 * CPU is a thread: the CPU a worker runs as and its held-lock state are
 * the thread's own; everywhere else they are the machine's.
 */
#ifdef MM_THREADS
extern _Thread_local int mm_thread_cpu;			/* -1: not a worker */
extern _Thread_local struct mm_cpu *mm_thread_cpustate;
static inline int mm_cpu_id(void)
{
	return mm_thread_cpu >= 0 ? mm_thread_cpu : mm_cur->cpu;
}
/* run as CPU @cpu from here (a port acting on another CPU's behalf) */
static inline void mm_cpu_switch(int cpu)
{
	if (mm_thread_cpu >= 0)
		mm_thread_cpu = cpu;
	else
		mm_cur->cpu = cpu;
}
static inline struct mm_cpu *mm_this_cpu(void)
{
	return mm_thread_cpustate ? mm_thread_cpustate : &mm_cur->cpus[mm_cur->cpu];
}
#else
static inline int mm_cpu_id(void) { return mm_cur->cpu; }
static inline void mm_cpu_switch(int cpu) { mm_cur->cpu = cpu; }
static inline struct mm_cpu *mm_this_cpu(void) { return &mm_cur->cpus[mm_cur->cpu]; }
#endif

void mm_lock_init(struct mm_lock *l, const char *name, enum mm_lock_class cls);
void mm_lock_acquire(struct mm_lock *l, const char *site);
bool mm_lock_tryacquire(struct mm_lock *l, const char *site);
void mm_lock_release(struct mm_lock *l, const char *site);
/*
 * the _irq / _irqsave variants: with @saved non-NULL (irqsave) the previous
 * interrupt flag is stored there; release restores @restore, or enables
 * interrupts when it is -1 (_irq)
 */
void mm_lock_acquire_irq(struct mm_lock *l, const char *site, int *saved);
void mm_lock_release_irq(struct mm_lock *l, const char *site, int restore);
bool mm_lock_held(const struct mm_lock *l);
/* a lock-checker finding at @site about lock @l (NULL: none), or a note if masked */
void mm_lock_report(enum mm_lock_report r, const char *site,
		    const struct mm_lock *l, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *mm_lock_report_id(enum mm_lock_report r);
/* sleeping-allowed check (might_sleep) at @site */
void mm_might_sleep(const char *site);
/* any allocator entry: NMI is never allowed */
void mm_allocator_entry(const char *site);
/* a place where the kernel drops a lock, may sleep or be preempted */
void mm_sched_point(const char *site);
/*
 * true unless other tasks ran while the current op was under way: a
 * postcondition that compares the state before and after an op (what a
 * balance run leaves, what an atomic allocation did not change) holds only
 * then.  Checks of the state alone need no such guard.
 */
bool mm_op_alone(void);

void mm_irq_disable(void);
void mm_irq_enable(void);
int mm_irq_save(void);		/* disable; returns the previous flag */
void mm_irq_restore(int flags);
void mm_preempt_disable(void);
void mm_preempt_enable(void);
void mm_lockless_enter(void);
void mm_lockless_exit(void);

/* -- tasks and interleavings (fuzz/core/sched.c) ----------------------
 *
 * The op stream is task 0.  An op may be started as a task of its own
 * (1..MM_MAX_TASKS alive at once) on its own stack: it runs until it stops
 * at a scheduling point (mm_sched_point, where it is preemptible) or waits
 * for a lock another task holds, and the ops after it choose when it runs
 * on.  Only the op stream resumes tasks and tasks only return to it, so a
 * schedule is the op sequence itself: deterministic on every engine.
 * Locks are owned per task; a wait nobody can end is a DEADLOCK naming
 * every waiter's functions, a task that never ends a LIVELOCK.
 */
#define MM_MAX_TASKS		4
/* a task's body; returns its result line (may be NULL) */
typedef const char *(*mm_task_fn)(void *arg);

/*
 * Start @fn(@arg) as a task on @cpu; it stops at its (@points+1)-th
 * scheduling point.  Returns its number (T<n> in the trace), or 0 when
 * MM_MAX_TASKS are alive (nothing started).
 */
int mm_task_start(mm_task_fn fn, void *arg, int cpu, long points, const char *what);
/*
 * Resume the @k-th alive task (oldest first, k mod count) until its
 * @points-th scheduling point from here (@points < 0: to its end, running
 * the tasks it waits on as needed).  Returns its number, 0 if none alive.
 */
int mm_task_resume(unsigned int k, long points);
/* run every task to its end, oldest first; DEADLOCK if some never can */
void mm_tasks_settle(void);
/* started tasks not yet ended */
int mm_tasks_alive(void);
/* where @m's alive tasks stopped or wait, oldest first: up to @max sites; the count */
int mm_tasks_sites(const struct mm_machine *m, const char **site, int max);
/* CPU hotplug: tasks stopped on CPU @from go on on CPU @to (migrate_tasks()) */
void mm_tasks_migrate(int from, int to);
/* the op stream begins an op: mm_op_alone() is true again */
void mm_sched_op_begin(void);
/* events since the last call ("T1 stops in ..."), one per line; "" if none */
void mm_sched_take_events(struct mm_machine *m, char *buf, size_t len);
/* lock glue (machine.c): the owner id of the running task on this CPU */
int mm_lock_owner_id(void);
/*
 * Another task holds @l: wait until it is released (false: nobody can
 * release it and the finding was masked as a known bug; take it anyway).
 */
bool mm_sched_wait(struct mm_lock *l, const char *site);
/* @l was released: tasks waiting for it may run */
void mm_sched_wake(const struct mm_lock *l);
/* a lock owner id: the task and the CPU it took the lock on; and its task */
static inline int mm_owner_id(int task, int cpu) { return task * MM_MAX_CPUS + cpu + 1; }
static inline int mm_owner_task(int owner) { return (owner - 1) / MM_MAX_CPUS; }
/*
 * Who runs: the op stream 0, a started task its number; in the threaded
 * mode a CPU thread its own number past the tasks' (include/mm/threads.h).
 */
#ifdef MM_THREADS
extern _Thread_local int mm_thread_home;
static inline int mm_task_id(void)
{
	return mm_thread_home >= 0 ? MM_MAX_TASKS + 1 + mm_thread_home : mm_cur->cur_task;
}
#else
static inline int mm_task_id(void) { return mm_cur->cur_task; }
#endif
void mm_sched_destroy(struct mm_machine *m);

/* -- loop guards ------------------------------------------------------ */
#define MM_LOOP_BOUND_DEFAULT(nr_slots)	(4 * (nr_slots) + 64)
/* count one more trip of a loop; report UNBOUNDED_LOOP past @bound */
#define MM_LOOP_GUARD(counter, bound, site)				\
	do {								\
		if (++(counter) > (bound))				\
			mm_violation("UNBOUNDED_LOOP", site,		\
				     "loop ran %ld times, bound %ld",	\
				     (long)(counter), (long)(bound));	\
	} while (0)

/* -- deferred work ---------------------------------------------------- */
void mm_queue_work(struct mm_workqueue *wq, struct work_struct *w);
/* run up to @n items (all pending if n < 0); returns how many ran */
int mm_run_workqueue(struct mm_workqueue *wq, int n);
bool mm_work_pending(const struct work_struct *w);
/* dequeue a pending item without running it (cancel_work); false if not queued */
bool mm_cancel_work(struct mm_workqueue *wq, struct work_struct *w);
/*
 * run one chosen pending item of @wq (unordered queues); false if not
 * queued, or if it runs already (in a task stopped half-way)
 */
bool mm_run_work(struct mm_workqueue *wq, struct work_struct *w);
/*
 * flush_work() of an item that may be running: wait until no other task
 * runs @w (the task running it goes on meanwhile); true if it was running.
 * @w NULL: every item other tasks run.
 */
bool mm_flush_running_work(const struct work_struct *w, const char *site);
/*
 * flush_workqueue(): every item of @wq queued or running now has run when
 * it returns (the ones running in stopped tasks are waited for)
 */
void mm_flush_workqueue(struct mm_workqueue *wq, const char *site);
/* rcu_read_lock() / rcu_read_unlock(): the section is not preemptible */
void mm_rcu_read_lock(void);
void mm_rcu_read_unlock(void);
/* a PREEMPT_RT local_lock section (local_lock_irqsave): no scheduling point stops in it */
void mm_local_lock(void);
void mm_local_unlock(void);
void mm_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *));
/* end one grace period: run every callback queued before it */
void mm_rcu_gp(void);

#endif /* MM_MACHINE_H */

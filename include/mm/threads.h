/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The threaded mode (ThreadSanitizer builds only: the tsan flavor compiles
 * everything with -DMM_THREADS).
 *
 * Contract:
 *  - One variant per run.  The simulated CPUs are real threads (workers),
 *    one per CPU of the input's config.  The op list is cut into rounds:
 *    consecutive ops on distinct CPUs (each op's CPU as mm_op_context says;
 *    ops without one run on CPU 0) form a round and run at once, one per
 *    worker; a barrier ends the round, and the variant's own invariants
 *    (its check()) are run then, alone.  The machine's task ops (slots
 *    56..59) are skipped: the schedule is the operating system's.
 *  - A worker's current CPU (smp_processor_id(), mm_cpu_id()) and its
 *    held-lock state (mm_this_cpu()) are thread-local.  The shim's locks are
 *    real locks (a pthread mutex per struct mm_lock, kept aside in a table
 *    so the struct keeps its layout), taken after the held-lock checker's
 *    rules are checked: ThreadSanitizer sees the kernel's synchronization
 *    and nothing more.
 *  - The harness's own books (allocation list and budget, work queues, RCU
 *    lists, notes, the lock table) are guarded by one harness mutex taken
 *    inside ThreadSanitizer ignore regions (mm_harness_lock()), so the
 *    harness neither races nor adds happens-before edges between the ports'
 *    threads.  The machine's sources are not instrumented (fuzz/core/
 *    tsan-ignore.txt).
 *  - READ_ONCE()/WRITE_ONCE()/data_race() are ignore-annotated accesses
 *    (mm_tsan_ignore_*): the kernel marks the races it tolerates that way.
 *  - The first violation of a worker (an invariant, the lock checker, a
 *    kernel BUG) ends the run: it is written as one line and the process
 *    exits.  Data races do not end it (halt_on_error=0): every race of the
 *    run is reported.  Runs happen in a child process
 *    (mm_threads_run_isolated) that turns the output into a verdict: the
 *    first race not on the tolerated list (fuzz/core/tsan-tolerated.txt:
 *    races the kernel itself has and tolerates, by variant and function
 *    pair) gives "<family>/<variant>/DATA_RACE:<function>", the function
 *    being the first port function (ref/, impl/, the kernel trees) of
 *    either access, the lesser name of the two; the detail names both and
 *    the locks held.  Without a race, a violation gives its usual
 *    signature.  fuzz/core/tsan.supp suppresses the harness's own races
 *    that the ignore list cannot reach.
 */
#ifndef MM_THREADS_H
#define MM_THREADS_H

#include <stdbool.h>
#include <stdio.h>
#include <mm/harness.h>

struct mm_verdict;

#ifdef MM_THREADS
#define MM_THREADS_BUILT 1

/* ThreadSanitizer's dynamic annotations (its runtime defines them) */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);

#define mm_tsan_ignore_begin() \
	(AnnotateIgnoreReadsBegin(__FILE__, __LINE__), \
	 AnnotateIgnoreWritesBegin(__FILE__, __LINE__))
#define mm_tsan_ignore_end() \
	(AnnotateIgnoreWritesEnd(__FILE__, __LINE__), \
	 AnnotateIgnoreReadsEnd(__FILE__, __LINE__))

/* true while a threaded run is under way in this process */
extern bool mm_threads_running;
/* the worker's own number (its first CPU); -1 outside a worker */
extern _Thread_local int mm_thread_home;

void mm_harness_lock(void);
void mm_harness_unlock(void);

/* the real lock behind @l (machine.c's lock functions) */
void mm_thread_lock(struct mm_lock *l, const char *site);
bool mm_thread_trylock(struct mm_lock *l);
void mm_thread_unlock(struct mm_lock *l);

/*
 * A CPU with interrupts or preemption off runs nothing else: its thread
 * owns the CPU (a mutex per CPU) from then until both are on again, so a
 * thread acting as that CPU (mm_cpu_switch: a drain on its behalf) waits,
 * as the kernel's work item on that CPU would.  mm_threads_cpu_sync()
 * takes or drops the CPU after the state changed; mm_threads_cpu_own()
 * takes it before a spinlock is waited for (the kernel disables
 * preemption first).  A thread owns one CPU at most.
 */
void mm_threads_cpu_sync(void);
void mm_threads_cpu_own(void);
/* the CPUs the thread owns at the end of an op: given back */
void mm_threads_cpu_release(void);

/* a violation in a threaded run: write it and end the process */
__attribute__((noreturn)) void mm_threads_die(struct mm_machine *m);

/*
 * An object an executor hands from one op to another through its table
 * (a page allocated on one CPU and freed on another): the table is harness
 * code (ignore regions), so the handover itself gives no happens-before
 * edge, while in the kernel passing the pointer is synchronization.  The
 * executor releases the object when it puts it in the table and acquires
 * it when it takes it out, outside mm_harness_lock() (which ignores sync).
 */
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static inline void mm_tsan_release(void *obj)
{
	if (mm_threads_running)
		__tsan_release(obj);
}
static inline void mm_tsan_acquire(void *obj)
{
	if (mm_threads_running)
		__tsan_acquire(obj);
}
#else
#define MM_THREADS_BUILT 0
#define mm_threads_running false
static inline void mm_harness_lock(void) {}
static inline void mm_harness_unlock(void) {}
static inline void mm_tsan_release(void *obj) { (void)obj; }
static inline void mm_tsan_acquire(void *obj) { (void)obj; }
#endif

/* What a threaded run found. */
struct mm_thread_verdict {
	bool violated;
	char sig[192];
	char inv[64];		/* "DATA_RACE", or the invariant's id */
	char detail[MM_DETAIL_LEN];
	char report[8192];	/* the sanitizer's report (or the violation line) */
	int rounds;		/* rounds the run got through (-1: unknown) */
	/*
	 * with TSAN_OPTIONS=halt_on_error=0 (a survey): the other races'
	 * signatures and details, one per line
	 */
	char also[4096];
	/* the two port functions of the (first) race, "" when harness code */
	char fn_a[96], fn_b[96];
	/* races the tolerated list (fuzz/core/tsan-tolerated.txt) names, one per line */
	char tolerated[2048];
};

/*
 * Run @in threaded on variant @v of @fam, in a child process; fills @out.
 * Returns 1 on a finding, 0 if none, -1 if this build has no threaded mode.
 * @trace (may be NULL) gets the rounds as they are formed and the report.
 */
int mm_threads_run_isolated(const struct mm_family *fam, const struct mm_variant *v,
			    const struct mm_input *in, struct mm_thread_verdict *out,
			    FILE *trace);
/* the rounds of @in: @round[i] is op i's round, -1 for a skipped op; returns the count */
int mm_threads_rounds(const struct mm_family *fam, const struct mm_input *in,
		      int nr_cpus, int *round);
/*
 * Parse a ThreadSanitizer report (@text) into @out (signature, detail) for
 * @family/@variant; false if it holds no data race.
 */
bool mm_tsan_parse_race(const char *text, const char *family, const char *variant,
			struct mm_thread_verdict *out);
#endif /* MM_THREADS_H */

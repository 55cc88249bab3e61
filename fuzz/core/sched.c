// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tasks and the interleavings the input chooses (contract: the "tasks"
 * section of include/mm/machine.h).
 *
 * Star topology: the op stream (task 0, the thread's own stack) resumes a
 * started task with swapcontext, and a task only ever switches back to the
 * op stream, when it stops at a scheduling point, waits for a lock, or
 * ends.  Each task keeps its own copy of the CPUs' state (interrupt flag,
 * preemption count, held locks), swapped in with it.  A violation inside a
 * task unwinds to the task's own entry, which switches back; the op stream
 * then unwinds to the driver as usual.  The AddressSanitizer and
 * ThreadSanitizer fiber annotations keep both sanitizers exact across the
 * switches.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <mm/machine.h>
#include <mm/threads.h>

#define MM_TASK_STACK		(256 * 1024)
#define MM_TASK_POINTS_BOUND	200000	/* scheduling points one task may pass */
#define MM_WAIT_BOUND		20000	/* resumptions one wait may take */
#define MM_SCHED_EVENTS		32
#define MM_TASK_BT		24

/* sanitizer fiber hooks: present only when the runtime is linked */
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
				    size_t size) __attribute__((weak));
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
				     size_t *size_old) __attribute__((weak));
void __asan_unpoison_memory_region(void const volatile *addr, size_t size)
	__attribute__((weak));
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf, size_t out_buf_size)
	__attribute__((weak));
void *__tsan_get_current_fiber(void) __attribute__((weak));
void *__tsan_create_fiber(unsigned int flags) __attribute__((weak));
void __tsan_destroy_fiber(void *fiber) __attribute__((weak));
void __tsan_switch_to_fiber(void *fiber, unsigned int flags) __attribute__((weak));

enum { T_FREE, T_RUNNABLE, T_BLOCKED, T_DONE };

struct mm_task {
	int state;
	int id;				/* T<id> in the trace; 0 is the op stream */
	ucontext_t uc;
	void *stack;			/* NULL for the op stream */
	void *fake;			/* ASan fake stack while switched out */
	const void *bottom;
	size_t size;
	void *tsan_fiber;
	struct mm_cpu cpus[MM_MAX_CPUS];	/* its CPUs' state while switched out */
	int cpu;
	unsigned int known;		/* its op's masked lock reports (known_lock_reports) */
	uint64_t locals[MM_MAX_BINDINGS];	/* its mm_task_local() words while switched out */
	jmp_buf *unwind;
	jmp_buf jb;
	long budget;			/* stops at the budget-th point; < 0: never */
	unsigned long points;
	const struct mm_lock *waits;	/* the lock it waits for */
	const char *site;		/* where it stopped or waits */
	bool interleaved;		/* others ran during its op */
	mm_task_fn fn;
	void *arg;
	char what[96];
	void *bt[MM_TASK_BT];
	int nbt;
};

struct mm_sched {
	struct mm_task t[1 + MM_MAX_TASKS];
	int next_id;
	int nr_ev;
	struct { int task; char text[200]; } ev[MM_SCHED_EVENTS];
};

/* task stacks, recycled across inputs and machines */
static void *stack_pool[4 * MM_MAX_TASKS];
static int nr_pool;

static void *stack_get(void)
{
	void *p;

	if (nr_pool) {
		p = stack_pool[--nr_pool];
	} else {
		p = mmap(NULL, MM_TASK_STACK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "mmdiff: out of host memory for a task stack\n");
			abort();
		}
	}
	/* frames of a task abandoned at a violation may have left redzones */
	if (__asan_unpoison_memory_region)
		__asan_unpoison_memory_region(p, MM_TASK_STACK);
	return p;
}

static void stack_put(void *p)
{
	if (nr_pool < (int)(sizeof(stack_pool) / sizeof(stack_pool[0])))
		stack_pool[nr_pool++] = p;
	else
		munmap(p, MM_TASK_STACK);
}

static struct mm_sched *sched_get(struct mm_machine *m)
{
	if (!m->sched) {
		m->sched = calloc(1, sizeof(*m->sched));
		if (!m->sched) {
			fprintf(stderr, "mmdiff: out of host memory\n");
			abort();
		}
		m->sched->next_id = 1;
	}
	return m->sched;
}

void mm_sched_destroy(struct mm_machine *m)
{
	struct mm_sched *s = m->sched;

	if (!s)
		return;
	for (int i = 1; i <= MM_MAX_TASKS; i++) {
		if (s->t[i].stack)
			stack_put(s->t[i].stack);
		if (s->t[i].tsan_fiber && __tsan_destroy_fiber)
			__tsan_destroy_fiber(s->t[i].tsan_fiber);
	}
	free(s);
	m->sched = NULL;
	m->cur_task = 0;
}

__attribute__((format(printf, 3, 4)))
static void event(struct mm_sched *s, int task, const char *fmt, ...)
{
	va_list ap;

	if (s->nr_ev == MM_SCHED_EVENTS)
		return;
	s->ev[s->nr_ev].task = task;
	va_start(ap, fmt);
	vsnprintf(s->ev[s->nr_ev].text, sizeof(s->ev[0].text), fmt, ap);
	va_end(ap);
	s->nr_ev++;
	if (mm_cur->trace) {
		/* as it happens: a sanitizer report may end the run before the op does */
		char buf[256];
		struct mm_machine *m = mm_cur;

		mm_sched_take_events(m, buf, sizeof(buf));
		fprintf(m->trace, "      %-10s %s", m->variant_name ? m->variant_name : "", buf);
		fflush(m->trace);
	}
}

void mm_sched_take_events(struct mm_machine *m, char *buf, size_t len)
{
	struct mm_sched *s = m->sched;
	size_t o = 0;

	buf[0] = '\0';
	if (!s)
		return;
	/* one column per task: T1 at the left, T2 one step in, ... */
	for (int i = 0; i < s->nr_ev && o < len; i++) {
		int id = s->ev[i].task;

		o += snprintf(buf + o, len - o, "%*sT%d | %s\n", 2 + 4 * ((id - 1) % 8), "",
			      id, s->ev[i].text);
	}
	s->nr_ev = 0;
}

static struct mm_task *cur(struct mm_machine *m)
{
	return &m->sched->t[m->cur_task];
}

static bool alive(const struct mm_task *t)
{
	return t->state == T_RUNNABLE || t->state == T_BLOCKED;
}

static bool atomic_cpu(const struct mm_cpu *c, bool rt)
{
	/*
	 * an RCU read-side section is not preemptible (CONFIG_PREEMPT_RCU=n);
	 * an RT local lock section is kept whole (see struct mm_cpu)
	 */
	return c->irqs_disabled || c->preempt_count || c->raw_locks_held ||
	       c->rcu_read_depth || c->local_lock_depth || (c->spin_locks_held && !rt);
}

/* the locks task @t holds on its CPU, for the trace */
static void held_list(struct mm_machine *m, const struct mm_task *t, char *buf, size_t len)
{
	const struct mm_cpu *c = m->cur_task == (int)(t - m->sched->t) ?
				 &m->cpus[m->cpu] : &t->cpus[t->cpu];
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->nr_held && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", c->held[i]->name);
}

/* -- switching ------------------------------------------------------- */

/*
 * libc's swapcontext, not the AddressSanitizer interceptor: the fiber
 * annotations below tell ASan about every switch, and the interceptor
 * would only add a warning that it cannot.
 */
static int (*real_swapcontext)(ucontext_t *, const ucontext_t *);

static void do_swapcontext(ucontext_t *from, const ucontext_t *to)
{
	if (!real_swapcontext) {
		real_swapcontext = (int (*)(ucontext_t *, const ucontext_t *))
			dlsym(RTLD_NEXT, "swapcontext");
		if (!real_swapcontext)
			real_swapcontext = swapcontext;
	}
	real_swapcontext(from, to);
}

static void locals_save(struct mm_machine *m, struct mm_task *t)
{
	for (int i = 0; i < m->nr_task_locals; i++)
		memcpy(&t->locals[i], m->task_locals[i].addr, m->task_locals[i].size);
}

static void locals_load(struct mm_machine *m, const struct mm_task *t)
{
	for (int i = 0; i < m->nr_task_locals; i++)
		memcpy(m->task_locals[i].addr, &t->locals[i], m->task_locals[i].size);
}

static void switch_to(struct mm_machine *m, int to)
{
	struct mm_sched *s = m->sched;
	struct mm_task *a = &s->t[m->cur_task], *b = &s->t[to];

	locals_save(m, a);
	locals_load(m, b);
	memcpy(a->cpus, m->cpus, sizeof(a->cpus));
	a->cpu = m->cpu;
	a->known = m->known_lock_reports;
	a->unwind = m->unwind;
	memcpy(m->cpus, b->cpus, sizeof(m->cpus));
	m->cpu = b->cpu;
	m->known_lock_reports = b->known;
	m->unwind = b->unwind;
	m->cur_task = to;
	if (to)
		/* other instances' ops may have run since this task stopped */
		mm_machine_resume_bindings(m);
	if (__sanitizer_start_switch_fiber)
		__sanitizer_start_switch_fiber(a->state == T_DONE ? NULL : &a->fake,
					       b->bottom, b->size);
	if (__tsan_switch_to_fiber && b->tsan_fiber)
		__tsan_switch_to_fiber(b->tsan_fiber, 0);
	do_swapcontext(&a->uc, &b->uc);
	/* back in @a */
	if (__sanitizer_finish_switch_fiber)
		__sanitizer_finish_switch_fiber(a->fake, NULL, NULL);
}

static void trampoline(void)
{
	struct mm_machine *m = mm_cur;
	struct mm_sched *s = m->sched;
	struct mm_task *t = &s->t[m->cur_task];
	const char *volatile end = NULL;

	/* learn the op stream's stack: the only one that ever resumes us */
	if (__sanitizer_finish_switch_fiber)
		__sanitizer_finish_switch_fiber(NULL, &s->t[0].bottom, &s->t[0].size);
	if (!setjmp(t->jb))
		end = t->fn(t->arg);
	t->state = T_DONE;
	t->waits = NULL;
	if (m->violated)
		event(s, t->id, "stops: %s in %s", m->inv, m->where);
	else
		event(s, t->id, "ends: %s", end ? end : "done");
	switch_to(m, 0);
	abort();	/* never resumed */
}

/* run task @i until it stops, waits or ends; re-raise a violation it hit */
static void run_task(struct mm_machine *m, int i, long points)
{
	struct mm_sched *s = m->sched;
	struct mm_task *t = &s->t[i];

	t->budget = points;
	t->state = T_RUNNABLE;
	t->waits = NULL;
	switch_to(m, i);
	if (t->state == T_DONE) {
		stack_put(t->stack);
		t->stack = NULL;
		if (t->tsan_fiber && __tsan_destroy_fiber)
			__tsan_destroy_fiber(t->tsan_fiber);
		t->tsan_fiber = NULL;
		t->state = T_FREE;
	}
	if (m->violated)
		longjmp(*m->unwind, 1);
}

/* -- stacks of functions for the reports ------------------------------ */

static void capture(struct mm_task *t)
{
	t->nbt = backtrace(t->bt, MM_TASK_BT);
}

/* the kernel functions of a captured stack, innermost first */
static void render(const struct mm_task *t, char *buf, size_t len)
{
	size_t o = 0;
	int n = 0;

	buf[0] = '\0';
	for (int i = 0; i < t->nbt && n < 6 && o < len; i++) {
		char sym[256], fn[128], file[128];

		if (!__sanitizer_symbolize_pc)
			break;
		__sanitizer_symbolize_pc(t->bt[i], "%f %s", sym, sizeof(sym));
		if (sscanf(sym, "%127s %127s", fn, file) != 2)
			continue;
		/* the ports (ref/, impl/): not the harness or the shim */
		if (!strstr(file, "/ref/") && !strstr(file, "/impl/"))
			continue;
		o += snprintf(buf + o, len - o, "%s%s", n++ ? " <- " : "", fn);
	}
	if (!n)
		snprintf(buf, len, "%s", t->site ? t->site : "?");
}

/* -- scheduling --------------------------------------------------------- */

/* may task @i run now?  Not while a task spins with preemption off on its CPU */
static bool cpu_free_for(struct mm_machine *m, int i)
{
	struct mm_sched *s = m->sched;
	int c = s->t[i].cpu;

	for (int j = 0; j <= MM_MAX_TASKS; j++) {
		const struct mm_cpu *st;

		if (j == i)
			continue;
		if (j == m->cur_task) {
			/* the waiter itself: it occupies its CPU if it cannot be preempted */
			if (m->cpu == c && atomic_cpu(&m->cpus[c], m->preempt_rt))
				return false;
			continue;
		}
		if (s->t[j].state != T_BLOCKED || s->t[j].cpu != c)
			continue;
		st = &s->t[j].cpus[c];
		if (atomic_cpu(st, m->preempt_rt))
			return false;
	}
	return true;
}

/* the task to run so that task @i can go on: @i itself or whom it waits for */
static int pick_for(struct mm_machine *m, int i)
{
	struct mm_sched *s = m->sched;

	for (int hops = 0; hops <= MM_MAX_TASKS + 1; hops++) {
		struct mm_task *t = &s->t[i];

		if (i == 0 || !alive(t))
			return -1;
		if (t->state == T_RUNNABLE)
			return cpu_free_for(m, i) ? i : -1;
		if (!t->waits->owner)
			return cpu_free_for(m, i) ? i : -1;
		i = mm_owner_task(t->waits->owner);
	}
	return -1;
}

/* "T3 (alloc ...) waits in f for L held by T1, holding A; stack: f <- g" */
static size_t describe(struct mm_machine *m, int i, char *buf, size_t len)
{
	struct mm_sched *s = m->sched;
	struct mm_task *t = &s->t[i];
	char held[96], stack[320], owner[16];
	int o = t->waits && t->waits->owner ? mm_owner_task(t->waits->owner) : -1;

	held_list(m, t, held, sizeof(held));
	render(t, stack, sizeof(stack));
	if (o < 0)
		snprintf(owner, sizeof(owner), "nobody");
	else if (o == 0)
		snprintf(owner, sizeof(owner), "the op");
	else
		snprintf(owner, sizeof(owner), "T%d", s->t[o].id);
	if (i)
		return snprintf(buf, len, "T%d%s waits in %s for %s held by %s%s%s; stack: %s",
				t->id, t->what, t->site ? t->site : "?",
				t->waits ? t->waits->name : "?", owner,
				held[0] ? ", holding " : "", held, stack);
	return snprintf(buf, len, "the op waits in %s for %s held by %s%s%s; stack: %s",
			t->site ? t->site : "?", t->waits ? t->waits->name : "?", owner,
			held[0] ? ", holding " : "", held, stack);
}

/* every task that waits, and the op stream if it does: none can go on */
__attribute__((noreturn))
static void deadlock(struct mm_machine *m, const struct mm_lock *l, const char *site)
{
	struct mm_sched *s = m->sched;
	char detail[MM_DETAIL_LEN];
	size_t o = 0;

	for (int i = 0; i <= MM_MAX_TASKS && o + 2 < sizeof(detail); i++) {
		if (!s->t[i].waits || (i && s->t[i].state != T_BLOCKED))
			continue;
		if (o)
			o += snprintf(detail + o, sizeof(detail) - o, ". ");
		o += describe(m, i, detail + o, sizeof(detail) - o);
	}
	snprintf(m->lock, sizeof(m->lock), "%s", l->name);
	mm_violation("DEADLOCK", site, "%s", detail);
}

bool mm_sched_wait(struct mm_lock *l, const char *site)
{
	struct mm_machine *m = mm_cur;
	struct mm_sched *s = m->sched;
	struct mm_task *me;
	long spins = 0;

	if (s && m->cur_task && !mm_owner_task(l->owner) && s->t[0].waits) {
		/* the op stream holds it and waits for this very task (or one it waits on) */
		me = cur(m);
		me->waits = l;
		me->site = site;
		me->state = T_BLOCKED;
		capture(me);
		deadlock(m, l, site);
	}
	if (!s || !mm_owner_task(l->owner) || !alive(&s->t[mm_owner_task(l->owner)])) {
		/* nobody else runs: a lock held by the op stream, or a leaked one */
		mm_lock_report(MM_LR_DEADLOCK, site, l, "%s held by task %d (taken at %s)",
			       l->name, l->owner - 1, l->site ? l->site : "?");
		return false;	/* masked as a known bug: the caller takes it anyway */
	}
	me = cur(m);
	me->waits = l;
	me->site = site;
	me->interleaved = true;
	if (m->cur_task) {
		char held[96];

		capture(me);
		held_list(m, me, held, sizeof(held));
		me->state = T_BLOCKED;
		event(s, me->id, "waits in %s for %s (T%d)%s%s", site, l->name,
		      s->t[mm_owner_task(l->owner)].id, held[0] ? ", holding " : "", held);
		switch_to(m, 0);
		/* resumed: the lock was released (the caller takes it or waits again) */
		me->waits = NULL;
		return true;
	}
	/* the op stream waits: run whoever can end the wait */
	while (l->owner && mm_owner_task(l->owner)) {
		int i = pick_for(m, mm_owner_task(l->owner));

		if (i < 0) {
			capture(me);
			deadlock(m, l, site);
		}
		if (++spins > MM_WAIT_BOUND)
			mm_violation("LIVELOCK", site,
				     "the op waited for %s through %ld runs of other tasks", l->name,
				     spins - 1);
		if (spins == 1)
			event(s, s->t[i].id, "runs: the op waits in %s for %s", site, l->name);
		run_task(m, i, 1);
	}
	me->waits = NULL;
	return true;
}

void mm_sched_wake(const struct mm_lock *l)
{
	struct mm_sched *s = mm_cur->sched;

	if (!s)
		return;
	for (int i = 1; i <= MM_MAX_TASKS; i++)
		if (s->t[i].state == T_BLOCKED && s->t[i].waits == l)
			s->t[i].state = T_RUNNABLE;
}

void mm_sched_point(const char *site)
{
	struct mm_machine *m = mm_cur;
	const char *what = m->sched_what, *lock = m->sched_lock;
	struct mm_task *t;

	m->sched_what = m->sched_lock = NULL;
	m->sched_points++;
	if (!m->cur_task)
		return;		/* the op stream never stops: it is the scheduler */
	t = cur(m);
	if (++t->points > MM_TASK_POINTS_BOUND)
		mm_violation("LIVELOCK", site, "T%d passed %d scheduling points without ending",
			     t->id, MM_TASK_POINTS_BOUND);
	if (atomic_cpu(&m->cpus[m->cpu], m->preempt_rt))
		return;		/* not preemptible here */
	if (t->budget < 0 || --t->budget > 0)
		return;
	{
		char held[96];

		held_list(m, t, held, sizeof(held));
		t->site = site;
		t->interleaved = true;
		char why[96] = "";

		if (what)
			snprintf(why, sizeof(why), " (%s%s%s)", what, lock ? " " : "", lock ? lock : "");
		event(m->sched, t->id, "stops in %s%s%s%s", site, why, held[0] ? ", holding " : "",
		      held);
	}
	switch_to(m, 0);
}

int mm_task_start(mm_task_fn fn, void *arg, int cpu, long points, const char *what)
{
	struct mm_machine *m = mm_cur;
	struct mm_sched *s = sched_get(m);
	struct mm_task *t = NULL;
	int i;

	if (m->cur_task)
		return 0;
	for (i = 1; i <= MM_MAX_TASKS; i++)
		if (s->t[i].state == T_FREE) {
			t = &s->t[i];
			break;
		}
	if (!t)
		return 0;
	memset(t, 0, offsetof(struct mm_task, bt));
	t->id = s->next_id++;
	t->stack = stack_get();
	t->bottom = t->stack;
	t->size = MM_TASK_STACK;
	t->fn = fn;
	t->arg = arg;
	t->cpu = cpu % m->nr_cpus;
	t->known = m->known_lock_reports;
	locals_save(m, t);
	t->unwind = &t->jb;
	snprintf(t->what, sizeof(t->what), " (%s)", what);
	if (__tsan_create_fiber) {
		if (!s->t[0].tsan_fiber)
			s->t[0].tsan_fiber = __tsan_get_current_fiber();
		t->tsan_fiber = __tsan_create_fiber(0);
	}
	getcontext(&t->uc);
	t->uc.uc_stack.ss_sp = t->stack;
	t->uc.uc_stack.ss_size = MM_TASK_STACK;
	t->uc.uc_link = NULL;
	makecontext(&t->uc, trampoline, 0);
	event(s, t->id, "starts: %s on CPU %d", what, t->cpu);
	run_task(m, i, points + 1);
	return t->id;
}

/* slot of the @k-th alive task, oldest first; -1 if none */
static int nth_alive(struct mm_sched *s, unsigned int k)
{
	int order[MM_MAX_TASKS], n = 0;

	for (int i = 1; i <= MM_MAX_TASKS; i++)
		if (alive(&s->t[i]))
			order[n++] = i;
	if (!n)
		return -1;
	/* oldest first: by id */
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && s->t[order[b]].id < s->t[order[b - 1]].id; b--) {
			int x = order[b];

			order[b] = order[b - 1];
			order[b - 1] = x;
		}
	return order[k % n];
}

/* run task @i to its end, and whoever it waits for */
static void run_to_end(struct mm_machine *m, int i)
{
	struct mm_sched *s = m->sched;
	int id = s->t[i].id;
	long spins = 0;

	while (s->t[i].id == id && alive(&s->t[i])) {
		int j = pick_for(m, i);

		if (j < 0) {
			struct mm_task *t = &s->t[i];

			if (t->state == T_BLOCKED && t->waits->owner)
				deadlock(m, t->waits, t->site);
			mm_violation("DEADLOCK", t->site ? t->site : "?",
				     "T%d%s cannot run: a task spins on its CPU %d with preemption off",
				     t->id, t->what, t->cpu);
		}
		if (++spins > MM_WAIT_BOUND)
			mm_violation("LIVELOCK", s->t[i].site ? s->t[i].site : "?",
				     "T%d%s did not end after %ld runs", s->t[i].id, s->t[i].what,
				     spins - 1);
		run_task(m, j, j == i ? -1 : 1);
	}
}

int mm_task_resume(unsigned int k, long points)
{
	struct mm_machine *m = mm_cur;
	struct mm_sched *s = m->sched;
	int i, id;

	if (!s || m->cur_task || (i = nth_alive(s, k)) < 0)
		return 0;
	id = s->t[i].id;
	if (points < 0) {
		run_to_end(m, i);
		return id;
	}
	if (s->t[i].state == T_BLOCKED && s->t[i].waits->owner) {
		event(s, id, "still waits for %s (T%d)", s->t[i].waits->name,
		      s->t[mm_owner_task(s->t[i].waits->owner)].id);
		return id;
	}
	if (!cpu_free_for(m, i)) {
		event(s, id, "cannot run: CPU %d is busy", s->t[i].cpu);
		return id;
	}
	event(s, id, "resumes");
	run_task(m, i, points);
	return id;
}

void mm_tasks_settle(void)
{
	struct mm_machine *m = mm_cur;
	struct mm_sched *s = m->sched;
	int i;

	if (!s || m->cur_task)
		return;
	while ((i = nth_alive(s, 0)) >= 0)
		run_to_end(m, i);
}

int mm_tasks_alive(void)
{
	struct mm_sched *s = mm_cur ? mm_cur->sched : NULL;
	int n = 0;

	if (!s)
		return 0;
	for (int i = 1; i <= MM_MAX_TASKS; i++)
		n += alive(&s->t[i]);
	return n;
}

int mm_tasks_sites(const struct mm_machine *m, const char **site, int max)
{
	const struct mm_sched *s = m->sched;
	int n = 0;

	for (int i = 1; s && i <= MM_MAX_TASKS && n < max; i++)
		if (alive(&s->t[i]))
			site[n++] = s->t[i].site ? s->t[i].site : "?";
	return n;
}

void mm_tasks_migrate(int from, int to)
{
	struct mm_sched *s = mm_cur->sched;

	if (!s)
		return;
	for (int i = 1; i <= MM_MAX_TASKS; i++) {
		struct mm_task *t = &s->t[i];

		/* not the task running the hotplug itself (its state is live, not saved) */
		if (!alive(t) || t->cpu != from || i == mm_cur->cur_task)
			continue;
		/* preempted, so nothing pins it: its CPU state and locks go with it */
		for (int h = 0; h < t->cpus[from].nr_held; h++)
			t->cpus[from].held[h]->owner = mm_owner_id(i, to);
		t->cpus[to] = t->cpus[from];
		memset(&t->cpus[from], 0, sizeof(t->cpus[from]));
		t->cpu = to;
		event(s, t->id, "migrates from CPU %d to CPU %d", from, to);
	}
}

void mm_sched_op_begin(void)
{
	if (mm_cur->sched)
		mm_cur->sched->t[0].interleaved = false;
}

bool mm_op_alone(void)
{
	struct mm_machine *m = mm_cur;

#ifdef MM_THREADS
	if (mm_threads_running)
		return false;	/* the other CPUs' threads run meanwhile */
#endif
	return !m->sched || !m->sched->t[m->cur_task].interleaved;
}

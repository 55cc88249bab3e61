// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated machine: budget and fault injection, contents patterns,
 * execution context and the held-lock checker, explicit work and RCU.
 * See include/mm/machine.h for the contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include "pool.h"

#include <mm/machine.h>
#include <mm/threads.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>

struct mm_machine *mm_cur;

/*
 * Every allocation carries this header: the machine frees all of them at
 * destroy, whatever state a violation left the port in.
 */
struct mm_alloc_hdr {
	struct mm_alloc_hdr *prev, *next;
	size_t size;		/* bytes after the header */
	long pages;		/* > 0: backing pages charged */
	long meta;		/* metadata bytes charged */
	uint64_t magic;		/* MM_HDR_LIVE while handed out; keeps the payload 16-byte aligned */
};

static const char *const lock_report_ids[MM_LR_NR] = {
	[MM_LR_DEADLOCK] = "DEADLOCK",
	[MM_LR_SLEEP_IN_ATOMIC] = "SLEEP_IN_ATOMIC",
	[MM_LR_INVALID_WAIT_CTX] = "INVALID_WAIT_CTX",
	[MM_LR_NMI_UNSAFE] = "NMI_UNSAFE",
	[MM_LR_LOCK_IN_LOCKLESS_PATH] = "LOCK_IN_LOCKLESS_PATH",
	[MM_LR_LOCK_MISUSE] = "LOCK_MISUSE",
};

const char *mm_lock_report_id(enum mm_lock_report r)
{
	return lock_report_ids[r];
}

void mm_machine_init(struct mm_machine *m, int nr_cpus, long budget_pages)
{
	memset(m, 0, sizeof(*m));
	m->nr_cpus = nr_cpus < 1 ? 1 : nr_cpus > MM_MAX_CPUS ? MM_MAX_CPUS : nr_cpus;
	m->budget_pages = budget_pages;
	m->system_wq.name = "system_wq";
	mm_lock_init(&m->ctx_raw_lock, "caller_raw_lock", MM_RAW_SPINLOCK);
	mm_lock_init(&m->ctx_spin_lock, "caller_spinlock", MM_SPINLOCK);
}

void mm_task_local(void *addr, size_t size)
{
	struct mm_machine *m = mm_cur;

	if (m->nr_task_locals == MM_MAX_BINDINGS || size > sizeof(uint64_t))
		mm_violation("HARNESS", __func__, "too many or too wide task-local words");
	m->task_locals[m->nr_task_locals].addr = addr;
	m->task_locals[m->nr_task_locals].size = size;
	m->nr_task_locals++;
}

void mm_bind_global(void *slot, void *value)
{
	struct mm_machine *m = mm_cur;

	for (int i = 0; i < m->nr_bindings; i++)
		if (m->bindings[i].slot == slot && !m->bindings[i].fn) {
			m->bindings[i].value = value;
			return;
		}
	if (m->nr_bindings == MM_MAX_BINDINGS)
		mm_violation("HARNESS", __func__, "more than %d bindings", MM_MAX_BINDINGS);
	m->bindings[m->nr_bindings].slot = slot;
	m->bindings[m->nr_bindings].fn = NULL;
	m->bindings[m->nr_bindings++].value = value;
}

void mm_on_resume(void (*fn)(void *arg), void *arg)
{
	struct mm_machine *m = mm_cur;

	if (m->nr_bindings == MM_MAX_BINDINGS)
		mm_violation("HARNESS", __func__, "more than %d bindings", MM_MAX_BINDINGS);
	m->bindings[m->nr_bindings].slot = NULL;
	m->bindings[m->nr_bindings].fn = fn;
	m->bindings[m->nr_bindings++].value = arg;
}

void mm_machine_resume_bindings(struct mm_machine *m)
{
	for (int i = 0; i < m->nr_bindings; i++) {
		if (m->bindings[i].fn)
			m->bindings[i].fn(m->bindings[i].value);
		else
			memcpy(m->bindings[i].slot, &m->bindings[i].value, sizeof(void *));
	}
}

void mm_on_destroy(void (*fn)(void *arg), void *arg)
{
	struct mm_machine *m = mm_cur;

	if (m->nr_cleanups == MM_MAX_CLEANUPS)
		mm_violation("HARNESS", __func__, "more than %d cleanups", MM_MAX_CLEANUPS);
	m->cleanups[m->nr_cleanups].fn = fn;
	m->cleanups[m->nr_cleanups++].arg = arg;
}

void mm_machine_destroy(struct mm_machine *m)
{
	struct mm_alloc_hdr *h = m->allocs, *n;

	mm_sched_destroy(m);	/* tasks stopped half-way are never resumed */
	/* last registered first, before the memory they may use goes */
	while (m->nr_cleanups) {
		m->nr_cleanups--;
		m->cleanups[m->nr_cleanups].fn(m->cleanups[m->nr_cleanups].arg);
	}
	/* live and given-back blocks alike go to the pool, poisoned */
	while (h) {
		n = h->next;
		mm_pool_put(h, sizeof(*h), h->size);
		h = n;
	}
	m->allocs = NULL;
	for (h = m->retired; h; h = n) {
		n = h->next;
		mm_pool_put(h, sizeof(*h), h->size);
	}
	m->retired = m->retired_tail = NULL;
	m->retired_bytes = 0;
	if (mm_cur == m)
		mm_cur = NULL;
}

void mm_violation(const char *inv, const char *where, const char *fmt, ...)
{
	struct mm_machine *m = mm_cur;
	va_list ap;

	if (!m) {
		fprintf(stderr, "mmdiff: harness bug: violation %s outside a machine\n", inv);
		abort();
	}
	mm_harness_lock();
	if (!m->violated) {
		m->violated = true;
		snprintf(m->inv, sizeof(m->inv), "%s", inv);
		snprintf(m->where, sizeof(m->where), "%s", where ? where : "?");
		va_start(ap, fmt);
		vsnprintf(m->detail, sizeof(m->detail), fmt, ap);
		va_end(ap);
	}
#ifdef MM_THREADS
	if (mm_threads_running)
		mm_threads_die(m);	/* the run ends at its first violation */
#endif
	mm_harness_unlock();
	if (!m->unwind) {
		fprintf(stderr, "mmdiff: harness bug: violation %s with nowhere to unwind\n", inv);
		abort();
	}
	longjmp(*m->unwind, 1);
}

void mm_note(const char *what, const char *fmt, ...)
{
	struct mm_machine *m = mm_cur;
	va_list ap;
	int n;

	if (!m)
		return;
	mm_harness_lock();
	m->notes.nr++;
	n = snprintf(m->notes.last, sizeof(m->notes.last), "%s: ", what);
	if (n >= 0 && (size_t)n < sizeof(m->notes.last)) {
		va_start(ap, fmt);
		vsnprintf(m->notes.last + n, sizeof(m->notes.last) - n, fmt, ap);
		va_end(ap);
	}
	mm_harness_unlock();
}

/* -- memory ----------------------------------------------------------- */

bool mm_should_fail(enum mm_fail_kind kind)
{
	struct mm_machine *m = mm_cur;

	bool due;

	mm_harness_lock();
	due = kind < MM_FAIL_NR && m->fail_next[kind];
	if (due) {
		m->fail_next[kind]--;
		m->fail_hits[kind]++;
	}
	mm_harness_unlock();
	return due;
}

long mm_machine_pages_held(const struct mm_machine *m)
{
	return m->pages_used + (m->meta_bytes + (long)MM_PAGE_SIZE - 1) / (long)MM_PAGE_SIZE;
}

long mm_pages_held(void)
{
	return mm_machine_pages_held(mm_cur);
}

static bool budget_allows(long pages, long meta)
{
	struct mm_machine *m = mm_cur;
	long held;
	bool ok;

	mm_harness_lock();
	held = m->pages_used + pages +
	       (m->meta_bytes + meta + (long)MM_PAGE_SIZE - 1) / (long)MM_PAGE_SIZE;
	ok = held <= m->budget_pages;
	if (!ok)
		m->budget_fails++;
	mm_harness_unlock();
	return ok;
}

#define MM_HDR_LIVE	0x6d6d6c6976650a01ULL
#define MM_HDR_RETIRED	0x6d6d726574640a02ULL

/*
 * Blocks come from the process's pool (pool.c): memory a machine used
 * before, zeroed and unpoisoned again, instead of pages faulted in afresh
 * for every input; the pool falls back to calloc.
 */
static void *hdr_alloc(size_t size, long pages, long meta)
{
	struct mm_machine *m = mm_cur;
	struct mm_alloc_hdr *h;

	mm_harness_lock();
	h = mm_pool_get(sizeof(*h), size);
	h->prev = NULL;
	h->size = size;
	h->pages = pages;
	h->meta = meta;
	h->magic = MM_HDR_LIVE;
	h->next = m->allocs;
	if (m->allocs)
		m->allocs->prev = h;
	m->allocs = h;
	m->pages_used += pages;
	m->meta_bytes += meta;
	if (mm_pages_held() > m->pages_peak)
		m->pages_peak = mm_pages_held();
	mm_harness_unlock();
	return h + 1;
}

/*
 * A block given back is poisoned at once and set aside: within a run it is
 * not reused, so a port touching memory it gave back is caught on the spot
 * (ASan: use-after-poison at the access).  As ASan's own quarantine, the
 * set-aside memory is bounded: past MM_RETIRED_MAX bytes the oldest blocks
 * go back to the pool (poisoned until handed out again).  Giving a block
 * back twice is PAGES_FREE_MISMATCH, with or without ASan.
 */
#define MM_RETIRED_MAX	(256L << 20)

static void hdr_free(void *p, const char *where)
{
	struct mm_machine *m = mm_cur;
	struct mm_alloc_hdr *h = (struct mm_alloc_hdr *)p - 1;

	mm_harness_lock();
	if (h->magic != MM_HDR_LIVE)
		mm_violation("PAGES_FREE_MISMATCH", where,
			     "giving back %p, which is not handed out (given back twice?)", p);
	if (h->prev)
		h->prev->next = h->next;
	else
		m->allocs = h->next;
	if (h->next)
		h->next->prev = h->prev;
	m->pages_used -= h->pages;
	m->meta_bytes -= h->meta;
	h->magic = MM_HDR_RETIRED;
	h->prev = h->next = NULL;
	if (m->retired_tail)
		m->retired_tail->next = h;
	else
		m->retired = h;
	m->retired_tail = h;
	m->retired_bytes += (long)(sizeof(*h) + h->size);
	mm_pool_poison(h + 1, h->size);
	while (m->retired_bytes > MM_RETIRED_MAX && m->retired != h) {
		struct mm_alloc_hdr *old = m->retired;

		m->retired = old->next;
		m->retired_bytes -= (long)(sizeof(*old) + old->size);
		mm_pool_put(old, sizeof(*old), old->size);
	}
	mm_harness_unlock();
}

void *mm_pages_alloc(unsigned long nr, enum mm_fail_kind kind)
{
	if (mm_should_fail(kind))
		return NULL;
	if (!budget_allows((long)nr, 0))
		return NULL;
	return hdr_alloc(nr * MM_PAGE_SIZE, (long)nr, 0);
}

bool mm_pages_charge(unsigned long nr, enum mm_fail_kind kind)
{
	if (mm_should_fail(kind) || !budget_allows((long)nr, 0))
		return false;
	mm_harness_lock();
	mm_cur->pages_used += (long)nr;
	if (mm_pages_held() > mm_cur->pages_peak)
		mm_cur->pages_peak = mm_pages_held();
	mm_harness_unlock();
	return true;
}

void mm_pages_uncharge(unsigned long nr)
{
	if ((long)nr > mm_cur->pages_used)
		mm_violation("PAGES_FREE_MISMATCH", __func__,
			     "uncharging %lu pages, %ld charged", nr, mm_cur->pages_used);
	mm_harness_lock();
	mm_cur->pages_used -= (long)nr;
	mm_harness_unlock();
}

void mm_pages_free(void *p, unsigned long nr)
{
	struct mm_alloc_hdr *h;

	if (!p)
		return;
	h = (struct mm_alloc_hdr *)p - 1;
	if (h->magic == MM_HDR_LIVE && h->pages != (long)nr)
		mm_violation("PAGES_FREE_MISMATCH", __func__,
			     "freeing %lu pages of a %ld-page allocation", nr, h->pages);
	/* poisoned and never reused in this run (hdr_free) */
	hdr_free(p, __func__);
}

void *mm_kzalloc(size_t size, enum mm_fail_kind kind)
{
	if (kind == MM_FAIL_NR)
		return hdr_alloc(size, 0, 0);
	if (mm_should_fail(kind))
		return NULL;
	if (!budget_allows(0, (long)size))
		return NULL;
	return hdr_alloc(size, 0, (long)size);
}

/*
 * Mirrors debug_check_no_obj_freed() (lib/debugobjects.c, with
 * CONFIG_DEBUG_OBJECTS_WORK and _RCU_HEAD) for the queues the machine
 * runs: memory freed with a work item or an RCU callback still queued in
 * it is reported at the free, before the worker or the grace period would
 * run it on freed memory.
 */
static void check_no_obj_freed(const void *p, size_t size)
{
	struct mm_machine *m = mm_cur;
	const char *lo = p, *hi = lo + size;

	for (struct work_struct *w = m->system_wq.head; w; w = w->next)
		if ((const char *)w >= lo && (const char *)w < hi)
			mm_violation("FREE_ACTIVE_WORK", w->name,
				     "%zu bytes freed with work item %s still queued on system_wq at offset %zu (ODEBUG: free active object type: work_struct)",
				     size, w->name, (size_t)((const char *)w - lo));
	for (struct rcu_head *r = m->rcu_head_list; r; r = r->next)
		if ((const char *)r >= lo && (const char *)r < hi)
			mm_violation("FREE_ACTIVE_WORK", "call_rcu",
				     "%zu bytes freed with an RCU callback still queued at offset %zu (ODEBUG: free active object type: rcu_head)",
				     size, (size_t)((const char *)r - lo));
}

void mm_kfree(void *p)
{
	if (!p)
		return;
	mm_harness_lock();
	if (mm_cur->system_wq.head || mm_cur->rcu_head_list)
		check_no_obj_freed(p, ((struct mm_alloc_hdr *)p - 1)->size);
	hdr_free(p, __func__);
	mm_harness_unlock();
}

/* splitmix64: the pattern of byte i of allocation (id, cpu) */
/* always inlined: the contents loops have other sanitizer attributes */
static inline __attribute__((always_inline)) uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * The contents loops below are the harness touching a port's memory on the
 * port's behalf, a word at a time: instead of an ASan check per store they
 * make one region check, and only when part of the region is poisoned (a
 * page the port gave back, a redzone) touch it byte by byte with ASan's
 * checks on, so that the report is the one an instrumented loop gives: the
 * first bad byte, with the port's caller on the stack (mm_* frames are
 * skipped when the report is named).
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MM_CONTENTS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MM_CONTENTS_ASAN 1
#endif
#ifdef MM_CONTENTS_ASAN
#include <sanitizer/asan_interface.h>
#define MM_CONTENTS_LOOP __attribute__((no_sanitize("address", "undefined")))

__attribute__((noinline)) static void mm_contents_touch(const void *p, size_t len, bool write)
{
	volatile uint8_t *b = (volatile uint8_t *)p;

	for (size_t k = 0; k < len; k++) {
		if (write)
			b[k] = 0;
		else
			(void)b[k];
	}
}

/*
 * Is any byte of [@p, @p + @len) poisoned?  The shadow bytes are read
 * directly, as instrumented code reads them (a wild pointer faults the
 * same way): all zero, the common case, means all addressable; anything
 * else is settled by ASan's own region check.
 */
MM_CONTENTS_LOOP static bool mm_region_poisoned(const void *p, size_t len)
{
	static size_t scale, offset;
	uintptr_t a = (uintptr_t)p;
	const uint8_t *s, *se;
	uint64_t acc = 0;

	if (!scale)
		__asan_get_shadow_mapping(&scale, &offset);
	if (scale != 3)
		return __asan_region_is_poisoned((void *)p, len) != NULL;
	s = (const uint8_t *)((a >> 3) + offset);
	se = (const uint8_t *)(((a + len - 1) >> 3) + offset);
	for (; s + 8 <= se + 1; s += 8) {
		uint64_t v;

		memcpy(&v, s, 8);
		acc |= v;
	}
	for (; s <= se; s++)
		acc |= *s;
	return acc && __asan_region_is_poisoned((void *)p, len) != NULL;
}

static void mm_contents_region(const void *p, size_t len, bool write)
{
	if (len && mm_region_poisoned(p, len))
		mm_contents_touch(p, len, write);	/* reports, never returns */
}
#else
#define MM_CONTENTS_LOOP __attribute__((no_sanitize("undefined")))
static void mm_contents_region(const void *p, size_t len, bool write)
{
	(void)p;
	(void)len;
	(void)write;
}
#endif

/*
 * Byte i of the pattern is byte i % 8 (little-endian) of word i / 8, and
 * word w is seed + w * MM_WEYL: seed = mix(id, cpu) tells allocations and
 * units apart, the odd step tells the words of one area apart (a shifted,
 * swapped or zeroed word differs from what belongs there unless 64-bit
 * values collide).  One add per word: the loops run at memory speed.
 */
#define MM_WEYL 0x9e3779b97f4a7c15ULL

MM_CONTENTS_LOOP static void fill_words(uint8_t *b, size_t len, uint64_t seed)
{
	size_t w;

	for (w = 0; w * 8 + 8 <= len; w++) {
		uint64_t v = htole64(seed + w * MM_WEYL);

		memcpy(b + w * 8, &v, 8);
	}
	for (size_t k = w * 8; k < len; k++)
		b[k] = (uint8_t)((seed + w * MM_WEYL) >> (8 * (k - w * 8)));
}

void mm_fill(void *p, size_t len, uint64_t id, int cpu)
{
	mm_contents_region(p, len, true);
	fill_words(p, len, mix(id * 131 + (uint64_t)cpu));
}

/* the first byte of [@w, @w + @n) words (@len bytes in all) that differs, or -1 */
MM_CONTENTS_LOOP static long check_span(const uint8_t *b, size_t len, uint64_t seed,
					size_t w, size_t n)
{
	for (; n; w++, n--) {
		uint64_t v = seed + w * MM_WEYL, got = 0;
		size_t nb = len - w * 8 < 8 ? len - w * 8 : 8;

		if (nb == 8) {
			memcpy(&got, b + w * 8, 8);
			got = le64toh(got);
		} else {
			for (size_t k = 0; k < nb; k++)
				got |= (uint64_t)b[w * 8 + k] << (8 * k);
			v &= (1ULL << (8 * nb)) - 1;
		}
		if (got == v)
			continue;
		for (size_t k = 0; k < nb; k++)
			if ((uint8_t)(got >> (8 * k)) != (uint8_t)(v >> (8 * k)))
				return (long)(w * 8 + k);
	}
	return -1;
}

/* blocks of 8 words compared without a branch per word; a block that differs is looked at closely */
MM_CONTENTS_LOOP static long check_words(const uint8_t *b, size_t len, uint64_t seed)
{
	size_t words = len / 8, w;

	for (w = 0; w + 8 <= words; w += 8) {
		uint64_t diff = 0;

		for (size_t k = 0; k < 8; k++) {
			uint64_t got;

			memcpy(&got, b + (w + k) * 8, 8);
			diff |= le64toh(got) ^ (seed + (w + k) * MM_WEYL);
		}
		if (diff)
			return check_span(b, len, seed, w, 8);
	}
	return check_span(b, len, seed, w, (len + 7) / 8 - w);
}

long mm_check(const void *p, size_t len, uint64_t id, int cpu)
{
	mm_contents_region(p, len, false);
	return check_words(p, len, mix(id * 131 + (uint64_t)cpu));
}

/* -- context and locks -------------------------------------------------- */

void mm_set_context(int cpu, enum mm_ctx ctx)
{
	struct mm_machine *m = mm_cur;
	struct mm_cpu *c;

	mm_cpu_switch(cpu % m->nr_cpus);
	c = mm_this_cpu();
	memset(c, 0, sizeof(*c));
	switch (ctx) {
	case MM_CTX_PROCESS:
		break;
	case MM_CTX_IRQS_OFF:
		c->irqs_disabled = 1;
		break;
	case MM_CTX_RAW_LOCK_HELD:
		c->irqs_disabled = 1;	/* raw_spin_lock_irqsave, as krcp->lock */
		m->ctx_raw_lock.owner = mm_lock_owner_id();
		c->held[c->nr_held++] = &m->ctx_raw_lock;
		c->raw_locks_held = 1;
		c->preempt_count = 1;
		break;
	case MM_CTX_ZONE_LOCK_HELD:
		m->ctx_spin_lock.owner = mm_lock_owner_id();
		c->held[c->nr_held++] = &m->ctx_spin_lock;
		c->spin_locks_held = 1;
		if (!m->preempt_rt)
			c->preempt_count = 1;
		break;
	case MM_CTX_NMI:
		c->in_nmi = 1;
		c->irqs_disabled = 1;
		break;
	default:
		break;
	}
	c->ctx_irqs = c->irqs_disabled;
	c->ctx_preempt = c->preempt_count;
}

void mm_clear_context(void)
{
	struct mm_machine *m = mm_cur;
	struct mm_cpu *c = mm_this_cpu();
	int irqs = c->ctx_irqs, preempt = c->ctx_preempt;

	for (int i = 0; i < c->nr_held; i++) {
		struct mm_lock *l = c->held[i];

		l->owner = 0;	/* reported once; later ops must not deadlock on it */
		if (l == &m->ctx_raw_lock || l == &m->ctx_spin_lock)
			continue;
#ifdef MM_THREADS
		if (mm_threads_running)
			mm_thread_unlock(l);
#endif
		mm_lock_report(MM_LR_LOCK_MISUSE, l->site ? l->site : "?", l,
			       "%s still held at the end of the op", l->name);
	}
	/* what an op disables it enables again before returning */
	if (c->irqs_disabled != irqs || c->preempt_count != preempt || c->lockless_depth)
		mm_lock_report(MM_LR_LOCK_MISUSE, "op end", NULL,
			       "irqs_disabled %d (started %d), preempt_count %d (started %d), lockless_depth %d at the end of the op",
			       c->irqs_disabled, irqs, c->preempt_count, preempt,
			       c->lockless_depth);
	memset(c, 0, sizeof(*c));
}

void mm_lock_report(enum mm_lock_report r, const char *site,
		    const struct mm_lock *l, const char *fmt, ...)
{
	struct mm_machine *m = mm_cur;
	char buf[MM_DETAIL_LEN];
	va_list ap;

	mm_harness_lock();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (m->known_lock_reports & (1u << r)) {
		mm_note("KNOWN_REF_BUG", "%s at %s: %s", lock_report_ids[r], site, buf);
		mm_harness_unlock();
		return;
	}
	if (!m->violated)
		snprintf(m->lock, sizeof(m->lock), "%s", l ? l->name : "");
	mm_violation(lock_report_ids[r], site, "%s", buf);
}

void mm_lock_init(struct mm_lock *l, const char *name, enum mm_lock_class cls)
{
	/* spin_lock_init(&zone->lock) names the lock "zone->lock" */
	l->name = name[0] == '&' ? name + 1 : name;
	l->cls = cls;
	l->owner = 0;
	l->site = NULL;
	l->irqs_off = false;
}

/* a lock's owner: the task and the CPU it took the lock on */
int mm_lock_owner_id(void)
{
#ifdef MM_THREADS
	/* a worker keeps its id when it acts as another CPU */
	if (mm_thread_home >= 0)
		return mm_owner_id(0, mm_thread_home);
#endif
	return mm_owner_id(mm_cur->cur_task, mm_cpu_id());
}

static int task_id(void)
{
	return mm_lock_owner_id();
}

static bool atomic_ctx(const struct mm_cpu *c)
{
	return c->irqs_disabled || c->preempt_count || c->raw_locks_held ||
	       (c->spin_locks_held && !mm_cur->preempt_rt);
}

/* the checks every acquire makes (lockdep's class and context rules) */
static void acquire_checks(struct mm_lock *l, const char *site)
{
	struct mm_machine *m = mm_cur;
	struct mm_cpu *c = mm_this_cpu();

	if (c->in_nmi)
		mm_lock_report(MM_LR_NMI_UNSAFE, site, l, "%s taken in NMI context", l->name);
	if (c->lockless_depth)
		mm_lock_report(MM_LR_LOCK_IN_LOCKLESS_PATH, site, l,
			       "%s taken inside a path declared lockless", l->name);
	if (l->owner == task_id())
		mm_lock_report(MM_LR_DEADLOCK, site, l, "%s re-acquired (taken at %s)",
			       l->name, l->site ? l->site : "?");
	switch (l->cls) {
	case MM_MUTEX:
		if (atomic_ctx(c))
			mm_lock_report(MM_LR_SLEEP_IN_ATOMIC, site, l,
				       "mutex %s with irqs_disabled=%d preempt_count=%d raw_locks=%d spinlocks=%d",
				       l->name, c->irqs_disabled, c->preempt_count,
				       c->raw_locks_held, c->spin_locks_held);
		break;
	case MM_SPINLOCK:
		if (m->preempt_rt && (c->raw_locks_held || c->irqs_disabled ||
				      c->preempt_count))
			mm_lock_report(MM_LR_SLEEP_IN_ATOMIC, site, l,
				       "spinlock_t %s sleeps on PREEMPT_RT; raw_locks=%d irqs_disabled=%d preempt_count=%d",
				       l->name, c->raw_locks_held, c->irqs_disabled,
				       c->preempt_count);
		else if (m->prove_raw_lock_nesting && c->raw_locks_held)
			mm_lock_report(MM_LR_INVALID_WAIT_CTX, site, l,
				       "spinlock_t %s nested inside a raw_spinlock_t (%d held)",
				       l->name, c->raw_locks_held);
		break;
	case MM_RAW_SPINLOCK:
		break;
	}
}

static void mark_held(struct mm_lock *l, const char *site)
{
	struct mm_cpu *c = mm_this_cpu();

	if (c->nr_held == MM_MAX_HELD)
		mm_violation("HARNESS", site, "held-lock stack overflow");
	l->owner = task_id();
	l->site = site;
	c->held[c->nr_held++] = l;
	if (l->cls == MM_RAW_SPINLOCK) {
		c->raw_locks_held++;
		c->preempt_count++;
	} else if (l->cls == MM_SPINLOCK) {
		c->spin_locks_held++;
		if (!mm_cur->preempt_rt)
			c->preempt_count++;
	}
}

void mm_lock_acquire(struct mm_lock *l, const char *site)
{
	acquire_checks(l, site);
#ifdef MM_THREADS
	if (mm_threads_running) {
		mm_threads_cpu_sync();
		if (l->cls != MM_MUTEX)
			mm_threads_cpu_own();	/* preemption goes off before the spin */
		mm_thread_lock(l, site);	/* a real lock: the OS decides who waits */
		mark_held(l, site);
		return;
	}
#endif
	if (l->cls == MM_MUTEX) {
		mm_cur->sched_what = "before mutex_lock of";
		mm_cur->sched_lock = l->name;
		mm_sched_point(site);	/* mutex_lock may sleep */
	}
	while (l->owner && l->owner != task_id()) {
		if (mm_owner_task(l->owner) == mm_cur->cur_task) {
			/* this task on another CPU (a per-CPU work item it waits for) */
			mm_lock_report(MM_LR_DEADLOCK, site, l, "%s held by task %d (taken at %s)",
				       l->name, l->owner - 1, l->site ? l->site : "?");
			break;
		}
		/* another task holds it: wait (spin or sleep) until it is released */
		if (!mm_sched_wait(l, site))
			break;
	}
	mark_held(l, site);
}

bool mm_lock_tryacquire(struct mm_lock *l, const char *site)
{
	/* a trylock never waits: the class and context rules apply, not deadlock */
	if (l->owner == task_id())
		return false;
	/* raw_spin_trylock is fine in NMI; mutex_trylock never sleeps */
	if (l->cls == MM_SPINLOCK || (l->cls == MM_RAW_SPINLOCK && !mm_this_cpu()->in_nmi))
		acquire_checks(l, site);
	else if (l->cls == MM_MUTEX && mm_this_cpu()->in_nmi)
		mm_lock_report(MM_LR_NMI_UNSAFE, site, l, "%s trylock in NMI context", l->name);
#ifdef MM_THREADS
	if (mm_threads_running) {
		if (l->cls != MM_MUTEX)
			mm_threads_cpu_own();
		if (!mm_thread_trylock(l)) {
			mm_threads_cpu_sync();
			return false;
		}
		mark_held(l, site);
		return true;
	}
#endif
	if (l->owner)
		return false;
	mark_held(l, site);
	return true;
}

static void lock_release(struct mm_lock *l, const char *site)
{
	struct mm_cpu *c = mm_this_cpu();
	int i;

	if (l->owner != task_id()) {
		/* reported, or logged when masked: the counts stay as they are */
		mm_lock_report(MM_LR_LOCK_MISUSE, site, l, "%s released but not held by this task",
			       l->name);
		return;
	}
	for (i = c->nr_held - 1; i >= 0; i--)
		if (c->held[i] == l)
			break;
	if (i >= 0) {
		memmove(&c->held[i], &c->held[i + 1],
			sizeof(c->held[0]) * (c->nr_held - i - 1));
		c->nr_held--;
	}
	if (l->cls == MM_RAW_SPINLOCK) {
		c->raw_locks_held--;
		c->preempt_count--;
	} else if (l->cls == MM_SPINLOCK) {
		c->spin_locks_held--;
		if (!mm_cur->preempt_rt)
			c->preempt_count--;
	}
	l->owner = 0;
#ifdef MM_THREADS
	if (mm_threads_running) {
		mm_thread_unlock(l);
		mm_threads_cpu_sync();
	}
#endif
	mm_sched_wake(l);
}

void mm_lock_release(struct mm_lock *l, const char *site)
{
	lock_release(l, site);
	mm_cur->sched_what = "after releasing";
	mm_cur->sched_lock = l->name;
	mm_sched_point(site);	/* another task may run once it is dropped */
}

void mm_lock_acquire_irq(struct mm_lock *l, const char *site, int *saved)
{
	bool irqs = !(l->cls == MM_SPINLOCK && mm_cur->preempt_rt);

	if (saved)
		*saved = mm_this_cpu()->irqs_disabled;
	if (irqs)
		mm_irq_disable();
	mm_lock_acquire(l, site);
	l->irqs_off = irqs;
}

void mm_lock_release_irq(struct mm_lock *l, const char *site, int restore)
{
	bool irqs = l->irqs_off;

	l->irqs_off = false;
	lock_release(l, site);
	if (irqs) {
		if (restore < 0)
			mm_irq_enable();
		else
			mm_irq_restore(restore);
	}
	mm_cur->sched_what = "after releasing";
	mm_cur->sched_lock = l->name;
	mm_sched_point(site);	/* preemptible again once interrupts are back on */
}

bool mm_lock_held(const struct mm_lock *l)
{
	return l->owner == task_id();
}

void mm_might_sleep(const char *site)
{
	struct mm_cpu *c = mm_this_cpu();

	if (c->in_nmi)
		mm_lock_report(MM_LR_NMI_UNSAFE, site, NULL, "may sleep in NMI context");
	if (atomic_ctx(c))
		mm_lock_report(MM_LR_SLEEP_IN_ATOMIC, site, NULL,
			       "may sleep with irqs_disabled=%d preempt_count=%d raw_locks=%d spinlocks=%d",
			       c->irqs_disabled, c->preempt_count, c->raw_locks_held,
			       c->spin_locks_held);
	mm_cur->sched_what = "at might_sleep";
	mm_cur->sched_lock = NULL;
	mm_sched_point(site);	/* might_sleep() is a voluntary preemption point */
}

void mm_allocator_entry(const char *site)
{
	if (mm_this_cpu()->in_nmi)
		mm_lock_report(MM_LR_NMI_UNSAFE, site, NULL, "allocator entered in NMI context");
}

/* the threaded mode: a CPU with interrupts or preemption off is its thread's */
#ifdef MM_THREADS
#define cpu_sync() mm_threads_cpu_sync()
#else
#define cpu_sync() do { } while (0)
#endif

void mm_irq_disable(void)
{
	mm_this_cpu()->irqs_disabled = 1;
	cpu_sync();
}

void mm_irq_enable(void)
{
	mm_this_cpu()->irqs_disabled = 0;
	cpu_sync();
}

int mm_irq_save(void)
{
	int flags = mm_this_cpu()->irqs_disabled;

	mm_irq_disable();
	return flags;
}

void mm_irq_restore(int flags)
{
	mm_this_cpu()->irqs_disabled = flags ? 1 : 0;
	cpu_sync();
}

void mm_preempt_disable(void)
{
	mm_this_cpu()->preempt_count++;
	cpu_sync();
}

void mm_preempt_enable(void)
{
	struct mm_cpu *c = mm_this_cpu();

	if (c->preempt_count <= 0)
		mm_lock_report(MM_LR_LOCK_MISUSE, "preempt_enable", NULL,
			       "preemption enabled more often than disabled");
	else
		c->preempt_count--;
	cpu_sync();
}

void mm_lockless_enter(void)
{
	mm_this_cpu()->lockless_depth++;
}

void mm_lockless_exit(void)
{
	if (mm_this_cpu()->lockless_depth <= 0)
		mm_violation("HARNESS", "mm_lockless_exit", "lockless section not entered");
	mm_this_cpu()->lockless_depth--;
}

/* -- deferred work ------------------------------------------------------ */

void mm_queue_work(struct mm_workqueue *wq, struct work_struct *w)
{
	mm_harness_lock();
#ifdef MM_THREADS
	/* the kernel's test_and_set_bit(WORK_STRUCT_PENDING): two CPUs, one queueing */
	if (mm_threads_running && w->pending) {
		mm_harness_unlock();
		return;
	}
#endif
	w->pending = true;
	w->next = NULL;
	wq->nr_queued++;
	if (wq->tail)
		wq->tail->next = w;
	else
		wq->head = w;
	wq->tail = w;
	mm_harness_unlock();
	/*
	 * threaded mode: queue_work() that queues orders the caller's earlier
	 * stores before the work function runs (the kernel's insert_work() and
	 * the worker meet under pool->lock); mm_run_work() acquires
	 */
	mm_tsan_release(w);
}

bool mm_work_pending(const struct work_struct *w)
{
	return w->pending;
}

/*
 * Items queued before a run are finite, however many (one per allocation
 * that asked for a cache, say); what the run's own items queue again is
 * what may never end.  @queued: wq->nr_queued when the run began.
 */
static void check_requeue(const struct mm_workqueue *wq, unsigned long queued, int ran)
{
	if (wq->nr_queued - queued > 4096)
		mm_violation("UNBOUNDED_LOOP", wq->name,
			     "work keeps requeueing itself (%lu items queued while %d ran)",
			     wq->nr_queued - queued, ran);
}

/*
 * Work runs in process context on the current CPU, as a kworker would: the
 * op's own context is set aside while it runs.
 */
int mm_run_workqueue(struct mm_workqueue *wq, int n)
{
	unsigned long queued = wq->nr_queued;
	int ran = 0;

	while (wq->head && (n < 0 || ran < n)) {
		if (!mm_run_work(wq, wq->head))
			break;	/* it runs already: a worker runs it after that */
		check_requeue(wq, queued, ++ran);
	}
	return ran;
}

bool mm_cancel_work(struct mm_workqueue *wq, struct work_struct *w)
{
	struct work_struct **pp, *prev = NULL;

	mm_harness_lock();
	for (pp = &wq->head; *pp && *pp != w; pp = &(*pp)->next)
		prev = *pp;
	if (!*pp) {
		mm_harness_unlock();
		return false;
	}
	*pp = w->next;
	if (wq->tail == w)
		wq->tail = prev;
	w->next = NULL;
	w->pending = false;
	mm_harness_unlock();
	return true;
}

bool mm_run_work(struct mm_workqueue *wq, struct work_struct *w)
{
	struct mm_machine *m = mm_cur;
	struct mm_cpu saved = *mm_this_cpu();
	int slot = -1;

	/*
	 * A work item never runs concurrently with itself (non-reentrant
	 * workqueues); the function may free the item, so only its address
	 * is remembered while it runs.
	 */
	mm_harness_lock();
	for (int i = 0; i <= MM_MAX_TASKS_RUNNING; i++) {
		if (m->running_work[i] == w) {
			mm_harness_unlock();
			return false;
		}
		if (!m->running_work[i] && slot < 0)
			slot = i;
	}
	if (slot < 0)
		mm_violation("HARNESS", __func__, "too many work items running at once");
	if (!mm_cancel_work(wq, w)) {
		mm_harness_unlock();
		return false;
	}
	memset(mm_this_cpu(), 0, sizeof(saved));
	m->running_work[slot] = w;
	m->running_wq[slot] = wq;
	m->running_lock[slot].name = "a running work item";
	m->running_lock[slot].owner = mm_lock_owner_id();
	mm_harness_unlock();
	mm_tsan_acquire(w);	/* what the queueing CPU stored before queue_work() */
	w->func(w);
	mm_harness_lock();
	m->running_work[slot] = NULL;
	m->running_wq[slot] = NULL;
	m->running_lock[slot].owner = 0;
	mm_sched_wake(&m->running_lock[slot]);
	wq->nr_run++;
	mm_harness_unlock();
	*mm_this_cpu() = saved;
	return true;
}

/* the slot where another task runs @w (or, with @w NULL, an item of @wq); -1 if none */
static int running_elsewhere(const struct work_struct *w, const struct mm_workqueue *wq)
{
	struct mm_machine *m = mm_cur;

	for (int i = 0; i <= MM_MAX_TASKS_RUNNING; i++) {
		if (!m->running_work[i] || (w && m->running_work[i] != w) ||
		    (wq && m->running_wq[i] != wq))
			continue;
		/* the caller's own task runs it: a flush from inside the item */
		if (mm_owner_task(m->running_lock[i].owner) == m->cur_task)
			continue;
		return i;
	}
	return -1;
}

bool mm_flush_running_work(const struct work_struct *w, const char *site)
{
	struct mm_machine *m = mm_cur;
	bool was = false;
	int i;

	while ((i = running_elsewhere(w, NULL)) >= 0) {
		was = true;
		mm_sched_wait(&m->running_lock[i], site);
	}
	return was;
}

void mm_flush_workqueue(struct mm_workqueue *wq, const char *site)
{
	struct mm_machine *m = mm_cur;
	unsigned long queued = wq->nr_queued;
	int n = 0, ran = 0, i;

	mm_might_sleep(site);
	while ((i = running_elsewhere(NULL, wq)) >= 0)
		mm_sched_wait(&m->running_lock[i], site);
	for (struct work_struct *w = wq->head; w; w = w->next)
		n++;
	/* the items queued now, in order; one running elsewhere is waited for */
	while (n > 0 && wq->head) {
		struct work_struct *w = wq->head;

		if (mm_run_work(wq, w)) {
			n--;
			ran++;
		} else if (running_elsewhere(w, NULL) >= 0) {
			mm_flush_running_work(w, site);
		} else {
			break;	/* it runs in this very task: it cannot be waited for */
		}
		check_requeue(wq, queued, ran);
	}
}

void mm_rcu_read_lock(void)
{
	mm_this_cpu()->rcu_read_depth++;
}

void mm_rcu_read_unlock(void)
{
	if (mm_this_cpu()->rcu_read_depth > 0)
		mm_this_cpu()->rcu_read_depth--;
}

/*
 * The PREEMPT_RT tree's local lock is a per-CPU lock: in the threaded mode
 * a thread in the section owns the CPU, as with interrupts off (cpu_sync())
 */
void mm_local_lock(void)
{
	mm_this_cpu()->local_lock_depth++;
	cpu_sync();
}

void mm_local_unlock(void)
{
	if (mm_this_cpu()->local_lock_depth > 0)
		mm_this_cpu()->local_lock_depth--;
	cpu_sync();
}

void mm_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	struct mm_machine *m = mm_cur;

	mm_harness_lock();
	head->func = func;
	head->next = NULL;
	head->gp_seq_queued = m->rcu_gp_seq;
	if (m->rcu_tail)
		m->rcu_tail->next = head;
	else
		m->rcu_head_list = head;
	m->rcu_tail = head;
	mm_harness_unlock();
	/* threaded mode: the callback sees what the caller stored before call_rcu() */
	mm_tsan_release(head);
}

void mm_rcu_gp(void)
{
	struct mm_machine *m = mm_cur;
	struct rcu_head *list;
	struct mm_cpu saved = *mm_this_cpu();

	/* callbacks queued during this grace period wait for the next one */
	mm_harness_lock();
	list = m->rcu_head_list;
	m->rcu_head_list = m->rcu_tail = NULL;
	m->rcu_gp_seq++;
	mm_harness_unlock();
	/* callbacks run from softirq: atomic, none of the caller's locks held */
	memset(mm_this_cpu(), 0, sizeof(saved));
	mm_this_cpu()->preempt_count = 1;
	while (list) {
		struct rcu_head *next = list->next;

		mm_tsan_acquire(list);
		list->func(list);
		list = next;
	}
	*mm_this_cpu() = saved;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The threaded mode: the simulated CPUs as real threads, under
 * ThreadSanitizer.  See include/mm/threads.h for the contract.  Only the
 * report parser and the rounds are built without MM_THREADS (tests and the
 * CLI use them); the rest is the tsan flavor's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mm/threads.h>
#include "driver.h"

/* -- the rounds ----------------------------------------------------------- */

int mm_threads_rounds(const struct mm_family *fam, const struct mm_input *in,
		      int nr_cpus, int *round)
{
	unsigned int used = 0;
	int r = -1;

	if (nr_cpus < 1)
		nr_cpus = 1;
	for (int i = 0; i < in->nr_ops; i++) {
		const struct mm_op *op = &in->ops[i];
		enum mm_ctx ctx = MM_CTX_PROCESS;
		int cpu = 0;

		round[i] = -1;
		if (op->id >= MM_MACHINE_OP_BASE || !fam->ops[op->id].name)
			continue;	/* tasks: the schedule is the OS's here */
		mm_op_context(fam, op, &cpu, &ctx);
		cpu %= nr_cpus;
		if (r < 0 || (used & (1u << cpu))) {
			r++;
			used = 0;
		}
		used |= 1u << cpu;
		round[i] = r;
	}
	return r + 1;
}

/* -- ThreadSanitizer's report ---------------------------------------------- */

/* port code: the ports, the kernel trees, the test ports */
static bool port_file(const char *path)
{
	return strstr(path, "/ref/") || strstr(path, "/impl/") ||
	       strstr(path, "/build/kernel/") || strstr(path, "/tests/");
}

struct access {
	char what[64];		/* "Write of size 4", "Previous read of size 8" */
	char thread[24];
	char fn[96];		/* first port function, "" if none */
	char at[160];		/* its file:line, shortened */
	char top[96];		/* the top frame's function */
	char mutexes[64];
};

static const char *short_path(const char *p)
{
	static const char *const roots[] = { "/ref/", "/impl/", "/build/kernel/", "/tests/",
					     "/fuzz/", "/include/" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		const char *s = strstr(p, roots[i]);

		if (s)
			return s + 1;
	}
	return p;
}

/* one access block: its header line at @l; returns the line after the block */
static const char *parse_access(const char *l, struct access *a)
{
	const char *e = strchr(l, '\n');
	const char *by, *mx;
	char line[512];
	size_t n;

	memset(a, 0, sizeof(*a));
	n = e ? (size_t)(e - l) : strlen(l);
	snprintf(line, sizeof(line), "%.*s", (int)n, l);
	{
		const char *s = line + strspn(line, " ");

		by = strstr(s, " at 0x");
		snprintf(a->what, sizeof(a->what), "%.*s", (int)(by ? by - s : 0), s);
	}
	by = strstr(line, " by ");
	if (by) {
		const char *t = by + 4;
		size_t k = strcspn(t, ":(");

		while (k && t[k - 1] == ' ')
			k--;
		snprintf(a->thread, sizeof(a->thread), "%.*s", (int)k, t);
	}
	mx = strstr(line, "(mutexes: ");
	if (mx)
		snprintf(a->mutexes, sizeof(a->mutexes), "%.*s", (int)strcspn(mx + 10, ")"),
			 mx + 10);
	l = e ? e + 1 : l + n;
	/* frames: "    #0 fn /path/file.c:12:3 (bin+0x...)" */
	while (*l) {
		char fn[160] = "", file[400] = "";
		const char *s = l + strspn(l, " ");

		e = strchr(l, '\n');
		n = e ? (size_t)(e - l) : strlen(l);
		if (*s != '#')
			break;
		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		if (sscanf(line, " #%*d %159s %399s", fn, file) == 2) {
			char *colon;

			if (!a->top[0])
				snprintf(a->top, sizeof(a->top), "%s", fn);
			if (!a->fn[0] && port_file(file)) {
				snprintf(a->fn, sizeof(a->fn), "%s", fn);
				/* file:line, without the column */
				colon = strrchr(file, ':');
				if (colon && colon > strchr(file, ':'))
					*colon = 0;
				snprintf(a->at, sizeof(a->at), "%s", short_path(file));
			}
		}
		l = e ? e + 1 : l + n;
	}
	return l;
}

bool mm_tsan_parse_race(const char *text, const char *family, const char *variant,
			struct mm_thread_verdict *out)
{
	const char *w = strstr(text, "WARNING: ThreadSanitizer: data race");
	struct access acc[2];
	const char *l, *name;
	int n = 0;

	if (!w)
		return false;
	l = strchr(w, '\n');
	while (l && *l && n < 2) {
		const char *s = ++l;

		s += strspn(s, " ");
		if (!strncmp(s, "SUMMARY:", 8) || !strncmp(s, "==========", 10))
			break;
		if (strstr(s, " of size ") && strstr(s, " by ") &&
		    strstr(s, " of size ") < strchr(s, '\n')) {
			l = parse_access(l, &acc[n++]);
			l = l[0] ? l - 1 : NULL;
			continue;
		}
		l = strchr(l, '\n');
	}
	if (n < 2) {
		memset(&acc[1], 0, sizeof(acc[1]));
		snprintf(acc[1].what, sizeof(acc[1].what), "an access whose stack is lost");
		n = 2;
	}
	out->violated = true;
	out->fn_a[0] = out->fn_b[0] = 0;
	if (!acc[0].fn[0] && !acc[1].fn[0]) {
		/* no port code on either side: the harness raced with itself */
		snprintf(out->inv, sizeof(out->inv), "HARNESS");
		snprintf(out->sig, sizeof(out->sig), "%s/%s/HARNESS@%s", family, variant,
			 acc[0].top[0] ? acc[0].top : "threads");
	} else {
		const char *a = acc[0].fn, *b = acc[1].fn;

		snprintf(out->fn_a, sizeof(out->fn_a), "%s", a);
		snprintf(out->fn_b, sizeof(out->fn_b), "%s", b);

		name = !a[0] ? b : !b[0] ? a : strcmp(a, b) <= 0 ? a : b;
		snprintf(out->inv, sizeof(out->inv), "DATA_RACE");
		snprintf(out->sig, sizeof(out->sig), "%s/%s/DATA_RACE:%s", family, variant, name);
	}
	snprintf(out->detail, sizeof(out->detail),
		 "%s by %s in %s (%s)%s%s%s; %s by %s in %s (%s)%s%s%s",
		 acc[0].what, acc[0].thread[0] ? acc[0].thread : "?",
		 acc[0].fn[0] ? acc[0].fn : acc[0].top[0] ? acc[0].top : "?",
		 acc[0].at[0] ? acc[0].at : "harness",
		 acc[0].mutexes[0] ? ", holding " : "", acc[0].mutexes,
		 acc[0].mutexes[0] ? "" : ", no lock held",
		 acc[1].what, acc[1].thread[0] ? acc[1].thread : "?",
		 acc[1].fn[0] ? acc[1].fn : acc[1].top[0] ? acc[1].top : "?",
		 acc[1].at[0] ? acc[1].at : "harness",
		 acc[1].mutexes[0] ? ", holding " : "", acc[1].mutexes,
		 acc[1].mutexes[0] ? "" : ", no lock held");
	return true;
}

#ifndef MM_THREADS
int mm_threads_run_isolated(const struct mm_family *fam, const struct mm_variant *v,
			    const struct mm_input *in, struct mm_thread_verdict *out,
			    FILE *trace)
{
	(void)fam, (void)v, (void)in, (void)trace;
	memset(out, 0, sizeof(*out));
	return -1;
}
#else

/* ThreadSanitizer's settings for every run of this build */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "halt_on_error=0:exitcode=66:report_thread_leaks=0:detect_deadlocks=0:"
	       "report_signal_unsafe=0:history_size=4:suppressions=" MM_TSAN_SUPP;
}

bool mm_threads_running;
_Thread_local int mm_thread_cpu = -1;
_Thread_local int mm_thread_home = -1;
_Thread_local struct mm_cpu *mm_thread_cpustate;

/* -- the tolerated list ---------------------------------------------------- */

/*
 * fuzz/core/tsan-tolerated.txt: "<family>/<variant pattern> <function> <function>"
 * per line (fnmatch patterns; the two functions in either order), '#' comments.
 */
static bool tolerated(const char *family, const char *variant, const char *a, const char *b)
{
	static char *text;
	static bool loaded;
	char who[160];
	const char *l;

	if (!loaded) {
		FILE *f = fopen(MM_TSAN_TOLERATED, "r");

		loaded = true;
		if (f) {
			text = calloc(1, 1 << 16);
			if (text)
				text[fread(text, 1, (1 << 16) - 1, f)] = 0;
			fclose(f);
		}
	}
	if (!text || !a[0] || !b[0])
		return false;
	snprintf(who, sizeof(who), "%s/%s", family, variant);
	for (l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		char p[160], fa[96], fb[96];

		if (*l == '#' || sscanf(l, "%159s %95s %95s", p, fa, fb) != 3)
			continue;
		if (fnmatch(p, who, 0))
			continue;
		if ((!fnmatch(fa, a, 0) && !fnmatch(fb, b, 0)) ||
		    (!fnmatch(fa, b, 0) && !fnmatch(fb, a, 0)))
			return true;
	}
	return false;
}

/* -- the harness mutex ------------------------------------------------------ */

static pthread_mutex_t harness_mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void mm_harness_lock(void)
{
	if (!mm_threads_running)
		return;
	AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
	mm_tsan_ignore_begin();
	pthread_mutex_lock(&harness_mu);
}

void mm_harness_unlock(void)
{
	if (!mm_threads_running)
		return;
	pthread_mutex_unlock(&harness_mu);
	mm_tsan_ignore_end();
	AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
}

/* -- the real locks ----------------------------------------------------------- */

#define LOCK_TABLE	8192	/* a power of two */
#define LOCK_WAIT_S	20	/* a wait this long is a deadlock */

static struct {
	const struct mm_lock *key;
	pthread_mutex_t mu;
} lock_table[LOCK_TABLE];

static pthread_mutex_t *real_lock(const struct mm_lock *l)
{
	uintptr_t h = ((uintptr_t)l >> 3) * 0x9e3779b97f4a7c15ULL;
	pthread_mutex_t *mu = NULL;

	mm_harness_lock();
	for (unsigned int i = 0; i < LOCK_TABLE; i++) {
		unsigned int k = (unsigned int)(h >> 40) + i;

		k &= LOCK_TABLE - 1;
		if (lock_table[k].key == l) {
			mu = &lock_table[k].mu;
			break;
		}
		if (!lock_table[k].key) {
			lock_table[k].key = l;
			pthread_mutex_init(&lock_table[k].mu, NULL);
			mu = &lock_table[k].mu;
			break;
		}
	}
	mm_harness_unlock();
	if (!mu)
		mm_violation("HARNESS", "threads", "more than %d locks", LOCK_TABLE);
	return mu;
}

void mm_thread_lock(struct mm_lock *l, const char *site)
{
	pthread_mutex_t *mu = real_lock(l);
	struct timespec until;
	int err;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += LOCK_WAIT_S;
	err = pthread_mutex_timedlock(mu, &until);
	if (err)
		mm_violation("DEADLOCK", site,
			     "%s: waited %d s for it (held by CPU thread %d, taken at %s)",
			     l->name, LOCK_WAIT_S, l->owner ? (l->owner - 1) % MM_MAX_CPUS : -1,
			     l->site ? l->site : "?");
}

bool mm_thread_trylock(struct mm_lock *l)
{
	return pthread_mutex_trylock(real_lock(l)) == 0;
}

void mm_thread_unlock(struct mm_lock *l)
{
	pthread_mutex_unlock(real_lock(l));
}

/* -- CPU ownership while interrupts or preemption are off ---------------------- */

static pthread_mutex_t cpu_mu[MM_MAX_CPUS] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
};
static _Thread_local int own_cpu = -1;

void mm_threads_cpu_own(void)
{
	struct timespec until;
	int cpu;

	if (!mm_threads_running || !mm_thread_cpustate || own_cpu >= 0)
		return;
	cpu = mm_cpu_id();
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += LOCK_WAIT_S;
	if (pthread_mutex_timedlock(&cpu_mu[cpu], &until))
		mm_violation("DEADLOCK", "threads",
			     "CPU %d: waited %d s for its interrupts or preemption to be on again",
			     cpu, LOCK_WAIT_S);
	own_cpu = cpu;
}

void mm_threads_cpu_release(void)
{
	if (own_cpu < 0)
		return;
	pthread_mutex_unlock(&cpu_mu[own_cpu]);
	own_cpu = -1;
}

void mm_threads_cpu_sync(void)
{
	const struct mm_cpu *c = mm_thread_cpustate;

	if (!mm_threads_running || !c)
		return;
	if (c->irqs_disabled || c->preempt_count || c->local_lock_depth)
		mm_threads_cpu_own();
	else
		mm_threads_cpu_release();
}

/* -- a violation ends the run ------------------------------------------------- */

static int result_fd = -1;
static const struct mm_family *run_fam;
static const struct mm_variant *run_var;
static int cur_round;

void mm_threads_die(struct mm_machine *m)
{
	char sig[192], line[MM_DETAIL_LEN + 512];
	int n;

	mm_harness_lock();
	mm_signature(sig, sizeof(sig), run_fam, run_var->name, m->inv, m->where,
		     m->lock[0] ? m->lock : NULL);
	n = snprintf(line, sizeof(line), "\nMMDIFF-THREADS-VIOLATION\t%s\t%s\t%d\t%s\n", sig,
		     m->inv, cur_round, m->detail);
	if (n > (int)sizeof(line))
		n = (int)sizeof(line);
	if (write(result_fd >= 0 ? result_fd : 2, line, (size_t)n) < 0)
		_exit(3);
	_exit(1);
}

/* -- the workers ---------------------------------------------------------------- */

struct worker {
	pthread_t th;
	int cpu;
	struct mm_instance *in;
	const struct mm_op *op;		/* this round's, NULL: idle */
	struct mm_opres res;
	struct mm_cpu state;		/* its held-lock state */
};

static pthread_barrier_t round_start, round_end;
static bool stop;

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	mm_thread_home = w->cpu;
	mm_thread_cpu = w->cpu;
	mm_thread_cpustate = &w->state;	/* mm_cur: set before the workers start */
	for (;;) {
		pthread_barrier_wait(&round_start);
		if (stop)
			break;
		if (w->op) {
			enum mm_ctx ctx = MM_CTX_PROCESS;
			int cpu = 0;

			mm_op_context(w->in->fam, w->op, &cpu, &ctx);
			memset(&w->res, 0, sizeof(w->res));
			mm_set_context(cpu, ctx);
			mm_threads_cpu_sync();	/* a context with interrupts off owns the CPU */
			mm_allocator_entry("op entry");
			w->in->v->exec(w->in->inst, w->op, &w->res);
			mm_clear_context();
			mm_threads_cpu_release();
		}
		pthread_barrier_wait(&round_end);
	}
	return NULL;
}

/* the child's side: create, rounds, checks; exits */
static void run_child(const struct mm_family *fam, const struct mm_variant *v,
		      const struct mm_input *in, FILE *trace)
{
	static struct mm_instance inst;
	static struct worker workers[MM_MAX_CPUS];
	static int round[MM_MAX_OPS];
	int nr_rounds, nr_cpus, i = 0;

	if (mm_instance_create(&inst, fam, v, &in->cfg)) {
		mm_threads_die(&inst.m);
	}
	nr_cpus = inst.m.nr_cpus;
	nr_rounds = mm_threads_rounds(fam, in, nr_cpus, round);
	mm_machine_enter(&inst.m);
	inst.m.unwind = NULL;
	mm_threads_running = true;
	pthread_barrier_init(&round_start, NULL, (unsigned int)nr_cpus + 1);
	pthread_barrier_init(&round_end, NULL, (unsigned int)nr_cpus + 1);
	for (int c = 0; c < nr_cpus; c++) {
		workers[c].cpu = c;
		workers[c].in = &inst;
		pthread_create(&workers[c].th, NULL, worker_main, &workers[c]);
	}
	for (int r = 0; r < nr_rounds; r++) {
		cur_round = r;
		for (int c = 0; c < nr_cpus; c++)
			workers[c].op = NULL;
		for (; i < in->nr_ops && round[i] <= r; i++) {
			enum mm_ctx ctx;
			int cpu = 0;

			if (round[i] < 0)
				continue;
			mm_op_context(fam, &in->ops[i], &cpu, &ctx);
			workers[cpu % nr_cpus].op = &in->ops[i];
			if (trace) {
				char text[192];

				mm_op_format(fam, &in->ops[i], text, sizeof(text));
				fprintf(trace, "round %d CPU %d: #%d %s\n", r, cpu % nr_cpus, i, text);
			}
		}
		pthread_barrier_wait(&round_start);
		pthread_barrier_wait(&round_end);
		if (trace) {
			for (int c = 0; c < nr_cpus; c++)
				if (workers[c].op)
					fprintf(trace, "  CPU %d: %s\n", c, workers[c].res.text[0] ?
						workers[c].res.text : workers[c].res.status ? "failed" : "ok");
			fflush(trace);
		}
		/* alone again: the variant's own invariants */
		v->check(inst.inst);
	}
	stop = true;
	pthread_barrier_wait(&round_start);
	for (int c = 0; c < nr_cpus; c++)
		pthread_join(workers[c].th, NULL);
	_exit(0);
}

int mm_threads_run_isolated(const struct mm_family *fam, const struct mm_variant *v,
			    const struct mm_input *in, struct mm_thread_verdict *out,
			    FILE *trace)
{
	static char buf[64 << 10];
	size_t got = 0;
	int fds[2], status = 0;
	pid_t pid;
	char *viol;

	memset(out, 0, sizeof(*out));
	out->rounds = -1;
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		result_fd = 2;
		run_fam = fam;
		run_var = v;
		alarm(120);
		run_child(fam, v, in, trace);
	}
	close(fds[1]);
	for (;;) {
		ssize_t k = read(fds[0], buf + got, sizeof(buf) - 1 - got);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	buf[got] = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (trace && got)
		fprintf(trace, "%s", buf);
	viol = strstr(buf, "MMDIFF-THREADS-VIOLATION\t");
	{
		/* every race of the run: the first one not tolerated is the verdict */
		static struct mm_thread_verdict one;
		const char *w = buf;
		size_t also = 0, tol = 0;
		bool found = false;

		while ((w = strstr(w, "WARNING: ThreadSanitizer: data race"))) {
			const char *next = strstr(w + 1, "WARNING: ThreadSanitizer");
			char *line;
			size_t *len;

			if (!mm_tsan_parse_race(w, fam->name, v->name, &one)) {
				w++;
				continue;
			}
			if (tolerated(fam->name, v->name, one.fn_a, one.fn_b)) {
				line = out->tolerated;
				len = &tol;
				if (*len >= sizeof(out->tolerated) || strstr(line, one.detail))
					goto next;
				*len += (size_t)snprintf(line + *len, sizeof(out->tolerated) - *len,
							 "%s: %s\n", one.sig, one.detail);
			} else if (!found) {
				found = true;
				memcpy(out->sig, one.sig, sizeof(out->sig));
				memcpy(out->inv, one.inv, sizeof(out->inv));
				memcpy(out->detail, one.detail, sizeof(out->detail));
				memcpy(out->fn_a, one.fn_a, sizeof(out->fn_a));
				memcpy(out->fn_b, one.fn_b, sizeof(out->fn_b));
				snprintf(out->report, sizeof(out->report), "%.*s",
					 (int)(next ? (size_t)(next - w) : strlen(w)), w);
			} else if (also < sizeof(out->also) && strcmp(one.sig, out->sig) &&
				   !strstr(out->also, one.detail)) {
				also += (size_t)snprintf(out->also + also, sizeof(out->also) - also,
							 "%s: %s\n", one.sig, one.detail);
			}
next:
			w++;
		}
		if (found) {
			out->violated = true;
			return 1;
		}
		out->violated = false;
		if (!viol && WIFEXITED(status) &&
		    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 66))
			return 0;	/* clean, or only tolerated races */
	}
	out->violated = true;
	if (viol) {
		char *f[5], *s = viol + strlen("MMDIFF-THREADS-VIOLATION\t");

		for (int k = 0; k < 5; k++) {
			f[k] = s;
			s += strcspn(s, k == 4 ? "\n" : "\t");
			if (*s)
				*s++ = 0;
		}
		snprintf(out->sig, sizeof(out->sig), "%s", f[0]);
		snprintf(out->inv, sizeof(out->inv), "%s", f[1]);
		out->rounds = atoi(f[2]);
		snprintf(out->detail, sizeof(out->detail), "in round %s: %s", f[2], f[3]);
		snprintf(out->report, sizeof(out->report), "%s", f[3]);
		return 1;
	}
	/* a death without a report we know: name it honestly, as the harness's */
	snprintf(out->inv, sizeof(out->inv), "HARNESS");
	snprintf(out->sig, sizeof(out->sig), "%s/%s/HARNESS@threads", fam->name, v->name);
	if (WIFSIGNALED(status))
		snprintf(out->detail, sizeof(out->detail),
			 "the threaded run died of signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (no end in 120 s)" : "");
	else
		snprintf(out->detail, sizeof(out->detail),
			 "the threaded run exited with %d and no report", WEXITSTATUS(status));
	{
		const char *w = strstr(buf, "ThreadSanitizer");

		snprintf(out->report, sizeof(out->report), "%s", w ? w : buf);
	}
	return 1;
}
#endif /* MM_THREADS */

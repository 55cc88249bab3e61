// SPDX-License-Identifier: GPL-2.0-only
/* The differential driver; see driver.h. */
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "input.h"

static void enter(struct mm_instance *in, jmp_buf *jb)
{
	mm_machine_enter(&in->m);
	in->m.unwind = jb;
	in->m.family_name = in->fam->name;
	in->m.variant_name = in->v->name;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define MM_HAVE_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MM_HAVE_SANITIZER 1
#endif

static FILE *death_out;
static const char *death_prefix;
static bool death_said;
static int death_op = -1;	/* the op mm_run() is at, for the death line */

/* the signature line of a sanitizer report, naming @place */
static void death_say(const char *place)
{
	const struct mm_machine *m = mm_cur;
	const struct mm_family *fam = m ? mm_family_find(m->family_name ? m->family_name : "") : NULL;
	char sig[192];

	if (death_said || !death_out)
		return;
	death_said = true;
	if (!fam || !m->variant_name) {
		fprintf(death_out, "%sharness/MEMORY_SAFETY\n", death_prefix);
	} else {
		mm_signature(sig, sizeof(sig), fam, m->variant_name, "MEMORY_SAFETY", place, NULL);
		/* a prefix starting with \001 asks for the op index too (a run in a child) */
		if (death_prefix[0] == '\001')
			fprintf(death_out, "%s%s\t%d\n", death_prefix, sig, death_op);
		else
			fprintf(death_out, "%s%s\n", death_prefix, sig);
	}
	fflush(death_out);
}

/*
 * ASan's report: the function where it caught the access is the first
 * frame that is neither the sanitizer's nor the harness's own (mm_*
 * contents checks touch memory on a port's behalf; their caller is named).
 */
static void death_report_text(const char *report)
{
	static const char *const skip[] = {
		"__asan", "__interceptor", "__sanitizer", "__ubsan", "mm_", "mem", "str",
	};
	const char *p = report;

	while ((p = strstr(p, " in ")) != NULL) {
		char place[64];
		size_t n;
		bool skipped = false;

		p += 4;
		n = strcspn(p, " \n(");
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			if (!strncmp(p, skip[i], strlen(skip[i])))
				skipped = true;
		if (!n || skipped)
			continue;
		snprintf(place, sizeof(place), "%.*s", (int)n, p);
		death_say(place);
		return;
	}
	death_say("unknown");
}

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf, size_t out_buf_size)
	__attribute__((weak));

/*
 * Other sanitizers' deaths (UBSan: an index out of bounds, say): the
 * callback runs on the dying stack, so the place is its first frame in
 * the ports or a family's executor (ref/, impl/, fuzz/families/).
 */
static void death_report(void)
{
	void *bt[48];
	int n = backtrace(bt, 48);

	for (int i = 0; i < n && __sanitizer_symbolize_pc; i++) {
		char sym[320], fn[128], file[180];

		__sanitizer_symbolize_pc(bt[i], "%f %s", sym, sizeof(sym));
		if (sscanf(sym, "%127s %179s", fn, file) != 2)
			continue;
		if (strstr(file, "/ref/") || strstr(file, "/impl/") ||
		    strstr(file, "/fuzz/families/")) {
			death_say(fn);
			return;
		}
	}
	death_say("unknown");
}

#ifdef MM_HAVE_SANITIZER
#include <sanitizer/common_interface_defs.h>
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define MM_HAVE_ASAN 1
#endif
#endif
void mm_report_sanitizer_deaths(FILE *out, const char *prefix, bool engine_owns_death)
{
	death_out = out;
	death_prefix = prefix;
#ifdef MM_HAVE_ASAN
	__asan_set_error_report_callback(death_report_text);
#else
	(void)death_report_text;
#endif
	/* libFuzzer writes its crash file from the death callback: leave it */
	if (!engine_owns_death)
		__sanitizer_set_death_callback(death_report);
}
#else
void mm_report_sanitizer_deaths(FILE *out, const char *prefix, bool engine_owns_death)
{
	(void)death_report;
	(void)death_report_text;
	(void)engine_owns_death;
	death_out = out;
	death_prefix = prefix;
}
#endif

void (*mm_state_feedback)(const struct mm_family *fam, const struct mm_op *op,
			  const void *obs, const struct mm_machine *m);

/*
 * mm_check_full() (include/mm/harness.h): false only in the checks of
 * mm_instance_exec() that are not due to be full
 */
static bool check_full = true;

bool mm_check_full(void)
{
	return check_full;
}

static int leave(struct mm_instance *in, int violated)
{
	check_full = true;
	in->m.unwind = NULL;
	if (violated)
		in->dead = true;
	return violated;
}

int mm_instance_create(struct mm_instance *in, const struct mm_family *fam,
		       const struct mm_variant *v, const struct mm_config *cfg)
{
	int cpus = mm_cfg_role(fam, MM_CFG_NR_CPUS);
	int budget = mm_cfg_role(fam, MM_CFG_BUDGET);
	jmp_buf jb;

	memset(in, 0, sizeof(*in));
	in->v = v;
	in->fam = fam;
	mm_machine_init(&in->m, cpus < 0 ? 1 : (int)cfg->v[cpus],
			budget < 0 ? 0 : (long)cfg->v[budget]);
	if (fam->cfg_machine)
		fam->cfg_machine(cfg, &in->m);
	enter(in, &jb);
	if (setjmp(jb))
		return leave(in, 1);
	mm_set_context(0, MM_CTX_PROCESS);
	in->inst = v->create(cfg);
	mm_clear_context();
	v->check(in->inst);
	return leave(in, 0);
}

/* an op started as a task (a "start" op before it) */
struct task_op {
	struct mm_instance *in;
	struct mm_op op;
	struct mm_opres res;
	int cpu;
	enum mm_ctx ctx;
};

static const char *status_text(const struct mm_opres *res)
{
	return res->text[0] ? res->text : res->status == 0 ? "ok" :
	       res->status > 0 ? "skipped" : "failed";
}

static const char *task_body(void *arg)
{
	struct task_op *t = arg;

	mm_set_context(t->cpu, t->ctx);
	mm_allocator_entry("op entry");
	t->in->v->exec(t->in->inst, &t->op, &t->res);
	mm_clear_context();
	return status_text(&t->res);
}

static bool start_task(struct mm_instance *in, const struct mm_op *op, struct mm_opres *res)
{
	struct task_op *t = mm_kzalloc(sizeof(*t), MM_FAIL_NR);
	char what[128];
	int id;

	t->in = in;
	t->op = *op;
	mm_op_context(in->fam, op, &t->cpu, &t->ctx);
	mm_op_format(in->fam, op, what, sizeof(what));
	id = mm_task_start(task_body, t, t->cpu, in->start_points, what);
	if (!id)
		return false;	/* MM_MAX_TASKS alive: it runs as a plain op */
	snprintf(res->text, sizeof(res->text), "runs as T%d", id);
	return true;
}

static bool tasks_on = true;

void mm_tasks_enable(bool on)
{
	tasks_on = on;
}

static void machine_op(const struct mm_op *op, struct mm_instance *in, struct mm_opres *res)
{
	int id = 0, n = mm_tasks_alive();

	if (!tasks_on || !in->fam->tasks) {
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: %s", tasks_on ?
			 "no interleavings in this family yet" : "tasks off");
		return;
	}
	switch (op->id) {
	case MM_OP_START:
		in->start_armed = true;
		in->start_points = op->arg[MM_START_points];
		snprintf(res->text, sizeof(res->text), "the next op runs as a task");
		return;
	case MM_OP_STEP:
		id = mm_task_resume(op->arg[MM_STEP_task], op->arg[MM_STEP_points]);
		break;
	case MM_OP_FINISH:
		id = mm_task_resume(op->arg[MM_FINISH_task], -1);
		break;
	case MM_OP_SETTLE:
		mm_tasks_settle();
		snprintf(res->text, sizeof(res->text), n ? "%d task%s ran to the end" :
			 "skipped: no task alive", n, n == 1 ? "" : "s");
		res->status = !n;
		return;
	default:
		res->status = 1;
		snprintf(res->text, sizeof(res->text), "skipped: unknown machine op");
		return;
	}
	res->status = !id;
	snprintf(res->text, sizeof(res->text), id ? "T%d" : "skipped: no task alive", id);
}

int mm_instance_exec(struct mm_instance *in, const struct mm_op *op,
		     struct mm_opres *res)
{
	jmp_buf jb;
	enum mm_ctx ctx = MM_CTX_PROCESS;
	int cpu = 0;

	memset(res, 0, sizeof(*res));
	if (in->dead)
		return 1;
	enter(in, &jb);
	if (setjmp(jb))
		return leave(in, 1);
	mm_sched_op_begin();
	if (op->id >= MM_MACHINE_OP_BASE) {
		machine_op(op, in, res);
	} else if (!in->start_armed || (in->start_armed = false, !start_task(in, op, res))) {
		mm_op_context(in->fam, op, &cpu, &ctx);
		mm_set_context(cpu, ctx);
		mm_allocator_entry("op entry");
		in->v->exec(in->inst, op, res);
		mm_clear_context();
	}
	in->ops_since_full++;
	if (!mm_tasks_alive()) {
		check_full = in->last_op || in->ops_since_full >= MM_CHECK_FULL_EVERY;
		if (check_full)
			in->ops_since_full = 0;
		in->v->check(in->inst);
	}
	in->last_op = false;
	return leave(in, 0);
}

void mm_instance_observe(struct mm_instance *in, void *obs)
{
	jmp_buf jb;

	memset(obs, 0, in->fam->obs_size);
	if (in->dead)
		return;
	enter(in, &jb);
	if (setjmp(jb)) {
		leave(in, 1);
		return;
	}
	in->v->observe(in->inst, obs);
	leave(in, 0);
}

void mm_instance_destroy(struct mm_instance *in)
{
	mm_machine_destroy(&in->m);
	in->inst = NULL;
}

static void dump_state(struct mm_instance *in, char *buf, size_t len)
{
	jmp_buf jb;
	bool violated = in->m.violated;

	buf[0] = '\0';
	if (!in->v->dump || !in->inst)
		return;
	/* dumping after a violation: the port's state may be half-updated */
	enter(in, &jb);
	if (!setjmp(jb))
		in->v->dump(in->inst, buf, len);
	in->m.unwind = NULL;
	in->m.violated = violated;
}

/* a signature component: kernel identifiers keep their form, the rest is '_' */
static void sig_part(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 1 < len; src++) {
		char c = *src;

		if (c == '-' && src[1] == '>') {
			c = '.';
			src++;
		} else if (!(c == '_' || c == '.' || (c >= 'a' && c <= 'z') ||
			     (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
			c = '_';
		}
		dst[n++] = c;
	}
	dst[n] = '\0';
}

void mm_signature(char *buf, size_t len, const struct mm_family *fam, const char *who,
		  const char *inv, const char *place, const char *lock)
{
	char p[64], l[48];

	sig_part(p, sizeof(p), place && *place ? place : "unknown");
	sig_part(l, sizeof(l), lock ? lock : "");
	snprintf(buf, len, "%s/%s/%s@%s%s%s", fam->name, who, inv, p, *l ? ":" : "", l);
}

/* does @id name invariant @d, now or as one of its former ids? */
static bool inv_named(const struct mm_invdesc *d, const char *id, size_t idlen)
{
	const char *a = d->aliases;

	if (strlen(d->id) == idlen && !strncmp(d->id, id, idlen))
		return true;
	while (a && *a) {
		size_t n = strcspn(a, " ");

		if (n == idlen && !strncmp(a, id, idlen))
			return true;
		a += n + (a[n] == ' ');
	}
	return false;
}

bool mm_sig_matches(const char *pattern, const char *sig)
{
	const char *ps = strrchr(pattern, '/'), *ss = strrchr(sig, '/');
	const struct mm_invdesc *d;
	char famname[64], id[64];

	if (!strcmp(pattern, sig))
		return true;
	/* old form "<family>/<who>/<INV>": same family and variants, same invariant */
	if (!ps || !ss || strchr(ps, '@') || ps - pattern != ss - sig ||
	    strncmp(pattern, sig, ps - pattern))
		return false;
	snprintf(famname, sizeof(famname), "%.*s", (int)strcspn(sig, "/"), sig);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(ss + 1, "@"), ss + 1);
	if (!strcmp(id, ps + 1))
		return true;
	d = mm_invariant_find(mm_family_find(famname), id);
	return d && inv_named(d, ps + 1, strlen(ps + 1));
}

/*
 * The verdict of the violation recorded on @m (a variant's machine, or the
 * scratch machine of a differential relation); @in is the instance whose
 * state is dumped.
 */
static void verdict_from(struct mm_verdict *out, const struct mm_family *fam,
			 const char *who, const struct mm_machine *m,
			 struct mm_instance *in, int op_index, const struct mm_op *op)
{
	out->violated = true;
	out->op_index = op_index;
	snprintf(out->variant, sizeof(out->variant), "%s", who);
	snprintf(out->inv, sizeof(out->inv), "%s", m->inv);
	snprintf(out->where, sizeof(out->where), "%s", m->where);
	snprintf(out->detail, sizeof(out->detail), "%s", m->detail);
	if (!mm_invariant_find(fam, m->inv)) {
		/* an id no table declares is a harness defect, never a finding */
		snprintf(out->detail, sizeof(out->detail),
			 "invariant id '%s' is not declared by family %s nor the machine: %s",
			 m->inv, fam->name, m->detail);
		snprintf(out->inv, sizeof(out->inv), "HARNESS");
		mm_signature(out->sig, sizeof(out->sig), fam, who, "HARNESS",
			     "undeclared_invariant", NULL);
	} else if (strchr(who, '~')) {
		/* a relation is placed by the op kind that exposed it */
		mm_signature(out->sig, sizeof(out->sig), fam, who, m->inv,
			     op ? mm_op_desc(fam, op)->name : "create", NULL);
	} else {
		mm_signature(out->sig, sizeof(out->sig), fam, who, m->inv, m->where,
			     m->lock);
	}
	if (op)
		mm_op_format(fam, op, out->op_text, sizeof(out->op_text));
	else
		snprintf(out->op_text, sizeof(out->op_text), "(create)");
	dump_state(in, out->state, sizeof(out->state));
}

/*
 * Differential relations run on a scratch machine, so that a violation of
 * the relation unwinds here and never touches a variant's machine.
 */
static int run_diff(const struct mm_family *fam, struct mm_diffctx *d,
		    struct mm_machine *scratch)
{
	jmp_buf jb;

	mm_machine_enter(scratch);
	scratch->unwind = &jb;
	if (setjmp(jb)) {
		scratch->unwind = NULL;
		return 1;
	}
	fam->diff(d);
	scratch->unwind = NULL;
	return 0;
}

static void trace_res(FILE *trace, const char *name, int r,
		      struct mm_instance *in, const struct mm_opres *res)
{
	/* what tasks did during the op is printed as it happens (m.trace) */
	if (!trace)
		return;
	if (r)
		fprintf(trace, "      %-10s VIOLATION %s in %s\n", name, in->m.inv, in->m.where);
	else
		fprintf(trace, "      %-10s %s\n", name, status_text(res));
}

int mm_run(const struct mm_family *fam, const struct mm_variant *const *vars,
	   int n, const struct mm_input *input, struct mm_verdict *out,
	   FILE *trace)
{
	static struct mm_instance inst[MM_MAX_VARIANTS];
	struct mm_opres res[MM_MAX_VARIANTS];
	long obs[MM_MAX_VARIANTS][MM_MAX_OBS_BYTES / sizeof(long)];
	void *dstate[MM_MAX_VARIANTS] = { 0 };
	struct mm_machine scratch;
	char who[MM_MAX_VARIANTS][80];
	int i, k, created = 0, ret = 0;
	bool interleaved = false;

	memset(out, 0, sizeof(*out));
	out->op_index = -1;
	if (n < 1 || n > MM_MAX_VARIANTS || fam->obs_size > sizeof(obs[0])) {
		fprintf(stderr, "mmdiff: harness bug: bad variant set (%d)\n", n);
		abort();
	}
	mm_machine_init(&scratch, 1, 0);
	for (i = 0; i < n; i++) {
		if (i == 0)
			snprintf(who[i], sizeof(who[i]), "%s", vars[0]->name);
		else
			snprintf(who[i], sizeof(who[i]), "%s~%s", vars[i]->name, vars[0]->name);
		if (fam->diff_state_size && i > 0) {
			dstate[i] = calloc(1, fam->diff_state_size);
			if (!dstate[i]) {
				fprintf(stderr, "mmdiff: out of host memory\n");
				abort();
			}
		}
	}
	if (trace) {
		char line[512];

		mm_config_format(fam, &input->cfg, line, sizeof(line));
		fprintf(trace, "family %s, variants", fam->name);
		for (i = 0; i < n; i++)
			fprintf(trace, " %s%s", vars[i]->name, i ? "" : " (reference)");
		fprintf(trace, "\n%s\n", line);
	}
	for (i = 0; i < n; i++) {
		int r = mm_instance_create(&inst[i], fam, vars[i], &input->cfg);

		created = i + 1;
		inst[i].m.trace = trace;
		if (r) {
			verdict_from(out, fam, vars[i]->name, &inst[i].m, &inst[i], -1, NULL);
			ret = 1;
			goto done;
		}
	}
	for (k = 0; k <= input->nr_ops; k++) {
		/* after the last op, the tasks still alive run to their end */
		static const struct mm_op settle = { .id = MM_OP_SETTLE };
		const struct mm_op *op = k < input->nr_ops ? &input->ops[k] : &settle;

		death_op = k;
		if (k == input->nr_ops) {
			bool any = false;

			for (i = 0; i < n; i++)
				any |= inst[i].m.sched && (mm_cur = &inst[i].m, mm_tasks_alive());
			if (!any)
				break;
		}
		if (op->id == MM_OP_START && tasks_on && fam->tasks && !interleaved) {
			/* each variant stops at its own scheduling points from here */
			interleaved = true;
			if (trace)
				fprintf(trace, "      (tasks from here: relations between variants are no longer checked)\n");
		}
		if (trace) {
			char line[256];

			mm_op_format(fam, op, line, sizeof(line));
			if (k < input->nr_ops)
				fprintf(trace, "[%3d] %s\n", k, line);
			else
				fprintf(trace, "[end] %s\n", line);
		}
		for (i = 0; i < n; i++) {
			int r;

			/* the last op, or the settling of tasks after it: a full check */
			if (k >= input->nr_ops - 1)
				mm_instance_last_op(&inst[i]);
			r = mm_instance_exec(&inst[i], op, &res[i]);

			trace_res(trace, vars[i]->name, r, &inst[i], &res[i]);
			if (r) {
				verdict_from(out, fam, vars[i]->name, &inst[i].m, &inst[i], k, op);
				ret = 1;
				goto done;
			}
			if (!interleaved)
				mm_instance_observe(&inst[i], obs[i]);
			if (!i && mm_state_feedback && !inst[i].dead)
				mm_state_feedback(fam, op, interleaved ? NULL : obs[i], &inst[i].m);
			if (inst[i].dead) {
				verdict_from(out, fam, vars[i]->name, &inst[i].m, &inst[i], k, op);
				ret = 1;
				goto done;
			}
		}
		for (i = 1; i < n && fam->diff && !interleaved; i++) {
			struct mm_diffctx d = {
				.fam = fam, .cfg = &input->cfg, .op = op, .op_index = k,
				.ref_res = &res[0], .impl_res = &res[i],
				.ref_obs = obs[0], .impl_obs = obs[i],
				.ref_m = &inst[0].m, .impl_m = &inst[i].m,
				.state = dstate[i],
			};

			if (run_diff(fam, &d, &scratch)) {
				verdict_from(out, fam, who[i], &scratch, &inst[i], k, op);
				if (trace) {
					size_t l = strlen(out->state);
					char ref_state[1024];

					dump_state(&inst[0], ref_state, sizeof(ref_state));
					snprintf(out->state + l, sizeof(out->state) - l,
						 "\n-- reference %s --\n%s", vars[0]->name, ref_state);
				}
				ret = 1;
				goto done;
			}
			if (trace && scratch.notes.nr)
				fprintf(trace, "      note: %s\n", scratch.notes.last);
			out->notes += scratch.notes.nr;
			scratch.notes.nr = 0;
		}
		if (trace)
			for (i = 0; i < n; i++)
				if (inst[i].m.notes.nr) {
					fprintf(trace, "      %s note: %s\n", vars[i]->name,
						inst[i].m.notes.last);
					out->notes += inst[i].m.notes.nr;
					inst[i].m.notes.nr = 0;
				}
	}
done:
	for (i = 0; i < created; i++) {
		out->notes += inst[i].m.notes.nr;
		mm_instance_destroy(&inst[i]);
	}
	for (i = 0; i < n; i++)
		free(dstate[i]);
	mm_machine_destroy(&scratch);
	mm_cur = NULL;
	return ret;
}

int mm_pick_variants(const struct mm_family *fam, const char *spec,
		     const struct mm_variant **vars, int max, char *err,
		     size_t errlen)
{
	const struct mm_variant *v;
	int n = 0;

	if (!spec || !*spec) {
		/* default: the family's first reference with all its implementations */
		for (int i = 0; (v = mm_variant_at(i)); i++) {
			if (strcmp(v->family, fam->name))
				continue;
			if (!n && !v->reference)
				vars[n++] = v;
			else if (n && v->reference && !strcmp(v->reference, vars[0]->name) &&
				 n < max)
				vars[n++] = v;
		}
		if (!n)
			snprintf(err, errlen, "family %s has no variants", fam->name);
		return n ? n : -1;
	}
	{
		char buf[256], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", spec);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (n == max) {
				snprintf(err, errlen, "at most %d variants at once", max);
				return -1;
			}
			v = mm_variant_find(fam->name, tok);
			if (!v) {
				snprintf(err, errlen, "no variant '%s' in family %s", tok, fam->name);
				return -1;
			}
			vars[n++] = v;
		}
	}
	if (!n)
		snprintf(err, errlen, "empty variant list");
	return n ? n : -1;
}

// SPDX-License-Identifier: GPL-2.0-only
/* The differential driver; see driver.h. */
#include <errno.h>
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

static void death_report(void)
{
	const struct mm_machine *m = mm_cur;

	if (!m || !m->variant_name)
		fprintf(death_out, "%sharness/MEMORY_SAFETY\n", death_prefix);
	else
		fprintf(death_out, "%s%s/%s/MEMORY_SAFETY\n", death_prefix,
			m->family_name, m->variant_name);
	fflush(death_out);
}

#ifdef MM_HAVE_SANITIZER
#include <sanitizer/common_interface_defs.h>
void mm_report_sanitizer_deaths(FILE *out, const char *prefix)
{
	death_out = out;
	death_prefix = prefix;
	__sanitizer_set_death_callback(death_report);
}
#else
void mm_report_sanitizer_deaths(FILE *out, const char *prefix)
{
	(void)death_report;
	death_out = out;
	death_prefix = prefix;
}
#endif

static int leave(struct mm_instance *in, int violated)
{
	in->m.unwind = NULL;
	if (violated)
		in->dead = true;
	return violated;
}

int mm_instance_create(struct mm_instance *in, const struct mm_family *fam,
		       const struct mm_variant *v, const struct mm_config *cfg)
{
	jmp_buf jb;

	memset(in, 0, sizeof(*in));
	in->v = v;
	in->fam = fam;
	mm_machine_init(&in->m, fam->cfg_nr_cpus(cfg), fam->cfg_budget(cfg));
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
	in->fam->op_context(op, &cpu, &ctx);
	mm_set_context(cpu, ctx);
	mm_allocator_entry("op entry");
	in->v->exec(in->inst, op, res);
	mm_clear_context();
	in->v->check(in->inst);
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
	snprintf(out->sig, sizeof(out->sig), "%s/%s/%s", fam->name, who, m->inv);
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
		      const struct mm_instance *in, const struct mm_opres *res)
{
	if (!trace)
		return;
	if (r)
		fprintf(trace, "      %-10s VIOLATION %s in %s\n", name, in->m.inv, in->m.where);
	else
		fprintf(trace, "      %-10s %s\n", name, res->text[0] ? res->text :
			res->status == 0 ? "ok" : res->status > 0 ? "skipped" : "failed");
}

int mm_run(const struct mm_family *fam, const struct mm_variant *const *vars,
	   int n, const struct mm_input *input, struct mm_verdict *out,
	   FILE *trace)
{
	static struct mm_instance inst[MM_MAX_VARIANTS];
	struct mm_opres res[MM_MAX_VARIANTS];
	unsigned char obs[MM_MAX_VARIANTS][256];
	void *dstate[MM_MAX_VARIANTS] = { 0 };
	struct mm_machine scratch;
	char who[MM_MAX_VARIANTS][80];
	int i, k, created = 0, ret = 0;

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
		if (r) {
			verdict_from(out, fam, vars[i]->name, &inst[i].m, &inst[i], -1, NULL);
			ret = 1;
			goto done;
		}
	}
	for (k = 0; k < input->nr_ops; k++) {
		const struct mm_op *op = &input->ops[k];

		if (trace) {
			char line[256];

			mm_op_format(fam, op, line, sizeof(line));
			fprintf(trace, "[%3d] %s\n", k, line);
		}
		for (i = 0; i < n; i++) {
			int r = mm_instance_exec(&inst[i], op, &res[i]);

			trace_res(trace, vars[i]->name, r, &inst[i], &res[i]);
			if (r) {
				verdict_from(out, fam, vars[i]->name, &inst[i].m, &inst[i], k, op);
				ret = 1;
				goto done;
			}
			mm_instance_observe(&inst[i], obs[i]);
			if (inst[i].dead) {
				verdict_from(out, fam, vars[i]->name, &inst[i].m, &inst[i], k, op);
				ret = 1;
				goto done;
			}
		}
		for (i = 1; i < n && fam->diff; i++) {
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzz target of one family (MM_FAMILY, set by the build), for
 * libFuzzer and AFL++ alike.  Environment:
 *   MMDIFF_VARIANTS=A,B   the variants to run (first is the reference);
 *                         default: the family's reference and its implementations
 *   MMDIFF_KNOWN_SIGS=F   signatures (one per line) not to report again
 *   MMDIFF_MUTATOR=bytes  libFuzzer: its own byte mutations only (default
 *                         "ops": the op-aware mutator, see below)
 *   MMDIFF_STATECOV=0     libFuzzer: no state coverage (statecov.h);
 *                         =notasks: none of the stopped tasks' sites
 * A new violation prints "MMDIFF-VIOLATION: <signature>" and the finding on
 * stderr, then aborts, which both engines record as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "input.h"
#include "mutator.h"
#include "statecov.h"

#ifndef MM_FAMILY
#error "MM_FAMILY must name the family"
#endif

static const struct mm_family *fam;
static const struct mm_variant *vars[MM_MAX_VARIANTS];
static int nr_vars;
static char *known;	/* "\nsig\nsig\n" */
static bool op_mutator = true;

static void load_known(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t len = 2;

	known = calloc(1, 2);
	if (!known)
		abort();
	known[0] = '\n';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		len += strlen(line) + 1;
		known = realloc(known, len + 1);
		if (!known)
			abort();
		strcat(known, line);
		strcat(known, "\n");
	}
	fclose(f);
}

/* known signatures may be in the older form: mm_sig_matches decides */
static bool is_known(const char *sig)
{
	const char *p = known;
	char line[256];

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (n && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (mm_sig_matches(line, sig))
				return true;
		}
		p += n + (p[n] == '\n');
	}
	return false;
}

static void check_mutator_env(void)
{
	const char *m = getenv("MMDIFF_MUTATOR");

	if (m && *m && strcmp(m, "ops") && strcmp(m, "bytes")) {
		fprintf(stderr, "mmdiff: MMDIFF_MUTATOR=%s: ops or bytes\n", m);
		exit(2);
	}
	op_mutator = !(m && !strcmp(m, "bytes"));
}

/* libFuzzer calls it before fuzzing: a bad setting exits 2 cleanly there */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	check_mutator_env();
	return 0;
}

static void init(void)
{
	char err[256];
	const char *spec = getenv("MMDIFF_VARIANTS");
	const char *sigs = getenv("MMDIFF_KNOWN_SIGS");

	fam = mm_family_find(MM_FAMILY);
	if (!fam) {
		fprintf(stderr, "mmdiff: family %s not built in\n", MM_FAMILY);
		exit(2);
	}
	nr_vars = mm_pick_variants(fam, spec, vars, MM_MAX_VARIANTS, err, sizeof(err));
	if (nr_vars < 0) {
		fprintf(stderr, "mmdiff: MMDIFF_VARIANTS: %s\n", err);
		exit(2);
	}
	if (sigs && *sigs)
		load_known(sigs);
	/* a measuring knob (bench/interleave.sh): the machine's task ops do nothing */
	if (getenv("MMDIFF_TASKS") && !strcmp(getenv("MMDIFF_TASKS"), "off"))
		mm_tasks_enable(false);
	check_mutator_env();
#ifndef __AFL_COMPILER
	/* libFuzzer reads the extra counters; AFL++ sees its edges only */
	if (!getenv("MMDIFF_STATECOV") || strcmp(getenv("MMDIFF_STATECOV"), "0"))
		mm_statecov_enable(!getenv("MMDIFF_STATECOV") ||
				   strcmp(getenv("MMDIFF_STATECOV"), "notasks"));
#endif
	mm_report_sanitizer_deaths(stderr, "MMDIFF-VIOLATION: ", true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mm_input in;
	struct mm_verdict v;

	if (!fam)
		init();
	mm_decode(fam, data, size, &in);
	if (mm_run(fam, vars, nr_vars, &in, &v, NULL) && !is_known(v.sig)) {
		fprintf(stderr, "MMDIFF-VIOLATION: %s\n  op %d: %s\n  in %s: %s\n",
			v.sig, v.op_index, v.op_text, v.where, v.detail);
		fflush(stderr);
		abort();
	}
	return 0;
}

/*
 * libFuzzer's mutation hooks: the op-aware mutator (mutator.h) inserts,
 * deletes, duplicates, swaps, splices and repeats whole ops and changes one
 * argument or config field within its range.  One mutation in eight is
 * libFuzzer's own (LLVMFuzzerMutate: byte changes, the -dict entries, the
 * compared values it traced), so nothing it would reach is lost.  libFuzzer
 * draws the two hooks alike: the crossover hook splices only one time in
 * four and otherwise mutates its first input with the second as the donor.
 * With MMDIFF_MUTATOR=bytes every mutation is libFuzzer's own.
 */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
	__attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed);

static size_t mutate(uint8_t *data, size_t size, size_t max_size,
		     const uint8_t *other, size_t other_size, unsigned int seed)
{
	struct mm_rng r = { seed };

	if (!fam)
		init();
	if ((!op_mutator || !mm_rng_below(&r, 8)) && LLVMFuzzerMutate)
		return LLVMFuzzerMutate(data, size, max_size);
	return mm_mutate(fam, data, size, max_size, other, other_size,
			 mm_rng_next(&r), NULL);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	return mutate(data, size, max_size, NULL, 0, seed);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed)
{
	struct mm_rng r = { ~(uint64_t)seed };
	size_t n = size1 < max_out_size ? size1 : max_out_size;

	if (!fam)
		init();
	if (!op_mutator)
		return 0;	/* libFuzzer draws another mutation */
	if (!mm_rng_below(&r, 4))
		return mm_crossover(fam, data1, size1, data2, size2, out,
				    max_out_size, mm_rng_next(&r));
	memcpy(out, data1, n);
	return mutate(out, n, max_out_size, data2, size2, (unsigned int)mm_rng_next(&r));
}

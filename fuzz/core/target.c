// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzz target of one family (MM_FAMILY, set by the build), for
 * libFuzzer and AFL++ alike.  Environment:
 *   MMDIFF_VARIANTS=A,B   the variants to run (first is the reference);
 *                         default: the family's reference and its implementations
 *   MMDIFF_KNOWN_SIGS=F   signatures (one per line) not to report again
 * A new violation prints "MMDIFF-VIOLATION: <signature>" and the finding on
 * stderr, then aborts, which both engines record as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "input.h"

#ifndef MM_FAMILY
#error "MM_FAMILY must name the family"
#endif

static const struct mm_family *fam;
static const struct mm_variant *vars[MM_MAX_VARIANTS];
static int nr_vars;
static char *known;	/* "\nsig\nsig\n" */

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

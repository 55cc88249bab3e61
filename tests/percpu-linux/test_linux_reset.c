// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real-source variants keep nothing from one input to the next: an
 * input gives the same trace, byte for byte, when replayed after 1,000
 * other inputs (the kernel file's globals are restored per instance, its
 * page file and mappings go with the machine).  Both backends, both
 * versions when built, self-paired so two instances of one copy share the
 * process.  Without kernel sources (no linux-* variant) the test says so
 * and passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "driver.h"
#include "input.h"

static char *trace_of(const struct mm_family *fam, const struct mm_variant **vars,
		      const struct mm_input *in)
{
	static struct mm_verdict v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mm_run(fam, vars, 2, in, &v, f);
	fprintf(f, "verdict %s\n", v.violated ? v.sig : "OK");
	fclose(f);
	return buf;
}

static void random_input(const struct mm_family *fam, unsigned int *seed, struct mm_input *in)
{
	uint8_t bytes[512];
	size_t n = 16 + (size_t)(rand_r(seed) % 480);

	for (size_t i = 0; i < n; i++)
		bytes[i] = (uint8_t)rand_r(seed);
	mm_decode(fam, bytes, n, in);
}

int main(void)
{
	const struct mm_family *fam = mm_family_find("percpu");
	static const char *const names[] = { "linux-6.1", "linux-6.12" };
	static struct mm_input probe[2], other;
	char *first[2][2] = { { 0 } };
	const struct mm_variant *v[2];
	unsigned int seed = 1;
	int tested = 0;

	for (int k = 0; k < 2; k++) {
		char text[1024], err[160];
		const struct mm_family *f;

		snprintf(text, sizeof(text),
			 "family percpu\nconfig nr_cpus=2 backend=%s unit_pages=8 budget=256 static_kb=4 reserved_kb=4 dyn_kb=12 memcg=on async=on\n"
			 "alloc cpu=0 size=64 align_shift=3 gfp=GFP_KERNEL type=memcg\n"
			 "inflate cpu=1 size=512 n=100 type=root\nbalance\n"
			 "deflate pattern=random permille=900 seed=3\nforce_balance\n"
			 "alloc_reserved cpu=0 size=100 align_shift=2\nalloc cpu=1 size=8 align_shift=2 gfp=GFP_NOWAIT type=root\n"
			 "free cpu=0 k=1\nforce_balance\n", k ? "km" : "vm");
		CHECK(!mm_text_parse(text, NULL, &f, &probe[k], err, sizeof(err)));
		v[k] = mm_variant_find("percpu", names[k]);
	}
	/* the probes first, then 1,000 inputs through every variant, then the probes again */
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 2 && v[k]; b++) {
			const struct mm_variant *vars[2] = { v[k], v[k] };

			first[k][b] = trace_of(fam, vars, &probe[b]);
			CHECK(strstr(first[k][b], "verdict OK") != NULL);
		}
	for (int i = 0; i < 1000 && (v[0] || v[1]); i++) {
		const struct mm_variant *w = v[i % 2] ? v[i % 2] : v[0] ? v[0] : v[1];
		const struct mm_variant *vars[2] = { w, w };

		random_input(fam, &seed, &other);
		free(trace_of(fam, vars, &other));
	}
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 2 && v[k]; b++) {
			const struct mm_variant *vars[2] = { v[k], v[k] };
			char *again = trace_of(fam, vars, &probe[b]);

			CHECK(!strcmp(first[k][b], again));
			if (strcmp(first[k][b], again))
				fprintf(stderr, "%s, %s: trace changed after 1000 inputs:\n%s\n---\n%s\n",
					names[k], b ? "km" : "vm", first[k][b], again);
			free(first[k][b]);
			free(again);
			tested++;
		}
	if (!tested)
		fprintf(stderr, "test_linux_reset: no linux-* variant built (no kernel source): nothing to check\n");
	return test_done("test_linux_reset");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AFL++ custom mutator library (AFL_CUSTOM_MUTATOR_LIBRARY): the
 * op-aware mutator of fuzz/core/mutator.h inside afl-fuzz.  `mmdiff fuzz
 * --engine afl` loads it; AFL++ runs it as a stage before its own havoc,
 * which goes on as before.  The family comes from MMDIFF_FAMILY, else from
 * the target's name on afl-fuzz's command line (mmdiff-afl-<family>).
 * AFL++'s splice partner (add_buf) is the donor of whole-op splices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

#define OUT_CAP (64 * 1024)	/* far above any input's encoding (MM_MAX_OPS ops) */

struct afl_mm {
	const struct mm_family *fam;
	struct mm_rng rng;
	uint8_t *out;
};

/* the family of "mmdiff-afl-<family>" on our command line (afl-fuzz's) */
static const struct mm_family *family_from_cmdline(void)
{
	static char buf[8192];
	FILE *f = fopen("/proc/self/cmdline", "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
		const char *p = strstr(buf + i, "mmdiff-afl-");

		if (p && !strchr(p, '/'))
			return mm_family_find(p + strlen("mmdiff-afl-"));
	}
	return NULL;
}

/* the library is built with hidden visibility: these are its interface */
#define AFL_API __attribute__((visibility("default")))
AFL_API void *afl_custom_init(void *afl, unsigned int seed);
AFL_API size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
			       uint8_t **out_buf, uint8_t *add_buf,
			       size_t add_buf_size, size_t max_size);
AFL_API void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct afl_mm *m = calloc(1, sizeof(*m));
	const char *name = getenv("MMDIFF_FAMILY");

	if (!m || !(m->out = malloc(OUT_CAP))) {
		fprintf(stderr, "mmdiff-afl-mutator: out of memory\n");
		exit(2);
	}
	m->fam = name && *name ? mm_family_find(name) : family_from_cmdline();
	if (!m->fam) {
		if (name && *name)
			fprintf(stderr, "mmdiff-afl-mutator: MMDIFF_FAMILY=%s: no such family\n", name);
		else
			fprintf(stderr, "mmdiff-afl-mutator: which family? set MMDIFF_FAMILY\n");
		exit(2);
	}
	m->rng.s = seed;
	return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf, size_t add_buf_size,
		       size_t max_size)
{
	struct afl_mm *m = data;
	size_t cap = max_size < OUT_CAP ? max_size : OUT_CAP;
	size_t n = buf_size < cap ? buf_size : cap;

	memcpy(m->out, buf, n);
	*out_buf = m->out;
	return mm_mutate(m->fam, m->out, n, cap, add_buf,
			 add_buf ? add_buf_size : 0, mm_rng_next(&m->rng), NULL);
}

void afl_custom_deinit(void *data)
{
	struct afl_mm *m = data;

	if (m)
		free(m->out);
	free(m);
}

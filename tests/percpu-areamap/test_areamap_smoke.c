// SPDX-License-Identifier: GPL-2.0-only
/*
 * Smoke runs of the area-map ports on pseudo-random inputs: each variant
 * against itself (must stay silent: a violation there is a harness or port
 * artefact) and v3.17 against v3.18 (expect: clean).  Also replays the
 * seed corpus corpus/percpu/areamap-*.ops on the pair.
 */
#include <dirent.h>
#include <stdlib.h>

#include "am_test.h"

#define NR_INPUTS	150

static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* bias the stream towards this family's ops and small configs */
static size_t gen(uint32_t seed, uint8_t *buf, size_t cap)
{
	static const uint8_t ops[] = {
		PCPU_OP_ALLOC, PCPU_OP_ALLOC_SMALL, PCPU_OP_ALLOC_SMALL, PCPU_OP_FREE,
		PCPU_OP_FREE, PCPU_OP_ALLOC_RESERVED, PCPU_OP_BALANCE,
		PCPU_OP_FORCE_BALANCE, PCPU_OP_FAIL_NEXT, PCPU_OP_INFLATE,
		PCPU_OP_DEFLATE, PCPU_OP_ENABLE_ASYNC, PCPU_OP_MAP_EXTEND,
	};
	uint32_t s = seed * 2654435761u + 1;
	size_t n = 24 + rnd(&s) % (cap - 24), i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)rnd(&s);
	/* every 4th byte onwards that starts an op: pick a family op */
	for (i = 24; i < n; i += 1 + rnd(&s) % 6)
		buf[i] = ops[rnd(&s) % sizeof(ops)];
	return n;
}

static int run_pair(const char *a, const char *b, const struct mm_input *in,
		    struct mm_verdict *v)
{
	const struct mm_variant *vars[2] = {
		mm_variant_find("percpu", a), mm_variant_find("percpu", b)
	};

	return mm_run(&percpu_family, vars, 2, in, v, NULL);
}

static void smoke(const char *a, const char *b)
{
	static uint8_t buf[1200];
	static struct mm_input in;
	struct mm_verdict v;
	int bad = 0;

	for (uint32_t seed = 1; seed <= NR_INPUTS; seed++) {
		size_t n = gen(seed, buf, sizeof(buf));

		mm_decode(&percpu_family, buf, n, &in);
		if (!run_pair(a, b, &in, &v))
			continue;
		if (!bad++)
			fprintf(stderr, "%s,%s seed %u: %s at op %d (%s): %s\n",
				a, b, seed, v.sig, v.op_index, v.op_text, v.detail);
	}
	CHECK_EQ(bad, 0);
}

static void corpus(void)
{
	const char *dir = MM_SOURCE_DIR "/corpus/percpu";
	static struct mm_input in;
	const struct mm_family *fam;
	struct mm_verdict v;
	struct dirent *de;
	char path[512], err[256], *text;
	int seen = 0;
	DIR *d = opendir(dir);

	CHECK(d != NULL);
	while (d && (de = readdir(d))) {
		FILE *f;
		long len;

		if (strncmp(de->d_name, "areamap-", 8))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = calloc(1, len + 1);
		if (fread(text, 1, len, f) != (size_t)len)
			len = 0;
		fclose(f);
		CHECK_EQ(mm_text_parse(text, &percpu_family, &fam, &in, err, sizeof(err)), 0);
		free(text);
		seen++;
		if (run_pair("v3.17", "v3.18", &in, &v))
			fprintf(stderr, "%s: %s (%s)\n", de->d_name, v.sig, v.detail);
		CHECK(!v.violated);
	}
	if (d)
		closedir(d);
	CHECK(seen >= 3);
}

int main(void)
{
	smoke("v3.17", "v3.17");
	smoke("v3.18", "v3.18");
	smoke("v3.17", "v3.18");
	corpus();
	return test_done("test_areamap_smoke");
}

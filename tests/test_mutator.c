// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op-aware mutator (fuzz/core/mutator.h):
 *  - its output always decodes to named ops with in-range arguments and
 *    config, is the canonical encoding (encode(decode(out)) == out, no byte
 *    left undecoded), fits max_size and MM_MAX_OPS, for every family, from
 *    random bytes and from the seed corpora;
 *  - it is deterministic given the seed;
 *  - each kind of mutation happens and does what it says on a known input;
 *  - every named slot is a candidate, machine slots 56..63 included;
 *  - outputs that decode to no op or carry undecodable bytes are rare
 *    (measured against plain byte flips of the same inputs);
 *  - the dictionary holds each op's opcode byte and lowest encoding.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "mutator.h"
#include "percpu_family.h"
#include "input_check.h"
#include "test.h"

static struct mm_rng trng = { 2026 };

static bool same_ops(const struct mm_op *a, const struct mm_op *b, int n)
{
	return n <= 0 || !memcmp(a, b, (size_t)n * sizeof(*a));
}

static bool same(const struct mm_input *a, const struct mm_input *b)
{
	return !memcmp(&a->cfg, &b->cfg, sizeof(a->cfg)) && a->nr_ops == b->nr_ops &&
	       same_ops(a->ops, b->ops, a->nr_ops);
}

/* config bytes of @f's binary form */
static size_t cfg_bytes(const struct mm_family *f)
{
	static struct mm_input none;

	return mm_encoded_size(f, &none);
}

/* decode @data: in range, canonical, re-encodes to the very bytes */
static bool check_output(const struct mm_family *f, const uint8_t *data, size_t size,
			 size_t max_size, struct mm_input *in)
{
	static uint8_t buf[8192];
	bool ok = true;

	mm_decode(f, data, size, in);
	if (size > max_size || in->nr_ops > MM_MAX_OPS || !in_range(f, in))
		ok = false;
	if (max_size >= cfg_bytes(f)) {
		/* canonical: every byte decoded, encode(decode(out)) == out */
		if (mm_encoded_size(f, in) != size)
			ok = false;
		else if (mm_encode(f, in, buf, sizeof(buf)) != size || memcmp(buf, data, size))
			ok = false;
	}
	return ok;
}

static size_t random_bytes(uint8_t *buf, size_t max)
{
	size_t n = mm_rng_below(&trng, max + 1);

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)mm_rng_next(&trng);
	return n;
}

/* the family's seeds in binary form; returns how many */
static int load_seeds(const struct mm_family *f, uint8_t bufs[][4096], size_t *sizes, int max)
{
	char dir[512], path[1024];
	static struct mm_input in;
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/corpus/%s", MM_SOURCE_DIR, f->name);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		const struct mm_family *pf;
		char err[256], *text;
		FILE *fp;
		long len;

		if (!strstr(e->d_name, ".ops"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		text = calloc(1, (size_t)len + 1);
		if (fread(text, 1, (size_t)len, fp) == (size_t)len &&
		    !mm_text_parse(text, f, &pf, &in, err, sizeof(err)) && pf == f)
			sizes[n] = mm_encode(f, &in, bufs[n], sizeof(bufs[n])), n++;
		free(text);
		fclose(fp);
	}
	closedir(d);
	return n;
}

static uint8_t seeds[32][4096];
static size_t seed_sizes[32];

/* 1. validity, round trip, limits, determinism: every family */
static void test_outputs(void)
{
	static uint8_t a[4096], b[4096], c[4096], o[4096];
	static struct mm_input in;
	const struct mm_family *f;

	for (int fi = 0; (f = mm_family_at(fi)); fi++) {
		int ns = load_seeds(f, seeds, seed_sizes, 32), bad = 0, det = 0;
		unsigned long counts[MM_MUT__NR] = { 0 };

		CHECK(ns > 0);
		for (int it = 0; it < 4000; it++) {
			size_t n, m, max, size, other_n;
			uint64_t seed = mm_rng_next(&trng);

			if (ns && it % 2) {
				int k = (int)mm_rng_below(&trng, ns);

				memcpy(a, seeds[k], seed_sizes[k]);
				n = seed_sizes[k];
			} else {
				n = random_bytes(a, 600);
			}
			other_n = random_bytes(b, 300);
			/* small limits now and then, down to below the config */
			max = it % 5 ? sizeof(a) : mm_rng_below(&trng, 80);
			if (n > max)
				n = max;
			memcpy(c, a, n);
			size = mm_mutate(f, a, n, max, it % 3 ? b : NULL, other_n, seed, counts);
			bad += !check_output(f, a, size, max, &in);
			/* same bytes, same seed: same output */
			m = mm_mutate(f, c, n, max, it % 3 ? b : NULL, other_n, seed, NULL);
			det += m != size || memcmp(a, c, size);
			/* crossover */
			m = mm_crossover(f, c, m, b, other_n, o, max, seed);
			bad += !check_output(f, o, m, max, &in);
		}
		CHECK_EQ(bad, 0);
		CHECK_EQ(det, 0);
		for (int k = 0; k < MM_MUT__NR; k++) {
			if (!counts[k])
				fprintf(stderr, "%s: mutation %s never applied\n", f->name,
					mm_mut_names[k]);
			CHECK(counts[k] > 0);
		}
	}
}

/* a known percpu input: six different ops */
static void known_input(struct mm_input *in)
{
	static const char text[] =
		"family percpu\n"
		"config nr_cpus=4 backend=vm unit_pages=8 budget=512 static_kb=4 reserved_kb=0 dyn_kb=16 memcg=off async=on\n"
		"alloc cpu=1 size=64 align_shift=3 gfp=GFP_KERNEL type=root\n"
		"inflate cpu=0 size=512 n=40 type=root\n"
		"free cpu=2 k=3\n"
		"deflate pattern=random permille=900 seed=7\n"
		"balance\n"
		"alloc_small cpu=3 size=8 align_shift=2 gfp=GFP_NOWAIT type=root\n";
	const struct mm_family *f;
	char err[256];

	if (mm_text_parse(text, NULL, &f, in, err, sizeof(err))) {
		fprintf(stderr, "known input: %s\n", err);
		CHECK(0);
	}
	CHECK_EQ(in->nr_ops, 6);
}

static void donor_input(struct mm_input *in)
{
	memset(in, 0, sizeof(*in));
	for (int i = 0; i < percpu_family.nr_cfg; i++)
		in->cfg.v[i] = percpu_family.cfg[i].lo;
	in->nr_ops = 5;
	for (int k = 0; k < 5; k++) {
		in->ops[k].id = PCPU_OP_SET_BUDGET;
		in->ops[k].arg[0] = 1000 + k;	/* none of these in the known input */
	}
}

/* is @out == @orig with ops [pos, pos+k) of @out taken out? */
static bool is_insertion(const struct mm_input *orig, const struct mm_input *out,
			 int pos, int k)
{
	return out->nr_ops == orig->nr_ops + k && same_ops(out->ops, orig->ops, pos) &&
	       same_ops(out->ops + pos + k, orig->ops + pos, orig->nr_ops - pos);
}

/* 2. each kind does what it says */
static void test_kinds(void)
{
	static struct mm_input orig, out, don;
	const struct mm_family *f = &percpu_family;
	int done[MM_MUT__NR] = { 0 }, wrong[MM_MUT__NR] = { 0 };
	int splice_insert = 0, splice_tail = 0;

	known_input(&orig);
	donor_input(&don);
	for (int k = 0; k < MM_MUT__NR; k++) {
		for (int t = 0; t < 300; t++) {
			struct mm_rng r = { (uint64_t)k * 1000 + t };
			bool ok = false;
			int p, i, len, c, n = orig.nr_ops;

			out = orig;
			if (!mm_mutate_input(f, &out, k, &don, &r)) {
				CHECK(same(&out, &orig));
				continue;
			}
			done[k]++;
			if (!in_range(f, &out) || same(&out, &orig)) {
				wrong[k]++;
				continue;
			}
			switch (k) {
			case MM_MUT_INSERT:
				for (p = 0; p <= n && !ok; p++)
					ok = is_insertion(&orig, &out, p, 1);
				break;
			case MM_MUT_DELETE:	/* orig is out with a block inserted */
				for (len = 1; len <= n && !ok; len++)
					for (p = 0; p + len <= n && !ok; p++)
						ok = is_insertion(&out, &orig, p, len);
				break;
			case MM_MUT_DUPLICATE:
				for (p = 0; p < n && !ok; p++)
					ok = is_insertion(&orig, &out, p + 1, 1) &&
					     same_ops(&out.ops[p + 1], &orig.ops[p], 1);
				break;
			case MM_MUT_SWAP:
				c = 0;
				ok = out.nr_ops == n;
				for (p = 0; p < n; p++)
					c += !same_ops(&out.ops[p], &orig.ops[p], 1);
				ok = ok && c == 2;
				for (p = 0; p < n && ok; p++)
					for (i = p + 1; i < n; i++)
						if (!same_ops(&out.ops[p], &orig.ops[p], 1) &&
						    !same_ops(&out.ops[i], &orig.ops[i], 1))
							ok = same_ops(&out.ops[p], &orig.ops[i], 1) &&
							     same_ops(&out.ops[i], &orig.ops[p], 1);
				break;
			case MM_MUT_SPLICE:
				/* a donor block inserted at p, or the donor's tail from p */
				for (p = 0; p <= n && !ok; p++) {
					for (i = 0; i < don.nr_ops && !ok; i++)
						for (len = 1; i + len <= don.nr_ops && !ok; len++)
							if (is_insertion(&orig, &out, p, len) &&
							    same_ops(&out.ops[p], &don.ops[i], len))
								ok = true, splice_insert++;
					for (i = 0; i < don.nr_ops && !ok; i++)
						if (out.nr_ops == p + don.nr_ops - i &&
						    same_ops(out.ops, orig.ops, p) &&
						    same_ops(&out.ops[p], &don.ops[i], don.nr_ops - i))
							ok = true, splice_tail++;
				}
				ok = ok && !memcmp(&out.cfg, &orig.cfg, sizeof(out.cfg));
				break;
			case MM_MUT_REPEAT:
				/* a block [i, i+len) followed by c more copies of itself */
				for (i = 0; i < n && !ok; i++)
					for (len = 1; i + len <= n && !ok; len++) {
						c = (out.nr_ops - n) / len;
						if (c < 1 || out.nr_ops != n + c * len ||
						    !is_insertion(&orig, &out, i + len, c * len))
							continue;
						ok = true;
						for (int j = 1; j <= c; j++)
							ok = ok && same_ops(&out.ops[i + j * len],
									    &orig.ops[i], len);
					}
				break;
			case MM_MUT_ARG:
				c = 0;
				ok = out.nr_ops == n && !memcmp(&out.cfg, &orig.cfg, sizeof(out.cfg));
				for (p = 0; p < n && ok; p++) {
					ok = out.ops[p].id == orig.ops[p].id;
					for (i = 0; i < MM_MAX_ARGS; i++)
						c += out.ops[p].arg[i] != orig.ops[p].arg[i];
				}
				ok = ok && c == 1;
				break;
			case MM_MUT_CONFIG:
				c = 0;
				for (i = 0; i < MM_MAX_CFG; i++)
					c += out.cfg.v[i] != orig.cfg.v[i];
				ok = c == 1 && out.nr_ops == n && same_ops(out.ops, orig.ops, n);
				break;
			}
			if (!ok) {
				fprintf(stderr, "mutation %s (seed %d) did not do what it says\n",
					mm_mut_names[k], k * 1000 + t);
				wrong[k]++;
			}
		}
		fprintf(stderr, "  %-9s applied %d of 300, wrong %d\n", mm_mut_names[k],
			done[k], wrong[k]);
		CHECK(done[k] >= 250);
		CHECK_EQ(wrong[k], 0);
	}
	CHECK(splice_insert > 0);
	CHECK(splice_tail > 0);

	/* what cannot apply leaves the input alone */
	{
		struct mm_rng r = { 1 };

		memset(&out, 0, sizeof(out));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_DELETE, NULL, &r));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_SWAP, NULL, &r));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_REPEAT, NULL, &r));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_SPLICE, NULL, &r));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_ARG, NULL, &r));
		CHECK_EQ(out.nr_ops, 0);
		out = orig;
		out.nr_ops = MM_MAX_OPS;
		for (int k = 0; k < MM_MAX_OPS; k++)
			out.ops[k] = orig.ops[k % orig.nr_ops];
		CHECK(!mm_mutate_input(f, &out, MM_MUT_INSERT, NULL, &r));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_DUPLICATE, NULL, &r));
		CHECK(!mm_mutate_input(f, &out, MM_MUT_REPEAT, NULL, &r));
		CHECK_EQ(out.nr_ops, MM_MAX_OPS);
	}

	/* argument values: boundaries and small steps favoured, always in range */
	{
		int lo = 0, hi = 0, near = 0, total = 0;

		for (int t = 0; t < 2000; t++) {
			struct mm_rng r = { 77000 + t };

			out = orig;
			out.ops[0].arg[PCPU_ALLOC_size] = 1000;
			out.nr_ops = 1;		/* the alloc alone */
			if (!mm_mutate_input(f, &out, MM_MUT_ARG, NULL, &r))
				continue;
			if (out.ops[0].arg[PCPU_ALLOC_size] == 1000)
				continue;	/* another argument changed */
			total++;
			lo += out.ops[0].arg[PCPU_ALLOC_size] <= 2;
			hi += out.ops[0].arg[PCPU_ALLOC_size] >= 32767;
			near += abs((int)out.ops[0].arg[PCPU_ALLOC_size] - 1000) <= 8;
		}
		fprintf(stderr, "  size=1000 mutated %d times: lo/lo+1 %d, hi/hi-1 %d, +-8 %d\n",
			total, lo, hi, near);
		CHECK(total > 0);
		/* uniform would give about 0.006% each */
		CHECK(lo * 20 > total);
		CHECK(hi * 20 > total);
		CHECK(near * 20 > total);
	}
}

/* 3. every named slot is a candidate, the machine's 56..63 included */
static const struct mm_opdesc two_ops[MM_OP_SLOTS] = {
	[0] = { "plain", "", 1, { { "x", 5, 9, NULL, MM_ARG_PLAIN, "" } } },
	[MM_MACHINE_OP_BASE + 3] = { "task_op", "", 2,
		{ { "task", 0, 3, NULL, MM_ARG_PLAIN, "" },
		  { "wide", 0, 100000, NULL, MM_ARG_PLAIN, "" } } },
};
static const struct mm_argdesc two_cfg[] = {
	{ "nr_cpus", 1, 4, NULL, MM_CFG_NR_CPUS, "" },
};
static const struct mm_family two_family = {
	.name = "two", .ops = two_ops, .nr_cfg = 1, .cfg = two_cfg,
};

static void test_slots(void)
{
	static uint8_t buf[4096];
	static struct mm_input in;
	int seen[MM_OP_SLOTS] = { 0 };
	size_t n = 0;

	for (int it = 0; it < 3000; it++) {
		n = mm_mutate(&two_family, buf, n, sizeof(buf), NULL, 0, 500 + it, NULL);
		CHECK(check_output(&two_family, buf, n, sizeof(buf), &in));
		for (int k = 0; k < in.nr_ops; k++)
			seen[in.ops[k].id]++;
		if (in.nr_ops > 100)
			n = 0;
	}
	CHECK(seen[0] > 0);
	CHECK(seen[MM_MACHINE_OP_BASE + 3] > 0);
	for (int s = 0; s < MM_OP_SLOTS; s++)
		if (s != 0 && s != MM_MACHINE_OP_BASE + 3)
			CHECK_EQ(seen[s], 0);
}

/*
 * 4. Outputs that decode to nothing: no op at all, or bytes the decoder
 * skips or pads (an unassigned slot, a cut argument).  A fuzzer's walk
 * from the seeds: each output is mutated again (back to a seed now and
 * then), the op-aware mutator against random byte changes.
 */
static bool garbage(const struct mm_family *f, const uint8_t *d, size_t n,
		    struct mm_input *in)
{
	mm_decode(f, d, n, in);
	return !in->nr_ops || mm_encoded_size(f, in) != n;
}

static void test_garbage(void)
{
	static uint8_t a[4096], b[4096];
	static struct mm_input in;
	const struct mm_family *f;

	for (int fi = 0; (f = mm_family_at(fi)); fi++) {
		int ns = load_seeds(f, seeds, seed_sizes, 32), ga = 0, gb = 0, zero = 0;
		const int N = 20000;
		size_t na = 0, nb = 0;

		if (!ns)
			continue;
		for (int it = 0; it < N; it++) {
			if (it % 50 == 0) {
				int k = it / 50 % ns;

				memcpy(a, seeds[k], seed_sizes[k]);
				memcpy(b, seeds[k], seed_sizes[k]);
				na = nb = seed_sizes[k];
			}
			na = mm_mutate(f, a, na, sizeof(a), NULL, 0, 9000 + it, NULL);
			ga += garbage(f, a, na, &in);
			zero += !in.nr_ops;
			/* the byte baseline: one to four random byte changes */
			for (int j = 0, m = 1 + (int)mm_rng_below(&trng, 4); j < m; j++) {
				switch (mm_rng_below(&trng, 3)) {
				case 0:
					if (nb)
						b[mm_rng_below(&trng, nb)] = (uint8_t)mm_rng_next(&trng);
					break;
				case 1:
					if (nb < sizeof(b))
						b[nb++] = (uint8_t)mm_rng_next(&trng);
					break;
				default:
					if (nb)
						nb--;
				}
			}
			gb += garbage(f, b, nb, &in);
		}
		fprintf(stderr, "  %s: outputs with no op or undecoded bytes: op-aware %.2f%% (no op %d), byte changes %.2f%%\n",
			f->name, 100.0 * ga / N, zero, 100.0 * gb / N);
		CHECK(ga * 100 < N);	/* under 1% */
		CHECK(ga < gb);
	}
}

/* 5. the dictionary: opcode bytes and lowest encodings */
static void test_dict(void)
{
	char *text = NULL, line[256];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	const struct mm_family *f = &percpu_family;

	mm_dict_write(m, f);
	fclose(m);
	/* alloc: slot 0, cpu (1 byte) size (2) align_shift gfp type (1 each) */
	CHECK(strstr(text, "\nopcode_alloc=\"\\x00\"\n"));
	CHECK(strstr(text, "\nop_alloc=\"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"\n"));
	CHECK(strstr(text, "\nop_balance=\"\\x04\"\n"));
	CHECK(!strstr(text, "\nopcode_balance="));	/* no args: the op is its opcode */
	snprintf(line, sizeof(line), "\nop_set_budget=\"\\x%02x\\x00\\x00\"\n", PCPU_OP_SET_BUDGET);
	CHECK(strstr(text, line));
	/* every entry name a dictionary accepts: [A-Za-z0-9_]+="..." */
	for (char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t k = 0;

		if (*l == '#' || *l == '\n')
			continue;
		while ((l[k] >= 'a' && l[k] <= 'z') || (l[k] >= '0' && l[k] <= '9') ||
		       l[k] == '_' || (l[k] >= 'A' && l[k] <= 'Z'))
			k++;
		CHECK(k > 0 && l[k] == '=' && l[k + 1] == '"');
	}
	free(text);
}

int main(void)
{
	test_outputs();
	test_kinds();
	test_slots();
	test_garbage();
	test_dict();
	return test_done("test_mutator");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoder, encoder and text form: totality, lossless round trips both ways,
 * one-line errors, and a short random fuzz of the decoder and the parser.
 */
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "percpu_family.h"
#include "input_check.h"
#include "test.h"

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static bool same(const struct mm_input *a, const struct mm_input *b)
{
	return !memcmp(&a->cfg, &b->cfg, sizeof(a->cfg)) && a->nr_ops == b->nr_ops &&
	       !memcmp(a->ops, b->ops, sizeof(a->ops[0]) * a->nr_ops);
}

static char *to_text(const struct mm_family *f, const struct mm_input *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	mm_text_write(m, f, in);
	fclose(m);
	return buf;
}

static const char *parse_err(const char *text)
{
	static char err[256];
	static struct mm_input in;
	const struct mm_family *f;

	err[0] = '\0';
	if (!mm_text_parse(text, NULL, &f, &in, err, sizeof(err)))
		return "";
	return err;
}

int main(void)
{
	const struct mm_family *f = &percpu_family;
	static struct mm_input a, b;
	static uint8_t buf[8192], enc[8192];
	char err[256];

	/* empty input: all-zero config, no ops */
	mm_decode(f, buf, 0, &a);
	CHECK_EQ(a.nr_ops, 0);
	CHECK_EQ(a.cfg.v[PCPU_CFG_nr_cpus], 1);
	CHECK_EQ(a.cfg.v[PCPU_CFG_unit_pages], 8);

	/* a known byte layout: config then "alloc" with a 2-byte size */
	memset(buf, 0, sizeof(buf));
	buf[0] = 1;		/* nr_cpus = 2 */
	buf[1] = 3;		/* backend 3 % 2 = km */
	size_t pos = 0;
	for (int i = 0; i < f->nr_cfg; i++)
		pos += (f->cfg[i].hi - f->cfg[i].lo + 1) <= 256 ? 1 : 2;
	buf[pos] = PCPU_OP_ALLOC + MM_OP_SLOTS;	/* slot = byte % MM_OP_SLOTS */
	buf[pos + 1] = 1;			/* cpu */
	buf[pos + 2] = 63;			/* size lo byte: 1 + 63 */
	buf[pos + 3] = 0;
	buf[pos + 4] = 1;			/* align_shift 3 */
	buf[pos + 5] = 1;			/* GFP_NOWAIT */
	mm_decode(f, buf, pos + 6, &a);
	CHECK_EQ(a.cfg.v[PCPU_CFG_nr_cpus], 2);
	CHECK_EQ(a.cfg.v[PCPU_CFG_backend], PCPU_BACKEND_KM);
	CHECK_EQ(a.nr_ops, 1);
	CHECK_EQ(a.ops[0].id, PCPU_OP_ALLOC);
	CHECK_EQ(a.ops[0].arg[PCPU_ALLOC_size], 64);
	CHECK_EQ(a.ops[0].arg[PCPU_ALLOC_align_shift], 3);
	CHECK_EQ(a.ops[0].arg[PCPU_ALLOC_gfp], 1);
	CHECK_EQ(a.ops[0].arg[PCPU_ALLOC_type], 0);	/* missing bytes read as 0 */

	/* random bytes: total, in range, bounded, lossless both ways */
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = rnd() % sizeof(buf), m;
		char *text;
		const struct mm_family *pf;

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		mm_decode(f, buf, n, &a);
		CHECK(a.nr_ops <= MM_MAX_OPS);
		CHECK(in_range(f, &a));
		m = mm_encode(f, &a, enc, sizeof(enc));
		CHECK_EQ(m, mm_encoded_size(f, &a));
		mm_decode(f, enc, m, &b);
		CHECK(same(&a, &b));
		text = to_text(f, &a);
		CHECK(mm_is_text((uint8_t *)text, strlen(text)));
		CHECK_EQ(mm_text_parse(text, NULL, &pf, &b, err, sizeof(err)), 0);
		CHECK(pf == f);
		CHECK(same(&a, &b));
		free(text);
		if (test_failures)
			break;
	}

	/* errors: one line, with the line number */
	CHECK(!strcmp(parse_err("family percpu\nconfig nr_cpus=2\nalloc size=0\n"),
		      "line 3: alloc size: 0 is out of range [1, 32768]"));
	CHECK(!strcmp(parse_err("family percpu\nconfig\nbogus x=1\n"),
		      "line 3: unknown op 'bogus' in family percpu"));
	CHECK(!strcmp(parse_err("family percpu\nconfig\nalloc sz=4\n"),
		      "line 3: alloc: unknown argument 'sz'"));
	CHECK(!strcmp(parse_err("family percpu\nconfig backend=xm\n"),
		      "line 2: config backend: 'xm' is not one of vm, km"));
	CHECK(!strcmp(parse_err("family percpu\nconfig nr_cpus=2x\n"),
		      "line 2: config nr_cpus: '2x' is not a number"));
	CHECK(!strcmp(parse_err("family percpu\nalloc size=4\n"),
		      "line 2: op 'alloc' before the config line"));
	CHECK(!strcmp(parse_err("family nosuch\n"), "line 1: unknown family 'nosuch'"));
	CHECK(!strcmp(parse_err("# only a comment\n"), "line 1: no family line and no ops"));
	CHECK(!strcmp(parse_err("family percpu\n"), "line 1: no config line"));
	CHECK(!strcmp(parse_err("family percpu\nconfig\nalloc size\n"),
		      "line 3: alloc: expected key=value, got 'size'"));
	/* comments, blank lines, omitted args take their lowest value */
	CHECK(!strcmp(parse_err("# c\n\nfamily percpu # x\n config  backend=km\n  free\n"), ""));

	/* random text never crashes the parser and errors are single lines */
	for (int iter = 0; iter < 3000; iter++) {
		static const char *frags[] = { "family percpu\n", "config ", "alloc ", "free ",
			"size=", "k=", "12", "99999", "km", "\n", "#", " ", "=", "balance\n",
			"gfp=GFP_NOWAIT", "type=memcg", "x", "\t", "nr_cpus=8 " };
		char text[512] = "";
		int nf = rnd() % 20;

		for (int i = 0; i < nf; i++)
			strncat(text, frags[rnd() % (sizeof(frags) / sizeof(frags[0]))],
				sizeof(text) - strlen(text) - 1);
		const char *e = parse_err(text);

		CHECK(!strchr(e, '\n'));
		CHECK(!*e || !strncmp(e, "line ", 5));
	}
	return test_done("test_input");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Op-aware mutation: decode, change whole ops, arguments and config fields
 * within the family's declared ranges, encode.  See mutator.h.
 */
#include <string.h>

#include "input.h"
#include "mutator.h"

const char *const mm_mut_names[MM_MUT__NR] = {
	[MM_MUT_INSERT] = "insert",
	[MM_MUT_DELETE] = "delete",
	[MM_MUT_DUPLICATE] = "duplicate",
	[MM_MUT_SWAP] = "swap",
	[MM_MUT_SPLICE] = "splice",
	[MM_MUT_REPEAT] = "repeat",
	[MM_MUT_ARG] = "arg",
	[MM_MUT_CONFIG] = "config",
};

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static uint64_t range_of(const struct mm_argdesc *a)
{
	return (uint64_t)a->hi - a->lo + 1;
}

/* bits needed for @v (0 for 0) */
static int bit_len(uint64_t v)
{
	int n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

/*
 * A value for @a: its boundaries (lo, hi, lo+1, hi-1), a small magnitude
 * above lo (log-uniform), a power of two, uniform, or (with @have_cur) a
 * small step from @cur.
 */
static uint32_t pick_value(const struct mm_argdesc *a, uint32_t cur, bool have_cur,
			   struct mm_rng *r)
{
	uint64_t range = range_of(a), v;
	int bits = bit_len(range - 1);

	if (range == 1)
		return a->lo;
	switch (mm_rng_below(r, have_cur ? 11 : 8)) {
	case 0:
		return a->lo;
	case 1:
		return a->hi;
	case 2:
		return a->lo + 1;
	case 3:
		return a->hi - 1;
	case 4:
	case 5:		/* log-uniform offset from lo: small values favoured */
		v = mm_rng_next(r) & ((1ULL << mm_rng_below(r, bits + 1)) - 1);
		return (uint32_t)(a->lo + v % range);
	case 6:		/* a power of two, where it is in range */
		v = 1ULL << mm_rng_below(r, bit_len(a->hi));
		if (v >= a->lo && v <= a->hi)
			return (uint32_t)v;
		/* fall through */
	case 7:
		return (uint32_t)(a->lo + mm_rng_below(r, range));
	default: {	/* cur +- 1..8, clamped */
		uint64_t d = 1 + mm_rng_below(r, 8);

		if (mm_rng_below(r, 2))
			return (uint32_t)(cur >= a->lo + d ? cur - d : a->lo);
		return (uint32_t)((uint64_t)cur + d <= a->hi ? cur + d : a->hi);
	}
	}
}

/* a different value for @a (range > 1) than @cur */
static uint32_t change_value(const struct mm_argdesc *a, uint32_t cur, struct mm_rng *r)
{
	for (int t = 0; t < 8; t++) {
		uint32_t v = pick_value(a, cur, true, r);

		if (v != cur)
			return v;
	}
	return cur < a->hi ? cur + 1 : a->lo;
}

static int named_slots(const struct mm_family *fam, uint8_t *slots)
{
	int n = 0;

	for (int s = 0; s < MM_OP_SLOTS; s++)
		if (fam->ops[s].name)
			slots[n++] = (uint8_t)s;
	return n;
}

static bool same_op(const struct mm_op *a, const struct mm_op *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* make room for @k ops at @pos (the caller checked nr_ops + k <= MM_MAX_OPS) */
static void open_gap(struct mm_input *in, int pos, int k)
{
	memmove(&in->ops[pos + k], &in->ops[pos],
		(size_t)(in->nr_ops - pos) * sizeof(in->ops[0]));
	in->nr_ops += k;
}

static void close_gap(struct mm_input *in, int pos, int k)
{
	memmove(&in->ops[pos], &in->ops[pos + k],
		(size_t)(in->nr_ops - pos - k) * sizeof(in->ops[0]));
	in->nr_ops -= k;
	memset(&in->ops[in->nr_ops], 0, (size_t)k * sizeof(in->ops[0]));
}

static bool mut_insert(const struct mm_family *fam, struct mm_input *in,
		       struct mm_rng *r)
{
	uint8_t slots[MM_OP_SLOTS];
	int ns = named_slots(fam, slots), pos;
	struct mm_op op;
	const struct mm_opdesc *d;

	if (!ns || in->nr_ops >= MM_MAX_OPS)
		return false;
	memset(&op, 0, sizeof(op));
	op.id = slots[mm_rng_below(r, ns)];
	d = &fam->ops[op.id];
	for (int a = 0; a < d->nr_args; a++)
		op.arg[a] = pick_value(&d->args[a], 0, false, r);
	/* the end a quarter of the time: states are built up op by op */
	pos = mm_rng_below(r, 4) ? (int)mm_rng_below(r, in->nr_ops + 1) : in->nr_ops;
	open_gap(in, pos, 1);
	in->ops[pos] = op;
	return true;
}

static bool mut_delete(struct mm_input *in, struct mm_rng *r)
{
	int len = 1, pos;

	if (!in->nr_ops)
		return false;
	if (!mm_rng_below(r, 4))
		len = 1 + (int)mm_rng_below(r, MIN(in->nr_ops, 8));
	pos = (int)mm_rng_below(r, in->nr_ops - len + 1);
	close_gap(in, pos, len);
	return true;
}

static bool mut_duplicate(struct mm_input *in, struct mm_rng *r)
{
	int i;

	if (!in->nr_ops || in->nr_ops >= MM_MAX_OPS)
		return false;
	i = (int)mm_rng_below(r, in->nr_ops);
	open_gap(in, i + 1, 1);
	in->ops[i + 1] = in->ops[i];
	return true;
}

static bool mut_swap(struct mm_input *in, struct mm_rng *r)
{
	if (in->nr_ops < 2)
		return false;
	for (int t = 0; t < 8; t++) {
		int i = (int)mm_rng_below(r, in->nr_ops);
		int j = (int)mm_rng_below(r, in->nr_ops);
		struct mm_op tmp;

		if (i == j || same_op(&in->ops[i], &in->ops[j]))
			continue;
		tmp = in->ops[i];
		in->ops[i] = in->ops[j];
		in->ops[j] = tmp;
		return true;
	}
	return false;
}

static bool mut_splice(struct mm_input *in, const struct mm_input *don,
		       struct mm_rng *r)
{
	int j, len, pos;

	if (!don->nr_ops)
		return false;
	j = (int)mm_rng_below(r, don->nr_ops);
	pos = (int)mm_rng_below(r, in->nr_ops + 1);
	if (mm_rng_below(r, 2) && in->nr_ops < MM_MAX_OPS) {
		/* a block of the donor inserted at pos */
		len = 1 + (int)mm_rng_below(r, MIN(don->nr_ops - j, 16));
		len = MIN(len, MM_MAX_OPS - in->nr_ops);
		if (don == in) {
			/* from itself: copy out first, the gap moves the block */
			struct mm_op blk[16];

			memcpy(blk, &in->ops[j], (size_t)len * sizeof(blk[0]));
			open_gap(in, pos, len);
			memcpy(&in->ops[pos], blk, (size_t)len * sizeof(blk[0]));
		} else {
			open_gap(in, pos, len);
			memcpy(&in->ops[pos], &don->ops[j], (size_t)len * sizeof(in->ops[0]));
		}
		return true;
	}
	/* crossover: ops before pos, then the donor's from j */
	len = MIN(don->nr_ops - j, MM_MAX_OPS - pos);
	if (in->nr_ops - pos == len &&
	    !memcmp(&in->ops[pos], &don->ops[j], (size_t)len * sizeof(in->ops[0])))
		return false;
	memmove(&in->ops[pos], &don->ops[j], (size_t)len * sizeof(in->ops[0]));
	if (pos + len < in->nr_ops)
		memset(&in->ops[pos + len], 0,
		       (size_t)(in->nr_ops - pos - len) * sizeof(in->ops[0]));
	in->nr_ops = pos + len;
	return true;
}

static bool mut_repeat(struct mm_input *in, struct mm_rng *r)
{
	int i, len, k, room = MM_MAX_OPS - in->nr_ops;

	if (!in->nr_ops || !room)
		return false;
	i = (int)mm_rng_below(r, in->nr_ops);
	len = 1 + (int)mm_rng_below(r, MIN(in->nr_ops - i, 8));
	len = MIN(len, room);
	k = 1 + (int)mm_rng_below(r, 7);	/* extra copies: 2..8 in all */
	k = MIN(k, room / len);
	open_gap(in, i + len, k * len);
	for (int c = 1; c <= k; c++)
		memcpy(&in->ops[i + c * len], &in->ops[i], (size_t)len * sizeof(in->ops[0]));
	return true;
}

/* fields of @d[0..@n) that can take another value */
static int nr_mutable(const struct mm_argdesc *d, int n)
{
	int total = 0;

	for (int a = 0; a < n; a++)
		total += range_of(&d[a]) > 1;
	return total;
}

/* change the *@pick-th mutable field of @v (counting down across calls) */
static bool change_picked(const struct mm_argdesc *d, int n, uint32_t *v, uint64_t *pick,
			  struct mm_rng *r)
{
	for (int a = 0; a < n; a++) {
		if (range_of(&d[a]) <= 1 || (*pick)--)
			continue;
		v[a] = change_value(&d[a], v[a], r);
		return true;
	}
	return false;
}

/* one argument of one op, uniformly over every mutable argument of the input */
static bool mut_arg(const struct mm_family *fam, struct mm_input *in,
		    struct mm_rng *r)
{
	int total = 0;
	uint64_t pick;

	for (int k = 0; k < in->nr_ops; k++) {
		const struct mm_opdesc *d = &fam->ops[in->ops[k].id];

		total += nr_mutable(d->args, d->nr_args);
	}
	if (!total)
		return false;
	pick = mm_rng_below(r, total);
	for (int k = 0; k < in->nr_ops; k++) {
		const struct mm_opdesc *d = &fam->ops[in->ops[k].id];

		if (change_picked(d->args, d->nr_args, in->ops[k].arg, &pick, r))
			return true;
	}
	return false;
}

static bool mut_config(const struct mm_family *fam, struct mm_input *in,
		       struct mm_rng *r)
{
	int total = nr_mutable(fam->cfg, fam->nr_cfg);
	uint64_t pick;

	if (!total)
		return false;
	pick = mm_rng_below(r, total);
	return change_picked(fam->cfg, fam->nr_cfg, in->cfg.v, &pick, r);
}

bool mm_mutate_input(const struct mm_family *fam, struct mm_input *in,
		     enum mm_mut kind, const struct mm_input *other,
		     struct mm_rng *rng)
{
	switch (kind) {
	case MM_MUT_INSERT:
		return mut_insert(fam, in, rng);
	case MM_MUT_DELETE:
		return mut_delete(in, rng);
	case MM_MUT_DUPLICATE:
		return mut_duplicate(in, rng);
	case MM_MUT_SWAP:
		return mut_swap(in, rng);
	case MM_MUT_SPLICE:
		return mut_splice(in, other ? other : in, rng);
	case MM_MUT_REPEAT:
		return mut_repeat(in, rng);
	case MM_MUT_ARG:
		return mut_arg(fam, in, rng);
	case MM_MUT_CONFIG:
		return mut_config(fam, in, rng);
	default:
		return false;
	}
}

/* relative weights of the kinds (splice twice as likely with a donor) */
static enum mm_mut pick_kind(struct mm_rng *r, bool donor)
{
	static const uint8_t w[MM_MUT__NR] = {
		[MM_MUT_INSERT] = 4, [MM_MUT_DELETE] = 2, [MM_MUT_DUPLICATE] = 1,
		[MM_MUT_SWAP] = 1, [MM_MUT_SPLICE] = 1, [MM_MUT_REPEAT] = 1,
		[MM_MUT_ARG] = 5, [MM_MUT_CONFIG] = 1,
	};
	unsigned total = 0, x;

	for (int k = 0; k < MM_MUT__NR; k++)
		total += w[k] + (donor && k == MM_MUT_SPLICE);
	x = (unsigned)mm_rng_below(r, total);
	for (int k = 0; k < MM_MUT__NR; k++) {
		unsigned wk = w[k] + (donor && k == MM_MUT_SPLICE);

		if (x < wk)
			return (enum mm_mut)k;
		x -= wk;
	}
	return MM_MUT_ARG;
}

/* bytes of @op in the binary form: its opcode, then 1, 2 or 4 per argument (input.h) */
static size_t op_bytes(const struct mm_family *fam, const struct mm_op *op)
{
	const struct mm_opdesc *d = &fam->ops[op->id];
	size_t n = 1;

	for (int a = 0; a < d->nr_args; a++) {
		uint64_t r = range_of(&d->args[a]);

		n += r <= 256 ? 1 : r <= 65536 ? 2 : 4;
	}
	return n;
}

/* drop ops from the end until the encoding fits @max_size */
static void fit(const struct mm_family *fam, struct mm_input *in, size_t max_size)
{
	size_t size = mm_encoded_size(fam, in);

	while (in->nr_ops && size > max_size) {
		size -= op_bytes(fam, &in->ops[in->nr_ops - 1]);
		in->nr_ops--;
		memset(&in->ops[in->nr_ops], 0, sizeof(in->ops[0]));
	}
}

static void copy_input(struct mm_input *dst, const struct mm_input *src)
{
	dst->cfg = src->cfg;
	if (dst->nr_ops > src->nr_ops)
		memset(&dst->ops[src->nr_ops], 0,
		       (size_t)(dst->nr_ops - src->nr_ops) * sizeof(dst->ops[0]));
	dst->nr_ops = src->nr_ops;
	memcpy(dst->ops, src->ops, (size_t)src->nr_ops * sizeof(dst->ops[0]));
}

/* scratch inputs: each engine mutates on one thread */
static _Thread_local struct mm_input scratch_in, scratch_don, scratch_save;

size_t mm_mutate(const struct mm_family *fam, uint8_t *data, size_t size,
		 size_t max_size, const uint8_t *other, size_t other_size,
		 uint64_t seed, unsigned long counts[MM_MUT__NR])
{
	struct mm_input *in = &scratch_in, *save = &scratch_save, *don = NULL;
	struct mm_rng rng = { seed };
	int n = 1;

	mm_decode(fam, data, size, in);
	memset(save, 0, sizeof(*save));
	if (other) {
		don = &scratch_don;
		mm_decode(fam, other, other_size, don);
	}
	while (n < 4 && !mm_rng_below(&rng, 4))
		n++;
	for (int i = 0; i < n; i++) {
		for (int t = 0; t < 16; t++) {
			enum mm_mut kind = pick_kind(&rng, don != NULL);

			copy_input(save, in);
			if (!mm_mutate_input(fam, in, kind, don, &rng))
				continue;
			/* a mutation that cannot fit is undone, another drawn */
			if (in->nr_ops > save->nr_ops &&
			    mm_encoded_size(fam, in) > max_size) {
				copy_input(in, save);
				continue;
			}
			if (counts)
				counts[kind]++;
			break;
		}
	}
	fit(fam, in, max_size);
	return mm_encode(fam, in, data, max_size);
}

size_t mm_crossover(const struct mm_family *fam, const uint8_t *a, size_t a_size,
		    const uint8_t *b, size_t b_size, uint8_t *out, size_t max_out,
		    uint64_t seed)
{
	struct mm_input *in = &scratch_in, *don = &scratch_don;
	struct mm_rng rng = { seed };

	mm_decode(fam, a, a_size, in);
	mm_decode(fam, b, b_size, don);
	/* b's config now and then: config and ops travel together */
	if (!mm_rng_below(&rng, 8))
		in->cfg = don->cfg;
	if (!mut_splice(in, don, &rng))
		mm_mutate_input(fam, in, MM_MUT_INSERT, NULL, &rng);
	fit(fam, in, max_out);
	return mm_encode(fam, in, out, max_out);
}

/* -- dictionary ---------------------------------------------------------- */

/* one entry: the binary form of @op alone (no config bytes) */
static void dict_entry(FILE *f, const struct mm_family *fam,
		       const struct mm_op *op, const char *name)
{
	static const struct mm_input none;
	static _Thread_local struct mm_input one;
	uint8_t buf[1 + MM_MAX_ARGS * 4 + MM_MAX_CFG * 4];
	size_t cfg_len = mm_encoded_size(fam, &none), len;

	one.nr_ops = 1;
	one.ops[0] = *op;
	len = mm_encode(fam, &one, buf, sizeof(buf));
	fprintf(f, "%s=\"", name);
	for (size_t i = cfg_len; i < len; i++)
		fprintf(f, "\\x%02x", buf[i]);
	fprintf(f, "\"\n");
}

void mm_dict_write(FILE *f, const struct mm_family *fam)
{
	fprintf(f, "# mmdiff dictionary of family %s (mmdiff list --dict %s):\n"
		"# per op its opcode byte, its encoding with the lowest arguments,\n"
		"# and that encoding with each value of its small enum arguments\n",
		fam->name, fam->name);
	for (int s = 0; s < MM_OP_SLOTS; s++) {
		const struct mm_opdesc *d = &fam->ops[s];
		struct mm_op op = { .id = (uint8_t)s };
		char name[128];

		if (!d->name)
			continue;
		if (d->nr_args)	/* else op_<name> is that byte */
			fprintf(f, "opcode_%s=\"\\x%02x\"\n", d->name, s);
		for (int a = 0; a < d->nr_args; a++)
			op.arg[a] = d->args[a].lo;
		snprintf(name, sizeof(name), "op_%s", d->name);
		dict_entry(f, fam, &op, name);
		for (int a = 0; a < d->nr_args; a++) {
			const struct mm_argdesc *ad = &d->args[a];

			if (!ad->enums || ad->hi - ad->lo > 16)
				continue;
			for (uint32_t v = ad->lo + 1; v <= ad->hi; v++) {
				struct mm_op o2 = op;

				o2.arg[a] = v;
				snprintf(name, sizeof(name), "op_%s_%s_%u", d->name,
					 ad->name, v);
				dict_entry(f, fam, &o2, name);
			}
		}
	}
}

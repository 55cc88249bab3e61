/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Op-aware mutation of the binary input form (input.h), built from the
 * family's tables: the libFuzzer hooks (target.c) and the AFL++ custom
 * mutator library (fuzz/afl/) both call it.
 *
 * Contract: mm_mutate() and mm_crossover() decode their inputs (mm_decode),
 * change the op list and config (mm_mutate_input) and encode the result
 * (mm_encode).  The output is the canonical encoding of a valid input: every
 * op a named slot of fam->ops (machine ops included) with every argument and
 * config field within its range, no byte left undecoded, at most MM_MAX_OPS
 * ops and at most @max_size bytes (ops are dropped from the end to fit; only
 * when @max_size is below the config's own bytes is the config truncated).
 * The same arguments (bytes, sizes and seed) give the same output.
 */
#ifndef MM_MUTATOR_H
#define MM_MUTATOR_H

#include <stdio.h>
#include <mm/harness.h>

/* splitmix64: small, seedable, the same on every platform */
struct mm_rng {
	uint64_t s;
};

static inline uint64_t mm_rng_next(struct mm_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n); n == 0 gives 0 */
static inline uint64_t mm_rng_below(struct mm_rng *r, uint64_t n)
{
	return n ? mm_rng_next(r) % n : 0;
}

enum mm_mut {
	MM_MUT_INSERT,		/* a fresh op: a named slot, in-range arguments */
	MM_MUT_DELETE,		/* remove one op (sometimes a short block) */
	MM_MUT_DUPLICATE,	/* copy one op right after itself */
	MM_MUT_SWAP,		/* exchange two different ops */
	MM_MUT_SPLICE,		/* a block of another input: inserted, or as the new tail */
	MM_MUT_REPEAT,		/* a block of ops repeated k times in place */
	MM_MUT_ARG,		/* one argument of one op, within its range */
	MM_MUT_CONFIG,		/* one config field, within its range */
	MM_MUT__NR
};

extern const char *const mm_mut_names[MM_MUT__NR];

/*
 * One mutation of @kind on @in, in place.  @other is the donor of
 * MM_MUT_SPLICE (NULL: a copy of @in itself).  Returns false, leaving @in
 * unchanged, when the kind does not apply (no op to delete, no room, ...).
 * Values are drawn with boundaries (lo, hi, lo+1, hi-1), small deltas and
 * small magnitudes favoured.
 */
bool mm_mutate_input(const struct mm_family *fam, struct mm_input *in,
		     enum mm_mut kind, const struct mm_input *other,
		     struct mm_rng *rng);

/*
 * Mutate @data (@size bytes, room for @max_size) in place with one to four
 * mutations drawn from @seed; @other (may be NULL) is the splice donor.
 * Returns the new size.  @counts (may be NULL) counts the kinds applied.
 */
size_t mm_mutate(const struct mm_family *fam, uint8_t *data, size_t size,
		 size_t max_size, const uint8_t *other, size_t other_size,
		 uint64_t seed, unsigned long counts[MM_MUT__NR]);

/* Crossover of @a and @b into @out (at most @max_out bytes): a splice of b into a. */
size_t mm_crossover(const struct mm_family *fam, const uint8_t *a, size_t a_size,
		    const uint8_t *b, size_t b_size, uint8_t *out, size_t max_out,
		    uint64_t seed);

/*
 * The family's dictionary (libFuzzer -dict=, AFL++ -x): per named slot its
 * opcode byte, its shortest full encoding (lowest arguments) and that
 * encoding with each value of its small enum arguments.
 */
void mm_dict_write(FILE *f, const struct mm_family *fam);
#endif

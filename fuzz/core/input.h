/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Input forms: the total binary decoder and the lossless .ops text form.
 *
 * Binary: the family's config fields, then ops.  Each field and argument
 * takes 1, 2 or 4 little-endian bytes (by the width of its range) and
 * decodes to lo + raw % (hi - lo + 1); each op is one opcode byte
 * (slot = byte % MM_OP_SLOTS) then its arguments.  Missing bytes read as
 * zero; unassigned slots decode to nothing; at most MM_MAX_OPS ops.  The
 * decoder is total: every byte string gives a valid input.
 *
 * Text (.ops): '#' comments, blank lines, one "family NAME" line, one
 * "config k=v ..." line, then one op per line: "name k=v ...".  Omitted
 * arguments take their lowest value; enum values are written by name.
 * mm_encode(mm_decode(x)) decodes to the same input; text round-trips.
 */
#ifndef MM_INPUT_H
#define MM_INPUT_H

#include <stdio.h>
#include <mm/harness.h>

void mm_decode(const struct mm_family *fam, const uint8_t *data, size_t size,
	       struct mm_input *in);
/* returns bytes written (at most @cap); cap >= mm_encoded_size() suffices */
size_t mm_encode(const struct mm_family *fam, const struct mm_input *in,
		 uint8_t *out, size_t cap);
size_t mm_encoded_size(const struct mm_family *fam, const struct mm_input *in);

/*
 * Parse text.  @fam_hint is used when the text has no family line.
 * Returns 0, or -1 with a one-line message "line N: ..." in @err.
 */
int mm_text_parse(const char *text, const struct mm_family *fam_hint,
		  const struct mm_family **fam, struct mm_input *in,
		  char *err, size_t errlen);
void mm_text_write(FILE *f, const struct mm_family *fam,
		   const struct mm_input *in);
void mm_config_format(const struct mm_family *fam, const struct mm_config *cfg,
		      char *buf, size_t len);
/* does this buffer look like the text form? */
int mm_is_text(const uint8_t *data, size_t size);
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff convert FILE -o OUT [--family F]
 * Binary -> text or text -> binary (the direction follows mm_is_text).
 * The conversion is checked before OUT is written: decoding OUT must give
 * the same input (compared through its canonical text form).
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

int mmd_cmd_convert(int argc, char **argv)
{
	struct mmd_opts o;
	const struct mm_family *fam;
	struct mmd_file *f = NULL;
	struct mm_input *back = NULL;
	char *want = NULL, *got = NULL, *out = NULL;
	size_t outlen;
	int ret = MMD_USAGE;

	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS |
			   MMD_O_OUT, &o))
		return MMD_USAGE;
	if (o.npos != 1 || !o.out) {
		mmd_err("convert: usage: mmdiff convert FILE -o OUT [--family F]");
		return MMD_USAGE;
	}
	if (mmd_opt_family(&o, &fam))
		return MMD_USAGE;
	f = calloc(1, sizeof(*f));
	back = calloc(1, sizeof(*back));
	if (!f || !back)
		abort();
	if (mmd_load(o.pos[0], fam, f))
		goto done;
	want = mmd_text_render(f->fam, &f->in, NULL);
	if (f->text) {
		outlen = mm_encoded_size(f->fam, &f->in);
		out = malloc(outlen + 1);
		if (!out)
			abort();
		outlen = mm_encode(f->fam, &f->in, (uint8_t *)out, outlen);
		mm_decode(f->fam, (const uint8_t *)out, outlen, back);
		/* loading OUT again must take it for binary */
		if (!mm_is_text((const uint8_t *)out, outlen))
			got = mmd_text_render(f->fam, back, NULL);
	} else {
		char header[PATH_MAX + 64];
		struct mmd_file *t = calloc(1, sizeof(*t));

		if (!t)
			abort();
		snprintf(header, sizeof(header), "# converted from %s\n",
			 o.pos[0]);
		out = mmd_text_render(f->fam, &f->in, header);
		outlen = strlen(out);
		if (!mmd_load_text(o.out, out, f->fam, t))
			got = mmd_text_render(f->fam, &t->in, NULL);
		free(t);
	}
	if (!got || strcmp(want, got)) {
		mmd_err("%s: internal error: conversion is not lossless", o.pos[0]);
		goto done;
	}
	if (mmd_write_file(o.out, out, outlen))
		goto done;
	printf("%s: %s -> %s (%s, %d ops, %zu bytes)\n", o.pos[0],
	       f->text ? "text" : "binary", f->text ? "binary" : "text",
	       f->fam->name, f->in.nr_ops, outlen);
	ret = MMD_OK;
done:
	free(f);
	free(back);
	free(want);
	free(got);
	free(out);
	return ret;
}

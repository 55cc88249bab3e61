// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading inputs (text or binary) and choosing the
 * variant set they run on.  Text inputs name their family; binary ones
 * take it from --family or from the names in --variants.
 */
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

static int next_name(const char **s, char *name, size_t len)
{
	const char *p = *s, *end;
	size_t n;

	while (*p == ',' || *p == ' ')
		p++;
	if (!*p)
		return 0;
	end = p;
	while (*end && *end != ',' && *end != ' ')
		end++;
	n = (size_t)(end - p) < len - 1 ? (size_t)(end - p) : len - 1;
	memcpy(name, p, n);
	name[n] = 0;
	*s = end;
	return 1;
}

int mmd_family_of_variants(const char *spec, const struct mm_family **fam)
{
	const struct mm_family *match = NULL, *f;
	char name[128];
	int nmatch = 0;

	/* every name must exist somewhere */
	for (const char *s = spec; next_name(&s, name, sizeof(name));) {
		bool found = false;

		for (int i = 0; (f = mm_family_at(i)); i++)
			if (mm_variant_find(f->name, name))
				found = true;
		if (!found) {
			mmd_err("unknown variant '%s' (see mmdiff list)", name);
			return -1;
		}
	}
	for (int i = 0; (f = mm_family_at(i)); i++) {
		bool all = true;

		for (const char *s = spec; next_name(&s, name, sizeof(name));)
			if (!mm_variant_find(f->name, name))
				all = false;
		if (all) {
			if (nmatch++)
				break;
			match = f;
		}
	}
	if (nmatch == 0) {
		mmd_err("variants '%s' are not of one family", spec);
		return -1;
	}
	if (nmatch > 1) {
		mmd_err("variants '%s' exist in families %s and %s: give --family",
			spec, match->name, f->name);
		return -1;
	}
	*fam = match;
	return 0;
}

int mmd_opt_family(const struct mmd_opts *o, const struct mm_family **fam)
{
	*fam = NULL;
	if (o->family) {
		*fam = mm_family_find(o->family);
		if (!*fam) {
			mmd_err("unknown family '%s' (see mmdiff list)",
				o->family);
			return -1;
		}
		return 0;
	}
	if (o->variants)
		return mmd_family_of_variants(o->variants, fam);
	return 0;
}

/* "# key: value" header comments of a text input */
static void header_value(const char *text, const char *key, char *out,
			 size_t len)
{
	size_t klen = strlen(key);

	out[0] = 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *p = l;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '#')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, klen) || p[klen] != ':')
			continue;
		p += klen + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t n = strcspn(p, "\r\n");

		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= len)
			n = len - 1;
		memcpy(out, p, n);
		out[n] = 0;
		return;
	}
}

int mmd_load_text(const char *path, const char *text,
		  const struct mm_family *fam_hint, struct mmd_file *f)
{
	char err[256];

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->text = true;
	if (mm_text_parse(text, fam_hint, &f->fam, &f->in, err, sizeof(err))) {
		if (!strncmp(err, "line ", 5) && err[5] >= '0' && err[5] <= '9') {
			const char *p = err + 5;

			while (*p >= '0' && *p <= '9')
				p++;
			if (*p == ':') {
				mmd_err("%s:%.*s:%s", path, (int)(p - err - 5),
					err + 5, p + 1);
				return -1;
			}
		}
		mmd_err("%s: %s", path, err);
		return -1;
	}
	if (fam_hint && f->fam != fam_hint) {
		mmd_err("%s: input is of family %s, not %s", path,
			f->fam->name, fam_hint->name);
		return -1;
	}
	header_value(text, "variants", f->variants, sizeof(f->variants));
	header_value(text, "signature", f->signature, sizeof(f->signature));
	return 0;
}

int mmd_load(const char *path, const struct mm_family *fam_hint,
	     struct mmd_file *f)
{
	size_t size;
	uint8_t *data = mmd_read_file(path, &size);
	int ret = 0;

	if (!data)
		return -1;
	if (mm_is_text(data, size)) {
		ret = mmd_load_text(path, (const char *)data, fam_hint, f);
	} else if (!fam_hint) {
		mmd_err("%s: binary input: give --family or --variants", path);
		ret = -1;
	} else {
		memset(f, 0, sizeof(*f));
		f->path = path;
		f->fam = fam_hint;
		mm_decode(fam_hint, data, size, &f->in);
	}
	free(data);
	return ret;
}

int mmd_pick(const struct mm_family *fam, const char *spec,
	     const struct mmd_file *f, const struct mm_variant **vars)
{
	const char *use = spec;
	char err[256];
	int n;

	if (!use && f && f->variants[0])
		use = f->variants;
	n = mm_pick_variants(fam, use, vars, MM_MAX_VARIANTS, err, sizeof(err));
	if (n > 0)
		return n;
	if (n == 0)
		snprintf(err, sizeof(err), "no variants to run");
	if (spec)
		mmd_err("--variants %s: %s", spec, err);
	else if (use)
		mmd_err("%s: '# variants: %s': %s", f->path, use, err);
	else
		mmd_err("family %s: %s", fam->name, err);
	return -1;
}

void mmd_vars_str(const struct mm_variant *const *vars, int n, char *buf,
		  size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (int i = 0; i < n && at < len; i++)
		at += snprintf(buf + at, len - at, "%s%s", i ? "," : "",
			       vars[i]->name);
}

char *mmd_text_render(const struct mm_family *fam, const struct mm_input *in,
		      const char *header)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (header)
		fputs(header, f);
	mm_text_write(f, fam, in);
	fclose(f);
	return buf;
}

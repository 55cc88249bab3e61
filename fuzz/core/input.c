// SPDX-License-Identifier: GPL-2.0-only
/* Binary decoder/encoder and the .ops text form; see input.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "input.h"

static uint64_t arg_range(const struct mm_argdesc *a)
{
	return (uint64_t)a->hi - a->lo + 1;
}

static int arg_width(const struct mm_argdesc *a)
{
	uint64_t r = arg_range(a);

	return r <= 256 ? 1 : r <= 65536 ? 2 : 4;
}

static uint32_t read_arg(const struct mm_argdesc *a, const uint8_t *data,
			 size_t size, size_t *pos)
{
	uint64_t raw = 0;
	int w = arg_width(a);

	for (int i = 0; i < w; i++, (*pos)++)
		if (*pos < size)
			raw |= (uint64_t)data[*pos] << (8 * i);
	return (uint32_t)(a->lo + raw % arg_range(a));
}

static void put_arg(const struct mm_argdesc *a, uint32_t v, uint8_t *out,
		    size_t cap, size_t *pos)
{
	uint64_t raw = (uint64_t)v - a->lo;
	int w = arg_width(a);

	for (int i = 0; i < w; i++, (*pos)++)
		if (*pos < cap)
			out[*pos] = (uint8_t)(raw >> (8 * i));
}

void mm_decode(const struct mm_family *fam, const uint8_t *data, size_t size,
	       struct mm_input *in)
{
	size_t pos = 0;

	memset(in, 0, sizeof(*in));
	for (int i = 0; i < fam->nr_cfg; i++)
		in->cfg.v[i] = read_arg(&fam->cfg[i], data, size, &pos);
	while (pos < size && in->nr_ops < MM_MAX_OPS) {
		uint8_t slot = data[pos++] % MM_OP_SLOTS;
		const struct mm_opdesc *d = &fam->ops[slot];
		struct mm_op *op;

		if (!d->name)
			continue;	/* unassigned slot: no op, no arguments */
		op = &in->ops[in->nr_ops++];
		op->id = slot;
		for (int a = 0; a < d->nr_args; a++)
			op->arg[a] = read_arg(&d->args[a], data, size, &pos);
	}
}

size_t mm_encode(const struct mm_family *fam, const struct mm_input *in,
		 uint8_t *out, size_t cap)
{
	size_t pos = 0;

	for (int i = 0; i < fam->nr_cfg; i++)
		put_arg(&fam->cfg[i], in->cfg.v[i], out, cap, &pos);
	for (int n = 0; n < in->nr_ops; n++) {
		const struct mm_op *op = &in->ops[n];
		const struct mm_opdesc *d = &fam->ops[op->id];

		if (pos < cap)
			out[pos] = op->id;
		pos++;
		for (int a = 0; a < d->nr_args; a++)
			put_arg(&d->args[a], op->arg[a], out, cap, &pos);
	}
	return pos < cap ? pos : cap;
}

size_t mm_encoded_size(const struct mm_family *fam, const struct mm_input *in)
{
	size_t n = 0;

	for (int i = 0; i < fam->nr_cfg; i++)
		n += arg_width(&fam->cfg[i]);
	for (int k = 0; k < in->nr_ops; k++) {
		const struct mm_opdesc *d = &fam->ops[in->ops[k].id];

		n++;
		for (int a = 0; a < d->nr_args; a++)
			n += arg_width(&d->args[a]);
	}
	return n;
}

/* -- text form ---------------------------------------------------------- */

static void fmt_value(const struct mm_argdesc *a, uint32_t v, char *buf, size_t len)
{
	if (a->enums && v >= a->lo && v <= a->hi && a->enums[v - a->lo])
		snprintf(buf, len, "%s", a->enums[v - a->lo]);
	else
		snprintf(buf, len, "%u", v);
}

static void fmt_args(const struct mm_argdesc *args, int n, const uint32_t *v,
		     char *buf, size_t len)
{
	size_t used = strlen(buf);

	for (int i = 0; i < n && used < len; i++) {
		char val[48];

		fmt_value(&args[i], v[i], val, sizeof(val));
		used += snprintf(buf + used, len - used, " %s=%s", args[i].name, val);
	}
}

void mm_op_format(const struct mm_family *fam, const struct mm_op *op,
		  char *buf, size_t len)
{
	const struct mm_opdesc *d = &fam->ops[op->id % MM_OP_SLOTS];

	snprintf(buf, len, "%s", d->name ? d->name : "?");
	fmt_args(d->args, d->nr_args, op->arg, buf, len);
}

void mm_config_format(const struct mm_family *fam, const struct mm_config *cfg,
		      char *buf, size_t len)
{
	snprintf(buf, len, "config");
	fmt_args(fam->cfg, fam->nr_cfg, cfg->v, buf, len);
}

void mm_text_write(FILE *f, const struct mm_family *fam, const struct mm_input *in)
{
	char line[512];

	fprintf(f, "family %s\n", fam->name);
	mm_config_format(fam, &in->cfg, line, sizeof(line));
	fprintf(f, "%s\n", line);
	for (int i = 0; i < in->nr_ops; i++) {
		mm_op_format(fam, &in->ops[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
}

int mm_is_text(const uint8_t *data, size_t size)
{
	size_t i = 0;

	for (size_t k = 0; k < size; k++)
		if (!isprint(data[k]) && !isspace(data[k]))
			return 0;
	while (i < size && isspace(data[i]))
		i++;
	if (i == size)
		return 0;
	return data[i] == '#' ||
	       (size - i >= 6 && !memcmp(data + i, "family", 6)) ||
	       (size - i >= 6 && !memcmp(data + i, "config", 6));
}

struct parse {
	int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %d: ", p->line);

	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int parse_value(struct parse *p, const struct mm_argdesc *a,
		       const char *what, const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (a->enums) {
		for (uint32_t i = 0; i <= a->hi - a->lo; i++)
			if (a->enums[i] && !strcmp(a->enums[i], s)) {
				*out = a->lo + i;
				return 0;
			}
	}
	if (!isdigit((unsigned char)s[0])) {
		if (a->enums) {
			char names[256] = "";

			for (uint32_t i = 0; i <= a->hi - a->lo; i++)
				if (a->enums[i])
					snprintf(names + strlen(names), sizeof(names) - strlen(names),
						 "%s%s", i ? ", " : "", a->enums[i]);
			return perr(p, "%s: '%s' is not one of %s", what, s, names);
		}
		return perr(p, "%s: '%s' is not a number", what, s);
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno)
		return perr(p, "%s: '%s' is not a number", what, s);
	if (v < a->lo || v > a->hi)
		return perr(p, "%s: %llu is out of range [%u, %u]", what, v, a->lo, a->hi);
	*out = (uint32_t)v;
	return 0;
}

/* "k=v k=v ..." into @v by the descriptors; omitted keys take lo */
static int parse_kv(struct parse *p, char *rest, const char *what,
		    const struct mm_argdesc *args, int n, uint32_t *v)
{
	char *tok, *save = NULL;

	for (int i = 0; i < n; i++)
		v[i] = args[i].lo;
	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		char label[96];
		int i;

		if (!eq)
			return perr(p, "%s: expected key=value, got '%s'", what, tok);
		*eq = '\0';
		for (i = 0; i < n; i++)
			if (!strcmp(args[i].name, tok))
				break;
		if (i == n)
			return perr(p, "%s: unknown argument '%s'", what, tok);
		snprintf(label, sizeof(label), "%s %s", what, tok);
		if (parse_value(p, &args[i], label, eq + 1, &v[i]))
			return -1;
	}
	return 0;
}

int mm_text_parse(const char *text, const struct mm_family *fam_hint,
		  const struct mm_family **famp, struct mm_input *in,
		  char *err, size_t errlen)
{
	struct parse p = { 0, err, errlen };
	const struct mm_family *fam = NULL;
	char *copy = strdup(text), *line, *save = NULL;
	bool have_cfg = false;
	int ret = -1;

	memset(in, 0, sizeof(*in));
	if (!copy)
		return -1;
	for (line = copy; line; line = save) {
		char *nl = strchr(line, '\n'), *word, *rest;
		size_t len;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		else if (!*line)
			break;	/* nothing after the last newline */
		p.line++;
		if ((word = strchr(line, '#')))
			*word = '\0';
		len = strlen(line);
		while (len && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (!*line)
			continue;
		word = line;
		rest = word + strcspn(word, " \t");
		if (*rest)
			*rest++ = '\0';
		if (!strcmp(word, "family")) {
			while (isspace((unsigned char)*rest))
				rest++;
			if (fam || have_cfg) {
				perr(&p, "family must come once, before config");
				goto out;
			}
			fam = mm_family_find(rest);
			if (!fam) {
				perr(&p, "unknown family '%s'", rest);
				goto out;
			}
			continue;
		}
		if (!fam)
			fam = fam_hint;
		if (!fam) {
			perr(&p, "no 'family' line before '%s'", word);
			goto out;
		}
		if (!strcmp(word, "config")) {
			if (have_cfg) {
				perr(&p, "second config line");
				goto out;
			}
			if (parse_kv(&p, rest, "config", fam->cfg, fam->nr_cfg, in->cfg.v))
				goto out;
			have_cfg = true;
			continue;
		}
		if (!have_cfg) {
			perr(&p, "op '%s' before the config line", word);
			goto out;
		}
		{
			int slot;
			struct mm_op *op;

			for (slot = 0; slot < MM_OP_SLOTS; slot++)
				if (fam->ops[slot].name && !strcmp(fam->ops[slot].name, word))
					break;
			if (slot == MM_OP_SLOTS) {
				perr(&p, "unknown op '%s' in family %s", word, fam->name);
				goto out;
			}
			if (in->nr_ops == MM_MAX_OPS) {
				perr(&p, "more than %d ops", MM_MAX_OPS);
				goto out;
			}
			op = &in->ops[in->nr_ops];
			op->id = (uint8_t)slot;
			if (parse_kv(&p, rest, word, fam->ops[slot].args,
				     fam->ops[slot].nr_args, op->arg))
				goto out;
			in->nr_ops++;
		}
	}
	if (!fam) {
		snprintf(err, errlen, "line %d: no family line and no ops", p.line);
		goto out;
	}
	if (!have_cfg) {
		snprintf(err, errlen, "line %d: no config line", p.line);
		goto out;
	}
	*famp = fam;
	ret = 0;
out:
	free(copy);
	return ret;
}

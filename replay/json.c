// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer of `--json` (see json.h and docs/json-schema.md).
 */
#include <math.h>
#include <string.h>

#include "json.h"

void mmd_json_begin(struct mmd_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else if (*p >= 0x80)
				fputc('?', f);	/* keep the output valid UTF-8 */
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void member(struct mmd_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		put_string(j->f, key);
		fputc(':', j->f);
	}
}

void mmd_json_obj(struct mmd_json *j, const char *key)
{
	member(j, key);
	fputc('{', j->f);
	if (j->depth + 1 < MMD_JSON_DEPTH) {
		j->first[++j->depth] = true;
		j->close[j->depth] = '}';
	}
}

void mmd_json_arr(struct mmd_json *j, const char *key)
{
	member(j, key);
	fputc('[', j->f);
	if (j->depth + 1 < MMD_JSON_DEPTH) {
		j->first[++j->depth] = true;
		j->close[j->depth] = ']';
	}
}

void mmd_json_end(struct mmd_json *j)
{
	if (j->depth > 0)
		fputc(j->close[j->depth--], j->f);
}

void mmd_json_str(struct mmd_json *j, const char *key, const char *val)
{
	member(j, key);
	put_string(j->f, val ? val : "");
}

void mmd_json_int(struct mmd_json *j, const char *key, long val)
{
	member(j, key);
	fprintf(j->f, "%ld", val);
}

void mmd_json_num(struct mmd_json *j, const char *key, double val)
{
	member(j, key);
	if (isfinite(val))
		fprintf(j->f, "%.3f", val);
	else
		fputs("null", j->f);
}

void mmd_json_bool(struct mmd_json *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void mmd_json_null(struct mmd_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void mmd_json_finish(struct mmd_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

void mmd_json_verdict(struct mmd_json *j, const char *key,
		      const struct mm_verdict *v)
{
	mmd_json_obj(j, key);
	mmd_json_str(j, "verdict", v->violated ? "violation" : "ok");
	if (v->violated) {
		mmd_json_str(j, "signature", v->sig);
		mmd_json_int(j, "op_index", v->op_index);
		mmd_json_str(j, "op", v->op_index < 0 ? "" : v->op_text);
		mmd_json_str(j, "variant", v->variant);
		mmd_json_str(j, "invariant", v->inv);
		mmd_json_str(j, "where", v->where);
		mmd_json_str(j, "details", v->detail);
		mmd_json_str(j, "state", v->state);
	} else {
		mmd_json_null(j, "signature");
	}
	mmd_json_int(j, "notes", (long)v->notes);
	mmd_json_end(j);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer for `--json` (docs/json-schema.md): objects
 * and arrays nest, commas and string escapes are handled here.  A key is
 * given inside objects and NULL inside arrays and at the top level.
 */
#ifndef MMDIFF_JSON_H
#define MMDIFF_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include <mm/harness.h>
#include "driver.h"

/* the "schema" member of every document; bumped on incompatible changes */
#define MMD_JSON_SCHEMA "mmdiff-json/1"

#define MMD_JSON_DEPTH 16

struct mmd_json {
	FILE *f;
	int depth;
	bool first[MMD_JSON_DEPTH];
	char close[MMD_JSON_DEPTH];	/* '}' or ']' of each open level */
};

void mmd_json_begin(struct mmd_json *j, FILE *f);
void mmd_json_obj(struct mmd_json *j, const char *key);
void mmd_json_arr(struct mmd_json *j, const char *key);
void mmd_json_end(struct mmd_json *j);
void mmd_json_str(struct mmd_json *j, const char *key, const char *val);
void mmd_json_int(struct mmd_json *j, const char *key, long val);
void mmd_json_num(struct mmd_json *j, const char *key, double val);
void mmd_json_bool(struct mmd_json *j, const char *key, bool val);
void mmd_json_null(struct mmd_json *j, const char *key);
/* end of the document: a newline, flushed */
void mmd_json_finish(struct mmd_json *j);

/* a verdict object (docs/json-schema.md, "verdict") */
void mmd_json_verdict(struct mmd_json *j, const char *key,
		      const struct mm_verdict *v);
#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmdiff plot FILE [-o OUT.svg] [--variants A,B] [--family F]
 * A picture of a finding: plain SVG, op by op, of the family's declared
 * observables (family->obs) and the machine's pages held against its page
 * budget, for every variant of the set side by side (one column each, one
 * row per quantity, a row's columns on one scale).  The op of the
 * violation is marked in every column, in red in the column of the variant
 * it fired in.  Quantities that stay 0 everywhere are listed, not drawn.
 * Each variant runs alone (observe.c); the verdict is mm_run's.
 *
 * Reference lines: an observable's limit drawn as a dashed line.  The
 * machine's page budget is the limit of pages held (every family); a family
 * may have constants worth drawing, listed in marks[] below when its
 * header is built in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmdiff.h"

struct mark {
	const char *family, *obs, *label;
	long value;
};

#if __has_include("percpu_family.h")
#include "percpu_family.h"
#define PERCPU_MARKS \
	{ "percpu", "nr_empty_pop_pages", "PCPU_EMPTY_POP_PAGES_LOW", PCPU_EMPTY_POP_PAGES_LOW }, \
	{ "percpu", "nr_empty_pop_pages", "PCPU_EMPTY_POP_PAGES_HIGH", PCPU_EMPTY_POP_PAGES_HIGH },
#else
#define PERCPU_MARKS
#endif

static const struct mark marks[] = {
	PERCPU_MARKS
	{ NULL, NULL, NULL, 0 }
};

#define COL_W 330
#define ROW_H 96
#define PAD_L 46
#define PAD_T 22
#define LEFT 190		/* the row labels */
#define TOP 100			/* title and column heads */

struct row {
	char name[64];
	int cols[64];		/* value columns of the series drawn in this row */
	int ncols;
	bool budget;		/* machine pages held: the budget as its limit */
	long lo, hi;
};

static const char *palette[] = { "#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
				 "#e377c2", "#17becf", "#bcbd22", "#7f7f7f" };

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static long val(const struct mmd_series *s, int point, int col)
{
	return s->val[(size_t)point * s->width + col];
}

static int plot(const struct mmd_file *f, const struct mm_variant *const *vars,
		int n, const char *out)
{
	const struct mm_family *fam = f->fam;
	struct mmd_series ser[MM_MAX_VARIANTS];
	struct mm_verdict *v = calloc(1, sizeof(*v));
	struct row *rows = calloc(64, sizeof(*rows));
	int width, nrows = 0, npoints = f->in.nr_ops + 1, viol_col = -1;
	char zero[1024] = "", name[64];
	int obs, elem, budget_col = -1, held_col = -1;
	FILE *o;

	if (!v || !rows)
		abort();
	mmd_run_isolated(fam, vars, n, &f->in, v, NULL);
	if (v->violated && strstr(v->sig, "/MEMORY_SAFETY@")) {
		/* the series replays op by op in this process */
		mmd_err("plot: %s dies of a sanitizer report (%s): plot the ops before it",
			f->path, v->sig);
		free(v);
		free(rows);
		return MMD_USAGE;
	}
	for (int i = 0; i < n; i++)
		mmd_observe(fam, vars[i], &f->in, &ser[i]);
	width = ser[0].width;
	if (v->violated) {
		char who[64];

		snprintf(who, sizeof(who), "%s", v->variant);
		who[strcspn(who, "~")] = 0;
		for (int i = 0; i < n; i++)
			if (!strcmp(vars[i]->name, who))
				viol_col = i;
	}
	/* rows: one per observable (arrays: their elements that move) */
	for (int c = 0; c < width; c++) {
		mmd_obs_name(fam, c, name, sizeof(name), &obs, &elem);
		if (obs == -1)
			held_col = c;
		if (obs == -2) {
			budget_col = c;
			continue;
		}
		bool nonzero = false;

		for (int i = 0; i < n; i++)
			for (int p = 0; p < ser[i].points; p++)
				nonzero |= val(&ser[i], p, c) != 0;
		const char *base = obs >= 0 ? fam->obs[obs].name : name;
		struct row *r = NULL;

		if (!nonzero) {
			if (obs < 0 || fam->obs[obs].count == 1 ||
			    (elem == 0 && !strstr(zero, base))) {
				size_t l = strlen(zero);

				snprintf(zero + l, sizeof(zero) - l, "%s%s", l ? ", " : "",
					 base);
			}
			continue;
		}
		if (obs >= 0 && fam->obs[obs].count > 1)
			for (int k = 0; k < nrows; k++)
				if (!strcmp(rows[k].name, base))
					r = &rows[k];
		if (!r) {
			if (nrows == 64)
				continue;
			r = &rows[nrows++];
			snprintf(r->name, sizeof(r->name), "%s", base);
			r->budget = obs == -1;
		}
		if (r->ncols < 64)
			r->cols[r->ncols++] = c;
	}
	/* the machine's pages held with no movement is still worth a row */
	(void)held_col;
	for (int k = 0; k < nrows; k++) {
		struct row *r = &rows[k];

		r->lo = 0;
		r->hi = 1;
		for (int i = 0; i < n; i++)
			for (int p = 0; p < ser[i].points; p++)
				for (int j = 0; j < r->ncols; j++) {
					long x = val(&ser[i], p, r->cols[j]);

					if (x < r->lo)
						r->lo = x;
					if (x > r->hi)
						r->hi = x;
				}
		if (r->budget && budget_col >= 0)
			for (int i = 0; i < n; i++)
				if (ser[i].points && val(&ser[i], 0, budget_col) > r->hi)
					r->hi = val(&ser[i], 0, budget_col);
		for (const struct mark *m = marks; m->family; m++)
			if (!strcmp(m->family, fam->name) && !strcmp(m->obs, r->name) &&
			    m->value > r->hi)
				r->hi = m->value;
	}
	o = fopen(out, "w");
	if (!o) {
		mmd_err("%s: cannot write", out);
		return -1;
	}
	int W = LEFT + n * COL_W + 20, H = TOP + nrows * ROW_H + 60;

	fprintf(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">\n",
		W, H, W, H);
	fprintf(o, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(o, "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">");
	esc(o, f->path);
	fprintf(o, "</text>\n<text x=\"10\" y=\"40\" font-size=\"12\" fill=\"%s\">",
		v->violated ? "#c00000" : "#006000");
	if (v->violated) {
		char line[400];

		snprintf(line, sizeof(line), "%s at op #%d %s", v->sig, v->op_index,
			 v->op_index >= 0 ? v->op_text : "(create)");
		esc(o, line);
	} else {
		fputs("no violation", o);
	}
	fprintf(o, "</text>\n<text x=\"10\" y=\"58\" fill=\"#555\">");
	{
		char line[400];

		snprintf(line, sizeof(line),
			 "family %s, %d ops; each variant run alone, observed after create (c) and after every op",
			 fam->name, f->in.nr_ops);
		esc(o, line);
	}
	fprintf(o, "</text>\n");
	for (int i = 0; i < n; i++) {
		int x0 = LEFT + i * COL_W;
		char head[160];

		snprintf(head, sizeof(head), "%s%s", vars[i]->name,
			 vars[i]->reference ? "" : " (reference)");
		fprintf(o, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\" fill=\"%s\">",
			x0 + PAD_L, TOP - 16, i == viol_col ? "#c00000" : "#000");
		esc(o, head);
		fprintf(o, "</text>\n");
		if (ser[i].viol_op >= -1) {
			char t[96];

			snprintf(t, sizeof(t), "%s at op #%d", ser[i].inv, ser[i].viol_op);
			fprintf(o, "<text x=\"%d\" y=\"%d\" fill=\"#c00000\">", x0 + PAD_L,
				TOP - 1);
			esc(o, t);
			fprintf(o, "</text>\n");
		}
	}
	for (int k = 0; k < nrows; k++) {
		struct row *r = &rows[k];
		int y0 = TOP + k * ROW_H;
		double ph = ROW_H - PAD_T - 8;
		char label[96];

		snprintf(label, sizeof(label), "%s", r->name);
		fprintf(o, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">", y0 + PAD_T + 12);
		esc(o, label);
		fprintf(o, "</text>\n");
		if (r->ncols > 1) {
			fprintf(o, "<text x=\"10\" y=\"%d\" fill=\"#555\">", y0 + PAD_T + 26);
			snprintf(label, sizeof(label), "%d elements that move", r->ncols);
			esc(o, label);
			fprintf(o, "</text>\n");
		}
		if (r->budget && budget_col >= 0)
			fprintf(o, "<text x=\"10\" y=\"%d\" fill=\"#555\">dashed: page budget</text>\n",
				y0 + PAD_T + 26);
		for (const struct mark *m = marks; m->family; m++)
			if (!strcmp(m->family, fam->name) && !strcmp(m->obs, r->name)) {
				fprintf(o, "<text x=\"10\" y=\"%d\" fill=\"#555\">dashed: LOW, HIGH marks</text>\n",
					y0 + PAD_T + 26);
				break;
			}
		for (int i = 0; i < n; i++) {
			int x0 = LEFT + i * COL_W + PAD_L, pw = COL_W - PAD_L - 52;
			double span = r->hi - r->lo ? r->hi - r->lo : 1;
#define X(p) (x0 + (npoints > 1 ? (double)(p) * pw / (npoints - 1) : pw / 2.0))
#define Y(val) (y0 + PAD_T + ph - ((val) - r->lo) * ph / span)

			fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
				x0, y0 + PAD_T, pw, ph);
			fprintf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%ld</text>\n",
				x0 - 4, Y(r->hi) + 4, r->hi);
			fprintf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%ld</text>\n",
				x0 - 4, Y(r->lo) + 4, r->lo);
			/* the violating op */
			if (v->violated && v->op_index >= 0) {
				double vx = X(v->op_index + 1);

				fprintf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
					vx, y0 + PAD_T, vx, y0 + PAD_T + ph,
					i == viol_col ? "#d00000" : "#e0a0a0",
					i == viol_col ? "2" : "1");
			}
			if (r->budget && budget_col >= 0 && ser[i].points) {
				long b = val(&ser[i], 0, budget_col);

				if (b > 0)
					fprintf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ff7f0e\" stroke-dasharray=\"5,3\"/>\n",
						x0, Y(b), x0 + pw, Y(b));
			}
			int nm = 0;

			for (const struct mark *m = marks; m->family; m++)
				if (!strcmp(m->family, fam->name) && !strcmp(m->obs, r->name)) {
					const char *sh = strrchr(m->label, '_');

					fprintf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ff7f0e\" stroke-dasharray=\"5,3\"><title>%s %ld</title></line>\n",
						x0, Y(m->value), x0 + pw, Y(m->value),
						m->label, m->value);
					fprintf(o, "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" fill=\"#ff7f0e\">%s %ld</text>\n",
						x0 + pw + 3, Y(m->value) + (nm++ % 2 ? -1 : 8),
						sh ? sh + 1 : m->label, m->value);
				}
			for (int j = 0; j < r->ncols; j++) {
				const char *color = palette[j % 8];

				if (!ser[i].points)
					continue;
				fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"",
					color);
				for (int p = 0; p < ser[i].points; p++) {
					long y = val(&ser[i], p, r->cols[j]);

					/* the value holds until the next op: steps */
					if (p)
						fprintf(o, "%.1f,%.1f ", X(p),
							Y(val(&ser[i], p - 1, r->cols[j])));
					fprintf(o, "%.1f,%.1f ", X(p), Y(y));
				}
				fprintf(o, "\"/>\n");
				if (ser[i].points < 40)
					for (int p = 0; p < ser[i].points; p++)
						fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"><title>op %d: %ld</title></circle>\n",
							X(p), Y(val(&ser[i], p, r->cols[j])), color,
							p - 1, val(&ser[i], p, r->cols[j]));
				/* the last value, and for arrays which element */
				{
					int p = ser[i].points - 1;
					char t[96];

					mmd_obs_name(fam, r->cols[j], name, sizeof(name), &obs, &elem);
					if (r->ncols > 1)
						snprintf(t, sizeof(t), "[%d]=%ld", elem,
							 val(&ser[i], p, r->cols[j]));
					else
						snprintf(t, sizeof(t), "%ld",
							 val(&ser[i], p, r->cols[j]));
					/* scalars: beside the last point; arrays: stacked */
					if (r->ncols == 1)
						fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>\n",
							X(p) + 3, Y(val(&ser[i], p, r->cols[j])) + 3,
							color, t);
					else if (j < 6)
						fprintf(o, "<text x=\"%d\" y=\"%.0f\" font-size=\"9\" fill=\"%s\">%s</text>\n",
							x0 + pw + 3, y0 + PAD_T + 8 + 10.0 * j,
							color, t);
				}
			}
			/* op ticks on the last row */
			if (k == nrows - 1)
				for (int p = 0; p < npoints; p++) {
					if (npoints > 40 && p % ((npoints + 19) / 20))
						continue;
					char t[160];

					if (!p)
						snprintf(t, sizeof(t), "c");
					else if (npoints <= 6) {
						mm_op_format(fam, &f->in.ops[p - 1], t, sizeof(t));
						t[strcspn(t, " ")] = 0;
						char num[16];

						snprintf(num, sizeof(num), "%d ", p - 1);
						memmove(t + strlen(num), t, strlen(t) + 1);
						memcpy(t, num, strlen(num));
					} else
						snprintf(t, sizeof(t), "%d", p - 1);
					fprintf(o, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"middle\" fill=\"#333\">",
						X(p), y0 + PAD_T + ph + 14);
					esc(o, t);
					fprintf(o, "</text>\n");
				}
#undef X
#undef Y
		}
	}
	fprintf(o, "<text x=\"10\" y=\"%d\" fill=\"#555\">", H - 24);
	{
		char line[1200];

		snprintf(line, sizeof(line), "x: op index (c: after create); red line: the op of the violation. Always 0: %s",
			 zero[0] ? zero : "-");
		esc(o, line);
	}
	fprintf(o, "</text>\n</svg>\n");
	fclose(o);
	printf("wrote %s: %d rows, %d variants, %d ops; %s\n", out, nrows, n,
	       f->in.nr_ops, v->violated ? v->sig : "no violation");
	for (int i = 0; i < n; i++)
		mmd_series_free(&ser[i]);
	free(v);
	free(rows);
	return 0;
}

int mmd_cmd_plot(int argc, char **argv)
{
	struct mmd_opts o;
	const struct mm_family *fam;
	const struct mm_variant *vars[MM_MAX_VARIANTS];
	struct mmd_file *f;
	char out[PATH_MAX];
	int n, ret = MMD_USAGE;

	if (mmd_parse_opts(argc, argv, MMD_O_FAMILY | MMD_O_VARIANTS | MMD_O_OUT, &o))
		return MMD_USAGE;
	if (o.npos != 1) {
		mmd_err("plot: usage: mmdiff plot FILE [-o OUT.svg] [--variants A,B]");
		return MMD_USAGE;
	}
	if (mmd_opt_family(&o, &fam))
		return MMD_USAGE;
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	if (mmd_load(o.pos[0], fam, f))
		goto done;
	n = mmd_pick(f->fam, o.variants, f, vars);
	if (n < 0)
		goto done;
	if (o.out)
		snprintf(out, sizeof(out), "%s", o.out);
	else {
		const char *base = strrchr(o.pos[0], '/');

		snprintf(out, sizeof(out), "%s", base ? base + 1 : o.pos[0]);
		char *dot = strrchr(out, '.');

		if (dot)
			*dot = 0;
		strncat(out, ".svg", sizeof(out) - strlen(out) - 1);
	}
	if (!plot(f, vars, n, out))
		ret = MMD_OK;
done:
	free(f);
	return ret;
}

/* Table output: drawn on a terminal, tab-separated otherwise. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "libns/util.h"
#include "table.h"

void nstar_table_init(struct nstar_table *t, const char *const *titles, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->titles = titles;
	t->ncols = ncols;
}

void nstar_table_free(struct nstar_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->text[i]);
	free(t->text);
	free(t->styles);
	memset(t, 0, sizeof(*t));
}

static int grow(struct nstar_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 8;
	char **text = realloc(t->text, cap * t->ncols * sizeof(*text));
	if (!text)
		return -ENOMEM;
	t->text = text;
	unsigned char *styles = realloc(t->styles, cap * t->ncols);
	if (!styles)
		return -ENOMEM;
	t->styles = styles;
	t->cap = cap;
	return 0;
}

int nstar_table_add(struct nstar_table *t, const char *const *cells, const unsigned char *styles)
{
	if (t->nrows == t->cap && grow(t) < 0)
		return -ENOMEM;
	size_t base = t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		t->text[base + c] = strdup(cells[c] ? cells[c] : "");
		if (!t->text[base + c]) {
			while (c-- > 0)
				free(t->text[base + c]);
			return -ENOMEM;
		}
		t->styles[base + c] = styles ? styles[c] : NSTAR_STYLE_NONE;
	}
	t->nrows++;
	return 0;
}

size_t nstar_text_width(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

/* A cell for a tab-separated line: tabs and line breaks would split it. */
static void put_tsv_cell(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void print_tsv(const struct nstar_table *t, FILE *out)
{
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc('\t', out);
		put_tsv_cell(out, t->titles[c]);
	}
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputc('\t', out);
			put_tsv_cell(out, t->text[r * t->ncols + c]);
		}
		fputc('\n', out);
	}
}

static const char *const sgr[] = {
    [NSTAR_STYLE_NONE] = NULL,	       [NSTAR_STYLE_BOLD] = "\033[1m",
    [NSTAR_STYLE_BLUE] = "\033[34m",   [NSTAR_STYLE_GREEN] = "\033[32m",
    [NSTAR_STYLE_YELLOW] = "\033[33m", [NSTAR_STYLE_CYAN] = "\033[36m",
};

/* " text<pad> " with the text styled; columns joined by '|'. */
static void print_row(FILE *out, const char *const *cells, const unsigned char *styles,
		      const size_t *width, size_t ncols, bool color)
{
	for (size_t c = 0; c < ncols; c++) {
		const char *on =
		    color && cells[c][0] && styles[c] < ARRAY_SIZE(sgr) ? sgr[styles[c]] : NULL;
		if (c)
			fputc('|', out);
		fputc(' ', out);
		if (on)
			fputs(on, out);
		fputs(cells[c], out);
		if (on)
			fputs("\033[0m", out);
		for (size_t w = nstar_text_width(cells[c]); w < width[c] + 1; w++)
			fputc(' ', out);
	}
	fputc('\n', out);
}

static void print_drawn(const struct nstar_table *t, FILE *out, bool color)
{
	ns_autofree size_t *width = calloc(t->ncols ? t->ncols : 1, sizeof(*width));
	ns_autofree unsigned char *bold = malloc(t->ncols ? t->ncols : 1);
	if (!width || !bold) {
		print_tsv(t, out); /* no memory for the layout: still show the data */
		return;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = nstar_text_width(t->titles[c]);
		bold[c] = NSTAR_STYLE_BOLD;
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = nstar_text_width(t->text[r * t->ncols + c]);
			width[c] = w > width[c] ? w : width[c];
		}
	}
	print_row(out, t->titles, bold, width, t->ncols, color);
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc('+', out);
		for (size_t w = 0; w < width[c] + 2; w++)
			fputc('-', out);
	}
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(out, (const char *const *)&t->text[r * t->ncols],
			  &t->styles[r * t->ncols], width, t->ncols, color);
}

void nstar_table_print(const struct nstar_table *t, FILE *out, enum nstar_table_mode mode)
{
	if (mode == NSTAR_TABLE_TSV)
		print_tsv(t, out);
	else
		print_drawn(t, out, mode == NSTAR_TABLE_COLOR);
}

bool nstar_color_wanted(const char *no_color, const char *term)
{
	if (no_color && *no_color)
		return false;
	return !nstar_term_dumb(term);
}

bool nstar_term_dumb(const char *term)
{
	return term && !strcmp(term, "dumb");
}

/* Tables for nstar's output: on a terminal like Northstar's (prettytable's
 * FORMAT_NO_BORDER_LINE_SEPARATOR: '|' between columns, a '-'/'+' rule under the title
 * row, one space of padding, optional colours), otherwise one line per row with the
 * columns separated by tabs, under a title line: stable for scripts. */
#ifndef NS_NSTAR_TABLE_H
#define NS_NSTAR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum nstar_style {
	NSTAR_STYLE_NONE,
	NSTAR_STYLE_BOLD,
	NSTAR_STYLE_BLUE,
	NSTAR_STYLE_GREEN,
	NSTAR_STYLE_YELLOW,
	NSTAR_STYLE_CYAN,
};

enum nstar_table_mode {
	NSTAR_TABLE_TSV,
	NSTAR_TABLE_PRETTY, /* drawn, without colours */
	NSTAR_TABLE_COLOR,  /* drawn, bold titles and coloured cells */
};

struct nstar_table {
	const char *const *titles;
	size_t ncols, nrows, cap;
	char **text;	       /* nrows * ncols cells, owned */
	unsigned char *styles; /* enum nstar_style per cell */
};

void nstar_table_init(struct nstar_table *t, const char *const *titles, size_t ncols);
/* Copies one row of ncols cells; styles may be NULL. Returns 0 or -ENOMEM. */
int nstar_table_add(struct nstar_table *t, const char *const *cells, const unsigned char *styles);
void nstar_table_print(const struct nstar_table *t, FILE *out, enum nstar_table_mode mode);
void nstar_table_free(struct nstar_table *t);

/* Whether a terminal gets colours, from the environment's NO_COLOR and TERM (either may
 * be NULL): not when NO_COLOR is set to a non-empty value (no-color.org), nor when TERM
 * is "dumb", a terminal that does not understand escape sequences. */
bool nstar_color_wanted(const char *no_color, const char *term);
/* TERM is "dumb": no escape sequences at all (colours, install's progress bar). */
bool nstar_term_dumb(const char *term);

/* Columns a text takes on a terminal: its UTF-8 code points. */
size_t nstar_text_width(const char *s);

#endif

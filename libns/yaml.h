/* YAML loading on libyaml: a small read-only tree whose nodes keep their source
 * position, so every rejection can name file:line:column. Plain scalars are typed
 * by YAML 1.2 core rules as serde_yaml reads them ("yes" is a string, "0777" is
 * not an integer, "0o777" and "0x1f" are). */
#ifndef NS_YAML_H
#define NS_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum ns_ykind { NS_YSCALAR, NS_YSEQ, NS_YMAP };

struct ns_ynode {
	enum ns_ykind kind;
	unsigned line, col; /* 1-based */
	const char *tag;    /* explicit tag as written ("!fifo"), else NULL */
	/* scalars */
	const char *str; /* NUL-terminated; may hold embedded NULs (see len) */
	size_t len;
	bool plain; /* plain (unquoted) style: subject to typing */
	/* sequences: items[i]; mappings: items[2i] is a key, items[2i+1] its value */
	struct ns_ynode **items;
	size_t n; /* number of items, or of pairs for a mapping */
};

struct ns_yarena;

struct ns_ydoc {
	const char *source;    /* name used in messages ("manifest.yaml") */
	struct ns_ynode *root; /* NULL for an empty document */
	struct ns_yarena *arena;
};

/* Parses exactly one document. Anchors are allowed, aliases are refused (no
 * expansion bombs). Depth is limited to 64. */
int ns_yaml_load(const char *source, const char *data, size_t len, struct ns_ydoc *doc,
		 struct ns_err *err);
void ns_ydoc_free(struct ns_ydoc *doc);

/* Error naming "source:line:col: " and the message. Returns -errnum. */
int ns_yerr(struct ns_err *e, const struct ns_ydoc *d, const struct ns_ynode *n, int errnum,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline struct ns_ynode *ns_ymap_key(const struct ns_ynode *m, size_t i)
{
	return m->items[2 * i];
}
static inline struct ns_ynode *ns_ymap_val(const struct ns_ynode *m, size_t i)
{
	return m->items[2 * i + 1];
}
/* The value of the last pair whose key is the scalar key, or NULL. */
const struct ns_ynode *ns_ymap_get(const struct ns_ynode *map, const char *key);

bool ns_yscalar_is_null(const struct ns_ynode *n); /* plain ~, null, Null, NULL, "" */
bool ns_yscalar_has_nul(const struct ns_ynode *n);
/* Each returns 0, or -EINVAL when n is not a scalar of that type, -ERANGE on overflow. */
int ns_yscalar_bool(const struct ns_ynode *n, bool *out);
int ns_yscalar_u64(const struct ns_ynode *n, uint64_t *out);
int ns_yscalar_i64(const struct ns_ynode *n, int64_t *out);
/* Integer syntax on plain text: [+-]? (decimal without leading 0 | 0x.. | 0o.. | 0b..). */
int ns_parse_yaml_int(const char *s, bool *neg, uint64_t *mag);

const char *ns_ykind_name(enum ns_ykind k);

/* What a scalar resolves to when a typed value is wanted, as serde_yaml 0.9 reads it:
 * plain scalars by YAML 1.2 core rules (null: "", ~, null/Null/NULL; bool: true/True/TRUE,
 * false/...; int: [+-]? decimal without leading zero, 0x.., 0o.., 0b..; float:
 * [+-]?(d+[.d*]|.d+)([eE][+-]?d+)?, .inf, -.inf, .nan; anything else a string); quoted
 * scalars are strings; the core tags !!null, !!bool, !!int, !!float force their type
 * (and fail on a bad value); any other tag leaves the text a string. */
enum ns_ytype { NS_YT_NULL, NS_YT_BOOL, NS_YT_INT, NS_YT_FLOAT, NS_YT_STR };
struct ns_yscalar {
	enum ns_ytype type;
	bool b;	       /* NS_YT_BOOL */
	bool neg;      /* NS_YT_INT: sign and magnitude */
	bool overflow; /* NS_YT_INT: beyond 64 bits (mag not valid) */
	uint64_t mag;
	double f; /* NS_YT_FLOAT */
};
/* Returns 0, or -EINVAL when n is not a scalar or a core tag does not fit its value. */
int ns_yscalar_resolve(const struct ns_ynode *n, struct ns_yscalar *out);
const char *ns_ytype_name(enum ns_ytype t);

#endif

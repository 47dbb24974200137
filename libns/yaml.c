#include "yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64
#define MAX_NODES (1u << 20)

/* Bump allocator: a document's nodes and strings are freed together. */
struct ns_yarena {
	struct ns_yarena *next;
	size_t used, cap;
	max_align_t data[];
};

static void *arena_alloc(struct ns_yarena **head, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct ns_yarena *a = *head;
	if (!a || a->cap - a->used < size) {
		size_t cap = size > 65536 ? size : 65536;
		struct ns_yarena *n = malloc(sizeof(*n) + cap);
		if (!n)
			return NULL;
		n->next = a;
		n->used = 0;
		n->cap = cap;
		*head = a = n;
	}
	void *p = (char *)a->data + a->used;
	a->used += size;
	return p;
}

void ns_ydoc_free(struct ns_ydoc *doc)
{
	struct ns_yarena *a = doc->arena;
	while (a) {
		struct ns_yarena *next = a->next;
		free(a);
		a = next;
	}
	doc->arena = NULL;
	doc->root = NULL;
}

int ns_yerr(struct ns_err *e, const struct ns_ydoc *d, const struct ns_ynode *n, int errnum,
	    const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		return ns_err_set(e, errnum, "%s:%u:%u: %s", d->source, n->line, n->col, msg);
	return ns_err_set(e, errnum, "%s: %s", d->source, msg);
}

const char *ns_ykind_name(enum ns_ykind k)
{
	switch (k) {
	case NS_YSCALAR:
		return "a scalar";
	case NS_YSEQ:
		return "a sequence";
	case NS_YMAP:
		return "a mapping";
	}
	return "?";
}

struct loader {
	yaml_parser_t parser;
	struct ns_ydoc *doc;
	struct ns_err *err;
	unsigned nodes;
};

static char *arena_strdup(struct ns_yarena **a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static int loader_next(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev)) {
		yaml_mark_t m = l->parser.problem_mark;
		return ns_err_set(
		    l->err, EINVAL, "%s:%zu:%zu: invalid YAML: %s%s%s", l->doc->source, m.line + 1,
		    m.column + 1, l->parser.problem ? l->parser.problem : "syntax error",
		    l->parser.context ? " " : "", l->parser.context ? l->parser.context : "");
	}
	return 0;
}

static struct ns_ynode *new_node(struct loader *l, enum ns_ykind kind, const yaml_event_t *ev,
				 const yaml_char_t *tag)
{
	if (++l->nodes > MAX_NODES) {
		ns_err_set(l->err, E2BIG, "%s: too many YAML nodes", l->doc->source);
		return NULL;
	}
	struct ns_ynode *n = arena_alloc(&l->doc->arena, sizeof(*n));
	if (!n) {
		ns_err_set(l->err, ENOMEM, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)ev->start_mark.line + 1;
	n->col = (unsigned)ev->start_mark.column + 1;
	if (tag) {
		n->tag = arena_strdup(&l->doc->arena, (const char *)tag, strlen((const char *)tag));
		if (!n->tag) {
			ns_err_set(l->err, ENOMEM, "out of memory");
			return NULL;
		}
	}
	return n;
}

/* Collects child pointers in a growable heap vector, then moves them to the arena. */
struct vec {
	struct ns_ynode **v;
	size_t n, cap;
};

static int vec_push(struct vec *v, struct ns_ynode *n)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		struct ns_ynode **nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = n;
	return 0;
}

static int load_node(struct loader *l, yaml_event_t *ev, unsigned depth, struct ns_ynode **out);

static int load_children(struct loader *l, struct ns_ynode *parent, yaml_event_type_t end,
			 unsigned depth)
{
	struct vec v = {0};
	int r = 0;
	for (;;) {
		yaml_event_t ev;
		r = loader_next(l, &ev);
		if (r < 0)
			break;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			break;
		}
		struct ns_ynode *child = NULL;
		r = load_node(l, &ev, depth + 1, &child);
		yaml_event_delete(&ev);
		if (r < 0)
			break;
		/* A complex key ("? [a]: b") has no text: every reader of a key compares its
		 * text, so such keys are refused here, once, for configs and manifests alike. */
		if (parent->kind == NS_YMAP && v.n % 2 == 0 && child->kind != NS_YSCALAR) {
			r = ns_err_set(l->err, EINVAL, "%s:%u:%u: a mapping key must be a scalar",
				       l->doc->source, child->line, child->col);
			break;
		}
		if (vec_push(&v, child) < 0) {
			r = ns_err_set(l->err, ENOMEM, "out of memory");
			break;
		}
	}
	if (r == 0 && v.n) {
		parent->items = arena_alloc(&l->doc->arena, v.n * sizeof(*v.v));
		if (!parent->items)
			r = ns_err_set(l->err, ENOMEM, "out of memory");
		else
			memcpy(parent->items, v.v, v.n * sizeof(*v.v));
	}
	parent->n = parent->kind == NS_YMAP ? v.n / 2 : v.n;
	free(v.v);
	return r;
}

static int load_node(struct loader *l, yaml_event_t *ev, unsigned depth, struct ns_ynode **out)
{
	struct ns_ynode *n;
	if (depth > MAX_DEPTH)
		return ns_err_set(l->err, E2BIG, "%s:%zu:%zu: nesting deeper than %d levels",
				  l->doc->source, ev->start_mark.line + 1,
				  ev->start_mark.column + 1, MAX_DEPTH);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = new_node(l, NS_YSCALAR, ev, ev->data.scalar.tag);
		if (!n)
			return ns_err_ret(l->err);
		n->str = arena_strdup(&l->doc->arena, (const char *)ev->data.scalar.value,
				      ev->data.scalar.length);
		if (!n->str)
			return ns_err_set(l->err, ENOMEM, "out of memory");
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !n->tag;
		*out = n;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(l, NS_YSEQ, ev, ev->data.sequence_start.tag);
		if (!n)
			return ns_err_ret(l->err);
		*out = n;
		return load_children(l, n, YAML_SEQUENCE_END_EVENT, depth);
	case YAML_MAPPING_START_EVENT:
		n = new_node(l, NS_YMAP, ev, ev->data.mapping_start.tag);
		if (!n)
			return ns_err_ret(l->err);
		*out = n;
		return load_children(l, n, YAML_MAPPING_END_EVENT, depth);
	case YAML_ALIAS_EVENT:
		return ns_err_set(l->err, EINVAL, "%s:%zu:%zu: YAML aliases are not supported",
				  l->doc->source, ev->start_mark.line + 1,
				  ev->start_mark.column + 1);
	default:
		return ns_err_set(l->err, EINVAL, "%s:%zu:%zu: unexpected YAML event",
				  l->doc->source, ev->start_mark.line + 1,
				  ev->start_mark.column + 1);
	}
}

static int expect_event(struct loader *l, yaml_event_type_t type, const char *what)
{
	yaml_event_t ev;
	int r = loader_next(l, &ev);
	if (r < 0)
		return r;
	if (ev.type != type)
		r = ns_err_set(l->err, EINVAL, "%s:%zu:%zu: %s", l->doc->source,
			       ev.start_mark.line + 1, ev.start_mark.column + 1, what);
	yaml_event_delete(&ev);
	return r;
}

int ns_yaml_load(const char *source, const char *data, size_t len, struct ns_ydoc *doc,
		 struct ns_err *err)
{
	struct loader l = {.doc = doc, .err = err};
	yaml_event_t ev;
	int r;

	memset(doc, 0, sizeof(*doc));
	doc->source = source;
	if (memchr(data, '\0', len))
		return ns_err_set(err, EINVAL, "%s: contains a NUL byte", source);
	if (!yaml_parser_initialize(&l.parser))
		return ns_err_set(err, ENOMEM, "out of memory");
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&l.parser, YAML_UTF8_ENCODING);

	r = expect_event(&l, YAML_STREAM_START_EVENT, "expected a YAML stream");
	if (r < 0)
		goto out;
	r = loader_next(&l, &ev);
	if (r < 0)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) { /* empty input */
		yaml_event_delete(&ev);
		goto out;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_event_delete(&ev);
		r = ns_err_set(err, EINVAL, "%s: expected a YAML document", source);
		goto out;
	}
	yaml_event_delete(&ev);
	r = loader_next(&l, &ev);
	if (r < 0)
		goto out;
	r = load_node(&l, &ev, 0, &doc->root);
	yaml_event_delete(&ev);
	if (r < 0)
		goto out;
	r = expect_event(&l, YAML_DOCUMENT_END_EVENT, "expected the end of the document");
	if (r < 0)
		goto out;
	r = expect_event(&l, YAML_STREAM_END_EVENT, "only one YAML document is allowed");
out:
	yaml_parser_delete(&l.parser);
	if (r < 0)
		ns_ydoc_free(doc);
	return r;
}

const struct ns_ynode *ns_ymap_get(const struct ns_ynode *map, const char *key)
{
	const struct ns_ynode *found = NULL;
	if (!map || map->kind != NS_YMAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(map, i);
		if (k->kind == NS_YSCALAR && k->len == strlen(key) && strcmp(k->str, key) == 0)
			found = ns_ymap_val(map, i);
	}
	return found;
}

bool ns_yscalar_is_null(const struct ns_ynode *n)
{
	if (!n)
		return true;
	if (n->kind != NS_YSCALAR)
		return false;
	if (n->tag && strcmp(n->tag, "tag:yaml.org,2002:null") == 0)
		return true;
	if (!n->plain)
		return false;
	return n->len == 0 || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
	       !strcmp(n->str, "Null") || !strcmp(n->str, "NULL");
}

bool ns_yscalar_has_nul(const struct ns_ynode *n)
{
	return n->kind == NS_YSCALAR && strlen(n->str) != n->len;
}

int ns_yscalar_bool(const struct ns_ynode *n, bool *out)
{
	if (!n || n->kind != NS_YSCALAR || !n->plain)
		return -EINVAL;
	if (!strcmp(n->str, "true") || !strcmp(n->str, "True") || !strcmp(n->str, "TRUE")) {
		*out = true;
		return 0;
	}
	if (!strcmp(n->str, "false") || !strcmp(n->str, "False") || !strcmp(n->str, "FALSE")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int ns_parse_yaml_int(const char *s, bool *neg, uint64_t *mag)
{
	unsigned base = 10;
	uint64_t v = 0;
	*neg = false;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		return -EINVAL; /* leading zero: a string, not an integer */
	}
	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*mag = v;
	return 0;
}

int ns_yscalar_u64(const struct ns_ynode *n, uint64_t *out)
{
	bool neg;
	uint64_t v;
	if (!n || n->kind != NS_YSCALAR || !n->plain)
		return -EINVAL;
	int r = ns_parse_yaml_int(n->str, &neg, &v);
	if (r < 0)
		return r;
	if (neg && v != 0)
		return -ERANGE;
	*out = v;
	return 0;
}

int ns_yscalar_i64(const struct ns_ynode *n, int64_t *out)
{
	bool neg;
	uint64_t v;
	if (!n || n->kind != NS_YSCALAR || !n->plain)
		return -EINVAL;
	int r = ns_parse_yaml_int(n->str, &neg, &v);
	if (r < 0)
		return r;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

const char *ns_ytype_name(enum ns_ytype t)
{
	switch (t) {
	case NS_YT_NULL:
		return "null";
	case NS_YT_BOOL:
		return "a boolean";
	case NS_YT_INT:
		return "an integer";
	case NS_YT_FLOAT:
		return "a float";
	case NS_YT_STR:
		return "a string";
	}
	return "?";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Rust's f64 syntax without inf/nan words: [+-]?(d+[.d*]|.d+)([eE][+-]?d+)? */
static bool float_syntax(const char *s)
{
	size_t i = 0, digits = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	while (is_digit(s[i]))
		i++, digits++;
	if (s[i] == '.') {
		i++;
		while (is_digit(s[i]))
			i++, digits++;
	}
	if (digits == 0)
		return false;
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!is_digit(s[i]))
			return false;
		while (is_digit(s[i]))
			i++;
	}
	return s[i] == '\0';
}

static bool special_float(const char *s, double *out)
{
	const char *u = *s == '+' ? s + 1 : s;
	if (!strcmp(u, ".inf") || !strcmp(u, ".Inf") || !strcmp(u, ".INF")) {
		*out = HUGE_VAL;
		return true;
	}
	if (!strcmp(s, "-.inf") || !strcmp(s, "-.Inf") || !strcmp(s, "-.INF")) {
		*out = -HUGE_VAL;
		return true;
	}
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		*out = NAN;
		return true;
	}
	return false;
}

/* Leading zeros followed by digits only: a string by YAML 1.2, not an octal number. */
static bool leading_zero_digits(const char *s)
{
	while (*s == '+' || *s == '-')
		s++;
	if (s[0] != '0' || s[1] == '\0')
		return false;
	for (s++; *s; s++)
		if (!is_digit(*s))
			return false;
	return true;
}

static bool parse_float_text(const char *s, double *out)
{
	if (special_float(s, out))
		return true;
	if (!float_syntax(s))
		return false;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (*end != '\0' || !isfinite(d))
		return false;
	*out = d;
	return true;
}

static int resolve_plain(const char *s, struct ns_yscalar *out)
{
	int r;
	if (*s == '\0' || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL")) {
		out->type = NS_YT_NULL;
		return 0;
	}
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
	    !strcmp(s, "False") || !strcmp(s, "FALSE")) {
		out->type = NS_YT_BOOL;
		out->b = s[0] == 't' || s[0] == 'T';
		return 0;
	}
	r = ns_parse_yaml_int(s, &out->neg, &out->mag);
	if (r == 0 || r == -ERANGE) {
		out->type = NS_YT_INT;
		out->overflow = r == -ERANGE;
		return 0;
	}
	if (!leading_zero_digits(s) && parse_float_text(s, &out->f)) {
		out->type = NS_YT_FLOAT;
		return 0;
	}
	out->type = NS_YT_STR;
	return 0;
}

static int resolve_core_tag(const struct ns_ynode *n, const char *t, struct ns_yscalar *out)
{
	const char *s = n->str;
	struct ns_yscalar v = {.type = NS_YT_STR};
	if (!strcmp(t, "null")) {
		if (*s && strcmp(s, "~") && strcmp(s, "null") && strcmp(s, "Null") &&
		    strcmp(s, "NULL"))
			return -EINVAL;
		v.type = NS_YT_NULL;
	} else if (!strcmp(t, "bool")) {
		if (resolve_plain(s, &v) < 0 || v.type != NS_YT_BOOL)
			return -EINVAL;
	} else if (!strcmp(t, "int")) {
		if (resolve_plain(s, &v) < 0 || v.type != NS_YT_INT)
			return -EINVAL;
	} else if (!strcmp(t, "float")) {
		if (resolve_plain(s, &v) < 0 || (v.type != NS_YT_FLOAT && v.type != NS_YT_INT))
			return -EINVAL;
		if (v.type == NS_YT_INT)
			v.f = strtod(s, NULL);
		v.type = NS_YT_FLOAT;
	}
	*out = v;
	return 0;
}

int ns_yscalar_resolve(const struct ns_ynode *n, struct ns_yscalar *out)
{
	static const char core[] = "tag:yaml.org,2002:";
	memset(out, 0, sizeof(*out));
	if (!n || n->kind != NS_YSCALAR)
		return -EINVAL;
	if (n->tag) {
		if (!strncmp(n->tag, core, sizeof(core) - 1))
			return resolve_core_tag(n, n->tag + sizeof(core) - 1, out);
		out->type = NS_YT_STR;
		return 0;
	}
	if (!n->plain) {
		out->type = NS_YT_STR;
		return 0;
	}
	return resolve_plain(n->str, out);
}

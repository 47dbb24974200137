#include "jsonstrict.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Number tokens in document order: cJSON creates its number items in the same order,
 * so the n-th token belongs to the n-th number item of a pre-order walk. */
struct num_tokens {
	size_t *off, *len;
	size_t n, cap;
};

struct lexer {
	const unsigned char *s;
	size_t len, pos;
	unsigned depth, max_depth;
	size_t tokens, max_tokens;
	struct num_tokens nums;
	struct ns_err *err;
};

static int lex_fail(struct lexer *lx, size_t at, const char *what)
{
	return ns_err_set(lx->err, EINVAL, "%s at byte %zu", what, at);
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hex4(const unsigned char *s, size_t avail, unsigned *out)
{
	unsigned v = 0;
	if (avail < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* A \u escape at pos (pointing at 'u'), with its low surrogate when it needs one. */
static int lex_unicode_escape(struct lexer *lx)
{
	size_t at = lx->pos - 1;
	unsigned cp, lo;
	if (hex4(lx->s + lx->pos + 1, lx->len - lx->pos - 1, &cp) < 0)
		return lex_fail(lx, at, "invalid \\u escape");
	lx->pos += 5;
	if (cp == 0)
		return lex_fail(lx, at, "NUL (\\u0000) in string");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return lex_fail(lx, at, "unpaired surrogate escape");
	if (cp < 0xd800 || cp > 0xdbff)
		return 0;
	if (lx->len - lx->pos < 6 || lx->s[lx->pos] != '\\' || lx->s[lx->pos + 1] != 'u' ||
	    hex4(lx->s + lx->pos + 2, lx->len - lx->pos - 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
		return lex_fail(lx, at, "unpaired surrogate escape");
	lx->pos += 6;
	return 0;
}

static int lex_string(struct lexer *lx)
{
	size_t start = lx->pos++;
	while (lx->pos < lx->len) {
		unsigned char c = lx->s[lx->pos];
		if (c == '"') {
			lx->pos++;
			return 0;
		}
		if (c == 0)
			return lex_fail(lx, lx->pos, "NUL byte in string");
		if (c < 0x20)
			return lex_fail(lx, lx->pos, "control character in string");
		if (c >= 0x80) {
			size_t n = ns_utf8_seq_len(lx->s + lx->pos, lx->len - lx->pos);
			if (!n)
				return lex_fail(lx, lx->pos, "invalid UTF-8");
			lx->pos += n;
			continue;
		}
		lx->pos++;
		if (c != '\\')
			continue;
		if (lx->pos >= lx->len)
			break;
		c = lx->s[lx->pos];
		if (c == 'u') {
			int r = lex_unicode_escape(lx);
			if (r < 0)
				return r;
		} else if (strchr("\"\\/bfnrt", c) && c) {
			lx->pos++;
		} else {
			return lex_fail(lx, lx->pos - 1, "invalid escape in string");
		}
	}
	return lex_fail(lx, start, "unterminated string");
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static size_t digits(struct lexer *lx)
{
	size_t n = 0;
	while (lx->pos < lx->len && is_digit(lx->s[lx->pos])) {
		lx->pos++;
		n++;
	}
	return n;
}

static int num_push(struct lexer *lx, size_t off, size_t len)
{
	struct num_tokens *t = &lx->nums;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		size_t *o = realloc(t->off, cap * sizeof(*o));
		if (!o)
			return ns_err_set(lx->err, ENOMEM, "out of memory");
		t->off = o;
		size_t *l = realloc(t->len, cap * sizeof(*l));
		if (!l)
			return ns_err_set(lx->err, ENOMEM, "out of memory");
		t->len = l;
		t->cap = cap;
	}
	t->off[t->n] = off;
	t->len[t->n] = len;
	t->n++;
	return 0;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int lex_number(struct lexer *lx)
{
	size_t start = lx->pos;
	if (lx->s[lx->pos] == '-')
		lx->pos++;
	size_t int_start = lx->pos;
	size_t n = digits(lx);
	if (n == 0)
		return lex_fail(lx, start, "invalid number");
	if (n > 1 && lx->s[int_start] == '0')
		return lex_fail(lx, start, "number with a leading zero");
	if (lx->pos < lx->len && lx->s[lx->pos] == '.') {
		lx->pos++;
		if (digits(lx) == 0)
			return lex_fail(lx, start, "invalid number");
	}
	if (lx->pos < lx->len && (lx->s[lx->pos] == 'e' || lx->s[lx->pos] == 'E')) {
		lx->pos++;
		if (lx->pos < lx->len && (lx->s[lx->pos] == '+' || lx->s[lx->pos] == '-'))
			lx->pos++;
		if (digits(lx) == 0)
			return lex_fail(lx, start, "invalid number");
	}
	return num_push(lx, start, lx->pos - start);
}

static int lex_literal(struct lexer *lx)
{
	static const char *const words[] = {"true", "false", "null"};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if (lx->len - lx->pos >= n && !memcmp(lx->s + lx->pos, words[i], n)) {
			lx->pos += n;
			return 0;
		}
	}
	return lex_fail(lx, lx->pos, "unexpected character");
}

static int lex_other(struct lexer *lx)
{
	unsigned char c = lx->s[lx->pos];
	if (c == 0)
		return lex_fail(lx, lx->pos, "NUL byte");
	if (c >= 0x80 && !ns_utf8_seq_len(lx->s + lx->pos, lx->len - lx->pos))
		return lex_fail(lx, lx->pos, "invalid UTF-8");
	return lex_fail(lx, lx->pos, "unexpected character");
}

/* One pass over the text: tokens, UTF-8, escapes and depth. Structure is cJSON's. */
static int lex(struct lexer *lx)
{
	while (lx->pos < lx->len) {
		unsigned char c = lx->s[lx->pos];
		int r = 0;
		if (!is_ws(c) && c != ':' && c != ',' && c != '}' && c != ']' &&
		    ++lx->tokens > lx->max_tokens)
			return ns_err_set(lx->err, EINVAL,
					  "more than %zu JSON values and keys at byte %zu",
					  lx->max_tokens, lx->pos);
		if (is_ws(c) || c == ':' || c == ',') {
			lx->pos++;
		} else if (c == '{' || c == '[') {
			if (++lx->depth > lx->max_depth)
				return ns_err_set(lx->err, EINVAL,
						  "nesting deeper than %u at byte %zu",
						  lx->max_depth, lx->pos);
			lx->pos++;
		} else if (c == '}' || c == ']') {
			if (lx->depth == 0)
				return lex_fail(lx, lx->pos, "unbalanced bracket");
			lx->depth--;
			lx->pos++;
		} else if (c == '"') {
			r = lex_string(lx);
		} else if (c == '-' || is_digit(c)) {
			r = lex_number(lx);
		} else if (c == 't' || c == 'f' || c == 'n') {
			r = lex_literal(lx);
		} else {
			r = lex_other(lx);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Gives every number item its source text, in document order. */
static int attach_numbers(cJSON *item, const char *text, const struct num_tokens *t, size_t *next)
{
	for (; item; item = item->next) {
		if (cJSON_IsNumber(item)) {
			if (*next >= t->n)
				return -EIO;
			char *s = strndup(text + t->off[*next], t->len[*next]);
			if (!s)
				return -ENOMEM;
			item->valuestring = s;
			(*next)++;
		}
		int r = attach_numbers(item->child, text, t, next);
		if (r < 0)
			return r;
	}
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void path_append(char *path, size_t size, const char *fmt, const char *key, int idx)
{
	size_t n = strlen(path);
	if (n + 1 < size)
		snprintf(path + n, size - n, fmt, key ? key : "", idx);
}

/* Refuses an object that names a key twice (cJSON keeps both). Sorting keeps it
 * O(n log n) for the wide objects a hostile line may hold. */
static int check_duplicates(const cJSON *v, char *path, size_t size, struct ns_err *err)
{
	size_t n = 0, plen = strlen(path);
	for (const cJSON *c = v->child; c; c = c->next)
		n++;
	if (cJSON_IsObject(v) && n > 1) {
		const char **keys = malloc(n * sizeof(*keys));
		if (!keys)
			return ns_err_set(err, ENOMEM, "out of memory");
		size_t i = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			keys[i++] = c->string;
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (i = 1; i < n; i++)
			if (!strcmp(keys[i - 1], keys[i]))
				break;
		int r =
		    i < n ? ns_err_set(err, EINVAL, "duplicate key \"%.64s\" in %s", keys[i], path)
			  : 0;
		free(keys);
		if (r < 0)
			return r;
	}
	int idx = 0;
	for (const cJSON *c = v->child; c; c = c->next, idx++) {
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		if (cJSON_IsObject(v))
			path_append(path, size, ".%.64s", c->string, 0);
		else
			path_append(path, size, "%s[%d]", NULL, idx);
		int r = check_duplicates(c, path, size, err);
		path[plen] = '\0';
		if (r < 0)
			return r;
	}
	return 0;
}

int ns_json_parse_strict(const char *text, size_t len, const struct ns_json_limits *limits,
			 cJSON **out, struct ns_err *err)
{
	struct lexer lx = {.s = (const unsigned char *)text,
			   .len = len,
			   .max_depth = limits->max_depth,
			   .max_tokens = limits->max_tokens,
			   .err = err};
	size_t first = 0;
	while (first < len && is_ws((unsigned char)text[first]))
		first++;
	if (first == len)
		return ns_err_set(err, EINVAL, "empty line: no JSON value");
	int r = lex(&lx);
	cJSON *root = NULL;
	if (r == 0) {
		const char *end = NULL;
		root = cJSON_ParseWithLengthOpts(text, len, &end, false);
		if (!root) {
			r = lex_fail(&lx, end ? (size_t)(end - text) : 0, "invalid JSON");
		} else {
			for (size_t i = (size_t)(end - text); i < len && r == 0; i++)
				if (!is_ws((unsigned char)text[i]))
					r = lex_fail(&lx, i,
						     "trailing characters after the JSON value");
		}
	}
	if (r == 0) {
		size_t next = 0;
		r = attach_numbers(root, text, &lx.nums, &next);
		if (r == 0 && next != lx.nums.n)
			r = -EIO;
		if (r < 0)
			r = ns_err_set(err, -r,
				       r == -ENOMEM ? "out of memory"
						    : "number tokens and items disagree");
	}
	if (r == 0) {
		char path[256] = "$";
		r = check_duplicates(root, path, sizeof(path), err);
	}
	free(lx.nums.off);
	free(lx.nums.len);
	if (r < 0) {
		cJSON_Delete(root);
		return r;
	}
	*out = root;
	return 0;
}

/* The exact text of an integer literal, or NULL for a fraction or an exponent, and for
 * "-0", which serde_json reads as the float -0.0. */
static const char *integer_text(const cJSON *item)
{
	if (!item || !cJSON_IsNumber(item) || !item->valuestring)
		return NULL;
	if (strpbrk(item->valuestring, ".eE") || !strcmp(item->valuestring, "-0"))
		return NULL;
	return item->valuestring;
}

int ns_json_exact_u64(const cJSON *item, uint64_t max, uint64_t *out)
{
	const char *s = integer_text(item);
	if (!s)
		return -EINVAL;
	if (s[0] == '-')
		return -ERANGE;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int ns_json_exact_i64(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
	const char *s = integer_text(item);
	if (!s)
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Names, versions and requirements with the rules of Northstar's Name type and of
 * Rust's semver 1.0 crate, which Northstar's Version and VersionReq wrap. */
#include "version.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool ns_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > NS_NAME_MAX)
		return false;
	/* Northstar allows these, but names become directory names (data_dir/<name>). */
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* A semver numeric identifier: digits, no leading zero, fits in 64 bits. */
static int numeric_identifier(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;
	size_t len = 0;
	while (s[len] >= '0' && s[len] <= '9') {
		unsigned d = (unsigned)(s[len] - '0');
		if (v == 0 && len > 0)
			return -EINVAL; /* leading zero */
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
		len++;
	}
	if (len == 0)
		return -EINVAL;
	*out = v;
	*sp = s + len;
	return 0;
}

static bool ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '-';
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; numeric pre-release
 * identifiers must not have leading zeros. Stores the length consumed. */
static int dotted_identifiers(const char *s, bool pre, size_t *len)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		bool nondigit = false;
		while (ident_char(s[i])) {
			if (s[i] < '0' || s[i] > '9')
				nondigit = true;
			i++;
		}
		if (i == start)
			return -EINVAL; /* empty segment */
		if (pre && !nondigit && i - start > 1 && s[start] == '0')
			return -EINVAL;
		if (s[i] != '.')
			break;
		i++;
	}
	*len = i;
	return 0;
}

/* Optional "-pre" and "+build" after a full version. Copies pre into pre_out when
 * given (pre_size bytes), refusing longer ones. */
static int pre_and_build(const char **sp, char *pre_out, size_t pre_size)
{
	const char *s = *sp;
	size_t len;
	int r;
	if (*s == '-') {
		r = dotted_identifiers(s + 1, true, &len);
		if (r < 0)
			return r;
		if (pre_out) {
			if (len >= pre_size)
				return -EINVAL;
			memcpy(pre_out, s + 1, len);
			pre_out[len] = '\0';
		}
		s += 1 + len;
	}
	if (*s == '+') {
		r = dotted_identifiers(s + 1, false, &len);
		if (r < 0)
			return r;
		s += 1 + len;
	}
	*sp = s;
	return 0;
}

int ns_version_parse(const char *s, struct ns_version *v)
{
	struct ns_version t;
	int r;
	if ((r = numeric_identifier(&s, &t.major)) < 0)
		return r;
	if (*s++ != '.')
		return -EINVAL;
	if ((r = numeric_identifier(&s, &t.minor)) < 0)
		return r;
	if (*s++ != '.')
		return -EINVAL;
	if ((r = numeric_identifier(&s, &t.patch)) < 0)
		return r;
	if ((r = pre_and_build(&s, NULL, 0)) < 0)
		return r;
	if (*s != '\0')
		return -EINVAL;
	*v = t;
	return 0;
}

int ns_version_cmp(const struct ns_version *a, const struct ns_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

char *ns_version_str(const struct ns_version *v, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 ".%" PRIu64, v->major, v->minor, v->patch);
	return buf;
}

static bool is_wildcard(char c)
{
	return c == '*' || c == 'x' || c == 'X';
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

static const char *parse_op(const char *s, struct ns_version_cmp *c)
{
	switch (s[0]) {
	case '=':
		c->op = NS_CMP_EXACT;
		return s + 1;
	case '>':
		c->op = s[1] == '=' ? NS_CMP_GE : NS_CMP_GT;
		return s + (s[1] == '=' ? 2 : 1);
	case '<':
		c->op = s[1] == '=' ? NS_CMP_LE : NS_CMP_LT;
		return s + (s[1] == '=' ? 2 : 1);
	case '~':
		c->op = NS_CMP_TILDE;
		return s + 1;
	case '^':
		c->op = NS_CMP_CARET;
		return s + 1;
	default:
		c->op = NS_CMP_CARET; /* semver's default operator */
		return s;
	}
}

/* One comparator: op, MAJOR[.MINOR|.*[.PATCH|.*]][-pre][+build], trailing spaces. */
static int parse_comparator(const char **sp, struct ns_version_cmp *c)
{
	const char *s = *sp;
	int r;
	memset(c, 0, sizeof(*c));
	const char *after_op = parse_op(s, c);
	bool default_op = after_op == s;
	bool wildcard_minor = false;
	s = skip_spaces(after_op);
	if ((r = numeric_identifier(&s, &c->major)) < 0)
		return r;
	if (*s == '.') {
		s++;
		if (is_wildcard(*s)) {
			s++;
			wildcard_minor = true;
			if (default_op)
				c->op = NS_CMP_WILDCARD;
		} else {
			if ((r = numeric_identifier(&s, &c->minor)) < 0)
				return r;
			c->has_minor = true;
		}
	}
	if (*s == '.') {
		s++;
		if (is_wildcard(*s)) {
			s++;
			if (default_op)
				c->op = NS_CMP_WILDCARD;
		} else if (wildcard_minor) {
			return -EINVAL; /* "1.*.3" */
		} else {
			if ((r = numeric_identifier(&s, &c->patch)) < 0)
				return r;
			c->has_patch = true;
		}
	}
	if (c->has_patch && (r = pre_and_build(&s, c->pre, sizeof(c->pre))) < 0)
		return r;
	*sp = skip_spaces(s);
	return 0;
}

int ns_version_req_parse(const char *s, struct ns_version_req *req)
{
	struct ns_version_req t = {.n = 0};
	s = skip_spaces(s);
	if (is_wildcard(*s)) {
		/* A lone "*" (or x, X) means any version; it cannot be combined. */
		if (*skip_spaces(s + 1) != '\0')
			return -EINVAL;
		*req = t;
		return 0;
	}
	for (;;) {
		if (t.n == NS_VERSION_REQ_MAX)
			return -E2BIG;
		int r = parse_comparator(&s, &t.cmp[t.n]);
		if (r < 0)
			return r;
		t.n++;
		if (*s == '\0')
			break;
		if (*s != ',')
			return -EINVAL;
		s = skip_spaces(s + 1);
	}
	*req = t;
	return 0;
}

/* The remaining comparisons of semver's eval.rs, specialised to versions without a
 * pre-release (ours never have one): such a version sorts above every pre-release. */
static bool matches_exact(const struct ns_version_cmp *c, const struct ns_version *v)
{
	if (v->major != c->major)
		return false;
	if (c->has_minor && v->minor != c->minor)
		return false;
	if (c->has_patch && v->patch != c->patch)
		return false;
	return c->pre[0] == '\0';
}

/* sign > 0: "greater than", sign < 0: "less than". */
static bool matches_order(const struct ns_version_cmp *c, const struct ns_version *v, int sign)
{
	if (v->major != c->major)
		return sign > 0 ? v->major > c->major : v->major < c->major;
	if (!c->has_minor)
		return false;
	if (v->minor != c->minor)
		return sign > 0 ? v->minor > c->minor : v->minor < c->minor;
	if (!c->has_patch)
		return false;
	if (v->patch != c->patch)
		return sign > 0 ? v->patch > c->patch : v->patch < c->patch;
	return sign > 0 ? c->pre[0] != '\0' : false;
}

static bool matches_tilde(const struct ns_version_cmp *c, const struct ns_version *v)
{
	if (v->major != c->major)
		return false;
	if (c->has_minor && v->minor != c->minor)
		return false;
	if (c->has_patch && v->patch != c->patch)
		return v->patch > c->patch;
	return true;
}

static bool matches_caret(const struct ns_version_cmp *c, const struct ns_version *v)
{
	if (v->major != c->major)
		return false;
	if (!c->has_minor)
		return true;
	if (!c->has_patch)
		return c->major > 0 ? v->minor >= c->minor : v->minor == c->minor;
	if (c->major > 0) {
		if (v->minor != c->minor)
			return v->minor > c->minor;
		return v->patch >= c->patch;
	}
	if (c->minor > 0) {
		if (v->minor != c->minor)
			return false;
		return v->patch >= c->patch;
	}
	return v->minor == c->minor && v->patch == c->patch;
}

static bool matches_one(const struct ns_version_cmp *c, const struct ns_version *v)
{
	switch (c->op) {
	case NS_CMP_EXACT:
	case NS_CMP_WILDCARD:
		return matches_exact(c, v);
	case NS_CMP_GT:
		return matches_order(c, v, 1);
	case NS_CMP_GE:
		return matches_exact(c, v) || matches_order(c, v, 1);
	case NS_CMP_LT:
		return matches_order(c, v, -1);
	case NS_CMP_LE:
		return matches_exact(c, v) || matches_order(c, v, -1);
	case NS_CMP_TILDE:
		return matches_tilde(c, v);
	case NS_CMP_CARET:
		return matches_caret(c, v);
	}
	return false;
}

bool ns_version_req_matches(const struct ns_version_req *req, const struct ns_version *v)
{
	for (size_t i = 0; i < req->n; i++)
		if (!matches_one(&req->cmp[i], v))
			return false;
	return true;
}

static const char *op_text(int op)
{
	static const char *const ops[] = {
	    [NS_CMP_EXACT] = "=", [NS_CMP_GT] = ">",	  [NS_CMP_GE] = ">=",
	    [NS_CMP_LT] = "<",	  [NS_CMP_LE] = "<=",	  [NS_CMP_TILDE] = "~",
	    [NS_CMP_CARET] = "^", [NS_CMP_WILDCARD] = "",
	};
	return ops[op];
}

char *ns_version_req_str(const struct ns_version_req *req, char *buf, size_t size)
{
	size_t off = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (req->n == 0) {
		snprintf(buf, size, "*");
		return buf;
	}
	for (size_t i = 0; i < req->n && off < size; i++) {
		const struct ns_version_cmp *c = &req->cmp[i];
		int w = snprintf(buf + off, size - off, "%s%s%" PRIu64, i ? ", " : "",
				 op_text(c->op), c->major);
		if (w > 0)
			off += (size_t)w;
		if (off >= size)
			break;
		if (c->has_minor) {
			if (c->has_patch)
				w = snprintf(buf + off, size - off, ".%" PRIu64 ".%" PRIu64 "%s%s",
					     c->minor, c->patch, c->pre[0] ? "-" : "", c->pre);
			else
				w = snprintf(buf + off, size - off, ".%" PRIu64 "%s", c->minor,
					     c->op == NS_CMP_WILDCARD ? ".*" : "");
		} else {
			w = snprintf(buf + off, size - off, "%s",
				     c->op == NS_CMP_WILDCARD ? ".*" : "");
		}
		if (w > 0)
			off += (size_t)w;
	}
	return buf;
}

int ns_container_id_parse(const char *s, struct ns_container_id *id, struct ns_err *err)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return ns_err_set(err, EINVAL, "'%.64s': missing container version", s);
	size_t nlen = (size_t)(colon - s);
	if (!ns_name_valid(s, nlen))
		return ns_err_set(err, EINVAL, "'%.64s': invalid name", s);
	struct ns_version v;
	if (ns_version_parse(colon + 1, &v) < 0)
		return ns_err_set(err, EINVAL, "'%.64s': invalid container version", s);
	memcpy(id->name, s, nlen);
	id->name[nlen] = '\0';
	id->version = v;
	return 0;
}

char *ns_container_id_str(const struct ns_container_id *id, char *buf, size_t size)
{
	char v[64];
	snprintf(buf, size, "%s:%s", id->name, ns_version_str(&id->version, v, sizeof(v)));
	return buf;
}

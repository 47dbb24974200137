/* Strict JSON input on top of cJSON. cJSON alone accepts more than RFC 8259 (control
 * characters as whitespace, raw control bytes and any bytes in strings, "01", "1.",
 * "\u0000", lone surrogates, duplicate keys, trailing text), and keeps numbers only as
 * doubles. Here a lexical pass refuses all of that and limits nesting before cJSON
 * builds the tree; afterwards each number item keeps its exact source text in
 * valuestring (freed by cJSON_Delete), so integers are read exactly in their full range. */
#ifndef NS_JSONSTRICT_H
#define NS_JSONSTRICT_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Bounds checked before cJSON builds anything: nesting depth, and the number of tokens
 * that become tree nodes (values and keys), which bounds the tree's memory and cJSON's
 * time (about 0.7 us and 100 bytes per number). */
struct ns_json_limits {
	unsigned max_depth;
	size_t max_tokens;
};

/* Parses exactly one JSON value (surrounding whitespace allowed). Errors name the byte
 * offset, or for duplicate keys the path of the object ("$.request.kill"). */
int ns_json_parse_strict(const char *text, size_t len, const struct ns_json_limits *limits,
			 cJSON **out, struct ns_err *err);

/* Integers of a tree from ns_json_parse_strict, read from the number's exact text.
 * -EINVAL when item is not a number or has a fraction or exponent, -ERANGE when it
 * lies outside [min, max] (or [0, max]). */
int ns_json_exact_u64(const cJSON *item, uint64_t max, uint64_t *out);
int ns_json_exact_i64(const cJSON *item, int64_t min, int64_t max, int64_t *out);

#endif

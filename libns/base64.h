/* Standard padded base64 (RFC 4648 §4) on mbedtls, read strictly: only the canonical
 * encoding of some bytes is accepted (no whitespace, no missing padding, no stray bits),
 * as Rust's base64 STANDARD engine requires. */
#ifndef NS_BASE64_H
#define NS_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Malloc'ed NUL-terminated text, or NULL when out of memory. */
char *ns_base64_encode(const uint8_t *data, size_t len);
/* Decodes into out (size bytes, at least len / 4 * 3). Returns 0, or -EINVAL for text
 * that is not canonical base64, -ENOBUFS when out is too small. */
int ns_base64_decode(const char *text, size_t len, uint8_t *out, size_t size, size_t *out_len);

#endif

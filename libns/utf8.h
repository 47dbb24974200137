/* UTF-8 validation as Rust's str requires it: no overlong forms, no surrogates, nothing
 * above U+10FFFF. */
#ifndef NS_UTF8_H
#define NS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid sequence at s (1..4), or 0 when the bytes there are not UTF-8. */
size_t ns_utf8_seq_len(const unsigned char *s, size_t avail);
bool ns_utf8_valid(const char *s, size_t len);
/* A malloc'ed copy of s in which every invalid sequence becomes U+FFFD (the way Rust's
 * String::from_utf8_lossy renders it). NULL when out of memory. */
char *ns_utf8_lossy(const char *s);

#endif

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

/* Text that may come from a container, made safe for a log line on a terminal: every
 * control character (C0 but tab, DEL, C1), the line and paragraph separators and the
 * bidirectional overrides become visible escapes (\r, \n, \x1b, \u0085, \u202e), and
 * every byte of an invalid UTF-8 sequence becomes \xNN. Nothing else changes (a
 * backslash stays as it is). Writes at most size-1 bytes and a NUL, never cutting an
 * escape or a sequence; returns the length written. NS_UTF8_ESCAPE_MAX(len) always fits. */
#define NS_UTF8_ESCAPE_MAX(len) ((len)*4 + 1)
size_t ns_utf8_escape(const char *s, size_t len, char *out, size_t size);

#endif

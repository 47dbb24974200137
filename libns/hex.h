/* Hex text of bytes: lowercase out, either case in, as Northstar's hashes and the
 * kernel's dm tables spell them. */
#ifndef NS_HEX_H
#define NS_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lowercase hex of len bytes into out (at least 2 * len + 1 bytes); returns out. */
static inline char *ns_hex(const uint8_t *d, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * len] = '\0';
	return out;
}

static inline int ns_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2 * n hex digits of s (slen bytes) into n bytes; -EINVAL otherwise. */
static inline int ns_hex_decode(const char *s, size_t slen, uint8_t *out, size_t n)
{
	if (slen != 2 * n)
		return -22; /* EINVAL */
	for (size_t i = 0; i < n; i++) {
		int hi = ns_hex_digit(s[2 * i]), lo = ns_hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -22;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

#endif

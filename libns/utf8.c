#include "utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Checks the sequence at s. Returns its length when valid; otherwise 0, with *bad set to
 * the length of the maximal invalid subpart (the bytes one U+FFFD replaces). */
static size_t utf8_check(const unsigned char *s, size_t avail, size_t *bad)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		bool ok = i < avail && (i == 1 ? s[i] >= lo && s[i] <= hi : (s[i] & 0xc0) == 0x80);
		if (!ok) {
			*bad = i;
			return 0;
		}
	}
	return n;
}

size_t ns_utf8_seq_len(const unsigned char *s, size_t avail)
{
	size_t bad;
	return utf8_check(s, avail, &bad);
}

bool ns_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = ns_utf8_seq_len(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *ns_utf8_lossy(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	/* Each bad byte (1 byte) becomes 3 bytes at most. */
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0, i = 0;
	while (i < len) {
		size_t bad, n = utf8_check(p + i, len - i, &bad);
		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += bad;
		}
	}
	out[o] = '\0';
	return out;
}

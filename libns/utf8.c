#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
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

/* Code points that are valid UTF-8 but move a terminal's cursor or reorder text: C1
 * controls, U+2028/U+2029 (some viewers break lines there) and the bidirectional
 * embeddings, overrides and isolates ("Trojan Source"). */
static bool unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static uint32_t decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t cp = s[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

size_t ns_utf8_escape(const char *s, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;
	if (size == 0)
		return 0;
	while (i < len) {
		char esc[8];
		size_t elen = 0, bad, n = utf8_check(p + i, len - i, &bad);
		uint32_t cp = n ? decode(p + i, n) : 0;
		if (n == 1 && cp == '\r') {
			memcpy(esc, "\\r", elen = 2);
		} else if (n == 1 && cp == '\n') {
			memcpy(esc, "\\n", elen = 2);
		} else if (n == 1 && ((cp < 0x20 && cp != '\t') || cp == 0x7f)) {
			esc[0] = '\\', esc[1] = 'x', esc[2] = hex[cp >> 4], esc[3] = hex[cp & 15];
			elen = 4;
		} else if (n && unsafe_cp(cp)) {
			esc[0] = '\\', esc[1] = 'u';
			for (int k = 0; k < 4; k++)
				esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
			elen = 6;
		} else if (!n) {
			n = 1; /* each byte of an invalid sequence on its own */
			esc[0] = '\\', esc[1] = 'x', esc[2] = hex[p[i] >> 4],
			esc[3] = hex[p[i] & 15];
			elen = 4;
		}
		size_t w = elen ? elen : n;
		if (o + w > size - 1)
			break;
		memcpy(out + o, elen ? esc : (const char *)p + i, w);
		o += w;
		i += n;
	}
	out[o] = '\0';
	return o;
}

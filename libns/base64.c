#include "base64.h"

#include <errno.h>
#include <mbedtls/base64.h>
#include <stdlib.h>
#include <string.h>

char *ns_base64_encode(const uint8_t *data, size_t len)
{
	size_t need = (len + 2) / 3 * 4 + 1, olen;
	char *s = malloc(need);
	if (!s)
		return NULL;
	if (mbedtls_base64_encode((unsigned char *)s, need, &olen, data, len) != 0) {
		free(s);
		return NULL;
	}
	s[olen] = '\0';
	return s;
}

static int b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int ns_base64_decode(const char *text, size_t len, uint8_t *out, size_t size, size_t *out_len)
{
	/* mbedtls skips line breaks and spaces and tolerates missing padding (it reads PEM),
	 * so the shape is checked first and the canonical form compared after decoding. */
	if (len % 4)
		return -EINVAL;
	size_t pad = 0;
	while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (!b64_char((unsigned char)text[i]))
			return -EINVAL;
	if (len / 4 * 3 - pad > size)
		return -ENOBUFS;
	size_t olen;
	if (mbedtls_base64_decode(out, size, &olen, (const unsigned char *)text, len) != 0)
		return -EINVAL;
	char *again = ns_base64_encode(out, olen);
	if (!again)
		return -ENOMEM;
	int same = strlen(again) == len && !memcmp(again, text, len);
	free(again);
	if (!same)
		return -EINVAL;
	*out_len = olen;
	return 0;
}

#include "group.h"

#include <errno.h>
#include <string.h>

#define GID_MAX_VALID 4294967294u /* (gid_t)-1 means "no change" to the kernel */

static int parse_gid(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > GID_MAX_VALID)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int ns_group_parse_line(const char *line, size_t len, const char **name, size_t *name_len,
			uint32_t *gid)
{
	if (len == 0 || memchr(line, '\0', len) || line[0] == '+' || line[0] == '-' ||
	    line[0] == '#')
		return -EINVAL;
	const char *end = line + len;
	const char *c1 = memchr(line, ':', len);
	if (!c1 || c1 == line)
		return -EINVAL;
	const char *c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return -EINVAL;
	const char *gid_start = c2 + 1;
	const char *c3 = memchr(gid_start, ':', (size_t)(end - gid_start));
	const char *gid_end = c3 ? c3 : end;
	if (parse_gid(gid_start, (size_t)(gid_end - gid_start), gid) < 0)
		return -EINVAL;
	*name = line;
	*name_len = (size_t)(c1 - line);
	return 0;
}

int ns_group_find(const char *text, size_t len, const char *name, uint32_t *gid)
{
	size_t want = strlen(name);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = (size_t)((nl ? nl : end) - p);
		const char *n;
		size_t n_len;
		uint32_t g;
		if (ns_group_parse_line(p, line_len, &n, &n_len, &g) == 0 && n_len == want &&
		    memcmp(n, name, want) == 0) {
			*gid = g;
			return 1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

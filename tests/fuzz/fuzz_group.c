/* libFuzzer target: the /etc/group reader. The first line of the input is the name
 * to look up, the rest is the file. Any input must be handled without a crash or an
 * out-of-bounds read, and a match must be a line the line parser accepts. */
#include <stdlib.h>
#include <string.h>

#include "libns/group.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t name_len = nl ? (size_t)(nl - text) : size;
	char *name = malloc(name_len + 1);
	if (!name)
		return 0;
	memcpy(name, text, name_len);
	name[name_len] = '\0';
	size_t rest = nl ? size - name_len - 1 : 0;
	/* a copy of exactly the file's bytes, so ASan sees any read past its end */
	char *file = malloc(rest ? rest : 1);
	if (file) {
		if (rest)
			memcpy(file, nl + 1, rest);
		uint32_t gid;
		if (ns_group_find(file, rest, name, &gid) == 1 && gid == 4294967295u)
			abort();
		free(file);
	}
	free(name);
	return 0;
}

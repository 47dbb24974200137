/* libFuzzer target: the YAML loader must reject or accept any input without
 * crashing, leaking or reading out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "libns/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err;
	struct ns_ydoc doc;
	if (ns_yaml_load("fuzz", (const char *)data, size, &doc, &err) == 0) {
		uint64_t u;
		if (doc.root && doc.root->kind == NS_YMAP && doc.root->n)
			(void)ns_yscalar_u64(ns_ymap_val(doc.root, 0), &u);
		ns_ydoc_free(&doc);
	}
	return 0;
}

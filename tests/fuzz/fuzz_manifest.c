/* libFuzzer target: any input is rejected cleanly or parses to a manifest whose YAML
 * and JSON forms parse back to an equal manifest (and the image extras build). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libns/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* YAML limits implicit keys to 1024 characters, so JSON with longer object keys is
 * out of reach of the YAML reader (a documented limit); skip that check then. */
static int short_keys(const cJSON *j)
{
	for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
		if (c->string && strlen(c->string) > 1000)
			return 0;
		if (!short_keys(c))
			return 0;
	}
	return 1;
}

static void round_trip(const struct ns_manifest *m)
{
	struct ns_err err;
	struct ns_manifest again;
	char *yaml;
	size_t len;
	if (ns_manifest_to_yaml(m, &yaml, &len, &err) < 0)
		__builtin_trap();
	if (ns_manifest_parse("out.yaml", yaml, len, &again, &err) < 0)
		__builtin_trap();
	if (!ns_manifest_equal(m, &again))
		__builtin_trap();
	ns_manifest_free(&again);
	free(yaml);

	cJSON *j = ns_manifest_to_json(m);
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;
	if (!text)
		__builtin_trap();
	if (short_keys(j)) {
		if (ns_manifest_parse("out.json", text, strlen(text), &again, &err) < 0)
			__builtin_trap();
		if (!ns_manifest_equal(m, &again))
			__builtin_trap();
		ns_manifest_free(&again);
	}
	free(text);
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err;
	struct ns_manifest m;
	struct ns_fsx_list l;
	if (ns_manifest_parse("fuzz.yaml", (const char *)data, size, &m, &err) < 0)
		return 0;
	round_trip(&m);
	if (ns_manifest_fs_extras(&m, &l, &err) == 0)
		ns_fsx_list_free(&l);
	ns_manifest_free(&m);
	return 0;
}

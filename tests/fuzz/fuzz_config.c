/* libFuzzer target: the runtime configuration parser accepts or rejects any input
 * with a message, without crashing, leaking or reading out of bounds; an accepted
 * configuration has every required key. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "libns/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err;
	struct ns_config c;
	ns_err_clear(&err);
	if (ns_config_parse("fuzz.yaml", (const char *)data, size, &c, &err) == 0) {
		if (!c.run_dir || !c.data_dir || !c.socket_dir || !c.cgroup)
			abort();
		for (size_t i = 0; i < c.nrepos; i++)
			if (!c.repos[i].name || (c.repos[i].type == NS_REPO_FS && !c.repos[i].dir))
				abort();
		ns_config_free(&c);
	} else if (!err.msg[0]) {
		abort(); /* every rejection says why */
	}
	return 0;
}

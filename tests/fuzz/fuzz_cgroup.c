/* Fuzzes the text the cgroup code reads from the kernel: /proc/self/mountinfo,
 * /proc/self/cgroup, v2's cgroup.controllers and memory.events. The input holds the
 * four texts separated by NUL bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libns/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 4), *part[4];
	struct ns_cgroup_layout l;
	struct ns_cgroup_memory_events ev;
	struct ns_err err;
	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(text + size, 0, 4);
	part[0] = text;
	for (int i = 1; i < 4; i++)
		part[i] = part[i - 1] + strlen(part[i - 1]) + (part[i - 1] < text + size);
	if (ns_cgroup_layout_parse(part[0], part[1], &l, &err) == 0 &&
	    ns_cgroup_layout_finish(&l, part[2], &err) == 0) {
		/* Whatever the text, the layout stays consistent. */
		if (l.nhier > NS_CGROUP_HIER_MAX)
			abort();
		for (int c = 0; c < NS_CGROUP_NCTRL; c++)
			if (l.ctrl[c] >= (int)l.nhier ||
			    (l.ctrl[c] >= 0 && !(l.hier[l.ctrl[c]].ctrls & (1u << c))))
				abort();
	}
	ns_cgroup_memory_events_parse(part[3], &ev);
	free(text);
	return 0;
}

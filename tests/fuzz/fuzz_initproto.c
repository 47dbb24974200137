/* The daemon <-> ns-init messages: the launch description ns-init decodes, and the
 * reports the daemon reads from ns-init (a hostile container must not take the daemon
 * down, ESR-01-011). The first byte selects which. */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libns/initproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err = {0};
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct ns_launch_desc d;
		if (ns_launch_desc_decode((const char *)data + 1, size - 1, &d, &err) == 0)
			ns_launch_desc_free(&d);
		return 0;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	if (size - 1 < 4096)
		(void)!send(sv[1], data + 1, size - 1, 0);
	close(sv[1]);
	struct ns_init_report r;
	for (int i = 0; i < 3 && ns_initproto_read_report(sv[0], &r, &err) > 0; i++)
		;
	close(sv[0]);
	return 0;
}

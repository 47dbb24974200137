/* The global console's address (console.global.bind): unix://PATH or tcp://HOST[:PORT],
 * and the rules every such address must meet. The configuration parser applies them, so
 * `northstard --check` refuses what start-up would refuse; the daemon listens on what
 * they give back. */
#ifndef NS_CONSOLE_ADDR_H
#define NS_CONSOLE_ADDR_H

#include <stdbool.h>
#include <sys/socket.h>

#include "err.h"

#define NS_CONSOLE_DEFAULT_PORT 4200

struct ns_console_addr {
	struct sockaddr_storage ss; /* AF_UNIX, AF_INET or AF_INET6 */
	socklen_t len;
	const char *path; /* unix: the socket path, in the bind string */
};

/* Parses bind. tcp: a numeric address or "localhost" (no name resolution: static glibc
 * has no NSS), the port 1..65535 (4200 when absent); an address beyond loopback only
 * with allow_remote. unix: an absolute path that fits sun_path. The message names the
 * problem (the caller adds where). */
int ns_console_addr_parse(const char *bind, bool allow_remote, struct ns_console_addr *out,
			  struct ns_err *err);

#endif

/* conrelay: runs inside a container and relays its console to the host, so a test
 * client outside can speak to a container's console as the container would.
 *
 * usage: conrelay [SOCKET]
 *   Prints "console fd N" (from NORTHSTAR_CONSOLE), accepts one connection on the
 *   listening socket in NORTHSTAR_SOCKET_<SOCKET> (default "relay"; declared in the
 *   manifest as a stream socket), and copies bytes both ways between that connection
 *   and the console until both directions are closed. An end of file from one side is
 *   passed on as a shutdown of the other's writing half, so the client sees the runtime
 *   close the console. Prints "relay done" and exits 0; 1 on a setup error.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int env_fd(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long fd = v ? strtol(v, &end, 10) : -1;
	if (!v || end == v || *end || fd < 0) {
		fprintf(stderr, "conrelay: %s is not set to a descriptor\n", name);
		exit(1);
	}
	return (int)fd;
}

/* Copies what from has into to; false at end of file or on an error. */
static bool pump(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = send(to, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return false;
		off += w;
	}
	return true;
}

int main(int argc, char **argv)
{
	char name[128];
	snprintf(name, sizeof(name), "NORTHSTAR_SOCKET_%s", argc > 1 ? argv[1] : "relay");
	int console = env_fd("NORTHSTAR_CONSOLE"), listener = env_fd(name);
	printf("console fd %d\n", console);
	fflush(stdout);
	int client = accept(listener, NULL, NULL);
	if (client < 0) {
		fprintf(stderr, "conrelay: accept: %s\n", strerror(errno));
		return 1;
	}
	struct pollfd p[2] = {{.fd = client, .events = POLLIN}, {.fd = console, .events = POLLIN}};
	int to[2] = {console, client};
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!pump(p[i].fd, to[i])) {
				(void)shutdown(to[i], SHUT_WR);
				p[i].fd = -1;
			}
		}
	}
	printf("relay done\n");
	return 0;
}

/* redis-client: stores a value in redis-server and reads it back. It reaches the
 * server's socket through its own "sockets" mount on /unix-sockets, where the runtime
 * keeps every container's declared sockets; the server's is "redis:0.0.1:redis". A
 * path argument replaces that socket outside a container. The protocol is described
 * in redis-server/main.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "examples/common/example.h"

#define DEFAULT_SOCKET "/unix-sockets/redis:0.0.1:redis"
#define KEY	       "hello"
#define VALUE	       "#StandWithUkraine"

/* The server may be starting at the same time: retry for a few seconds. */
static int connect_server(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >= (int)sizeof(a.sun_path))
		ex_die("redis-client", "socket path too long");
	for (int tries = 0;; tries++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			ex_die("redis-client", "socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		int e = errno;
		close(fd);
		if ((e != ENOENT && e != ECONNREFUSED) || tries == 40)
			ex_die("redis-client", "connect %s: %s", path, strerror(e));
		ex_sleep_ms(250);
	}
}

/* Sends one request and returns the reply line, without its newline. */
static const char *request(int fd, FILE *in, const char *req, char *reply, size_t size)
{
	if (dprintf(fd, "%s\n", req) < 0 || !fgets(reply, (int)size, in))
		ex_die("redis-client", "the server closed the connection");
	reply[strcspn(reply, "\n")] = '\0';
	return reply;
}

int main(int argc, char **argv)
{
	ex_line_buffered();
	signal(SIGPIPE, SIG_IGN); /* a peer that left is an error to handle, not a kill */
	const char *path = argc > 1 ? argv[1] : DEFAULT_SOCKET;
	printf("Connecting to unix:%s\n", path);
	int fd = connect_server(path);
	FILE *in = fdopen(fd, "r");
	if (!in)
		ex_die("redis-client", "fdopen: %s", strerror(errno));
	char reply[4096];
	if (strcmp(request(fd, in, "SET " KEY " " VALUE, reply, sizeof(reply)), "OK"))
		ex_die("redis-client", "SET failed: %s", reply);
	request(fd, in, "GET " KEY, reply, sizeof(reply));
	if (strncmp(reply, "VALUE ", 6))
		ex_die("redis-client", "GET failed: %s", reply);
	/* Printed as the Rust original printed its bytes, which the scenario tests match. */
	printf("Received: b\"%s\"\n", reply + 6);
	fclose(in);
	return 0;
}

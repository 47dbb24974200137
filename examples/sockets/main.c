/* sockets: unix sockets the runtime creates for a container. The manifest declares a
 * datagram socket "hello"; the runtime binds it as <socket_dir>/sockets:0.0.1:hello
 * and hands the bound fd over in NORTHSTAR_SOCKET_hello. Other containers reach it
 * through a "sockets" mount; this one mounts the directory on /unix-sockets itself and
 * sends to its own socket every second, then reads what arrived on the fd.
 * SOCKET_DIR replaces /unix-sockets outside a container. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "examples/common/example.h"

#define MESSAGE "Hello!"

int main(void)
{
	ex_line_buffered();
	int server = ex_env_fd("NORTHSTAR_SOCKET_hello");
	if (server < 0)
		ex_die("sockets", "NORTHSTAR_SOCKET_hello is not set");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s:hello",
		     ex_env("SOCKET_DIR", "/unix-sockets"),
		     ex_container("sockets:0.0.1")) >= (int)sizeof(a.sun_path))
		ex_die("sockets", "socket path too long");
	printf("Connecting to %s\n", a.sun_path);
	int client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (client < 0 || connect(client, (struct sockaddr *)&a, sizeof(a)) < 0)
		ex_die("sockets", "connect %s: %s", a.sun_path, strerror(errno));
	for (;;) {
		char buf[64];
		if (send(client, MESSAGE, strlen(MESSAGE), 0) < 0)
			ex_die("sockets", "send: %s", strerror(errno));
		ssize_t n = recv(server, buf, sizeof(buf), 0);
		if (n < 0)
			ex_die("sockets", "recv: %s", strerror(errno));
		printf("Received %.*s\n", (int)n, buf);
		ex_sleep_ms(1000);
	}
}

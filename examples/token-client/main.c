/* token-client: proves who it is to token-server without a shared secret of its own.
 * It asks the runtime for a token for the target "token-server" over the shared value
 * "hello!", sends "<own name> <token>" over TCP, and then expects every line it sends
 * to come back. The manifest grants ident and token_create and puts the container on
 * the host network, where the server listens. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "examples/common/client.h"
#include "examples/common/example.h"
#include "libns/base64.h"

#define SERVER_PORT 6543
#define TARGET	    "token-server"
#define SHARED	    "hello!"

static void die(const struct ns_err *err)
{
	ex_die("token-client", "%s", err->msg);
}

/* The token in base64, malloc'ed. */
static char *create_token(struct ex_client *c)
{
	struct ns_err err;
	struct ns_console_request req = {.kind = NS_REQ_TOKEN_CREATE,
					 .target = TARGET,
					 .shared = (const uint8_t *)SHARED,
					 .shared_len = strlen(SHARED)};
	struct ns_console_frame f;
	if (ex_client_call(c, &req, &f, &err) < 0)
		die(&err);
	if (f.response.kind != NS_RESP_TOKEN)
		ex_die("token-client", "token_create was refused");
	char *b64 = ns_base64_encode(f.response.token, NS_TOKEN_LEN);
	ns_console_frame_free(&f);
	if (!b64)
		ex_die("token-client", "out of memory");
	return b64;
}

/* The server may start a moment later: retry for a few seconds. */
static int connect_server(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(SERVER_PORT)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int tries = 0; tries < 40; tries++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			ex_die("token-client", "socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		close(fd);
		ex_sleep_ms(250);
	}
	ex_die("token-client", "cannot connect to localhost:%d", SERVER_PORT);
}

int main(void)
{
	ex_line_buffered();
	signal(SIGPIPE, SIG_IGN); /* a peer that left is an error to handle, not a kill */
	struct ex_client c;
	struct ns_err err;
	struct ns_container_id me;
	if (ex_client_connect(&c, false, &err) < 0 || ex_client_ident(&c, &me, &err) < 0)
		die(&err);
	char *token = create_token(&c);
	ex_client_close(&c);

	printf("Connecting to localhost:%d\n", SERVER_PORT);
	int fd = connect_server();
	FILE *in = fdopen(fd, "r");
	if (!in || dprintf(fd, "%s %s\n", me.name, token) < 0)
		ex_die("token-client", "cannot send the token");
	free(token);
	char line[256];
	for (;;) {
		if (dprintf(fd, "yay!\n") < 0 || !fgets(line, sizeof(line), in))
			ex_die("token-client", "the server closed the connection");
		line[strcspn(line, "\n")] = '\0';
		printf("Received: %s\n", line);
		if (strcmp(line, "yay!"))
			ex_die("token-client", "the server did not echo");
		ex_sleep_ms(1000);
	}
}

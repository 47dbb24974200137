/* token-server: accepts a TCP client only after the runtime confirms its token. The
 * first line a client sends is "<user> <token>"; the server asks the runtime whether
 * <user> made that token for this container (the target is always the verifier's own
 * name) over the shared value "hello!". If so it echoes every line back, otherwise it
 * hangs up. The manifest grants ident and token_verification and the host network. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "examples/common/client.h"
#include "examples/common/example.h"
#include "libns/base64.h"

#define PORT   6543
#define SHARED "hello!"

/* Ok, Invalid, Expired or Future, or NULL when the line is not "<user> <token>" (a
 * malformed token never goes to the runtime: it would close the console). */
static const char *verify(struct ex_client *c, char *line)
{
	char *user = strtok(line, " \r\n"), *b64 = strtok(NULL, " \r\n");
	uint8_t token[NS_TOKEN_LEN + 3];
	size_t len;
	if (!user || !b64 || ns_base64_decode(b64, strlen(b64), token, sizeof(token), &len) < 0 ||
	    len != NS_TOKEN_LEN)
		return NULL;
	struct ns_console_request req = {.kind = NS_REQ_TOKEN_VERIFY,
					 .user = user,
					 .shared = (const uint8_t *)SHARED,
					 .shared_len = strlen(SHARED)};
	memcpy(req.token, token, NS_TOKEN_LEN);
	struct ns_err err;
	struct ns_console_frame f;
	if (ex_client_call(c, &req, &f, &err) < 0)
		ex_die("token-server", "%s", err.msg);
	const char *result = f.response.kind == NS_RESP_TOKEN_VERIFICATION
				 ? ns_verification_name(f.response.verification)
				 : "permission denied";
	ns_console_frame_free(&f);
	return result;
}

static void serve(struct ex_client *c, int fd)
{
	FILE *in = fdopen(fd, "r");
	char line[1024];
	if (!in || !fgets(line, sizeof(line), in)) {
		if (in)
			fclose(in);
		else
			close(fd);
		return;
	}
	const char *result = verify(c, line);
	if (result && !strcmp(result, "Ok")) {
		printf("Verified! Starting to echo...\n");
		while (fgets(line, sizeof(line), in) && dprintf(fd, "%s", line) >= 0)
			;
		printf("Client disconnected\n");
	} else {
		printf("Failed to verify: %s\n", result ? result : "malformed request");
	}
	fclose(in);
}

static int listen_tcp(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0)
		ex_die("token-server", "listen on 127.0.0.1:%d: %s", PORT, strerror(errno));
	return fd;
}

int main(void)
{
	ex_line_buffered();
	signal(SIGPIPE, SIG_IGN); /* a peer that left is an error to handle, not a kill */
	struct ex_client c;
	struct ns_err err;
	if (ex_client_connect(&c, false, &err) < 0)
		ex_die("token-server", "%s", err.msg);
	int lfd = listen_tcp();
	printf("Listening on 127.0.0.1:%d\n", PORT);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			serve(&c, fd); /* one client at a time keeps the example short */
		else if (errno != EINTR && errno != ECONNABORTED)
			ex_die("token-server", "accept: %s", strerror(errno));
	}
}

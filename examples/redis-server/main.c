/* redis-server: a small key-value store in place of the Rust example's mini-redis. It
 * serves a line protocol on the unix stream socket "redis" that its manifest declares:
 * the runtime creates <socket_dir>/redis:0.0.1:redis and passes the listening fd in
 * NORTHSTAR_SOCKET_redis; clients reach it through a "sockets" mount. Outside a
 * container a path argument makes it bind that path itself.
 *
 * Protocol, one request and one reply per line:
 *   PING           -> PONG
 *   SET key value  -> OK          (the value is the rest of the line)
 *   GET key        -> VALUE value | NIL
 *   DEL key        -> OK | NIL
 *   anything else  -> ERR <reason>
 * Clients are served together through poll(); the store lives as long as the process. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "examples/common/example.h"

#define MAX_CLIENTS 32
#define MAX_LINE    4096

struct entry {
	char *key, *value;
	struct entry *next;
};

struct client {
	int fd;
	size_t len;
	char buf[MAX_LINE];
};

static struct entry **find(struct entry **store, const char *key)
{
	while (*store && strcmp((*store)->key, key))
		store = &(*store)->next;
	return store;
}

/* *slot is where key lives in the store, or the NULL at its end. */
static const char *set(struct entry **slot, const char *key, const char *value)
{
	char *v = strdup(value);
	if (!v)
		return "ERR out of memory";
	if (*slot) {
		free((*slot)->value);
		(*slot)->value = v;
		return "OK";
	}
	struct entry *n = calloc(1, sizeof(*n));
	if (!n || !(n->key = strdup(key))) {
		free(n);
		free(v);
		return "ERR out of memory";
	}
	n->value = v;
	*slot = n;
	return "OK";
}

static const char *del(struct entry **slot)
{
	struct entry *gone = *slot;
	if (!gone)
		return "NIL";
	*slot = gone->next;
	free(gone->key);
	free(gone->value);
	free(gone);
	return "OK";
}

/* Answers one request line into reply. */
static void handle(struct entry **store, char *line, char *reply, size_t size)
{
	char *cmd = strtok(line, " "), *key = strtok(NULL, " "), *rest = strtok(NULL, "");
	if (!cmd) {
		snprintf(reply, size, "ERR empty request");
		return;
	}
	if (!strcmp(cmd, "PING")) {
		snprintf(reply, size, "PONG");
		return;
	}
	if (!key) {
		snprintf(reply, size, "ERR %s needs a key", cmd);
		return;
	}
	struct entry **slot = find(store, key);
	if (!strcmp(cmd, "SET"))
		snprintf(reply, size, "%s", set(slot, key, rest ? rest : ""));
	else if (!strcmp(cmd, "GET") && *slot)
		snprintf(reply, size, "VALUE %s", (*slot)->value);
	else if (!strcmp(cmd, "GET"))
		snprintf(reply, size, "NIL");
	else if (!strcmp(cmd, "DEL"))
		snprintf(reply, size, "%s", del(slot));
	else
		snprintf(reply, size, "ERR unknown command '%s'", cmd);
}

/* Reads what the client sent and answers each complete line. False: drop the client. */
static bool serve(struct entry **store, struct client *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0)
		return n < 0 && errno == EINTR;
	c->len += (size_t)n;
	char *nl;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		*nl = '\0';
		if (nl > c->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		char reply[MAX_LINE + 16];
		handle(store, c->buf, reply, sizeof(reply));
		if (dprintf(c->fd, "%s\n", reply) < 0)
			return false;
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
	}
	return c->len < sizeof(c->buf); /* a line longer than MAX_LINE ends the client */
}

static int listen_path(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >= (int)sizeof(a.sun_path))
		ex_die("redis-server", "socket path too long");
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0)
		ex_die("redis-server", "listen on %s: %s", path, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	ex_line_buffered();
	signal(SIGPIPE, SIG_IGN); /* a peer that left is an error to handle, not a kill */
	int lfd = ex_env_fd("NORTHSTAR_SOCKET_redis");
	if (lfd < 0 && argc < 2)
		ex_die("redis-server", "NORTHSTAR_SOCKET_redis is not set and no path is given");
	if (lfd < 0)
		lfd = listen_path(argv[1]);
	struct sockaddr_un a;
	socklen_t alen = sizeof(a);
	if (getsockname(lfd, (struct sockaddr *)&a, &alen) < 0)
		ex_die("redis-server", "not a socket: %s", strerror(errno));
	printf("Listening on %s\n", a.sun_path);
	printf("Starting...\n");

	struct entry *store = NULL;
	static struct client clients[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS + 1];
	size_t n = 0;
	for (;;) {
		pfd[0] = (struct pollfd){.fd = lfd, .events = n < MAX_CLIENTS ? POLLIN : 0};
		for (size_t i = 0; i < n; i++)
			pfd[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			ex_die("redis-server", "poll: %s", strerror(errno));
		}
		for (size_t i = n; i-- > 0;) /* backwards: dropping moves the last one here */
			if (pfd[i + 1].revents && !serve(&store, &clients[i])) {
				close(clients[i].fd);
				clients[i] = clients[--n];
			}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				clients[n++] = (struct client){.fd = fd};
		}
	}
}

/* conload: load for the console (tests/integration/console_load.sh, bench/console).
 *
 * usage: conload -u URL [-c CLIENTS] [-n REQUESTS] [-r LINE]...
 *   URL: unix:///path or tcp://A.B.C.D:PORT. Opens CLIENTS connections (default 1),
 *   shakes hands on each, then sends REQUESTS requests per client (default 1000), one
 *   at a time: the next as soon as the answer is there. The request lines cycle
 *   through the -r LINEs (default {"request":"list"}). All clients run at once in one
 *   epoll loop. Prints one line:
 *     clients C requests N answered A failed F seconds S rps R
 *   and exits 0 when every request was answered with a response line, 1 otherwise
 *   (a refused handshake, a closed connection, a line that is not a response, or no
 *   progress for 30 s), 2 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINES 16
#define HELLO	  "{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":false}}\n"

struct client {
	int fd;
	bool acked;
	long sent, answered;
	char buf[1 << 16];
	size_t len;
};

struct load {
	const char *url;
	long clients, requests;
	const char *lines[MAX_LINES];
	size_t nlines;
	long answered, failed;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(const char *url)
{
	int fd = -1;
	if (!strncmp(url, "unix://", 7)) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", url + 7);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(fd);
			fd = -1;
		}
	} else if (!strncmp(url, "tcp://", 6)) {
		char host[64];
		const char *colon = strrchr(url + 6, ':');
		struct sockaddr_in sa = {.sin_family = AF_INET};
		if (!colon || (size_t)(colon - url - 6) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - url - 6), url + 6);
		sa.sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
			return -1;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(fd);
			fd = -1;
		}
	}
	return fd;
}

static bool send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

static bool send_next(struct load *l, struct client *c)
{
	char line[4096];
	const char *r = l->lines[c->sent % (long)l->nlines];
	int n = snprintf(line, sizeof(line), "%s\n", r);
	c->sent++;
	return n > 0 && (size_t)n < sizeof(line) && send_all(c->fd, line, (size_t)n);
}

/* One complete line from the server; false ends the client. */
static bool on_line(struct load *l, struct client *c, const char *s)
{
	if (!c->acked) {
		if (strcmp(s, "{\"connect_ack\":null}"))
			return false;
		c->acked = true;
		return send_next(l, c);
	}
	if (!strncmp(s, "{\"notification\":", 16))
		return true;
	if (strncmp(s, "{\"response\":", 12))
		return false;
	c->answered++;
	l->answered++;
	return c->sent >= l->requests || send_next(l, c);
}

static bool on_readable(struct load *l, struct client *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	c->len += (size_t)n;
	char *start = c->buf, *nl;
	c->buf[c->len] = '\0';
	while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf)))) {
		*nl = '\0';
		if (!on_line(l, c, start))
			return false;
		start = nl + 1;
	}
	c->len -= (size_t)(start - c->buf);
	memmove(c->buf, start, c->len);
	return c->len < sizeof(c->buf) - 1;
}

static int run(struct load *l)
{
	struct client *cs = calloc((size_t)l->clients, sizeof(*cs));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (!cs || ep < 0)
		return 1;
	for (long i = 0; i < l->clients; i++) {
		cs[i].fd = dial(l->url);
		if (cs[i].fd < 0 || !send_all(cs[i].fd, HELLO, strlen(HELLO))) {
			fprintf(stderr, "conload: connect %s: %s\n", l->url, strerror(errno));
			return 1;
		}
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = &cs[i]};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e);
	}
	long open = l->clients, total = l->clients * l->requests;
	while (open > 0 && l->answered < total) {
		struct epoll_event ev[64];
		int n = epoll_wait(ep, ev, 64, 30000);
		if (n == 0) {
			fprintf(stderr, "conload: no progress for 30 s\n");
			break;
		}
		for (int i = 0; i < n; i++) {
			struct client *c = ev[i].data.ptr;
			if (c->fd >= 0 && !on_readable(l, c)) {
				if (c->answered < l->requests)
					l->failed++;
				close(c->fd);
				c->fd = -1;
				open--;
			}
		}
	}
	for (long i = 0; i < l->clients; i++)
		if (cs[i].fd >= 0)
			close(cs[i].fd);
	close(ep);
	free(cs);
	return 0;
}

int main(int argc, char **argv)
{
	struct load l = {.clients = 1, .requests = 1000};
	int ch;
	while ((ch = getopt(argc, argv, "u:c:n:r:")) != -1) {
		if (ch == 'u')
			l.url = optarg;
		else if (ch == 'c')
			l.clients = atol(optarg);
		else if (ch == 'n')
			l.requests = atol(optarg);
		else if (ch == 'r' && l.nlines < MAX_LINES)
			l.lines[l.nlines++] = optarg;
		else
			return 2;
	}
	if (!l.url || l.clients < 1 || l.requests < 1) {
		fprintf(stderr, "usage: conload -u URL [-c CLIENTS] [-n REQUESTS] [-r LINE]...\n");
		return 2;
	}
	if (!l.nlines)
		l.lines[l.nlines++] = "{\"request\":\"list\"}";
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	double t0 = now_s();
	if (run(&l))
		return 1;
	double secs = now_s() - t0;
	long total = l.clients * l.requests;
	printf("clients %ld requests %ld answered %ld failed %ld seconds %.3f rps %.0f\n",
	       l.clients, total, l.answered, l.failed, secs, (double)l.answered / secs);
	return l.answered == total ? 0 : 1;
}

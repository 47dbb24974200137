#include "console_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static int parse_unix(const char *path, struct ns_console_addr *out, struct ns_err *err)
{
	struct sockaddr_un *sa = (struct sockaddr_un *)&out->ss;
	if (path[0] != '/' || strlen(path) >= sizeof(sa->sun_path))
		return ns_err_set(err, ENAMETOOLONG,
				  "unix socket path '%s' is not absolute or longer than %zu bytes",
				  path, sizeof(sa->sun_path) - 1);
	sa->sun_family = AF_UNIX;
	strcpy(sa->sun_path, path);
	out->len = sizeof(*sa);
	out->path = path;
	return 0;
}

/* HOST[:PORT], [V6][:PORT]: the host into host[256], the port into *port. */
static int split_host(const char *s, char host[256], unsigned long *port, struct ns_err *err)
{
	const char *p;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= 256)
			return ns_err_set(err, EINVAL, "bad address '%s'", s);
		snprintf(host, 256, "%.*s", (int)(end - s - 1), s + 1);
		p = end + 1;
	} else {
		p = strchr(s, ':');
		size_t n = p ? (size_t)(p - s) : strlen(s);
		if (n >= 256)
			return ns_err_set(err, EINVAL, "bad address '%s'", s);
		snprintf(host, 256, "%.*s", (int)n, s);
		if (!p)
			p = s + n;
	}
	*port = NS_CONSOLE_DEFAULT_PORT;
	if (*p == ':') {
		char *end;
		*port = strtoul(p + 1, &end, 10);
		if (end == p + 1 || *end || *port == 0 || *port > 65535)
			return ns_err_set(err, EINVAL, "bad port in '%s'", s);
	} else if (*p) {
		return ns_err_set(err, EINVAL, "bad address '%s'", s);
	}
	return 0;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static int parse_tcp(const char *s, bool allow_remote, struct ns_console_addr *out,
		     struct ns_err *err)
{
	char host[256];
	unsigned long port = NS_CONSOLE_DEFAULT_PORT;
	if (split_host(s, host, &port, err) < 0)
		return ns_err_ret(err);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		out->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		out->len = sizeof(*v6);
	} else {
		return ns_err_set(err, EINVAL, "'%s' is not a numeric address or localhost", host);
	}
	if (!is_loopback(&out->ss) && !allow_remote)
		return ns_err_set(err, EPERM,
				  "tcp://%s is not a loopback address: the console has no "
				  "authentication; set console.global.allow_remote to listen there",
				  s);
	return 0;
}

int ns_console_addr_parse(const char *bind, bool allow_remote, struct ns_console_addr *out,
			  struct ns_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!strncmp(bind, "unix://", 7))
		return parse_unix(bind + 7, out, err);
	if (!strncmp(bind, "tcp://", 6))
		return parse_tcp(bind + 6, allow_remote, out, err);
	return ns_err_set(err, EINVAL, "expected unix://PATH or tcp://HOST:PORT");
}

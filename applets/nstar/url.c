/* Console addresses: tcp://HOST[:PORT] and unix:///PATH, as Northstar's nstar takes
 * them. Only numeric hosts and localhost: static glibc cannot resolve names. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static int bad(struct ns_err *err, const char *text, const char *why)
{
	return ns_err_set(err, EINVAL, "invalid url '%s': %s", text, why);
}

static int parse_port(const char *s, size_t len, uint16_t *port)
{
	if (len == 0 || len > 5)
		return -EINVAL;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* HOST[:PORT][/], HOST being [v6], an IPv4 address or localhost. */
static int parse_tcp(const char *text, const char *s, struct nstar_url *url, struct ns_err *err)
{
	const char *host = s, *host_end, *rest;
	if (*s == '[') {
		host = s + 1;
		host_end = strchr(host, ']');
		if (!host_end)
			return bad(err, text, "missing ']' after the IPv6 address");
		rest = host_end + 1;
	} else {
		host_end = s + strcspn(s, ":/");
		rest = host_end;
	}
	size_t hlen = (size_t)(host_end - host);
	if (hlen == 0)
		return bad(err, text, "missing host");
	if (hlen >= sizeof(url->host))
		return bad(err, text, "host too long");
	memcpy(url->host, host, hlen);
	url->host[hlen] = '\0';
	url->port = NSTAR_DEFAULT_PORT;
	if (*rest == ':') {
		size_t plen = strcspn(rest + 1, "/");
		if (parse_port(rest + 1, plen, &url->port) < 0)
			return bad(err, text, "the port must be a number from 0 to 65535");
		rest += 1 + plen;
	}
	if (*rest && strcmp(rest, "/") != 0)
		return bad(err, text, "a tcp url has no path");

	unsigned char addr[16];
	bool v6 = *s == '[';
	if (!strcmp(url->host, "localhost") && !v6)
		return 0;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, url->host, addr) != 1)
		return bad(err, text,
			   v6 ? "not an IPv6 address"
			      : "the host must be an IPv4 address, [IPv6] or localhost (no name "
				"resolution)");
	return 0;
}

int nstar_url_parse(const char *text, struct nstar_url *url, struct ns_err *err)
{
	memset(url, 0, sizeof(*url));
	if (!strncmp(text, "tcp://", 6))
		return parse_tcp(text, text + 6, url, err);
	if (strncmp(text, "unix://", 7) != 0)
		return bad(err, text, "the scheme must be tcp:// or unix://");
	const char *path = text + 7;
	if (*path != '/')
		return bad(err, text, "a unix url is unix:///ABSOLUTE/PATH");
	size_t len = strlen(path);
	if (len >= sizeof(url->path))
		return bad(err, text, "socket path too long");
	url->is_unix = true;
	memcpy(url->path, path, len + 1);
	return 0;
}

char *nstar_url_str(const struct nstar_url *url, char *buf, size_t size)
{
	if (url->is_unix) {
		snprintf(buf, size, "unix://%s", url->path);
	} else {
		bool v6 = strchr(url->host, ':') != NULL;
		snprintf(buf, size, "tcp://%s%s%s:%u", v6 ? "[" : "", url->host, v6 ? "]" : "",
			 url->port);
	}
	return buf;
}

/* Why connecting failed, as a sentence, by the errno and the kind of address. */
static const char *connect_why(const struct nstar_url *url, int errnum)
{
	switch (errnum) {
	case ENOENT:
		return url->is_unix ? "The socket file does not exist, so northstard is probably "
				      "not running, or its console listens elsewhere (the key "
				      "console.global.bind of northstard's configuration)."
				    : NULL;
	case ECONNREFUSED:
		return url->is_unix
			   ? "The socket file exists but nothing listens on it: northstard is "
			     "probably not running (the file is left from an earlier run)."
			   : "Nothing listens there: northstard is probably not running, or its "
			     "console listens elsewhere (the key console.global.bind of "
			     "northstard's configuration).";
	case EACCES:
	case EPERM:
		return "This user may not open the console: the runtime's unix socket is created "
		       "with mode 0600, so run nstar as the user that runs northstard (root).";
	case ETIMEDOUT:
		return "The address did not answer in time: check that the host is reachable.";
	case ENOTSOCK:
		return "The path is not a socket: give the console's socket (the key "
		       "console.global.bind in northstard's configuration).";
	default:
		return NULL;
	}
}

char *nstar_connect_hint(const struct nstar_url *url, const char *origin, int errnum, char *buf,
			 size_t size)
{
	const char *why = connect_why(url, errnum);
	snprintf(buf, size,
		 "%s%sThe address came from %s; give another with --url URL or the environment "
		 "variable %s (e.g. unix:///run/northstar/console or tcp://127.0.0.1:4200).",
		 why ? why : "", why ? "\n  " : "", origin, NSTAR_URL_ENV_NAME);
	return buf;
}

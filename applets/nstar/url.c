/* Console addresses: tcp://HOST[:PORT] and unix:///PATH, as Northstar's nstar takes
 * them. Only numeric hosts and localhost: static glibc cannot resolve names. */
#include <arpa/inet.h>
#include <errno.h>
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

/* The global console's listener (spec console §1.1): unix:// (mode 0600 from birth) or
 * tcp:// (numeric addresses and localhost; beyond loopback only with allow_remote).
 * Out of descriptors, a spare descriptor is given up for a moment to accept the
 * pending connection and close it at once: the client learns at once, and the
 * level-triggered listener does not wake us again and again for it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nsd.h"

#define DEFAULT_PORT 4200

/* --- listener ------------------------------------------------------------------ */

static int listen_unix(struct nsd *d, const char *path, struct ns_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!path[0] || strlen(path) >= sizeof(sa.sun_path))
		return ns_err_set(err, ENAMETOOLONG,
				  "console: unix socket path '%s' is empty or "
				  "longer than %zu bytes",
				  path, sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ns_err_sys(err, errno, "console: socket");
	(void)unlink(path);
	mode_t old = umask(0177); /* born 0600: no window where others may connect */
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = ns_err_sys(err, errno, "console: listen on '%s'", path);
		close(fd);
		return r;
	}
	snprintf(d->listener.path, sizeof(d->listener.path), "%s", path);
	return fd;
}

/* HOST[:PORT], [V6][:PORT]; numeric addresses and "localhost" only (no NSS). */
static int parse_tcp(const char *s, struct sockaddr_storage *ss, socklen_t *len, struct ns_err *err)
{
	char host[256];
	unsigned long port = DEFAULT_PORT;
	const char *p;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return ns_err_set(err, EINVAL, "console: bad address '%s'", s);
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		p = end + 1;
	} else {
		p = strchr(s, ':');
		size_t n = p ? (size_t)(p - s) : strlen(s);
		if (n >= sizeof(host))
			return ns_err_set(err, EINVAL, "console: bad address '%s'", s);
		snprintf(host, sizeof(host), "%.*s", (int)n, s);
		if (!p)
			p = s + n;
	}
	if (*p == ':') {
		char *end;
		port = strtoul(p + 1, &end, 10);
		if (end == p + 1 || *end || port == 0 || port > 65535)
			return ns_err_set(err, EINVAL, "console: bad port in '%s'", s);
	} else if (*p) {
		return ns_err_set(err, EINVAL, "console: bad address '%s'", s);
	}
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
	} else {
		return ns_err_set(err, EINVAL,
				  "console: '%s' is not a numeric address or localhost", host);
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

static int listen_tcp(struct nsd *d, const char *spec, struct ns_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_tcp(spec, &ss, &len, err) < 0)
		return ns_err_ret(err);
	if (!is_loopback(&ss) && !d->cfg.global.allow_remote)
		return ns_err_set(err, EPERM,
				  "console: tcp://%s is not a loopback address: the console has no "
				  "authentication; set console.global.allow_remote to listen there",
				  spec);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		return ns_err_sys(err, errno, "console: socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int r = ns_err_sys(err, errno, "console: listen on tcp://%s", spec);
		close(fd);
		return r;
	}
	return fd;
}

/* Every connection is a descriptor: take what the hard limit allows (10,000 clients
 * need more than the usual soft 1024). Containers and ns-init get the old limit back
 * (d->nofile, applied by the launch), so select() in a container keeps working. */
static void raise_nofile(struct nsd *d)
{
	if (getrlimit(RLIMIT_NOFILE, &d->nofile) < 0)
		return;
	struct rlimit r = d->nofile;
	r.rlim_cur = r.rlim_max;
	if (r.rlim_cur != d->nofile.rlim_cur && setrlimit(RLIMIT_NOFILE, &r) < 0)
		ns_warn(&d->log, NSD_TAG, "raise the descriptor limit to %llu: %s",
			(unsigned long long)r.rlim_cur, strerror(errno));
	else
		ns_debug(&d->log, NSD_TAG, "descriptor limit %llu", (unsigned long long)r.rlim_cur);
}

int nsd_console_listen(struct nsd *d, struct ns_err *err)
{
	raise_nofile(d);
	d->listener.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!d->cfg.has_global)
		return 0;
	const char *bind = d->cfg.global.bind;
	int fd = !strncmp(bind, "unix://", 7) ? listen_unix(d, bind + 7, err)
					      : listen_tcp(d, bind + 6, err);
	if (fd < 0)
		return fd;
	d->listener.fd = fd;
	d->listener.ev.kind = NSD_EV_LISTENER;
	if (nsd_epoll_add(d, fd, EPOLLIN, &d->listener.ev, err) < 0) {
		close(fd);
		return ns_err_ret(err);
	}
	d->have_listener = true;
	ns_info(&d->log, NSD_TAG, "Console listening on %s", bind);
	return 0;
}

/* --- accepting ------------------------------------------------------------------ */

/* Out of descriptors: accept one pending connection on the spare descriptor's slot and
 * close it. Without a spare (ENFILE took it), the listener leaves the epoll set until a
 * connection closes (nsd_console_sweep). Returns false when nothing more is to be done
 * now. */
static bool refuse_one(struct nsd *d)
{
	struct nsd_listener *l = &d->listener;
	if (!l->refusing)
		ns_warn(&d->log, NSD_TAG,
			"console: out of descriptors: refusing connections until some close");
	l->refusing = true;
	if (l->spare < 0) {
		nsd_epoll_del(d, l->fd);
		l->paused = true;
		return false;
	}
	close(l->spare);
	int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0;
}

void nsd_console_accept(struct nsd *d)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(d->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			if (!refuse_one(d))
				return;
			continue;
		}
		if (fd < 0)
			return;
		if (d->listener.refusing) {
			ns_info(&d->log, NSD_TAG, "console: accepting connections again");
			d->listener.refusing = false;
		}
		if (nsd_conn_new(d, fd, NULL))
			ns_debug(&d->log, NSD_TAG, "console: client connected");
	}
}

void nsd_console_listen_close(struct nsd *d)
{
	struct nsd_listener *l = &d->listener;
	if (d->have_listener) {
		close(l->fd);
		if (l->path[0])
			(void)unlink(l->path);
		d->have_listener = false;
	}
	if (l->spare >= 0)
		close(l->spare);
	l->spare = -1;
}

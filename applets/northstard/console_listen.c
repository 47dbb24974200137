/* The global console's listener (spec console §1.1): unix:// (mode 0600 from birth) or
 * tcp:// (numeric addresses and localhost; beyond loopback only with allow_remote).
 * Out of descriptors, a spare descriptor is given up for a moment to accept the
 * pending connection and close it at once: the client learns at once, and the
 * level-triggered listener does not wake us again and again for it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/console_addr.h"
#include "libns/libc_compat.h"
#include "nsd.h"

/* --- listener ------------------------------------------------------------------ */

/* The address passed the configuration's rules (libns/console_addr.c); what is left
 * here can only fail at run time. */
static int listen_on(struct nsd *d, const struct ns_console_addr *a, struct ns_err *err)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ns_err_sys(err, errno, "console: socket");
	int r;
	if (a->ss.ss_family == AF_UNIX) {
		(void)unlink(a->path);
		mode_t old = umask(0177); /* born 0600: no window where others may connect */
		r = bind(fd, (const struct sockaddr *)&a->ss, a->len);
		umask(old);
		if (r == 0)
			r = chmod(a->path, 0600);
	} else {
		int one = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		r = bind(fd, (const struct sockaddr *)&a->ss, a->len);
	}
	if (r < 0 || listen(fd, NS_LISTEN_BACKLOG) < 0) {
		r = ns_err_sys(err, errno, "console: listen on '%s'", d->cfg.global.bind);
		close(fd);
		return r;
	}
	if (a->path)
		snprintf(d->listener.path, sizeof(d->listener.path), "%s", a->path);
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
	nsd_console_limits_init(d);
	d->listener.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!d->cfg.has_global)
		return 0;
	const char *bind = d->cfg.global.bind;
	struct ns_console_addr addr;
	if (ns_console_addr_parse(bind, d->cfg.global.allow_remote, &addr, err) < 0)
		return ns_err_wrap(err, "console: %s", bind);
	int fd = listen_on(d, &addr, err);
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
		struct nsd_conn *first;
		if (!nsd_console_admit(d, &first)) { /* the descriptor reserve, max_connections */
			close(fd);
			continue;
		}
		if (first)
			nsd_conn_close(d, first);
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

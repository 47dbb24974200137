/* Small helpers of the daemon: clocks, epoll registration, console errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "nsd.h"

uint64_t nsd_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t nsd_now_ms(void)
{
	return nsd_now_ns() / 1000000u;
}

int nsd_epoll_add(struct nsd *d, int fd, uint32_t events, struct nsd_ev *ev, struct ns_err *err)
{
	struct epoll_event e = {.events = events, .data.ptr = ev};
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return ns_err_sys(err, errno, "epoll_ctl add");
	return 0;
}

void nsd_epoll_del(struct nsd *d, int fd)
{
	(void)epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void nsd_error(struct ns_console_error *e, enum ns_error_kind kind, const struct nsd_container *c)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	if (c)
		e->container = nsd_cid(c);
}

void nsd_error_text(struct ns_console_error *e, enum ns_error_kind kind, char *buf, size_t size,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	e->kind = kind; /* the container, when the kind has one, is the caller's */
	e->text = buf;
}

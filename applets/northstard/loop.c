/* The event loop: one epoll set over the signalfd, a timerfd for console deadlines, the
 * listener, connections, pidfds of container inits and debug commands, output pipes,
 * the containers' OOM monitors and, while bytes wait for them, the log sink and the
 * io: inherit targets (EPOLLOUT). One event per wake-up: a handler may free objects
 * (a container's output when it exits), and no event of the same round can then point
 * at them. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "libns/libc_compat.h"
#include "nsd.h"

#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))

int nsd_loop_init(struct nsd *d, struct ns_err *err)
{
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0)
		return ns_err_sys(err, errno, "epoll_create1");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* blocked, not ignored: an ignored disposition would survive exec into ns-init */
	sigset_t blocked = set;
	sigaddset(&blocked, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &blocked, NULL) < 0)
		return ns_err_sys(err, errno, "sigprocmask");
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0)
		return ns_err_sys(err, errno, "signalfd");
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->timerfd < 0)
		return ns_err_sys(err, errno, "timerfd_create");
	d->sig_ev.kind = NSD_EV_SIGNAL;
	d->timer_ev.kind = NSD_EV_TIMER;
	if (nsd_epoll_add(d, d->sigfd, EPOLLIN, &d->sig_ev, err) < 0 ||
	    nsd_epoll_add(d, d->timerfd, EPOLLIN, &d->timer_ev, err) < 0)
		return ns_err_ret(err);
	return 0;
}

void nsd_request_shutdown(struct nsd *d, int status)
{
	d->shutdown = true;
	if (status)
		d->exit_status = status;
}

static void on_signal(struct nsd *d)
{
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		const char *name = ns_sigabbrev((int)si.ssi_signo);
		ns_info(&d->log, NSD_TAG, "Received SIG%s: shutting down", name ? name : "?");
		nsd_request_shutdown(d, 0);
	}
}

static void on_timer(struct nsd *d)
{
	uint64_t ticks;
	(void)!read(d->timerfd, &ticks, sizeof(ticks));
	nsd_console_timeouts(d, nsd_now_ms());
}

static void dispatch(struct nsd *d, const struct epoll_event *e)
{
	struct nsd_ev *ev = e->data.ptr;
	switch (ev->kind) {
	case NSD_EV_SIGNAL:
		on_signal(d);
		break;
	case NSD_EV_TIMER:
		on_timer(d);
		break;
	case NSD_EV_LISTENER:
		nsd_console_accept(d);
		break;
	case NSD_EV_CONN:
		nsd_conn_event(d, container_of(ev, struct nsd_conn, ev), e->events);
		break;
	case NSD_EV_PROCESS:
		nsd_process_exited(d, container_of(ev, struct nsd_process, ev));
		break;
	case NSD_EV_OUTPUT:
		nsd_output_read(d, container_of(ev, struct nsd_output, ev));
		break;
	case NSD_EV_DEBUG:
		nsd_debug_exited(d, container_of(ev, struct nsd_debug, ev));
		break;
	case NSD_EV_CGROUP:
		nsd_cgroup_oom_event(d, container_of(ev, struct nsd_process, oom_ev));
		break;
	case NSD_EV_SINK:
		nsd_sink_event(d, container_of(ev, struct nsd_sink, ev));
		break;
	}
}

/* While dropped output waits to be reported or a paused output stream to be read again,
 * the loop looks again this often (no event would come for either). */
#define NSD_DROPS_POLL_MS 50

void nsd_loop_once(struct nsd *d, int timeout_ms)
{
	struct epoll_event e;
	if (d->drops_pending && (timeout_ms < 0 || timeout_ms > NSD_DROPS_POLL_MS))
		timeout_ms = NSD_DROPS_POLL_MS;
	int n = epoll_wait(d->epfd, &e, 1, timeout_ms);
	if (n < 0 && errno != EINTR)
		ns_error(&d->log, NSD_TAG, "epoll_wait: %s", strerror(errno));
	if (n == 1)
		dispatch(d, &e);
	nsd_console_sweep(d);
	nsd_console_arm_timer(d);
	d->drops_pending = nsd_output_report(d);
	nsd_sinks_sync(d); /* last: every record of this round is queued by now */
}

void nsd_loop_run(struct nsd *d)
{
	while (!d->shutdown)
		nsd_loop_once(d, -1);
}

/* What console clients may hold of the daemon (issue 14): memory, connections and
 * descriptors, so that no number of clients locks the operator out or makes a start fail.
 *
 * Memory: every connection's line buffer and output queue count against a budget of its
 * console, max_buffered_size: the global console's clients share one, the containers'
 * consoles another, so containers cannot starve the operator's console. A connection
 * whose buffer would go over the budget makes room by closing the connection holding the
 * most (itself, when that is it), with a log line. Closing beats no longer reading: a
 * paused hog would keep its memory and stall every other client of the console with
 * it; the largest holder is a client with a half-sent huge line, never an operator's
 * request of a few hundred bytes.
 *
 * Connections: the global console takes max_connections clients, and leaves a reserve
 * of descriptors free (NSD_FD_RESERVE, a quarter of a small limit). A client beyond
 * either closes another to make room: the oldest that has not completed the handshake,
 * else the one idle the longest; when every other is busy it is refused (accepted and
 * closed at once). So idle clients, however many, never lock the operator out. Before a
 * start, clients are closed the same way until the reserve is free again, since running
 * containers keep some descriptors for good: a start never fails for the console. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "nsd.h"

/* A start holds, at its peak: the launch socket pair, ns-init's pidfd, two output pipes,
 * the console socket pair, the manifest's sockets, the cgroup's directories and event
 * file, and per mounted image a loop device and the fsopen/fsmount descriptors; 64
 * leaves room for a container with several resources and sockets. */
#define NSD_FD_RESERVE 64

static struct nsd_pool *pool_of(struct nsd *d, const struct nsd_conn *c)
{
	return &d->listener.pools[c->owner ? 1 : 0];
}

void nsd_console_limits_init(struct nsd *d)
{
	struct nsd_listener *l = &d->listener;
	l->pools[0].max = d->cfg.global.options.max_buffered_size;
	l->pools[0].what = "the global console";
	l->pools[1].max = d->cfg.console_options.max_buffered_size;
	l->pools[1].what = "the containers' consoles";
	l->fd_limit = d->nofile.rlim_cur;
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0)
		l->fd_limit = r.rlim_cur;
	l->fd_reserve = l->fd_limit / 4 < NSD_FD_RESERVE ? l->fd_limit / 4 : NSD_FD_RESERVE;
	l->fd_open = 0; /* counted on the first accept */
}

/* --- memory -------------------------------------------------------------------------- */

static uint64_t holding(const struct nsd_conn *c)
{
	return c->lb.cap + c->outcap;
}

void nsd_conn_charge(struct nsd *d, struct nsd_conn *c)
{
	struct nsd_pool *p = pool_of(d, c);
	uint64_t now = c->state == NSD_CONN_CLOSED ? 0 : holding(c);
	p->used = p->used - c->charged + now;
	c->charged = now;
}

static bool same_console(const struct nsd_conn *a, const struct nsd_conn *b)
{
	return (a->owner == NULL) == (b->owner == NULL);
}

/* The open connection of c's console holding the most, counting c at want bytes. */
static struct nsd_conn *largest(struct nsd *d, struct nsd_conn *c, uint64_t want)
{
	struct nsd_conn *best = c;
	uint64_t most = want;
	for (struct nsd_conn *x = d->conns; x; x = x->next)
		if (x != c && x->state != NSD_CONN_CLOSED && same_console(x, c) &&
		    x->charged > most) {
			best = x;
			most = x->charged;
		}
	return best;
}

static const char *conn_name(const struct nsd_conn *c)
{
	return c->owner ? c->owner->id : "extern";
}

struct nsd_conn *nsd_conn_over_budget(struct nsd *d, struct nsd_conn *c, uint64_t want)
{
	struct nsd_pool *p = pool_of(d, c);
	if (c->state == NSD_CONN_CLOSED || p->used - c->charged + want <= p->max)
		return NULL;
	struct nsd_conn *v = largest(d, c, want);
	ns_warn(&d->log, NSD_TAG,
		"console: %s buffers over max_buffered_size (%llu bytes): closing the "
		"connection holding the most (%s, %llu bytes)",
		p->what, (unsigned long long)p->max, conn_name(v),
		(unsigned long long)(v == c ? want : v->charged));
	return v;
}

/* --- connections ------------------------------------------------------------------------ */

/* The client of the global console to close for a newcomer or a start: the oldest that
 * has not completed the handshake (it has shown nothing), else the one idle the longest
 * (no answer on its way, no install); never keep. NULL when every other is busy. An
 * attacker's idle clients thus make room for the operator's instead of locking it out;
 * a one-shot nstar is never the one idle the longest. */
static struct nsd_conn *victim(struct nsd *d, const struct nsd_conn *keep)
{
	struct nsd_conn *hs = NULL, *idle = NULL;
	for (struct nsd_conn *x = d->conns; x; x = x->next) { /* the newest first */
		if (x->owner || x == keep || x->state == NSD_CONN_CLOSED)
			continue;
		if (x->state == NSD_CONN_HANDSHAKE)
			hs = x;
		else if (x->state == NSD_CONN_READY && !x->outlen && !x->inst &&
			 (!idle || x->last_ms <= idle->last_ms))
			idle = x;
	}
	return hs ? hs : idle;
}

/* A newcomer needs room (over max_connections or out of descriptors): the client to
 * close for it, or NULL when none can go and the newcomer is refused. The first time
 * logs why. */
static struct nsd_conn *make_room(struct nsd *d, bool fds)
{
	struct nsd_listener *l = &d->listener;
	if (!l->refusing) {
		if (fds)
			ns_warn(
			    &d->log, NSD_TAG,
			    "console: out of descriptors: refusing connections until some "
			    "close, or closing the client idle the longest (%llu descriptors are "
			    "kept free for starts)",
			    (unsigned long long)l->fd_reserve);
		else
			ns_warn(
			    &d->log, NSD_TAG,
			    "console: max_connections (%llu) reached: refusing connections until "
			    "some close, or closing the client idle the longest",
			    (unsigned long long)d->cfg.global.options.max_connections);
	}
	l->refusing = true;
	struct nsd_conn *v = victim(d, NULL);
	if (v)
		ns_debug(&d->log, NSD_TAG, "console: closing a client %s for a new one",
			 v->state == NSD_CONN_HANDSHAKE ? "that has not connected"
							: "idle the longest");
	return v;
}

/* --- descriptors ------------------------------------------------------------------------ */

/* Open descriptors, from /proc/self/fd (its own descriptor not counted): all of them
 * when none is left to count with; 1 when unknown (no /proc), which admits clients up
 * to the limit itself (console_listen.c refuses beyond). */
static uint64_t count_fds(const struct nsd_listener *l)
{
	DIR *dir = opendir("/proc/self/fd");
	uint64_t n = 0;
	if (!dir)
		return errno == EMFILE || errno == ENFILE ? l->fd_limit : 1;
	for (struct dirent *e; (e = readdir(dir));)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n > 1 ? n - 1 : 1;
}

/* Fewer descriptors than the reserve would be left. The count is kept up to date by
 * the console (accepts and closes) and recounted when it comes near the reserve, since
 * starts and installs open descriptors of their own. */
static bool fds_short(struct nsd *d)
{
	struct nsd_listener *l = &d->listener;
	if (l->fd_open <= 1 || l->fd_open + 2 * l->fd_reserve + 16 >= l->fd_limit)
		l->fd_open = count_fds(l);
	return l->fd_open + l->fd_reserve > l->fd_limit;
}

bool nsd_console_admit(struct nsd *d, struct nsd_conn **close_first)
{
	struct nsd_listener *l = &d->listener;
	*close_first = NULL;
	l->fd_open++; /* the descriptor just accepted */
	bool fds = fds_short(d);
	if (fds || l->pools[0].conns >= d->cfg.global.options.max_connections) {
		*close_first = make_room(d, fds);
		if (!*close_first)
			l->fd_open--; /* the caller closes it */
		return *close_first != NULL;
	}
	if (l->refusing)
		ns_info(&d->log, NSD_TAG, "console: accepting connections again");
	l->refusing = false;
	return true;
}

struct nsd_conn *nsd_console_fd_victim(struct nsd *d, const struct nsd_conn *keep, const char *why)
{
	struct nsd_listener *l = &d->listener;
	l->fd_open = count_fds(l); /* a closed victim's descriptor is gone by the next call */
	if (l->fd_open + l->fd_reserve <= l->fd_limit)
		return NULL;
	struct nsd_conn *v = victim(d, keep);
	if (v)
		ns_warn(&d->log, NSD_TAG,
			"console: closing a client to keep %llu descriptors free for %s",
			(unsigned long long)l->fd_reserve, why);
	return v;
}

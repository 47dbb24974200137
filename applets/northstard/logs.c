/* A container's recent output (ours; the logs request, `nstar logs`): the lines of its
 * io: pipe streams that the log got are also kept in a ring of config log.ring_size
 * bytes, allocated at the first line of a run. The ring outlives the process: it is
 * freed when the container starts again or is uninstalled. At most ring_size bytes per
 * container with output, so a hundred containers cost at most a hundred rings.
 *
 * A logs request with follow leaves the connection following the container: each new
 * line is sent as another logs response. Those count like notifications: a follower
 * more than notification_buffer_size lines behind is disconnected (nsd_conn_send), so
 * a slow reader never makes the daemon buffer without bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nsd.h"

/* What one line of the ring becomes in a message: NUL bytes (which a console line may
 * not carry) become U+FFFD, three bytes each. */
#define TEXT_GROWTH 3

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* s[0..n) with each NUL replaced, NUL-terminated, into out (n * TEXT_GROWTH + 1). */
static char *clean(const char *s, size_t n, char *out)
{
	char *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i]) {
			*o++ = s[i];
			continue;
		}
		memcpy(o, "\xef\xbf\xbd", 3);
		o += 3;
	}
	*o = '\0';
	return out;
}

static void respond(struct nsd *d, struct nsd_conn *c, const struct ns_console_response *r)
{
	struct ns_err err = {0};
	char *line = ns_console_encode_response(r, &err);
	if (!line) {
		ns_error(&d->log, NSD_TAG, "console: encode the logs response: %s", err.msg);
		nsd_conn_close(d, c);
		return;
	}
	nsd_conn_send(d, c, line, false);
}

static const char *const io_names[] = {
    [NS_IO_DISCARD] = "discard", [NS_IO_PIPE] = "pipe", [NS_IO_INHERIT] = "inherit"};

/* Why nothing of x's output is kept, or NULL when its lines are. */
static const char *not_recorded(struct nsd *d, const struct nsd_container *x, char *buf,
				size_t size)
{
	const struct ns_manifest *m = nsd_manifest(x);
	if (!d->cfg.log.ring_size)
		return "the runtime keeps no output: its configuration sets log.ring_size to 0";
	if (!m->init)
		return "it is a resource container: it runs nothing";
	if (m->io.out == NS_IO_PIPE || m->io.err == NS_IO_PIPE)
		return NULL;
	snprintf(buf, size,
		 "its manifest sends stdout to %s and stderr to %s; only io: pipe output is "
		 "kept (io defaults to discard): set io: {stdout: pipe, stderr: pipe}",
		 io_names[m->io.out], io_names[m->io.err]);
	return buf;
}

/* The ring's lines into r (texts in one block, freed by the caller); false when out of
 * memory. */
static bool fill_lines(const struct nsd_logs *l, struct ns_console_logs *r, char **texts)
{
	const struct ns_linering *ring = &l->ring;
	*texts = NULL;
	if (!ring->count)
		return true;
	r->lines = calloc(ring->count, sizeof(*r->lines));
	char *t = *texts = malloc(ring->used * TEXT_GROWTH + ring->count);
	char *line = malloc(ring->cap + 1);
	bool ok = r->lines && t && line;
	struct ns_linering_iter it;
	struct ns_linering_line ll;
	ns_linering_begin(ring, &it);
	while (ok && ns_linering_next(ring, &it, &ll, line, ring->cap + 1)) {
		struct ns_console_log_line *o = &r->lines[r->nlines++];
		o->time_ms = ll.time_ms;
		o->stream = ll.stream == NS_STREAM_STDERR ? NS_STREAM_STDERR : NS_STREAM_STDOUT;
		o->text = clean(line, ll.len, t);
		t += strlen(t) + 1; /* a NUL never stays in the text, so this is its end */
	}
	free(line);
	return ok;
}

void nsd_logs_request(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {.kind = NS_RESP_LOGS};
	struct nsd_container *x = nsd_find(d, &q->container);
	if (!x) {
		r.result.container = q->container;
		r.result.error.kind = NS_ERROR_INVALID_CONTAINER;
		r.result.error.container = q->container;
		respond(d, c, &r);
		return;
	}
	char why[256], *texts = NULL;
	r.result.ok = true;
	r.result.container = nsd_cid(x);
	r.logs.not_recorded = not_recorded(d, x, why, sizeof(why));
	r.logs.overwritten = x->logs.ring.evicted;
	r.logs.dropped = x->logs.dropped;
	if (!fill_lines(&x->logs, &r.logs, &texts)) {
		ns_error(&d->log, NSD_TAG, "console: logs of %s: out of memory", x->id);
		nsd_conn_close(d, c);
	} else {
		respond(d, c, &r);
	}
	free(r.logs.lines);
	free(texts);
	/* a later logs request replaces what the connection follows */
	c->follow = q->follow && c->state != NSD_CONN_CLOSED ? x : NULL;
	if (c->follow)
		x->logs.followers++;
}

void nsd_logs_start(struct nsd *d, struct nsd_container *c, struct nsd_process *p)
{
	(void)d;
	ns_linering_free(&c->logs.ring);
	c->logs.dropped = 0;
	for (int i = 0; i < 2; i++)
		if (p->out[i] && p->out[i]->copy_to < 0) {
			p->out[i]->owner = c;
			p->out[i]->stream = i ? NS_STREAM_STDERR : NS_STREAM_STDOUT;
		}
}

/* One logs response for every connection that follows c (encoded once); the count of
 * followers is brought up to date on the way. */
static void send_followers(struct nsd *d, struct nsd_container *c, struct ns_console_logs *l)
{
	struct ns_console_response r = {.kind = NS_RESP_LOGS, .logs = *l};
	struct ns_err err = {0};
	char *line = NULL;
	size_t n = 0;
	r.result.ok = true;
	r.result.container = nsd_cid(c);
	r.logs.overwritten = c->logs.ring.evicted;
	r.logs.dropped = c->logs.dropped;
	for (struct nsd_conn *k = d->conns, *next; k; k = next) {
		next = k->next;
		if (k->follow != c || k->state == NSD_CONN_CLOSED)
			continue;
		if (!line && !(line = ns_console_encode_response(&r, &err))) {
			ns_error(&d->log, NSD_TAG, "console: logs of %s: %s", c->id, err.msg);
			return;
		}
		char *copy = strdup(line);
		if (l->end)
			k->follow = NULL;
		if (copy && nsd_conn_send(d, k, copy, true) && k->follow)
			n++;
	}
	free(line);
	c->logs.followers = n;
}

void nsd_logs_line(struct nsd *d, struct nsd_container *c, enum ns_log_stream stream, const char *s,
		   size_t n)
{
	uint64_t now = wall_ms();
	struct nsd_logs *l = &c->logs;
	if (d->cfg.log.ring_size) {
		struct ns_err err = {0};
		if (!l->ring.buf && ns_linering_init(&l->ring, d->cfg.log.ring_size, &err) < 0)
			l->dropped++; /* out of memory: the line is lost to the ring */
		else
			ns_linering_push(&l->ring, stream, now, s, n);
	}
	if (!l->followers)
		return;
	char text[NSD_OUTPUT_LINE_MAX * TEXT_GROWTH + 1];
	if (n > NSD_OUTPUT_LINE_MAX)
		n = NSD_OUTPUT_LINE_MAX;
	struct ns_console_log_line line = {
	    .time_ms = now, .stream = stream, .text = clean(s, n, text)};
	struct ns_console_logs msg = {.lines = &line, .nlines = 1};
	send_followers(d, c, &msg);
}

void nsd_logs_end(struct nsd *d, struct nsd_container *c)
{
	struct ns_console_logs msg = {.end = true};
	if (c->logs.followers)
		send_followers(d, c, &msg);
	for (struct nsd_conn *k = d->conns; k; k = k->next)
		if (k->follow == c) /* closed ones too: none may keep the pointer */
			k->follow = NULL;
	c->logs.followers = 0;
}

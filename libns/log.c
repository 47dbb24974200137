#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

const char *ns_log_level_name(enum ns_log_level lvl)
{
	return (unsigned)lvl < 5 ? level_names[lvl] : "?";
}

int ns_log_level_parse(const char *s, enum ns_log_level *out)
{
	for (int i = 0; i < 5; i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum ns_log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = NS_LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

static const char *const target_names[] = {"stderr", "kmsg", "syslog"};

int ns_log_target_parse(const char *s, enum ns_log_sink *out)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, target_names[i])) {
			*out = (enum ns_log_sink)i;
			return 0;
		}
	return -EINVAL;
}

const char *ns_log_target_name(enum ns_log_sink sink)
{
	return (unsigned)sink < 3 ? target_names[sink] : "?";
}

void ns_log_init(struct ns_log *lg, const char *ident, enum ns_log_level level)
{
	memset(lg, 0, sizeof(*lg));
	lg->ident = ident;
	lg->level = level;
	lg->sink = NS_LOG_STDERR;
	lg->fd = STDERR_FILENO;
	lg->timestamps = true;
	if (getpid() == 1 || fcntl(STDERR_FILENO, F_GETFD) < 0) {
		int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			lg->sink = NS_LOG_KMSG;
			lg->fd = fd;
		}
	}
}

static int syslog_connect(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int ns_log_use_syslog(struct ns_log *lg, const char *path)
{
	int fd = syslog_connect(path);
	if (fd < 0)
		return fd;
	ns_log_close(lg);
	lg->sink = NS_LOG_SYSLOG;
	lg->fd = fd;
	lg->syslog_path = path;
	return 0;
}

int ns_log_use_kmsg(struct ns_log *lg, bool loud)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ns_log_close(lg);
	lg->sink = NS_LOG_KMSG;
	lg->fd = fd;
	lg->kmsg_loud = loud;
	return 0;
}

void ns_log_close(struct ns_log *lg)
{
	if (lg->q) {
		ns_outq_close(lg->q);
		free(lg->q);
		lg->q = NULL;
	}
	if (lg->sink != NS_LOG_STDERR && lg->fd >= 0)
		close(lg->fd);
	lg->sink = NS_LOG_STDERR;
	lg->fd = STDERR_FILENO;
}

int ns_log_queue(struct ns_log *lg, size_t size, struct ns_err *err)
{
	if (lg->sink != NS_LOG_STDERR || lg->q)
		return 0;
	struct ns_outq *q = calloc(1, sizeof(*q));
	if (!q)
		return ns_err_set(err, ENOMEM, "log queue: out of memory");
	int r = ns_outq_open(q, lg->fd, size, size / 4, err);
	if (r < 0) {
		free(q);
		return r;
	}
	lg->q = q;
	return 0;
}

static int syslog_prio(enum ns_log_level lvl)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG};
	return (unsigned)lvl < 5 ? prio[lvl] : LOG_DEBUG;
}

/* A record's message as it reaches the sink: escaped, so no text of a container or a
 * client starts a line of its own or moves the cursor. */
#define NS_LOG_KMSG_MAX 2048

struct record {
	char tag[NS_UTF8_ESCAPE_MAX(NS_LOG_TAG_MAX)];
	char msg[NS_UTF8_ESCAPE_MAX(NS_LOG_MSG_MAX)];
	char line[NS_UTF8_ESCAPE_MAX(NS_LOG_MSG_MAX) + NS_UTF8_ESCAPE_MAX(NS_LOG_TAG_MAX) + 64];
};

/* kmsg and syslog name the sender (ident) themselves: a tag that only repeats it is left
 * out ("northstard: Runtime up", not "northstard: northstard: Runtime up"). */
static size_t format_line(struct ns_log *lg, enum ns_log_level lvl, struct record *r, bool tag)
{
	char ts[40] = "";
	int n;
	if (lg->sink != NS_LOG_STDERR && tag && !strcmp(r->tag, lg->ident))
		tag = false;
	if (lg->sink == NS_LOG_KMSG) {
		int prio = syslog_prio(lvl);
		if (lg->kmsg_loud && prio > LOG_ERR)
			prio = LOG_ERR;
		n = snprintf(r->line, sizeof(r->line), "<%d>%s: %s%s%s\n", prio, lg->ident,
			     tag ? r->tag : "", tag ? ": " : "", r->msg);
	} else if (lg->sink == NS_LOG_SYSLOG) {
		/* RFC 3164 as syslog(3) sends it: <PRI>Mmm dd hh:mm:ss ident[pid]: text */
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
		n = snprintf(r->line, sizeof(r->line), "<%d>%s %s[%d]: %s%s%s",
			     LOG_DAEMON | syslog_prio(lvl), ts, lg->ident, (int)getpid(),
			     tag ? r->tag : "", tag ? ": " : "", r->msg);
	} else {
		if (lg->timestamps) {
			struct timespec now;
			struct tm tm;
			clock_gettime(CLOCK_REALTIME, &now);
			gmtime_r(&now.tv_sec, &tm);
			size_t k = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(ts + k, sizeof(ts) - k, ".%03ldZ ", now.tv_nsec / 1000000);
		}
		n = snprintf(r->line, sizeof(r->line), "%s%-5s %s%s%s\n", ts,
			     ns_log_level_name(lvl), r->tag, tag ? ": " : "", r->msg);
	}
	/* cut, but still one line; /dev/kmsg refuses a write beyond 8 KiB (and keeps about
	 * 1 KiB of a record anyway) */
	int max = lg->sink == NS_LOG_KMSG ? NS_LOG_KMSG_MAX : (int)sizeof(r->line);
	if (n > max - 1) {
		n = max - 1;
		if (lg->sink != NS_LOG_SYSLOG)
			r->line[n - 1] = '\n';
	}
	return (size_t)n;
}

/* One datagram per record, never waiting: a full socket (the syslog daemon is behind)
 * loses the record; a refused one (the daemon restarted) is reconnected once. */
static bool syslog_send(struct ns_log *lg, const char *line, size_t n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (send(lg->fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return true;
		if (attempt || (errno != ECONNREFUSED && errno != ENOTCONN) || !lg->syslog_path)
			return false;
		int fd = syslog_connect(lg->syslog_path);
		if (fd < 0)
			return false;
		close(lg->fd);
		lg->fd = fd;
	}
	return false;
}

static void syslog_lost(struct ns_log *lg)
{
	struct record r;
	if (!lg->lost)
		return;
	snprintf(r.msg, sizeof(r.msg), "%llu log records lost: the syslog daemon did not take them",
		 (unsigned long long)lg->lost);
	r.tag[0] = 0;
	size_t n = format_line(lg, NS_LOG_WARN, &r, false);
	if (syslog_send(lg, r.line, n))
		lg->lost = 0;
}

/* Records are built in one buffer and written with one write(), so lines from
 * several processes sharing the fd never interleave. Returns false when the queue
 * refused the record. */
static bool emit(struct ns_log *lg, enum ns_log_level lvl, const char *tag, struct record *r,
		 bool urgent)
{
	ns_utf8_escape(tag ? tag : "", tag ? strnlen(tag, NS_LOG_TAG_MAX) : 0, r->tag,
		       sizeof(r->tag));
	if (lg->hook)
		lg->hook(lg->hook_ctx, lvl, tag, r->msg);
	size_t n = format_line(lg, lvl, r, tag != NULL);
	if (lg->sink == NS_LOG_SYSLOG) {
		syslog_lost(lg);
		return syslog_send(lg, r->line, n);
	}
	if (!lg->q) {
		(void)!write(lg->fd, r->line, n);
		return true;
	}
	bool ok = ns_outq_push(lg->q, r->line, n, urgent);
	ns_log_flush(lg);
	return ok;
}

/* The record lives on the stack (about 30 KiB): no heap churn per record, and no
 * allocation that could fail while an out-of-memory error is being logged. */
void ns_vlogf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt,
	      va_list ap)
{
	int saved = errno;
	if (!lg || lvl > lg->level)
		return;
	char raw[NS_LOG_MSG_MAX];
	struct record r;
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n > (int)sizeof(raw) - 1)
		n = sizeof(raw) - 1;
	ns_utf8_escape(raw, n > 0 ? (size_t)n : 0, r.msg, sizeof(r.msg));
	if (!emit(lg, lvl, tag, &r, true))
		lg->lost++;
	errno = saved;
}

bool ns_log_output(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *text,
		   size_t len)
{
	int saved = errno;
	if (!lg || lvl > lg->level)
		return true;
	struct record r;
	ns_utf8_escape(text, len < NS_LOG_MSG_MAX ? len : NS_LOG_MSG_MAX, r.msg, sizeof(r.msg));
	bool ok = emit(lg, lvl, tag, &r, false);
	errno = saved;
	return ok;
}

bool ns_log_output_room(const struct ns_log *lg, size_t len)
{
	return !lg->q || ns_outq_room(lg->q, NS_UTF8_ESCAPE_MAX(len) + 128, false);
}

size_t ns_log_flush(struct ns_log *lg)
{
	if (!lg->q)
		return 0;
	size_t left = ns_outq_flush(lg->q);
	if (lg->lost && ns_outq_room(lg->q, 256, true)) {
		uint64_t lost = lg->lost;
		lg->lost = 0;
		ns_logf(lg, NS_LOG_WARN, lg->ident, "%llu log records lost: the log was full",
			(unsigned long long)lost);
		left = lg->q->len;
	}
	return left;
}

int ns_log_wait_fd(const struct ns_log *lg)
{
	return lg->q && lg->q->len ? ns_outq_wait_fd(lg->q) : -1;
}

void ns_log_drain(struct ns_log *lg, int timeout_ms)
{
	if (lg->q)
		(void)ns_outq_drain(lg->q, timeout_ms);
}

void ns_logf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ns_vlogf(lg, lvl, tag, fmt, ap);
	va_end(ap);
}

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

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

void ns_log_use_syslog(struct ns_log *lg)
{
	ns_log_close(lg);
	openlog(lg->ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	lg->sink = NS_LOG_SYSLOG;
	lg->fd = -1;
}

void ns_log_close(struct ns_log *lg)
{
	if (lg->sink == NS_LOG_KMSG && lg->fd >= 0)
		close(lg->fd);
	if (lg->sink == NS_LOG_SYSLOG)
		closelog();
	lg->sink = NS_LOG_STDERR;
	lg->fd = STDERR_FILENO;
}

static int syslog_prio(enum ns_log_level lvl)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG};
	return (unsigned)lvl < 5 ? prio[lvl] : LOG_DEBUG;
}

/* Records are built in one buffer and written with one write(), so lines from
 * several processes sharing the fd never interleave. */
void ns_vlogf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt,
	      va_list ap)
{
	char msg[2048];
	char line[2400];
	int saved = errno;

	if (!lg || lvl > lg->level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (lg->hook)
		lg->hook(lg->hook_ctx, lvl, tag, msg);

	int n;
	switch (lg->sink) {
	case NS_LOG_SYSLOG:
		syslog(syslog_prio(lvl), "%s%s%s", tag ? tag : "", tag ? ": " : "", msg);
		break;
	case NS_LOG_KMSG:
		n = snprintf(line, sizeof(line), "<%d>%s: %s%s%s\n", syslog_prio(lvl), lg->ident,
			     tag ? tag : "", tag ? ": " : "", msg);
		if (n > (int)sizeof(line) - 1)
			n = sizeof(line) - 1;
		(void)!write(lg->fd, line, (size_t)n);
		break;
	case NS_LOG_STDERR: {
		char ts[40] = "";
		if (lg->timestamps) {
			struct timespec now;
			struct tm tm;
			clock_gettime(CLOCK_REALTIME, &now);
			gmtime_r(&now.tv_sec, &tm);
			size_t k = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(ts + k, sizeof(ts) - k, ".%03ldZ ", now.tv_nsec / 1000000);
		}
		n = snprintf(line, sizeof(line), "%s%-5s %s%s%s\n", ts, ns_log_level_name(lvl),
			     tag ? tag : "", tag ? ": " : "", msg);
		if (n > (int)sizeof(line) - 1)
			n = sizeof(line) - 1;
		(void)!write(lg->fd, line, (size_t)n);
		break;
	}
	}
	errno = saved;
}

void ns_logf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ns_vlogf(lg, lvl, tag, fmt, ap);
	va_end(ap);
}

/* One logging path for every applet: leveled, tagged records to stderr, /dev/kmsg
 * (PID 1 or no stderr, as in an initramfs) or syslog. libns code never logs on its
 * own; applets own a struct ns_log and pass it where records are wanted. */
#ifndef NS_LOG_H
#define NS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum ns_log_level { NS_LOG_ERROR, NS_LOG_WARN, NS_LOG_INFO, NS_LOG_DEBUG, NS_LOG_TRACE };
enum ns_log_sink { NS_LOG_STDERR, NS_LOG_KMSG, NS_LOG_SYSLOG };

/* Optional observer of every emitted record (the daemon's log tee, tests). */
typedef void (*ns_log_hook)(void *ctx, enum ns_log_level lvl, const char *tag, const char *msg);

struct ns_log {
	const char *ident;
	enum ns_log_level level;
	enum ns_log_sink sink;
	int fd; /* stderr or /dev/kmsg; -1 for syslog */
	bool timestamps;
	ns_log_hook hook;
	void *hook_ctx;
};

/* Chooses the sink: /dev/kmsg when running as PID 1 or when fd 2 is closed. */
void ns_log_init(struct ns_log *lg, const char *ident, enum ns_log_level level);
void ns_log_use_syslog(struct ns_log *lg);
void ns_log_close(struct ns_log *lg);

void ns_logf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ns_vlogf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt,
	      va_list ap);

int ns_log_level_parse(const char *s, enum ns_log_level *out);
const char *ns_log_level_name(enum ns_log_level lvl);

#define ns_error(lg, tag, ...) ns_logf(lg, NS_LOG_ERROR, tag, __VA_ARGS__)
#define ns_warn(lg, tag, ...)  ns_logf(lg, NS_LOG_WARN, tag, __VA_ARGS__)
#define ns_info(lg, tag, ...)  ns_logf(lg, NS_LOG_INFO, tag, __VA_ARGS__)
#define ns_debug(lg, tag, ...) ns_logf(lg, NS_LOG_DEBUG, tag, __VA_ARGS__)

#endif

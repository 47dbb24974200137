/* One logging path for every applet: leveled, tagged records to stderr, /dev/kmsg
 * (PID 1 or no stderr, as in an initramfs) or syslog (a datagram socket, /dev/log,
 * written without waiting: a record the syslog daemon cannot take now is counted
 * lost and reported with the next one that goes through). libns code never logs on its
 * own; applets own a struct ns_log and pass it where records are wanted.
 *
 * Every record is escaped (libns/utf8.h ns_utf8_escape): text from a container or a
 * client can never start a line of its own or drive the terminal. With a queue
 * (ns_log_queue), writing to stderr never waits: records wait in a bounded queue that
 * the daemon's loop flushes when the sink takes more. */
#ifndef NS_LOG_H
#define NS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "outq.h"

/* A record's message is cut at this many bytes (before escaping). */
#define NS_LOG_MSG_MAX 2048
/* and a tag at this many (a container's name:version fits) */
#define NS_LOG_TAG_MAX 1200

enum ns_log_level { NS_LOG_ERROR, NS_LOG_WARN, NS_LOG_INFO, NS_LOG_DEBUG, NS_LOG_TRACE };
enum ns_log_sink { NS_LOG_STDERR, NS_LOG_KMSG, NS_LOG_SYSLOG };

/* Optional observer of every emitted record (the daemon's log tee, tests). */
typedef void (*ns_log_hook)(void *ctx, enum ns_log_level lvl, const char *tag, const char *msg);

struct ns_log {
	const char *ident;
	enum ns_log_level level;
	enum ns_log_sink sink;
	int fd; /* stderr, /dev/kmsg or the syslog socket */
	bool timestamps;
	ns_log_hook hook;
	void *hook_ctx;
	struct ns_outq *q;	 /* NULL: each record is written at once (and may wait) */
	uint64_t lost;		 /* our own records refused by a full queue, not yet reported */
	bool kmsg_loud;		 /* kmsg: every record at KERN_ERR at most, which `quiet` shows */
	const char *syslog_path; /* syslog: where to reconnect after the daemon restarted */
};

/* Longest syslog socket path (sun_path less its NUL). */
#define NS_LOG_SYSLOG_PATH_MAX 108

/* Chooses the sink: /dev/kmsg when running as PID 1 or when fd 2 is closed. */
void ns_log_init(struct ns_log *lg, const char *ident, enum ns_log_level level);
/* Logs to the syslog daemon's datagram socket at path (kept, not copied), facility
 * daemon, as ident[pid]. Fails (a negative errno) when nothing listens there. */
int ns_log_use_syslog(struct ns_log *lg, const char *path);
/* Logs to /dev/kmsg; loud: at KERN_ERR or above, so a console with `quiet` shows every
 * record. Fails (a negative errno) when /dev/kmsg cannot be opened. */
int ns_log_use_kmsg(struct ns_log *lg, bool loud);
void ns_log_close(struct ns_log *lg);

void ns_logf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ns_vlogf(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *fmt,
	      va_list ap);

/* Puts a queue of size bytes in front of the stderr sink (kmsg and syslog keep theirs:
 * the kernel never waits for a reader of /dev/kmsg). A quarter of it is kept for the
 * applet's own records, which container output cannot fill. */
int ns_log_queue(struct ns_log *lg, size_t size, struct ns_err *err);
/* Writes what the sink takes now; a count of lost records is logged once there is
 * room again. Returns the bytes still pending. */
size_t ns_log_flush(struct ns_log *lg);
/* The descriptor to watch for POLLOUT while records are pending, else -1. */
int ns_log_wait_fd(const struct ns_log *lg);
/* At exit: waits at most timeout_ms for the sink to take what is queued. */
void ns_log_drain(struct ns_log *lg, int timeout_ms);
/* A line of a container's output (text, len: not NUL-terminated, any bytes), escaped
 * and tagged. False when it was dropped: the queue's share for output is full. */
bool ns_log_output(struct ns_log *lg, enum ns_log_level lvl, const char *tag, const char *text,
		   size_t len);
/* Whether a line of output of len bytes would be taken now. */
bool ns_log_output_room(const struct ns_log *lg, size_t len);

int ns_log_level_parse(const char *s, enum ns_log_level *out);
/* "stderr", "kmsg", "syslog" */
int ns_log_target_parse(const char *s, enum ns_log_sink *out);
const char *ns_log_target_name(enum ns_log_sink sink);
const char *ns_log_level_name(enum ns_log_level lvl);

#define ns_error(lg, tag, ...) ns_logf(lg, NS_LOG_ERROR, tag, __VA_ARGS__)
#define ns_warn(lg, tag, ...)  ns_logf(lg, NS_LOG_WARN, tag, __VA_ARGS__)
#define ns_info(lg, tag, ...)  ns_logf(lg, NS_LOG_INFO, tag, __VA_ARGS__)
#define ns_debug(lg, tag, ...) ns_logf(lg, NS_LOG_DEBUG, tag, __VA_ARGS__)

#endif

/* northstard's one state object and the parts that work on it: repositories, the
 * container table, mounts, the container lifecycle, the launch of ns-init, container
 * output, the console server and notifications, all driven by one epoll loop. */
#ifndef NSD_H
#define NSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cJSON.h>

#include "libns/blkctx.h"
#include "libns/blkmount.h"
#include "libns/config.h"
#include "libns/console_msg.h"
#include "libns/err.h"
#include "libns/launch.h"
#include "libns/linebuf.h"
#include "libns/linering.h"
#include "libns/log.h"
#include "libns/npk.h"
#include "libns/outq.h"
#include "libns/sign.h"
#include "libns/tbucket.h"
#include "libns/token.h"

#define NSD_TAG "northstard"
/* Prefix of an install's temporary file in an fs repository; stale ones are removed at
 * start-up. */
#define NSD_TMP_PREFIX ".install-"
/* How long shutdown waits after SIGTERM before SIGKILL. */
#define NSD_STOP_TIMEOUT_MS 5000
/* How long a start waits for ns-init to report. */
#define NSD_START_TIMEOUT_MS 30000
/* A container output line longer than this is logged in parts (a log record holds
 * 2047 bytes of message). */
#define NSD_OUTPUT_LINE_MAX 2000

/* What an epoll event points at. */
enum nsd_ev_kind {
	NSD_EV_SIGNAL,
	NSD_EV_TIMER,
	NSD_EV_LISTENER,
	NSD_EV_CONN,
	NSD_EV_PROCESS,
	NSD_EV_OUTPUT,
	NSD_EV_DEBUG,
	NSD_EV_CGROUP, /* a container's OOM monitor */
	NSD_EV_SINK,   /* the log sink or a copy target takes bytes again */
};
struct nsd_ev {
	enum nsd_ev_kind kind;
};

struct nsd_repo {
	const struct ns_repo_config *cfg;
	bool has_key;
	struct ns_pubkey key;
	int dirfd; /* fs: the directory; -1 for mem */
	size_t count;
	uint64_t bytes;
	/* installs under way: held against the capacity from their begin, so concurrent
	 * installs cannot overrun it together */
	size_t reserved_count;
	uint64_t reserved_bytes;
};

/* What a container's output may still print (config log.output_rate) and what it lost:
 * shared by its stdout and stderr. */
struct nsd_outlimit {
	struct ns_tbucket tb;
	uint64_t lines, bytes; /* dropped since the last report (bytes: io: inherit) */
	uint64_t since_ms;     /* when the first of those was dropped */
};

struct nsd_output;
struct nsd_process;
struct ns_cgroup;
struct ns_cgroup_runtime;

/* What a container keeps of its NPK after the checks at install or start-up: the
 * descriptor it was verified from (mounted from it, never re-read by path), where the
 * image lies, the signed verity parameters and the manifest. Everything else of the
 * NPK (zip directory, signature document) is dropped: a hundred installed containers
 * should not cost a megabyte. */
struct nsd_image {
	int fd;
	uint64_t fs_offset, fs_size;
	uint64_t verity_offset; /* where the verity superblock starts: the squashfs' size */
	bool verified, has_verity;
	struct ns_verity_params verity;
	char *manifest_text; /* exact bytes of manifest.yaml */
	size_t manifest_len;
	struct ns_manifest manifest;
};

/* A container's recent output for `nstar logs` (logs.c): the lines of its io: pipe
 * streams that the log got, kept after it exits until it starts again or is
 * uninstalled. */
struct nsd_logs {
	struct ns_linering ring; /* buf NULL until the first line of a run */
	uint64_t dropped;	 /* lines of this run the log dropped: never recorded */
	size_t followers;	 /* connections following it; may still count closed ones */
};

struct nsd_container {
	struct nsd_container *next;
	char *id; /* "name:version" */
	struct nsd_repo *repo;
	struct nsd_image img;
	char *file; /* fs: its name in the repository directory */
	uint64_t size;
	struct ns_blk_mount *blk; /* set while mounted */
	struct nsd_process *proc; /* set while running */
	struct nsd_logs logs;
};

static inline const struct ns_manifest *nsd_manifest(const struct nsd_container *c)
{
	return &c->img.manifest;
}
static inline struct ns_console_id nsd_cid(const struct nsd_container *c)
{
	struct ns_console_id id = {c->img.manifest.name, c->img.manifest.version};
	return id;
}

struct nsd_process {
	struct nsd_ev ev; /* NSD_EV_PROCESS: the pidfd */
	struct nsd_container *c;
	pid_t pid;		  /* ns-init, as the host sees it */
	int pidfd;		  /* of ns-init */
	int sock;		  /* the launch socket: ns-init's reports */
	struct nsd_conn *console; /* its console (manifest console:), or NULL */
	uint64_t start_ns;
	struct nsd_container **resources; /* mounted into it: busy while it runs */
	size_t nresources;
	struct nsd_output *out[2]; /* stdout, stderr pipes (NULL: discard) */
	struct nsd_outlimit outlimit;
	char **sockets; /* files of its manifest sockets in socket_dir */
	size_t nsockets;
	struct ns_cgroup *cg; /* its cgroup (NULL: the machine has none usable) */
	struct nsd_ev oom_ev; /* NSD_EV_CGROUP: the cgroup's OOM fd, when watched */
	bool oom_watched;
};

/* A pipe from a container (or a debug command) whose lines go to the log, or whose
 * bytes are copied to one of our own descriptors (io: inherit). */
struct nsd_output {
	struct nsd_ev ev;
	struct nsd_output *next;
	int fd;
	int copy_to;		    /* -1: log lines */
	bool owned;		    /* a process frees it (nsd_output_close); else it goes at EOF */
	struct nsd_outlimit *limit; /* its container's, or own */
	struct nsd_outlimit own;
	size_t overhead;    /* what a record adds to a line on the sink: time, level, tag */
	bool dropping;	    /* a line was dropped in this round of reads */
	bool closing;	    /* nsd_output_close: read to the end, never pause */
	uint64_t resume_ms; /* off the epoll set until then (it dropped output); 0: reading */
	char tag[NS_CONTAINER_ID_STR_MAX + 16];
	struct nsd_container *owner; /* io: pipe of a container: its lines go to owner's logs */
	enum ns_log_stream stream;
	char buf[NSD_OUTPUT_LINE_MAX];
	size_t len;
};

/* A debug command (config debug.commands) or a wipe helper (persist.c): reaped through
 * its pidfd. */
struct nsd_debug {
	struct nsd_ev ev;
	struct nsd_debug *next;
	int pidfd;
	pid_t pid;
	char tag[NS_CONTAINER_ID_STR_MAX + 16];
};

/* An install in progress on a connection. */
struct nsd_install {
	struct nsd_repo *repo;	       /* NULL: the bytes are drained, then error is sent */
	struct ns_console_error error; /* set when the install already failed */
	char errtext[1024];
	uint64_t remaining;
	int fd;			   /* temporary file or memfd, -1 when draining */
	char tmpname[64];	   /* fs */
	struct nsd_repo *reserved; /* the repository holding this install's reservation */
	uint64_t reserved_size;	   /* the size announced */
};

enum nsd_conn_state { NSD_CONN_HANDSHAKE, NSD_CONN_READY, NSD_CONN_STREAM, NSD_CONN_CLOSED };

struct nsd_rate; /* console_rate.c: the sliding second of max_requests_per_sec */

struct nsd_conn {
	struct nsd_ev ev;
	struct nsd_conn *next;
	int fd;
	enum nsd_conn_state state;
	uint32_t perms;
	bool subscribed;
	struct ns_token_party self;  /* in tokens: the console "extern" or the container */
	struct nsd_container *owner; /* a container's console; NULL: the global console */
	const struct ns_console_options *opts;
	struct ns_linebuf lb;
	char *out; /* bytes not yet written: at most one answer and the notifications */
	size_t outlen, outcap;
	size_t out_lines;     /* lines in out */
	uint64_t deadline_ms; /* connect or NPK stream: closed then; 0: none */
	uint64_t line_ms;     /* a line begun must be complete by then; 0: none */
	uint64_t last_ms;     /* when it connected or last completed a line */
	uint64_t charged;     /* bytes counted against its console's pool */
	uint64_t resume_ms;   /* rate limit: reading pauses until then; 0: not paused */
	struct nsd_rate *rate;
	struct nsd_install *inst;
	int pipe[2];	 /* install: socket to file by splice */
	uint32_t events; /* what epoll watches: 0 (not in the set), EPOLLIN or EPOLLOUT */
	bool yielded;	 /* stopped reading with lines left, to let others have a turn */
	struct nsd_container *follow; /* logs with follow: its new lines are sent here */
};

/* The buffers of one console's connections (console_limits.c). */
struct nsd_pool {
	uint64_t used, max; /* bytes; max_buffered_size */
	uint64_t conns;	    /* open connections */
	const char *what;
};

/* The global listener and the console's own bookkeeping. */
struct nsd_listener {
	struct nsd_ev ev;
	int fd;
	bool paused;   /* out of descriptors and no spare: off the epoll set for a while */
	bool refusing; /* out of descriptors: connections are accepted and closed */
	struct nsd_pool pools[2];      /* the global console's; the containers' consoles' */
	uint64_t fd_limit, fd_reserve; /* RLIMIT_NOFILE; what the console leaves free */
	uint64_t fd_open;	       /* open descriptors, as last counted and kept since */
	int spare;		       /* a descriptor kept free for that accept-and-close */
	char path[108];		       /* unix: removed at shutdown */
	size_t closed;		       /* closed connections waiting for the sweep */
	uint64_t next_ms;  /* earliest connection deadline known (may be early); 0: none */
	uint64_t armed_ms; /* what the timerfd is set to; 0: disarmed */
};

/* A queue in front of the log sink or of a descriptor io: inherit copies to: on the
 * epoll set for EPOLLOUT only while bytes wait. */
struct nsd_sink {
	struct nsd_ev ev;
	struct ns_outq *q; /* NULL: none */
	bool own;	   /* q is ours (else the log's, or another sink's) */
	int watched;	   /* the descriptor on the epoll set, or -1 */
};
#define NSD_SINK_LOG 0 /* sinks[1] and [2]: copies to our stdout and stderr */

struct nsd {
	struct ns_config cfg;
	const char *config_path;
	struct ns_log log;
	struct ns_blk_ctx blk;
	struct ns_self_exe exe;
	struct ns_token_key token_key;
	int epfd;
	int devnull;
	struct nsd_ev sig_ev, timer_ev;
	int sigfd, timerfd;
	uint64_t start_ms; /* monotonic: tokens */
	struct rlimit
	    nofile; /* RLIMIT_NOFILE at start-up: the daemon raises its own, children get this */
	struct nsd_repo *repos;
	size_t nrepos;
	struct nsd_container *containers;
	struct nsd_listener listener;
	bool have_listener;
	struct nsd_conn *conns;
	struct nsd_output *outputs;
	struct nsd_debug *debugs;
	unsigned mount_seq; /* makes device names unique */
	bool selinux;	    /* the host has SELinux (/sys/fs/selinux/enforce) */
	bool shutdown;	    /* requested: the loop ends */
	int exit_status;
	/* the runtime's cgroup; NULL: cgroups unusable */
	struct ns_cgroup_runtime *cg_rt;
	struct nsd_sink sinks[3];
	bool drops_pending; /* some output's dropped lines are not reported yet */
};

/* --- util.c --- */
uint64_t nsd_now_ms(void);
uint64_t nsd_now_ns(void);
int nsd_epoll_add(struct nsd *d, int fd, uint32_t events, struct nsd_ev *ev, struct ns_err *err);
void nsd_epoll_del(struct nsd *d, int fd);
/* Sets a console error naming a container (kinds that carry one). */
void nsd_error(struct ns_console_error *e, enum ns_error_kind kind, const struct nsd_container *c);
/* An unexpected{error} whose text lives in buf. */
void nsd_error_text(struct ns_console_error *e, enum ns_error_kind kind, char *buf, size_t size,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* --- state.c: the container table --- */
struct nsd_container *nsd_find(struct nsd *d, const struct ns_console_id *id);
struct nsd_container *nsd_find_str(struct nsd *d, const char *id);
/* A running container with this name (any version), or NULL. */
struct nsd_container *nsd_running_named(struct nsd *d, const char *name);
/* The running container that has c mounted as a resource, or NULL. */
struct nsd_container *nsd_resource_user(struct nsd *d, const struct nsd_container *c);
void nsd_add(struct nsd *d, struct nsd_container *c);
void nsd_remove(struct nsd *d, struct nsd_container *c);
void nsd_container_free(struct nsd_container *c);
size_t nsd_count(const struct nsd *d);

/* --- resources.c: which container a resource mount gets --- */
/* The highest version among the containers that satisfy user's resource mount m and
 * whose repository user's trusts (a keyed repository: those with the same key and
 * those its `trust` lists), or NULL. Every higher candidate passed over is named in
 * why with its reason ("resource NAME (REQ): ID in repository 'R' passed over: ..."),
 * which is empty when none was. */
struct nsd_container *nsd_resolve_resource(struct nsd *d, const struct nsd_container *user,
					   const struct ns_mount *m, char *why, size_t size);

/* --- repo.c --- */
int nsd_repos_open(struct nsd *d, struct ns_err *err);
void nsd_repos_close(struct nsd *d);
struct nsd_repo *nsd_repo_find(struct nsd *d, const char *name);
/* Install: begin (capacity checked and reserved, temporary file), then finish with the
 * bytes written to inst->fd. Errors become inst->error. The reservation goes with the
 * install's end: it becomes the container's usage on success, and is released by a
 * failure, nsd_install_abort or the connection's close. */
void nsd_install_begin(struct nsd *d, struct nsd_install *inst, const char *repo, uint64_t size);
/* Returns the new container, or NULL with *e set. */
struct nsd_container *nsd_install_finish(struct nsd *d, struct nsd_install *inst,
					 struct ns_console_error *e);
void nsd_install_abort(struct nsd *d, struct nsd_install *inst);
/* Removes c from its repository and from the table (c is freed). */
int nsd_uninstall(struct nsd *d, struct nsd_container *c, bool wipe, struct ns_console_error *e,
		  char *buf, size_t size);

/* --- mount.c --- */
int nsd_mount(struct nsd *d, struct nsd_container *c, struct ns_err *err);
int nsd_umount(struct nsd *d, struct nsd_container *c, struct ns_err *err);
/* Mounts every container of mount_on_start repositories (a failure is fatal). */
int nsd_mount_on_start(struct nsd *d, struct ns_err *err);
/* modules.c: config `modules`, loaded in order (an already loaded one is fine). */
int nsd_load_modules(struct nsd *d, struct ns_err *err);
void nsd_umount_all(struct nsd *d);

/* --- lifecycle.c --- */
struct nsd_start_args {
	const char *init;
	const char *const *args;
	size_t nargs;
	const struct ns_kv *env;
	size_t nenv;
};
/* Starts c; on failure fills e (whose text is kept in buf). */
int nsd_start(struct nsd *d, struct nsd_container *c, const struct nsd_start_args *a,
	      struct ns_console_error *e, char *buf, size_t size);
int nsd_kill(struct nsd *d, struct nsd_container *c, int sig, struct ns_console_error *e, char *buf,
	     size_t size);
/* ns-init's pidfd became readable: collect the status, clean up, notify. */
void nsd_process_exited(struct nsd *d, struct nsd_process *p);
/* Autostart containers, after mount_on_start. A critical one that fails is fatal. */
int nsd_autostart(struct nsd *d, struct ns_err *err);
/* SIGTERM to everything running, SIGKILL after the timeout, reap. */
void nsd_stop_all(struct nsd *d);

/* --- launch.c: ns-init --- */
int nsd_launch(struct nsd *d, struct nsd_container *c, const struct nsd_start_args *a,
	       struct nsd_process *p, struct ns_err *err);

/* --- cgroups.c: the containers' cgroups (libns/cgroup.h) --- */
/* The runtime's cgroup, stale cgroups of a killed daemon removed. Without usable
 * cgroups d->cg_rt stays NULL, which is logged: containers then run without limits. */
void nsd_cgroups_init(struct nsd *d);
/* At shutdown, once every container is gone: the runtime's cgroup is removed. */
void nsd_cgroups_close(struct nsd *d);
/* The container's cgroup with its manifest's limits, its OOM monitor on the epoll set. */
int nsd_cgroup_create(struct nsd *d, const struct nsd_container *c, struct nsd_process *p,
		      struct ns_err *err);
/* Moves ns-init (pid) into p's cgroup; before its go. */
int nsd_cgroup_attach(struct nsd *d, struct nsd_process *p, pid_t pid, struct ns_err *err);
/* The OOM fd turned readable: log it and broadcast the c_group notification. */
void nsd_cgroup_oom_event(struct nsd *d, struct nsd_process *p);
/* The container has ended (or its start failed): the last OOM counts are read, then its
 * cgroup is destroyed (what is left killed, the directories removed). */
void nsd_cgroup_release(struct nsd *d, struct nsd_process *p, const struct nsd_container *c);
/* inspect's process.statistics: the cgroup's, or {} (NULL: out of memory). */
cJSON *nsd_container_statistics(struct nsd *d, const struct nsd_container *c);

/* --- debug.c --- */
void nsd_debug_commands(struct nsd *d, struct nsd_container *c, pid_t pid);
void nsd_debug_exited(struct nsd *d, struct nsd_debug *dbg);

/* --- persist.c --- */
/* Start-up, before any container starts: checks that data_dir enforces the configured
 * limits, finishes the wipes a crash left behind. */
int nsd_persist_init(struct nsd *d, struct ns_err *err);
/* Deletes a tombstone in a forked helper (here when it cannot fork). */
void nsd_persist_wipe_tombstone(struct nsd *d, const char *tomb);
bool nsd_needs_persist(const struct ns_manifest *m);
/* Before c starts: its persist directory made, owned and limited, and the room checked. */
int nsd_persist_prepare(struct nsd *d, const struct nsd_container *c, struct ns_err *err);

/* --- sockets.c --- */
/* Makes c's manifest sockets; their descriptors go to fds[0..nsockets). On failure the
 * ones made so far stay listed in p (nsd_sockets_remove) and open in fds. */
int nsd_sockets_create(struct nsd *d, const struct nsd_container *c, struct nsd_process *p,
		       int *fds, struct ns_err *err);
void nsd_sockets_remove(struct nsd *d, struct nsd_process *p);

/* --- output.c --- */
struct nsd_output *nsd_output_new(struct nsd *d, int fd, const char *tag, int copy_to,
				  struct ns_err *err);
void nsd_output_read(struct nsd *d, struct nsd_output *o);
/* Reads what is left (the writers are gone) and frees it. */
void nsd_output_close(struct nsd *d, struct nsd_output *o);

/* A full bucket at the configured rate. */
void nsd_output_limit_init(struct nsd *d, struct nsd_outlimit *l);
/* What l still counts, reported now (a container's, once both streams ended). */
void nsd_output_limit_report(struct nsd *d, const char *tag, struct nsd_outlimit *l);
/* Reports dropped output (one record per container) where it is due; true while some
 * is left to report. */
bool nsd_output_report(struct nsd *d);

/* --- logs.c: a container's recent output (the logs request, nstar logs) --- */
void nsd_logs_request(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q);
/* At a start: the last run's lines are freed, and p's io: pipe streams feed c's ring. */
void nsd_logs_start(struct nsd *d, struct nsd_container *c, struct nsd_process *p);
/* A line of c's output that the log got (output.c): kept, and sent to followers. */
void nsd_logs_line(struct nsd *d, struct nsd_container *c, enum ns_log_stream stream, const char *s,
		   size_t n);
/* Before c is uninstalled: its followers are told that no more lines will come. */
void nsd_logs_end(struct nsd *d, struct nsd_container *c);

/* --- sink.c: queues in front of the log sink and the io: inherit targets --- */
/* The log's queue (config log.buffer_size) and the copy targets. */
int nsd_sinks_init(struct nsd *d, struct ns_err *err);
/* Between events: EPOLLOUT watched exactly for the sinks with bytes waiting. */
void nsd_sinks_sync(struct nsd *d);
void nsd_sink_event(struct nsd *d, struct nsd_sink *s);
/* Queues bytes for our descriptor fd (1 or 2); false when they were dropped. */
bool nsd_sink_copy(struct nsd *d, int fd, const void *p, size_t n);
/* At exit: what is queued is written, waiting at most timeout_ms in all. */
void nsd_sinks_close(struct nsd *d, int timeout_ms);

/* --- console_listen.c: the global listener --- */
/* Raises RLIMIT_NOFILE to its hard limit (d->nofile keeps the old one for children),
 * then listens on console.global.bind, if any. */
int nsd_console_listen(struct nsd *d, struct ns_err *err);
/* New connections; out of descriptors, they are accepted and closed at once. */
void nsd_console_accept(struct nsd *d);
void nsd_console_listen_close(struct nsd *d);

/* --- console.c: connections --- */
/* A connection on fd (non-blocking, ours from now on) with the global console's
 * settings, or a container's when owner is set. NULL when out of memory (fd closed). */
struct nsd_conn *nsd_conn_new(struct nsd *d, int fd, struct nsd_container *owner);
/* A container's console: a socketpair whose far end (blocking, close-on-exec) goes to
 * *child_fd for the container and whose near end is a connection with the manifest's
 * permissions, the container's identity and console.options. */
int nsd_console_attach(struct nsd *d, struct nsd_container *c, int *child_fd, struct nsd_conn **ret,
		       struct ns_err *err);
void nsd_conn_event(struct nsd *d, struct nsd_conn *c, uint32_t events);
/* The timer fired: deadlines (connect, NPK stream) and rate-limit pauses. */
void nsd_console_timeouts(struct nsd *d, uint64_t now);
/* Sets the timerfd to the earliest console deadline (a no-op when unchanged). */
void nsd_console_arm_timer(struct nsd *d);
void nsd_console_close_all(struct nsd *d);
/* Queues a line (without newline) on a connection; false when it was closed. A
 * notification closes a connection that has notification_buffer_size lines waiting. */
bool nsd_conn_send(struct nsd *d, struct nsd_conn *c, char *line, bool notification);
void nsd_conn_close(struct nsd *d, struct nsd_conn *c);
/* c->inst is set: feeds what the line buffer holds, then reads the rest raw. */
void nsd_conn_begin_stream(struct nsd *d, struct nsd_conn *c);
/* Frees closed connections; run between rounds of events. */
void nsd_console_sweep(struct nsd *d);

/* --- console_limits.c: memory, connections and descriptors of console clients --- */
void nsd_console_limits_init(struct nsd *d);
/* Counts c's buffers against its console's max_buffered_size (after they changed). */
void nsd_conn_charge(struct nsd *d, struct nsd_conn *c);
/* For c to hold want bytes: NULL when that fits its console's max_buffered_size, else
 * the connection to close first (the one holding the most, maybe c itself); the caller
 * closes it and asks again. Calls run one way: these choose, the console closes. */
struct nsd_conn *nsd_conn_over_budget(struct nsd *d, struct nsd_conn *c, uint64_t want);
/* A client of the global console was accepted: over max_connections or the descriptor
 * reserve, another client (*close_first, for the caller to close) makes room for it, or
 * it is refused (false). */
bool nsd_console_admit(struct nsd *d, struct nsd_conn **close_first);
/* Before a start, an install or a mount (why: "a start"...): a client of the global
 * console (never keep) to close because the descriptor reserve is not free, or NULL. */
struct nsd_conn *nsd_console_fd_victim(struct nsd *d, const struct nsd_conn *keep, const char *why);

/* --- console_rate.c: max_requests_per_sec over a sliding second --- */
/* True when one more message may be read now (then counted by nsd_rate_take); else
 * *resume_ms is when one may. */
bool nsd_rate_admit(struct nsd_rate **rate, uint64_t max, uint64_t now_ms, uint64_t *resume_ms);
void nsd_rate_take(struct nsd_rate *rate, uint64_t now_ms);

/* --- requests.c --- */
/* Handles one decoded request on c (permission checked); queues the response. */
void nsd_request(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *r);
/* The install stream of c is complete. */
void nsd_install_done(struct nsd *d, struct nsd_conn *c);

/* --- notify.c --- */
void nsd_notify(struct nsd *d, const struct ns_console_notification *n);
void nsd_notify_container(struct nsd *d, enum ns_notification_kind kind,
			  const struct nsd_container *c);
void nsd_notify_exit(struct nsd *d, const struct nsd_container *c, const struct ns_exit_status *s);

/* --- loop.c --- */
int nsd_loop_init(struct nsd *d, struct ns_err *err);
void nsd_loop_run(struct nsd *d);
/* One round of events, waiting at most timeout_ms (shutdown's waits use it). */
void nsd_loop_once(struct nsd *d, int timeout_ms);
/* Starts the orderly shutdown (the loop ends after this iteration). */
void nsd_request_shutdown(struct nsd *d, int status);

#endif

/* The runtime configuration: YAML with the keys and meanings of Northstar's TOML
 * (spec runtime-behavior §1), plus a few of our own (documented in docs/config.md).
 * Strings point into the loaded document, which the config keeps. */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "log.h"
#include "yaml.h"

struct ns_console_options {
	uint64_t token_validity_ns;
	uint64_t max_requests_per_sec;
	uint64_t max_request_size;
	uint64_t max_npk_install_size;
	uint64_t npk_stream_timeout_ns;
	/* ours (issue 14): what one console's clients may hold, see docs/config.md */
	uint64_t max_connections;      /* console.global only: its clients at once */
	uint64_t max_buffered_size;    /* the bytes buffered for all its connections together */
	uint64_t handshake_timeout_ns; /* connect must arrive within; 0: no deadline */
	uint64_t request_timeout_ns;   /* a line begun must end within; 0: no deadline */
};

struct ns_console_global {
	const char *bind;		   /* unix://PATH or tcp://HOST[:PORT] */
	uint32_t perms;			   /* NS_PERM_* bits */
	bool allow_remote;		   /* ours: a TCP bind beyond loopback needs this opt-in */
	struct ns_console_options options; /* the defaults unless given */
};

enum ns_repo_type { NS_REPO_FS, NS_REPO_MEM };
/* kernel: dm-verity. userspace (ours): the whole image is hashed against the signed
 * root before mounting, for kernels without device-mapper. */
enum ns_repo_verity { NS_REPO_VERITY_KERNEL, NS_REPO_VERITY_USERSPACE };

struct ns_repo_config {
	const char *name;
	enum ns_repo_type type;
	const char *dir; /* fs */
	const char *key; /* path of the raw 32-byte Ed25519 public key, or NULL */
	enum ns_repo_verity verity;
	bool mount_on_start;
	bool has_capacity_num, has_capacity_size;
	uint32_t capacity_num;
	uint64_t capacity_size;
	/* trust: further keyed repositories whose resources this keyed repository's
	 * containers may mount (beyond those with the same key); the sequence as written,
	 * or NULL */
	const struct ns_ynode *trust;
	/* What a container of this repository gets when its manifest does not say
	 * (docs/config.md, issue 14): `missing_seccomp: unfiltered` runs a manifest
	 * without `seccomp` unfiltered, as Northstar does (default: the default profile);
	 * `pids_max` is the pids limit without `cgroups.pids` (0: NS_REPO_PIDS_MAX_DEFAULT,
	 * -1: `max`, no limit). */
	bool seccomp_unfiltered;
	int64_t pids_max;
};

#define NS_REPO_PIDS_MAX_DEFAULT 1024
/* The kernel's limit on pids.max (PID_MAX_LIMIT), and the least a container needs:
 * ns-init and the application. */
#define NS_PIDS_MAX_LIMIT 4194304
#define NS_PIDS_MAX_MIN	  2

/* The pids limit of a container of rc without a manifest value: > 0, or -1 for none. */
int64_t ns_repo_pids_max(const struct ns_repo_config *rc);

/* persist: limits of data_dir/<name> (ours). 0 is no limit. */
struct ns_persist_limit {
	const char *name; /* containers: whose; NULL for the default */
	bool has_size, has_inodes;
	uint64_t size; /* bytes, a multiple of 1024 */
	uint64_t inodes;
};
struct ns_persist_config {
	struct ns_persist_limit all; /* every container's unless overridden */
	struct ns_persist_limit *containers;
	size_t ncontainers;
	bool quota; /* some limit is not 0: data_dir must enforce project quotas */
};

/* log: the daemon's log sink and container output (ours; docs/config.md). */
#define NS_LOG_SYSLOG_PATH "/dev/log"
struct ns_log_config {
	bool has_target;	 /* target given (else stderr, or kmsg as PID 1) */
	enum ns_log_sink target; /* stderr, kmsg or syslog */
	const char *syslog_path; /* the syslog daemon's datagram socket */
	uint64_t buffer_size;	 /* bytes queued in front of stderr */
	uint64_t output_rate;	 /* bytes per second of each container's output; 0: unlimited */
	uint64_t output_burst;	 /* bytes a container may print at once beyond the rate */
	uint64_t ring_size; /* bytes of recent output kept per container (nstar logs); 0: none */
};

/* init: PID-1 mode (ours; docs/config.md). */
struct ns_init_config {
	bool reboot;   /* after the shutdown: reboot instead of powering off */
	bool log_kmsg; /* log to /dev/kmsg at KERN_ERR (which `quiet` shows), not the console */
};

struct ns_config {
	const char *run_dir, *data_dir, *socket_dir, *cgroup;
	uint64_t event_buffer_size, notification_buffer_size;
	uint64_t loop_device_timeout_ns;
	struct ns_console_options console_options; /* for the containers' consoles */
	bool has_global;
	struct ns_console_global global;
	struct ns_repo_config *repos; /* in file order */
	size_t nrepos;
	const char **debug_commands;
	size_t ndebug_commands;
	struct ns_persist_config persist;
	struct ns_log_config log;
	const char **modules; /* .ko files finit_module loads at start, in order */
	size_t nmodules;
	struct ns_init_config init;
	/* missing_binds: fail refuses a start whose bind's host path does not exist;
	 * the default skips that bind with a log line, as Northstar does. */
	bool missing_binds_fail;
	char **abs_paths; /* ns_config_load's absolute forms of relative paths */
	size_t nabs_paths;
	struct ns_ydoc doc;
};

void ns_console_options_default(struct ns_console_options *o);
void ns_log_config_default(struct ns_log_config *l);

/* Every rejection names file:line:column and the key. */
int ns_config_parse(const char *source, const char *text, size_t len, struct ns_config *c,
		    struct ns_err *err);
int ns_config_load(const char *path, struct ns_config *c, struct ns_err *err);
void ns_config_free(struct ns_config *c);

/* The rules start-up applies beyond the text (config_check.c): each repository's key
 * loads. Both `northstard --check` and start-up run it. */
int ns_config_check(const struct ns_config *c, struct ns_err *err);

/* config_persist.c: the `persist` mapping m. */
int ns_config_parse_persist(const struct ns_ydoc *doc, const struct ns_ynode *m,
			    struct ns_persist_config *pc, struct ns_err *err);
/* config_init.c: the `modules` list and the `init` mapping. */
int ns_config_parse_modules(const struct ns_ydoc *doc, const struct ns_ynode *v,
			    struct ns_config *c, struct ns_err *err);
int ns_config_parse_init(const struct ns_ydoc *doc, const struct ns_ynode *m,
			 struct ns_init_config *ic, struct ns_err *err);
/* The limits of container name's persist directory (0: none). */
void ns_persist_config_limits(const struct ns_persist_config *pc, const char *name, uint64_t *size,
			      uint64_t *inodes);

const struct ns_repo_config *ns_config_repo(const struct ns_config *c, const char *name);
/* Whether rc's trust list names the repository called name. */
bool ns_config_repo_trusts(const struct ns_repo_config *rc, const char *name);

#endif

/* The container manifest (Northstar 0.9 schema): parsed from YAML or JSON,
 * validated, and written back as YAML (for NPKs) or JSON (for the console).
 * One allocation arena per manifest: ns_manifest_free releases everything. */
#ifndef NS_MANIFEST_H
#define NS_MANIFEST_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fsextra.h"
#include "version.h"

#define NS_INIT_MAX		  4096
#define NS_ENV_MAX		  64
#define NS_ENV_NAME_MAX		  64
#define NS_ENV_VALUE_MAX	  1024
#define NS_SUPPL_GROUPS_MAX	  64
#define NS_SUPPL_GROUP_NAME_MAX	  64
#define NS_NETNS_NAME_MAX	  256
#define NS_SECCOMP_ARG_INDEX_MAX  5
#define NS_SECCOMP_ARG_VALUES_MAX 50
#define NS_SELINUX_CONTEXT_MAX	  65535
#define NS_SOCKET_NAME_MAX	  64
/* A whole manifest: its text, and its YAML nodes (scalars, sequences and mappings,
 * keys included; `custom` counts with the rest). The largest real manifests have about
 * 1.5 KB and 200 nodes. The bounds keep an installed container's memory small and an
 * inspect answer within what a console client decodes (NS_CONSOLE_MAX_TOKENS). */
#define NS_MANIFEST_MAX_BYTES (64 * 1024)
#define NS_MANIFEST_MAX_NODES 4096

struct ns_kv {
	const char *key, *value;
};

/* Console permissions: a bit set over the 15 names of the console protocol. */
enum ns_perm {
	NS_PERM_IDENT,
	NS_PERM_INSPECT,
	NS_PERM_INSTALL,
	NS_PERM_KILL,
	NS_PERM_LIST,
	NS_PERM_NOTIFICATIONS,
	NS_PERM_MOUNT,
	NS_PERM_REPOSITORIES,
	NS_PERM_SHUTDOWN,
	NS_PERM_START,
	NS_PERM_START_COMMAND,
	NS_PERM_TOKEN_CREATE,
	NS_PERM_TOKEN_VERIFICATION,
	NS_PERM_UMOUNT,
	NS_PERM_UNINSTALL,
	NS_PERM_COUNT
};
#define NS_PERM_FULL ((1u << NS_PERM_COUNT) - 1)
const char *ns_perm_name(enum ns_perm p);
int ns_perm_parse(const char *name, enum ns_perm *out);

struct ns_console_cfg {
	bool present;
	bool full; /* perms == NS_PERM_FULL; written as "full" */
	uint32_t perms;
};

enum ns_sched_policy {
	NS_SCHED_NONE,
	NS_SCHED_OTHER,
	NS_SCHED_BATCH,
	NS_SCHED_FIFO,
	NS_SCHED_RR,
	NS_SCHED_IDLE,
	NS_SCHED_DEADLINE
};
struct ns_sched {
	enum ns_sched_policy policy;
	int nice;	   /* other, batch: -20..19 */
	uint32_t priority; /* fifo, round_robin: 1..99 (Northstar refuses every round_robin) */
};

/* Mount option bits (the comma string of bind and resource mounts). */
enum {
	NS_MOPT_RW = 1 << 0,
	NS_MOPT_NOEXEC = 1 << 1,
	NS_MOPT_NOSUID = 1 << 2,
	NS_MOPT_NODEV = 1 << 3,
	NS_MOPT_REC = 1 << 4,
};

enum ns_mount_type {
	NS_MOUNT_BIND,
	NS_MOUNT_PERSIST,
	NS_MOUNT_PROC,
	NS_MOUNT_SYSFS,
	NS_MOUNT_RESOURCE,
	NS_MOUNT_TMPFS,
	NS_MOUNT_DEV,
	NS_MOUNT_SOCKETS
};
const char *ns_mount_type_name(enum ns_mount_type t);

struct ns_mount {
	const char *target; /* clean absolute path, not "/" */
	enum ns_mount_type type;
	unsigned options;	   /* NS_MOPT_*: bind, resource */
	const char *host;	   /* bind: absolute */
	const char *name;	   /* resource: container name */
	const char *version_req;   /* resource: the requirement as semver writes it (">=0.0.1") */
	struct ns_version_req req; /* resource: parsed requirement */
	const char *dir;	   /* resource: absolute, no ".." */
	uint64_t size;		   /* tmpfs, bytes, > 0 */
};

enum ns_autostart { NS_AUTOSTART_NONE, NS_AUTOSTART_RELAXED, NS_AUTOSTART_CRITICAL };

enum ns_network_mode { NS_NET_NEW, NS_NET_HOST, NS_NET_NAMESPACE };
struct ns_network {
	enum ns_network_mode mode;
	const char *netns; /* NS_NET_NAMESPACE */
};

struct ns_seccomp_rule {
	const char *syscall;
	bool any;	 /* `any`; otherwise an !args filter */
	unsigned index;	 /* argument index 0..5 */
	bool has_values; /* `values` given (possibly empty) */
	uint64_t *values;
	size_t nvalues; /* at most 50 */
	bool has_mask;
	uint64_t mask;
};
struct ns_seccomp {
	bool present;
	bool profile_default;
	bool has_allow;		       /* `allow` given (possibly empty) */
	struct ns_seccomp_rule *allow; /* sorted by syscall name, unique */
	size_t nallow;
};

struct ns_selinux {
	bool present;
	const char *mount_context, *exec;
};

/* Optional integers: has_* says whether the manifest set them. */
struct ns_cgroup_cpu {
	bool present;
	const char *cpus, *mems;
	bool has_shares, has_quota, has_period, has_rt_runtime, has_rt_period;
	uint64_t shares, period, rt_period;
	int64_t quota, rt_runtime;
	struct ns_kv *attrs; /* sorted by key */
	size_t nattrs;
};
struct ns_cgroup_memory {
	bool present;
	bool oom_monitor;
	bool has_kernel_limit, has_hard_limit, has_soft_limit, has_kernel_tcp_limit, has_swap_limit,
	    has_swappiness;
	int64_t kernel_limit, hard_limit, soft_limit, kernel_tcp_limit, swap_limit;
	uint64_t swappiness;
	struct ns_kv *attrs;
	size_t nattrs;
};
struct ns_blkio_weight_device {
	uint64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};
struct ns_blkio_throttle {
	uint64_t major, minor, rate;
};
struct ns_cgroup_blkio {
	bool present;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
	struct ns_blkio_weight_device *weight_device;
	size_t nweight_device;
	struct ns_blkio_throttle *read_bps, *read_iops, *write_bps, *write_iops;
	size_t nread_bps, nread_iops, nwrite_bps, nwrite_iops;
	struct ns_kv *attrs;
	size_t nattrs;
};
/* Ours (issue 14): `cgroups.pids.max`. Northstar ignores unknown keys under `cgroups`,
 * so a manifest with it still loads there (without the limit). */
struct ns_cgroup_pids {
	bool present;
	bool has_max;
	int64_t max; /* 2..NS_MANIFEST_PIDS_MAX, or -1 for "max" (no limit) */
};
#define NS_MANIFEST_PIDS_MIN 2	     /* ns-init and the application */
#define NS_MANIFEST_PIDS_MAX 4194304 /* the kernel's PID_MAX_LIMIT */

struct ns_cgroups {
	bool present;
	const char *parent; /* relative, no "..", or NULL */
	struct ns_cgroup_cpu cpu;
	struct ns_cgroup_memory memory;
	struct ns_cgroup_blkio blkio;
	struct ns_cgroup_pids pids;
};

/* The 16 rlimit resources in manifest order. */
enum ns_rlimit_res {
	NS_RLIMIT_AS,
	NS_RLIMIT_CORE,
	NS_RLIMIT_CPU,
	NS_RLIMIT_DATA,
	NS_RLIMIT_FSIZE,
	NS_RLIMIT_LOCKS,
	NS_RLIMIT_MEMLOCK,
	NS_RLIMIT_MSGQUEUE,
	NS_RLIMIT_NICE,
	NS_RLIMIT_NOFILE,
	NS_RLIMIT_NPROC,
	NS_RLIMIT_RSS,
	NS_RLIMIT_RTPRIO,
	NS_RLIMIT_RTTIME,
	NS_RLIMIT_SIGPENDING,
	NS_RLIMIT_STACK,
	NS_RLIMIT_COUNT
};
const char *ns_rlimit_name(enum ns_rlimit_res r);
int ns_rlimit_resource(enum ns_rlimit_res r); /* RLIMIT_* of <sys/resource.h> */

struct ns_rlimit {
	enum ns_rlimit_res res;
	bool has_soft, has_hard; /* absent means unlimited */
	uint64_t soft, hard;
};

enum ns_socket_type { NS_SOCK_STREAM, NS_SOCK_DATAGRAM, NS_SOCK_SEQPACKET };
struct ns_socket {
	const char *name; /* 1..64 bytes of [0-9A-Za-z._-] */
	enum ns_socket_type type;
	uint32_t mode; /* at most 0777 */
	bool has_uid, has_gid, has_passcred;
	uint32_t uid, gid; /* >= 1 when given */
	bool passcred;
};

enum ns_io_mode { NS_IO_DISCARD, NS_IO_PIPE, NS_IO_INHERIT };
struct ns_io {
	bool present;
	enum ns_io_mode out, err;
};

struct ns_manifest_arena;

struct ns_manifest {
	const char *name;
	struct ns_version version;
	const char *init; /* NULL: a resource container */
	const char **args;
	size_t nargs;
	struct ns_kv *env; /* unique keys (the last one wins), sorted by key */
	size_t nenv;
	uint16_t uid, gid;
	struct ns_console_cfg console;
	struct ns_sched sched;
	struct ns_mount *mounts; /* sorted by target, byte-wise */
	size_t nmounts;
	enum ns_autostart autostart;
	struct ns_cgroups cgroups;
	struct ns_network network;
	struct ns_seccomp seccomp;
	struct ns_selinux selinux;
	uint64_t capabilities;	   /* bit n = capability number n (CAP_CHOWN = 0, ...) */
	const char **suppl_groups; /* sorted */
	size_t nsuppl_groups;
	struct ns_rlimit *rlimits; /* sorted by resource */
	size_t nrlimits;
	struct ns_socket *sockets; /* sorted by name */
	size_t nsockets;
	struct ns_io io;
	/* Opaque; NULL when absent. Object keys are sorted; numbers are raw items holding
	 * their exact JSON text (integers in decimal), so nothing is rounded. */
	cJSON *custom;

	struct ns_manifest_arena *arena;
};

/* Parses YAML (or JSON, which is read as YAML 1.2 flow; there data variants may also be
 * written {"fifo": {...}}, as serde_json reads them) and validates everything of
 * docs/manifest.md, NS_MANIFEST_MAX_BYTES and NS_MANIFEST_MAX_NODES included. text holds len bytes
 * (no NUL). source names the input in messages
 * ("manifest.yaml"); every rejection reads "source:line:col: field.path: problem". */
int ns_manifest_parse(const char *source, const char *text, size_t len, struct ns_manifest *m,
		      struct ns_err *err);
void ns_manifest_free(struct ns_manifest *m);

/* YAML in Northstar's field order (name, version, console, init, args, ...), map items
 * sorted by key so the text is reproducible; it re-parses to an equal manifest.
 * *out is malloc'ed and NUL-terminated. */
int ns_manifest_to_yaml(const struct ns_manifest *m, char **out, size_t *len, struct ns_err *err);
/* The JSON value serde gives Northstar's Manifest (what the console's inspect carries).
 * NULL only when out of memory. */
cJSON *ns_manifest_to_json(const struct ns_manifest *m);
/* Same content, compared through the canonical JSON text. */
bool ns_manifest_equal(const struct ns_manifest *a, const struct ns_manifest *b);

/* The extra image entries of spec npk-format §6.2: mount-point directories (parents
 * first, each once), the /dev nodes of a `dev` mount and the /proc/self/fd links of a
 * `proc` mount at /proc. Paths are malloc'ed; free the list with ns_fsx_list_free. */
int ns_manifest_fs_extras(const struct ns_manifest *m, struct ns_fsx_list *out, struct ns_err *err);
void ns_fsx_list_free(struct ns_fsx_list *l);

/* Capability names: "CAP_CHOWN" <-> 0 ... "CAP_CHECKPOINT_RESTORE" <-> 40. */
const char *ns_cap_name(unsigned cap);
int ns_cap_parse(const char *name, unsigned *out);
#define NS_CAP_COUNT 41

static inline bool ns_manifest_is_resource(const struct ns_manifest *m)
{
	return m->init == NULL;
}

#endif

/* cgroups v1, v2 and hybrid layouts for containers: where the controllers are, the
 * runtime's cgroup, one cgroup per container with the manifest's limits, attaching the
 * container's first process, OOM events, statistics and removal. docs/cgroups.md maps
 * every manifest field per version.
 *
 * Made for northstard's single-threaded event loop:
 *
 *   struct ns_cgroup_layout lay;
 *   struct ns_cgroup_runtime *rt;
 *   struct ns_cgroup_notes notes = {0};        // things ignored or cleaned: log them
 *   ns_cgroup_probe(&lay, &err);
 *   ns_cgroup_runtime_init(&lay, config->cgroup, &notes, &rt, &err);  // stale ones removed
 *   ...
 *   struct ns_cgroup *cg;
 *   ns_cgroup_create(rt, manifest->name, &manifest->cgroups, &notes, &cg, &err);
 *   int fd = ns_cgroup_clone_fd(cg);           // clone3(CLONE_INTO_CGROUP) when >= 0,
 *   ns_cgroup_attach(cg, init_pid, &err);      // else (or if clone3 fails) by pid
 *   epoll_ctl(ep, EPOLL_CTL_ADD, ns_cgroup_oom_fd(cg), ...);  // when >= 0
 *   ... on EPOLLIN: if (ns_cgroup_oom_read(cg, &ev, &err) > 0) broadcast c_group
 *   ... inspect: cJSON *stats = ns_cgroup_stats(cg);
 *   ns_cgroup_destroy(cg, 0, &err);            // kills what is left, waits, rmdir
 *   ns_cgroup_runtime_destroy(rt, &err);       // at shutdown
 *
 * Nothing here prints; everything worth a log line lands in struct ns_cgroup_notes. */
#ifndef NS_CGROUP_H
#define NS_CGROUP_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "manifest.h"

/* The controllers we use. CPUACCT is v1's usage counter (v2: cpu.stat, always there);
 * BLKIO is v2's "io"; PIDS limits the number of tasks (issue 14). */
enum ns_cgroup_ctrl {
	NS_CGROUP_MEMORY,
	NS_CGROUP_CPU,
	NS_CGROUP_CPUACCT,
	NS_CGROUP_CPUSET,
	NS_CGROUP_BLKIO,
	NS_CGROUP_PIDS,
	NS_CGROUP_NCTRL
};
const char *ns_cgroup_ctrl_name(enum ns_cgroup_ctrl c); /* v1 names: "memory", "blkio" ... */

enum ns_cgroup_mode {
	NS_CGROUP_V1,	  /* controllers on v1 hierarchies, no v2 mounted */
	NS_CGROUP_HYBRID, /* controllers on v1 with a v2 hierarchy beside them */
	NS_CGROUP_V2	  /* one unified hierarchy */
};
const char *ns_cgroup_mode_name(enum ns_cgroup_mode m);

#define NS_CGROUP_HIER_MAX  (NS_CGROUP_NCTRL + 1)
#define NS_CGROUP_MOUNT_MAX 512
#define NS_CGROUP_OWN_MAX   1024

/* One hierarchy we use: a v1 mount (maybe several controllers co-mounted, as
 * "cpu,cpuacct") or the v2 mount. */
struct ns_cgroup_hier {
	bool v2;
	unsigned ctrls;			    /* 1u << enum ns_cgroup_ctrl served here */
	char mount[NS_CGROUP_MOUNT_MAX];    /* mount point */
	char mount_root[NS_CGROUP_OWN_MAX]; /* the cgroup at the mount point ("/" usually) */
	bool own_visible;		    /* our cgroup lies under the mount's root */
	char own[NS_CGROUP_OWN_MAX];	    /* our cgroup relative to the mount point ("" = it) */
};

struct ns_cgroup_layout {
	enum ns_cgroup_mode mode;
	struct ns_cgroup_hier hier[NS_CGROUP_HIER_MAX];
	size_t nhier;
	int ctrl[NS_CGROUP_NCTRL];	    /* index into hier, or -1 when missing */
	char v2_mount[NS_CGROUP_MOUNT_MAX]; /* "" when no v2 is mounted (even if unused) */
};

/* Reads /proc/self/mountinfo, /proc/self/cgroup and the v2 root's cgroup.controllers.
 * Fails with ENOENT when no cgroup file system is mounted. */
int ns_cgroup_probe(struct ns_cgroup_layout *out, struct ns_err *err);
/* The two steps of the probe, on text (unit tests): mountinfo and /proc/self/cgroup
 * give the v1 hierarchies and the v2 mount; then the v2 root's cgroup.controllers
 * (NULL when unreadable) places the controllers v1 lacks and sets the mode. */
int ns_cgroup_layout_parse(const char *mountinfo, const char *self_cgroup,
			   struct ns_cgroup_layout *out, struct ns_err *err);
int ns_cgroup_layout_finish(struct ns_cgroup_layout *l, const char *v2_controllers,
			    struct ns_err *err);

/* Log lines for what was ignored or cleaned up. Caller-owned; append-only. */
#define NS_CGROUP_NOTES_MAX 32
struct ns_cgroup_notes {
	size_t n, dropped; /* dropped: lines beyond NS_CGROUP_NOTES_MAX */
	char line[NS_CGROUP_NOTES_MAX][256];
};

/* The runtime's cgroup: `name` (the config's `cgroup`, a relative path of clean
 * components) directly under each hierarchy's mount point, as in Northstar. On v2 the
 * controllers are enabled in cgroup.subtree_control from the mount down. If this
 * process sits inside the runtime's cgroup, it moves to the leaf NS_CGROUP_DAEMON_LEAF
 * so the containers' parent holds no process (v2's no-internal-process rule). Then
 * every other cgroup below (left by a killed daemon) is emptied (SIGKILL) and removed,
 * each named in notes. */
#define NS_CGROUP_DAEMON_LEAF "@northstard" /* '@' is not allowed in container names */
struct ns_cgroup_runtime;
int ns_cgroup_runtime_init(const struct ns_cgroup_layout *l, const char *name,
			   struct ns_cgroup_notes *notes, struct ns_cgroup_runtime **ret,
			   struct ns_err *err);
/* Destroys every container cgroup still open, removes the rest below, moves this
 * process back out of the leaf and removes the runtime's cgroup. Always frees rt;
 * fails when something could not be removed. */
int ns_cgroup_runtime_destroy(struct ns_cgroup_runtime *rt, struct ns_err *err);
const struct ns_cgroup_layout *ns_cgroup_runtime_layout(const struct ns_cgroup_runtime *rt);
/* The runtime's directory on the hierarchy of controller c (NULL when missing). */
const char *ns_cgroup_runtime_path(const struct ns_cgroup_runtime *rt, enum ns_cgroup_ctrl c);

/* A container's cgroup: <runtime>/<name>, or <runtime>/<parent>/<name> with the
 * manifest's `parent` (checked again: relative clean components, no '..'). Applies every
 * limit of m (NULL: none); what this kernel cannot do is noted, not failed. Refuses a
 * name or parent that would nest in, or around, another open container cgroup. */
struct ns_cgroup;
int ns_cgroup_create(struct ns_cgroup_runtime *rt, const char *name, const struct ns_cgroups *m,
		     struct ns_cgroup_notes *notes, struct ns_cgroup **ret, struct ns_err *err);

/* An O_DIRECTORY fd of the container's cgroup for clone3 CLONE_INTO_CGROUP (Linux 5.7),
 * or -1 when the cgroup spans v1 hierarchies: then use ns_cgroup_attach. The fd stays
 * owned by cg. */
int ns_cgroup_clone_fd(const struct ns_cgroup *cg);
/* Moves process pid (with its threads) into the container's cgroup on every
 * hierarchy. Call before the container runs its application. */
int ns_cgroup_attach(struct ns_cgroup *cg, pid_t pid, struct ns_err *err);

/* OOM monitor (manifest cgroups.memory.oom_monitor): an fd that turns readable for
 * epoll when something happened, or -1 without a monitor. v1: an eventfd registered
 * on memory.oom_control; v2: inotify on memory.events. Owned by cg. */
int ns_cgroup_oom_fd(const struct ns_cgroup *cg);
struct ns_cgroup_memory_events {
	bool has_low, has_high, has_max, has_oom, has_oom_kill, has_oom_group_kill;
	uint64_t low, high, max, oom, oom_kill, oom_group_kill;
};
/* Drains the fd and reads the counters (cumulative since creation). Returns 1 when
 * they changed since the last call (broadcast the c_group notification), 0 when not.
 * Call it once more when the container has exited: on v1 the eventfd fires as the OOM
 * begins, and the oom_kill count moves a moment later. */
int ns_cgroup_oom_read(struct ns_cgroup *cg, struct ns_cgroup_memory_events *ev,
		       struct ns_err *err);
/* memory.events text: "key value" lines; unknown keys are skipped. */
int ns_cgroup_memory_events_parse(const char *text, struct ns_cgroup_memory_events *ev);

/* Statistics for inspect's process.statistics: {"memory": {...}, "cpu": {...},
 * "blkio": {...}} (docs/cgroups.md). Missing files are left out. NULL only when out
 * of memory. */
cJSON *ns_cgroup_stats(const struct ns_cgroup *cg);
/* CPU time used by the cgroup in ns (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
int ns_cgroup_cpu_usage(const struct ns_cgroup *cg, uint64_t *ns, struct ns_err *err);

/* The container's directory on the hierarchy of controller c (NULL when missing). */
const char *ns_cgroup_path(const struct ns_cgroup *cg, enum ns_cgroup_ctrl c);

/* SIGKILLs every task left (v2 cgroup.kill on Linux 5.14+, else each pid through a
 * pidfd), waits until the cgroup is empty (at most timeout_ms, 0 = 5 s), removes the
 * directories and the parents it made when empty. Always frees cg. */
int ns_cgroup_destroy(struct ns_cgroup *cg, unsigned timeout_ms, struct ns_err *err);

/* Value mappings (docs/cgroups.md). */
uint64_t ns_cgroup_shares_to_weight(uint64_t shares); /* v1 cpu.shares -> v2 cpu.weight */
uint64_t ns_cgroup_blkio_to_io_weight(uint64_t w);    /* v1 10..1000 -> v2 1..10000 */
/* NULL when ok, else what is wrong: parent paths and attrs keys of a section
 * ("cpu", "memory", "blkio"). */
const char *ns_cgroup_parent_check(const char *parent);
const char *ns_cgroup_attr_check(const char *section, const char *key);

#endif

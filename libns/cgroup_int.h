/* Internals shared by the cgroup_*.c files: the runtime and container objects, the
 * write plan (manifest -> controller files) and small file helpers. */
#ifndef NS_CGROUP_INT_H
#define NS_CGROUP_INT_H

#include <limits.h>

#include "cgroup.h"

/* One directory of a cgroup on one hierarchy (index hier of the layout). */
struct ns_cgroup_dir {
	int fd; /* O_RDONLY | O_DIRECTORY, -1 when unused */
	char path[PATH_MAX];
};

struct ns_cgroup_runtime {
	struct ns_cgroup_layout layout;
	char name[NS_CGROUP_OWN_MAX];
	struct ns_cgroup_dir dir[NS_CGROUP_HIER_MAX]; /* parallel to layout.hier */
	bool in_leaf[NS_CGROUP_HIER_MAX];	      /* this process moved to the leaf */
	bool no_cgroup_kill;			      /* v2 without cgroup.kill (< 5.14) */
	struct ns_cgroup *live;			      /* open container cgroups */
};

enum ns_cgroup_oom_kind { NS_OOM_NONE, NS_OOM_V1, NS_OOM_V2 };

struct ns_cgroup {
	struct ns_cgroup_runtime *rt;
	struct ns_cgroup *next, *prev;
	char rel[PATH_MAX]; /* below the runtime's directory: "[parent/]name" */
	struct ns_cgroup_dir dir[NS_CGROUP_HIER_MAX];
	enum ns_cgroup_oom_kind oom_kind;
	int oom_fd;
	uint64_t v1_ooms; /* eventfd counts so far */
	struct ns_cgroup_memory_events last;
	int64_t rt_runtime, rt_period; /* realtime time lent along its path (cgroup_rt.c) */
};

/* --- the plan: every controller file a manifest writes, in order ---------------- */
enum {
	NS_CGW_OPTIONAL = 1 << 0, /* a missing file is noted, not an error */
	NS_CGW_KMEM = 1 << 1,	  /* read back: an unlimited value means the kernel ignored it */
};
struct ns_cgroup_write {
	enum ns_cgroup_ctrl ctrl;
	char field[64]; /* the manifest field, for messages ("memory.memory_hard_limit") */
	char file[256], value[256];
	char alt_file[64], alt_value[256]; /* tried when file is missing ("": none) */
	unsigned flags;
};
struct ns_cgroup_plan {
	struct ns_cgroup_write *w;
	size_t n, cap;
};
/* Where each controller is: absent, on v1 or on v2. */
struct ns_cgroup_caps {
	bool present[NS_CGROUP_NCTRL];
	bool v2[NS_CGROUP_NCTRL];
};
void ns_cgroup_caps_from_layout(const struct ns_cgroup_layout *l, struct ns_cgroup_caps *caps);
/* Pure: no file is touched. Values the kernel can never take fail here; what this
 * layout cannot do at all goes to notes. */
int ns_cgroup_plan_build(const struct ns_cgroups *m, const struct ns_cgroup_caps *caps,
			 struct ns_cgroup_plan *p, struct ns_cgroup_notes *notes,
			 struct ns_err *err);
void ns_cgroup_plan_free(struct ns_cgroup_plan *p);
/* Runs the plan against a container's directories. */
int ns_cgroup_plan_apply(const struct ns_cgroup_plan *p, const struct ns_cgroup *cg,
			 struct ns_cgroup_notes *notes, struct ns_err *err);

/* Realtime time on v1 RT group scheduling (cgroup_rt.c): lent from the mount's root
 * down to a new container cgroup's parent before its limits are written, given back
 * once its directory is gone, and a crashed runtime's loan reclaimed at start. */
int ns_cgroup_rt_reserve(struct ns_cgroup *cg, const struct ns_cgroups *m, struct ns_err *err);
void ns_cgroup_rt_release(struct ns_cgroup *cg);
void ns_cgroup_rt_reclaim(struct ns_cgroup_runtime *rt, struct ns_cgroup_notes *notes);

/* The OOM monitor of a new container cgroup (cgroup_events.c). */
int ns_cgroup_oom_setup(struct ns_cgroup *cg, struct ns_err *err);

void ns_cgroup_note(struct ns_cgroup_notes *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- files and trees (cgroup_fs.c) --------------------------------------------- */
/* Reads a small control file of dirfd into buf (NUL-terminated). Returns length. */
ssize_t ns_cgroup_read(int dirfd, const char *file, char *buf, size_t size);
int ns_cgroup_read_u64(int dirfd, const char *file, uint64_t *out);
int ns_cgroup_read_i64(int dirfd, const char *file, int64_t *out); /* "-1" in cpu.rt_* */
/* Writes one value; -errno (no message) so callers can tell ENOENT apart. */
int ns_cgroup_write(int dirfd, const char *file, const char *value);
/* mkdir of every missing component of rel beneath dirfd; on v1 cpuset copies the
 * parent's cpus and mems into each new directory, on v2 enables `enable` in the
 * subtree_control of each parent on the way. */
int ns_cgroup_mkdirs(int dirfd, const char *base, const char *rel, bool cpuset_v1,
		     const char *enable, struct ns_err *err);
/* Kills every task of the cgroup at path (and below when recursive) and waits until
 * it is empty, then removes the directories bottom-up. Never signals this process.
 * *killed counts the tasks signalled. */
int ns_cgroup_kill_remove(const char *path, bool v2, bool *no_cgroup_kill, unsigned timeout_ms,
			  bool recursive, unsigned *killed, struct ns_err *err);
/* Moves pid into the cgroup at dirfd (cgroup.procs). */
int ns_cgroup_move(int dirfd, const char *path, pid_t pid, struct ns_err *err);
/* The controllers to write into a v2 cgroup.subtree_control: "+memory +cpu ..." for
 * those of the layout on v2. */
void ns_cgroup_v2_enable_list(const struct ns_cgroup_layout *l, char *buf, size_t size);
bool ns_cgroup_path_clean_rel(const char *p);

#endif

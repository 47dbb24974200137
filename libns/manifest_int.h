/* Internals shared by the manifest_*.c files: the arena, the parse context, typed
 * readers that report "source:line:col: field.path: problem", and the per-section
 * parsers. Not part of libns's API. */
#ifndef NS_MANIFEST_INT_H
#define NS_MANIFEST_INT_H

#include <stdarg.h>

#include "manifest.h"
#include "yaml.h"

/* Field paths in messages ("mounts./data.host") are cut at this length. */
#define MC_PATH_MAX 256

/* Allocations that live as long as the manifest (zero-filled). */
void *mc_alloc(struct ns_manifest *m, size_t size);
char *mc_strndup(struct ns_manifest *m, const char *s, size_t len);

struct mctx {
	const struct ns_ydoc *doc;
	struct ns_err *err;
	struct ns_manifest *m;
};

/* "source:line:col: path: message"; returns -EINVAL. */
int mc_err(struct mctx *c, const struct ns_ynode *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Out-of-memory error; returns -ENOMEM. */
int mc_enomem(struct mctx *c);
/* out = "parent.child" (or child when parent is empty). */
void mc_path(char *out, const char *parent, const char *child);

/* A struct's fields: mc_fields fills key/val of each name found in the mapping (NULL
 * when absent). A repeated field is an error; an unknown one too when deny_unknown
 * (Northstar's deny_unknown_fields), else it is ignored. */
struct mfield {
	const char *name;
	const struct ns_ynode *key, *val;
};
int mc_fields(struct mctx *c, const struct ns_ynode *map, const char *path, struct mfield *f,
	      size_t nf, bool deny_unknown);
const struct ns_ynode *mc_field(const struct mfield *f, size_t nf, const char *name);
/* Fails naming the field when a required one is missing. */
int mc_require(struct mctx *c, const struct ns_ynode *map, const char *path,
	       const struct ns_ynode *val, const char *name);

/* An Option's absence: no node, a plain null scalar ("", ~, null) or !!null. */
bool mc_is_null(const struct ns_ynode *n);
/* The value must be a mapping (sequence). */
int mc_expect_map(struct mctx *c, const struct ns_ynode *n, const char *path);
int mc_expect_seq(struct mctx *c, const struct ns_ynode *n, const char *path);

/* Any scalar as text (serde_yaml's deserialize_str), copied to the arena; NUL refused. */
int mc_string(struct mctx *c, const struct ns_ynode *n, const char *path, const char **out);
/* Only a scalar that resolves to a string (fields inside `mounts`, where serde buffers
 * the value and keeps its YAML type: `host: 123` fails). */
int mc_string_typed(struct mctx *c, const struct ns_ynode *n, const char *path, const char **out);
/* Integers of the YAML 1.2 core schema; `what` names the Rust type in messages. */
int mc_u64(struct mctx *c, const struct ns_ynode *n, const char *path, uint64_t max,
	   const char *what, uint64_t *out);
int mc_i64(struct mctx *c, const struct ns_ynode *n, const char *path, int64_t min, int64_t max,
	   const char *what, int64_t *out);
int mc_bool(struct mctx *c, const struct ns_ynode *n, const char *path, bool *out);
/* A unit variant: a scalar naming one of names[] (also accepted as `!name` with an
 * empty value). Returns the index in *out. */
int mc_unit_variant(struct mctx *c, const struct ns_ynode *n, const char *path,
		    const char *const *names, size_t nnames, unsigned *out);
/* A variant tag "!name" (NULL when the node has none), as serde_yaml's data-carrying
 * enum variants are written. */
const char *mc_tag_variant(const struct ns_ynode *n);
/* What a node is, for "expected X, found Y" messages. */
const char *mc_found(const struct ns_ynode *n, char *buf, size_t size);

/* Sections (manifest_fields.c, manifest_mounts.c, manifest_cgroups.c,
 * manifest_seccomp.c, manifest_custom.c). v is the field's value node. */
int mp_args(struct mctx *c, const struct ns_ynode *v);
int mp_env(struct mctx *c, const struct ns_ynode *v);
int mp_console(struct mctx *c, const struct ns_ynode *v);
int mp_sched(struct mctx *c, const struct ns_ynode *v);
int mp_autostart(struct mctx *c, const struct ns_ynode *v);
int mp_network(struct mctx *c, const struct ns_ynode *v);
int mp_selinux(struct mctx *c, const struct ns_ynode *v);
int mp_capabilities(struct mctx *c, const struct ns_ynode *v);
int mp_suppl_groups(struct mctx *c, const struct ns_ynode *v);
int mp_rlimits(struct mctx *c, const struct ns_ynode *v);
int mp_sockets(struct mctx *c, const struct ns_ynode *v);
int mp_io(struct mctx *c, const struct ns_ynode *v);
int mp_mounts(struct mctx *c, const struct ns_ynode *v);
int mp_cgroups(struct mctx *c, const struct ns_ynode *v);
int mp_seccomp(struct mctx *c, const struct ns_ynode *v);
int mp_custom(struct mctx *c, const struct ns_ynode *v);

/* Rules (manifest_validate.c). Each returns NULL when s is fine, else the problem. */
const char *mv_init(const char *s);
const char *mv_env(const char *key, const char *value);
const char *mv_selinux_context(const char *s);
const char *mv_suppl_group(const char *s);
const char *mv_netns(const char *s);
const char *mv_socket_name(const char *s);
const char *mv_mount_target(const char *s);
const char *mv_resource_dir(const char *s);
const char *mv_cgroup_parent(const char *s);
const char *mv_cgroup_attr(const char *key);
/* Mount targets across all types: duplicates and nesting. keys[i] is the key node of
 * the mount m->mounts[i] (sorted by target). */
int mv_mount_overlaps(struct mctx *c, const struct ns_ynode *const *keys);
/* The resource-container rule on the top-level fields (name -> value node). */
int mv_resource_container(struct mctx *c, const struct mfield *top, size_t ntop);

/* Name tables (manifest_names.c) beyond the public ones. */
extern const char *const ns_mount_type_names[];
extern const size_t ns_mount_type_count;
extern const char *const ns_autostart_names[]; /* indexed by enum ns_autostart */
extern const char *const ns_io_mode_names[];   /* indexed by enum ns_io_mode */
extern const char *const ns_socket_type_names[];
const char *ns_sched_policy_name(enum ns_sched_policy p);
/* Mount option names in bit order, and the comma string of a set ("rw,nosuid"). */
extern const char *const ns_mount_option_names[];
extern const size_t ns_mount_option_count;
void ns_mount_options_str(unsigned options, char *buf, size_t size);

/* custom (manifest_custom.c): a double as JSON/YAML number text that reads back to
 * the same double and always shows it is a float ("1.0", "1e+300"). */
void ns_format_double(double d, char *buf, size_t size);

#endif

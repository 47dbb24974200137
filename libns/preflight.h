/* `northstard --check`: every rule start-up applies, checked without starting anything
 * (no namespace, no mount, no directory made). Each check appends findings to a list the
 * caller owns and prints: one line per thing checked, ok, warn (start-up goes on, but
 * something will not work) or fail (start-up refuses, or containers cannot start), and
 * for warn and fail the detail says how to fix it.
 *
 * Where the checks look on the system comes from struct ns_pf_env ("/proc", "/dev",
 * "/sys" on a running system), so unit tests point them at a fake tree. */
#ifndef NS_PREFLIGHT_H
#define NS_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum ns_pf_level { NS_PF_OK, NS_PF_WARN, NS_PF_FAIL };

#define NS_PF_WHAT_MAX	 96
#define NS_PF_DETAIL_MAX 1600

struct ns_pf_finding {
	enum ns_pf_level level;
	char what[NS_PF_WHAT_MAX];     /* "data_dir", "repository default: key" */
	char detail[NS_PF_DETAIL_MAX]; /* what was found; for warn and fail, the fix */
};

struct ns_pf_list {
	struct ns_pf_finding *v;
	size_t n, cap;
};

struct ns_pf_env {
	const char *proc, *dev, *sys;
	const char *modules_dir; /* /lib/modules/<release>, where loadable modules lie */
	bool no_mount_ns;	 /* northstard -d: the host's mount namespace */
};

/* The running system's paths; modules_dir is written into buf. */
void ns_pf_env_default(struct ns_pf_env *e, char *buf, size_t size);

void ns_pf_list_free(struct ns_pf_list *l);
size_t ns_pf_count(const struct ns_pf_list *l, enum ns_pf_level level);
const char *ns_pf_level_name(enum ns_pf_level level); /* "ok", "warn", "fail" */
/* Appends a finding; returns 0 or -ENOMEM. */
int ns_pf_add(struct ns_pf_list *l, enum ns_pf_level level, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Each repository's key loads (a missing key is a fail, naming the file and how to
 * make one); a repository without one is a warning (any NPK is accepted). */
int ns_preflight_keys(const struct ns_config *c, struct ns_pf_list *out);
/* run_dir, data_dir, socket_dir and each fs repository's directory: present and a
 * directory reached without a foreign symlink (libns/hostpath.h), owned by root or us
 * and not writable by group or others; or absent with a parent start-up can create it
 * in. With persist limits, an existing data_dir must enforce project quotas. */
int ns_preflight_dirs(const struct ns_config *c, struct ns_pf_list *out);
/* Keyed dm-verity repositories need device-mapper (DEV/mapper/control); else `verity:
 * userspace` must be set on them. Keyless ones are not verified. */
int ns_preflight_verity(const struct ns_config *c, const struct ns_pf_env *e,
			struct ns_pf_list *out);
/* / a mount point (from PROC/self/mountinfo), rootfs, or a chroot's directory. */
int ns_preflight_root(const struct ns_pf_env *e, struct ns_pf_list *out);
/* Namespaces (PROC/self/ns), seccomp (PROC/self/status), loop (DEV/loop-control) and
 * squashfs (PROC/filesystems, else loadable or in the config's `modules`). */
int ns_preflight_kernel(const struct ns_config *c, const struct ns_pf_env *e,
			struct ns_pf_list *out);
/* The cgroup layout (v1, v2, hybrid) and the controllers: pids for the repositories'
 * pids limits, the others for manifests that set them. */
int ns_preflight_cgroups(const struct ns_config *c, struct ns_pf_list *out);
/* console.global.bind: a unix socket's directory exists or can be made and no daemon
 * listens there; a TCP address can be bound. */
int ns_preflight_console(const struct ns_config *c, struct ns_pf_list *out);

#endif

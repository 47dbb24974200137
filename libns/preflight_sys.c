/* The preflight's checks of the system: device-mapper for dm-verity, the root mount,
 * kernel features and the cgroup layout. Paths come from struct ns_pf_env. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"
#include "preflight.h"
#include "util.h"

void ns_pf_env_default(struct ns_pf_env *e, char *buf, size_t size)
{
	struct utsname u;
	*e = (struct ns_pf_env){.proc = "/proc", .dev = "/dev", .sys = "/sys"};
	if (uname(&u) == 0) {
		snprintf(buf, size, "/lib/modules/%s", u.release);
		e->modules_dir = buf;
	}
}

static bool exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

/* A .ko of the config's `modules` whose file name starts with base ("loop" matches
 * loop.ko, "dm-verity" dm-verity.ko or dm_verity.ko). */
static bool in_modules(const struct ns_config *c, const char *base)
{
	for (size_t i = 0; i < c->nmodules; i++) {
		const char *slash = strrchr(c->modules[i], '/');
		const char *name = slash ? slash + 1 : c->modules[i];
		size_t n = strlen(base);
		bool same = strlen(name) == n + 3;
		for (size_t k = 0; same && k < n; k++)
			same =
			    name[k] == base[k] || (strchr("-_", name[k]) && strchr("-_", base[k]));
		if (same)
			return true;
	}
	return false;
}

/* The kernel's module tree has it (any compression). */
static bool loadable(const struct ns_pf_env *e, const char *rel)
{
	static const char *const ext[] = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};
	char p[PATH_MAX];
	if (!e->modules_dir)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		snprintf(p, sizeof(p), "%s%s", rel, ext[i]);
		if (exists(e->modules_dir, p))
			return true;
	}
	return false;
}

int ns_preflight_verity(const struct ns_config *c, const struct ns_pf_env *e,
			struct ns_pf_list *out)
{
	char names[512] = "";
	size_t len = 0;
	for (size_t i = 0; i < c->nrepos; i++)
		if (c->repos[i].key && c->repos[i].verity == NS_REPO_VERITY_KERNEL &&
		    len < sizeof(names)) /* keyless repositories are not verified */
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", c->repos[i].name);
	const char *what = "device-mapper";
	if (!names[0])
		return ns_pf_add(out, NS_PF_OK, what,
				 "not needed: no keyed repository verifies with dm-verity");
	if (exists(e->dev, "mapper/control"))
		return ns_pf_add(out, NS_PF_OK, what, "%s/mapper/control (dm-verity for %s)",
				 e->dev, names);
	if (in_modules(c, "dm-mod") && in_modules(c, "dm-verity"))
		return ns_pf_add(out, NS_PF_OK, what,
				 "loaded from `modules` at start (dm-verity for %s)", names);
	return ns_pf_add(out, NS_PF_FAIL, what,
			 "%s/mapper/control is missing, and repositories %s verify with "
			 "dm-verity: their containers cannot be mounted; fix: load device-mapper "
			 "and dm-verity (modprobe dm_verity, or list dm-mod.ko and dm-verity.ko "
			 "in `modules`), or set `verity: userspace` on these repositories",
			 e->dev, names);
}

int ns_preflight_root(const struct ns_pf_env *e, struct ns_pf_list *out)
{
	char path[PATH_MAX];
	ns_autofree char *text = NULL;
	size_t len;
	struct ns_err err = {0};
	const char *what = "root";
	snprintf(path, sizeof(path), "%s/self/mountinfo", e->proc);
	if (ns_read_file_at(AT_FDCWD, path, 1 << 22, &text, &len, &err) < 0)
		return ns_pf_add(out, NS_PF_WARN, what,
				 "%s; fix: mount proc on /proc (mount -t proc proc /proc)",
				 err.msg);
	bool found = false, rootfs = false;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char mp[256], type[64];
		const char *sep = strstr(line, " - ");
		if (sep && sscanf(line, "%*s %*s %*s %*s %255s", mp) == 1 &&
		    sscanf(sep + 3, "%63s", type) == 1 && !strcmp(mp, "/")) {
			found = true;
			rootfs = !strcmp(type, "rootfs");
		}
	}
	if (found && !rootfs)
		return ns_pf_add(out, NS_PF_OK, what, "/ is a mount point");
	const char *kind =
	    rootfs ? "/ is the initramfs' rootfs" : "/ is no mount point (a chroot?)";
	if (e->no_mount_ns)
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s, which pivot_root refuses: with -d containers cannot start; "
				 "fix: drop -d%s",
				 kind,
				 rootfs ? ""
					: ", or bind the chroot's directory onto itself before "
					  "entering it (mount --bind DIR DIR)");
	return ns_pf_add(out, NS_PF_OK, what,
			 "%s: northstard makes its own mount namespace private and runs from a "
			 "bind mount of its root, so containers start and none of their mounts "
			 "reaches the host",
			 kind);
}

static int namespaces(const struct ns_pf_env *e, struct ns_pf_list *out)
{
	static const char *const need[] = {"mnt", "pid", "net", "ipc", "uts"};
	char dir[PATH_MAX], missing[64] = "";
	snprintf(dir, sizeof(dir), "%s/self/ns", e->proc);
	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (!exists(dir, need[i]))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s", missing[0] ? " " : "", need[i]);
	int r;
	if (missing[0])
		r = ns_pf_add(out, NS_PF_FAIL, "namespaces",
			      "missing: %s (no %s/self/ns/<name>): containers cannot start; fix: "
			      "a kernel with CONFIG_NAMESPACES and the matching CONFIG_*_NS "
			      "(UTS_NS, IPC_NS, PID_NS, NET_NS)",
			      missing, e->proc);
	else
		r = ns_pf_add(out, NS_PF_OK, "namespaces", "mnt pid net ipc uts");
	if (r < 0 || exists(dir, "user"))
		return r;
	return ns_pf_add(out, NS_PF_WARN, "namespaces",
			 "no user namespaces: northstard does not need them, but an application "
			 "that makes its own (a sandbox) fails; fix: CONFIG_USER_NS");
}

static int seccomp(const struct ns_pf_env *e, struct ns_pf_list *out)
{
	char path[PATH_MAX];
	ns_autofree char *text = NULL;
	size_t len;
	struct ns_err err = {0};
	snprintf(path, sizeof(path), "%s/self/status", e->proc);
	if (ns_read_file_at(AT_FDCWD, path, 1 << 20, &text, &len, &err) < 0)
		return ns_pf_add(out, NS_PF_WARN, "seccomp", "cannot tell: %s; fix: mount proc",
				 err.msg);
	if (strstr(text, "\nSeccomp:"))
		return ns_pf_add(out, NS_PF_OK, "seccomp", "available");
	return ns_pf_add(out, NS_PF_FAIL, "seccomp",
			 "the kernel has no seccomp (no Seccomp: line in %s): containers, which "
			 "get a seccomp filter by default, cannot start; fix: a kernel with "
			 "CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER",
			 path);
}

static int loop(const struct ns_config *c, const struct ns_pf_env *e, struct ns_pf_list *out)
{
	if (exists(e->dev, "loop-control"))
		return ns_pf_add(out, NS_PF_OK, "loop", "%s/loop-control", e->dev);
	if (in_modules(c, "loop"))
		return ns_pf_add(out, NS_PF_OK, "loop", "loop.ko loaded from `modules` at start");
	if (loadable(e, "kernel/drivers/block/loop"))
		return ns_pf_add(out, NS_PF_WARN, "loop",
				 "%s/loop-control is missing and the loop module is not loaded: "
				 "NPKs cannot be mounted; fix: modprobe loop before the start, or "
				 "list loop.ko in `modules`",
				 e->dev);
	return ns_pf_add(out, NS_PF_FAIL, "loop",
			 "%s/loop-control is missing: NPKs cannot be mounted; fix: a kernel with "
			 "CONFIG_BLK_DEV_LOOP (built in, or loop.ko listed in `modules`), and "
			 "devtmpfs on %s",
			 e->dev, e->dev);
}

static int squashfs(const struct ns_config *c, const struct ns_pf_env *e, struct ns_pf_list *out)
{
	char path[PATH_MAX];
	ns_autofree char *text = NULL;
	size_t len;
	struct ns_err err = {0};
	snprintf(path, sizeof(path), "%s/filesystems", e->proc);
	if (ns_read_file_at(AT_FDCWD, path, 1 << 20, &text, &len, &err) == 0)
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			const char *tab = strrchr(line, '\t');
			if (!strcmp(tab ? tab + 1 : line, "squashfs"))
				return ns_pf_add(out, NS_PF_OK, "squashfs", "in %s", path);
		}
	if (in_modules(c, "squashfs"))
		return ns_pf_add(out, NS_PF_OK, "squashfs",
				 "squashfs.ko loaded from `modules` at start");
	if (loadable(e, "kernel/fs/squashfs/squashfs"))
		return ns_pf_add(
		    out, NS_PF_OK, "squashfs",
		    "a loadable module (%s/kernel/fs/squashfs): the kernel loads it at "
		    "the first mount through modprobe; without modprobe (an initramfs), "
		    "list squashfs.ko in `modules`",
		    e->modules_dir);
	return ns_pf_add(out, NS_PF_FAIL, "squashfs",
			 "not in %s and no module for it: NPKs cannot be mounted; fix: a kernel "
			 "with CONFIG_SQUASHFS (built in, or squashfs.ko listed in `modules`)",
			 path);
}

int ns_preflight_kernel(const struct ns_config *c, const struct ns_pf_env *e,
			struct ns_pf_list *out)
{
	int r;
	if ((r = namespaces(e, out)) < 0 || (r = seccomp(e, out)) < 0 || (r = loop(c, e, out)) < 0)
		return r;
	return squashfs(c, e, out);
}

int ns_preflight_cgroups(const struct ns_config *c, struct ns_pf_list *out)
{
	struct ns_cgroup_layout lay;
	struct ns_err err = {0};
	const char *what = "cgroups";
	if (ns_cgroup_probe(&lay, &err) < 0)
		return ns_pf_add(out, NS_PF_WARN, what,
				 "%s: containers run without resource limits; fix: mount cgroup2 "
				 "(mount -t cgroup2 none /sys/fs/cgroup) or the v1 hierarchies",
				 err.msg);
	char have[128] = "", lack[128] = "";
	for (int i = 0; i < NS_CGROUP_NCTRL; i++) {
		char *s = lay.ctrl[i] >= 0 ? have : lack;
		snprintf(s + strlen(s), sizeof(have) - strlen(s), "%s%s", s[0] ? " " : "",
			 ns_cgroup_ctrl_name((enum ns_cgroup_ctrl)i));
	}
	const char *at = lay.v2_mount[0] ? lay.v2_mount : lay.hier[0].mount;
	int r = ns_pf_add(out, NS_PF_OK, what, "%s (%s): %s", ns_cgroup_mode_name(lay.mode), at,
			  have[0] ? have : "no controllers");
	bool pids = false;
	for (size_t i = 0; i < c->nrepos; i++)
		pids |= ns_repo_pids_max(&c->repos[i]) > 0;
	if (r == 0 && pids && lay.ctrl[NS_CGROUP_PIDS] < 0)
		r = ns_pf_add(out, NS_PF_WARN, what,
			      "no pids controller: the repositories' pids limits (pids_max, "
			      "default %d) are not applied; fix: a kernel with CONFIG_CGROUP_PIDS, "
			      "or pids_max: max",
			      NS_REPO_PIDS_MAX_DEFAULT);
	if (r == 0 && lack[0])
		r = ns_pf_add(out, NS_PF_WARN, what,
			      "not available: %s: a manifest's limits for these are not applied; "
			      "fix: enable them in the kernel (CONFIG_MEMCG, CONFIG_CGROUP_SCHED, "
			      "CONFIG_CPUSETS, CONFIG_BLK_CGROUP, CONFIG_CGROUP_PIDS) or on its "
			      "command line",
			      lack);
	return r;
}

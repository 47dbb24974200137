/* Where the controllers are: v1 hierarchies (one mount per controller, or co-mounted
 * as "cpu,cpuacct"), the v2 hierarchy, or both ("hybrid"). Read from mountinfo and
 * /proc/self/cgroup; a controller is used on v1 where it is mounted there, else on v2
 * when the v2 root lists it in cgroup.controllers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_int.h"
#include "io.h"
#include "util.h"

static const char *const ctrl_names[NS_CGROUP_NCTRL] = {
    [NS_CGROUP_MEMORY] = "memory", [NS_CGROUP_CPU] = "cpu",	[NS_CGROUP_CPUACCT] = "cpuacct",
    [NS_CGROUP_CPUSET] = "cpuset", [NS_CGROUP_BLKIO] = "blkio", [NS_CGROUP_PIDS] = "pids",
};
/* Their names in v2's cgroup.controllers (cpuacct has none: cpu.stat is always there). */
static const char *const v2_names[NS_CGROUP_NCTRL] = {
    [NS_CGROUP_MEMORY] = "memory", [NS_CGROUP_CPU] = "cpu",  [NS_CGROUP_CPUACCT] = NULL,
    [NS_CGROUP_CPUSET] = "cpuset", [NS_CGROUP_BLKIO] = "io", [NS_CGROUP_PIDS] = "pids",
};

const char *ns_cgroup_ctrl_name(enum ns_cgroup_ctrl c)
{
	return (unsigned)c < NS_CGROUP_NCTRL ? ctrl_names[c] : NULL;
}

const char *ns_cgroup_mode_name(enum ns_cgroup_mode m)
{
	static const char *const names[] = {"v1", "hybrid", "v2"};
	return (unsigned)m < ARRAY_SIZE(names) ? names[m] : NULL;
}

/* Splits s at whitespace into at most max fields (in place). */
static size_t split_ws(char *s, char **f, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	return n;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The controllers of ours named in a list: super options ("rw,cpu,cpuacct") or v2's
 * cgroup.controllers ("cpuset cpu io memory"). */
static unsigned ctrls_in_list(const char *list, const char *const *names)
{
	unsigned mask = 0;
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ", \n");
		for (int c = 0; c < NS_CGROUP_NCTRL; c++)
			if (names[c] && strlen(names[c]) == len && !strncmp(p, names[c], len))
				mask |= 1u << c;
		p += len;
		if (*p)
			p++;
	}
	return mask;
}

static int set_str(char *dst, size_t size, const char *src, const char *what, struct ns_err *err)
{
	if (strlen(src) >= size)
		return ns_err_set(err, ENAMETOOLONG, "cgroup %s '%.64s...' is too long", what, src);
	strcpy(dst, src);
	return 0;
}

/* Adds (or prefers) one cgroup mount. A hierarchy mounted twice keeps the mount of its
 * root, else the first one. */
static int add_mount(struct ns_cgroup_layout *l, bool v2, unsigned ctrls, const char *root,
		     const char *mnt, struct ns_err *err)
{
	struct ns_cgroup_hier *h = NULL;
	for (size_t i = 0; i < l->nhier; i++)
		if (l->hier[i].v2 == v2 && (v2 || (l->hier[i].ctrls & ctrls))) {
			if (strcmp(l->hier[i].mount_root, "/") == 0 || strcmp(root, "/") != 0)
				return 0;
			h = &l->hier[i];
		}
	if (!h) {
		if (l->nhier == NS_CGROUP_HIER_MAX)
			return 0;
		h = &l->hier[l->nhier++];
	}
	memset(h, 0, sizeof(*h));
	h->v2 = v2;
	h->ctrls = ctrls;
	if (set_str(h->mount, sizeof(h->mount), mnt, "mount point", err) < 0 ||
	    set_str(h->mount_root, sizeof(h->mount_root), root, "mount root", err) < 0)
		return ns_err_ret(err);
	return 0;
}

static int parse_mountinfo_line(struct ns_cgroup_layout *l, char *line, struct ns_err *err)
{
	char *f[64];
	size_t n = split_ws(line, f, ARRAY_SIZE(f)), dash;
	for (dash = 6; dash < n && strcmp(f[dash], "-") != 0; dash++)
		;
	if (n < 5 || dash + 4 > n)
		return 0; /* not a mount line we understand */
	const char *fstype = f[dash + 1], *super = f[dash + 3];
	bool v2 = !strcmp(fstype, "cgroup2");
	if (!v2 && strcmp(fstype, "cgroup") != 0)
		return 0;
	unsigned ctrls = v2 ? 0 : ctrls_in_list(super, ctrl_names);
	if (!v2 && ctrls == 0)
		return 0; /* name=systemd, net_cls, ...: not ours */
	unescape(f[3]);
	unescape(f[4]);
	return add_mount(l, v2, ctrls, f[3], f[4], err);
}

/* Our cgroup on hierarchy h, from a /proc/self/cgroup path. */
static int set_own(struct ns_cgroup_hier *h, const char *path, struct ns_err *err)
{
	const char *root = h->mount_root;
	size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (path[0] != '/' || strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
		return 0; /* outside what is mounted: not visible here */
	const char *rest = path + rl;
	while (*rest == '/')
		rest++;
	h->own_visible = true;
	return set_str(h->own, sizeof(h->own), rest, "path", err);
}

static int parse_self_cgroup_line(struct ns_cgroup_layout *l, char *line, struct ns_err *err)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return 0;
	*c1 = *c2 = '\0';
	const char *list = c1 + 1, *path = c2 + 1;
	bool v2 = !strcmp(line, "0") && *list == '\0';
	unsigned ctrls = v2 ? 0 : ctrls_in_list(list, ctrl_names);
	for (size_t i = 0; i < l->nhier; i++) {
		struct ns_cgroup_hier *h = &l->hier[i];
		if (h->v2 == v2 && (v2 || (h->ctrls & ctrls)) && !h->own_visible) {
			int r = set_own(h, path, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

typedef int (*line_fn)(struct ns_cgroup_layout *l, char *line, struct ns_err *err);

static int each_line(const char *text, struct ns_cgroup_layout *l, line_fn fn, struct ns_err *err)
{
	ns_autofree char *copy = strdup(text);
	char *save = NULL;
	if (!copy)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int r = fn(l, line, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int ns_cgroup_layout_parse(const char *mountinfo, const char *self_cgroup,
			   struct ns_cgroup_layout *out, struct ns_err *err)
{
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = each_line(mountinfo, out, parse_mountinfo_line, err)) < 0 ||
	    (r = each_line(self_cgroup ? self_cgroup : "", out, parse_self_cgroup_line, err)) < 0)
		return ns_err_wrap(err, "cgroup layout");
	for (int c = 0; c < NS_CGROUP_NCTRL; c++)
		out->ctrl[c] = -1;
	for (size_t i = 0; i < out->nhier; i++) {
		if (out->hier[i].v2)
			strcpy(out->v2_mount, out->hier[i].mount);
		for (int c = 0; c < NS_CGROUP_NCTRL; c++)
			if (out->hier[i].ctrls & (1u << c))
				out->ctrl[c] = (int)i;
	}
	return 0;
}

/* Drops the v2 entry from the list of hierarchies we use. */
static void drop_v2(struct ns_cgroup_layout *l, size_t v2)
{
	memmove(&l->hier[v2], &l->hier[v2 + 1], (l->nhier - v2 - 1) * sizeof(l->hier[0]));
	l->nhier--;
	for (int c = 0; c < NS_CGROUP_NCTRL; c++)
		if (l->ctrl[c] > (int)v2)
			l->ctrl[c]--;
}

int ns_cgroup_layout_finish(struct ns_cgroup_layout *l, const char *v2_controllers,
			    struct ns_err *err)
{
	size_t v2 = l->nhier;
	bool any_v1 = false;
	for (size_t i = 0; i < l->nhier; i++) {
		if (l->hier[i].v2)
			v2 = i;
		else
			any_v1 = true;
	}
	if (v2 == l->nhier) {
		if (!any_v1)
			return ns_err_set(
			    err, ENOENT,
			    "no cgroup file system is mounted (neither cgroup2 nor "
			    "a v1 memory, cpu, cpuacct, cpuset, blkio or pids hierarchy)");
		l->mode = NS_CGROUP_V1;
		return 0;
	}
	unsigned avail = ctrls_in_list(v2_controllers ? v2_controllers : "", v2_names);
	for (int c = 0; c < NS_CGROUP_NCTRL; c++)
		if (l->ctrl[c] < 0 && (avail & (1u << c))) {
			l->ctrl[c] = (int)v2;
			l->hier[v2].ctrls |= 1u << c;
		}
	/* An empty v2 beside v1 controllers (systemd's hybrid) is left alone. */
	if (any_v1 && l->hier[v2].ctrls == 0) {
		drop_v2(l, v2);
		l->mode = NS_CGROUP_HYBRID;
		return 0;
	}
	if (l->ctrl[NS_CGROUP_CPUACCT] < 0) { /* cpu.stat's usage_usec is always there */
		l->ctrl[NS_CGROUP_CPUACCT] = (int)v2;
		l->hier[v2].ctrls |= 1u << NS_CGROUP_CPUACCT;
	}
	l->mode = any_v1 ? NS_CGROUP_HYBRID : NS_CGROUP_V2;
	return 0;
}

int ns_cgroup_probe(struct ns_cgroup_layout *out, struct ns_err *err)
{
	ns_autofree char *mi = NULL, *self = NULL, *ctl = NULL;
	size_t len;
	int r;
	if ((r = ns_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 22, &mi, &len, err)) < 0 ||
	    (r = ns_read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &self, &len, err)) < 0)
		return ns_err_wrap(err, "cgroup probe");
	if ((r = ns_cgroup_layout_parse(mi, self, out, err)) < 0)
		return r;
	if (out->v2_mount[0]) {
		char path[PATH_MAX];
		struct ns_err ignored;
		snprintf(path, sizeof(path), "%s/cgroup.controllers", out->v2_mount);
		(void)ns_read_file_at(AT_FDCWD, path, 1 << 16, &ctl, &len, &ignored);
	}
	if ((r = ns_cgroup_layout_finish(out, ctl, err)) < 0)
		return ns_err_wrap(err, "cgroup probe");
	return 0;
}

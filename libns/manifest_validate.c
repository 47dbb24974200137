/* The manifest's validation rules: Northstar's (with its messages) and the stronger
 * ones of spec tests-and-security §5b, listed in docs/manifest.md. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "path.h"

const char *mv_init(const char *s)
{
	size_t len = strlen(s);
	if (len < 1 || len > NS_INIT_MAX)
		return "init length must be between 1 and 4096 bytes";
	return NULL;
}

static const char *const reserved_env[] = {
    "NORTHSTAR_NAME",
    "NORTHSTAR_VERSION",
    "NORTHSTAR_CONTAINER",
    "NORTHSTAR_CONSOLE",
};

const char *mv_env(const char *key, const char *value)
{
	if (strlen(key) > NS_ENV_NAME_MAX)
		return "env variable name exceeds max length";
	if (strlen(value) > NS_ENV_VALUE_MAX)
		return "env value exceeds max length";
	for (size_t i = 0; i < sizeof(reserved_env) / sizeof(reserved_env[0]); i++)
		if (!strcmp(key, reserved_env[i]))
			return "reserved env variable name";
	/* Stronger than Northstar: the runtime sets NORTHSTAR_SOCKET_<name> itself, and a
	 * name with '=' (or an empty one) cannot be passed through execve. */
	if (!strncmp(key, "NORTHSTAR_SOCKET_", 17))
		return "reserved env variable name (NORTHSTAR_SOCKET_ is the runtime's)";
	if (*key == '\0')
		return "env variable name is empty";
	if (strchr(key, '='))
		return "env variable name must not contain '='";
	return NULL;
}

const char *mv_selinux_context(const char *s)
{
	size_t len = strlen(s);
	if (len == 0)
		return "SELinux context is empty";
	if (len > NS_SELINUX_CONTEXT_MAX)
		return "SELinux context too long";
	for (; *s; s++) {
		char c = *s;
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == ':' || c == '_'))
			return "SELinux context must consist of alphanumeric ASCII characters, "
			       "':' or '_'";
	}
	return NULL;
}

const char *mv_suppl_group(const char *s)
{
	if (strlen(s) > NS_SUPPL_GROUP_NAME_MAX)
		return "supplementary group name exceeds max length";
	if (*s == '\0')
		return "supplementary group name is empty";
	return NULL;
}

/* One path component: not empty, ".", "..", and no '/'. */
static bool single_component(const char *s)
{
	return *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

const char *mv_netns(const char *s)
{
	if (strlen(s) > NS_NETNS_NAME_MAX)
		return "network namespace exceeds max length";
	/* The name is looked up as /run/netns/<name>. */
	if (!single_component(s))
		return "network namespace must be a file name (no '/', not empty, '.' or '..')";
	return NULL;
}

static bool name_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '.' || c == '_' || c == '-';
}

const char *mv_socket_name(const char *s)
{
	size_t len = strlen(s);
	if (len < 1 || len > NS_SOCKET_NAME_MAX)
		return "socket name must be 1 to 64 bytes long";
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i]))
			return "socket name must consist of [0-9A-Za-z._-]";
	if (!single_component(s))
		return "socket name must not be '.' or '..'";
	return NULL;
}

const char *mv_mount_target(const char *s)
{
	if (s[0] != '/')
		return "mount points must not be relative";
	if (!strcmp(s, "/"))
		return "mount point must not be the container root '/'";
	if (!ns_path_is_clean_abs(s))
		return "mount point must be a clean path (no '.' or '..' components, no repeated "
		       "or "
		       "trailing '/')";
	if (strlen(s) >= PATH_MAX)
		return "mount point is longer than 4095 bytes";
	return NULL;
}

const char *mv_resource_dir(const char *s)
{
	if (s[0] != '/')
		return "resource directory options must be absolute";
	if (ns_path_has_dotdot(s))
		return "resource directory must not contain '..'";
	return NULL;
}

const char *mv_cgroup_parent(const char *s)
{
	if (*s == '\0')
		return "cgroup parent is empty";
	if (s[0] == '/')
		return "cgroup parent must be relative to the runtime's cgroup";
	if (ns_path_has_dotdot(s))
		return "cgroup parent must not contain '..'";
	return NULL;
}

const char *mv_cgroup_attr(const char *key)
{
	/* Attributes are written as files of the container's cgroup: keep them to plain
	 * controller files, away from the ones that move tasks or run programs. */
	if (!*key || key[0] == '.')
		return "cgroup attribute must be a file name not starting with '.'";
	for (const char *p = key; *p; p++)
		if (!name_char(*p))
			return "cgroup attribute must consist of [0-9A-Za-z._-]";
	if (!strncmp(key, "cgroup.", 7) || !strcmp(key, "tasks") ||
	    !strcmp(key, "notify_on_release") || !strcmp(key, "release_agent"))
		return "cgroup attribute names a cgroup core file";
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Each ancestor of every target is looked up among the targets: O(n * depth * log n),
 * so it also catches /a beside /a-b beside /a/c, which Northstar's neighbour check misses. */
int mv_mount_overlaps(struct mctx *c, const struct ns_ynode *const *keys)
{
	const struct ns_manifest *m = c->m;
	const char **sorted = malloc((m->nmounts ? m->nmounts : 1) * sizeof(*sorted));
	char prefix[PATH_MAX];
	int r = 0;
	if (!sorted)
		return mc_enomem(c);
	for (size_t i = 0; i < m->nmounts; i++)
		sorted[i] = m->mounts[i].target;
	/* m->mounts is already sorted byte-wise, so is this copy. */
	for (size_t i = 0; i < m->nmounts && r == 0; i++) {
		const char *t = m->mounts[i].target;
		char path[MC_PATH_MAX];
		mc_path(path, "mounts", t);
		if (i > 0 && !strcmp(t, m->mounts[i - 1].target)) {
			r = mc_err(c, keys[i], path, "duplicate mount point (first at line %u)",
				   keys[i - 1]->line);
			break;
		}
		for (const char *s = strchr(t + 1, '/'); s; s = strchr(s + 1, '/')) {
			size_t len = (size_t)(s - t);
			memcpy(prefix, t, len);
			prefix[len] = '\0';
			const char *key = prefix;
			const char **hit =
			    bsearch(&key, sorted, m->nmounts, sizeof(*sorted), cmp_str);
			if (hit) {
				r = mc_err(c, keys[i], path,
					   "mount points must not overlap: '%.200s' is beneath the "
					   "mount point '%.200s' (line %u)",
					   t, prefix, keys[hit - sorted]->line);
				break;
			}
		}
	}
	free(sorted);
	return r;
}

int mv_resource_container(struct mctx *c, const struct mfield *top, size_t ntop)
{
	static const char *const forbidden[] = {
	    "args", "env", "autostart", "cgroups", "seccomp", "capabilities", "suppl_groups", "io"};
	const struct ns_manifest *m = c->m;
	if (m->init)
		return 0;
	bool set[] = {m->nargs > 0,	    m->nenv > 0,	m->autostart != NS_AUTOSTART_NONE,
		      m->cgroups.present,   m->seccomp.present, m->capabilities != 0,
		      m->nsuppl_groups > 0, m->io.present};
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		if (!set[i])
			continue;
		const struct ns_ynode *key = NULL;
		for (size_t j = 0; j < ntop; j++)
			if (!strcmp(top[j].name, forbidden[i]))
				key = top[j].key;
		return mc_err(c, key, forbidden[i],
			      "resource containers must not define any of the following manifest "
			      "entries: args, env, autostart, cgroups, seccomp, capabilities, "
			      "suppl_groups, io");
	}
	return 0;
}

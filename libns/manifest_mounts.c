/* `mounts`: target path -> {type: ..., ...}. Values inside a mount keep their YAML
 * type (serde buffers the internally tagged enum), so strings there must be strings. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "util.h"

/* "rw, nosuid": one comma-separated string, items trimmed, empty means none. */
static int mount_options(struct mctx *c, const struct ns_ynode *v, const char *path, unsigned *out)
{
	const char *s;
	int r;
	*out = 0;
	if ((r = mc_string_typed(c, v, path, &s)) < 0)
		return r;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return 0;
	for (;;) {
		const char *end = strchrnul(s, ',');
		const char *a = s, *b = end;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		size_t i;
		for (i = 0; i < ns_mount_option_count; i++)
			if ((size_t)(b - a) == strlen(ns_mount_option_names[i]) &&
			    !memcmp(a, ns_mount_option_names[i], (size_t)(b - a)))
				break;
		if (i == ns_mount_option_count)
			return mc_err(c, v, path,
				      "invalid mount option '%.*s' (expected rw, noexec, "
				      "nosuid, nodev or rec)",
				      (int)(b - a > 64 ? 64 : b - a), a);
		*out |= 1u << i;
		if (*end == '\0')
			return 0;
		s = end + 1;
	}
}

/* humanize-rs sizes: "100", "100kB", "20M", "1 GiB"; no fractions, no sign. */
static int humanize_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
	    {"", 1},
	    {"b", 1},
	    {"k", 1000ull},
	    {"kb", 1000ull},
	    {"ki", 1ull << 10},
	    {"kib", 1ull << 10},
	    {"m", 1000000ull},
	    {"mb", 1000000ull},
	    {"mi", 1ull << 20},
	    {"mib", 1ull << 20},
	    {"g", 1000000000ull},
	    {"gb", 1000000000ull},
	    {"gi", 1ull << 30},
	    {"gib", 1ull << 30},
	    {"t", 1000000000000ull},
	    {"tb", 1000000000000ull},
	    {"ti", 1ull << 40},
	    {"tib", 1ull << 40},
	    {"p", 1000000000000000ull},
	    {"pb", 1000000000000000ull},
	    {"pi", 1ull << 50},
	    {"pib", 1ull << 50},
	    {"e", 1000000000000000000ull},
	    {"eb", 1000000000000000000ull},
	    {"ei", 1ull << 60},
	    {"eib", 1ull << 60},
	};
	uint64_t n = 0;
	size_t digits = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	for (; *s && !isalpha((unsigned char)*s) && !isspace((unsigned char)*s); s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
		digits++;
	}
	if (digits == 0)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	char unit[4];
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= sizeof(unit))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		unit[i] = (char)tolower((unsigned char)s[i]);
	unit[len] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!strcmp(unit, units[i].unit)) {
			if (n > UINT64_MAX / units[i].mult)
				return -ERANGE;
			*out = n * units[i].mult;
			return 0;
		}
	}
	return -EINVAL;
}

static int tmpfs_size(struct mctx *c, const struct ns_ynode *v, const char *path, uint64_t *out)
{
	struct ns_yscalar t;
	char buf[96];
	int r;
	if (v->kind == NS_YSCALAR && ns_yscalar_resolve(v, &t) == 0 && t.type == NS_YT_INT) {
		if ((r = mc_u64(c, v, path, UINT64_MAX, "a size in bytes", out)) < 0)
			return r;
	} else if (v->kind == NS_YSCALAR && ns_yscalar_resolve(v, &t) == 0 && t.type == NS_YT_STR &&
		   !ns_yscalar_has_nul(v)) {
		r = humanize_size(v->str, out);
		if (r == -ERANGE)
			return mc_err(c, v, path, "size '%.64s' is too large", v->str);
		if (r < 0)
			return mc_err(c, v, path,
				      "invalid size '%.64s' (a whole number with an optional unit: "
				      "B, k, kB, KiB, M, MB, MiB, ... EiB)",
				      v->str);
	} else {
		return mc_err(c, v, path,
			      "expected a number of bytes or a size string (e.g. 25M), "
			      "found %s",
			      mc_found(v, buf, sizeof(buf)));
	}
	/* Stronger than Northstar: tmpfs reads size=0 as "unlimited". */
	if (*out == 0)
		return mc_err(c, v, path, "tmpfs size must be greater than 0");
	return 0;
}

static int bind_mount(struct mctx *c, const struct ns_ynode *v, const char *path,
		      struct ns_mount *mnt)
{
	struct mfield f[] = {{.name = "type"}, {.name = "host"}, {.name = "options"}};
	char fpath[MC_PATH_MAX];
	int r;
	if ((r = mc_fields(c, v, path, f, ARRAY_SIZE(f), true)) < 0 ||
	    (r = mc_require(c, v, path, f[1].val, "host")) < 0)
		return r;
	mc_path(fpath, path, "host");
	if ((r = mc_string_typed(c, f[1].val, fpath, &mnt->host)) < 0)
		return r;
	if (mnt->host[0] != '/') /* stronger: never relative to the runtime's cwd */
		return mc_err(c, f[1].val, fpath, "bind mount host path must be absolute");
	mc_path(fpath, path, "options");
	if (f[2].val && (r = mount_options(c, f[2].val, fpath, &mnt->options)) < 0)
		return r;
	return 0;
}

static int resource_mount(struct mctx *c, const struct ns_ynode *v, const char *path,
			  struct ns_mount *mnt)
{
	struct mfield f[] = {{.name = "type"},
			     {.name = "name"},
			     {.name = "version"},
			     {.name = "dir"},
			     {.name = "options"}};
	char fpath[MC_PATH_MAX];
	const char *version;
	const char *bad;
	int r;
	if ((r = mc_fields(c, v, path, f, ARRAY_SIZE(f), true)) < 0)
		return r;
	for (size_t i = 1; i < 4; i++)
		if ((r = mc_require(c, v, path, f[i].val, f[i].name)) < 0)
			return r;
	mc_path(fpath, path, "name");
	if ((r = mc_string_typed(c, f[1].val, fpath, &mnt->name)) < 0)
		return r;
	if (!ns_name_valid(mnt->name, strlen(mnt->name)))
		return mc_err(c, f[1].val, fpath,
			      "invalid name '%.64s' (1 to 1024 of "
			      "[0-9A-Za-z._-], not '.' or '..')",
			      mnt->name);
	mc_path(fpath, path, "version");
	if ((r = mc_string_typed(c, f[2].val, fpath, &version)) < 0)
		return r;
	if ((r = ns_version_req_parse(version, &mnt->req)) < 0)
		return mc_err(c, f[2].val, fpath, "invalid version requirement '%.64s'", version);
	char req[NS_VERSION_REQ_STR_MAX];
	ns_version_req_str(&mnt->req, req, sizeof(req));
	if (!(mnt->version_req = mc_strndup(c->m, req, strlen(req))))
		return mc_enomem(c);
	mc_path(fpath, path, "dir");
	if ((r = mc_string_typed(c, f[3].val, fpath, &mnt->dir)) < 0)
		return r;
	if ((bad = mv_resource_dir(mnt->dir)))
		return mc_err(c, f[3].val, fpath, "%s", bad);
	mc_path(fpath, path, "options");
	if (f[4].val && (r = mount_options(c, f[4].val, fpath, &mnt->options)) < 0)
		return r;
	if (mnt->options & NS_MOPT_REC)
		return mc_err(c, f[4].val, fpath, "non bind mounts must not be recursive");
	return 0;
}

static int tmpfs_mount(struct mctx *c, const struct ns_ynode *v, const char *path,
		       struct ns_mount *mnt)
{
	struct mfield f[] = {{.name = "type"}, {.name = "size"}};
	char fpath[MC_PATH_MAX];
	int r;
	if ((r = mc_fields(c, v, path, f, ARRAY_SIZE(f), true)) < 0 ||
	    (r = mc_require(c, v, path, f[1].val, "size")) < 0)
		return r;
	mc_path(fpath, path, "size");
	return tmpfs_size(c, f[1].val, fpath, &mnt->size);
}

static int one_mount(struct mctx *c, const struct ns_ynode *v, const char *path,
		     struct ns_mount *mnt)
{
	struct mfield f[] = {{.name = "type"}};
	char fpath[MC_PATH_MAX];
	const char *type;
	unsigned t;
	int r;
	/* Unit types ignore other keys (serde's internally tagged enums do). */
	if ((r = mc_fields(c, v, path, f, 1, false)) < 0 ||
	    (r = mc_require(c, v, path, f[0].val, "type")) < 0)
		return r;
	mc_path(fpath, path, "type");
	if ((r = mc_string_typed(c, f[0].val, fpath, &type)) < 0)
		return r;
	for (t = 0; t < ns_mount_type_count; t++)
		if (!strcmp(type, ns_mount_type_names[t]))
			break;
	if (t == ns_mount_type_count)
		return mc_err(c, f[0].val, fpath,
			      "unknown mount type '%.64s', expected one of: bind, dev, persist, "
			      "proc, resource, sockets, sysfs, tmpfs",
			      type);
	mnt->type = (enum ns_mount_type)t;
	switch (mnt->type) {
	case NS_MOUNT_BIND:
		return bind_mount(c, v, path, mnt);
	case NS_MOUNT_RESOURCE:
		return resource_mount(c, v, path, mnt);
	case NS_MOUNT_TMPFS:
		return tmpfs_mount(c, v, path, mnt);
	default:
		return 0;
	}
}

struct mount_at {
	struct ns_mount mnt;
	const struct ns_ynode *key;
};

static int cmp_mount_at(const void *a, const void *b)
{
	return strcmp(((const struct mount_at *)a)->mnt.target,
		      ((const struct mount_at *)b)->mnt.target);
}

static int check_and_store(struct mctx *c, struct mount_at *all, size_t n)
{
	const struct ns_ynode **keys = malloc((n ? n : 1) * sizeof(*keys));
	int r;
	if (!keys)
		return mc_enomem(c);
	qsort(all, n, sizeof(*all), cmp_mount_at);
	c->m->mounts = mc_alloc(c->m, n * sizeof(*c->m->mounts));
	if (!c->m->mounts) {
		free(keys);
		return mc_enomem(c);
	}
	for (size_t i = 0; i < n; i++) {
		c->m->mounts[i] = all[i].mnt;
		keys[i] = all[i].key;
	}
	c->m->nmounts = n;
	r = mv_mount_overlaps(c, keys);
	free(keys);
	return r;
}

int mp_mounts(struct mctx *c, const struct ns_ynode *v)
{
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_map(c, v, "mounts")) < 0)
		return r;
	struct mount_at *all = calloc(v->n ? v->n : 1, sizeof(*all));
	if (!all)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n && r == 0; i++) {
		const struct ns_ynode *k = ns_ymap_key(v, i);
		char path[MC_PATH_MAX];
		const char *bad;
		all[i].key = k;
		if ((r = mc_string(c, k, "mounts", &all[i].mnt.target)) < 0)
			break;
		mc_path(path, "mounts", all[i].mnt.target);
		if ((bad = mv_mount_target(all[i].mnt.target))) {
			r = mc_err(c, k, path, "%s", bad);
			break;
		}
		r = one_mount(c, ns_ymap_val(v, i), path, &all[i].mnt);
	}
	if (r == 0)
		r = check_and_store(c, all, v->n);
	free(all);
	return r;
}

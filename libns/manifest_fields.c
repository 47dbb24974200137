/* The smaller manifest sections: args, env, console, sched, autostart, network,
 * selinux, capabilities, suppl_groups, rlimits, sockets and io. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "util.h"

int mp_args(struct mctx *c, const struct ns_ynode *v)
{
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_seq(c, v, "args")) < 0)
		return r;
	c->m->args = mc_alloc(c->m, v->n * sizeof(*c->m->args));
	if (!c->m->args)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++) {
		if ((r = mc_string(c, v->items[i], "args", &c->m->args[i])) < 0)
			return r;
	}
	c->m->nargs = v->n;
	return 0;
}

/* Sorts a map's items by key, keeping for a repeated key the value given last (the
 * items are in input order, and qsort is not stable, so the index breaks ties). */
struct kv_at {
	struct ns_kv kv;
	size_t at;
	const struct ns_ynode *node;
};
static int cmp_kv_at(const void *a, const void *b)
{
	const struct kv_at *x = a, *y = b;
	int r = strcmp(x->kv.key, y->kv.key);
	return r ? r : (x->at < y->at ? -1 : x->at > y->at);
}

int mp_env(struct mctx *c, const struct ns_ynode *v)
{
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_map(c, v, "env")) < 0)
		return r;
	struct kv_at *items = calloc(v->n ? v->n : 1, sizeof(*items));
	if (!items)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n && r == 0; i++) {
		r = mc_string(c, ns_ymap_key(v, i), "env", &items[i].kv.key);
		if (r == 0) {
			char path[MC_PATH_MAX];
			mc_path(path, "env", items[i].kv.key);
			r = mc_string(c, ns_ymap_val(v, i), path, &items[i].kv.value);
		}
		items[i].at = i;
		items[i].node = ns_ymap_key(v, i);
	}
	if (r == 0)
		qsort(items, v->n, sizeof(*items), cmp_kv_at);
	size_t n = 0;
	for (size_t i = 0; i < v->n && r == 0; i++) {
		if (i + 1 < v->n && !strcmp(items[i].kv.key, items[i + 1].kv.key))
			continue; /* a later one wins */
		char path[MC_PATH_MAX];
		mc_path(path, "env", items[i].kv.key);
		const char *bad = mv_env(items[i].kv.key, items[i].kv.value);
		if (bad)
			r = mc_err(c, items[i].node, path, "%s", bad);
		items[n++] = items[i];
	}
	if (r == 0 && n > NS_ENV_MAX)
		r = mc_err(c, v, "env", "env exceeds max length (%zu variables, at most %d)", n,
			   NS_ENV_MAX);
	if (r == 0 && n) {
		c->m->env = mc_alloc(c->m, n * sizeof(*c->m->env));
		if (!c->m->env)
			r = mc_enomem(c);
		for (size_t i = 0; r == 0 && i < n; i++)
			c->m->env[i] = items[i].kv;
		c->m->nenv = n;
	}
	free(items);
	return r;
}

static int console_list(struct mctx *c, const struct ns_ynode *v, const char *path, uint32_t *perms)
{
	*perms = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct ns_ynode *it = v->items[i];
		enum ns_perm p;
		if (it->kind != NS_YSCALAR)
			return mc_err(c, it, path, "expected a permission name, found %s",
				      ns_ykind_name(it->kind));
		if (ns_yscalar_has_nul(it) || ns_perm_parse(it->str, &p) < 0)
			return mc_err(c, it, path, "invalid console permission: %.64s", it->str);
		*perms |= 1u << p; /* repeated names are fine */
	}
	return 0;
}

int mp_console(struct mctx *c, const struct ns_ynode *v)
{
	struct mfield f[] = {{.name = "permissions"}};
	const char *path = "console.permissions";
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_fields(c, v, "console", f, ARRAY_SIZE(f), true)) < 0)
		return r;
	if ((r = mc_require(c, v, "console", f[0].val, "permissions")) < 0)
		return r;
	const struct ns_ynode *p = f[0].val;
	struct ns_console_cfg *cfg = &c->m->console;
	if (p->kind == NS_YSEQ) {
		if ((r = console_list(c, p, path, &cfg->perms)) < 0)
			return r;
	} else if (p->kind == NS_YSCALAR) {
		/* Northstar trims the string; only "full" is a word. */
		const char *s = p->str;
		size_t len = p->len;
		while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
			       s[len - 1] == '\r'))
			len--;
		if (len != 4 || memcmp(s, "full", 4))
			return mc_err(c, p, path, "invalid console permission: %.64s", p->str);
		cfg->perms = NS_PERM_FULL;
	} else {
		return mc_err(c, p, path, "expected \"full\" or a list of permissions, found %s",
			      ns_ykind_name(p->kind));
	}
	cfg->present = true;
	cfg->full = cfg->perms == NS_PERM_FULL;
	return 0;
}

/* !other/!batch {nice: i8}, !fifo/!round_robin {priority: u32}. Unknown keys are
 * ignored there, as serde does for enum struct variants. */
static int sched_params(struct mctx *c, const struct ns_ynode *v, const char *path,
			struct ns_sched *s)
{
	bool nice = s->policy == NS_SCHED_OTHER || s->policy == NS_SCHED_BATCH;
	struct mfield f[] = {{.name = nice ? "nice" : "priority"}};
	char fpath[MC_PATH_MAX];
	int r;
	if ((r = mc_fields(c, v, path, f, 1, false)) < 0)
		return r;
	if ((r = mc_require(c, v, path, f[0].val, f[0].name)) < 0)
		return r;
	mc_path(fpath, path, f[0].name);
	if (nice) {
		int64_t x;
		if ((r = mc_i64(c, f[0].val, fpath, INT8_MIN, INT8_MAX, "i8", &x)) < 0)
			return r;
		if (x < -20 || x > 19)
			return mc_err(c, f[0].val, fpath, "nice must be between -20 and 19");
		s->nice = (int)x;
		return 0;
	}
	uint64_t x;
	if ((r = mc_u64(c, f[0].val, fpath, UINT32_MAX, "u32", &x)) < 0)
		return r;
	if (x < 1 || x > 99)
		return mc_err(c, f[0].val, fpath, "%s priority must be between 1 and 99",
			      s->policy == NS_SCHED_FIFO ? "fifo" : "round robin");
	s->priority = (uint32_t)x;
	return 0;
}

int mp_sched(struct mctx *c, const struct ns_ynode *v)
{
	static const char *const data_variants[] = {"other", "fifo", "round_robin", "batch"};
	static const enum ns_sched_policy data_policy[] = {NS_SCHED_OTHER, NS_SCHED_FIFO,
							   NS_SCHED_RR, NS_SCHED_BATCH};
	static const char *const all[] = {"other", "fifo", "round_robin",
					  "batch", "idle", "deadline"};
	struct mfield f[] = {{.name = "policy"}};
	const char *path = "sched.policy";
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_fields(c, v, "sched", f, 1, false)) < 0)
		return r;
	if ((r = mc_require(c, v, "sched", f[0].val, "policy")) < 0)
		return r;
	const struct ns_ynode *p = f[0].val;
	const char *tag = mc_tag_variant(p);
	struct ns_sched *s = &c->m->sched;
	for (size_t i = 0; tag && i < ARRAY_SIZE(data_variants); i++) {
		if (!strcmp(tag, data_variants[i])) {
			s->policy = data_policy[i];
			return sched_params(c, p, path, s);
		}
	}
	if (p->kind == NS_YMAP && !tag)
		return mc_err(c, p, path, "expected a YAML tag starting with '!' (e.g. !fifo)");
	unsigned idx;
	if ((r = mc_unit_variant(c, p, path, all, ARRAY_SIZE(all), &idx)) < 0)
		return r;
	if (idx < 4)
		return mc_err(c, p, path, "'%s' needs parameters: write it as !%s", all[idx],
			      all[idx]);
	s->policy = idx == 4 ? NS_SCHED_IDLE : NS_SCHED_DEADLINE;
	return 0;
}

int mp_autostart(struct mctx *c, const struct ns_ynode *v)
{
	unsigned idx;
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_unit_variant(c, v, "autostart", ns_autostart_names + 1, 2, &idx)) < 0)
		return r;
	c->m->autostart = (enum ns_autostart)(idx + 1);
	return 0;
}

int mp_network(struct mctx *c, const struct ns_ynode *v)
{
	static const char *const names[] = {"host", "namespace"};
	const char *tag = mc_tag_variant(v);
	unsigned idx;
	int r;
	if (mc_is_null(v))
		return 0;
	if (tag && !strcmp(tag, "namespace")) {
		const char *netns;
		if ((r = mc_string(c, v, "network.namespace", &netns)) < 0)
			return r;
		const char *bad = mv_netns(netns);
		if (bad)
			return mc_err(c, v, "network.namespace", "%s", bad);
		c->m->network.mode = NS_NET_NAMESPACE;
		c->m->network.netns = netns;
		return 0;
	}
	if (v->kind == NS_YMAP && !tag)
		return mc_err(c, v, "network",
			      "expected a YAML tag starting with '!' "
			      "(e.g. !namespace NAME)");
	if ((r = mc_unit_variant(c, v, "network", names, 2, &idx)) < 0)
		return r;
	if (idx == 1)
		return mc_err(c, v, "network", "'namespace' needs a name: !namespace NAME");
	c->m->network.mode = NS_NET_HOST;
	return 0;
}

int mp_selinux(struct mctx *c, const struct ns_ynode *v)
{
	struct mfield f[] = {{.name = "mount_context"}, {.name = "exec"}};
	const char **out[] = {&c->m->selinux.mount_context, &c->m->selinux.exec};
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_fields(c, v, "selinux", f, ARRAY_SIZE(f), true)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		char path[MC_PATH_MAX];
		if (mc_is_null(f[i].val))
			continue;
		mc_path(path, "selinux", f[i].name);
		if ((r = mc_string(c, f[i].val, path, out[i])) < 0)
			return r;
		const char *bad = mv_selinux_context(*out[i]);
		if (bad)
			return mc_err(c, f[i].val, path, "%s", bad);
	}
	c->m->selinux.present = true;
	return 0;
}

int mp_capabilities(struct mctx *c, const struct ns_ynode *v)
{
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_seq(c, v, "capabilities")) < 0)
		return r;
	for (size_t i = 0; i < v->n; i++) {
		const struct ns_ynode *it = v->items[i];
		unsigned cap;
		char path[MC_PATH_MAX];
		if (it->kind != NS_YSCALAR)
			return mc_err(c, it, "capabilities", "expected a capability name, found %s",
				      ns_ykind_name(it->kind));
		mc_path(path, "capabilities", it->str);
		if (ns_yscalar_has_nul(it) || ns_cap_parse(it->str, &cap) < 0)
			return mc_err(c, it, "capabilities",
				      "unknown capability '%.64s' (expected a name such as "
				      "CAP_NET_ADMIN)",
				      it->str);
		if (c->m->capabilities & (UINT64_C(1) << cap))
			return mc_err(c, it, path, "duplicate capability");
		c->m->capabilities |= UINT64_C(1) << cap;
	}
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mp_suppl_groups(struct mctx *c, const struct ns_ynode *v)
{
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_seq(c, v, "suppl_groups")) < 0)
		return r;
	const char **g = mc_alloc(c->m, v->n * sizeof(*g));
	if (!g)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++) {
		if ((r = mc_string(c, v->items[i], "suppl_groups", &g[i])) < 0)
			return r;
		const char *bad = mv_suppl_group(g[i]);
		if (bad)
			return mc_err(c, v->items[i], "suppl_groups", "%s", bad);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(g[i], g[j]))
				return mc_err(c, v->items[i], "suppl_groups",
					      "duplicate group '%.64s' (first at line %u)", g[i],
					      v->items[j]->line);
	}
	if (v->n > NS_SUPPL_GROUPS_MAX)
		return mc_err(c, v, "suppl_groups",
			      "supplementary groups exceeds max length (%zu groups, at most %d)",
			      v->n, NS_SUPPL_GROUPS_MAX);
	qsort(g, v->n, sizeof(*g), cmp_strp);
	c->m->suppl_groups = g;
	c->m->nsuppl_groups = v->n;
	return 0;
}

/* {soft: u64?, hard: u64?}; unknown keys ignored (no deny_unknown_fields there). */
static int rlimit_value(struct mctx *c, const struct ns_ynode *v, const char *path,
			struct ns_rlimit *rl)
{
	struct mfield f[] = {{.name = "soft"}, {.name = "hard"}};
	bool *has[] = {&rl->has_soft, &rl->has_hard};
	uint64_t *val[] = {&rl->soft, &rl->hard};
	int r;
	if ((r = mc_fields(c, v, path, f, 2, false)) < 0)
		return r;
	for (size_t i = 0; i < 2; i++) {
		char fpath[MC_PATH_MAX];
		if (mc_is_null(f[i].val))
			continue;
		mc_path(fpath, path, f[i].name);
		if ((r = mc_u64(c, f[i].val, fpath, UINT64_MAX, "u64", val[i])) < 0)
			return r;
		*has[i] = true;
	}
	return 0;
}

int mp_rlimits(struct mctx *c, const struct ns_ynode *v)
{
	const struct ns_ynode *seen[NS_RLIMIT_COUNT] = {0};
	struct ns_rlimit all[NS_RLIMIT_COUNT];
	const char *names[NS_RLIMIT_COUNT];
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_map(c, v, "rlimits")) < 0)
		return r;
	for (unsigned i = 0; i < NS_RLIMIT_COUNT; i++)
		names[i] = ns_rlimit_name(i);
	for (size_t i = 0; i < v->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(v, i);
		char path[MC_PATH_MAX];
		unsigned res;
		if ((r = mc_unit_variant(c, k, "rlimits", names, NS_RLIMIT_COUNT, &res)) < 0)
			return r;
		mc_path(path, "rlimits", names[res]);
		if (seen[res])
			return mc_err(c, k, path, "duplicate rlimit (first at line %u)",
				      seen[res]->line);
		seen[res] = k;
		memset(&all[res], 0, sizeof(all[res]));
		all[res].res = (enum ns_rlimit_res)res;
		if ((r = rlimit_value(c, ns_ymap_val(v, i), path, &all[res])) < 0)
			return r;
	}
	c->m->rlimits = mc_alloc(c->m, v->n * sizeof(*c->m->rlimits));
	if (!c->m->rlimits)
		return mc_enomem(c);
	for (unsigned i = 0; i < NS_RLIMIT_COUNT; i++)
		if (seen[i])
			c->m->rlimits[c->m->nrlimits++] = all[i];
	return 0;
}

static int socket_value(struct mctx *c, const struct ns_ynode *v, const char *path,
			struct ns_socket *s)
{
	struct mfield f[] = {{.name = "type"},
			     {.name = "mode"},
			     {.name = "uid"},
			     {.name = "gid"},
			     {.name = "passcred"}};
	char fpath[MC_PATH_MAX];
	unsigned type;
	uint64_t x;
	int r;
	if ((r = mc_fields(c, v, path, f, ARRAY_SIZE(f), true)) < 0)
		return r;
	if ((r = mc_require(c, v, path, f[0].val, "type")) < 0 ||
	    (r = mc_require(c, v, path, f[1].val, "mode")) < 0)
		return r;
	mc_path(fpath, path, "type");
	if ((r = mc_unit_variant(c, f[0].val, fpath, ns_socket_type_names, 3, &type)) < 0)
		return r;
	s->type = (enum ns_socket_type)type;
	mc_path(fpath, path, "mode");
	if ((r = mc_u64(c, f[1].val, fpath, UINT32_MAX, "u32", &x)) < 0)
		return r;
	if (x > 0777) /* stronger than Northstar: no setuid, setgid or sticky bits */
		return mc_err(c, f[1].val, fpath, "socket mode must be at most 0o777");
	s->mode = (uint32_t)x;
	for (size_t i = 2; i < 4; i++) {
		if (mc_is_null(f[i].val))
			continue;
		mc_path(fpath, path, f[i].name);
		if ((r = mc_u64(c, f[i].val, fpath, UINT32_MAX, "u32", &x)) < 0)
			return r;
		/* Northstar declares this rule but never runs it on sockets. */
		if (x == 0)
			return mc_err(c, f[i].val, fpath, "%s must be greater than 0", f[i].name);
		*(i == 2 ? &s->uid : &s->gid) = (uint32_t)x;
		*(i == 2 ? &s->has_uid : &s->has_gid) = true;
	}
	if (!mc_is_null(f[4].val)) {
		mc_path(fpath, path, "passcred");
		if ((r = mc_bool(c, f[4].val, fpath, &s->passcred)) < 0)
			return r;
		s->has_passcred = true;
	}
	return 0;
}

static int cmp_socket(const void *a, const void *b)
{
	return strcmp(((const struct ns_socket *)a)->name, ((const struct ns_socket *)b)->name);
}

int mp_sockets(struct mctx *c, const struct ns_ynode *v)
{
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_expect_map(c, v, "sockets")) < 0)
		return r;
	struct ns_socket *s = mc_alloc(c->m, v->n * sizeof(*s));
	size_t n = 0;
	if (!s)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(v, i);
		char path[MC_PATH_MAX];
		const char *name;
		if ((r = mc_string(c, k, "sockets", &name)) < 0)
			return r;
		mc_path(path, "sockets", name);
		const char *bad = mv_socket_name(name);
		if (bad)
			return mc_err(c, k, path, "%s", bad);
		/* A repeated name keeps the last definition, as Northstar's HashMap does. */
		size_t j;
		for (j = 0; j < n && strcmp(s[j].name, name); j++)
			;
		memset(&s[j], 0, sizeof(s[j]));
		s[j].name = name;
		if ((r = socket_value(c, ns_ymap_val(v, i), path, &s[j])) < 0)
			return r;
		if (j == n)
			n++;
	}
	qsort(s, n, sizeof(*s), cmp_socket);
	c->m->sockets = s;
	c->m->nsockets = n;
	return 0;
}

int mp_io(struct mctx *c, const struct ns_ynode *v)
{
	struct mfield f[] = {{.name = "stdout"}, {.name = "stderr"}};
	enum ns_io_mode *out[] = {&c->m->io.out, &c->m->io.err};
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_fields(c, v, "io", f, 2, true)) < 0)
		return r;
	for (size_t i = 0; i < 2; i++) {
		char path[MC_PATH_MAX];
		unsigned mode;
		if ((r = mc_require(c, v, "io", f[i].val, f[i].name)) < 0)
			return r;
		mc_path(path, "io", f[i].name);
		if ((r = mc_unit_variant(c, f[i].val, path, ns_io_mode_names, 3, &mode)) < 0)
			return r;
		*out[i] = (enum ns_io_mode)mode;
	}
	c->m->io.present = true;
	return 0;
}

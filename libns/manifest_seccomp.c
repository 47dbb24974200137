/* `seccomp`: {profile: default, allow: {syscall: any | !args {index, values, mask}}}. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "util.h"

static int arg_values(struct mctx *c, const struct ns_ynode *v, const char *path,
		      struct ns_seccomp_rule *rule)
{
	int r;
	if ((r = mc_expect_seq(c, v, path)) < 0)
		return r;
	if (v->n > NS_SECCOMP_ARG_VALUES_MAX)
		return mc_err(c, v, path,
			      "Seccomp syscall argument cannot have more than %d allowed values",
			      NS_SECCOMP_ARG_VALUES_MAX);
	rule->values = mc_alloc(c->m, v->n * sizeof(*rule->values));
	if (!rule->values)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++)
		if ((r = mc_u64(c, v->items[i], path, UINT64_MAX, "u64", &rule->values[i])) < 0)
			return r;
	rule->nvalues = v->n;
	rule->has_values = true;
	return 0;
}

static int args_rule(struct mctx *c, const struct ns_ynode *v, const char *path,
		     struct ns_seccomp_rule *rule)
{
	struct mfield f[] = {{.name = "index"}, {.name = "values"}, {.name = "mask"}};
	char fpath[MC_PATH_MAX];
	uint64_t index;
	int r;
	if ((r = mc_fields(c, v, path, f, ARRAY_SIZE(f), true)) < 0 ||
	    (r = mc_require(c, v, path, f[0].val, "index")) < 0)
		return r;
	mc_path(fpath, path, "index");
	if ((r = mc_u64(c, f[0].val, fpath, UINT64_MAX, "usize", &index)) < 0)
		return r;
	if (index > NS_SECCOMP_ARG_INDEX_MAX)
		return mc_err(c, f[0].val, fpath,
			      "Seccomp syscall argument index must be %d or less",
			      NS_SECCOMP_ARG_INDEX_MAX);
	rule->index = (unsigned)index;
	mc_path(fpath, path, "values");
	if (!mc_is_null(f[1].val) && (r = arg_values(c, f[1].val, fpath, rule)) < 0)
		return r;
	mc_path(fpath, path, "mask");
	if (!mc_is_null(f[2].val)) {
		if ((r = mc_u64(c, f[2].val, fpath, UINT64_MAX, "u64", &rule->mask)) < 0)
			return r;
		rule->has_mask = true;
	}
	if (!rule->has_values && !rule->has_mask)
		return mc_err(c, v, path,
			      "Either 'values' or 'mask' must be defined in seccomp "
			      "syscall argument filter");
	return 0;
}

static int syscall_rule(struct mctx *c, const struct ns_ynode *v, const char *path,
			struct ns_seccomp_rule *rule)
{
	static const char *const names[] = {"any", "args"};
	const char *tag = mc_tag_variant(v);
	unsigned idx;
	int r;
	if (tag && !strcmp(tag, "args"))
		return args_rule(c, v, path, rule);
	if (v->kind == NS_YMAP && !tag)
		return mc_err(c, v, path, "expected a YAML tag starting with '!' (e.g. !args)");
	if ((r = mc_unit_variant(c, v, path, names, 2, &idx)) < 0)
		return r;
	if (idx == 1)
		return mc_err(c, v, path, "'args' needs parameters: write it as !args");
	rule->any = true;
	return 0;
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct ns_seccomp_rule *)a)->syscall,
		      ((const struct ns_seccomp_rule *)b)->syscall);
}

static int allow_list(struct mctx *c, const struct ns_ynode *v, struct ns_seccomp *s)
{
	int r;
	if ((r = mc_expect_map(c, v, "seccomp.allow")) < 0)
		return r;
	s->allow = mc_alloc(c->m, v->n * sizeof(*s->allow));
	if (!s->allow)
		return mc_enomem(c);
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++) {
		char path[MC_PATH_MAX];
		const char *name;
		if ((r = mc_string(c, ns_ymap_key(v, i), "seccomp.allow", &name)) < 0)
			return r;
		mc_path(path, "seccomp.allow", name);
		/* A repeated syscall keeps the last rule, as Northstar's HashMap does. */
		size_t j;
		for (j = 0; j < n && strcmp(s->allow[j].syscall, name); j++)
			;
		memset(&s->allow[j], 0, sizeof(s->allow[j]));
		s->allow[j].syscall = name;
		if ((r = syscall_rule(c, ns_ymap_val(v, i), path, &s->allow[j])) < 0)
			return r;
		if (j == n)
			n++;
	}
	qsort(s->allow, n, sizeof(*s->allow), cmp_rule);
	s->nallow = n;
	s->has_allow = true;
	return 0;
}

int mp_seccomp(struct mctx *c, const struct ns_ynode *v)
{
	static const char *const profiles[] = {"default"};
	struct mfield f[] = {{.name = "profile"}, {.name = "allow"}};
	struct ns_seccomp *s = &c->m->seccomp;
	unsigned idx;
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_fields(c, v, "seccomp", f, ARRAY_SIZE(f), true)) < 0)
		return r;
	if (!mc_is_null(f[0].val)) {
		if ((r = mc_unit_variant(c, f[0].val, "seccomp.profile", profiles, 1, &idx)) < 0)
			return r;
		s->profile_default = true;
	}
	if (!mc_is_null(f[1].val) && (r = allow_list(c, f[1].val, s)) < 0)
		return r;
	s->present = true;
	return 0;
}

/* `cgroups`: parent, cpu, memory, blkio, and our pids. Northstar sets no
 * deny_unknown_fields at any level here, so unknown keys are ignored; `parent` and
 * `attrs` get the checks of spec tests-and-security §5b (P-F8). `pids` is ours (issue
 * 14): Northstar ignores it, and we refuse unknown keys in it, since a misspelt `max`
 * would silently leave the repository's default. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "util.h"

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct ns_kv *)a)->key, ((const struct ns_kv *)b)->key);
}

/* attrs: map str -> str; a repeated key keeps the last value. */
static int attrs(struct mctx *c, const struct ns_ynode *v, const char *path, struct ns_kv **out,
		 size_t *nout)
{
	int r;
	if (!v)
		return 0;
	if ((r = mc_expect_map(c, v, path)) < 0)
		return r;
	struct ns_kv *kv = mc_alloc(c->m, v->n * sizeof(*kv));
	size_t n = 0;
	if (!kv)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++) {
		char kpath[MC_PATH_MAX];
		const char *key, *value, *bad;
		if ((r = mc_string(c, ns_ymap_key(v, i), path, &key)) < 0)
			return r;
		mc_path(kpath, path, key);
		if ((bad = mv_cgroup_attr(key)))
			return mc_err(c, ns_ymap_key(v, i), kpath, "%s", bad);
		if ((r = mc_string(c, ns_ymap_val(v, i), kpath, &value)) < 0)
			return r;
		size_t j;
		for (j = 0; j < n && strcmp(kv[j].key, key); j++)
			;
		kv[j].key = key;
		kv[j].value = value;
		if (j == n)
			n++;
	}
	qsort(kv, n, sizeof(*kv), cmp_kv);
	*out = kv;
	*nout = n;
	return 0;
}

/* Reads an optional integer field into *out and sets *has. */
static int opt_u64(struct mctx *c, const struct ns_ynode *v, const char *parent, const char *name,
		   uint64_t max, const char *what, bool *has, uint64_t *out)
{
	char path[MC_PATH_MAX];
	int r;
	if (mc_is_null(v))
		return 0;
	mc_path(path, parent, name);
	if ((r = mc_u64(c, v, path, max, what, out)) < 0)
		return r;
	*has = true;
	return 0;
}

static int opt_i64(struct mctx *c, const struct ns_ynode *v, const char *parent, const char *name,
		   bool *has, int64_t *out)
{
	char path[MC_PATH_MAX];
	int r;
	if (mc_is_null(v))
		return 0;
	mc_path(path, parent, name);
	if ((r = mc_i64(c, v, path, INT64_MIN, INT64_MAX, "i64", out)) < 0)
		return r;
	*has = true;
	return 0;
}

static int opt_string(struct mctx *c, const struct ns_ynode *v, const char *parent,
		      const char *name, const char **out)
{
	char path[MC_PATH_MAX];
	if (mc_is_null(v))
		return 0;
	mc_path(path, parent, name);
	return mc_string(c, v, path, out);
}

static int cpu(struct mctx *c, const struct ns_ynode *v, struct ns_cgroup_cpu *cpu)
{
	struct mfield f[] = {{.name = "cpus"},
			     {.name = "mems"},
			     {.name = "shares"},
			     {.name = "quota"},
			     {.name = "period"},
			     {.name = "realtime_runtime"},
			     {.name = "realtime_period"},
			     {.name = "attrs"}};
	const char *p = "cgroups.cpu";
	int r;
	if ((r = mc_fields(c, v, p, f, ARRAY_SIZE(f), false)) < 0)
		return r;
	if ((r = opt_string(c, f[0].val, p, "cpus", &cpu->cpus)) < 0 ||
	    (r = opt_string(c, f[1].val, p, "mems", &cpu->mems)) < 0 ||
	    (r = opt_u64(c, f[2].val, p, "shares", UINT64_MAX, "u64", &cpu->has_shares,
			 &cpu->shares)) < 0 ||
	    (r = opt_i64(c, f[3].val, p, "quota", &cpu->has_quota, &cpu->quota)) < 0 ||
	    (r = opt_u64(c, f[4].val, p, "period", UINT64_MAX, "u64", &cpu->has_period,
			 &cpu->period)) < 0 ||
	    (r = opt_i64(c, f[5].val, p, "realtime_runtime", &cpu->has_rt_runtime,
			 &cpu->rt_runtime)) < 0 ||
	    (r = opt_u64(c, f[6].val, p, "realtime_period", UINT64_MAX, "u64", &cpu->has_rt_period,
			 &cpu->rt_period)) < 0 ||
	    (r = attrs(c, f[7].val, "cgroups.cpu.attrs", &cpu->attrs, &cpu->nattrs)) < 0)
		return r;
	cpu->present = true;
	return 0;
}

static int memory(struct mctx *c, const struct ns_ynode *v, struct ns_cgroup_memory *mem)
{
	struct mfield f[] = {{.name = "oom_monitor"},
			     {.name = "kernel_memory_limit"},
			     {.name = "memory_hard_limit"},
			     {.name = "memory_soft_limit"},
			     {.name = "kernel_tcp_memory_limit"},
			     {.name = "memory_swap_limit"},
			     {.name = "swappiness"},
			     {.name = "attrs"}};
	bool *has[] = {&mem->has_kernel_limit, &mem->has_hard_limit, &mem->has_soft_limit,
		       &mem->has_kernel_tcp_limit, &mem->has_swap_limit};
	int64_t *val[] = {&mem->kernel_limit, &mem->hard_limit, &mem->soft_limit,
			  &mem->kernel_tcp_limit, &mem->swap_limit};
	const char *p = "cgroups.memory";
	int r;
	if ((r = mc_fields(c, v, p, f, ARRAY_SIZE(f), false)) < 0)
		return r;
	if (f[0].val &&
	    (r = mc_bool(c, f[0].val, "cgroups.memory.oom_monitor", &mem->oom_monitor)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(has); i++)
		if ((r = opt_i64(c, f[i + 1].val, p, f[i + 1].name, has[i], val[i])) < 0)
			return r;
	if ((r = opt_u64(c, f[6].val, p, "swappiness", UINT64_MAX, "u64", &mem->has_swappiness,
			 &mem->swappiness)) < 0 ||
	    (r = attrs(c, f[7].val, "cgroups.memory.attrs", &mem->attrs, &mem->nattrs)) < 0)
		return r;
	mem->present = true;
	return 0;
}

static int weight_devices(struct mctx *c, const struct ns_ynode *v, const char *path,
			  struct ns_cgroup_blkio *b)
{
	int r;
	if ((r = mc_expect_seq(c, v, path)) < 0)
		return r;
	b->weight_device = mc_alloc(c->m, v->n * sizeof(*b->weight_device));
	if (!b->weight_device)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++) {
		struct ns_blkio_weight_device *d = &b->weight_device[i];
		struct mfield f[] = {{.name = "major"},
				     {.name = "minor"},
				     {.name = "weight"},
				     {.name = "leaf_weight"}};
		uint64_t *mm[] = {&d->major, &d->minor};
		uint64_t w;
		if ((r = mc_fields(c, v->items[i], path, f, ARRAY_SIZE(f), false)) < 0)
			return r;
		for (size_t j = 0; j < 2; j++) {
			char fpath[MC_PATH_MAX];
			if ((r = mc_require(c, v->items[i], path, f[j].val, f[j].name)) < 0)
				return r;
			mc_path(fpath, path, f[j].name);
			if ((r = mc_u64(c, f[j].val, fpath, UINT64_MAX, "u64", mm[j])) < 0)
				return r;
		}
		w = 0;
		if ((r = opt_u64(c, f[2].val, path, "weight", UINT16_MAX, "u16", &d->has_weight,
				 &w)) < 0)
			return r;
		d->weight = (uint16_t)w;
		w = 0;
		if ((r = opt_u64(c, f[3].val, path, "leaf_weight", UINT16_MAX, "u16",
				 &d->has_leaf_weight, &w)) < 0)
			return r;
		d->leaf_weight = (uint16_t)w;
	}
	b->nweight_device = v->n;
	return 0;
}

static int throttles(struct mctx *c, const struct ns_ynode *v, const char *path,
		     struct ns_blkio_throttle **out, size_t *nout)
{
	int r;
	if ((r = mc_expect_seq(c, v, path)) < 0)
		return r;
	struct ns_blkio_throttle *t = mc_alloc(c->m, v->n * sizeof(*t));
	if (!t)
		return mc_enomem(c);
	for (size_t i = 0; i < v->n; i++) {
		struct mfield f[] = {{.name = "major"}, {.name = "minor"}, {.name = "rate"}};
		uint64_t *val[] = {&t[i].major, &t[i].minor, &t[i].rate};
		if ((r = mc_fields(c, v->items[i], path, f, ARRAY_SIZE(f), false)) < 0)
			return r;
		for (size_t j = 0; j < ARRAY_SIZE(f); j++) {
			char fpath[MC_PATH_MAX];
			if ((r = mc_require(c, v->items[i], path, f[j].val, f[j].name)) < 0)
				return r;
			mc_path(fpath, path, f[j].name);
			if ((r = mc_u64(c, f[j].val, fpath, UINT64_MAX, "u64", val[j])) < 0)
				return r;
		}
	}
	*out = t;
	*nout = v->n;
	return 0;
}

static int blkio(struct mctx *c, const struct ns_ynode *v, struct ns_cgroup_blkio *b)
{
	struct mfield f[] = {{.name = "weight"},
			     {.name = "leaf_weight"},
			     {.name = "weight_device"},
			     {.name = "throttle_read_bps_device"},
			     {.name = "throttle_read_iops_device"},
			     {.name = "throttle_write_bps_device"},
			     {.name = "throttle_write_iops_device"},
			     {.name = "attrs"}};
	struct ns_blkio_throttle **tl[] = {&b->read_bps, &b->read_iops, &b->write_bps,
					   &b->write_iops};
	size_t *tn[] = {&b->nread_bps, &b->nread_iops, &b->nwrite_bps, &b->nwrite_iops};
	const char *p = "cgroups.blkio";
	char path[MC_PATH_MAX];
	uint64_t w = 0;
	int r;
	if ((r = mc_fields(c, v, p, f, ARRAY_SIZE(f), false)) < 0)
		return r;
	if ((r = opt_u64(c, f[0].val, p, "weight", UINT16_MAX, "u16", &b->has_weight, &w)) < 0)
		return r;
	b->weight = (uint16_t)w;
	w = 0;
	if ((r = opt_u64(c, f[1].val, p, "leaf_weight", UINT16_MAX, "u16", &b->has_leaf_weight,
			 &w)) < 0)
		return r;
	b->leaf_weight = (uint16_t)w;
	/* The device lists are required (plain Vecs without a serde default). */
	for (size_t i = 2; i < 7; i++)
		if ((r = mc_require(c, v, p, f[i].val, f[i].name)) < 0)
			return r;
	mc_path(path, p, "weight_device");
	if ((r = weight_devices(c, f[2].val, path, b)) < 0)
		return r;
	for (size_t i = 0; i < 4; i++) {
		mc_path(path, p, f[3 + i].name);
		if ((r = throttles(c, f[3 + i].val, path, tl[i], tn[i])) < 0)
			return r;
	}
	if ((r = attrs(c, f[7].val, "cgroups.blkio.attrs", &b->attrs, &b->nattrs)) < 0)
		return r;
	b->present = true;
	return 0;
}

/* pids: {max: N | max}, N in 2..4194304: ns-init and the application need two, and
 * the kernel takes no more than PID_MAX_LIMIT. */
static int pids(struct mctx *c, const struct ns_ynode *v, struct ns_cgroup_pids *p)
{
	struct mfield f[] = {{.name = "max"}};
	const char *path = "cgroups.pids.max";
	int64_t max;
	int r;
	if ((r = mc_fields(c, v, "cgroups.pids", f, ARRAY_SIZE(f), true)) < 0)
		return r;
	p->present = true;
	if (mc_is_null(f[0].val))
		return 0;
	if (f[0].val->kind == NS_YSCALAR && !strcmp(f[0].val->str, "max")) {
		p->has_max = true;
		p->max = -1;
		return 0;
	}
	if (f[0].val->kind != NS_YSCALAR || ns_yscalar_i64(f[0].val, &max) < 0)
		return mc_err(c, f[0].val, path,
			      "expected an integer (the most tasks the container may have) or "
			      "'max' (no limit)");
	if (max < NS_MANIFEST_PIDS_MIN || max > NS_MANIFEST_PIDS_MAX)
		return mc_err(c, f[0].val, path,
			      "%lld is out of range: at least %d (ns-init and the application), "
			      "at most %d (the kernel's limit), or 'max' for no limit",
			      (long long)max, NS_MANIFEST_PIDS_MIN, NS_MANIFEST_PIDS_MAX);
	p->has_max = true;
	p->max = max;
	return 0;
}

int mp_cgroups(struct mctx *c, const struct ns_ynode *v)
{
	struct mfield f[] = {{.name = "parent"},
			     {.name = "blkio"},
			     {.name = "cpu"},
			     {.name = "memory"},
			     {.name = "pids"}};
	struct ns_cgroups *cg = &c->m->cgroups;
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_fields(c, v, "cgroups", f, ARRAY_SIZE(f), false)) < 0)
		return r;
	if (!mc_is_null(f[0].val)) {
		const char *bad;
		if ((r = mc_string(c, f[0].val, "cgroups.parent", &cg->parent)) < 0)
			return r;
		if ((bad = mv_cgroup_parent(cg->parent)))
			return mc_err(c, f[0].val, "cgroups.parent", "%s", bad);
	}
	if (!mc_is_null(f[1].val) && (r = blkio(c, f[1].val, &cg->blkio)) < 0)
		return r;
	if (!mc_is_null(f[2].val) && (r = cpu(c, f[2].val, &cg->cpu)) < 0)
		return r;
	if (!mc_is_null(f[3].val) && (r = memory(c, f[3].val, &cg->memory)) < 0)
		return r;
	if (!mc_is_null(f[4].val) && (r = pids(c, f[4].val, &cg->pids)) < 0)
		return r;
	cg->present = true;
	return 0;
}

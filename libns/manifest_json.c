/* ns_manifest_to_json: the manifest as serde_json writes Northstar's Manifest, which
 * is what the console's inspect response carries (spec console-protocol §3.3): absent
 * options and empty collections are left out at the top level, enums are externally
 * tagged ("host", {"namespace": "x"}, {"fifo": {"priority": 11}}), mounts internally
 * tagged by "type". Integers are exact (raw decimal items). */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "manifest_int.h"

/* Adds v under k; on failure frees v. Returns false when anything was missing. */
static bool add(cJSON *o, const char *k, cJSON *v)
{
	if (!v)
		return false;
	if (!cJSON_AddItemToObject(o, k, v)) {
		cJSON_Delete(v);
		return false;
	}
	return true;
}

static bool push(cJSON *a, cJSON *v)
{
	if (!v)
		return false;
	if (!cJSON_AddItemToArray(a, v)) {
		cJSON_Delete(v);
		return false;
	}
	return true;
}

static cJSON *str(const char *s)
{
	return cJSON_CreateString(s);
}

static cJSON *kv_object(const struct ns_kv *kv, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < n; i++)
		if (!add(o, kv[i].key, str(kv[i].value))) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *console_json(const struct ns_console_cfg *c)
{
	cJSON *o = cJSON_CreateObject(), *list;
	if (c->perms == NS_PERM_FULL)
		list = str("full");
	else {
		list = cJSON_CreateArray();
		for (unsigned p = 0; list && p < NS_PERM_COUNT; p++)
			if ((c->perms & (1u << p)) && !push(list, str(ns_perm_name(p)))) {
				cJSON_Delete(list);
				list = NULL;
			}
	}
	if (!o || !add(o, "permissions", list)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *sched_json(const struct ns_sched *s)
{
	cJSON *o = cJSON_CreateObject(), *policy;
	const char *name = ns_sched_policy_name(s->policy);
	if (s->policy == NS_SCHED_IDLE || s->policy == NS_SCHED_DEADLINE) {
		policy = str(name);
	} else {
		cJSON *params = cJSON_CreateObject();
		bool nice = s->policy == NS_SCHED_OTHER || s->policy == NS_SCHED_BATCH;
		policy = cJSON_CreateObject();
		if (!params || !(nice ? ns_json_add_i64(params, "nice", s->nice)
				      : ns_json_add_u64(params, "priority", s->priority))) {
			cJSON_Delete(params);
			params = NULL;
		}
		if (policy && !add(policy, name, params)) {
			cJSON_Delete(policy);
			policy = NULL;
		}
	}
	if (!o || !add(o, "policy", policy)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *mount_json(const struct ns_mount *mnt)
{
	cJSON *o = cJSON_CreateObject();
	char opts[64];
	bool ok = o && add(o, "type", str(ns_mount_type_name(mnt->type)));
	ns_mount_options_str(mnt->options, opts, sizeof(opts));
	switch (mnt->type) {
	case NS_MOUNT_BIND:
		ok = ok && add(o, "host", str(mnt->host));
		break;
	case NS_MOUNT_RESOURCE:
		ok = ok && add(o, "name", str(mnt->name)) &&
		     add(o, "version", str(mnt->version_req)) && add(o, "dir", str(mnt->dir));
		break;
	case NS_MOUNT_TMPFS:
		ok = ok && ns_json_add_u64(o, "size", mnt->size);
		break;
	default:
		break;
	}
	if (ok && (mnt->type == NS_MOUNT_BIND || mnt->type == NS_MOUNT_RESOURCE) && opts[0])
		ok = add(o, "options", str(opts));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *mounts_json(const struct ns_manifest *m)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < m->nmounts; i++)
		if (!add(o, m->mounts[i].target, mount_json(&m->mounts[i]))) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *cgroups_json(const struct ns_cgroups *cg);

static cJSON *network_json(const struct ns_network *n)
{
	if (n->mode == NS_NET_HOST)
		return str("host");
	cJSON *o = cJSON_CreateObject();
	if (o && !add(o, "namespace", str(n->netns))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *rule_json(const struct ns_seccomp_rule *r)
{
	if (r->any)
		return str("any");
	cJSON *o = cJSON_CreateObject(), *args = cJSON_CreateObject();
	bool ok = o && args && ns_json_add_u64(args, "index", r->index);
	if (ok && r->has_values) {
		cJSON *vals = cJSON_CreateArray();
		for (size_t i = 0; vals && i < r->nvalues; i++)
			if (!push(vals, ns_json_u64(r->values[i]))) {
				cJSON_Delete(vals);
				vals = NULL;
			}
		ok = add(args, "values", vals);
	}
	if (ok && r->has_mask)
		ok = ns_json_add_u64(args, "mask", r->mask);
	if (ok) {
		ok = add(o, "args", args);
		args = NULL;
	}
	cJSON_Delete(args);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *seccomp_json(const struct ns_seccomp *s)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;
	if (ok && s->profile_default)
		ok = add(o, "profile", str("default"));
	if (ok && s->has_allow) {
		cJSON *allow = cJSON_CreateObject();
		for (size_t i = 0; allow && i < s->nallow; i++)
			if (!add(allow, s->allow[i].syscall, rule_json(&s->allow[i]))) {
				cJSON_Delete(allow);
				allow = NULL;
			}
		ok = add(o, "allow", allow);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* serde leaves absent options inside selinux as null (no skip_serializing_none). */
static cJSON *selinux_json(const struct ns_selinux *s)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o &&
		  add(o, "mount_context",
		      s->mount_context ? str(s->mount_context) : cJSON_CreateNull()) &&
		  add(o, "exec", s->exec ? str(s->exec) : cJSON_CreateNull());
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *caps_json(uint64_t caps)
{
	cJSON *a = cJSON_CreateArray();
	for (unsigned i = 0; a && i < NS_CAP_COUNT; i++)
		if ((caps & (UINT64_C(1) << i)) && !push(a, str(ns_cap_name(i)))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

static cJSON *strings_json(const char *const *s, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++)
		if (!push(a, str(s[i]))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

/* rlimit values keep null for "unlimited": RLimitValue has no skip_serializing_none. */
static cJSON *rlimits_json(const struct ns_manifest *m)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < m->nrlimits; i++) {
		const struct ns_rlimit *rl = &m->rlimits[i];
		cJSON *v = cJSON_CreateObject();
		bool ok =
		    v &&
		    add(v, "soft", rl->has_soft ? ns_json_u64(rl->soft) : cJSON_CreateNull()) &&
		    add(v, "hard", rl->has_hard ? ns_json_u64(rl->hard) : cJSON_CreateNull());
		if (!ok) {
			cJSON_Delete(v);
			v = NULL;
		}
		if (!add(o, ns_rlimit_name(rl->res), v)) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static cJSON *socket_json(const struct ns_socket *s)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && add(o, "type", str(ns_socket_type_names[s->type])) &&
		  ns_json_add_u64(o, "mode", s->mode);
	if (ok && s->has_uid)
		ok = ns_json_add_u64(o, "uid", s->uid);
	if (ok && s->has_gid)
		ok = ns_json_add_u64(o, "gid", s->gid);
	if (ok && s->has_passcred)
		ok = add(o, "passcred", cJSON_CreateBool(s->passcred));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *sockets_json(const struct ns_manifest *m)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < m->nsockets; i++)
		if (!add(o, m->sockets[i].name, socket_json(&m->sockets[i]))) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *io_json(const struct ns_io *io)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !add(o, "stdout", str(ns_io_mode_names[io->out])) ||
	    !add(o, "stderr", str(ns_io_mode_names[io->err]))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static bool add_optional(cJSON *o, const struct ns_manifest *m)
{
	bool ok = true;
	if (ok && m->sched.policy != NS_SCHED_NONE)
		ok = add(o, "sched", sched_json(&m->sched));
	if (ok && m->nmounts)
		ok = add(o, "mounts", mounts_json(m));
	if (ok && m->autostart != NS_AUTOSTART_NONE)
		ok = add(o, "autostart", str(ns_autostart_names[m->autostart]));
	if (ok && m->cgroups.present)
		ok = add(o, "cgroups", cgroups_json(&m->cgroups));
	if (ok && m->network.mode != NS_NET_NEW)
		ok = add(o, "network", network_json(&m->network));
	if (ok && m->seccomp.present)
		ok = add(o, "seccomp", seccomp_json(&m->seccomp));
	if (ok && m->selinux.present)
		ok = add(o, "selinux", selinux_json(&m->selinux));
	if (ok && m->capabilities)
		ok = add(o, "capabilities", caps_json(m->capabilities));
	if (ok && m->nsuppl_groups)
		ok = add(o, "suppl_groups", strings_json(m->suppl_groups, m->nsuppl_groups));
	if (ok && m->nrlimits)
		ok = add(o, "rlimits", rlimits_json(m));
	if (ok && m->nsockets)
		ok = add(o, "sockets", sockets_json(m));
	if (ok && m->io.present)
		ok = add(o, "io", io_json(&m->io));
	if (ok && m->custom)
		ok = add(o, "custom", cJSON_Duplicate(m->custom, true));
	return ok;
}

cJSON *ns_manifest_to_json(const struct ns_manifest *m)
{
	char v[64];
	cJSON *o = cJSON_CreateObject();
	bool ok = o && add(o, "name", str(m->name)) &&
		  add(o, "version", str(ns_version_str(&m->version, v, sizeof(v))));
	if (ok && m->console.present)
		ok = add(o, "console", console_json(&m->console));
	if (ok && m->init)
		ok = add(o, "init", str(m->init));
	if (ok && m->nargs)
		ok = add(o, "args", strings_json(m->args, m->nargs));
	if (ok && m->nenv)
		ok = add(o, "env", kv_object(m->env, m->nenv));
	ok = ok && ns_json_add_u64(o, "uid", m->uid) && ns_json_add_u64(o, "gid", m->gid);
	if (!ok || !add_optional(o, m)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* cgroups: parent, blkio, cpu, memory in Northstar's order; options left out when
 * absent (skip_serializing_none), attrs when empty, the blkio device lists never. */
static bool add_opt_u64(cJSON *o, const char *k, bool has, uint64_t v)
{
	return !has || ns_json_add_u64(o, k, v);
}

static bool add_opt_i64(cJSON *o, const char *k, bool has, int64_t v)
{
	return !has || ns_json_add_i64(o, k, v);
}

static bool add_attrs(cJSON *o, const struct ns_kv *kv, size_t n)
{
	return n == 0 || add(o, "attrs", kv_object(kv, n));
}

static cJSON *throttle_json(const struct ns_blkio_throttle *t, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		cJSON *d = cJSON_CreateObject();
		if (!d || !ns_json_add_u64(d, "major", t[i].major) ||
		    !ns_json_add_u64(d, "minor", t[i].minor) ||
		    !ns_json_add_u64(d, "rate", t[i].rate) || !push(a, d)) {
			cJSON_Delete(d);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

static cJSON *blkio_json(const struct ns_cgroup_blkio *b)
{
	cJSON *o = cJSON_CreateObject(), *wd = cJSON_CreateArray();
	bool ok = o && wd && add_opt_u64(o, "weight", b->has_weight, b->weight) &&
		  add_opt_u64(o, "leaf_weight", b->has_leaf_weight, b->leaf_weight);
	for (size_t i = 0; ok && i < b->nweight_device; i++) {
		const struct ns_blkio_weight_device *d = &b->weight_device[i];
		cJSON *j = cJSON_CreateObject();
		ok = j && ns_json_add_u64(j, "major", d->major) &&
		     ns_json_add_u64(j, "minor", d->minor) &&
		     add_opt_u64(j, "weight", d->has_weight, d->weight) &&
		     add_opt_u64(j, "leaf_weight", d->has_leaf_weight, d->leaf_weight) &&
		     push(wd, j);
		if (!ok)
			cJSON_Delete(j);
	}
	if (ok) {
		ok = add(o, "weight_device", wd);
		wd = NULL;
	}
	ok = ok && add(o, "throttle_read_bps_device", throttle_json(b->read_bps, b->nread_bps)) &&
	     add(o, "throttle_read_iops_device", throttle_json(b->read_iops, b->nread_iops)) &&
	     add(o, "throttle_write_bps_device", throttle_json(b->write_bps, b->nwrite_bps)) &&
	     add(o, "throttle_write_iops_device", throttle_json(b->write_iops, b->nwrite_iops)) &&
	     add_attrs(o, b->attrs, b->nattrs);
	cJSON_Delete(wd);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *cpu_json(const struct ns_cgroup_cpu *c)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && (!c->cpus || add(o, "cpus", str(c->cpus))) &&
		  (!c->mems || add(o, "mems", str(c->mems))) &&
		  add_opt_u64(o, "shares", c->has_shares, c->shares) &&
		  add_opt_i64(o, "quota", c->has_quota, c->quota) &&
		  add_opt_u64(o, "period", c->has_period, c->period) &&
		  add_opt_i64(o, "realtime_runtime", c->has_rt_runtime, c->rt_runtime) &&
		  add_opt_u64(o, "realtime_period", c->has_rt_period, c->rt_period) &&
		  add_attrs(o, c->attrs, c->nattrs);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *memory_json(const struct ns_cgroup_memory *m)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && add(o, "oom_monitor", cJSON_CreateBool(m->oom_monitor)) &&
		  add_opt_i64(o, "kernel_memory_limit", m->has_kernel_limit, m->kernel_limit) &&
		  add_opt_i64(o, "memory_hard_limit", m->has_hard_limit, m->hard_limit) &&
		  add_opt_i64(o, "memory_soft_limit", m->has_soft_limit, m->soft_limit) &&
		  add_opt_i64(o, "kernel_tcp_memory_limit", m->has_kernel_tcp_limit,
			      m->kernel_tcp_limit) &&
		  add_opt_i64(o, "memory_swap_limit", m->has_swap_limit, m->swap_limit) &&
		  add_opt_u64(o, "swappiness", m->has_swappiness, m->swappiness) &&
		  add_attrs(o, m->attrs, m->nattrs);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ours: {"max": N} or {"max": "max"} */
static cJSON *pids_json(const struct ns_cgroup_pids *p)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && (!p->has_max || (p->max < 0 ? add(o, "max", str("max"))
						   : ns_json_add_i64(o, "max", p->max)));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *cgroups_json(const struct ns_cgroups *cg)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && (!cg->parent || add(o, "parent", str(cg->parent))) &&
		  (!cg->blkio.present || add(o, "blkio", blkio_json(&cg->blkio))) &&
		  (!cg->cpu.present || add(o, "cpu", cpu_json(&cg->cpu))) &&
		  (!cg->memory.present || add(o, "memory", memory_json(&cg->memory))) &&
		  (!cg->pids.present || add(o, "pids", pids_json(&cg->pids)));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ns_manifest_to_yaml: the manifest as Northstar's packer stores it (spec npk-format
 * §5.9): Northstar's field order, block style with 2-space indentation, tags for data
 * variants (`policy: !fifo`), strings that would read as something else quoted, map
 * and set items sorted so that packing is reproducible. Written by libyaml's emitter. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "manifest_int.h"

struct ybuf {
	char *data;
	size_t len, cap;
};

struct yout {
	yaml_emitter_t e;
	struct ybuf buf;
	bool failed;
};

static int write_handler(void *data, unsigned char *bytes, size_t size)
{
	struct ybuf *b = data;
	if (b->len + size + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + size + 1)
			cap *= 2;
		char *n = realloc(b->data, cap);
		if (!n)
			return 0;
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, bytes, size);
	b->len += size;
	b->data[b->len] = '\0';
	return 1;
}

/* Emits an initialized event (the emitter takes it), or drops it after a failure. */
static void emit(struct yout *y, yaml_event_t *ev, int init_ok)
{
	if (!init_ok) {
		y->failed = true;
		return;
	}
	if (y->failed) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&y->e, ev))
		y->failed = true;
}

static void scalar(struct yout *y, const char *tag, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	int ok = yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)s,
					      (int)strlen(s), !tag, !tag, style);
	emit(y, &ev, ok);
}

/* Quote what a YAML 1.2 reader would not read back as this string, plus the words
 * and octal-looking digits that YAML 1.1 readers take for booleans and numbers. */
static bool needs_quotes(const char *s)
{
	static const char *const words[] = {"y",  "Y",	"yes", "Yes", "YES", "n",   "N",   "no",
					    "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF"};
	struct ns_ynode n = {.kind = NS_YSCALAR, .str = s, .len = strlen(s), .plain = true};
	struct ns_yscalar v;
	if (ns_yscalar_resolve(&n, &v) < 0 || v.type != NS_YT_STR)
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i]))
			return true;
	const char *d = s + (*s == '+' || *s == '-');
	return d[0] == '0' && d[1] >= '0' && d[1] <= '9';
}

static void str(struct yout *y, const char *s)
{
	scalar(y, NULL, s,
	       needs_quotes(s) ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

static void plain(struct yout *y, const char *s)
{
	scalar(y, NULL, s, YAML_PLAIN_SCALAR_STYLE);
}

static void u64(struct yout *y, uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "%" PRIu64, v);
	plain(y, b);
}

static void i64(struct yout *y, int64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "%" PRId64, v);
	plain(y, b);
}

static void map_start(struct yout *y, const char *tag)
{
	yaml_event_t ev;
	int ok = yaml_mapping_start_event_initialize(&ev, NULL, (yaml_char_t *)tag, !tag,
						     YAML_BLOCK_MAPPING_STYLE);
	emit(y, &ev, ok);
}

static void map_end(struct yout *y)
{
	yaml_event_t ev;
	emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_start(struct yout *y)
{
	yaml_event_t ev;
	int ok =
	    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	emit(y, &ev, ok);
}

static void seq_end(struct yout *y)
{
	yaml_event_t ev;
	emit(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void key_str(struct yout *y, const char *k, const char *v)
{
	str(y, k);
	str(y, v);
}

static void key_u64(struct yout *y, const char *k, uint64_t v)
{
	str(y, k);
	u64(y, v);
}

static void kv_map(struct yout *y, const struct ns_kv *kv, size_t n)
{
	map_start(y, NULL);
	for (size_t i = 0; i < n; i++)
		key_str(y, kv[i].key, kv[i].value);
	map_end(y);
}

static void strings(struct yout *y, const char *const *s, size_t n)
{
	seq_start(y);
	for (size_t i = 0; i < n; i++)
		str(y, s[i]);
	seq_end(y);
}

static void console(struct yout *y, const struct ns_console_cfg *c)
{
	map_start(y, NULL);
	str(y, "permissions");
	if (c->perms == NS_PERM_FULL) {
		plain(y, "full");
	} else {
		seq_start(y);
		for (unsigned p = 0; p < NS_PERM_COUNT; p++)
			if (c->perms & (1u << p))
				plain(y, ns_perm_name(p));
		seq_end(y);
	}
	map_end(y);
}

static void sched(struct yout *y, const struct ns_sched *s)
{
	char tag[32];
	map_start(y, NULL);
	str(y, "policy");
	if (s->policy == NS_SCHED_IDLE || s->policy == NS_SCHED_DEADLINE) {
		plain(y, ns_sched_policy_name(s->policy));
	} else {
		snprintf(tag, sizeof(tag), "!%s", ns_sched_policy_name(s->policy));
		map_start(y, tag);
		if (s->policy == NS_SCHED_OTHER || s->policy == NS_SCHED_BATCH) {
			str(y, "nice");
			i64(y, s->nice);
		} else {
			key_u64(y, "priority", s->priority);
		}
		map_end(y);
	}
	map_end(y);
}

static void mounts(struct yout *y, const struct ns_manifest *m)
{
	char opts[64];
	map_start(y, NULL);
	for (size_t i = 0; i < m->nmounts; i++) {
		const struct ns_mount *mnt = &m->mounts[i];
		str(y, mnt->target);
		map_start(y, NULL);
		key_str(y, "type", ns_mount_type_name(mnt->type));
		if (mnt->type == NS_MOUNT_BIND) {
			key_str(y, "host", mnt->host);
		} else if (mnt->type == NS_MOUNT_RESOURCE) {
			key_str(y, "name", mnt->name);
			key_str(y, "version", mnt->version_req);
			key_str(y, "dir", mnt->dir);
		} else if (mnt->type == NS_MOUNT_TMPFS) {
			key_u64(y, "size", mnt->size);
		}
		ns_mount_options_str(mnt->options, opts, sizeof(opts));
		if (opts[0])
			key_str(y, "options", opts);
		map_end(y);
	}
	map_end(y);
}

static void opt_u64(struct yout *y, const char *k, bool has, uint64_t v)
{
	if (has)
		key_u64(y, k, v);
}

static void opt_i64(struct yout *y, const char *k, bool has, int64_t v)
{
	if (has) {
		str(y, k);
		i64(y, v);
	}
}

static void attrs(struct yout *y, const struct ns_kv *kv, size_t n)
{
	if (n) {
		str(y, "attrs");
		kv_map(y, kv, n);
	}
}

static void throttles(struct yout *y, const char *k, const struct ns_blkio_throttle *t, size_t n)
{
	str(y, k);
	seq_start(y);
	for (size_t i = 0; i < n; i++) {
		map_start(y, NULL);
		key_u64(y, "major", t[i].major);
		key_u64(y, "minor", t[i].minor);
		key_u64(y, "rate", t[i].rate);
		map_end(y);
	}
	seq_end(y);
}

static void blkio(struct yout *y, const struct ns_cgroup_blkio *b)
{
	map_start(y, NULL);
	opt_u64(y, "weight", b->has_weight, b->weight);
	opt_u64(y, "leaf_weight", b->has_leaf_weight, b->leaf_weight);
	str(y, "weight_device");
	seq_start(y);
	for (size_t i = 0; i < b->nweight_device; i++) {
		const struct ns_blkio_weight_device *d = &b->weight_device[i];
		map_start(y, NULL);
		key_u64(y, "major", d->major);
		key_u64(y, "minor", d->minor);
		opt_u64(y, "weight", d->has_weight, d->weight);
		opt_u64(y, "leaf_weight", d->has_leaf_weight, d->leaf_weight);
		map_end(y);
	}
	seq_end(y);
	throttles(y, "throttle_read_bps_device", b->read_bps, b->nread_bps);
	throttles(y, "throttle_read_iops_device", b->read_iops, b->nread_iops);
	throttles(y, "throttle_write_bps_device", b->write_bps, b->nwrite_bps);
	throttles(y, "throttle_write_iops_device", b->write_iops, b->nwrite_iops);
	attrs(y, b->attrs, b->nattrs);
	map_end(y);
}

static void cgroups(struct yout *y, const struct ns_cgroups *cg)
{
	map_start(y, NULL);
	if (cg->parent)
		key_str(y, "parent", cg->parent);
	if (cg->blkio.present) {
		str(y, "blkio");
		blkio(y, &cg->blkio);
	}
	if (cg->cpu.present) {
		const struct ns_cgroup_cpu *c = &cg->cpu;
		str(y, "cpu");
		map_start(y, NULL);
		if (c->cpus)
			key_str(y, "cpus", c->cpus);
		if (c->mems)
			key_str(y, "mems", c->mems);
		opt_u64(y, "shares", c->has_shares, c->shares);
		opt_i64(y, "quota", c->has_quota, c->quota);
		opt_u64(y, "period", c->has_period, c->period);
		opt_i64(y, "realtime_runtime", c->has_rt_runtime, c->rt_runtime);
		opt_u64(y, "realtime_period", c->has_rt_period, c->rt_period);
		attrs(y, c->attrs, c->nattrs);
		map_end(y);
	}
	if (cg->memory.present) {
		const struct ns_cgroup_memory *m = &cg->memory;
		str(y, "memory");
		map_start(y, NULL);
		str(y, "oom_monitor");
		plain(y, m->oom_monitor ? "true" : "false");
		opt_i64(y, "kernel_memory_limit", m->has_kernel_limit, m->kernel_limit);
		opt_i64(y, "memory_hard_limit", m->has_hard_limit, m->hard_limit);
		opt_i64(y, "memory_soft_limit", m->has_soft_limit, m->soft_limit);
		opt_i64(y, "kernel_tcp_memory_limit", m->has_kernel_tcp_limit, m->kernel_tcp_limit);
		opt_i64(y, "memory_swap_limit", m->has_swap_limit, m->swap_limit);
		opt_u64(y, "swappiness", m->has_swappiness, m->swappiness);
		attrs(y, m->attrs, m->nattrs);
		map_end(y);
	}
	if (cg->pids.present) {
		str(y, "pids");
		map_start(y, NULL);
		if (cg->pids.has_max && cg->pids.max < 0)
			key_str(y, "max", "max");
		else
			opt_i64(y, "max", cg->pids.has_max, cg->pids.max);
		map_end(y);
	}
	map_end(y);
}

static void seccomp(struct yout *y, const struct ns_seccomp *s)
{
	map_start(y, NULL);
	if (s->profile_default)
		key_str(y, "profile", "default");
	if (s->has_allow) {
		str(y, "allow");
		map_start(y, NULL);
		for (size_t i = 0; i < s->nallow; i++) {
			const struct ns_seccomp_rule *r = &s->allow[i];
			str(y, r->syscall);
			if (r->any) {
				plain(y, "any");
				continue;
			}
			map_start(y, "!args");
			key_u64(y, "index", r->index);
			if (r->has_values) {
				str(y, "values");
				seq_start(y);
				for (size_t j = 0; j < r->nvalues; j++)
					u64(y, r->values[j]);
				seq_end(y);
			}
			opt_u64(y, "mask", r->has_mask, r->mask);
			map_end(y);
		}
		map_end(y);
	}
	map_end(y);
}

static void custom(struct yout *y, const cJSON *j)
{
	if (cJSON_IsObject(j)) {
		map_start(y, NULL);
		for (const cJSON *c = j->child; c; c = c->next) {
			str(y, c->string);
			custom(y, c);
		}
		map_end(y);
	} else if (cJSON_IsArray(j)) {
		seq_start(y);
		for (const cJSON *c = j->child; c; c = c->next)
			custom(y, c);
		seq_end(y);
	} else if (cJSON_IsString(j)) {
		str(y, j->valuestring);
	} else if (cJSON_IsRaw(j)) {
		plain(y, j->valuestring);
	} else if (cJSON_IsNumber(j)) {
		char b[64];
		ns_format_double(j->valuedouble, b, sizeof(b));
		plain(y, b);
	} else if (cJSON_IsBool(j)) {
		plain(y, cJSON_IsTrue(j) ? "true" : "false");
	} else {
		plain(y, "null");
	}
}

static void rlimits(struct yout *y, const struct ns_manifest *m)
{
	map_start(y, NULL);
	for (size_t i = 0; i < m->nrlimits; i++) {
		const struct ns_rlimit *rl = &m->rlimits[i];
		str(y, ns_rlimit_name(rl->res));
		map_start(y, NULL);
		str(y, "soft");
		rl->has_soft ? u64(y, rl->soft) : plain(y, "null");
		str(y, "hard");
		rl->has_hard ? u64(y, rl->hard) : plain(y, "null");
		map_end(y);
	}
	map_end(y);
}

static void sockets(struct yout *y, const struct ns_manifest *m)
{
	map_start(y, NULL);
	for (size_t i = 0; i < m->nsockets; i++) {
		const struct ns_socket *s = &m->sockets[i];
		str(y, s->name);
		map_start(y, NULL);
		key_str(y, "type", ns_socket_type_names[s->type]);
		key_u64(y, "mode", s->mode);
		opt_u64(y, "uid", s->has_uid, s->uid);
		opt_u64(y, "gid", s->has_gid, s->gid);
		if (s->has_passcred) {
			str(y, "passcred");
			plain(y, s->passcred ? "true" : "false");
		}
		map_end(y);
	}
	map_end(y);
}

static void optional_fields(struct yout *y, const struct ns_manifest *m)
{
	if (m->sched.policy != NS_SCHED_NONE) {
		str(y, "sched");
		sched(y, &m->sched);
	}
	if (m->nmounts) {
		str(y, "mounts");
		mounts(y, m);
	}
	if (m->autostart != NS_AUTOSTART_NONE)
		key_str(y, "autostart", ns_autostart_names[m->autostart]);
	if (m->cgroups.present) {
		str(y, "cgroups");
		cgroups(y, &m->cgroups);
	}
	if (m->network.mode == NS_NET_HOST) {
		key_str(y, "network", "host");
	} else if (m->network.mode == NS_NET_NAMESPACE) {
		str(y, "network");
		scalar(y, "!namespace", m->network.netns, YAML_ANY_SCALAR_STYLE);
	}
	if (m->seccomp.present) {
		str(y, "seccomp");
		seccomp(y, &m->seccomp);
	}
	if (m->selinux.present) {
		str(y, "selinux");
		map_start(y, NULL);
		str(y, "mount_context");
		m->selinux.mount_context ? str(y, m->selinux.mount_context) : plain(y, "null");
		str(y, "exec");
		m->selinux.exec ? str(y, m->selinux.exec) : plain(y, "null");
		map_end(y);
	}
	if (m->capabilities) {
		str(y, "capabilities");
		seq_start(y);
		for (unsigned i = 0; i < NS_CAP_COUNT; i++)
			if (m->capabilities & (UINT64_C(1) << i))
				plain(y, ns_cap_name(i));
		seq_end(y);
	}
	if (m->nsuppl_groups) {
		str(y, "suppl_groups");
		strings(y, m->suppl_groups, m->nsuppl_groups);
	}
	if (m->nrlimits) {
		str(y, "rlimits");
		rlimits(y, m);
	}
	if (m->nsockets) {
		str(y, "sockets");
		sockets(y, m);
	}
	if (m->io.present) {
		str(y, "io");
		map_start(y, NULL);
		key_str(y, "stdout", ns_io_mode_names[m->io.out]);
		key_str(y, "stderr", ns_io_mode_names[m->io.err]);
		map_end(y);
	}
	if (m->custom) {
		str(y, "custom");
		custom(y, m->custom);
	}
}

static void document(struct yout *y, const struct ns_manifest *m)
{
	yaml_event_t ev;
	char v[64];
	emit(y, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(y, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	map_start(y, NULL);
	key_str(y, "name", m->name);
	key_str(y, "version", ns_version_str(&m->version, v, sizeof(v)));
	if (m->console.present) {
		str(y, "console");
		console(y, &m->console);
	}
	if (m->init)
		key_str(y, "init", m->init);
	if (m->nargs) {
		str(y, "args");
		strings(y, m->args, m->nargs);
	}
	if (m->nenv) {
		str(y, "env");
		kv_map(y, m->env, m->nenv);
	}
	key_u64(y, "uid", m->uid);
	key_u64(y, "gid", m->gid);
	optional_fields(y, m);
	map_end(y);
	emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(y, &ev, yaml_stream_end_event_initialize(&ev));
}

int ns_manifest_to_yaml(const struct ns_manifest *m, char **out, size_t *len, struct ns_err *err)
{
	struct yout y = {.failed = false};
	if (!yaml_emitter_initialize(&y.e))
		return ns_err_set(err, ENOMEM, "manifest: out of memory");
	yaml_emitter_set_output(&y.e, write_handler, &y.buf);
	yaml_emitter_set_unicode(&y.e, 1);
	yaml_emitter_set_indent(&y.e, 2);
	yaml_emitter_set_width(&y.e, -1);
	document(&y, m);
	if (!y.failed && !yaml_emitter_flush(&y.e))
		y.failed = true;
	int r = 0;
	if (y.failed || !y.buf.data)
		r = ns_err_set(err, y.e.error == YAML_MEMORY_ERROR || !y.buf.data ? ENOMEM : EINVAL,
			       "manifest: cannot write YAML: %s",
			       y.e.problem ? y.e.problem : "out of memory");
	yaml_emitter_delete(&y.e);
	if (r < 0) {
		free(y.buf.data);
		return r;
	}
	*out = y.buf.data;
	if (len)
		*len = y.buf.len;
	return 0;
}

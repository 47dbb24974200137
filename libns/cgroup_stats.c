/* Statistics for inspect (process.statistics). Field names follow the cgroups-rs
 * structures Northstar serialises (memory.{memory,kmem,kmem_tcp}, cpu.stat, blkio
 * io_service_bytes/io_serviced), filled from whichever version holds the controller;
 * docs/cgroups.md lists them and our additions (memory.events, memory.swap, cpu.usage_ns). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_int.h"
#include "json.h"
#include "util.h"

#define TEXT_MAX 16384

static const struct ns_cgroup_dir *dir_of(const struct ns_cgroup *cg, enum ns_cgroup_ctrl c,
					  bool *v2)
{
	int h = cg->rt->layout.ctrl[c];
	if (h < 0 || cg->dir[h].fd < 0)
		return NULL;
	*v2 = cg->rt->layout.hier[h].v2;
	return &cg->dir[h];
}

/* Adds file's value as a number; "max" becomes -1 as cgroups-rs reports it. */
static bool add_num(cJSON *o, const char *key, int dirfd, const char *file)
{
	char buf[64];
	if (ns_cgroup_read(dirfd, file, buf, sizeof(buf)) <= 0)
		return true; /* missing on this kernel: left out */
	if (!strncmp(buf, "max", 3))
		return ns_json_add_i64(o, key, -1);
	char *end;
	errno = 0;
	if (buf[0] == '-') {
		long long v = strtoll(buf, &end, 10);
		return errno || end == buf ? true : ns_json_add_i64(o, key, v);
	}
	unsigned long long v = strtoull(buf, &end, 10);
	return errno || end == buf ? true : ns_json_add_u64(o, key, v);
}

/* "key value" lines as an object of numbers (memory.stat, memory.events, cpu.stat). */
static cJSON *flat_keyed(int dirfd, const char *file)
{
	ns_autofree char *text = malloc(TEXT_MAX);
	if (!text || ns_cgroup_read(dirfd, file, text, TEXT_MAX) < 0)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	for (char *line = text, *next; o && *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		char *sp = strchr(line, ' '), *end;
		if (!sp)
			continue;
		*sp = '\0';
		errno = 0;
		unsigned long long v = strtoull(sp + 1, &end, 10);
		if (errno || end == sp + 1 || *end)
			continue;
		if (!ns_json_add_u64(o, line, v)) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static bool add_obj(cJSON *parent, const char *key, cJSON *child)
{
	if (!child)
		return true;
	if (!cJSON_AddItemToObject(parent, key, child)) {
		cJSON_Delete(child);
		return false;
	}
	return true;
}

static cJSON *memory_v1(int fd)
{
	static const char *const kf[][2] = {{"fail_cnt", "failcnt"},
					    {"limit_in_bytes", "limit_in_bytes"},
					    {"usage_in_bytes", "usage_in_bytes"},
					    {"max_usage_in_bytes", "max_usage_in_bytes"}};
	static const char *const groups[][2] = {{"kmem", "memory.kmem."},
						{"kmem_tcp", "memory.kmem.tcp."},
						{"memswap", "memory.memsw."}};
	cJSON *m = cJSON_CreateObject(), *mem = cJSON_AddObjectToObject(m, "memory");
	bool ok = mem && add_num(mem, "fail_cnt", fd, "memory.failcnt") &&
		  add_num(mem, "limit_in_bytes", fd, "memory.limit_in_bytes") &&
		  add_num(mem, "usage_in_bytes", fd, "memory.usage_in_bytes") &&
		  add_num(mem, "max_usage_in_bytes", fd, "memory.max_usage_in_bytes") &&
		  add_num(mem, "soft_limit_in_bytes", fd, "memory.soft_limit_in_bytes") &&
		  add_num(mem, "swappiness", fd, "memory.swappiness") &&
		  add_obj(mem, "stat", flat_keyed(fd, "memory.stat")) &&
		  add_obj(mem, "oom_control", flat_keyed(fd, "memory.oom_control"));
	for (size_t g = 0; ok && g < ARRAY_SIZE(groups); g++) {
		cJSON *o = cJSON_AddObjectToObject(m, groups[g][0]);
		ok = o != NULL;
		for (size_t i = 0; ok && i < ARRAY_SIZE(kf); i++) {
			char f[64];
			snprintf(f, sizeof(f), "%s%s", groups[g][1], kf[i][1]);
			ok = add_num(o, kf[i][0], fd, f);
		}
	}
	if (ok)
		return m;
	cJSON_Delete(m);
	return NULL;
}

static cJSON *memory_v2(int fd)
{
	cJSON *m = cJSON_CreateObject(), *mem = cJSON_AddObjectToObject(m, "memory"),
	      *sw = cJSON_AddObjectToObject(m, "memswap");
	bool ok = mem && sw && add_num(mem, "limit_in_bytes", fd, "memory.max") &&
		  add_num(mem, "usage_in_bytes", fd, "memory.current") &&
		  add_num(mem, "max_usage_in_bytes", fd, "memory.peak") &&
		  add_num(mem, "soft_limit_in_bytes", fd, "memory.low") &&
		  add_obj(mem, "stat", flat_keyed(fd, "memory.stat")) &&
		  add_num(sw, "limit_in_bytes", fd, "memory.swap.max") &&
		  add_num(sw, "usage_in_bytes", fd, "memory.swap.current") &&
		  add_obj(m, "events", flat_keyed(fd, "memory.events"));
	if (ok)
		return m;
	cJSON_Delete(m);
	return NULL;
}

int ns_cgroup_cpu_usage(const struct ns_cgroup *cg, uint64_t *ns, struct ns_err *err)
{
	bool v2 = false;
	char text[2048];
	const struct ns_cgroup_dir *d = dir_of(cg, NS_CGROUP_CPUACCT, &v2);
	if (!d)
		return ns_err_set(err, ENOENT, "no cpu accounting for cgroup '%s'", cg->rel);
	if (!v2) {
		int r = ns_cgroup_read_u64(d->fd, "cpuacct.usage", ns);
		return r < 0 ? ns_err_sys(err, -r, "read '%s/cpuacct.usage'", d->path) : 0;
	}
	ssize_t n = ns_cgroup_read(d->fd, "cpu.stat", text, sizeof(text));
	if (n < 0)
		return ns_err_sys(err, (int)-n, "read '%s/cpu.stat'", d->path);
	const char *u = strstr(text, "usage_usec ");
	if (!u || (u != text && u[-1] != '\n'))
		return ns_err_set(err, EINVAL, "'%s/cpu.stat' has no usage_usec", d->path);
	*ns = strtoull(u + 11, NULL, 10) * 1000;
	return 0;
}

static cJSON *cpu(const struct ns_cgroup *cg)
{
	bool v2 = false;
	struct ns_err ignored;
	uint64_t ns;
	ns_autofree char *text = malloc(TEXT_MAX);
	const struct ns_cgroup_dir *d = dir_of(cg, NS_CGROUP_CPU, &v2);
	cJSON *o = cJSON_CreateObject();
	if (!o || !text)
		goto fail;
	/* Northstar reports cpu.stat as its raw text. */
	if (d && ns_cgroup_read(d->fd, "cpu.stat", text, TEXT_MAX) >= 0 &&
	    !cJSON_AddStringToObject(o, "stat", text))
		goto fail;
	if (ns_cgroup_cpu_usage(cg, &ns, &ignored) == 0 && !ns_json_add_u64(o, "usage_ns", ns))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* One IoService entry as cgroups-rs names it: {major, minor, op, value}. */
static bool io_entry(cJSON *arr, unsigned major, unsigned minor, const char *op, uint64_t v)
{
	cJSON *e = cJSON_CreateObject();
	if (!e || !ns_json_add_u64(e, "major", major) || !ns_json_add_u64(e, "minor", minor) ||
	    !cJSON_AddStringToObject(e, "op", op) || !ns_json_add_u64(e, "value", v) ||
	    !cJSON_AddItemToArray(arr, e)) {
		cJSON_Delete(e);
		return false;
	}
	return true;
}

/* v1 blkio.throttle.io_service_bytes / io_serviced: "M:m Op value" lines, "Total N". */
static bool blkio_v1_file(cJSON *o, int fd, const char *file, const char *key)
{
	char total_key[64];
	ns_autofree char *text = malloc(TEXT_MAX);
	cJSON *arr = cJSON_CreateArray();
	uint64_t total = 0;
	if (!text || !arr || ns_cgroup_read(fd, file, text, TEXT_MAX) < 0) {
		cJSON_Delete(arr);
		return text != NULL;
	}
	for (char *line = text, *next; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		unsigned ma, mi;
		char op[16];
		unsigned long long v;
		if (sscanf(line, "%u:%u %15s %llu", &ma, &mi, op, &v) == 4) {
			if (!io_entry(arr, ma, mi, op, v)) {
				cJSON_Delete(arr);
				return false;
			}
		} else if (sscanf(line, "Total %llu", &v) == 1) {
			total = v;
		}
	}
	snprintf(total_key, sizeof(total_key), "%s_total", key);
	return add_obj(o, key, arr) && ns_json_add_u64(o, total_key, total);
}

/* v2 io.stat: "M:m rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..". */
static bool blkio_v2(cJSON *o, int fd)
{
	static const char *const keys[][2] = {{"rbytes", "Read"},    {"wbytes", "Write"},
					      {"dbytes", "Discard"}, {"rios", "Read"},
					      {"wios", "Write"},     {"dios", "Discard"}};
	ns_autofree char *text = malloc(TEXT_MAX);
	cJSON *bytes = cJSON_AddArrayToObject(o, "io_service_bytes"),
	      *ios = cJSON_AddArrayToObject(o, "io_serviced");
	uint64_t tb = 0, ti = 0;
	bool ok = text && bytes && ios;
	if (ok && ns_cgroup_read(fd, "io.stat", text, TEXT_MAX) < 0)
		text[0] = '\0';
	for (char *line = text, *next; ok && *line; line = next) {
		unsigned ma, mi;
		int off = 0;
		char *save = NULL;
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "%u:%u%n", &ma, &mi, &off) != 2)
			continue;
		for (char *t = strtok_r(line + off, " ", &save); ok && t;
		     t = strtok_r(NULL, " ", &save))
			for (size_t k = 0; ok && k < ARRAY_SIZE(keys); k++) {
				size_t kl = strlen(keys[k][0]);
				if (strncmp(t, keys[k][0], kl) || t[kl] != '=')
					continue;
				uint64_t v = strtoull(t + kl + 1, NULL, 10);
				ok = io_entry(k < 3 ? bytes : ios, ma, mi, keys[k][1], v);
				*(k < 3 ? &tb : &ti) += v;
			}
	}
	return ok && ns_json_add_u64(o, "io_service_bytes_total", tb) &&
	       ns_json_add_u64(o, "io_serviced_total", ti);
}

static cJSON *blkio(const struct ns_cgroup *cg)
{
	bool v2 = false;
	const struct ns_cgroup_dir *d = dir_of(cg, NS_CGROUP_BLKIO, &v2);
	cJSON *o = cJSON_CreateObject();
	if (!o || !d)
		return o;
	bool ok =
	    v2 ? blkio_v2(o, d->fd)
	       : blkio_v1_file(o, d->fd, "blkio.throttle.io_service_bytes", "io_service_bytes") &&
		     blkio_v1_file(o, d->fd, "blkio.throttle.io_serviced", "io_serviced");
	if (ok)
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* Ours (issue 14): {"current": N, "max": N or -1, "events": {"max": N}} from the pids
 * controller, the same files on v1 and v2; NULL child (left out) without it. */
static bool pids(cJSON *parent, const struct ns_cgroup *cg)
{
	bool v2 = false;
	const struct ns_cgroup_dir *d = dir_of(cg, NS_CGROUP_PIDS, &v2);
	if (!d)
		return true;
	cJSON *o = cJSON_CreateObject();
	bool ok = o && add_num(o, "current", d->fd, "pids.current") &&
		  add_num(o, "max", d->fd, "pids.max") &&
		  add_obj(o, "events", flat_keyed(d->fd, "pids.events"));
	if (!ok) {
		cJSON_Delete(o);
		return false;
	}
	return add_obj(parent, "pids", o);
}

/* Takes child into parent; false (child freed) when out of memory. */
static bool attach(cJSON *parent, const char *key, cJSON *child)
{
	return child && add_obj(parent, key, child);
}

cJSON *ns_cgroup_stats(const struct ns_cgroup *cg)
{
	bool v2 = false;
	const struct ns_cgroup_dir *d = dir_of(cg, NS_CGROUP_MEMORY, &v2);
	cJSON *o = cJSON_CreateObject();
	if (o && attach(o, "blkio", blkio(cg)) && attach(o, "cpu", cpu(cg)) &&
	    attach(o, "memory",
		   d ? (v2 ? memory_v2(d->fd) : memory_v1(d->fd)) : cJSON_CreateObject()) &&
	    pids(o, cg))
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* The manifest's cgroups section as a list of controller file writes, per version.
 * Pure: the list is built without touching a file, so every mapping is unit-tested.
 * Fixes Northstar's mapping defects (spec tests-and-security P-F8, runtime-behavior §5):
 * shares are converted to a v2 weight, swappiness never lands in memory.swap.max, and
 * the v1 memory+swap limit becomes v2's swap-only limit by subtraction. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_int.h"
#include "util.h"

#define DEV_MAJOR_MAX 4095u    /* 12 bits of dev_t */
#define DEV_MINOR_MAX 1048575u /* 20 bits */

void ns_cgroup_note(struct ns_cgroup_notes *n, const char *fmt, ...)
{
	va_list ap;
	if (!n)
		return;
	if (n->n == NS_CGROUP_NOTES_MAX) {
		n->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(n->line[n->n++], sizeof(n->line[0]), fmt, ap);
	va_end(ap);
}

void ns_cgroup_caps_from_layout(const struct ns_cgroup_layout *l, struct ns_cgroup_caps *caps)
{
	for (int c = 0; c < NS_CGROUP_NCTRL; c++) {
		caps->present[c] = l->ctrl[c] >= 0;
		caps->v2[c] = l->ctrl[c] >= 0 && l->hier[l->ctrl[c]].v2;
	}
}

uint64_t ns_cgroup_shares_to_weight(uint64_t shares)
{
	/* The kernel clamps cpu.shares to 2..262144; v2's weight is 1..10000. */
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + (shares - 2) * 9999 / 262142;
}

uint64_t ns_cgroup_blkio_to_io_weight(uint64_t w)
{
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + (w - 10) * 9999 / 990;
}

/* --- building ------------------------------------------------------------------ */
struct builder {
	struct ns_cgroup_plan *p;
	const struct ns_cgroup_caps *caps;
	struct ns_cgroup_notes *notes;
	struct ns_err *err;
};

static struct ns_cgroup_write *add(struct builder *b, enum ns_cgroup_ctrl c, const char *field,
				   const char *file, unsigned flags, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static struct ns_cgroup_write *add(struct builder *b, enum ns_cgroup_ctrl c, const char *field,
				   const char *file, unsigned flags, const char *fmt, ...)
{
	struct ns_cgroup_plan *p = b->p;
	va_list ap;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct ns_cgroup_write *w = realloc(p->w, cap * sizeof(*w));
		if (!w) {
			ns_err_set(b->err, ENOMEM, "out of memory");
			return NULL;
		}
		p->w = w;
		p->cap = cap;
	}
	struct ns_cgroup_write *w = &p->w[p->n++];
	memset(w, 0, sizeof(*w));
	w->ctrl = c;
	w->flags = flags;
	snprintf(w->field, sizeof(w->field), "%s", field);
	snprintf(w->file, sizeof(w->file), "%s", file);
	va_start(ap, fmt);
	vsnprintf(w->value, sizeof(w->value), fmt, ap);
	va_end(ap);
	return w;
}

#define ADD(b, ...)                                                                                \
	do {                                                                                       \
		if (!add(b, __VA_ARGS__))                                                          \
			return -ENOMEM;                                                            \
	} while (0)

static bool is_v2(const struct builder *b, enum ns_cgroup_ctrl c)
{
	return b->caps->v2[c];
}

/* "-1" and up: -1 means unlimited; anything below is refused. */
static int limit_value(struct builder *b, const char *field, int64_t v)
{
	if (v < -1)
		return ns_err_set(
		    b->err, EINVAL,
		    "cgroups.%s: %" PRId64 " is neither -1 (unlimited) nor a byte count", field, v);
	return 0;
}

static void v2_limit(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

static int memory_swap(struct builder *b, const struct ns_cgroup_memory *m)
{
	const char *f = "memory.memory_swap_limit";
	char v[32];
	if (limit_value(b, f, m->swap_limit) < 0)
		return -EINVAL;
	if (m->has_hard_limit && m->hard_limit >= 0 && m->swap_limit >= 0 &&
	    m->swap_limit < m->hard_limit)
		return ns_err_set(b->err, EINVAL,
				  "cgroups.%s: %" PRId64 " (memory + swap) is below "
				  "memory_hard_limit %" PRId64,
				  f, m->swap_limit, m->hard_limit);
	if (!is_v2(b, NS_CGROUP_MEMORY)) {
		ADD(b, NS_CGROUP_MEMORY, f, "memory.memsw.limit_in_bytes", NS_CGW_OPTIONAL,
		    "%" PRId64, m->swap_limit);
		return 0;
	}
	/* v2 limits swap alone: memory + swap - memory. */
	if (m->swap_limit < 0) {
		snprintf(v, sizeof(v), "max");
	} else if (m->has_hard_limit && m->hard_limit >= 0) {
		snprintf(v, sizeof(v), "%" PRId64, m->swap_limit - m->hard_limit);
	} else {
		snprintf(v, sizeof(v), "%" PRId64, m->swap_limit);
		ns_cgroup_note(b->notes,
			       "cgroups.%s without memory_hard_limit: cgroup v2 has no memory + "
			       "swap limit; swap alone is limited to %" PRId64 " bytes",
			       f, m->swap_limit);
	}
	ADD(b, NS_CGROUP_MEMORY, f, "memory.swap.max", NS_CGW_OPTIONAL, "%s", v);
	return 0;
}

static int memory_kernel(struct builder *b, const struct ns_cgroup_memory *m)
{
	bool v2 = is_v2(b, NS_CGROUP_MEMORY);
	if (m->has_kernel_limit) {
		if (limit_value(b, "memory.kernel_memory_limit", m->kernel_limit) < 0)
			return -EINVAL;
		if (v2)
			ns_cgroup_note(b->notes, "cgroups.memory.kernel_memory_limit ignored: "
						 "cgroup v2 counts kernel memory in memory.max");
		else
			ADD(b, NS_CGROUP_MEMORY, "memory.kernel_memory_limit",
			    "memory.kmem.limit_in_bytes", NS_CGW_OPTIONAL | NS_CGW_KMEM, "%" PRId64,
			    m->kernel_limit);
	}
	if (m->has_kernel_tcp_limit) {
		if (limit_value(b, "memory.kernel_tcp_memory_limit", m->kernel_tcp_limit) < 0)
			return -EINVAL;
		if (v2)
			ns_cgroup_note(b->notes, "cgroups.memory.kernel_tcp_memory_limit ignored: "
						 "cgroup v2 counts socket memory in memory.max");
		else
			ADD(b, NS_CGROUP_MEMORY, "memory.kernel_tcp_memory_limit",
			    "memory.kmem.tcp.limit_in_bytes", NS_CGW_OPTIONAL | NS_CGW_KMEM,
			    "%" PRId64, m->kernel_tcp_limit);
	}
	return 0;
}

static int attrs(struct builder *b, const char *section, const struct ns_kv *kv, size_t n);

static int memory(struct builder *b, const struct ns_cgroup_memory *m)
{
	bool v2 = is_v2(b, NS_CGROUP_MEMORY);
	char v[32];
	if (!b->caps->present[NS_CGROUP_MEMORY]) {
		ns_cgroup_note(b->notes, "cgroups.memory ignored: the kernel has no memory "
					 "controller mounted");
		return 0;
	}
	/* v1 needs the memory limit before memory + swap (memsw >= limit at all times). */
	if (m->has_hard_limit) {
		if (limit_value(b, "memory.memory_hard_limit", m->hard_limit) < 0)
			return -EINVAL;
		v2_limit(v, sizeof(v), m->hard_limit);
		ADD(b, NS_CGROUP_MEMORY, "memory.memory_hard_limit",
		    v2 ? "memory.max" : "memory.limit_in_bytes", 0, "%s",
		    v2 ? v : (m->hard_limit < 0 ? "-1" : v));
	}
	if (m->has_soft_limit) {
		if (limit_value(b, "memory.memory_soft_limit", m->soft_limit) < 0)
			return -EINVAL;
		v2_limit(v, sizeof(v), m->soft_limit);
		ADD(b, NS_CGROUP_MEMORY, "memory.memory_soft_limit",
		    v2 ? "memory.low" : "memory.soft_limit_in_bytes", 0, "%s",
		    v2 ? v : (m->soft_limit < 0 ? "-1" : v));
	}
	if (m->has_swap_limit && memory_swap(b, m) < 0)
		return ns_err_ret(b->err);
	if (m->has_swappiness) {
		if (v2)
			ns_cgroup_note(b->notes, "cgroups.memory.swappiness ignored: cgroup v2 has "
						 "no per-cgroup swappiness");
		else
			ADD(b, NS_CGROUP_MEMORY, "memory.swappiness", "memory.swappiness", 0,
			    "%" PRIu64, m->swappiness);
	}
	if (memory_kernel(b, m) < 0)
		return ns_err_ret(b->err);
	return attrs(b, "memory", m->attrs, m->nattrs);
}

static int cpu_bandwidth(struct builder *b, const struct ns_cgroup_cpu *c)
{
	bool has_period = c->has_period && c->period > 0;
	if (c->has_period && c->period == 0)
		ns_cgroup_note(b->notes, "cgroups.cpu.period 0 ignored: the kernel's default "
					 "period applies");
	if (!has_period && !c->has_quota)
		return 0;
	if (is_v2(b, NS_CGROUP_CPU)) {
		char q[32] = "max";
		if (c->has_quota && c->quota > 0)
			snprintf(q, sizeof(q), "%" PRId64, c->quota);
		if (has_period)
			ADD(b, NS_CGROUP_CPU, "cpu.quota", "cpu.max", 0, "%s %" PRIu64, q,
			    c->period);
		else
			ADD(b, NS_CGROUP_CPU, "cpu.quota", "cpu.max", 0, "%s", q);
		return 0;
	}
	if (has_period)
		ADD(b, NS_CGROUP_CPU, "cpu.period", "cpu.cfs_period_us", 0, "%" PRIu64, c->period);
	if (c->has_quota)
		ADD(b, NS_CGROUP_CPU, "cpu.quota", "cpu.cfs_quota_us", 0, "%" PRId64,
		    c->quota > 0 ? c->quota : -1);
	return 0;
}

static int cpu_realtime(struct builder *b, const struct ns_cgroup_cpu *c)
{
	if (!c->has_rt_period && !c->has_rt_runtime)
		return 0;
	if (c->has_rt_runtime && c->rt_runtime < -1)
		return ns_err_set(b->err, EINVAL,
				  "cgroups.cpu.realtime_runtime: %" PRId64
				  " is neither -1 (unlimited) nor a time in microseconds",
				  c->rt_runtime);
	if (is_v2(b, NS_CGROUP_CPU)) {
		ns_cgroup_note(b->notes, "cgroups.cpu.realtime_runtime and realtime_period "
					 "ignored: cgroup v2 has no real-time group scheduling");
		return 0;
	}
	if (c->has_rt_period && c->rt_period == 0)
		ns_cgroup_note(b->notes, "cgroups.cpu.realtime_period 0 ignored: the kernel's "
					 "default period applies");
	else if (c->has_rt_period)
		ADD(b, NS_CGROUP_CPU, "cpu.realtime_period", "cpu.rt_period_us", NS_CGW_OPTIONAL,
		    "%" PRIu64, c->rt_period);
	if (c->has_rt_runtime)
		ADD(b, NS_CGROUP_CPU, "cpu.realtime_runtime", "cpu.rt_runtime_us", NS_CGW_OPTIONAL,
		    "%" PRId64, c->rt_runtime);
	return 0;
}

static int cpu(struct builder *b, const struct ns_cgroup_cpu *c)
{
	bool any =
	    c->has_shares || c->has_quota || c->has_period || c->has_rt_period || c->has_rt_runtime;
	if (any && !b->caps->present[NS_CGROUP_CPU]) {
		ns_cgroup_note(b->notes, "cgroups.cpu shares, quota, period and realtime ignored: "
					 "the kernel has no cpu controller mounted");
	} else if (any) {
		if (c->has_shares && is_v2(b, NS_CGROUP_CPU))
			ADD(b, NS_CGROUP_CPU, "cpu.shares", "cpu.weight", 0, "%" PRIu64,
			    ns_cgroup_shares_to_weight(c->shares));
		else if (c->has_shares)
			ADD(b, NS_CGROUP_CPU, "cpu.shares", "cpu.shares", 0, "%" PRIu64, c->shares);
		if (cpu_bandwidth(b, c) < 0 || cpu_realtime(b, c) < 0)
			return ns_err_ret(b->err);
	}
	if ((c->cpus || c->mems) && !b->caps->present[NS_CGROUP_CPUSET]) {
		ns_cgroup_note(b->notes, "cgroups.cpu.cpus and mems ignored: the kernel has no "
					 "cpuset controller mounted");
	} else {
		if (c->cpus)
			ADD(b, NS_CGROUP_CPUSET, "cpu.cpus", "cpuset.cpus", 0, "%s", c->cpus);
		if (c->mems)
			ADD(b, NS_CGROUP_CPUSET, "cpu.mems", "cpuset.mems", 0, "%s", c->mems);
	}
	return attrs(b, "cpu", c->attrs, c->nattrs);
}

static int check_weight(struct builder *b, const char *field, uint64_t w)
{
	if (w < 10 || w > 1000)
		return ns_err_set(b->err, EINVAL, "cgroups.%s: %" PRIu64 " is not in 10..1000",
				  field, w);
	return 0;
}

static int check_dev(struct builder *b, const char *field, uint64_t major, uint64_t minor)
{
	if (major > DEV_MAJOR_MAX || minor > DEV_MINOR_MAX)
		return ns_err_set(b->err, EINVAL,
				  "cgroups.%s: device %" PRIu64 ":%" PRIu64
				  " is not a device number",
				  field, major, minor);
	return 0;
}

/* A weight on v1 (blkio.weight, else BFQ's) or v2 (io.weight, else io.bfq.weight).
 * dev is "" for the default weight, else "M:m ". */
static int blkio_weight(struct builder *b, const char *field, const char *dev, uint64_t w)
{
	struct ns_cgroup_write *x;
	if (check_weight(b, field, w) < 0)
		return -EINVAL;
	if (is_v2(b, NS_CGROUP_BLKIO)) {
		x = add(b, NS_CGROUP_BLKIO, field, "io.weight", NS_CGW_OPTIONAL, "%s%" PRIu64,
			*dev ? dev : "default ", ns_cgroup_blkio_to_io_weight(w));
		if (x) {
			snprintf(x->alt_file, sizeof(x->alt_file), "io.bfq.weight");
			snprintf(x->alt_value, sizeof(x->alt_value), "%s%" PRIu64, dev, w);
		}
	} else {
		x = add(b, NS_CGROUP_BLKIO, field, *dev ? "blkio.weight_device" : "blkio.weight",
			NS_CGW_OPTIONAL, "%s%" PRIu64, dev, w);
		if (x) {
			snprintf(x->alt_file, sizeof(x->alt_file), "%s",
				 *dev ? "blkio.bfq.weight_device" : "blkio.bfq.weight");
			snprintf(x->alt_value, sizeof(x->alt_value), "%s%" PRIu64, dev, w);
		}
	}
	return x ? 0 : -ENOMEM;
}

static int blkio_leaf(struct builder *b, const char *field, const char *dev, uint64_t w)
{
	if (check_weight(b, field, w) < 0)
		return -EINVAL;
	if (is_v2(b, NS_CGROUP_BLKIO)) {
		ns_cgroup_note(b->notes, "cgroups.%s ignored: cgroup v2 has no leaf weights",
			       field);
		return 0;
	}
	ADD(b, NS_CGROUP_BLKIO, field, *dev ? "blkio.leaf_weight_device" : "blkio.leaf_weight",
	    NS_CGW_OPTIONAL, "%s%" PRIu64, dev, w);
	return 0;
}

static int throttle(struct builder *b, const char *name, const char *v2key,
		    const struct ns_blkio_throttle *t, size_t n)
{
	char field[64], file[64];
	snprintf(field, sizeof(field), "blkio.%s", name);
	snprintf(file, sizeof(file), "blkio.%s", name);
	for (size_t i = 0; i < n; i++) {
		if (check_dev(b, field, t[i].major, t[i].minor) < 0)
			return -EINVAL;
		if (!is_v2(b, NS_CGROUP_BLKIO))
			ADD(b, NS_CGROUP_BLKIO, field, file, NS_CGW_OPTIONAL,
			    "%" PRIu64 ":%" PRIu64 " %" PRIu64, t[i].major, t[i].minor, t[i].rate);
		else if (t[i].rate == 0) /* v1's 0 removes the limit */
			ADD(b, NS_CGROUP_BLKIO, field, "io.max", NS_CGW_OPTIONAL,
			    "%" PRIu64 ":%" PRIu64 " %s=max", t[i].major, t[i].minor, v2key);
		else
			ADD(b, NS_CGROUP_BLKIO, field, "io.max", NS_CGW_OPTIONAL,
			    "%" PRIu64 ":%" PRIu64 " %s=%" PRIu64, t[i].major, t[i].minor, v2key,
			    t[i].rate);
	}
	return 0;
}

static int blkio_devices(struct builder *b, const struct ns_cgroup_blkio *k)
{
	for (size_t i = 0; i < k->nweight_device; i++) {
		const struct ns_blkio_weight_device *d = &k->weight_device[i];
		char dev[48];
		if (check_dev(b, "blkio.weight_device", d->major, d->minor) < 0)
			return -EINVAL;
		snprintf(dev, sizeof(dev), "%" PRIu64 ":%" PRIu64 " ", d->major, d->minor);
		if (d->has_weight && blkio_weight(b, "blkio.weight_device", dev, d->weight) < 0)
			return ns_err_ret(b->err);
		if (d->has_leaf_weight &&
		    blkio_leaf(b, "blkio.weight_device.leaf_weight", dev, d->leaf_weight) < 0)
			return ns_err_ret(b->err);
	}
	if (throttle(b, "throttle.read_bps_device", "rbps", k->read_bps, k->nread_bps) < 0 ||
	    throttle(b, "throttle.read_iops_device", "riops", k->read_iops, k->nread_iops) < 0 ||
	    throttle(b, "throttle.write_bps_device", "wbps", k->write_bps, k->nwrite_bps) < 0 ||
	    throttle(b, "throttle.write_iops_device", "wiops", k->write_iops, k->nwrite_iops) < 0)
		return ns_err_ret(b->err);
	return 0;
}

static int blkio(struct builder *b, const struct ns_cgroup_blkio *k)
{
	if (!b->caps->present[NS_CGROUP_BLKIO]) {
		ns_cgroup_note(b->notes, "cgroups.blkio ignored: the kernel has no blkio/io "
					 "controller mounted");
		return 0;
	}
	if (k->has_weight && blkio_weight(b, "blkio.weight", "", k->weight) < 0)
		return ns_err_ret(b->err);
	if (k->has_leaf_weight && blkio_leaf(b, "blkio.leaf_weight", "", k->leaf_weight) < 0)
		return ns_err_ret(b->err);
	if (blkio_devices(b, k) < 0)
		return ns_err_ret(b->err);
	return attrs(b, "blkio", k->attrs, k->nattrs);
}

/* pids.max, the same file on v1 and v2: a count, or "max". The parser has checked
 * the range; a struct filled by hand is checked again. */
static int pids(struct builder *b, const struct ns_cgroup_pids *p)
{
	if (!p->has_max)
		return 0;
	if (p->max != -1 && (p->max < NS_MANIFEST_PIDS_MIN || p->max > NS_MANIFEST_PIDS_MAX))
		return ns_err_set(b->err, EINVAL,
				  "cgroups.pids.max: %" PRId64 " is not in %d..%d or 'max'", p->max,
				  NS_MANIFEST_PIDS_MIN, NS_MANIFEST_PIDS_MAX);
	if (!b->caps->present[NS_CGROUP_PIDS]) {
		ns_cgroup_note(b->notes, "cgroups.pids.max ignored: the kernel has no pids "
					 "controller mounted");
		return 0;
	}
	if (p->max < 0)
		ADD(b, NS_CGROUP_PIDS, "pids.max", "pids.max", 0, "max");
	else
		ADD(b, NS_CGROUP_PIDS, "pids.max", "pids.max", 0, "%" PRId64, p->max);
	return 0;
}

/* --- attrs and parent checks ----------------------------------------------------- */
static const struct {
	const char *prefix, *section;
	enum ns_cgroup_ctrl ctrl;
} attr_prefixes[] = {
    {"cpu.", "cpu", NS_CGROUP_CPU},	  {"cpuacct.", "cpu", NS_CGROUP_CPUACCT},
    {"cpuset.", "cpu", NS_CGROUP_CPUSET}, {"memory.", "memory", NS_CGROUP_MEMORY},
    {"blkio.", "blkio", NS_CGROUP_BLKIO}, {"io.", "blkio", NS_CGROUP_BLKIO},
};

static int attr_ctrl(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_prefixes); i++)
		if (!strncmp(key, attr_prefixes[i].prefix, strlen(attr_prefixes[i].prefix)) &&
		    key[strlen(attr_prefixes[i].prefix)] &&
		    !strcmp(section, attr_prefixes[i].section))
			return (int)attr_prefixes[i].ctrl;
	return -1;
}

const char *ns_cgroup_attr_check(const char *section, const char *key)
{
	size_t len = strlen(key);
	if (len == 0 || len > 255)
		return "must be a file name of 1 to 255 bytes";
	if (key[0] == '.')
		return "must not start with '.'";
	for (const char *p = key; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= 'a' && *p <= 'z') || *p == '.' || *p == '_' || *p == '-'))
			return "must consist of [0-9A-Za-z._-] (a file of the container's own "
			       "cgroup directory)";
	if (!strncmp(key, "cgroup.", 7) || !strcmp(key, "tasks") ||
	    !strcmp(key, "notify_on_release") || !strcmp(key, "release_agent"))
		return "names a cgroup core file (cgroup.procs, cgroup.subtree_control, "
		       "cgroup.type, tasks, ...), which attrs must not write";
	if (attr_ctrl(section, key) < 0) {
		if (!strcmp(section, "cpu"))
			return "is not a file of the cpu, cpuacct or cpuset controller (cpu.*, "
			       "cpuacct.*, cpuset.*)";
		if (!strcmp(section, "memory"))
			return "is not a file of the memory controller (memory.*)";
		return "is not a file of the blkio or io controller (blkio.*, io.*)";
	}
	return NULL;
}

static int attrs(struct builder *b, const char *section, const struct ns_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char field[64];
		const char *bad = ns_cgroup_attr_check(section, kv[i].key);
		snprintf(field, sizeof(field), "%s.attrs.%s", section, kv[i].key);
		if (bad)
			return ns_err_set(b->err, EINVAL, "cgroups.%s.attrs: '%s' %s", section,
					  kv[i].key, bad);
		if (strlen(kv[i].value) >= sizeof(b->p->w[0].value))
			return ns_err_set(b->err, EINVAL, "cgroups.%s: the value is too long",
					  field);
		int c = attr_ctrl(section, kv[i].key);
		if (!b->caps->present[c]) {
			ns_cgroup_note(b->notes,
				       "cgroups.%s ignored: the kernel has no %s "
				       "controller mounted",
				       field, ns_cgroup_ctrl_name((enum ns_cgroup_ctrl)c));
			continue;
		}
		ADD(b, (enum ns_cgroup_ctrl)c, field, kv[i].key, 0, "%s", kv[i].value);
	}
	return 0;
}

bool ns_cgroup_path_clean_rel(const char *p)
{
	if (!*p || *p == '/')
		return false;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 0 || len > 255 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return false;
		p += len;
		if (*p == '/' && !*++p)
			return false; /* trailing '/' */
	}
	return true;
}

const char *ns_cgroup_parent_check(const char *parent)
{
	if (!*parent)
		return "is empty";
	if (parent[0] == '/')
		return "must be relative to the runtime's cgroup";
	if (strlen(parent) >= NS_CGROUP_OWN_MAX)
		return "is too long";
	if (!ns_cgroup_path_clean_rel(parent))
		return "must be a clean relative path (no '..' or '.', no empty components or "
		       "control characters, components up to 255 bytes)";
	size_t first = strcspn(parent, "/");
	if (first == strlen(NS_CGROUP_DAEMON_LEAF) &&
	    !strncmp(parent, NS_CGROUP_DAEMON_LEAF, first))
		return "names the daemon's own cgroup";
	return NULL;
}

int ns_cgroup_plan_build(const struct ns_cgroups *m, const struct ns_cgroup_caps *caps,
			 struct ns_cgroup_plan *p, struct ns_cgroup_notes *notes,
			 struct ns_err *err)
{
	struct builder b = {.p = p, .caps = caps, .notes = notes, .err = err};
	memset(p, 0, sizeof(*p));
	if (!m || !m->present)
		return 0;
	if ((m->memory.present && memory(&b, &m->memory) < 0) ||
	    (m->cpu.present && cpu(&b, &m->cpu) < 0) ||
	    (m->blkio.present && blkio(&b, &m->blkio) < 0) ||
	    (m->pids.present && pids(&b, &m->pids) < 0)) {
		ns_cgroup_plan_free(p);
		return ns_err_ret(err);
	}
	return 0;
}

void ns_cgroup_plan_free(struct ns_cgroup_plan *p)
{
	free(p->w);
	memset(p, 0, sizeof(*p));
}

/* cgroups without a kernel: value mappings, layout detection from mountinfo text,
 * attrs and parent checks, memory.events parsing, and the write plan per version. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libns/cgroup.h"
#include "libns/cgroup_int.h"
#include "libns/manifest.h"
#include "testlib.h"

static int test_shares_to_weight(void)
{
	CHECK_INT(ns_cgroup_shares_to_weight(2), 1);
	CHECK_INT(ns_cgroup_shares_to_weight(262144), 10000);
	CHECK_INT(ns_cgroup_shares_to_weight(1024), 39); /* the kernel's default shares */
	CHECK_INT(ns_cgroup_shares_to_weight(512), 20);
	CHECK_INT(ns_cgroup_shares_to_weight(0), 1); /* clamped as the kernel clamps */
	CHECK_INT(ns_cgroup_shares_to_weight(1), 1);
	CHECK_INT(ns_cgroup_shares_to_weight(UINT64_MAX), 10000);
	/* monotonic over the whole range */
	for (uint64_t s = 2, last = 0; s <= 262144; s += 97) {
		uint64_t w = ns_cgroup_shares_to_weight(s);
		CHECK(w >= last && w >= 1 && w <= 10000);
		last = w;
	}
	return 0;
}

static int test_blkio_weight(void)
{
	CHECK_INT(ns_cgroup_blkio_to_io_weight(10), 1);
	CHECK_INT(ns_cgroup_blkio_to_io_weight(1000), 10000);
	CHECK_INT(ns_cgroup_blkio_to_io_weight(100), 910);
	CHECK_INT(ns_cgroup_blkio_to_io_weight(500), 4950);
	return 0;
}

/* This machine's layout: v1 controllers (cpu and cpuacct apart), name=systemd, and an
 * empty v2 at /sys/fs/cgroup/unified. */
static const char hybrid_mi[] =
    "22 1 0:21 / / rw,relatime - ext4 /dev/vda rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n5:devices:/\n"
				  "4:memory:/process_api/afb0\n3:cpuset:/\n2:cpuacct:/\n"
				  "1:cpu:/\n0::/\n";

static int test_layout_hybrid(void)
{
	struct ns_cgroup_layout l;
	struct ns_err err;
	CHECK_OK(ns_cgroup_layout_parse(hybrid_mi, hybrid_self, &l, &err), &err);
	CHECK_OK(ns_cgroup_layout_finish(&l, "hugetlb\n", &err), &err);
	CHECK_INT(l.mode, NS_CGROUP_HYBRID);
	CHECK_INT(l.nhier, 6); /* the empty v2 is left alone */
	CHECK_STR(l.v2_mount, "/sys/fs/cgroup/unified");
	static const char *const want[NS_CGROUP_NCTRL] = {
	    "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu",   "/sys/fs/cgroup/cpuacct",
	    "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/blkio", "/sys/fs/cgroup/pids"};
	for (int c = 0; c < NS_CGROUP_NCTRL; c++) {
		CHECK(l.ctrl[c] >= 0);
		CHECK(!l.hier[l.ctrl[c]].v2);
		CHECK_STR(l.hier[l.ctrl[c]].mount, want[c]);
	}
	const struct ns_cgroup_hier *mem = &l.hier[l.ctrl[NS_CGROUP_MEMORY]];
	CHECK(mem->own_visible);
	CHECK_STR(mem->own, "process_api/afb0");
	CHECK_STR(l.hier[l.ctrl[NS_CGROUP_CPU]].own, "");
	return 0;
}

/* systemd's classic layout: cpu,cpuacct co-mounted, no v2. */
static int test_layout_comounted(void)
{
	static const char mi[] =
	    "25 18 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
	    "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:11 - cgroup cgroup "
	    "rw,cpu,cpuacct\n"
	    "30 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
	    "31 25 0:28 / /sys/fs/cgroup/memory rw shared:13 - cgroup cgroup rw,memory\n";
	struct ns_cgroup_layout l;
	struct ns_err err;
	CHECK_OK(ns_cgroup_layout_parse(mi, "4:memory:/system.slice/x.service\n3:cpu,cpuacct:/\n",
					&l, &err),
		 &err);
	CHECK_OK(ns_cgroup_layout_finish(&l, NULL, &err), &err);
	CHECK_INT(l.mode, NS_CGROUP_V1);
	CHECK_INT(l.nhier, 2);
	CHECK_INT(l.ctrl[NS_CGROUP_CPU], l.ctrl[NS_CGROUP_CPUACCT]);
	CHECK_STR(l.hier[l.ctrl[NS_CGROUP_CPU]].mount, "/sys/fs/cgroup/cpu,cpuacct");
	CHECK_INT(l.ctrl[NS_CGROUP_CPUSET], -1);
	CHECK_INT(l.ctrl[NS_CGROUP_BLKIO], -1);
	CHECK_INT(l.ctrl[NS_CGROUP_PIDS], -1);
	CHECK_STR(l.hier[l.ctrl[NS_CGROUP_MEMORY]].own, "system.slice/x.service");
	return 0;
}

static int test_layout_v2(void)
{
	static const char mi[] = "23 1 0:21 / /sys/fs/cgroup rw,nosuid,nodev - cgroup2 cgroup2 "
				 "rw,nsdelegate,memory_recursiveprot\n";
	struct ns_cgroup_layout l;
	struct ns_err err;
	CHECK_OK(ns_cgroup_layout_parse(mi, "0::/init.scope\n", &l, &err), &err);
	CHECK_OK(ns_cgroup_layout_finish(&l, "cpuset cpu io memory hugetlb pids rdma misc\n", &err),
		 &err);
	CHECK_INT(l.mode, NS_CGROUP_V2);
	CHECK_INT(l.nhier, 1);
	for (int c = 0; c < NS_CGROUP_NCTRL; c++)
		CHECK_INT(l.ctrl[c], 0);
	CHECK(l.hier[0].v2);
	CHECK_STR(l.hier[0].own, "init.scope");
	/* Without controllers v2 still groups and counts CPU time. */
	CHECK_OK(ns_cgroup_layout_parse(mi, "0::/\n", &l, &err), &err);
	CHECK_OK(ns_cgroup_layout_finish(&l, "", &err), &err);
	CHECK_INT(l.mode, NS_CGROUP_V2);
	CHECK_INT(l.ctrl[NS_CGROUP_MEMORY], -1);
	CHECK_INT(l.ctrl[NS_CGROUP_CPUACCT], 0);
	return 0;
}

/* v2 holding the controllers v1 lacks (memory here), a mount root that is not the
 * hierarchy's, and an escaped mount point. */
static int test_layout_mixed(void)
{
	static const char mi[] =
	    "31 30 0:28 /docker/abc /sys/fs/cgroup/my\\040cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
	    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	struct ns_cgroup_layout l;
	struct ns_err err;
	CHECK_OK(
	    ns_cgroup_layout_parse(mi, "2:cpu,cpuacct:/docker/abc/sub\n0::/elsewhere\n", &l, &err),
	    &err);
	CHECK_OK(ns_cgroup_layout_finish(&l, "memory pids", &err), &err);
	CHECK_INT(l.mode, NS_CGROUP_HYBRID);
	CHECK_INT(l.nhier, 2);
	const struct ns_cgroup_hier *cpu = &l.hier[l.ctrl[NS_CGROUP_CPU]];
	CHECK_STR(cpu->mount, "/sys/fs/cgroup/my cpu");
	CHECK_STR(cpu->mount_root, "/docker/abc");
	CHECK(cpu->own_visible);
	CHECK_STR(cpu->own, "sub");
	CHECK(l.hier[l.ctrl[NS_CGROUP_MEMORY]].v2);
	CHECK(l.hier[l.ctrl[NS_CGROUP_PIDS]].v2);		     /* v1 lacks it: v2's */
	CHECK_INT(l.ctrl[NS_CGROUP_CPUACCT], l.ctrl[NS_CGROUP_CPU]); /* v1's, not v2's */
	/* Our cgroup outside the mounted subtree is not visible. */
	CHECK_OK(ns_cgroup_layout_parse(mi, "2:cpu,cpuacct:/other\n", &l, &err), &err);
	CHECK(!l.hier[l.ctrl[NS_CGROUP_CPU]].own_visible);
	return 0;
}

static int test_layout_none(void)
{
	struct ns_cgroup_layout l;
	struct ns_err err;
	CHECK_OK(ns_cgroup_layout_parse("22 1 0:21 / / rw - ext4 /dev/vda rw\ngarbage\n\n", "", &l,
					&err),
		 &err);
	CHECK_FAIL(ns_cgroup_layout_finish(&l, NULL, &err), &err, "no cgroup file system");
	CHECK_INT(err.errnum, ENOENT);
	/* A v1 hierarchy of no controller of ours (net_cls) counts as none. */
	CHECK_OK(
	    ns_cgroup_layout_parse("1 0 0:1 / /n rw - cgroup cgroup rw,net_cls\n", "", &l, &err),
	    &err);
	CHECK_FAIL(ns_cgroup_layout_finish(&l, NULL, &err), &err, "no cgroup file system");
	/* Lines cut short after the separator (found by fuzz_cgroup) are skipped. */
	CHECK_OK(ns_cgroup_layout_parse("1 0 0:1 / /m rw - cgroup cgroup\n"
					"1 0 0:1 / /n rw - cgroup\n1 0 0:1 / /o rw -\n",
					"", &l, &err),
		 &err);
	CHECK_INT(l.nhier, 0);
	return 0;
}

static int test_attr_check(void)
{
	CHECK(!ns_cgroup_attr_check("memory", "memory.high"));
	CHECK(!ns_cgroup_attr_check("memory", "memory.oom.group"));
	CHECK(!ns_cgroup_attr_check("cpu", "cpu.idle"));
	CHECK(!ns_cgroup_attr_check("cpu", "cpuset.cpus"));
	CHECK(!ns_cgroup_attr_check("cpu", "cpuacct.usage"));
	CHECK(!ns_cgroup_attr_check("blkio", "io.max"));
	CHECK(!ns_cgroup_attr_check("blkio", "blkio.weight"));
	static const struct {
		const char *section, *key, *needle;
	} bad[] = {
	    {"memory", "cgroup.procs", "core file"},
	    {"cpu", "cgroup.subtree_control", "core file"},
	    {"cpu", "cgroup.type", "core file"},
	    {"memory", "cgroup.event_control", "core file"},
	    {"memory", "tasks", "core file"},
	    {"memory", "release_agent", "core file"},
	    {"memory", "notify_on_release", "core file"},
	    {"memory", "../../cgroup.procs", "must not start with '.'"},
	    {"memory", "memory.x/../../cgroup.procs", "[0-9A-Za-z._-]"},
	    {"memory", "memory.high/x", "[0-9A-Za-z._-]"},
	    {"memory", ".memory", "must not start with '.'"},
	    {"memory", "", "1 to 255 bytes"},
	    {"memory", "cpu.shares", "not a file of the memory controller"},
	    {"cpu", "memory.max", "cpu, cpuacct or cpuset"},
	    {"blkio", "memory.max", "blkio or io"},
	    {"cpu", "cpu.", "cpu, cpuacct or cpuset"},
	    {"cpu", "cpuset", "cpu, cpuacct or cpuset"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = ns_cgroup_attr_check(bad[i].section, bad[i].key);
		if (!msg || !strstr(msg, bad[i].needle)) {
			fprintf(stderr, "  %s/%s: %s\n", bad[i].section, bad[i].key,
				msg ? msg : "(accepted)");
			return NS_TEST_FAIL;
		}
	}
	char longkey[300];
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	memcpy(longkey, "memory.", 7);
	CHECK(ns_cgroup_attr_check("memory", longkey) != NULL);
	return 0;
}

static int test_parent_check(void)
{
	CHECK(!ns_cgroup_parent_check("a"));
	CHECK(!ns_cgroup_parent_check("cpu-intense/sub.d"));
	CHECK(!ns_cgroup_parent_check("northstard@x")); /* only the exact leaf is taken */
	static const char *const bad[] = {
	    "",	  "/a",	 "a/../b", "..",	  "a/..",	   "a//b",
	    "a/", "./a", "a/./b",  "@northstard", "@northstard/x", "a\nb"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!ns_cgroup_parent_check(bad[i])) {
			fprintf(stderr, "  parent '%s' accepted\n", bad[i]);
			return NS_TEST_FAIL;
		}
	char comp[300];
	memset(comp, 'x', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	CHECK(ns_cgroup_parent_check(comp) != NULL);
	comp[255] = '\0';
	CHECK(!ns_cgroup_parent_check(comp));
	return 0;
}

static int test_memory_events(void)
{
	struct ns_cgroup_memory_events ev;
	CHECK_INT(ns_cgroup_memory_events_parse("low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\n"
						"oom_group_kill 6\nsock_throttled 9\n",
						&ev),
		  0);
	CHECK(ev.has_low && ev.has_high && ev.has_max && ev.has_oom && ev.has_oom_kill &&
	      ev.has_oom_group_kill);
	CHECK_INT(ev.low, 1);
	CHECK_INT(ev.high, 2);
	CHECK_INT(ev.max, 3);
	CHECK_INT(ev.oom, 4);
	CHECK_INT(ev.oom_kill, 5);
	CHECK_INT(ev.oom_group_kill, 6);
	/* Older kernels: no oom_group_kill; unknown and malformed lines are skipped. */
	CHECK_INT(ns_cgroup_memory_events_parse(
		      "future_key 12\nlow 0\nhigh\noom x\nmax 18446744073709551615\n"
		      "oom_kill 7 extra\n\nweird\n",
		      &ev),
		  0);
	CHECK(ev.has_low && !ev.has_high && !ev.has_oom && !ev.has_oom_kill &&
	      !ev.has_oom_group_kill);
	CHECK(ev.has_max);
	CHECK(ev.max == UINT64_MAX);
	CHECK_INT(ns_cgroup_memory_events_parse("", &ev), 0);
	CHECK(!ev.has_low && !ev.has_max);
	CHECK_INT(ns_cgroup_memory_events_parse("oom 3", &ev), 0); /* no final newline */
	CHECK(ev.has_oom && ev.oom == 3);
	return 0;
}

/* --- plans ------------------------------------------------------------------------ */
struct planned {
	struct ns_manifest m;
	struct ns_cgroup_plan p;
	struct ns_cgroup_notes notes;
	struct ns_err err;
};

static void caps_all(struct ns_cgroup_caps *caps, bool v2)
{
	for (int c = 0; c < NS_CGROUP_NCTRL; c++) {
		caps->present[c] = true;
		caps->v2[c] = v2;
	}
}

/* Parses a manifest whose cgroups section is `cg` and builds the plan. */
static int plan(struct planned *x, const char *cg, const struct ns_cgroup_caps *caps)
{
	char text[4096];
	memset(x, 0, sizeof(*x));
	snprintf(text, sizeof(text),
		 "name: eater\nversion: 0.0.1\ninit: /eater\nuid: 1\ngid: 1\ncgroups:\n%s", cg);
	if (ns_manifest_parse("test.yaml", text, strlen(text), &x->m, &x->err) < 0) {
		fprintf(stderr, "  manifest: %s\n", x->err.msg);
		return -1;
	}
	return ns_cgroup_plan_build(&x->m.cgroups, caps, &x->p, &x->notes, &x->err);
}

static void planned_free(struct planned *x)
{
	ns_cgroup_plan_free(&x->p);
	ns_manifest_free(&x->m);
}

/* "file=value" of every write, joined by '|'. */
static const char *writes(const struct planned *x)
{
	static char buf[4096];
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < x->p.n; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s=%s", i ? "|" : "",
					x->p.w[i].file, x->p.w[i].value);
	return buf;
}

static bool noted(const struct planned *x, const char *needle)
{
	for (size_t i = 0; i < x->notes.n; i++)
		if (strstr(x->notes.line[i], needle))
			return true;
	return false;
}

static const char full[] =
    "  memory: {memory_hard_limit: 33554432, memory_soft_limit: 16777216,\n"
    "           memory_swap_limit: 67108864, swappiness: 10, kernel_memory_limit: 1048576,\n"
    "           kernel_tcp_memory_limit: -1, attrs: {memory.oom.group: '1'}}\n"
    "  cpu: {shares: 512, quota: 20000, period: 100000, cpus: 0-1, mems: '0',\n"
    "        realtime_runtime: 950, realtime_period: 1000}\n"
    "  blkio: {weight: 100, leaf_weight: 200,\n"
    "          weight_device: [{major: 8, minor: 0, weight: 500, leaf_weight: 50}],\n"
    "          throttle_read_bps_device: [{major: 7, minor: 0, rate: 1048576}],\n"
    "          throttle_read_iops_device: [],\n"
    "          throttle_write_bps_device: [{major: 7, minor: 0, rate: 0}],\n"
    "          throttle_write_iops_device: [{major: 7, minor: 1, rate: 100}]}\n";

static int test_plan_v1(void)
{
	struct ns_cgroup_caps caps;
	struct planned x;
	caps_all(&caps, false);
	CHECK_OK(plan(&x, full, &caps), &x.err);
	CHECK_STR(writes(&x),
		  "memory.limit_in_bytes=33554432|memory.soft_limit_in_bytes=16777216|"
		  "memory.memsw.limit_in_bytes=67108864|memory.swappiness=10|"
		  "memory.kmem.limit_in_bytes=1048576|memory.kmem.tcp.limit_in_bytes=-1|"
		  "memory.oom.group=1|cpu.shares=512|cpu.cfs_period_us=100000|"
		  "cpu.cfs_quota_us=20000|cpu.rt_period_us=1000|cpu.rt_runtime_us=950|"
		  "cpuset.cpus=0-1|cpuset.mems=0|blkio.weight=100|blkio.leaf_weight=200|"
		  "blkio.weight_device=8:0 500|blkio.leaf_weight_device=8:0 50|"
		  "blkio.throttle.read_bps_device=7:0 1048576|"
		  "blkio.throttle.write_bps_device=7:0 0|"
		  "blkio.throttle.write_iops_device=7:1 100");
	CHECK_STR(x.p.w[14].alt_file, "blkio.bfq.weight");
	CHECK_STR(x.p.w[14].alt_value, "100");
	CHECK_STR(x.p.w[16].alt_file, "blkio.bfq.weight_device");
	CHECK(x.p.w[4].flags & NS_CGW_KMEM);
	CHECK_INT(x.p.w[0].ctrl, NS_CGROUP_MEMORY);
	CHECK_INT(x.p.w[12].ctrl, NS_CGROUP_CPUSET);
	CHECK_INT(x.notes.n, 0);
	planned_free(&x);
	return 0;
}

static int test_plan_v2(void)
{
	struct ns_cgroup_caps caps;
	struct planned x;
	caps_all(&caps, true);
	CHECK_OK(plan(&x, full, &caps), &x.err);
	CHECK_STR(writes(&x), "memory.max=33554432|memory.low=16777216|memory.swap.max=33554432|"
			      "memory.oom.group=1|cpu.weight=20|cpu.max=20000 100000|"
			      "cpuset.cpus=0-1|cpuset.mems=0|io.weight=default 910|"
			      "io.weight=8:0 4950|io.max=7:0 rbps=1048576|io.max=7:0 wbps=max|"
			      "io.max=7:1 wiops=100");
	CHECK_STR(x.p.w[8].alt_file, "io.bfq.weight");
	CHECK_STR(x.p.w[8].alt_value, "100");
	CHECK_STR(x.p.w[9].alt_value, "8:0 500");
	CHECK(noted(&x, "swappiness ignored"));
	CHECK(noted(&x, "kernel_memory_limit ignored"));
	CHECK(noted(&x, "kernel_tcp_memory_limit ignored"));
	CHECK(noted(&x, "realtime_runtime and realtime_period ignored"));
	CHECK(noted(&x, "blkio.leaf_weight ignored"));
	CHECK(noted(&x, "blkio.weight_device.leaf_weight ignored"));
	/* Never swappiness in memory.swap.max (Northstar's defect). */
	CHECK(!strstr(writes(&x), "swap.max=10"));
	planned_free(&x);
	return 0;
}

static int test_plan_edges(void)
{
	struct ns_cgroup_caps caps;
	struct planned x;
	caps_all(&caps, true);
	/* Unlimited values, a quota of 0, no period, swap without a hard limit. */
	CHECK_OK(plan(&x,
		      "  memory: {memory_hard_limit: -1, memory_soft_limit: -1, memory_swap_limit: "
		      "1000}\n"
		      "  cpu: {quota: 0}\n",
		      &caps),
		 &x.err);
	CHECK_STR(writes(&x), "memory.max=max|memory.low=max|memory.swap.max=1000|cpu.max=max");
	CHECK(noted(&x, "without memory_hard_limit"));
	planned_free(&x);
	CHECK_OK(plan(&x,
		      "  memory: {memory_hard_limit: 100, memory_swap_limit: -1}\n  cpu: {period: "
		      "5000}\n",
		      &caps),
		 &x.err);
	CHECK_STR(writes(&x), "memory.max=100|memory.swap.max=max|cpu.max=max 5000");
	planned_free(&x);
	caps_all(&caps, false);
	CHECK_OK(plan(&x,
		      "  memory: {memory_hard_limit: -1, memory_swap_limit: -1}\n"
		      "  cpu: {quota: -5, period: 0, realtime_period: 0}\n",
		      &caps),
		 &x.err);
	CHECK_STR(writes(&x), "memory.limit_in_bytes=-1|memory.memsw.limit_in_bytes=-1|"
			      "cpu.cfs_quota_us=-1");
	CHECK(noted(&x, "cpu.period 0 ignored"));
	CHECK(noted(&x, "realtime_period 0 ignored"));
	planned_free(&x);
	/* Controllers the kernel lacks are noted, nothing is written. */
	memset(&caps, 0, sizeof(caps));
	CHECK_OK(plan(&x, full, &caps), &x.err);
	CHECK_INT(x.p.n, 0);
	CHECK(noted(&x, "no memory controller"));
	CHECK(noted(&x, "no cpu controller"));
	CHECK(noted(&x, "no cpuset controller"));
	CHECK(noted(&x, "no blkio/io controller"));
	planned_free(&x);
	/* No cgroups section: an empty plan. */
	CHECK_OK(ns_cgroup_plan_build(NULL, &caps, &x.p, &x.notes, &x.err), &x.err);
	CHECK_INT(x.p.n, 0);
	return 0;
}

static int test_plan_refusals(void)
{
	static const struct {
		const char *cg, *needle;
	} bad[] = {
	    {"  memory: {memory_hard_limit: -2}\n", "memory_hard_limit: -2 is neither -1"},
	    {"  memory: {memory_soft_limit: -100}\n", "memory_soft_limit: -100"},
	    {"  memory: {memory_hard_limit: 200, memory_swap_limit: 100}\n",
	     "100 (memory + swap) is below memory_hard_limit 200"},
	    {"  memory: {kernel_memory_limit: -3}\n", "kernel_memory_limit: -3"},
	    {"  cpu: {realtime_runtime: -2}\n", "realtime_runtime: -2"},
	    {"  memory: {attrs: {cpu.shares: '2'}}\n", "not a file of the memory controller"},
	    {"  cpu: {attrs: {memory.max: '2'}}\n", "not a file of the cpu, cpuacct or cpuset"},
	    {"  blkio: {weight: 5, weight_device: [], throttle_read_bps_device: [],\n"
	     "    throttle_read_iops_device: [], throttle_write_bps_device: [],\n"
	     "    throttle_write_iops_device: []}\n",
	     "blkio.weight: 5 is not in 10..1000"},
	    {"  blkio: {weight_device: [{major: 8, minor: 0, weight: 2000}],\n"
	     "    throttle_read_bps_device: [], throttle_read_iops_device: [],\n"
	     "    throttle_write_bps_device: [], throttle_write_iops_device: []}\n",
	     "weight_device: 2000 is not in 10..1000"},
	    {"  blkio: {weight_device: [], throttle_read_bps_device: [{major: 5000, minor: 0, "
	     "rate: 1}],\n    throttle_read_iops_device: [], throttle_write_bps_device: [],\n"
	     "    throttle_write_iops_device: []}\n",
	     "device 5000:0 is not a device number"},
	};
	struct ns_cgroup_caps caps;
	for (int v2 = 0; v2 < 2; v2++) {
		caps_all(&caps, v2);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct planned x;
			int r = plan(&x, bad[i].cg, &caps);
			if (r >= 0 || !strstr(x.err.msg, bad[i].needle)) {
				fprintf(stderr, "  v%d case %zu: %s\n", v2 + 1, i,
					r >= 0 ? "accepted" : x.err.msg);
				planned_free(&x);
				return NS_TEST_FAIL;
			}
			CHECK_INT(x.p.n, 0);
			planned_free(&x);
		}
	}
	return 0;
}

/* Issue 14: cgroups.pids.max, the same file on both versions. */
static int test_plan_pids(void)
{
	struct ns_cgroup_caps caps;
	struct planned x;
	for (int v2 = 0; v2 < 2; v2++) {
		caps_all(&caps, v2);
		CHECK_OK(plan(&x, "  pids: {max: 100}\n", &caps), &x.err);
		CHECK_STR(writes(&x), "pids.max=100");
		CHECK_INT(x.p.w[0].ctrl, NS_CGROUP_PIDS);
		planned_free(&x);
		CHECK_OK(plan(&x, "  pids: {max: max}\n", &caps), &x.err);
		CHECK_STR(writes(&x), "pids.max=max");
		planned_free(&x);
		/* with the other controllers: pids last */
		CHECK_OK(plan(&x, "  pids: {max: 2}\n  memory: {memory_hard_limit: 100}\n", &caps),
			 &x.err);
		CHECK_STR(writes(&x), v2 ? "memory.max=100|pids.max=2"
					 : "memory.limit_in_bytes=100|pids.max=2");
		planned_free(&x);
		/* `pids: {}`: no write */
		CHECK_OK(plan(&x, "  pids: {}\n", &caps), &x.err);
		CHECK_INT(x.p.n, 0);
		planned_free(&x);
	}
	/* no pids controller: noted, not failed */
	caps_all(&caps, true);
	caps.present[NS_CGROUP_PIDS] = false;
	CHECK_OK(plan(&x, "  pids: {max: 100}\n", &caps), &x.err);
	CHECK_INT(x.p.n, 0);
	CHECK(noted(&x, "cgroups.pids.max ignored: the kernel has no pids controller"));
	planned_free(&x);
	/* a struct filled by hand (the daemon's repository default) is checked again */
	struct ns_cgroups cg = {.present = true, .pids = {.present = true, .has_max = true}};
	struct ns_cgroup_plan p;
	struct ns_err err;
	caps_all(&caps, false);
	for (size_t i = 0; i < 4; i++) {
		static const int64_t badv[] = {0, 1, -2, NS_MANIFEST_PIDS_MAX + 1};
		cg.pids.max = badv[i];
		CHECK_FAIL(ns_cgroup_plan_build(&cg, &caps, &p, NULL, &err), &err,
			   "cgroups.pids.max");
	}
	cg.pids.max = -1;
	CHECK_OK(ns_cgroup_plan_build(&cg, &caps, &p, NULL, &err), &err);
	CHECK_INT(p.n, 1);
	CHECK_STR(p.w[0].value, "max");
	ns_cgroup_plan_free(&p);
	return 0;
}

static int test_notes_overflow(void)
{
	struct ns_cgroup_notes n = {0};
	for (int i = 0; i < NS_CGROUP_NOTES_MAX + 5; i++)
		ns_cgroup_note(&n, "line %d", i);
	CHECK_INT(n.n, NS_CGROUP_NOTES_MAX);
	CHECK_INT(n.dropped, 5);
	CHECK_STR(n.line[0], "line 0");
	ns_cgroup_note(NULL, "ignored");
	return 0;
}

static int test_path_clean(void)
{
	CHECK(ns_cgroup_path_clean_rel("northstar"));
	CHECK(ns_cgroup_path_clean_rel("a/b/c"));
	CHECK(!ns_cgroup_path_clean_rel(""));
	CHECK(!ns_cgroup_path_clean_rel("/northstar"));
	CHECK(!ns_cgroup_path_clean_rel("a/"));
	CHECK(!ns_cgroup_path_clean_rel("a/\x01"));
	return 0;
}

NS_TEST_MAIN(T(test_shares_to_weight), T(test_blkio_weight), T(test_layout_hybrid),
	     T(test_layout_comounted), T(test_layout_v2), T(test_layout_mixed), T(test_layout_none),
	     T(test_attr_check), T(test_parent_check), T(test_memory_events), T(test_plan_v1),
	     T(test_plan_v2), T(test_plan_edges), T(test_plan_refusals), T(test_plan_pids),
	     T(test_notes_overflow), T(test_path_clean))

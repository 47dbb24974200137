/* The manifest parser: fields, types, defaults and Northstar's own unit tests
 * (spec tests-and-security §6). Rejections: test_manifest_rules.c and the corpus in
 * tests/manifest/bad; serialization: test_manifest_emit.c. */
#include <errno.h>
#include <stdlib.h>

#include "libns/console_msg.h"
#include "libns/jsonstrict.h"
#include "libns/manifest.h"
#include "testlib.h"

#define HEAD "name: hello\nversion: 0.0.0\ninit: /binary\nuid: 1000\ngid: 1001\n"

static int parse(const char *text, struct ns_manifest *m, struct ns_err *err)
{
	return ns_manifest_parse("manifest.yaml", text, strlen(text), m, err);
}

static const struct ns_mount *mount_at(const struct ns_manifest *m, const char *target)
{
	for (size_t i = 0; i < m->nmounts; i++)
		if (!strcmp(m->mounts[i].target, target))
			return &m->mounts[i];
	return NULL;
}

static const char *env_get(const struct ns_manifest *m, const char *key)
{
	for (size_t i = 0; i < m->nenv; i++)
		if (!strcmp(m->env[i].key, key))
			return m->env[i].value;
	return NULL;
}

static int test_minimal_and_defaults(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse("name: hello\nversion: 0.0.1\nuid: 1\ngid: 2\n", &m, &err), &err);
	CHECK_STR(m.name, "hello");
	CHECK(m.version.major == 0 && m.version.minor == 0 && m.version.patch == 1);
	CHECK_INT(m.uid, 1);
	CHECK_INT(m.gid, 2);
	CHECK(m.init == NULL && ns_manifest_is_resource(&m));
	CHECK_INT(m.nargs, 0);
	CHECK_INT(m.nenv, 0);
	CHECK(!m.console.present);
	CHECK_INT(m.sched.policy, NS_SCHED_NONE);
	CHECK_INT(m.nmounts, 0);
	CHECK_INT(m.autostart, NS_AUTOSTART_NONE);
	CHECK(!m.cgroups.present);
	CHECK_INT(m.network.mode, NS_NET_NEW); /* absent: a new network namespace */
	CHECK(!m.seccomp.present);
	CHECK(!m.selinux.present);
	CHECK(m.capabilities == 0);
	CHECK_INT(m.nsuppl_groups, 0);
	CHECK_INT(m.nrlimits, 0);
	CHECK_INT(m.nsockets, 0);
	CHECK(!m.io.present);
	CHECK(m.custom == NULL);
	ns_manifest_free(&m);
	return 0;
}

/* Northstar's manifest/test.rs "parse" case. */
static const char full_manifest[] =
    "name: hello\n"
    "version: 0.0.0\n"
    "init: /binary\n"
    "args:\n  - one\n  - two\n"
    "env:\n  LD_LIBRARY_PATH: /lib\n"
    "uid: 1000\n"
    "gid: 1001\n"
    "sched:\n  policy: !other\n    nice: 10\n"
    "suppl_groups:\n  - inet\n  - log\n"
    "capabilities:\n  - CAP_NET_RAW\n  - CAP_MKNOD\n  - CAP_SYS_TIME\n"
    "rlimits:\n  nproc:\n    soft: 1000\n    hard: 1000\n"
    "mounts:\n"
    "  /dev:\n    type: dev\n"
    "  /tmp:\n    type: tmpfs\n    size: 42\n"
    "  /lib:\n    type: bind\n    host: /lib\n    options: rw\n"
    "  /data:\n    type: persist\n"
    "  /resource:\n    type: resource\n    name: bla-blah.foo\n    version: '>=1.0.0'\n"
    "    dir: /bin/foo\n    options: noexec\n"
    "autostart: critical\n"
    "seccomp:\n  allow:\n    fork: any\n    waitpid: any\n"
    "sockets:\n"
    "  foo:\n    type: stream\n    mode: 0o600\n    uid: 100\n    gid: 1000\n"
    "  bar:\n    type: datagram\n    mode: 0o600\n    uid: 100\n    gid: 1000\n"
    "  baz:\n    type: seq_packet\n    mode: 0o600\n    uid: 100\n    gid: 1000\n"
    "cgroups:\n"
    "  memory:\n    oom_monitor: true\n    memory_hard_limit: 1000000\n"
    "    memory_soft_limit: 1000000\n    swappiness: 0\n    attrs: {}\n"
    "  cpu:\n    cpus: 0,1\n    shares: 1024\n    attrs: {}\n";

static int test_full_manifest(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(full_manifest, &m, &err), &err);
	CHECK_STR(m.init, "/binary");
	CHECK_STR(m.name, "hello");
	CHECK_INT(m.nargs, 2);
	CHECK_STR(m.args[0], "one");
	CHECK_STR(m.args[1], "two");
	CHECK_INT(m.autostart, NS_AUTOSTART_CRITICAL);
	CHECK_STR(env_get(&m, "LD_LIBRARY_PATH"), "/lib");
	CHECK_INT(m.uid, 1000);
	CHECK_INT(m.gid, 1001);
	CHECK_INT(m.sched.policy, NS_SCHED_OTHER);
	CHECK_INT(m.sched.nice, 10);

	CHECK_INT(m.nmounts, 5);
	/* sorted by target */
	CHECK_STR(m.mounts[0].target, "/data");
	CHECK_STR(m.mounts[4].target, "/tmp");
	const struct ns_mount *lib = mount_at(&m, "/lib");
	CHECK(lib && lib->type == NS_MOUNT_BIND);
	CHECK_STR(lib->host, "/lib");
	CHECK_INT(lib->options, NS_MOPT_RW);
	CHECK_INT(mount_at(&m, "/data")->type, NS_MOUNT_PERSIST);
	CHECK_INT(mount_at(&m, "/dev")->type, NS_MOUNT_DEV);
	const struct ns_mount *res = mount_at(&m, "/resource");
	CHECK(res && res->type == NS_MOUNT_RESOURCE);
	CHECK_STR(res->name, "bla-blah.foo");
	CHECK_STR(res->version_req, ">=1.0.0");
	CHECK_STR(res->dir, "/bin/foo");
	CHECK_INT(res->options, NS_MOPT_NOEXEC);
	struct ns_version v = {1, 0, 0};
	CHECK(ns_version_req_matches(&res->req, &v));
	v.major = 0;
	CHECK(!ns_version_req_matches(&res->req, &v));
	CHECK_INT(mount_at(&m, "/tmp")->size, 42);

	CHECK(m.seccomp.present && !m.seccomp.profile_default && m.seccomp.has_allow);
	CHECK_INT(m.seccomp.nallow, 2);
	CHECK_STR(m.seccomp.allow[0].syscall, "fork");
	CHECK(m.seccomp.allow[0].any);
	CHECK_STR(m.seccomp.allow[1].syscall, "waitpid");

	unsigned raw, mknod, time_;
	CHECK_INT(ns_cap_parse("CAP_NET_RAW", &raw), 0);
	CHECK_INT(ns_cap_parse("CAP_MKNOD", &mknod), 0);
	CHECK_INT(ns_cap_parse("CAP_SYS_TIME", &time_), 0);
	CHECK(m.capabilities == ((1ull << raw) | (1ull << mknod) | (1ull << time_)));
	CHECK_INT(raw, 13);
	CHECK_INT(mknod, 27);

	CHECK_INT(m.nsuppl_groups, 2);
	CHECK_STR(m.suppl_groups[0], "inet");
	CHECK_STR(m.suppl_groups[1], "log");

	CHECK_INT(m.nrlimits, 1);
	CHECK_INT(m.rlimits[0].res, NS_RLIMIT_NPROC);
	CHECK(m.rlimits[0].has_soft && m.rlimits[0].soft == 1000);
	CHECK(m.rlimits[0].has_hard && m.rlimits[0].hard == 1000);

	CHECK_INT(m.nsockets, 3);
	CHECK_STR(m.sockets[0].name, "bar"); /* sorted by name */
	CHECK_INT(m.sockets[0].type, NS_SOCK_DATAGRAM);
	CHECK_STR(m.sockets[1].name, "baz");
	CHECK_INT(m.sockets[1].type, NS_SOCK_SEQPACKET);
	CHECK_STR(m.sockets[2].name, "foo");
	CHECK_INT(m.sockets[2].type, NS_SOCK_STREAM);
	CHECK_INT(m.sockets[2].mode, 0600);
	CHECK(m.sockets[2].has_uid && m.sockets[2].uid == 100);
	CHECK(m.sockets[2].has_gid && m.sockets[2].gid == 1000);
	CHECK(!m.sockets[2].has_passcred);

	CHECK(m.cgroups.present && m.cgroups.parent == NULL);
	CHECK(m.cgroups.memory.present && m.cgroups.memory.oom_monitor);
	CHECK(m.cgroups.memory.has_hard_limit && m.cgroups.memory.hard_limit == 1000000);
	CHECK(m.cgroups.memory.has_soft_limit && m.cgroups.memory.soft_limit == 1000000);
	CHECK(m.cgroups.memory.has_swappiness && m.cgroups.memory.swappiness == 0);
	CHECK(!m.cgroups.memory.has_kernel_limit);
	CHECK(m.cgroups.cpu.present);
	CHECK_STR(m.cgroups.cpu.cpus, "0,1");
	CHECK(m.cgroups.cpu.has_shares && m.cgroups.cpu.shares == 1024);
	CHECK(!m.cgroups.blkio.present);
	ns_manifest_free(&m);
	return 0;
}

/* Any scalar is text for plain string fields: `THREADS: 4` is "4". */
static int test_scalars_as_text(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD "args: [1, true, ~, 0x1f, 1.5, '']\n"
			    "env:\n  THREADS: 4\n  ON: yes\n  OCT: 0777\n  EMPTY:\n  NUL: ~\n"
			    "suppl_groups: [123, 'true']\n",
		       &m, &err),
		 &err);
	CHECK_INT(m.nargs, 6);
	CHECK_STR(m.args[0], "1");
	CHECK_STR(m.args[1], "true");
	CHECK_STR(m.args[2], "~");
	CHECK_STR(m.args[3], "0x1f");
	CHECK_STR(m.args[4], "1.5");
	CHECK_STR(m.args[5], "");
	CHECK_STR(env_get(&m, "THREADS"), "4");
	CHECK_STR(env_get(&m, "ON"), "yes");
	CHECK_STR(env_get(&m, "OCT"), "0777");
	CHECK_STR(env_get(&m, "EMPTY"), "");
	CHECK_STR(env_get(&m, "NUL"), "~");
	CHECK_STR(m.suppl_groups[0], "123");
	ns_manifest_free(&m);
	return 0;
}

/* YAML 1.2 integers as serde_yaml reads them. */
static int test_integer_syntax(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse("name: a\nversion: 1.0.0\nuid: 0x3e8\ngid: +5\n"
		       "sockets:\n  s:\n    type: stream\n    mode: 0o666\n"
		       "  t:\n    type: stream\n    mode: 0b101\n",
		       &m, &err),
		 &err);
	CHECK_INT(m.uid, 1000);
	CHECK_INT(m.gid, 5);
	CHECK_INT(m.sockets[0].mode, 0666);
	CHECK_INT(m.sockets[1].mode, 5);
	ns_manifest_free(&m);
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: 0777\ngid: 1\n", &m, &err), &err,
		   "manifest.yaml:3:6: uid: expected u16, found the string '0777'");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: '5'\ngid: 1\n", &m, &err), &err,
		   "uid: expected u16, found the string '5'");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: 5.0\ngid: 1\n", &m, &err), &err,
		   "uid: expected u16, found a float '5.0'");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: yes\ngid: 1\n", &m, &err), &err,
		   "uid: expected u16, found the string 'yes'");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: true\ngid: 1\n", &m, &err), &err,
		   "uid: expected u16, found a boolean 'true'");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: 65536\ngid: 1\n", &m, &err), &err,
		   "uid: integer '65536' out of range for u16");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: -1\ngid: 1\n", &m, &err), &err,
		   "uid: integer '-1' out of range for u16");
	CHECK_FAIL(parse("name: a\nversion: 1.0.0\nuid: 1\ngid: ~\n", &m, &err), &err,
		   "gid: expected u16, found null");
	CHECK_OK(parse("name: a\nversion: 1.0.0\nuid: !!int 7\ngid: 65535\n", &m, &err), &err);
	CHECK_INT(m.uid, 7);
	CHECK_INT(m.gid, 65535);
	ns_manifest_free(&m);
	return 0;
}

static int test_version_field(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse("name: a\nversion: 1.2.3-rc.1+b7\nuid: 1\ngid: 1\n", &m, &err), &err);
	CHECK(m.version.major == 1 && m.version.minor == 2 && m.version.patch == 3);
	ns_manifest_free(&m);
	CHECK_FAIL(parse("name: a\nversion: 1.0\nuid: 1\ngid: 1\n", &m, &err), &err,
		   "manifest.yaml:2:10: version: invalid version '1.0'");
	CHECK_FAIL(parse("name: a\nversion: v1.0.0\nuid: 1\ngid: 1\n", &m, &err), &err,
		   "version: invalid version 'v1.0.0'");
	return 0;
}

/* Northstar's console.rs tests. */
static int test_console(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD "console:\n    permissions: full\n", &m, &err), &err);
	CHECK(m.console.present && m.console.full);
	CHECK_INT(m.console.perms, NS_PERM_FULL);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD, &m, &err), &err);
	CHECK(!m.console.present);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "console:\n  permissions:\n    - shutdown\n    - start\n", &m, &err),
		 &err);
	CHECK(m.console.present && !m.console.full);
	CHECK_INT(m.console.perms, (1u << NS_PERM_SHUTDOWN) | (1u << NS_PERM_START));
	ns_manifest_free(&m);
	/* repeated names are fine; " full " is trimmed; an empty list is a console */
	CHECK_OK(parse(HEAD "console: {permissions: [list, list]}\n", &m, &err), &err);
	CHECK_INT(m.console.perms, 1u << NS_PERM_LIST);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "console: {permissions: ' full '}\n", &m, &err), &err);
	CHECK(m.console.full);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "console: {permissions: []}\n", &m, &err), &err);
	CHECK(m.console.present && m.console.perms == 0);
	ns_manifest_free(&m);
	/* all 15 listed is the same as full */
	CHECK_OK(parse(HEAD "console: {permissions: [ident, inspect, install, kill, list, "
			    "notifications, mount, repositories, shutdown, start, start_command, "
			    "token_create, token_verification, umount, uninstall]}\n",
		       &m, &err),
		 &err);
	CHECK(m.console.full);
	ns_manifest_free(&m);
	for (unsigned p = 0; p < NS_PERM_COUNT; p++) {
		enum ns_perm back;
		CHECK_INT(ns_perm_parse(ns_perm_name(p), &back), 0);
		CHECK_INT(back, p);
	}
	return 0;
}

/* Northstar's sched.rs tests, with round_robin accepted in 1..99. */
static int test_sched(void)
{
	struct ns_manifest m;
	struct ns_err err;
	static const struct {
		const char *yaml;
		enum ns_sched_policy policy;
		int nice;
		unsigned priority;
	} ok[] = {
	    {"policy:\n    !other\n      nice: 0", NS_SCHED_OTHER, 0, 0},
	    {"policy: !other\n    nice: 10", NS_SCHED_OTHER, 10, 0},
	    {"policy: !other {nice: -20}", NS_SCHED_OTHER, -20, 0},
	    {"policy: !batch\n    nice: 19", NS_SCHED_BATCH, 19, 0},
	    {"policy: !fifo\n    priority: 10", NS_SCHED_FIFO, 0, 10},
	    {"policy: !fifo\n    priority: 99", NS_SCHED_FIFO, 0, 99},
	    {"policy: !round_robin\n    priority: 1", NS_SCHED_RR, 0, 1},
	    {"policy: !round_robin\n    priority: 99", NS_SCHED_RR, 0, 99},
	    {"policy: idle", NS_SCHED_IDLE, 0, 0},
	    {"policy: deadline", NS_SCHED_DEADLINE, 0, 0},
	    {"policy: !idle", NS_SCHED_IDLE, 0, 0},
	    /* Sched and its variants have no deny_unknown_fields */
	    {"policy: idle\n  extra: 1", NS_SCHED_IDLE, 0, 0},
	    {"policy: !fifo {priority: 5, other: x}", NS_SCHED_FIFO, 0, 5},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), HEAD "sched:\n  %s\n", ok[i].yaml);
		CHECK_OK(parse(text, &m, &err), &err);
		CHECK_INT(m.sched.policy, ok[i].policy);
		CHECK_INT(m.sched.nice, ok[i].nice);
		CHECK_INT(m.sched.priority, ok[i].priority);
		ns_manifest_free(&m);
	}
	return 0;
}

static int test_network_autostart_io(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD "network: host\nautostart: relaxed\nio:\n  stdout: inherit\n"
			    "  stderr: discard\n",
		       &m, &err),
		 &err);
	CHECK_INT(m.network.mode, NS_NET_HOST);
	CHECK_INT(m.autostart, NS_AUTOSTART_RELAXED);
	CHECK(m.io.present && m.io.out == NS_IO_INHERIT && m.io.err == NS_IO_DISCARD);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "network: !namespace container\nautostart: ~\nio: null\n", &m, &err),
		 &err);
	CHECK_INT(m.network.mode, NS_NET_NAMESPACE);
	CHECK_STR(m.network.netns, "container");
	CHECK_INT(m.autostart, NS_AUTOSTART_NONE);
	CHECK(!m.io.present);
	ns_manifest_free(&m);
	return 0;
}

/* Northstar's selinux.rs tests. */
static int test_selinux(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD "selinux:\n  mount_context: system_u:object_r:container_file_t:s0\n",
		       &m, &err),
		 &err);
	CHECK(m.selinux.present);
	CHECK_STR(m.selinux.mount_context, "system_u:object_r:container_file_t:s0");
	CHECK(m.selinux.exec == NULL);
	ns_manifest_free(&m);
	CHECK_FAIL(parse(HEAD "selinux:\n  mount_context: fo@o\n", &m, &err), &err,
		   "manifest.yaml:7:18: selinux.mount_context: SELinux context must consist of "
		   "alphanumeric ASCII characters, ':' or '_'");
	CHECK_FAIL(parse(HEAD "selinux:\n  exec: 'a b'\n", &m, &err), &err,
		   "selinux.exec: SELinux context must consist of");
	CHECK_FAIL(parse(HEAD "selinux:\n  exec: ''\n", &m, &err), &err,
		   "selinux.exec: SELinux context is empty");
	CHECK_FAIL(parse(HEAD "selinux:\n  exec: s0-s0:c0.c1023\n", &m, &err), &err,
		   "selinux.exec: SELinux context must consist of");
	CHECK_FAIL(parse(HEAD "selinux:\n  context: a\n", &m, &err), &err,
		   "manifest.yaml:7:3: selinux: unknown field 'context', expected one of: "
		   "mount_context, exec");
	/* Northstar's own test used `selinux_context: fo@o`: an unknown top-level field */
	CHECK_FAIL(parse(HEAD "selinux_context: fo@o\n", &m, &err), &err,
		   "manifest.yaml:6:1: unknown field 'selinux_context'");
	return 0;
}

static int test_rlimits(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD "rlimits:\n  stack: {soft: 8388608}\n  as: {hard: ~}\n"
			    "  nofile: {soft: 10, hard: 20, other: x}\n  rttime: {}\n",
		       &m, &err),
		 &err);
	CHECK_INT(m.nrlimits, 4);
	CHECK_INT(m.rlimits[0].res, NS_RLIMIT_AS); /* sorted by resource */
	CHECK(!m.rlimits[0].has_soft && !m.rlimits[0].has_hard);
	CHECK_INT(m.rlimits[1].res, NS_RLIMIT_NOFILE);
	CHECK(m.rlimits[1].soft == 10 && m.rlimits[1].hard == 20);
	CHECK_INT(m.rlimits[2].res, NS_RLIMIT_RTTIME);
	CHECK_INT(m.rlimits[3].res, NS_RLIMIT_STACK);
	CHECK(m.rlimits[3].has_soft && !m.rlimits[3].has_hard);
	ns_manifest_free(&m);
	for (unsigned r = 0; r < NS_RLIMIT_COUNT; r++) {
		char text[256];
		snprintf(text, sizeof(text), HEAD "rlimits:\n  %s: {soft: 1}\n", ns_rlimit_name(r));
		CHECK_OK(parse(text, &m, &err), &err);
		CHECK_INT(m.rlimits[0].res, r);
		CHECK(ns_rlimit_resource(r) >= 0);
		ns_manifest_free(&m);
	}
	return 0;
}

static int test_capability_names(void)
{
	unsigned cap;
	CHECK_STR(ns_cap_name(0), "CAP_CHOWN");
	CHECK_STR(ns_cap_name(27), "CAP_MKNOD");
	CHECK_STR(ns_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	CHECK(ns_cap_name(41) == NULL);
	for (unsigned i = 0; i < NS_CAP_COUNT; i++) {
		CHECK_INT(ns_cap_parse(ns_cap_name(i), &cap), 0);
		CHECK_INT(cap, i);
	}
	CHECK_INT(ns_cap_parse("cap_chown", &cap), -EINVAL); /* exact identifiers only */
	CHECK_INT(ns_cap_parse("CHOWN", &cap), -EINVAL);
	return 0;
}

/* Northstar's tmpfs test: humanize-rs sizes are decimal SI. */
static int test_tmpfs_sizes(void)
{
	static const struct {
		const char *size;
		uint64_t bytes;
	} rows[] = {
	    {"100", 100},
	    {"100kB", 100000},
	    {"100MB", 100000000},
	    {"100GB", 100000000000ull},
	    {"'100'", 100},
	    {"10M", 10000000},
	    {"1 GiB", 1ull << 30},
	    {"1KiB", 1024},
	    {"2ki", 2048},
	    {"5b", 5},
	    {"5 B", 5},
	    {"3TB", 3000000000000ull},
	    {"1tib", 1ull << 40},
	    {"1PB", 1000000000000000ull},
	    {"1Pi", 1ull << 50},
	    {"2EB", 2000000000000000000ull},
	    {"15EiB", 15ull << 60},
	    {"0x10", 16},
	    {"'  7 mb  '", 7000000},
	};
	struct ns_manifest m;
	struct ns_err err;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), HEAD "mounts:\n  /t:\n    type: tmpfs\n    size: %s\n",
			 rows[i].size);
		CHECK_OK(parse(text, &m, &err), &err);
		if (m.mounts[0].size != rows[i].bytes) {
			fprintf(stderr, "  %s -> %llu\n", rows[i].size,
				(unsigned long long)m.mounts[0].size);
			return NS_TEST_FAIL;
		}
		ns_manifest_free(&m);
	}
	return 0;
}

static int test_mount_types(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD
		       "mounts:\n"
		       "  /a: {type: bind, host: /x, options: ' rw , nosuid,nodev,noexec,rec'}\n"
		       "  /b: {type: persist}\n"
		       "  /c: {type: proc}\n"
		       "  /d: {type: sysfs}\n"
		       "  /e: {type: resource, name: r, version: '*', dir: /, options: ''}\n"
		       "  /f: {type: tmpfs, size: 1}\n"
		       "  /g: {type: dev}\n"
		       "  /h: {type: sockets, ignored: key}\n",
		       &m, &err),
		 &err);
	CHECK_INT(m.nmounts, 8);
	CHECK_INT(m.mounts[0].type, NS_MOUNT_BIND);
	CHECK_INT(m.mounts[0].options,
		  NS_MOPT_RW | NS_MOPT_NOSUID | NS_MOPT_NODEV | NS_MOPT_NOEXEC | NS_MOPT_REC);
	CHECK_INT(m.mounts[1].type, NS_MOUNT_PERSIST);
	CHECK_INT(m.mounts[2].type, NS_MOUNT_PROC);
	CHECK_INT(m.mounts[3].type, NS_MOUNT_SYSFS);
	CHECK_INT(m.mounts[4].type, NS_MOUNT_RESOURCE);
	CHECK_INT(m.mounts[4].options, 0);
	CHECK_INT(m.mounts[4].req.n, 0);
	CHECK_STR(m.mounts[4].version_req, "*");
	CHECK_INT(m.mounts[5].type, NS_MOUNT_TMPFS);
	CHECK_INT(m.mounts[6].type, NS_MOUNT_DEV);
	CHECK_INT(m.mounts[7].type, NS_MOUNT_SOCKETS);
	for (int t = NS_MOUNT_BIND; t <= NS_MOUNT_SOCKETS; t++)
		CHECK(ns_mount_type_name(t) != NULL);
	ns_manifest_free(&m);
	/* Northstar's mount_resource and resource_absolute cases; rw is allowed */
	CHECK_OK(parse(HEAD "mounts:\n  /foo:\n    type: resource\n    name: foo-bar.qwerty12\n"
			    "    version: '>=0.0.1'\n    dir: /\n    options: rw,noexec,nosuid\n",
		       &m, &err),
		 &err);
	CHECK_INT(m.mounts[0].options, NS_MOPT_RW | NS_MOPT_NOEXEC | NS_MOPT_NOSUID);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "mounts:\n  /resource:\n    type: resource\n    name: bla-blah.foo\n"
			    "    version: '>=1.0.0'\n    dir: /bin/foo\n",
		       &m, &err),
		 &err);
	ns_manifest_free(&m);
	/* dev_minimal */
	CHECK_OK(parse("name: hello\nversion: 0.0.0\ninit: /binary\nuid: 1000\ngid: 1001\n"
		       "mounts:\n  /dev:\n    type: dev",
		       &m, &err),
		 &err);
	ns_manifest_free(&m);
	/* non_overlapping_mount: siblings under /lib are fine */
	CHECK_OK(parse(HEAD "mounts:\n  /other_lib1:\n    type: bind\n    host: /lib\n"
			    "  /lib/non_overlapping1:\n    type: bind\n    host: /lib\n"
			    "  /other_lib2:\n    type: bind\n    host: /lib\n"
			    "  /lib/non_overlapping2:\n    type: bind\n    host: /lib\n"
			    "  /a:\n    type: proc\n  /a-b:\n    type: persist\n",
		       &m, &err),
		 &err);
	ns_manifest_free(&m);
	return 0;
}

static int test_env(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(
	    parse(HEAD "env:\n  PATH: /bin\n  LD_LIBRARY_PATH: /lib\n  PATH: /usr/bin\n", &m, &err),
	    &err);
	CHECK_INT(m.nenv, 2); /* a repeated key keeps the last value */
	CHECK_STR(m.env[0].key, "LD_LIBRARY_PATH");
	CHECK_STR(env_get(&m, "PATH"), "/usr/bin");
	ns_manifest_free(&m);
	/* the reserved names, tested properly (Northstar's own test never reached them) */
	static const char *const reserved[] = {"NORTHSTAR_CONSOLE", "NORTHSTAR_NAME",
					       "NORTHSTAR_CONTAINER", "NORTHSTAR_VERSION",
					       "NORTHSTAR_SOCKET_foo"};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), HEAD "env:\n  %s: x\n", reserved[i]);
		CHECK_FAIL(parse(text, &m, &err), &err, "reserved env variable name");
	}
	CHECK_FAIL(parse(HEAD "env:\n  NORTHSTAR_NAME: a\n", &m, &err), &err,
		   "manifest.yaml:7:3: env.NORTHSTAR_NAME: reserved env variable name");
	return 0;
}

static int test_seccomp(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD
		       "seccomp:\n  profile: default\n  allow:\n"
		       "    delete_module: !args\n      index: 1\n      values: [1, 2]\n"
		       "      mask: 0x06\n    fork: any\n    write: !args {index: 5, mask: 7}\n"
		       "    read: !args {index: 0, values: []}\n    fork: !any\n",
		       &m, &err),
		 &err);
	CHECK(m.seccomp.profile_default && m.seccomp.has_allow);
	CHECK_INT(m.seccomp.nallow, 4);
	const struct ns_seccomp_rule *r = &m.seccomp.allow[0];
	CHECK_STR(r->syscall, "delete_module");
	CHECK(!r->any && r->index == 1 && r->has_values && r->nvalues == 2);
	CHECK(r->values[0] == 1 && r->values[1] == 2 && r->has_mask && r->mask == 6);
	CHECK_STR(m.seccomp.allow[1].syscall, "fork");
	CHECK(m.seccomp.allow[1].any);
	r = &m.seccomp.allow[2];
	CHECK_STR(r->syscall, "read");
	CHECK(r->has_values && r->nvalues == 0 && !r->has_mask);
	r = &m.seccomp.allow[3];
	CHECK_STR(r->syscall, "write");
	CHECK(r->index == 5 && !r->has_values && r->has_mask && r->mask == 7);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "seccomp:\n  allow: {}\n", &m, &err), &err);
	CHECK(m.seccomp.present && m.seccomp.has_allow && m.seccomp.nallow == 0);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "seccomp: {}\n", &m, &err), &err);
	CHECK(m.seccomp.present && !m.seccomp.has_allow && !m.seccomp.profile_default);
	ns_manifest_free(&m);
	return 0;
}

static int test_cgroups(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD
		       "cgroups:\n  parent: cpu-intense/sub\n  unknown: ignored\n"
		       "  cpu:\n    cpus: 1\n    mems: '0'\n    quota: -1\n    period: 100000\n"
		       "    realtime_runtime: 5\n    realtime_period: 6\n    nope: 1\n"
		       "    attrs: {cpu.weight: 100, cpu.weight: 200}\n"
		       "  memory:\n    kernel_memory_limit: -1\n    kernel_tcp_memory_limit: 2\n"
		       "    memory_swap_limit: 3\n"
		       "  blkio:\n    weight: 10\n    leaf_weight: 20\n"
		       "    weight_device: [{major: 8, minor: 0, weight: 5}]\n"
		       "    throttle_read_bps_device: [{major: 8, minor: 1, rate: 100}]\n"
		       "    throttle_read_iops_device: []\n    throttle_write_bps_device: []\n"
		       "    throttle_write_iops_device: []\n    attrs: {blkio.x: y}\n",
		       &m, &err),
		 &err);
	const struct ns_cgroups *cg = &m.cgroups;
	CHECK_STR(cg->parent, "cpu-intense/sub");
	CHECK_STR(cg->cpu.cpus, "1");
	CHECK_STR(cg->cpu.mems, "0");
	CHECK(cg->cpu.has_quota && cg->cpu.quota == -1);
	CHECK(cg->cpu.has_period && cg->cpu.period == 100000);
	CHECK(cg->cpu.has_rt_runtime && cg->cpu.rt_runtime == 5);
	CHECK(cg->cpu.has_rt_period && cg->cpu.rt_period == 6);
	CHECK_INT(cg->cpu.nattrs, 1);
	CHECK_STR(cg->cpu.attrs[0].value, "200");
	CHECK(cg->memory.present && !cg->memory.oom_monitor); /* default false */
	CHECK(cg->memory.has_kernel_limit && cg->memory.kernel_limit == -1);
	CHECK(cg->memory.kernel_tcp_limit == 2 && cg->memory.swap_limit == 3);
	CHECK(cg->blkio.present && cg->blkio.weight == 10 && cg->blkio.leaf_weight == 20);
	CHECK_INT(cg->blkio.nweight_device, 1);
	CHECK(cg->blkio.weight_device[0].major == 8 && cg->blkio.weight_device[0].has_weight);
	CHECK(!cg->blkio.weight_device[0].has_leaf_weight);
	CHECK_INT(cg->blkio.nread_bps, 1);
	CHECK(cg->blkio.read_bps[0].rate == 100);
	ns_manifest_free(&m);
	return 0;
}

/* Issue 14: cgroups.pids.max, ours. Errors name the place and the reason. */
static int test_cgroups_pids(void)
{
	static const struct {
		const char *yaml, *needle;
	} bad[] = {
	    {"  pids: {max: 0}\n", "7:15: cgroups.pids.max: 0 is out of range: at least 2"},
	    {"  pids: {max: 1}\n", "cgroups.pids.max: 1 is out of range"},
	    {"  pids: {max: -1}\n", "cgroups.pids.max: -1 is out of range"},
	    {"  pids: {max: -100}\n", "cgroups.pids.max: -100 is out of range"},
	    {"  pids: {max: 4194305}\n", "at most 4194304 (the kernel's limit)"},
	    {"  pids: {max: 99999999999999999999}\n", "cgroups.pids.max: expected an integer"},
	    {"  pids: {max: 1.5}\n", "cgroups.pids.max: expected an integer"},
	    {"  pids: {max: '100'}\n", "cgroups.pids.max: expected an integer"},
	    {"  pids: {max: unlimited}\n", "cgroups.pids.max: expected an integer"},
	    {"  pids: {max: [1]}\n", "cgroups.pids.max: expected an integer"},
	    {"  pids: {max: 100, mx: 1}\n", "cgroups.pids"},
	    {"  pids: 100\n", "cgroups.pids"},
	};
	struct ns_manifest m;
	struct ns_err err;
	char text[512];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), HEAD "cgroups:\n%s", bad[i].yaml);
		int r = parse(text, &m, &err);
		if (r == 0 || !strstr(err.msg, bad[i].needle)) {
			fprintf(stderr, "  case %zu: %s\n", i, r == 0 ? "accepted" : err.msg);
			if (r == 0)
				ns_manifest_free(&m);
			return NS_TEST_FAIL;
		}
	}
	CHECK_OK(parse(HEAD "cgroups:\n  pids: {max: 2}\n", &m, &err), &err);
	CHECK(m.cgroups.present && m.cgroups.pids.present && m.cgroups.pids.has_max);
	CHECK(m.cgroups.pids.max == 2);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "cgroups:\n  pids: {max: 4194304}\n", &m, &err), &err);
	CHECK(m.cgroups.pids.max == 4194304);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "cgroups:\n  pids: {max: max}\n", &m, &err), &err);
	CHECK(m.cgroups.pids.has_max && m.cgroups.pids.max == -1);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "cgroups:\n  pids: {}\n", &m, &err), &err);
	CHECK(m.cgroups.pids.present && !m.cgroups.pids.has_max);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "cgroups:\n  memory: {}\n", &m, &err), &err);
	CHECK(!m.cgroups.pids.present && !m.cgroups.pids.has_max);
	ns_manifest_free(&m);
	return 0;
}

static int test_custom(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(
	    parse(HEAD
		  "custom:\n  properties:\n    hello: again\n  n: [1, -2, 1.5, 9007199254740993,"
		  " true, ~, '3', 0x10, 1e3]\n  z: 1\n  a: {}\n  z: 2\n",
		  &m, &err),
	    &err);
	char *s = cJSON_PrintUnformatted(m.custom);
	CHECK_STR(s, "{\"a\":{},\"n\":[1,-2,1.5,9007199254740993,true,null,\"3\",16,1000.0],"
		     "\"properties\":{\"hello\":\"again\"},\"z\":2}");
	free(s);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "custom: ~\n", &m, &err), &err);
	CHECK(m.custom == NULL);
	ns_manifest_free(&m);
	CHECK_OK(parse(HEAD "custom: 5\n", &m, &err), &err);
	CHECK(cJSON_IsRaw(m.custom));
	ns_manifest_free(&m);
	return 0;
}

static int test_json_input(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse("{\"name\": \"hello\", \"version\": \"0.0.1\", \"init\": \"/hello\",\n"
		       " \"uid\": 1000, \"gid\": 1000, \"env\": {\"A\": \"b\\u00e9\"},\n"
		       " \"mounts\": {\"/lib\": {\"type\": \"bind\", \"host\": \"\\/lib\"},"
		       " \"/tmp\": {\"type\": \"tmpfs\", \"size\": \"20M\"}},\n"
		       " \"sched\": {\"policy\": \"idle\"}, \"network\": \"host\",\n"
		       " \"console\": {\"permissions\": [\"ident\"]}, \"custom\": {\"x\": [1.25]}}",
		       &m, &err),
		 &err);
	CHECK_STR(m.name, "hello");
	CHECK_STR(env_get(&m, "A"), "b\xc3\xa9");
	CHECK_STR(m.mounts[0].host, "/lib");
	CHECK_INT(m.mounts[1].size, 20000000);
	CHECK_INT(m.sched.policy, NS_SCHED_IDLE);
	CHECK_INT(m.network.mode, NS_NET_HOST);
	ns_manifest_free(&m);
	CHECK_FAIL(parse("{\"name\": \"a\", \"version\": \"1.0.0\", \"uid\": 1, \"gid\": 1, "
			 "\"args\": [\"a\\u0000b\"]}",
			 &m, &err),
		   &err, "args: string contains a NUL character");
	return 0;
}

/* Northstar's name.rs and non_nul_string.rs cases, in YAML and JSON. */
static int test_non_nul_strings(void)
{
	struct ns_manifest m;
	struct ns_err err;
	CHECK_OK(parse(HEAD "args: [\"\xf0\x9f\xa6\x80 crab\"]\nenv: {E: \"\xf0\x9f\x98\x80\"}\n",
		       &m, &err),
		 &err);
	CHECK_STR(m.args[0], "\xf0\x9f\xa6\x80 crab");
	ns_manifest_free(&m);
	static const char *const nul[] = {"\\0ab", "a\\0b", "ab\\0", "\\x00"};
	for (size_t i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), HEAD "args: [\"%s\"]\n", nul[i]);
		CHECK_FAIL(parse(text, &m, &err), &err,
			   "manifest.yaml:6:8: args: string contains a NUL");
		snprintf(text, sizeof(text),
			 "name: a\nversion: 0.0.1\nuid: 1\ngid: 1\ninit: \"/a%s\"\n", nul[i]);
		CHECK_FAIL(parse(text, &m, &err), &err, "init: string contains a NUL");
		snprintf(text, sizeof(text), HEAD "env: {\"K%s\": v}\n", nul[i]);
		CHECK_FAIL(parse(text, &m, &err), &err, "env: string contains a NUL");
	}
	CHECK_FAIL(parse("{\"name\": \"a\\u0000\", \"version\": \"0.0.1\", \"uid\": 1, \"gid\": 1}",
			 &m, &err),
		   &err, "manifest.yaml:1:10: name: string contains a NUL");
	CHECK_FAIL(parse("name: test/../test\nversion: 0.0.1\nuid: 1\ngid: 1\n", &m, &err), &err,
		   "name: invalid name 'test/../test'");
	CHECK_FAIL(parse("name: ''\nversion: 0.0.1\nuid: 1\ngid: 1\n", &m, &err), &err,
		   "name: invalid name ''");
	char big[1100];
	snprintf(big, sizeof(big), "name: %01024d\nversion: 0.0.1\nuid: 1\ngid: 1\n", 7);
	CHECK_OK(parse(big, &m, &err), &err);
	CHECK_INT(strlen(m.name), 1024);
	ns_manifest_free(&m);
	/* many args are fine up to NS_MANIFEST_MAX_NODES (test_limits) */
	char *many = malloc(70000);
	strcpy(many, HEAD "args:\n");
	for (int i = 0; i < 4000; i++)
		strcat(many, "- x\n");
	CHECK_OK(parse(many, &m, &err), &err);
	CHECK_INT(m.nargs, 4000);
	free(many);
	ns_manifest_free(&m);
	return 0;
}

/* HEAD with `custom: [1, 1, ...]` of n items: 13 + n YAML nodes (the root, HEAD's five
 * pairs, the custom pair and the items). */
static char *custom_seq(size_t n)
{
	char *t = malloc(sizeof(HEAD) + 16 + 2 * n);
	char *p = t + sprintf(t, HEAD "custom: [");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, i ? ",1" : "1");
	strcpy(p, "]\n");
	return t;
}

/* HEAD with n bind mounts (6 nodes each): 13 + 6n nodes. */
static char *bind_mounts(size_t n)
{
	char *t = malloc(sizeof(HEAD) + 16 + 40 * n);
	char *p = t + sprintf(t, HEAD "mounts:\n");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "  /m%zu: {type: bind, host: /h}\n", i);
	return t;
}

/* What the console's inspect answer would carry decodes within half of a console
 * line's token budget: the envelope and the statistics have the other half. */
static int json_fits(const struct ns_manifest *m)
{
	cJSON *j = ns_manifest_to_json(m), *back = NULL;
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	struct ns_json_limits lim = {NS_CONSOLE_MAX_DEPTH, NS_CONSOLE_MAX_TOKENS / 2};
	struct ns_err err;
	int r = s ? ns_json_parse_strict(s, strlen(s), &lim, &back, &err) : -ENOMEM;
	if (r < 0)
		fprintf(stderr, "  %s\n", s ? err.msg : "out of memory");
	cJSON_Delete(back);
	cJSON_Delete(j);
	free(s);
	return r;
}

/* NS_MANIFEST_MAX_BYTES and NS_MANIFEST_MAX_NODES, on both sides of each (issue 14). */
static int test_limits(void)
{
	struct ns_manifest m;
	struct ns_err err;
	char *t = custom_seq(NS_MANIFEST_MAX_NODES - 13);
	CHECK_OK(parse(t, &m, &err), &err);
	CHECK_INT(cJSON_GetArraySize(m.custom), NS_MANIFEST_MAX_NODES - 13);
	CHECK_OK(json_fits(&m), &err);
	ns_manifest_free(&m);
	free(t);
	t = custom_seq(NS_MANIFEST_MAX_NODES - 12);
	CHECK_FAIL(parse(t, &m, &err), &err,
		   "manifest.yaml: 4097 YAML nodes, more than a manifest may have (4096)");
	CHECK_INT(err.errnum, E2BIG);
	free(t);
	/* the shape whose JSON has the most tokens per node */
	t = bind_mounts((NS_MANIFEST_MAX_NODES - 13) / 6);
	CHECK_OK(parse(t, &m, &err), &err);
	CHECK_OK(json_fits(&m), &err);
	ns_manifest_free(&m);
	free(t);
	t = bind_mounts((NS_MANIFEST_MAX_NODES - 13) / 6 + 1);
	CHECK_FAIL(parse(t, &m, &err), &err, "YAML nodes, more than a manifest may have (4096)");
	free(t);
	/* bytes: a comment fills the text to the limit exactly, then one more */
	t = malloc(NS_MANIFEST_MAX_BYTES + 2);
	size_t head = strlen(HEAD);
	memcpy(t, HEAD, head);
	t[head] = '#';
	memset(t + head + 1, 'x', NS_MANIFEST_MAX_BYTES - head - 2);
	t[NS_MANIFEST_MAX_BYTES - 1] = '\n';
	t[NS_MANIFEST_MAX_BYTES] = '\0';
	CHECK_OK(parse(t, &m, &err), &err);
	ns_manifest_free(&m);
	t[NS_MANIFEST_MAX_BYTES - 1] = 'x';
	t[NS_MANIFEST_MAX_BYTES] = '\n';
	t[NS_MANIFEST_MAX_BYTES + 1] = '\0';
	CHECK_FAIL(parse(t, &m, &err), &err,
		   "manifest.yaml: 65537 bytes, more than a manifest may have (65536)");
	CHECK_INT(err.errnum, E2BIG);
	free(t);
	return 0;
}

NS_TEST_MAIN(T(test_minimal_and_defaults), T(test_non_nul_strings), T(test_full_manifest),
	     T(test_scalars_as_text), T(test_integer_syntax), T(test_version_field),
	     T(test_console), T(test_sched), T(test_network_autostart_io), T(test_selinux),
	     T(test_rlimits), T(test_capability_names), T(test_tmpfs_sizes), T(test_mount_types),
	     T(test_env), T(test_seccomp), T(test_cgroups), T(test_cgroups_pids), T(test_custom),
	     T(test_json_input), T(test_limits))

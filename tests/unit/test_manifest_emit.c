/* Manifest serialization: the console JSON shape (literal expected text), Northstar's
 * YAML style, quoting, determinism and round trips (YAML -> YAML, YAML -> JSON -> parse). */
#include <stdlib.h>

#include "libns/manifest.h"
#include "testlib.h"

static int parse(const char *text, struct ns_manifest *m, struct ns_err *err)
{
	return ns_manifest_parse("manifest.yaml", text, strlen(text), m, err);
}

static char *json_of(const char *yaml)
{
	struct ns_manifest m;
	struct ns_err err;
	if (parse(yaml, &m, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		return NULL;
	}
	cJSON *j = ns_manifest_to_json(&m);
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	ns_manifest_free(&m);
	return s;
}

static char *yaml_of(const char *yaml)
{
	struct ns_manifest m;
	struct ns_err err;
	char *out = NULL;
	size_t len;
	if (parse(yaml, &m, &err) < 0 || ns_manifest_to_yaml(&m, &out, &len, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		out = NULL;
	} else if (strlen(out) != len) {
		free(out);
		out = NULL;
	}
	ns_manifest_free(&m);
	return out;
}

#define CHECK_JSON(yaml, expected)                                                                 \
	do {                                                                                       \
		char *j_ = json_of(yaml);                                                          \
		CHECK(j_ != NULL);                                                                 \
		int same_ = !strcmp(j_, expected);                                                 \
		if (!same_)                                                                        \
			fprintf(stderr, "  got:      %s\n  expected: %s\n", j_, expected);         \
		free(j_);                                                                          \
		CHECK(same_);                                                                      \
	} while (0)

#define HEAD "name: a\nversion: 1.2.3\ninit: /a\nuid: 1\ngid: 2\n"

static int test_json_shapes(void)
{
	/* the order of fields is Northstar's struct order, whatever the input order */
	CHECK_JSON("gid: 2\nuid: 1\ninit: /a\nversion: 1.2.3-rc.1\nname: a\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2}");
	CHECK_JSON(HEAD "console: {permissions: full}\nsched: {policy: idle}\nnetwork: host\n"
			"autostart: critical\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"console\":{\"permissions\":\"full\"},"
		   "\"init\":\"/a\",\"uid\":1,\"gid\":2,\"sched\":{\"policy\":\"idle\"},"
		   "\"autostart\":\"critical\",\"network\":\"host\"}");
	CHECK_JSON(HEAD "sched:\n  policy: !other {nice: -5}\nnetwork: !namespace blue\n"
			"console: {permissions: [uninstall, ident]}\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"console\":{\"permissions\":[\"ident\","
		   "\"uninstall\"]},\"init\":\"/a\",\"uid\":1,\"gid\":2,\"sched\":{\"policy\":"
		   "{\"other\":{\"nice\":-5}}},\"network\":{\"namespace\":\"blue\"}}");
	CHECK_JSON(
	    HEAD "sched: {policy: !round_robin {priority: 7}}\n"
		 "seccomp:\n  allow:\n    read: any\n    ioctl: !args {index: 1, mask: 0xff}\n"
		 "    write: !args {index: 0, values: [1, 18446744073709551615]}\n",
	    "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2,"
	    "\"sched\":{\"policy\":{\"round_robin\":{\"priority\":7}}},\"seccomp\":{\"allow\":"
	    "{\"ioctl\":{\"args\":{\"index\":1,\"mask\":255}},\"read\":\"any\",\"write\":"
	    "{\"args\":{\"index\":0,\"values\":[1,18446744073709551615]}}}}}");
	/* rlimits keep null for unlimited; selinux keeps null for an absent context */
	CHECK_JSON(HEAD "rlimits: {nofile: {soft: 1024}}\nselinux: {exec: a_t}\n"
			"capabilities: [CAP_SYS_ADMIN, CAP_CHOWN]\nsuppl_groups: [b, a]\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2,"
		   "\"selinux\":{\"mount_context\":null,\"exec\":\"a_t\"},\"capabilities\":"
		   "[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],\"suppl_groups\":[\"a\",\"b\"],\"rlimits\":"
		   "{\"nofile\":{\"soft\":1024,\"hard\":null}}}");
	CHECK_JSON(HEAD "mounts:\n  /r: {type: resource, name: r, version: '1.2', dir: /d, "
			"options: 'nodev,rw'}\n  /b: {type: bind, host: /h}\n  /t: {type: tmpfs, "
			"size: 1KiB}\n  /s: {type: sockets}\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2,"
		   "\"mounts\":{\"/b\":{\"type\":\"bind\",\"host\":\"/h\"},\"/r\":{\"type\":"
		   "\"resource\",\"name\":\"r\",\"version\":\"^1.2\",\"dir\":\"/d\",\"options\":"
		   "\"rw,nodev\"},\"/s\":{\"type\":\"sockets\"},\"/t\":{\"type\":\"tmpfs\","
		   "\"size\":1024}}}");
	CHECK_JSON(HEAD "cgroups:\n  memory: {swappiness: 10}\n  blkio:\n    weight_device: []\n"
			"    throttle_read_bps_device: []\n    throttle_read_iops_device: []\n"
			"    throttle_write_bps_device: [{major: 1, minor: 2, rate: 3}]\n"
			"    throttle_write_iops_device: []\n  cpu: {attrs: {cpu.x: 1}}\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2,"
		   "\"cgroups\":{\"blkio\":{\"weight_device\":[],\"throttle_read_bps_device\":[],"
		   "\"throttle_read_iops_device\":[],\"throttle_write_bps_device\":[{\"major\":1,"
		   "\"minor\":2,\"rate\":3}],\"throttle_write_iops_device\":[]},\"cpu\":{\"attrs\":"
		   "{\"cpu.x\":\"1\"}},\"memory\":{\"oom_monitor\":false,\"swappiness\":10}}}");
	/* ours (issue 14): cgroups.pids, after Northstar's fields */
	CHECK_JSON(HEAD "cgroups:\n  pids: {max: max}\n  memory: {}\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2,"
		   "\"cgroups\":{\"memory\":{\"oom_monitor\":false},\"pids\":{\"max\":\"max\"}}}");
	CHECK_JSON(HEAD "cgroups: {pids: {max: 64}}\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"uid\":1,\"gid\":2,"
		   "\"cgroups\":{\"pids\":{\"max\":64}}}");
	CHECK_JSON(HEAD "env: {B: 2, A: x}\nargs: [-v, '']\nio: {stderr: inherit, stdout: "
			"discard}\nsockets: {s: {type: seq_packet, mode: 0o600, passcred: false}}\n"
			"custom: {b: [1.0, -0.5e-3, .inf], a: {c: null}}\n",
		   "{\"name\":\"a\",\"version\":\"1.2.3\",\"init\":\"/a\",\"args\":[\"-v\",\"\"],"
		   "\"env\":{\"A\":\"x\",\"B\":\"2\"},\"uid\":1,\"gid\":2,\"sockets\":{\"s\":"
		   "{\"type\":\"seq_packet\",\"mode\":384,\"passcred\":false}},\"io\":{\"stdout\":"
		   "\"discard\",\"stderr\":\"inherit\"},\"custom\":{\"a\":{\"c\":null},\"b\":"
		   "[1.0,-0.0005,null]}}");
	return 0;
}

static int test_yaml_style(void)
{
	char *y = yaml_of(
	    "name: svc\nversion: 0.1.0\nuid: 1000\ngid: 1000\ninit: /svc\nargs: [--x, '4']\n"
	    "env: {B: 'true', A: '0777'}\nsched:\n  policy: !fifo\n    priority: 11\n"
	    "mounts:\n  /dev: {type: dev}\n  /lib: {type: bind, host: /lib, options: nosuid}\n"
	    "network: !namespace blue\nrlimits: {core: {hard: 0}}\n"
	    "seccomp: {allow: {ioctl: !args {index: 1, values: [2]}}}\n"
	    "console: {permissions: [list]}\n");
	CHECK(y != NULL);
	const char *expected = "name: svc\n"
			       "version: 0.1.0\n"
			       "console:\n"
			       "  permissions:\n"
			       "  - list\n"
			       "init: /svc\n"
			       "args:\n"
			       "- --x\n"
			       "- '4'\n"
			       "env:\n"
			       "  A: '0777'\n"
			       "  B: 'true'\n"
			       "uid: 1000\n"
			       "gid: 1000\n"
			       "sched:\n"
			       "  policy: !fifo\n"
			       "    priority: 11\n"
			       "mounts:\n"
			       "  /dev:\n"
			       "    type: dev\n"
			       "  /lib:\n"
			       "    type: bind\n"
			       "    host: /lib\n"
			       "    options: nosuid\n"
			       "network: !namespace blue\n"
			       "seccomp:\n"
			       "  allow:\n"
			       "    ioctl: !args\n"
			       "      index: 1\n"
			       "      values:\n"
			       "      - 2\n"
			       "rlimits:\n"
			       "  core:\n"
			       "    soft: null\n"
			       "    hard: 0\n";
	int same = !strcmp(y, expected);
	if (!same)
		fprintf(stderr, "  got:\n%s", y);
	free(y);
	CHECK(same);
	return 0;
}

/* Strings that would read back as something else are quoted; all survive. */
static int test_quoting_round_trip(void)
{
	static const char *const values[] = {
	    "4",
	    "-4",
	    "+4",
	    "0x10",
	    "0o7",
	    "0b1",
	    "0777",
	    "1.5",
	    "1e3",
	    ".inf",
	    "-.inf",
	    ".nan",
	    "true",
	    "False",
	    "TRUE",
	    "~",
	    "null",
	    "NULL",
	    "",
	    "yes",
	    "no",
	    "on",
	    "off",
	    "y",
	    "N",
	    ":",
	    "- x",
	    "#x",
	    "a #b",
	    "a: b",
	    " lead",
	    "trail ",
	    "multi\nline",
	    "tab\there",
	    "quote'",
	    "dq\"",
	    "\xc3\xa9t\xc3\xa9",
	    "!tag",
	    "&anchor",
	    "*alias",
	    "[1]",
	    "{a}",
	    "%x",
	    "@x",
	    "`x",
	    "|",
	    ">",
	    "?",
	    "1:2",
	    "0.0.1",
	    "1_000",
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct ns_manifest m, again;
		struct ns_err err;
		char *y;
		size_t len;
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "name", "a");
		cJSON_AddStringToObject(root, "version", "1.0.0");
		cJSON_AddStringToObject(root, "init", "/a");
		cJSON_AddNumberToObject(root, "uid", 1);
		cJSON_AddNumberToObject(root, "gid", 1);
		cJSON *env = cJSON_AddObjectToObject(root, "env");
		cJSON_AddStringToObject(env, values[i], values[i]);
		cJSON *custom = cJSON_AddObjectToObject(root, "custom");
		cJSON_AddStringToObject(custom, values[i], values[i]);
		char *text = cJSON_PrintUnformatted(root);
		cJSON_Delete(root);
		if (strchr(values[i], '=') || !*values[i]) {
			free(text);
			continue; /* not valid env names */
		}
		CHECK_OK(parse(text, &m, &err), &err);
		free(text);
		CHECK_STR(m.env[0].key, values[i]);
		CHECK_STR(m.env[0].value, values[i]);
		CHECK_OK(ns_manifest_to_yaml(&m, &y, &len, &err), &err);
		CHECK_OK(ns_manifest_parse("out.yaml", y, len, &again, &err), &err);
		if (!ns_manifest_equal(&m, &again)) {
			fprintf(stderr, "  '%s' did not survive:\n%s", values[i], y);
			return NS_TEST_FAIL;
		}
		CHECK_STR(again.env[0].key, values[i]);
		CHECK_STR(again.env[0].value, values[i]);
		CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(again.custom, values[i])));
		free(y);
		ns_manifest_free(&m);
		ns_manifest_free(&again);
	}
	return 0;
}

/* Northstar's roundtrip test manifest (plus the newer sections). */
static const char big[] =
    "name: hello\nversion: 0.0.0\ninit: /binary\nuid: 1000\ngid: 1001\n"
    "console:\n  permissions: full\n"
    "args:\n  - one\n  - two\n"
    "env:\n  LD_LIBRARY_PATH: /lib\n"
    "sched: {policy: !batch {nice: 3}}\n"
    "mounts:\n"
    "  /dev:\n    type: dev\n"
    "  /lib:\n    type: bind\n    host: /lib\n    options: rw,nosuid,nodev,noexec\n"
    "  /no_option:\n    type: bind\n    host: /foo\n"
    "  /data:\n    type: persist\n"
    "  /resource:\n    type: resource\n    name: bla-bar.blah1234\n"
    "    version: '>=1.0.0'\n    dir: /bin/foo\n"
    "    options: rw,nosuid,nodev,noexec\n"
    "  /tmp:\n    type: tmpfs\n    size: 42\n"
    "  /proc: {type: proc}\n  /sys: {type: sysfs}\n  /sock: {type: sockets}\n"
    "autostart: relaxed\n"
    "rlimits:\n  nproc:\n    soft: 100\n    hard: 1000\n  core: {}\n"
    "seccomp:\n  profile: default\n  allow:\n    fork: any\n    waitpid: any\n"
    "    ioctl: !args {index: 2, values: [], mask: 0}\n"
    "capabilities:\n  - CAP_NET_ADMIN\n"
    "suppl_groups: [audio, video]\n"
    "network: !namespace n1\n"
    "selinux: {mount_context: a_t}\n"
    "sockets: {s1: {type: stream, mode: 0o660, uid: 5, gid: 6, passcred: true}}\n"
    "io:\n  stdout: pipe\n  stderr: pipe\n"
    "cgroups:\n    parent: p/q\n    memory:\n      memory_hard_limit: 1000000\n"
    "      memory_soft_limit: 1000000\n      swappiness: 0\n      attrs: {}\n"
    "    cpu:\n      cpus: 0,1\n      shares: 1024\n      attrs: {}\n"
    "    blkio: {weight: 1, weight_device: [{major: 1, minor: 1, leaf_weight: 3}],"
    " throttle_read_bps_device: [], throttle_read_iops_device: [],"
    " throttle_write_bps_device: [], throttle_write_iops_device: []}\n"
    "    pids: {max: 4096}\n"
    "custom:\n    blah: foo\n    foo: 234\n    big: -9223372036854775808\n"
    "    f: 2.5\n    test:\n      - one\n      - two\n      - three\n";

static int test_round_trips(void)
{
	struct ns_manifest m, from_yaml, from_json;
	struct ns_err err;
	char *y;
	size_t len;
	CHECK_OK(parse(big, &m, &err), &err);
	CHECK_OK(ns_manifest_to_yaml(&m, &y, &len, &err), &err);
	CHECK_OK(ns_manifest_parse("out.yaml", y, len, &from_yaml, &err), &err);
	CHECK(ns_manifest_equal(&m, &from_yaml));
	cJSON *j = ns_manifest_to_json(&m);
	char *js = cJSON_PrintUnformatted(j);
	CHECK_OK(parse(js, &from_json, &err), &err);
	CHECK(ns_manifest_equal(&m, &from_json));
	/* and pretty-printed JSON too */
	char *pretty = cJSON_Print(j);
	struct ns_manifest from_pretty;
	CHECK_OK(parse(pretty, &from_pretty, &err), &err);
	CHECK(ns_manifest_equal(&m, &from_pretty));
	/* the YAML of a re-parsed manifest is the same text */
	char *y2;
	CHECK_OK(ns_manifest_to_yaml(&from_json, &y2, &len, &err), &err);
	CHECK_STR(y2, y);
	free(y);
	free(y2);
	free(js);
	free(pretty);
	cJSON_Delete(j);
	ns_manifest_free(&m);
	ns_manifest_free(&from_yaml);
	ns_manifest_free(&from_json);
	ns_manifest_free(&from_pretty);
	return 0;
}

/* The same content in another order gives the same text: packing is reproducible. */
static int test_deterministic(void)
{
	char *a =
	    yaml_of(HEAD "env: {X: 1, A: 2, M: 3}\nmounts: {/z: {type: proc}, /a: {type: dev}}\n"
			 "capabilities: [CAP_KILL, CAP_CHOWN]\nsuppl_groups: [z, a]\n"
			 "rlimits: {stack: {}, as: {}}\nsockets: {z: {type: stream, mode: 1}, "
			 "a: {type: stream, mode: 2}}\nseccomp: {allow: {z: any, a: any}}\n"
			 "custom: {z: 1, a: 2}\n");
	char *b =
	    yaml_of("custom: {a: 2, z: 1}\nseccomp: {allow: {a: any, z: any}}\n"
		    "sockets: {a: {type: stream, mode: 2}, z: {type: stream, mode: 1}}\n"
		    "rlimits: {as: {}, stack: {}}\nsuppl_groups: [a, z]\n"
		    "capabilities: [CAP_CHOWN, CAP_KILL]\n"
		    "mounts: {/a: {type: dev}, /z: {type: proc}}\nenv: {M: 3, A: 2, X: 1}\n" HEAD);
	CHECK(a && b);
	CHECK_STR(a, b);
	free(a);
	free(b);
	return 0;
}

static int test_equal(void)
{
	struct ns_manifest a, b;
	struct ns_err err;
	CHECK_OK(parse(HEAD "env: {A: b}\n", &a, &err), &err);
	CHECK_OK(parse(HEAD "env: {A: c}\n", &b, &err), &err);
	CHECK(!ns_manifest_equal(&a, &b));
	CHECK(ns_manifest_equal(&a, &a));
	ns_manifest_free(&b);
	CHECK_OK(parse(HEAD "env: {A: b}\nselinux: {}\n", &b, &err), &err);
	CHECK(!ns_manifest_equal(&a, &b)); /* an empty selinux section is still a section */
	ns_manifest_free(&b);
	CHECK_OK(parse(HEAD "env: {A: b}\nseccomp: {allow: {}}\n", &b, &err), &err);
	struct ns_manifest c;
	CHECK_OK(parse(HEAD "env: {A: b}\nseccomp: {}\n", &c, &err), &err);
	CHECK(!ns_manifest_equal(&b, &c)); /* allow: {} differs from no allow list */
	ns_manifest_free(&a);
	ns_manifest_free(&b);
	ns_manifest_free(&c);
	return 0;
}

NS_TEST_MAIN(T(test_json_shapes), T(test_yaml_style), T(test_quoting_round_trip),
	     T(test_round_trips), T(test_deterministic), T(test_equal))

/* The runtime configuration: the shipped examples, defaults, and every rejection with
 * its position. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libns/config.h"
#include "libns/manifest.h"
#include "testlib.h"

static int parse(const char *text, struct ns_config *c, struct ns_err *err)
{
	return ns_config_parse("t.yaml", text, strlen(text), c, err);
}

#define BASE "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n"

static int test_examples_parse(void)
{
	struct ns_err err;
	struct ns_config c;
	char path[4096];
	snprintf(path, sizeof(path), "%s/config/northstar.yaml", getenv("NS_TOP") ?: ".");
	CHECK_OK(ns_config_load(path, &c, &err), &err);
	CHECK_STR(c.cgroup, "northstar");
	CHECK_INT(c.loop_device_timeout_ns, 5000000000ull);
	CHECK_INT(c.console_options.max_requests_per_sec, 100);
	CHECK_INT(c.console_options.max_request_size, 1 << 20);
	CHECK_INT(c.console_options.max_npk_install_size, 100000000);
	CHECK(c.has_global && c.global.perms == NS_PERM_FULL);
	CHECK_STR(c.global.bind, "unix:///run/northstar/console");
	CHECK_INT(c.nrepos, 2);
	CHECK_STR(c.repos[0].name, "memory");
	CHECK(c.repos[0].type == NS_REPO_MEM && c.repos[0].capacity_num == 10);
	CHECK(c.repos[0].has_capacity_size && c.repos[0].capacity_size == 100000000);
	const struct ns_repo_config *d = ns_config_repo(&c, "default");
	CHECK(d && d->type == NS_REPO_FS && d->mount_on_start);
	CHECK_STR(d->dir, "/var/lib/northstar/repository");
	ns_config_free(&c);
	snprintf(path, sizeof(path), "%s/config/minimal.yaml", getenv("NS_TOP") ?: ".");
	CHECK_OK(ns_config_load(path, &c, &err), &err);
	CHECK(c.repos[0].key == NULL);
	ns_config_free(&c);
	return 0;
}

static int test_defaults(void)
{
	struct ns_err err;
	struct ns_config c;
	CHECK_OK(parse(BASE, &c, &err), &err);
	CHECK_INT(c.event_buffer_size, 256);
	CHECK_INT(c.notification_buffer_size, 128);
	CHECK_INT(c.loop_device_timeout_ns, 10000000000ull);
	CHECK_INT(c.console_options.token_validity_ns, 60000000000ull);
	CHECK_INT(c.console_options.max_requests_per_sec, 1000);
	CHECK_INT(c.console_options.max_npk_install_size, 256 << 20);
	CHECK_INT(c.console_options.npk_stream_timeout_ns, 10000000000ull);
	CHECK(!c.has_global && c.nrepos == 0);
	ns_config_free(&c);
	return 0;
}

static int test_repository_forms(void)
{
	struct ns_err err;
	struct ns_config c;
	CHECK_OK(parse(BASE "repositories:\n  a:\n    type: !fs {dir: /x}\n    key: /k.pub\n"
			    "    verity: userspace\n  b: {type: mem, capacity_size: 1024}\n"
			    "debug:\n  commands: ['strace -p <PID>']\n",
		       &c, &err),
		 &err);
	CHECK(c.repos[0].type == NS_REPO_FS && c.repos[0].verity == NS_REPO_VERITY_USERSPACE);
	CHECK_STR(c.repos[0].dir, "/x");
	CHECK(c.repos[1].type == NS_REPO_MEM && c.repos[1].capacity_size == 1024);
	CHECK_INT(c.ndebug_commands, 1);
	CHECK_STR(c.debug_commands[0], "strace -p <PID>");
	ns_config_free(&c);
	CHECK_OK(parse(BASE "console:\n  global:\n    bind: tcp://127.0.0.1:4200\n"
			    "    permissions: [list, inspect]\n",
		       &c, &err),
		 &err);
	CHECK_INT(c.global.perms, (1u << NS_PERM_LIST) | (1u << NS_PERM_INSPECT));
	ns_config_free(&c);
	return 0;
}

static const struct {
	const char *text, *want;
} bad[] = {
    {"", "t.yaml: the configuration is empty"},
    {"- a\n", "t.yaml:1:1: the configuration: expected a mapping, found a sequence"},
    {"data_dir: /d\nsocket_dir: /s\ncgroup: ns\n", "'run_dir' is required"},
    {BASE "bogus: 1\n", "t.yaml:5:1: unknown key 'bogus' in the configuration"},
    {BASE "cgroup: x\n", "t.yaml:5:1: the configuration: duplicate key 'cgroup'"},
    {"run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: a/b\n",
     "t.yaml:4:9: cgroup: must be a single cgroup name"},
    {BASE "event_buffer_size: -1\n", "t.yaml:5:20: event_buffer_size: expected an unsigned"},
    {BASE "event_buffer_size: 0\n", "buffer sizes must be at least 1"},
    {BASE "loop_device_timeout: soon\n", "t.yaml:5:22: loop_device_timeout: expected a duration"},
    {BASE "run_dir: ''\n", "duplicate key 'run_dir'"},
    {"run_dir: ''\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n",
     "t.yaml:1:10: run_dir: must not be empty"},
    {BASE "console:\n  options:\n    max_request_size: lots\n",
     "t.yaml:7:23: max_request_size: expected a size"},
    {BASE "console:\n  options:\n    max_requests_per_sec: 0\n", "must be at least 1"},
    {BASE "console:\n  options:\n    colour: red\n",
     "t.yaml:7:5: unknown key 'colour' in console.options"},
    {BASE "console:\n  global:\n    bind: http://x\n    permissions: full\n",
     "t.yaml:7:11: bind: expected unix://PATH or tcp://HOST:PORT"},
    {BASE "console:\n  global:\n    bind: unix:///c\n",
     "console.global: 'permissions' is required"},
    {BASE "console:\n  global:\n    bind: unix:///c\n    permissions: [list, fly]\n",
     "t.yaml:8:25: permissions: invalid permission 'fly'"},
    {BASE "console:\n  global:\n    bind: unix:///c\n    permissions: some\n",
     "expected \"full\" or a list"},
    {BASE "repositories:\n  a:\n    key: /k\n", "t.yaml:7:5: a: 'type' is required"},
    {BASE "repositories:\n  a:\n    type: disk\n", "t.yaml:7:11: type: expected 'mem'"},
    {BASE "repositories:\n  a:\n    type: {fs: {path: /x}}\n", "expected exactly one key, 'dir'"},
    {BASE "repositories:\n  'a/b':\n    type: mem\n", "t.yaml:6:3: repositories: a name is"},
    {BASE "repositories:\n  a:\n    type: mem\n    capacity: 3\n",
     "t.yaml:8:5: unknown key 'capacity' in a repository"},
    {BASE "repositories:\n  a:\n    type: mem\n    capacity_num: 5000000000\n",
     "capacity_num: expected an unsigned integer in range"},
    {BASE "repositories:\n  a:\n    type: mem\n    verity: userspace\n",
     "'verity: userspace' needs a 'key'"},
    {BASE "repositories:\n  a:\n    type: mem\n    verity: maybe\n", "expected 'kernel' or"},
    {BASE "repositories:\n  a:\n    type: mem\n    mount_on_start: yes\n",
     "mount_on_start: expected true or false"},
    {BASE "debug:\n  commands: strace\n", "debug.commands: expected a sequence"},
    {BASE "debug:\n  verbose: true\n", "unknown key 'verbose' in debug"},
};

static int test_rejections(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ns_err err;
		struct ns_config c;
		ns_err_clear(&err);
		if (parse(bad[i].text, &c, &err) >= 0) {
			fprintf(stderr, "  case %zu parsed:\n%s\n", i, bad[i].text);
			return NS_TEST_FAIL;
		}
		if (!strstr(err.msg, bad[i].want)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err.msg, bad[i].want);
			return NS_TEST_FAIL;
		}
	}
	return 0;
}

/* trust: keyed repositories only, on both sides (issue 14, item 3) */
#define KEYED "repositories:\n  s:\n    type: mem\n    key: /s.pub\n"
static const struct {
	const char *text, *want;
} bad_trust[] = {
    {BASE KEYED "    trust: [u]\n  u:\n    type: mem\n",
     "t.yaml:9:13: s: trust: repository 'u' has no key: a repository without a key can never "
     "be trusted"},
    {BASE KEYED "    trust: [nope]\n", "t.yaml:9:13: s: trust: repository 'nope' is not a "
				       "configured repository"},
    {BASE KEYED "    trust: [s]\n", "t.yaml:9:13: s: trust: repository 's' is the repository "
				    "itself"},
    {BASE "repositories:\n  u:\n    type: mem\n    trust: [s]\n  s:\n    type: mem\n    key: "
	  "/k\n",
     "t.yaml:8:12: u: trust: needs a 'key'"},
    {BASE KEYED "    trust: o\n", "t.yaml:9:12: trust: expected a sequence, found a scalar"},
    {BASE KEYED "    trust: [o, o]\n  o: {type: mem, key: /o.pub}\n",
     "t.yaml:9:16: trust: repository 'o' is listed twice"},
    {BASE KEYED "    trust: ['']\n", "t.yaml:9:13: trust: must not be empty"},
    {BASE KEYED "    trust: ['a/b']\n", "t.yaml:9:13: trust: a repository name is"},
    {BASE KEYED "    trust: [[o]]\n", "t.yaml:9:13: trust: expected a scalar"},
};

static int test_trust(void)
{
	struct ns_err err;
	struct ns_config c;
	/* a forward reference: the trusted repository comes later in the file */
	CHECK_OK(parse(BASE KEYED
		       "    trust: [o]\n  o: {type: mem, key: /o.pub}\n  u: {type: mem}\n",
		       &c, &err),
		 &err);
	CHECK(ns_config_repo_trusts(&c.repos[0], "o"));
	CHECK(!ns_config_repo_trusts(&c.repos[0], "u"));
	CHECK(!ns_config_repo_trusts(&c.repos[1], "s"));
	CHECK(!ns_config_repo_trusts(&c.repos[2], "s"));
	ns_config_free(&c);
	for (size_t i = 0; i < sizeof(bad_trust) / sizeof(bad_trust[0]); i++) {
		ns_err_clear(&err);
		if (parse(bad_trust[i].text, &c, &err) >= 0) {
			fprintf(stderr, "  case %zu parsed:\n%s\n", i, bad_trust[i].text);
			return NS_TEST_FAIL;
		}
		if (!strstr(err.msg, bad_trust[i].want)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err.msg,
				bad_trust[i].want);
			return NS_TEST_FAIL;
		}
	}
	return 0;
}

/* Issue 14: missing_seccomp and pids_max, per repository. */
static int test_repository_defaults(void)
{
	static const struct {
		const char *text, *want;
	} rej[] = {
	    {BASE "repositories:\n  a:\n    type: mem\n    missing_seccomp: none\n",
	     "t.yaml:8:22: missing_seccomp: expected 'default' or 'unfiltered'"},
	    {BASE "repositories:\n  a:\n    type: mem\n    missing_seccomp: true\n",
	     "missing_seccomp: expected 'default' or 'unfiltered'"},
	    {BASE "repositories:\n  a:\n    type: mem\n    missing_seccomp: [default]\n",
	     "missing_seccomp: expected 'default' or 'unfiltered'"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: 0\n",
	     "t.yaml:8:15: pids_max: expected 'max' or an integer from 2"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: 1\n", "pids_max: expected"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: -1\n", "pids_max: expected"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: 4194305\n",
	     "pids_max: expected"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: 10.5\n", "pids_max: expected"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: '100'\n",
	     "pids_max: expected"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: unlimited\n",
	     "pids_max: expected"},
	    {BASE "repositories:\n  a:\n    type: mem\n    pids_max: 10\n    pids_max: 20\n",
	     "duplicate key 'pids_max'"},
	};
	struct ns_err err;
	struct ns_config c;
	CHECK_OK(parse(BASE "repositories:\n  a: {type: mem}\n"
			    "  b: {type: mem, missing_seccomp: unfiltered, pids_max: 100}\n"
			    "  c: {type: mem, missing_seccomp: default, pids_max: max}\n",
		       &c, &err),
		 &err);
	CHECK(!c.repos[0].seccomp_unfiltered);
	CHECK(ns_repo_pids_max(&c.repos[0]) == NS_REPO_PIDS_MAX_DEFAULT);
	CHECK(c.repos[1].seccomp_unfiltered);
	CHECK(ns_repo_pids_max(&c.repos[1]) == 100);
	CHECK(!c.repos[2].seccomp_unfiltered);
	CHECK(ns_repo_pids_max(&c.repos[2]) == -1);
	CHECK(ns_repo_pids_max(NULL) == NS_REPO_PIDS_MAX_DEFAULT);
	ns_config_free(&c);
	for (size_t i = 0; i < sizeof(rej) / sizeof(rej[0]); i++) {
		ns_err_clear(&err);
		if (parse(rej[i].text, &c, &err) >= 0) {
			fprintf(stderr, "  case %zu parsed:\n%s\n", i, rej[i].text);
			ns_config_free(&c);
			return NS_TEST_FAIL;
		}
		if (!strstr(err.msg, rej[i].want)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err.msg, rej[i].want);
			return NS_TEST_FAIL;
		}
	}
	return 0;
}

/* Relative paths are taken from the directory the file is loaded in, and made absolute
 * at load: start-up may change the working directory. */
static int test_relative_paths(void)
{
	struct ns_err err;
	struct ns_config c;
	char dir[] = "/tmp/test_config.XXXXXX", old[PATH_MAX], want[PATH_MAX + 32];
	CHECK(mkdtemp(dir) && getcwd(old, sizeof(old)));
	CHECK(chdir(dir) == 0);
	FILE *f = fopen("c.yaml", "w");
	CHECK(f);
	fputs("run_dir: run\ndata_dir: ./data\nsocket_dir: /abs/sockets\ncgroup: ns\n"
	      "repositories:\n  r:\n    type: {fs: {dir: repo}}\n    key: keys/r.pub\n",
	      f);
	fclose(f);
	int r = ns_config_load("c.yaml", &c, &err);
	unlink("c.yaml");
	CHECK(chdir(old) == 0 && rmdir(dir) == 0);
	CHECK_OK(r, &err);
	snprintf(want, sizeof(want), "%s/run", dir);
	CHECK_STR(c.run_dir, want);
	snprintf(want, sizeof(want), "%s/./data", dir);
	CHECK_STR(c.data_dir, want);
	CHECK_STR(c.socket_dir, "/abs/sockets");
	snprintf(want, sizeof(want), "%s/repo", dir);
	CHECK_STR(c.repos[0].dir, want);
	snprintf(want, sizeof(want), "%s/keys/r.pub", dir);
	CHECK_STR(c.repos[0].key, want);
	ns_config_free(&c);
	return 0;
}

NS_TEST_MAIN(T(test_examples_parse), T(test_defaults), T(test_repository_forms), T(test_rejections),
	     T(test_trust), T(test_repository_defaults), T(test_relative_paths))

/* The configuration's PID-1 keys (issue 15): `modules` and `init`, accepted forms and
 * every rejection with its position. */
#include <errno.h>
#include <stdlib.h>

#include "libns/config.h"
#include "testlib.h"

static int parse(const char *text, struct ns_config *c, struct ns_err *err)
{
	return ns_config_parse("t.yaml", text, strlen(text), c, err);
}

#define BASE "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n"

static int test_defaults(void)
{
	struct ns_err err;
	struct ns_config c;
	CHECK_OK(parse(BASE, &c, &err), &err);
	CHECK_INT(c.nmodules, 0);
	CHECK(!c.init.reboot && !c.init.log_kmsg);
	ns_config_free(&c);
	return 0;
}

static int test_accepted(void)
{
	struct ns_err err;
	struct ns_config c;
	CHECK_OK(parse(BASE "modules:\n  - /lib/modules/loop.ko\n  - /m/dm-verity.ko\n"
			    "  - /lib/modules/loop.ko\ninit:\n  halt: reboot\n  log: kmsg\n",
		       &c, &err),
		 &err);
	CHECK_INT(c.nmodules, 3);
	CHECK_STR(c.modules[0], "/lib/modules/loop.ko");
	CHECK_STR(c.modules[1], "/m/dm-verity.ko");
	CHECK_STR(c.modules[2], "/lib/modules/loop.ko"); /* in order, repeats kept */
	CHECK(c.init.reboot && c.init.log_kmsg);
	ns_config_free(&c);
	CHECK_OK(parse(BASE "modules: []\ninit:\n  halt: poweroff\n  log: console\n", &c, &err),
		 &err);
	CHECK_INT(c.nmodules, 0);
	CHECK(!c.init.reboot && !c.init.log_kmsg);
	ns_config_free(&c);
	return 0;
}

static const struct {
	const char *text, *want;
} bad[] = {
    {BASE "modules: /lib/modules/loop.ko\n",
     "t.yaml:5:10: modules: expected a list of paths of .ko files"},
    {BASE "modules:\n  - loop.ko\n", "t.yaml:6:5: modules: the path must be absolute"},
    {BASE "modules:\n  - /m/loop.ko.xz\n", "t.yaml:6:5: modules: not a .ko file"},
    {BASE "modules:\n  - /m/loop\n", "t.yaml:6:5: modules: not a .ko file"},
    {BASE "modules:\n  - ''\n", "t.yaml:6:5: modules: expected a path of a .ko file"},
    {BASE "modules:\n  - [/m/a.ko]\n", "t.yaml:6:5: modules: expected a path of a .ko file"},
    {BASE "modules: []\nmodules: []\n", "duplicate key 'modules'"},
    {BASE "init: poweroff\n", "t.yaml:5:7: init: expected a mapping"},
    {BASE "init:\n  halt: sleep\n", "t.yaml:6:9: init.halt: expected 'poweroff' or 'reboot'"},
    {BASE "init:\n  halt: [reboot]\n", "init.halt: expected 'poweroff' or 'reboot'"},
    {BASE "init:\n  halt: reboot\n  halt: poweroff\n", "t.yaml:7:3: init: duplicate key 'halt'"},
    {BASE "init:\n  log: syslog\n", "t.yaml:6:8: init.log: expected 'console' or 'kmsg'"},
    {BASE "init:\n  console: kmsg\n", "t.yaml:6:3: init: unknown key 'console'"},
};

static int test_rejections(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ns_err err;
		struct ns_config c;
		ns_err_clear(&err);
		if (parse(bad[i].text, &c, &err) >= 0) {
			fprintf(stderr, "  case %zu parsed:\n%s\n", i, bad[i].text);
			ns_config_free(&c);
			return NS_TEST_FAIL;
		}
		if (!strstr(err.msg, bad[i].want)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err.msg, bad[i].want);
			return NS_TEST_FAIL;
		}
	}
	return 0;
}

NS_TEST_MAIN(T(test_defaults), T(test_accepted), T(test_rejections))

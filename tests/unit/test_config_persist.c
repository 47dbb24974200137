/* The configuration's `persist` section: limits, overrides, "off", and every rejection
 * with its position and key. */
#include <errno.h>
#include <string.h>

#include "libns/config.h"
#include "libns/util.h"
#include "testlib.h"

#define BASE "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n"

static int parse(const char *text, struct ns_config *c, struct ns_err *err)
{
	return ns_config_parse("t.yaml", text, strlen(text), c, err);
}

static int test_absent_is_off(void)
{
	struct ns_err err;
	struct ns_config c;
	uint64_t size = 1, inodes = 1;
	CHECK_OK(parse(BASE, &c, &err), &err);
	CHECK(!c.persist.quota);
	ns_persist_config_limits(&c.persist, "app", &size, &inodes);
	CHECK_INT(size, 0);
	CHECK_INT(inodes, 0);
	ns_config_free(&c);
	return 0;
}

static int test_limits_and_overrides(void)
{
	struct ns_err err;
	struct ns_config c;
	uint64_t size, inodes;
	CHECK_OK(parse(BASE "persist:\n  size: 64MiB\n  inodes: 10000\n  containers:\n"
			    "    big: {size: 1GiB}\n    free: {size: 0, inodes: \"off\"}\n"
			    "    odd: {size: 1000, inodes: unlimited}\n",
		       &c, &err),
		 &err);
	CHECK(c.persist.quota);
	ns_persist_config_limits(&c.persist, "app", &size, &inodes);
	CHECK_INT(size, 64ull << 20);
	CHECK_INT(inodes, 10000);
	ns_persist_config_limits(&c.persist, "big", &size, &inodes);
	CHECK_INT(size, 1ull << 30);
	CHECK_INT(inodes, 10000); /* not overridden: the default */
	ns_persist_config_limits(&c.persist, "free", &size, &inodes);
	CHECK_INT(size, 0);
	CHECK_INT(inodes, 0);
	ns_persist_config_limits(&c.persist, "odd", &size, &inodes);
	CHECK_INT(size, 1024); /* rounded up to the quota's 1 KiB blocks */
	CHECK_INT(inodes, 0);
	ns_config_free(&c);
	/* every limit off: no quota needed */
	CHECK_OK(parse(BASE "persist:\n  size: 0\n  inodes: off\n", &c, &err), &err);
	CHECK(!c.persist.quota);
	ns_config_free(&c);
	/* only an override: quota needed */
	CHECK_OK(parse(BASE "persist:\n  containers:\n    a: {inodes: 5}\n", &c, &err), &err);
	CHECK(c.persist.quota);
	ns_config_free(&c);
	return 0;
}

static int test_rejections(void)
{
	static const struct {
		const char *yaml, *msg;
	} bad[] = {
	    {"persist: 5\n", "t.yaml:5:10: persist: expected a mapping"},
	    {"persist:\n  size: lots\n", "t.yaml:6:9: persist.size: expected a size"},
	    {"persist:\n  size: -1\n", "persist.size: expected a size"},
	    {"persist:\n  size: [1]\n", "persist.size: expected a size"},
	    {"persist:\n  size: 1.5.5MiB\n", "persist.size: expected a size"},
	    {"persist:\n  inodes: 1MiB\n", "t.yaml:6:11: persist.inodes: expected a number"},
	    {"persist:\n  inodes: 99999999999999999999\n", "persist.inodes: expected a number"},
	    {"persist:\n  quota: 1\n", "t.yaml:6:3: unknown key 'quota' in persist"},
	    {"persist:\n  size: 1\n  size: 2\n", "persist: duplicate key 'size'"},
	    {"persist:\n  containers: [a]\n", "persist.containers: expected a mapping"},
	    {"persist:\n  containers:\n    a/b: {size: 1}\n",
	     "persist.containers: a container name is"},
	    {"persist:\n  containers:\n    a: 5\n", "persist.containers.a: expected a mapping"},
	    {"persist:\n  containers:\n    a: {containers: {}}\n",
	     "unknown key 'containers' in persist.containers.a"},
	    {"persist:\n  containers:\n    a: {size: big}\n",
	     "persist.containers.a.size: expected a size"},
	    {"persist:\n  containers:\n    a: {size: 1}\n    a: {size: 2}\n",
	     "persist.containers: duplicate key 'a'"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ns_err err;
		struct ns_config c;
		char text[512];
		snprintf(text, sizeof(text), "%s%s", BASE, bad[i].yaml);
		CHECK_FAIL(parse(text, &c, &err), &err, bad[i].msg);
		CHECK_INT(err.errnum, EINVAL);
	}
	return 0;
}

NS_TEST_MAIN(T(test_absent_is_off), T(test_limits_and_overrides), T(test_rejections))

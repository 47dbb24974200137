#include <errno.h>

#include "libns/err.h"
#include "testlib.h"

static int test_set_wrap(void)
{
	struct ns_err e;
	CHECK_INT(ns_err_set(&e, EINVAL, "bad %d", 7), -EINVAL);
	CHECK_STR(e.msg, "bad 7");
	CHECK_INT(ns_err_wrap(&e, "ctx %s", "x"), -EINVAL);
	CHECK_STR(e.msg, "ctx x: bad 7");
	CHECK_INT(ns_err_sys(&e, ENOENT, "open '%s'", "/nope"), -ENOENT);
	CHECK_STR(e.msg, "open '/nope': No such file or directory");
	CHECK_INT(ns_err_set(&e, 0, "zero"), -EIO);
	CHECK_INT(ns_err_ret(&e), -EIO);
	return 0;
}

static int test_long_messages_truncate(void)
{
	struct ns_err e;
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ns_err_set(&e, EINVAL, "%s", big);
	CHECK_INT(strlen(e.msg), sizeof(e.msg) - 1);
	ns_err_wrap(&e, "%s", big);
	CHECK_INT(strlen(e.msg), sizeof(e.msg) - 1);
	return 0;
}

NS_TEST_MAIN(T(test_set_wrap), T(test_long_messages_truncate))

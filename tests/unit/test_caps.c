#include <errno.h>
#include <sys/capability.h>

#include "libns/caps.h"
#include "testlib.h"

static int test_unknown_capability(void)
{
	struct ns_err err;
	struct ns_caps_plan plan = {0};
	CHECK_FAIL(ns_caps_prepare(1ull << 63, &plan, &err), &err,
		   "capability 63 is unknown to this kernel");
	CHECK(plan.raise == NULL && plan.final == NULL);
	return 0;
}

static int test_not_held(void)
{
	struct ns_err err;
	struct ns_caps_plan plan = {0};
	cap_t cur = cap_get_proc();
	CHECK(cur != NULL);
	int missing = -1;
	for (int c = 0; c < cap_max_bits() && missing < 0; c++) {
		cap_flag_value_t v = CAP_CLEAR;
		cap_get_flag(cur, (cap_value_t)c, CAP_PERMITTED, &v);
		if (v != CAP_SET)
			missing = c;
	}
	cap_free(cur);
	if (missing < 0)
		return ns_test_skip("this process holds every capability");
	CHECK_FAIL(ns_caps_prepare(1ull << missing, &plan, &err), &err,
		   "is not held by the runtime, so it cannot be granted");
	CHECK(strstr(err.msg, "CAP_") != NULL); /* named as the manifest spells it */
	CHECK_INT(err.errnum, EPERM);
	return 0;
}

static int test_empty_set_prepares(void)
{
	struct ns_err err;
	struct ns_caps_plan plan = {0};
	CHECK_OK(ns_caps_prepare(0, &plan, &err), &err);
	CHECK(plan.raise && plan.final);
	CHECK_INT(plan.last_cap, cap_max_bits() - 1);
	char *text = cap_to_text(plan.final, NULL);
	CHECK(text != NULL);
	CHECK_STR(text, "="); /* libcap's spelling of "no capabilities" */
	cap_free(text);
	ns_caps_plan_free(&plan);
	CHECK(plan.raise == NULL);
	return 0;
}

NS_TEST_MAIN(T(test_unknown_capability), T(test_not_held), T(test_empty_set_prepares))

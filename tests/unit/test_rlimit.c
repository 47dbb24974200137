#include <errno.h>
#include <sys/resource.h>

#include "libns/rlimit.h"
#include "testlib.h"

static int test_absent_is_unlimited(void)
{
	struct ns_err err;
	struct ns_rlimit_plan plan;
	struct ns_rlimit rl[] = {
	    {.res = NS_RLIMIT_CORE, .has_soft = true, .soft = 0},
	    {.res = NS_RLIMIT_CPU},
	    {.res = NS_RLIMIT_NPROC,
	     .has_soft = true,
	     .soft = 10000,
	     .has_hard = true,
	     .hard = 20000},
	    {.res = NS_RLIMIT_AS,
	     .has_soft = true,
	     .soft = UINT64_MAX,
	     .has_hard = true,
	     .hard = UINT64_MAX},
	};
	CHECK_OK(ns_rlimit_prepare(rl, 4, &plan, &err), &err);
	CHECK_INT(plan.n, 4);
	CHECK_INT(plan.e[0].resource, RLIMIT_CORE);
	CHECK_INT(plan.e[0].lim.rlim_cur, 0);
	CHECK(plan.e[0].lim.rlim_max == RLIM_INFINITY);
	CHECK(plan.e[1].lim.rlim_cur == RLIM_INFINITY && plan.e[1].lim.rlim_max == RLIM_INFINITY);
	CHECK_INT(plan.e[2].lim.rlim_cur, 10000);
	CHECK_INT(plan.e[2].lim.rlim_max, 20000);
	CHECK_STR(plan.e[2].name, "nproc");
	CHECK(plan.e[3].lim.rlim_cur == RLIM_INFINITY);
	return 0;
}

static int test_nofile_unlimited_is_nr_open(void)
{
	struct ns_err err;
	struct ns_rlimit_plan plan;
	struct ns_rlimit rl = {.res = NS_RLIMIT_NOFILE, .has_soft = true, .soft = 100};
	CHECK_OK(ns_rlimit_prepare(&rl, 1, &plan, &err), &err);
	CHECK_INT(plan.e[0].lim.rlim_cur, 100);
	CHECK(plan.e[0].lim.rlim_max != RLIM_INFINITY && plan.e[0].lim.rlim_max >= 1024);
	return 0;
}

static int test_soft_above_hard(void)
{
	struct ns_err err;
	struct ns_rlimit_plan plan;
	struct ns_rlimit rl = {
	    .res = NS_RLIMIT_STACK, .has_soft = true, .soft = 9, .has_hard = true, .hard = 8};
	CHECK_FAIL(ns_rlimit_prepare(&rl, 1, &plan, &err), &err,
		   "rlimit stack: soft limit 9 exceeds hard limit 8");
	CHECK_INT(err.errnum, EINVAL);
	rl.has_soft = false; /* absent soft = unlimited, above any hard limit */
	CHECK_FAIL(ns_rlimit_prepare(&rl, 1, &plan, &err), &err,
		   "rlimit stack: soft limit unlimited (absent) exceeds hard limit 8");
	rl.soft = 8;
	rl.has_soft = true;
	CHECK_OK(ns_rlimit_prepare(&rl, 1, &plan, &err), &err); /* equal is fine */
	return 0;
}

static int test_duplicate_and_unknown(void)
{
	struct ns_err err;
	struct ns_rlimit_plan plan;
	struct ns_rlimit rl[] = {{.res = NS_RLIMIT_DATA}, {.res = NS_RLIMIT_DATA}};
	CHECK_FAIL(ns_rlimit_prepare(rl, 2, &plan, &err), &err, "rlimit data: given twice");
	rl[0].res = (enum ns_rlimit_res)NS_RLIMIT_COUNT;
	CHECK_FAIL(ns_rlimit_prepare(rl, 1, &plan, &err), &err, "unknown resource 16");
	CHECK_OK(ns_rlimit_prepare(rl, 0, &plan, &err), &err);
	CHECK_INT(plan.n, 0);
	return 0;
}

NS_TEST_MAIN(T(test_absent_is_unlimited), T(test_nofile_unlimited_is_nr_open),
	     T(test_soft_above_hard), T(test_duplicate_and_unknown))

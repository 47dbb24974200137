#include <errno.h>
#include <sched.h>

#include "libns/scheduler.h"
#include "testlib.h"

static int test_sched_checks(void)
{
	struct ns_err err;
	struct ns_sched_plan p;
	struct ns_sched s = {.policy = NS_SCHED_NONE};
	CHECK_OK(ns_sched_prepare(&s, &p, &err), &err);
	CHECK(!p.set);
	s = (struct ns_sched){.policy = NS_SCHED_OTHER, .nice = 19};
	CHECK_OK(ns_sched_prepare(&s, &p, &err), &err);
	CHECK(p.set && p.set_nice && p.nice == 19 && p.policy == SCHED_OTHER);
	s.nice = 20;
	CHECK_FAIL(ns_sched_prepare(&s, &p, &err), &err, "sched other: nice 20 is outside -20..19");
	s = (struct ns_sched){.policy = NS_SCHED_BATCH, .nice = -21};
	CHECK_FAIL(ns_sched_prepare(&s, &p, &err), &err, "sched batch: nice -21");
	s = (struct ns_sched){.policy = NS_SCHED_FIFO, .priority = 11};
	CHECK_OK(ns_sched_prepare(&s, &p, &err), &err);
	CHECK(p.policy == SCHED_FIFO && p.priority == 11 && !p.set_nice);
	s.priority = 0;
	CHECK_FAIL(ns_sched_prepare(&s, &p, &err), &err, "sched fifo: priority 0 is outside 1..99");
	s = (struct ns_sched){.policy = NS_SCHED_RR, .priority = 100};
	CHECK_FAIL(ns_sched_prepare(&s, &p, &err), &err, "sched round_robin: priority 100");
	s.priority = 99; /* round_robin works here (Northstar's validator refused it) */
	CHECK_OK(ns_sched_prepare(&s, &p, &err), &err);
	s = (struct ns_sched){.policy = NS_SCHED_IDLE};
	CHECK_OK(ns_sched_prepare(&s, &p, &err), &err);
	CHECK(p.policy == SCHED_IDLE);
	s = (struct ns_sched){.policy = NS_SCHED_DEADLINE};
	CHECK_FAIL(ns_sched_prepare(&s, &p, &err), &err, "sched deadline: not supported");
	CHECK_INT(err.errnum, ENOTSUP);
	return 0;
}

NS_TEST_MAIN(T(test_sched_checks))

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

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

static int test_rt_throttled(void)
{
	char path[] = "/tmp/test_sched_rt.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "-1\n", 3) == 3);
	close(fd);
	CHECK(!ns_sched_rt_throttled(path));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "950000\n", 7) == 7);
	close(fd);
	CHECK(ns_sched_rt_throttled(path));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "-10\n", 4) == 4);
	close(fd);
	CHECK(ns_sched_rt_throttled(path));
	unlink(path);
	CHECK(ns_sched_rt_throttled(path)); /* unreadable: assume the kernel limits it */
	return 0;
}

NS_TEST_MAIN(T(test_sched_checks), T(test_rt_throttled))

#include "scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "io.h"
#include "libc_compat.h"
#include "util.h"

static const char *policy_name(enum ns_sched_policy p)
{
	switch (p) {
	case NS_SCHED_OTHER:
		return "other";
	case NS_SCHED_BATCH:
		return "batch";
	case NS_SCHED_FIFO:
		return "fifo";
	case NS_SCHED_RR:
		return "round_robin";
	case NS_SCHED_IDLE:
		return "idle";
	case NS_SCHED_DEADLINE:
		return "deadline";
	default:
		return "none";
	}
}

static int prepare_nice(int policy, const struct ns_sched *s, struct ns_sched_plan *p,
			struct ns_err *err)
{
	if (s->nice < -20 || s->nice > 19)
		return ns_err_set(err, EINVAL, "sched %s: nice %d is outside -20..19",
				  policy_name(s->policy), s->nice);
	*p = (struct ns_sched_plan){
	    .set = true, .policy = policy, .set_nice = true, .nice = s->nice};
	return 0;
}

static int prepare_rt(int policy, const struct ns_sched *s, struct ns_sched_plan *p,
		      struct ns_err *err)
{
	int lo = sched_get_priority_min(policy), hi = sched_get_priority_max(policy);
	if (lo < 0 || hi < 0)
		return ns_err_sys(err, errno, "sched %s: priority range", policy_name(s->policy));
	if (s->priority < (uint32_t)lo || s->priority > (uint32_t)hi)
		return ns_err_set(err, EINVAL, "sched %s: priority %u is outside %d..%d",
				  policy_name(s->policy), s->priority, lo, hi);
	*p = (struct ns_sched_plan){.set = true, .policy = policy, .priority = (int)s->priority};
	return 0;
}

int ns_sched_prepare(const struct ns_sched *s, struct ns_sched_plan *plan, struct ns_err *err)
{
	switch (s->policy) {
	case NS_SCHED_NONE:
		*plan = (struct ns_sched_plan){0};
		return 0;
	case NS_SCHED_OTHER:
		return prepare_nice(SCHED_OTHER, s, plan, err);
	case NS_SCHED_BATCH:
		return prepare_nice(SCHED_BATCH, s, plan, err);
	case NS_SCHED_FIFO:
		return prepare_rt(SCHED_FIFO, s, plan, err);
	case NS_SCHED_RR:
		return prepare_rt(SCHED_RR, s, plan, err);
	case NS_SCHED_IDLE:
		*plan = (struct ns_sched_plan){.set = true, .policy = SCHED_IDLE};
		return 0;
	case NS_SCHED_DEADLINE:
		return ns_err_set(
		    err, ENOTSUP,
		    "sched deadline: not supported, the manifest gives it no runtime, "
		    "deadline or period");
	}
	return ns_err_set(err, EINVAL, "sched: unknown policy %d", (int)s->policy);
}

int ns_sched_apply(const struct ns_sched_plan *p, struct ns_err *err)
{
	if (!p->set)
		return 0;
	if (ns_sched_setscheduler(p->policy, p->priority) < 0)
		return ns_err_sys(err, errno, "sched: set policy %d priority %d", p->policy,
				  p->priority);
	if (p->set_nice && setpriority(PRIO_PROCESS, 0, p->nice) < 0)
		return ns_err_sys(err, errno, "sched: set nice %d", p->nice);
	return 0;
}

bool ns_sched_rt_throttled(const char *sysctl_path)
{
	char buf[32] = "";
	ns_autoclose int fd = open(sysctl_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ns_read_full(fd, buf, sizeof(buf) - 1) <= 0)
		return true;
	return strcmp(buf, "-1\n") != 0 && strcmp(buf, "-1") != 0;
}

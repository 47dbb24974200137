/* The application's scheduling policy: checked in the parent, applied in the child
 * while it still holds CAP_SYS_NICE (real-time policies and negative nice need it).
 *
 * other and batch take an absolute nice value (setpriority, not Northstar's relative
 * nice(3), whose return value it misread); fifo and round_robin take a priority in
 * the kernel's range (1..99); idle takes nothing. deadline is refused: the manifest
 * gives it no runtime, deadline or period, and SCHED_DEADLINE cannot run without
 * them, so any mapping would be a guess. */
#ifndef NS_SCHEDULER_H
#define NS_SCHEDULER_H

#include <stdbool.h>

#include "err.h"
#include "manifest.h"

struct ns_sched_plan {
	bool set; /* false: inherit the parent's */
	int policy;
	int priority;
	bool set_nice;
	int nice;
};

int ns_sched_prepare(const struct ns_sched *s, struct ns_sched_plan *plan, struct ns_err *err);

/* Whether the kernel limits realtime tasks' time at all: false when the sysctl file
 * (normally NS_SCHED_RT_RUNTIME_SYSCTL) reads -1, when realtime throttling is off
 * host-wide and a cgroup without realtime time may still run fifo and round_robin
 * tasks. A file that cannot be read counts as throttled. */
#define NS_SCHED_RT_RUNTIME_SYSCTL "/proc/sys/kernel/sched_rt_runtime_us"
bool ns_sched_rt_throttled(const char *sysctl_path);

/* Child side. Async-signal-safe. */
int ns_sched_apply(const struct ns_sched_plan *plan, struct ns_err *err);

#endif

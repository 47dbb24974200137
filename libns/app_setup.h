/* The application child's setup between fork and exec, in the fixed order of
 * design.md: everything is computed before fork (ns_app_prepare, which allocates,
 * reads files and runs libseccomp), and the child only makes system calls
 * (ns_app_apply), so it is safe in a child cloned from a multi-threaded process.
 *
 * ns_app_apply runs, in this order:
 *   1. signal dispositions to default, empty signal mask;
 *   2. descriptors: stdio on 0..2, the kept ones on 3.., all others closed (when set);
 *   3. rlimits, then the scheduling policy, while still privileged;
 *   4. keep-caps, setgroups, setresgid, setresuid, then a fresh anonymous session
 *      keyring, owned by the new ids (none shared with the daemon or another container);
 *   5. the parent-death signal (credential changes clear it, so it comes after 4);
 *   6. capabilities: bounding set first, securebits, then the other four sets;
 *   7. no_new_privs;
 *   8. the seccomp filters, last, so that nothing above needs to pass them: the quota
 *      guard of a container with a persist mount (seccomp_guard.h), then the
 *      manifest's.
 * The caller then calls execve, and nothing else.
 *
 * ns_app_prepare reads the host's group file: inside a container, call it before
 * pivot_root (the plan lives in memory, which fork copies to the child). */
#ifndef NS_APP_SETUP_H
#define NS_APP_SETUP_H

#include <stdbool.h>

#include "caps.h"
#include "creds.h"
#include "err.h"
#include "fds.h"
#include "manifest.h"
#include "rlimit.h"
#include "scheduler.h"
#include "seccomp.h"

struct ns_app_opts {
	const char *group_file; /* NULL: /etc/group */
	enum ns_seccomp_violation violation;
	/* A manifest without `seccomp` gets the default profile (secure by default, issue
	 * 14), unless this is set: then it runs unfiltered, as in Northstar (the
	 * repository's `missing_seccomp: unfiltered`). */
	bool seccomp_unfiltered;
	int pdeathsig; /* 0: none */
};

struct ns_app_plan {
	struct ns_rlimit_plan rlimits;
	struct ns_sched_plan sched;
	struct ns_creds_plan creds;
	struct ns_caps_plan caps;
	bool has_seccomp;
	struct ns_seccomp_prog seccomp;
	bool has_guard; /* a persist mount: the quota guard (seccomp_guard.h) */
	struct ns_seccomp_prog guard;
	int pdeathsig;
	bool arrange_fds;
	int stdio[3];
	int keep[NS_FDS_KEEP_MAX];
	size_t nkeep;
};

/* Builds the plan from the manifest's uid, gid, suppl_groups, capabilities, rlimits,
 * sched and seccomp (or the default profile, see seccomp_unfiltered). Unknown group and syscall
 * names are listed in plan->creds.skipped and plan->seccomp.skipped for the caller to log. */
int ns_app_prepare(const struct ns_manifest *m, const struct ns_app_opts *opts,
		   struct ns_app_plan *plan, struct ns_err *err);

/* Adds the descriptor step (see ns_fds_arrange). */
int ns_app_set_fds(struct ns_app_plan *plan, const int stdio[3], const int *keep, size_t nkeep,
		   struct ns_err *err);

void ns_app_plan_free(struct ns_app_plan *plan);

/* Child side: the whole sequence above. Async-signal-safe; on failure the process
 * state is half set up and the caller must _exit. */
int ns_app_apply(const struct ns_app_plan *plan, struct ns_err *err);

#endif

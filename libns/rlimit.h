/* The manifest's resource limits: checked and resolved in the parent, applied with
 * setrlimit in the child while it is still privileged (raising a hard limit needs
 * CAP_SYS_RESOURCE). */
#ifndef NS_RLIMIT_H
#define NS_RLIMIT_H

#include <stddef.h>
#include <sys/resource.h>

#include "err.h"
#include "manifest.h"

struct ns_rlimit_entry {
	const char *name; /* the manifest key, for messages */
	int resource;	  /* RLIMIT_* */
	struct rlimit lim;
};

struct ns_rlimit_plan {
	struct ns_rlimit_entry e[NS_RLIMIT_COUNT];
	size_t n;
};

/* An absent soft or hard value means unlimited (RLIM_INFINITY), except for nofile,
 * whose ceiling is the kernel's fs.nr_open (setrlimit refuses more). Fails, naming
 * the limit, on soft > hard, a duplicate or an unknown resource. */
int ns_rlimit_prepare(const struct ns_rlimit *rl, size_t n, struct ns_rlimit_plan *plan,
		      struct ns_err *err);

/* Child side. Async-signal-safe. */
int ns_rlimit_apply(const struct ns_rlimit_plan *plan, struct ns_err *err);

#endif

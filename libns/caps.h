/* The application's capabilities: computed with libcap in the parent, applied with
 * plain system calls in the child after its uid switch (which kept the permitted set).
 *
 * Result: bounding, effective, permitted, inheritable and ambient sets all equal the
 * manifest's set (empty by default), so a non-root exec keeps exactly those; the
 * securebits are locked so that uid 0 never regains capabilities through exec and
 * keep-caps cannot be turned back on. */
#ifndef NS_CAPS_H
#define NS_CAPS_H

#include <stdint.h>
#include <sys/capability.h>

#include "err.h"

struct ns_caps_plan {
	uint64_t keep;	   /* bit n = capability n */
	unsigned last_cap; /* the highest capability this kernel knows */
	cap_t raise;	   /* effective = permitted = what the parent holds */
	cap_t final;	   /* effective = permitted = inheritable = keep */
};

/* Fails when keep names a capability the kernel does not know or the parent does not
 * hold (in its permitted and bounding sets), naming it. */
int ns_caps_prepare(uint64_t keep, struct ns_caps_plan *plan, struct ns_err *err);
void ns_caps_plan_free(struct ns_caps_plan *plan);

/* Child side, after ns_creds_apply. Async-signal-safe. Needs CAP_SETPCAP. */
int ns_caps_apply(const struct ns_caps_plan *plan, struct ns_err *err);

#endif

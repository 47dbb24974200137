/* The `default` seccomp profile as data: Docker's default allow list, with the rules
 * that depend on the container's capabilities. docs/seccomp.md lists it in prose. */
#ifndef NS_SECCOMP_PROFILE_H
#define NS_SECCOMP_PROFILE_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

struct ns_seccomp_profile_rule {
	const char *name;
	int errno_ret; /* 0: allow; otherwise the call fails with this errno */
	bool has_arg0; /* otherwise the rule matches every call */
	enum scmp_compare op;
	uint64_t datum; /* compared with argument 0 */
	uint64_t mask;	/* SCMP_CMP_MASKED_EQ only: (arg0 & mask) == datum */
};

/* Calls fn for every rule of the profile for a container granted caps (bit n =
 * capability n). Stops at and returns the first negative result of fn. */
typedef int (*ns_seccomp_profile_fn)(void *ctx, const struct ns_seccomp_profile_rule *r);
int ns_seccomp_profile_each(uint64_t caps, ns_seccomp_profile_fn fn, void *ctx);

#endif

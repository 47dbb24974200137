/* The application's uid, gid and supplementary groups: names resolved in the parent
 * from the host's group file, ids set in the child with raw system calls. */
#ifndef NS_CREDS_H
#define NS_CREDS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "manifest.h"

struct ns_creds_plan {
	uid_t uid;
	gid_t gid;
	gid_t groups[NS_SUPPL_GROUPS_MAX];
	size_t ngroups;
	char **skipped; /* group names the file does not have, for the caller to log */
	size_t nskipped;
};

/* Refuses uid 0, gid 0, and a supplementary group that resolves to gid 0. Unknown
 * names are skipped (as Northstar does) and listed; duplicates collapse. group_file
 * NULL means /etc/group; a missing file resolves nothing. */
int ns_creds_prepare(uid_t uid, gid_t gid, const char *const *groups, size_t ngroups,
		     const char *group_file, struct ns_creds_plan *plan, struct ns_err *err);
void ns_creds_plan_free(struct ns_creds_plan *plan);

/* Child side: keep-caps on, then setgroups, setresgid, setresuid. The permitted
 * capabilities survive for ns_caps_apply. Async-signal-safe: raw system calls, since
 * glibc's wrappers would try to signal threads that exist only in the parent. */
int ns_creds_apply(const struct ns_creds_plan *plan, struct ns_err *err);

#endif

#include "keyring.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_keyctl
#define SYS_keyctl __NR_keyctl
#endif
#ifndef KEYCTL_GET_KEYRING_ID
#define KEYCTL_GET_KEYRING_ID 0
#endif
#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif
#ifndef KEY_SPEC_SESSION_KEYRING
#define KEY_SPEC_SESSION_KEYRING -3
#endif

/* keyctl refused as a whole (a seccomp filter such as Docker's default, which returns
 * EPERM): no key can be read through it either. */
static bool keyctl_refused(void)
{
	long r =
	    syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, (long)KEY_SPEC_SESSION_KEYRING, 0L, 0L, 0L);
	return r < 0 && (errno == EPERM || errno == ENOSYS);
}

int ns_keyring_new_session(struct ns_err *err)
{
	/* a NULL name makes an anonymous keyring nobody else can join by name */
	long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (const char *)NULL, 0L, 0L, 0L);
	if (r >= 0)
		return 0;
	int e = errno;
	if (e == ENOSYS || (e == EPERM && keyctl_refused()))
		return -ENOSYS;
	return ns_err_sys(err, e, "join a fresh session keyring");
}

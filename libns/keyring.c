#include "keyring.h"

#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_keyctl
#define SYS_keyctl __NR_keyctl
#endif
#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

int ns_keyring_new_session(struct ns_err *err)
{
	/* a NULL name makes an anonymous keyring nobody else can join by name */
	long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (const char *)NULL, 0L, 0L, 0L);
	if (r >= 0)
		return 0;
	if (errno == ENOSYS)
		return -ENOSYS;
	return ns_err_sys(err, errno, "join a fresh session keyring");
}

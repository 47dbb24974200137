/* The quota guard: a second seccomp filter for every container with a persist mount,
 * whatever its manifest says. Project quotas limit a persist directory, but the kernel
 * lets a file's owner in the initial user namespace move the file to another project
 * or clear the inherit flag of a directory; containers have no user namespace, so they
 * could slip out of their limit. The guard answers EPERM to the calls that do it:
 * ioctl FS_IOC_FSSETXATTR, FS_IOC_SETFLAGS (and its 32-bit twin), compared on the low
 * 32 bits the kernel reads, and file_setattr (6.17). Everything else passes, on the
 * native architecture and its compat ones, so the guard changes nothing else (the
 * manifest's own filter, if any, is installed beside it and still decides the rest). */
#ifndef NS_SECCOMP_GUARD_H
#define NS_SECCOMP_GUARD_H

#include "err.h"
#include "seccomp.h"

int ns_seccomp_guard_build(struct ns_seccomp_prog *out, struct ns_err *err);

#endif

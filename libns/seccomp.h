/* seccomp filters from a manifest's `seccomp` section: built with libseccomp in the
 * parent, exported there to a plain BPF program, and installed in the child with one
 * seccomp(2) call, so nothing after fork touches libseccomp or the heap.
 *
 * The filter: a foreign architecture (or x86's x32 ABI) kills the process; the
 * manifest's allow rules, plus the `default` profile when asked for (docs/seccomp.md),
 * pass; execve, exit and exit_group always pass; a system call numbered above the
 * highest one the linked libseccomp knows answers ENOSYS (a kernel newer than the
 * library); everything else is a violation, which kills the whole process with SIGSYS
 * (or, as an option, fails with EPERM). A manifest without a `seccomp` section gets the
 * default profile (libns/app_setup.c), unless its repository asks for Northstar's
 * unfiltered run. */
#ifndef NS_SECCOMP_H
#define NS_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"

enum ns_seccomp_violation {
	NS_SECCOMP_KILL,  /* SECCOMP_RET_KILL_PROCESS: the process dies of SIGSYS */
	NS_SECCOMP_EPERM, /* SECCOMP_RET_ERRNO(EPERM) */
};

struct ns_seccomp_prog {
	struct sock_filter *insns; /* malloc'ed */
	size_t len;
	char **skipped; /* manifest syscall names unknown here, for the caller to log */
	size_t nskipped;
};

/* Checks the manifest's allow rules: a name, argument index 0..5, 1..50 values
 * and/or a mask. Errors name the syscall. */
int ns_seccomp_validate(const struct ns_seccomp *sc, struct ns_err *err);

/* Builds the program for a container granted caps (bit n = capability n; it selects
 * the profile's capability rules). Names unknown to libseccomp or to this architecture
 * are skipped and listed in out->skipped. */
int ns_seccomp_build(const struct ns_seccomp *sc, uint64_t caps, enum ns_seccomp_violation v,
		     struct ns_seccomp_prog *out, struct ns_err *err);
void ns_seccomp_prog_free(struct ns_seccomp_prog *p);

/* The highest native system call number (below 1024) that libseccomp can name, or -1.
 * Numbers above it and below 1024 answer ENOSYS. */
int ns_seccomp_max_known_nr(void);
/* A libseccomp filter context (scmp_filter_ctx) as a BPF program in out; with
 * enosys_stub, calls above ns_seccomp_max_known_nr answer ENOSYS first. */
int ns_seccomp_export(void *ctx, bool enosys_stub, struct ns_seccomp_prog *out, struct ns_err *err);

/* Child side: installs the program. Async-signal-safe. Needs no_new_privs or
 * CAP_SYS_ADMIN. */
int ns_seccomp_install(const struct ns_seccomp_prog *p, struct ns_err *err);

#endif

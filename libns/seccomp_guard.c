#include "seccomp_guard.h"

#include <errno.h>
#include <linux/fs.h>
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"

/* file_setattr(2), new in 6.17 with the same number everywhere (the unified table);
 * libseccomp releases before it cannot name it. */
#define NR_FILE_SETATTR 469

#ifndef FS_IOC32_SETFLAGS
#define FS_IOC32_SETFLAGS _IOW('f', 2, int)
#endif

static const uint32_t denied_ioctls[] = {
    FS_IOC_FSSETXATTR,
    FS_IOC_SETFLAGS,
    FS_IOC32_SETFLAGS,
};

/* The compat architectures of the native one, so that a 32-bit call cannot pass
 * around the guard. */
static void compat_arches(uint32_t native, uint32_t out[2])
{
	out[0] = out[1] = 0;
	if (native == SCMP_ARCH_X86_64) {
		out[0] = SCMP_ARCH_X86;
		out[1] = SCMP_ARCH_X32;
	} else if (native == SCMP_ARCH_AARCH64) {
		out[0] = SCMP_ARCH_ARM;
	}
}

/* The rules of one context. file_setattr by name where libseccomp knows it; otherwise
 * by its number, which libseccomp takes only in a native-only context. */
static int add_rules(scmp_filter_ctx ctx, bool native)
{
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(denied_ioctls); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, denied_ioctls[i]));
	int nr = seccomp_syscall_resolve_name("file_setattr");
	if (r == 0 && (nr != __NR_SCMP_ERROR || native))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				     nr != __NR_SCMP_ERROR ? nr : NR_FILE_SETATTR, 0);
	return r;
}

/* The native context, merged with one for the compat architectures (libseccomp merges
 * contexts whose architectures are disjoint). */
static int build(scmp_filter_ctx ctx)
{
	int r = add_rules(ctx, true);
	uint32_t compat[2];
	compat_arches(seccomp_arch_native(), compat);
	if (r < 0 || !compat[0])
		return r;
	scmp_filter_ctx c2 = seccomp_init(SCMP_ACT_ALLOW);
	if (!c2)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(compat); i++)
		if (compat[i])
			r = seccomp_arch_add(c2, compat[i]);
	if (r == 0)
		r = seccomp_arch_remove(c2, SCMP_ARCH_NATIVE);
	if (r == 0)
		r = add_rules(c2, false);
	if (r == 0)
		r = seccomp_merge(ctx, c2); /* releases c2 when it succeeds */
	if (r < 0)
		seccomp_release(c2);
	return r;
}

int ns_seccomp_guard_build(struct ns_seccomp_prog *out, struct ns_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return ns_err_set(err, ENOMEM, "seccomp guard: out of memory");
	int r = build(ctx);
	if (r < 0)
		r = ns_err_set(err, -r, "seccomp guard: rules: %s", strerror(-r));
	else
		r = ns_seccomp_export(ctx, false, out, err);
	seccomp_release(ctx);
	return r;
}

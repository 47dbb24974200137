/* The quota guard (libns/seccomp_guard.h): in a child under the guard alone, the calls
 * that move a file out of its quota project answer EPERM, also with bits above 32 in
 * the request and through the 32-bit ABI; everything else reaches the kernel. Calls on
 * descriptor -1: the kernel answers EBADF to one the guard lets through. */
#include <errno.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/seccomp_guard.h"
#include "testlib.h"

#ifndef FS_IOC32_SETFLAGS
#define FS_IOC32_SETFLAGS _IOW('f', 2, int)
#endif

/* Runs fn(arg) in a child, under prog when not NULL; returns its errno, 0 on success,
 * or -1 when it did not exit normally. */
static int errno_of(const struct ns_seccomp_prog *prog, long (*fn)(unsigned long),
		    unsigned long arg)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct ns_err err;
		signal(SIGSEGV, SIG_DFL); /* int 0x80 without ia32 emulation: die quietly */
		if (prog && (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 ||
			     ns_seccomp_install(prog, &err) < 0))
			_exit(100);
		long r = fn(arg);
		_exit(r < 0 ? (errno < 99 ? errno : 99) : 0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long do_ioctl(unsigned long req)
{
	return syscall(SYS_ioctl, -1, req, 0L);
}

static long do_file_setattr(unsigned long unused)
{
	(void)unused;
	return syscall(469, -1, "", 0L, 0L, 0L);
}

#if defined(__x86_64__)
/* The 32-bit ABI's ioctl (54), or getpid (20) when req is 0. */
static long do_int80(unsigned long req)
{
	long ret = req ? 54 : 20;
	__asm__ volatile("int $0x80" : "+a"(ret) : "b"(-1), "c"(req), "d"(0) : "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return 0;
}
#endif

static int test_guard(void)
{
	struct ns_err err;
	struct ns_seccomp_prog g = {0};
	CHECK_OK(ns_seccomp_guard_build(&g, &err), &err);
	int e = errno_of(&g, do_ioctl, FS_IOC_FSSETXATTR);
	if (e == 100) { /* qemu-user refuses PR_SET_SECCOMP: its filter would bind qemu */
		ns_seccomp_prog_free(&g);
		return ns_test_skip("cannot install a seccomp filter here");
	}
	CHECK_INT(e, EPERM);
	CHECK_INT(errno_of(&g, do_ioctl, FS_IOC_SETFLAGS), EPERM);
	CHECK_INT(errno_of(&g, do_ioctl, FS_IOC32_SETFLAGS), EPERM);
	if (sizeof(long) > 4)
		CHECK_INT(errno_of(&g, do_ioctl, (unsigned long)(~0ull << 32) | FS_IOC_FSSETXATTR),
			  EPERM);
	/* reading passes, and so does every other request */
	CHECK_INT(errno_of(&g, do_ioctl, FS_IOC_FSGETXATTR), EBADF);
	CHECK_INT(errno_of(&g, do_ioctl, FS_IOC_GETFLAGS), EBADF);
	CHECK_INT(errno_of(&g, do_ioctl, FIONREAD), EBADF);
	CHECK_INT(errno_of(&g, do_file_setattr, 0), EPERM);
	ns_seccomp_prog_free(&g);
	return 0;
}

static int test_guard_compat_abi(void)
{
#if defined(__x86_64__)
	if (errno_of(NULL, do_int80, 0) != 0)
		return ns_test_skip("no 32-bit ABI (ia32 emulation) on this kernel");
	struct ns_err err;
	struct ns_seccomp_prog g = {0};
	CHECK_OK(ns_seccomp_guard_build(&g, &err), &err);
	CHECK_INT(errno_of(&g, do_int80, FS_IOC_FSSETXATTR), EPERM);
	CHECK_INT(errno_of(&g, do_int80, FS_IOC32_SETFLAGS), EPERM);
	CHECK_INT(errno_of(&g, do_int80, FS_IOC_FSGETXATTR), EBADF);
	CHECK_INT(errno_of(&g, do_int80, 0), 0); /* getpid: other calls pass */
	ns_seccomp_prog_free(&g);
	return 0;
#else
	return ns_test_skip("the 32-bit ABI check is written for x86_64");
#endif
}

NS_TEST_MAIN(T(test_guard), T(test_guard_compat_abi))

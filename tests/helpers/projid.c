/* projid: reads or sets a file's quota project id, as a container could. Used by the
 * persist quota tests (tests/vm/persist.test.sh, tests/integration/sec_persist.sh).
 *
 * usage: projid PATH            prints the project id of PATH (not following a symlink)
 *        projid PATH ID         sets it (FS_IOC_FSSETXATTR); prints "ok" or the errno name
 *        projid PATH ID wide    the same with bits above 32 set in the request number
 *                               (the kernel reads only the low 32)
 *        projid PATH noinherit  clears FS_PROJINHERIT_FL (FS_IOC_SETFLAGS)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* errno names without glibc's strerrorname_np (musl has none) */
static const char *errname(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOTTY:
		return "ENOTTY";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EDQUOT:
		return "EDQUOT";
	default:
		return "error";
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: projid PATH [ID [wide] | noinherit]\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct fsxattr fa;
	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	if (argc == 2) {
		printf("%u\n", fa.fsx_projid);
		return 0;
	}
	if (!strcmp(argv[2], "noinherit")) {
		long flags = 0;
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
			flags = 0;
		flags &= ~(long)FS_PROJINHERIT_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
			printf("%s\n", errname(errno));
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	fa.fsx_projid = (unsigned)strtoul(argv[2], NULL, 0);
	unsigned long req = FS_IOC_FSSETXATTR;
	if (argc == 4)
		req |= (unsigned long)(~0ull << 32); /* 0 where long has 32 bits */
	if (syscall(SYS_ioctl, fd, req, &fa) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

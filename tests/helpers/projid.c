/* projid: reads or sets a file's quota project id, as a container could. Used by the
 * persist quota tests (tests/vm/persist.test.sh, tests/integration/sec_persist.sh).
 *
 * usage: projid PATH       prints the project id of PATH (not following a symlink)
 *        projid PATH ID    sets it (FS_IOC_FSSETXATTR); prints "ok" or the errno name
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: projid PATH [ID]\n");
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
	fa.fsx_projid = (unsigned)strtoul(argv[2], NULL, 0);
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

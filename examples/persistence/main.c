/* persistence: writes to and reads back a file in /data, the container's persist mount.
 * The runtime keeps that directory across restarts and versions (data_dir/<name>) and
 * wipes it on "uninstall --wipe". A path argument replaces /data/file, for trying the
 * program outside a container. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "examples/common/example.h"

#define GREETING "Hello!"

static void write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, GREETING, strlen(GREETING)) != (ssize_t)strlen(GREETING) ||
	    close(fd) < 0)
		ex_die("persistence", "write %s: %s", path, strerror(errno));
}

static void print_file(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		ex_die("persistence", "read %s: %s", path, strerror(errno));
	close(fd);
	printf("Content of %s: %.*s\n", path, (int)n, buf);
}

int main(int argc, char **argv)
{
	ex_line_buffered();
	const char *path = argc > 1 ? argv[1] : "/data/file";
	for (;;) {
		printf("Writing %s to %s\n", GREETING, path);
		write_file(path);
		print_file(path);
		ex_sleep_ms(1000);
	}
}

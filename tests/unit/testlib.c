#include "testlib.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char skip_reason[256];
static char tmpdir[256];

int ns_test_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	return NS_TEST_SKIP;
}

static void remove_tmpdir(void)
{
	if (tmpdir[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		(void)!system(cmd);
	}
}

const char *ns_test_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/ns-unit-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

const char *ns_test_write(const char *name, const void *data, size_t len)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", ns_test_tmpdir(), name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(1);
	}
	close(fd);
	return path;
}

int ns_test_run(const struct ns_test *tests, size_t n, int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int failed = 0;
	size_t run = 0;
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		if (only && !strstr(tests[i].name, only))
			continue;
		run++;
		skip_reason[0] = '\0';
		fflush(stdout);
		int r = tests[i].fn();
		if (r == 0) {
			printf("ok %zu - %s\n", i + 1, tests[i].name);
		} else if (r == NS_TEST_SKIP) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, tests[i].name,
			       skip_reason[0] ? skip_reason : "no reason given");
		} else {
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

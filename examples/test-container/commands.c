/* test-container: what each command does (tc.h). Failures go to stderr and end the
 * process with status 1, as an error returned from the Rust original's main does. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "examples/common/procinfo.h"
#include "tc.h"

/* The most leak-memory takes without being stopped, so that a run outside a cgroup
 * limit cannot take the machine's memory. */
#define LEAK_CAP (1ul << 30)

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fflush(stdout);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void cat(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("failed to open %s: %s", path, strerror(errno));
	char buf[4096];
	ssize_t n;
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			fail("failed to write to stdout");
	if (n < 0)
		fail("failed to read %s: %s", path, strerror(errno));
	close(fd);
	putchar('\n');
}

/* touch (message NULL) creates or truncates; write puts the message in. */
static void write_file(const char *path, const char *message)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail("failed to create %s: %s", path, strerror(errno));
	size_t len = message ? strlen(message) : 0;
	if ((len && write(fd, message, len) != (ssize_t)len) || close(fd) < 0)
		fail("failed to write %s: %s", path, strerror(errno));
}

static void inspect(void)
{
	pi_print_ids();
	pi_print_sched();
	pi_print_caps();
	pi_print_fds();
	pi_dump_file("/proc/self/mounts");
	pi_dump_file("/proc/self/limits");
}

/* A raw delete_module(NULL, flags): the seccomp probe. The manifest allows it only when
 * flags has no bits outside 0x06 or equals 1; anything else kills the container with
 * SIGSYS before this returns. The call itself fails harmlessly (no module name). */
static void call_delete_module(unsigned long flags)
{
	long r = syscall(SYS_delete_module, NULL, flags);
	printf("delete_module syscall was successful (%ld)\n", r);
}

/* Small allocations, each touched so it is really charged to the cgroup. */
static void leak_memory(void)
{
	printf("Leaking memory\n");
	fflush(stdout);
	for (unsigned long total = 0; total < LEAK_CAP; total += 1000) {
		char *p = malloc(1000);
		if (!p)
			fail("out of memory after %lu bytes", total);
		memset(p, 0xa5, 1000);
	}
	printf("Leaked %lu bytes without being stopped\n", LEAK_CAP);
}

void tc_run(const struct tc_command *c)
{
	switch (c->kind) {
	case TC_SLEEP:
		break;
	case TC_CAT:
		cat(c->path);
		break;
	case TC_CRASH:
		fflush(stdout);
		fprintf(stderr, "test-container panicked at 'witness me!'\n");
		exit(TC_PANIC_EXIT);
	case TC_EXIT:
		fflush(stdout);
		exit(c->code);
	case TC_INSPECT:
		inspect();
		break;
	case TC_PRINT:
		fprintf(c->to_stderr ? stderr : stdout, "%s\n", c->message);
		break;
	case TC_TOUCH:
		write_file(c->path, NULL);
		break;
	case TC_WRITE:
		write_file(c->path, c->message);
		break;
	case TC_CALL_DELETE_MODULE:
		call_delete_module(c->flags);
		break;
	case TC_SOCKET:
		fflush(stdout);
		exit(tc_socket(c->socket));
	case TC_LEAK_MEMORY:
		leak_memory();
		break;
	case TC_ECHO:
		for (int i = 0; i < c->nwords; i++)
			printf("%s%s", i ? " " : "", c->words[i]);
		printf("\n");
		break;
	}
	fflush(stdout);
}

/* Helpers shared by the examples (example.h). */
#include "example.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void ex_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

const char *ex_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

int ex_env_fd(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return -1;
	char *end;
	errno = 0;
	long fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 1 << 20)
		return -1;
	return (int)fd;
}

void ex_sleep_ms(unsigned ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

void ex_die(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

const char *ex_container(const char *fallback)
{
	return ex_env("NORTHSTAR_CONTAINER", fallback);
}

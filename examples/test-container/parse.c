/* test-container: command line parsing and the "Executing" line (tc.h). The syntax is
 * the clap subcommands of Northstar's test-container. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc.h"

struct spec {
	const char *name;
	enum tc_kind kind;
	int args; /* positional arguments; -1: one or more */
};

static const struct spec specs[] = {
    {"sleep", TC_SLEEP, 0},
    {"cat", TC_CAT, 1},
    {"crash", TC_CRASH, 0},
    {"exit", TC_EXIT, 1},
    {"inspect", TC_INSPECT, 0},
    {"print", TC_PRINT, 1},
    {"touch", TC_TOUCH, 1},
    {"write", TC_WRITE, 2},
    {"call-delete-module", TC_CALL_DELETE_MODULE, 1},
    {"socket", TC_SOCKET, 1},
    {"leak-memory", TC_LEAK_MEMORY, 0},
    {"echo", TC_ECHO, -1},
};

static int fail(char *why, size_t size, const char *fmt, const char *arg)
{
	snprintf(why, size, fmt, arg);
	return -1;
}

/* print's only option: --io stdout|stderr (or --io=...), anywhere after the name. */
static int take_io(int argc, char **argv, int *i, struct tc_command *c, char *why, size_t size)
{
	const char *v = NULL;
	if (!strcmp(argv[*i], "--io") && *i + 1 < argc)
		v = argv[++*i];
	else if (!strncmp(argv[*i], "--io=", 5))
		v = argv[*i] + 5;
	else
		return fail(why, size, "unexpected option '%s'", argv[*i]);
	if (strcmp(v, "stdout") && strcmp(v, "stderr"))
		return fail(why, size, "--io takes stdout or stderr, not '%s'", v);
	c->to_stderr = !strcmp(v, "stderr");
	return 0;
}

static int fill(struct tc_command *c, char **pos, int npos, char *why, size_t size)
{
	char *end;
	switch (c->kind) {
	case TC_CAT:
	case TC_TOUCH:
		c->path = pos[0];
		break;
	case TC_PRINT:
		c->message = pos[0];
		break;
	case TC_WRITE:
		c->message = pos[0];
		c->path = pos[1];
		break;
	case TC_SOCKET:
		c->socket = pos[0];
		break;
	case TC_EXIT: {
		errno = 0;
		long v = strtol(pos[0], &end, 10);
		if (errno || *end || end == pos[0] || v < INT_MIN || v > INT_MAX)
			return fail(why, size, "exit takes a number, not '%s'", pos[0]);
		c->code = (int)v;
		break;
	}
	case TC_CALL_DELETE_MODULE:
		errno = 0;
		c->flags = strtoul(pos[0], &end, 0);
		if (errno || *end || end == pos[0] || pos[0][0] == '-')
			return fail(why, size, "call-delete-module takes flags, not '%s'", pos[0]);
		break;
	case TC_ECHO:
		c->words = pos;
		c->nwords = npos;
		break;
	default:
		break;
	}
	return 0;
}

int tc_parse(int argc, char **argv, struct tc_command *c, char *why, size_t size)
{
	memset(c, 0, sizeof(*c));
	const struct spec *s = NULL;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (!strcmp(argv[0], specs[i].name))
			s = &specs[i];
	if (!s)
		return fail(why, size, "unknown command '%s'", argv[0]);
	c->kind = s->kind;
	/* Positional arguments are gathered in place at the front of argv + 1. */
	char **pos = argv + 1;
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (c->kind == TC_PRINT && !strncmp(argv[i], "--", 2)) {
			if (take_io(argc, argv, &i, c, why, size) < 0)
				return -1;
			continue;
		}
		pos[npos++] = argv[i];
	}
	if (s->args < 0 && npos < 1)
		return fail(why, size, "%s takes at least one argument", s->name);
	if (s->args >= 0 && npos != s->args) {
		snprintf(why, size, "%s takes %d argument(s), got %d", s->name, s->args, npos);
		return -1;
	}
	return fill(c, pos, npos, why, size);
}

void tc_print_executing(const struct tc_command *c)
{
	printf("Executing \"");
	switch (c->kind) {
	case TC_SLEEP:
		printf("Sleep");
		break;
	case TC_CAT:
		printf("Cat { path: \"%s\" }", c->path);
		break;
	case TC_CRASH:
		printf("Crash");
		break;
	case TC_EXIT:
		printf("Exit { code: %d }", c->code);
		break;
	case TC_INSPECT:
		printf("Inspect");
		break;
	case TC_PRINT:
		printf("Print { message: \"%s\", io: %s }", c->message,
		       c->to_stderr ? "Stderr" : "Stdout");
		break;
	case TC_TOUCH:
		printf("Touch { path: \"%s\" }", c->path);
		break;
	case TC_WRITE:
		printf("Write { message: \"%s\", path: \"%s\" }", c->message, c->path);
		break;
	case TC_CALL_DELETE_MODULE:
		printf("CallDeleteModule { flags: %lu }", c->flags);
		break;
	case TC_SOCKET:
		printf("Socket { socket: \"%s\" }", c->socket);
		break;
	case TC_LEAK_MEMORY:
		printf("LeakMemory");
		break;
	case TC_ECHO:
		printf("Echo { message: [");
		for (int i = 0; i < c->nwords; i++)
			printf("%s\"%s\"", i ? ", " : "", c->words[i]);
		printf("] }");
		break;
	}
	printf("\"\n");
}

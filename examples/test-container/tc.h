/* test-container: the command interpreter the runtime's scenario tests start (see
 * README.md). One command per start, given as the start arguments; or, with no
 * arguments, one per line on stdin. */
#ifndef TEST_CONTAINER_H
#define TEST_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

/* Rust's exit status after a panic, which the scenario tests expect from "crash". */
#define TC_PANIC_EXIT 101
/* Status of a command line that does not parse, as clap uses it. */
#define TC_USAGE_EXIT 2

enum tc_kind {
	TC_SLEEP,
	TC_CAT,
	TC_CRASH,
	TC_EXIT,
	TC_INSPECT,
	TC_PRINT,
	TC_TOUCH,
	TC_WRITE,
	TC_CALL_DELETE_MODULE,
	TC_SOCKET,
	TC_LEAK_MEMORY,
	TC_ECHO,
};

struct tc_command {
	enum tc_kind kind;
	const char *path;    /* cat, touch, write */
	const char *message; /* print, write */
	const char *socket;  /* socket */
	int code;	     /* exit */
	unsigned long flags; /* call-delete-module */
	bool to_stderr;	     /* print --io stderr */
	char **words;	     /* echo */
	int nwords;
};

/* Parses argv (argv[0] is the command name). On failure writes why and returns -1. */
int tc_parse(int argc, char **argv, struct tc_command *c, char *why, size_t size);

/* Prints Executing "<the command as Rust's Debug shows it>". */
void tc_print_executing(const struct tc_command *c);

/* Runs the command. Returns when the command is one that returns (the caller then
 * prints "Sleeping..." and waits); exits the process otherwise. */
void tc_run(const struct tc_command *c);

/* The socket command: the exit status (0 when every check passed). */
int tc_socket(const char *name);

#endif

/* test-container: the container the runtime's scenario tests start and drive. See
 * README.md for the commands and what each prints.
 *
 * A command comes as the start arguments ("nstar start test-container '<INIT>' cat
 * /resource/hello"), as with Northstar's test-container. Without arguments the
 * commands are read from stdin, one per line with shell-like quoting, which is how the
 * program is exercised outside a container; inside one, stdin is /dev/null, so no
 * arguments means "sleep" there, again as in Northstar. After a command that returns,
 * the program prints "Sleeping..." and waits to be stopped. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples/common/example.h"
#include "tc.h"

#define MAX_WORDS 64

static void park(void)
{
	printf("Sleeping...\n");
	fflush(stdout);
	for (;;)
		pause();
}

static void usage_exit(const char *why)
{
	fprintf(stderr, "test-container: %s\n", why);
	exit(TC_USAGE_EXIT);
}

/* Runs one parsed command line; parks for sleep. */
static void execute(int argc, char **argv)
{
	struct tc_command c;
	char why[256];
	if (tc_parse(argc, argv, &c, why, sizeof(why)) < 0)
		usage_exit(why);
	tc_print_executing(&c);
	tc_run(&c);
	if (c.kind == TC_SLEEP)
		park();
}

static int split_error(char *why, size_t size, const char *what)
{
	snprintf(why, size, "%s", what);
	return -1;
}

/* Splits a line into words in place: blanks separate, '...' and "..." group, and a
 * backslash escapes the next character outside single quotes. */
static int split(char *line, char **words, char *why, size_t size)
{
	int n = 0;
	char *in = line, *out = line;
	while (*in) {
		while (isspace((unsigned char)*in))
			in++;
		if (!*in)
			break;
		if (n == MAX_WORDS)
			return split_error(why, size, "too many words");
		words[n++] = out;
		char quote = 0;
		for (; *in && (quote || !isspace((unsigned char)*in)); in++) {
			if (!quote && (*in == '"' || *in == '\''))
				quote = *in;
			else if (quote && *in == quote)
				quote = 0;
			else if (*in == '\\' && quote != '\'' && in[1])
				*out++ = *++in;
			else
				*out++ = *in;
		}
		if (quote)
			return split_error(why, size, "unterminated quote");
		if (*in)
			in++;
		*out++ = '\0';
	}
	return n;
}

static void run_stdin(void)
{
	char *line = NULL, *words[MAX_WORDS], why[128];
	size_t cap = 0;
	bool any = false;
	while (getline(&line, &cap, stdin) > 0) {
		int n = split(line, words, why, sizeof(why));
		if (n < 0)
			usage_exit(why);
		if (n == 0 || words[0][0] == '#')
			continue;
		any = true;
		execute(n, words);
	}
	free(line);
	if (!any) { /* nothing at all: Northstar's default command */
		char sleep[] = "sleep", *argv[] = {sleep, NULL};
		execute(1, argv);
	}
	park();
}

int main(int argc, char **argv)
{
	ex_line_buffered();
	if (argc > 1)
		execute(argc - 1, argv + 1);
	else
		run_stdin();
	park();
}

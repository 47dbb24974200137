/* The nstar applet: what its files share. main.c parses the global options and hands
 * each command its own argv (argv[0] is the command's name); a command returns the exit
 * status: 0, NSTAR_EXIT_FAIL for a runtime error ("Error: ..." on stderr), EXIT_USAGE
 * (applet.h) for a bad command line. */
#ifndef NS_NSTAR_H
#define NS_NSTAR_H

#include <stdbool.h>
#include <stdint.h>

#include "args.h"
#include "client.h"
#include "libns/err.h"
#include "libns/version.h"

#define NSTAR_EXIT_FAIL 1
/* Where -u/--url is taken from when it is not given. */
#define NSTAR_URL_ENV NSTAR_URL_ENV_NAME
/* The console of the shipped config/northstar.yaml (console.global.bind). */
#define NSTAR_DEFAULT_URL "unix:///run/northstar/console"

/* The global options, parsed once. */
struct nstar {
	struct nstar_url url;
	const char *url_origin; /* "nstar's default", "NSTAR_URL", "--url": for errors */
	bool json;		/* -j: the raw session on stdout, no pretty output */
	uint64_t timeout_ns;	/* -t: handshake timeout */
	bool pretty;		/* stdout is a terminal: tables with borders */
	bool color;		/* pretty, NO_COLOR unset or empty, and TERM is not dumb */
	bool progress;		/* stderr is a terminal: install shows a progress bar */
};

/* What a positional argument completes to, for the completion scripts. */
enum nstar_arg_kind {
	NSTAR_ARG_NONE,
	NSTAR_ARG_FILE,
	NSTAR_ARG_COMMAND,
	NSTAR_ARG_CONTAINER,  /* the first operand is a container (asked of the runtime) */
	NSTAR_ARG_CONTAINERS, /* every operand is one */
};

struct nstar_flag {
	char short_name; /* 0 when there is none */
	const char *long_name;
	const char *value;	    /* the value's name, or NULL for a switch */
	const char *const *choices; /* NULL-terminated, or NULL for free values */
	bool file;		    /* the value is a path */
	const char *help;
};

struct nstar_cmd {
	const char *name;
	const char *alias; /* or NULL */
	const char *summary;
	const char *help; /* the text of 'nstar NAME --help' */
	int (*run)(const struct nstar *ns, int argc, char **argv);
	const struct nstar_flag *flags; /* terminated by a zeroed entry; NULL for none */
	enum nstar_arg_kind args;
};

/* The command table (main.c), in the order of the help text. */
extern const struct nstar_cmd nstar_cmds[];
extern const struct nstar_flag nstar_global_flags[];
extern const char nstar_usage[];
const struct nstar_cmd *nstar_find_cmd(const char *name);

/* The commands, one group per file. */
int nstar_cmd_list(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_inspect(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_mount(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_umount(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_start(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_kill(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_uninstall(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_repositories(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_shutdown(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_ident(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_install(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_notifications(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_token(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_verify_token(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_completion(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_seccomp(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_help(const struct nstar *ns, int argc, char **argv);
int nstar_cmd_logs(const struct nstar *ns, int argc, char **argv); /* logs.c */
extern const char nstar_help_logs[];
extern const struct nstar_flag nstar_flags_logs[];

extern const char nstar_help_list[], nstar_help_inspect[], nstar_help_mount[], nstar_help_umount[],
    nstar_help_start[], nstar_help_kill[], nstar_help_uninstall[], nstar_help_repositories[],
    nstar_help_shutdown[], nstar_help_ident[], nstar_help_install[], nstar_help_notifications[],
    nstar_help_token[], nstar_help_verify_token[], nstar_help_completion[], nstar_help_seccomp[],
    nstar_help_help[];
extern const struct nstar_flag nstar_flags_uninstall[], nstar_flags_notifications[],
    nstar_flags_completion[], nstar_flags_seccomp[], nstar_flags_list[], nstar_flags_output[];

/* -o FORMAT of list, inspect and repositories: "text" (tables) or "json" (the result
 * alone, as one JSON document on stdout; -j's wire form is another thing). Sets *json;
 * returns 0, or -2 after reporting a usage error. */
int nstar_output_opt(const struct nstar_cmd *cmd, const char *arg, bool *json);

/* Parses a command's options with getopt_long. Options stop at the first operand when
 * operands_end is set (start: the container's command line follows). -h/--help prints
 * the command's help. Returns the index of the first operand, or -1 after printing help
 * (exit 0), or -2 after a usage error was reported (exit 2). fn receives every other
 * option (its entry in cmd->flags and its value) and returns 0, or -2 after reporting
 * a usage error. */
typedef int (*nstar_opt_fn)(void *ctx, const struct nstar_flag *flag, const char *arg);
int nstar_getopt(const struct nstar_cmd *cmd, int argc, char **argv, bool operands_end,
		 nstar_opt_fn fn, void *ctx);
/* Checks the operand count for commands that take a fixed range. */
int nstar_operands(const struct nstar_cmd *cmd, int n, int min, int max);
/* The exit status for an option-parsing result below zero. */
static inline int nstar_opt_exit(int r)
{
	return r == -1 ? 0 : 2;
}

/* "nstar CMD: <message>" and the usage hint on stderr; returns EXIT_USAGE. */
int nstar_usage_error(const struct nstar_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "Error: <message>" on stderr; returns NSTAR_EXIT_FAIL. */
int nstar_fail(const struct ns_err *err);
int nstar_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct nstar_table;
/* Prints t on stdout in the output's mode (drawn and coloured, drawn, or TSV) unless
 * filling it failed (r < 0), frees it; returns the exit status. */
int nstar_table_finish(const struct nstar *ns, struct nstar_table *t, int r);

/* Checks a container operand; a malformed one is a usage error (-2, reported). */
int nstar_container_arg_check(const struct nstar_cmd *cmd, const char *text,
			      struct nstar_container_arg *out);
/* Resolves a short name with a list request: exactly one installed version must exist.
 * An operand with a version costs nothing. */
int nstar_container_resolve(struct nstar_conn *c, struct nstar_container_arg *a,
			    struct ns_err *err);

/* Connects, does the handshake and reports any failure as "Error: ..." (then returns
 * NSTAR_EXIT_FAIL); returns 0 with c ready. */
int nstar_open(const struct nstar *ns, bool subscribe, struct nstar_conn *c);

#endif

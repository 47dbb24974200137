/* nstar: the command-line client of the Northstar console.
 *
 * usage: nstar [-u URL] [-j] [-t DURATION] COMMAND [ARGS...]
 *
 *   list, ls              repositories, repos     mount          umount
 *   start                 kill                    install        uninstall
 *   shutdown              notifications           inspect        token
 *   verify-token          ident                   completion     seccomp
 *   help
 *
 * The full text is nstar_usage below (docs/nstar.md carries the same text; a test
 * compares them). Each command lives with its group: containers.c (list, inspect,
 * mount, umount, start, kill, uninstall), runtime.c (repositories, shutdown, ident),
 * install.c, notifications.c, tokens.c, completion.c, seccomp.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/units.h"
#include "libns/util.h"
#include "nstar.h"
#include "table.h"

const char nstar_usage[] =
    "usage: nstar [-u URL] [-j] [-t DURATION] COMMAND [ARGS...]\n"
    "\n"
    "Command-line client of the Northstar console (Northstar API version " NS_COMPAT_VERSION ").\n"
    "\n"
    "Options:\n"
    "  -u, --url URL            console address: tcp://HOST[:PORT] (port 4200 by\n"
    "                           default) or unix:///PATH; HOST is an IPv4 address,\n"
    "                           [IPv6] or localhost (default: $NSTAR_URL, else\n"
    "                           unix:///run/northstar/console, the console of the\n"
    "                           shipped configuration)\n"
    "  -j, --json               print the raw session instead: every byte sent and\n"
    "                           received, handshake included\n"
    "  -t, --timeout DURATION   handshake timeout, as 500ms, 10s or 1m (default: 10s)\n"
    "  -h, --help               print this help\n"
    "  -V, --version            print the version\n"
    "\n"
    "Commands:\n"
    "  list, ls                 list the containers with their state\n"
    "  repositories, repos      list the repositories\n"
    "  mount                    mount containers\n"
    "  umount                   umount containers\n"
    "  start                    start a container\n"
    "  kill                     send a signal to a container\n"
    "  install                  install an NPK into a repository\n"
    "  uninstall                uninstall a container\n"
    "  shutdown                 shut the runtime down\n"
    "  notifications            print notifications as they arrive\n"
    "  inspect                  print what the runtime knows of a container, as JSON\n"
    "  logs                     print a container's recent output\n"
    "  token                    create a token\n"
    "  verify-token             verify a token\n"
    "  ident                    print the identity of this console connection\n"
    "  completion               print a shell completion script\n"
    "  seccomp                  turn an strace log into a manifest seccomp section\n"
    "  help                     print the help of a command\n"
    "\n"
    "A CONTAINER operand is NAME:VERSION, or NAME alone when exactly one version of it\n"
    "is installed (nstar then asks the runtime with a list request first).\n"
    "\n"
    "Tables are drawn on a terminal (coloured unless NO_COLOR is set or TERM is dumb);\n"
    "otherwise each row is one line of tab-separated columns under a title line.\n"
    "'list', 'inspect' and 'repositories' take -o json for the result alone as JSON.\n"
    "\n"
    "Exit status: 0 on success, 1 on an error (printed as 'Error: ...' on stderr), 2 on\n"
    "a usage error. 'nstar COMMAND --help' describes a command.\n";

static const char *const formats[] = {"text", "json", NULL};
static const char *const shells[] = {"bash", "elvish", "fish", "powershell", "zsh", NULL};

const struct nstar_flag nstar_global_flags[] = {
    {'u', "url", "URL", NULL, false, "console address"},
    {'j', "json", NULL, NULL, false, "print the raw session"},
    {'t', "timeout", "DURATION", NULL, false, "handshake timeout"},
    {'h', "help", NULL, NULL, false, "print the help"},
    {'V', "version", NULL, NULL, false, "print the version"},
    {0},
};
const struct nstar_flag nstar_flags_output[] = {
    {'o', "output", "FORMAT", formats, false, "text (tables) or json (the result as JSON)"},
    {0},
};
const struct nstar_flag nstar_flags_list[] = {
    {'o', "output", "FORMAT", formats, false, "text (tables) or json (the result as JSON)"},
    {0, "names", NULL, NULL, false, "print NAME:VERSION of each container, one a line"},
    {0},
};
const struct nstar_flag nstar_flags_uninstall[] = {
    {'w', "wipe", NULL, NULL, false, "also delete the container's persistent data"},
    {0},
};
const struct nstar_flag nstar_flags_notifications[] = {
    {'n', "number", "N", NULL, false, "exit after N notifications"},
    {0},
};
const struct nstar_flag nstar_flags_completion[] = {
    {'s', "shell", "SHELL", shells, false, "the shell to complete for"},
    {'o', "output", "FILE", NULL, true, "write the script to FILE"},
    {0},
};
const struct nstar_flag nstar_flags_seccomp[] = {
    {0, "no-default-profile", NULL, NULL, false, "list every call, without profile: default"},
    {0},
};

const struct nstar_cmd nstar_cmds[] = {
    {
	.name = "list",
	.alias = "ls",
	.summary = "list the containers with their state",
	.help = nstar_help_list,
	.run = nstar_cmd_list,
	.flags = nstar_flags_list,
    },
    {
	.name = "repositories",
	.alias = "repos",
	.summary = "list the repositories",
	.help = nstar_help_repositories,
	.run = nstar_cmd_repositories,
	.flags = nstar_flags_output,
    },
    {
	.name = "mount",
	.summary = "mount containers",
	.help = nstar_help_mount,
	.run = nstar_cmd_mount,
	.args = NSTAR_ARG_CONTAINERS,
    },
    {
	.name = "umount",
	.summary = "umount containers",
	.help = nstar_help_umount,
	.run = nstar_cmd_umount,
	.args = NSTAR_ARG_CONTAINERS,
    },
    {
	.name = "start",
	.summary = "start a container",
	.help = nstar_help_start,
	.run = nstar_cmd_start,
	.args = NSTAR_ARG_CONTAINER,
    },
    {
	.name = "kill",
	.summary = "send a signal to a container",
	.help = nstar_help_kill,
	.run = nstar_cmd_kill,
	.args = NSTAR_ARG_CONTAINER,
    },
    {
	.name = "install",
	.summary = "install an NPK into a repository",
	.help = nstar_help_install,
	.run = nstar_cmd_install,
	.args = NSTAR_ARG_FILE,
    },
    {
	.name = "uninstall",
	.summary = "uninstall a container",
	.help = nstar_help_uninstall,
	.run = nstar_cmd_uninstall,
	.flags = nstar_flags_uninstall,
	.args = NSTAR_ARG_CONTAINER,
    },
    {
	.name = "shutdown",
	.summary = "shut the runtime down",
	.help = nstar_help_shutdown,
	.run = nstar_cmd_shutdown,
    },
    {
	.name = "notifications",
	.summary = "print notifications as they arrive",
	.help = nstar_help_notifications,
	.run = nstar_cmd_notifications,
	.flags = nstar_flags_notifications,
    },
    {
	.name = "inspect",
	.summary = "print what the runtime knows of a container",
	.help = nstar_help_inspect,
	.run = nstar_cmd_inspect,
	.flags = nstar_flags_output,
	.args = NSTAR_ARG_CONTAINER,
    },
    {
	.name = "logs",
	.summary = "print a container's recent output",
	.help = nstar_help_logs,
	.run = nstar_cmd_logs,
	.flags = nstar_flags_logs,
	.args = NSTAR_ARG_CONTAINER,
    },
    {
	.name = "token",
	.summary = "create a token",
	.help = nstar_help_token,
	.run = nstar_cmd_token,
    },
    {
	.name = "verify-token",
	.summary = "verify a token",
	.help = nstar_help_verify_token,
	.run = nstar_cmd_verify_token,
    },
    {
	.name = "ident",
	.summary = "print the identity of this console connection",
	.help = nstar_help_ident,
	.run = nstar_cmd_ident,
    },
    {
	.name = "completion",
	.summary = "print a shell completion script",
	.help = nstar_help_completion,
	.run = nstar_cmd_completion,
	.flags = nstar_flags_completion,
    },
    {
	.name = "seccomp",
	.summary = "turn an strace log into a manifest seccomp section",
	.help = nstar_help_seccomp,
	.run = nstar_cmd_seccomp,
	.flags = nstar_flags_seccomp,
	.args = NSTAR_ARG_FILE,
    },
    {
	.name = "help",
	.summary = "print the help of a command",
	.help = nstar_help_help,
	.run = nstar_cmd_help,
	.args = NSTAR_ARG_COMMAND,
    },
    {.name = NULL},
};

const struct nstar_cmd *nstar_find_cmd(const char *name)
{
	for (const struct nstar_cmd *c = nstar_cmds; c->name; c++)
		if (!strcmp(name, c->name) || (c->alias && !strcmp(name, c->alias)))
			return c;
	return NULL;
}

int nstar_usage_error(const struct nstar_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "nstar%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'nstar %s%s--help' for more information.\n", cmd ? cmd->name : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

int nstar_fail(const struct ns_err *err)
{
	fprintf(stderr, "Error: %s\n", err->msg);
	return NSTAR_EXIT_FAIL;
}

int nstar_failf(const char *fmt, ...)
{
	va_list ap;
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return NSTAR_EXIT_FAIL;
}

int nstar_output_opt(const struct nstar_cmd *cmd, const char *arg, bool *json)
{
	if (!strcmp(arg, "json") || !strcmp(arg, "text")) {
		*json = !strcmp(arg, "json");
		return 0;
	}
	nstar_usage_error(cmd, "unknown output format '%s' (text or json)", arg);
	return -2;
}

int nstar_table_finish(const struct nstar *ns, struct nstar_table *t, int r)
{
	if (r == 0)
		nstar_table_print(t, stdout,
				  ns->color    ? NSTAR_TABLE_COLOR
				  : ns->pretty ? NSTAR_TABLE_PRETTY
					       : NSTAR_TABLE_TSV);
	nstar_table_free(t);
	return r < 0 ? nstar_failf("out of memory") : 0;
}

/* getopt_long's tables for cmd: long-only flags get values from 256 on. */
static void build_opts(const struct nstar_cmd *cmd, bool operands_end, char *shortopts,
		       struct option *longopts)
{
	char *s = shortopts;
	size_t n = 0;
	*s++ = operands_end ? '+' : ':';
	if (operands_end)
		*s++ = ':';
	for (size_t i = 0; cmd->flags && cmd->flags[i].long_name; i++) {
		const struct nstar_flag *f = &cmd->flags[i];
		int val = f->short_name ? f->short_name : 256 + (int)i;
		if (f->short_name) {
			*s++ = f->short_name;
			if (f->value)
				*s++ = ':';
		}
		longopts[n++] = (struct option){
		    f->long_name, f->value ? required_argument : no_argument, NULL, val};
	}
	*s++ = 'h';
	*s = '\0';
	longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[n] = (struct option){0};
}

static const struct nstar_flag *flag_of(const struct nstar_cmd *cmd, int val)
{
	for (size_t i = 0; cmd->flags && cmd->flags[i].long_name; i++)
		if (val == (cmd->flags[i].short_name ? cmd->flags[i].short_name : 256 + (int)i))
			return &cmd->flags[i];
	return NULL;
}

int nstar_getopt(const struct nstar_cmd *cmd, int argc, char **argv, bool operands_end,
		 nstar_opt_fn fn, void *ctx)
{
	char shortopts[64];
	struct option longopts[16];
	build_opts(cmd, operands_end, shortopts, longopts);
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(cmd->help, stdout);
			return -1;
		}
		if (c == ':')
			return nstar_usage_error(cmd, "option '%s' needs a value",
						 argv[optind - 1]),
			       -2;
		const struct nstar_flag *f = flag_of(cmd, c);
		if (c == '?' || !f) {
			if (optopt && optopt < 256)
				nstar_usage_error(cmd, "unknown option '-%c'", optopt);
			else
				nstar_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			return -2;
		}
		if (fn(ctx, f, optarg) < 0)
			return -2;
	}
	return optind;
}

int nstar_operands(const struct nstar_cmd *cmd, int n, int min, int max)
{
	if (n < min)
		return nstar_usage_error(cmd, "missing operand");
	if (max >= 0 && n > max)
		return nstar_usage_error(cmd, "too many operands");
	return 0;
}

int nstar_open(const struct nstar *ns, bool subscribe, struct nstar_conn *c)
{
	struct ns_err err;
	if (nstar_conn_open(c, &ns->url, ns->timeout_ns, subscribe, ns->json ? STDOUT_FILENO : -1,
			    &err) == 0)
		return 0;
	if (c->connected)
		return nstar_fail(&err);
	char hint[1024];
	return nstar_failf(
	    "%s\n  %s", err.msg,
	    nstar_connect_hint(&ns->url, ns->url_origin, err.errnum, hint, sizeof(hint)));
}

int nstar_cmd_help(const struct nstar *ns, int argc, char **argv)
{
	(void)ns;
	const struct nstar_cmd *self = nstar_find_cmd("help");
	int i = nstar_getopt(self, argc, argv, false, NULL, NULL);
	if (i < 0)
		return nstar_opt_exit(i);
	if (nstar_operands(self, argc - i, 0, 1))
		return EXIT_USAGE;
	if (i == argc) {
		fputs(nstar_usage, stdout);
		return 0;
	}
	const struct nstar_cmd *cmd = nstar_find_cmd(argv[i]);
	if (!cmd)
		return nstar_usage_error(self, "unknown command '%s'", argv[i]);
	fputs(cmd->help, stdout);
	return 0;
}

const char nstar_help_help[] = "usage: nstar help [COMMAND]\n"
			       "\n"
			       "Prints the help of COMMAND, or nstar's own without one.\n";

static int global_options(struct nstar *ns, int argc, char **argv, int *ret_optind)
{
	static const struct option opts[] = {
	    {"url", required_argument, NULL, 'u'},     {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0}};
	const char *url = getenv(NSTAR_URL_ENV);
	ns->url_origin = url && *url ? NSTAR_URL_ENV : "nstar's default";
	const char *timeout = "10s";
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:u:jt:hV", opts, NULL)) != -1) {
		if (c == 'u')
			url = optarg, ns->url_origin = "--url";
		else if (c == 'j')
			ns->json = true;
		else if (c == 't')
			timeout = optarg;
		else if (c == 'h')
			return fputs(nstar_usage, stdout), -1;
		else if (c == 'V')
			return printf("nstar (northstar) %s, Northstar API version %s\n",
				      NS_VERSION, NS_COMPAT_VERSION),
			       -1;
		else if (c == ':')
			return nstar_usage_error(NULL, "option '%s' needs a value",
						 argv[optind - 1]);
		else if (optopt)
			return nstar_usage_error(NULL, "unknown option '-%c'", optopt);
		else
			return nstar_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
	}
	struct ns_err err;
	if (!url || !*url)
		ns->url_origin = "nstar's default";
	if (nstar_url_parse(url && *url ? url : NSTAR_DEFAULT_URL, &ns->url, &err) < 0)
		return nstar_usage_error(NULL, "%s", err.msg);
	if (ns_parse_duration(timeout, &ns->timeout_ns) < 0)
		return nstar_usage_error(NULL, "invalid timeout '%s' (a duration such as 10s)",
					 timeout);
	*ret_optind = optind;
	return 0;
}

int nstar_main(int argc, char **argv)
{
	struct nstar ns = {0};
	int first = argc;
	int r = global_options(&ns, argc, argv, &first);
	if (r < 0)
		return 0;
	if (r > 0)
		return r;
	if (first >= argc)
		return nstar_usage_error(NULL, "missing command");
	const struct nstar_cmd *cmd = nstar_find_cmd(argv[first]);
	if (!cmd)
		return nstar_usage_error(NULL, "unknown command '%s'", argv[first]);
	ns.pretty = !ns.json && isatty(STDOUT_FILENO);
	ns.color = ns.pretty && nstar_color_wanted(getenv("NO_COLOR"), getenv("TERM"));
	ns.progress = !ns.json && isatty(STDERR_FILENO) && !nstar_term_dumb(getenv("TERM"));
	return cmd->run(&ns, argc - first, argv + first);
}

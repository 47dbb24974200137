/* nstar's commands about the runtime itself: repositories, shutdown, ident. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applets/applet.h"
#include "format.h"
#include "libns/util.h"
#include "nstar.h"
#include "table.h"

const char nstar_help_repositories[] =
    "usage: nstar repositories [-o FORMAT]\n"
    "alias: repos\n"
    "\n"
    "Lists the ids of the runtime's repositories, sorted.\n"
    "\n"
    "  -o, --output FORMAT   text (a table, the default) or json (an array of the ids)\n";

const char nstar_help_shutdown[] =
    "usage: nstar shutdown\n"
    "\n"
    "Asks the runtime to stop every container and exit. The runtime closes the\n"
    "connections as it goes, so a connection closed before the answer counts as done.\n";

const char nstar_help_ident[] = "usage: nstar ident\n"
				"\n"
				"Prints the identity the runtime gives this connection: "
				"extern:0.0.0 for its\n"
				"console socket, a container's NAME:VERSION inside a container.\n";

/* The common start of a command without operands: options, then the connection. */
static int no_operands(const struct nstar *ns, const char *name, int argc, char **argv,
		       struct nstar_conn *c, nstar_opt_fn fn, void *ctx)
{
	const struct nstar_cmd *cmd = nstar_find_cmd(name);
	int first = nstar_getopt(cmd, argc, argv, false, fn, ctx);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 0, 0))
		return EXIT_USAGE;
	return nstar_open(ns, false, c) ? NSTAR_EXIT_FAIL : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int print_repositories(const struct nstar *ns, const struct ns_console_response *resp,
			      bool json)
{
	static const char *const titles[] = {"Name"};
	static const unsigned char bold[] = {NSTAR_STYLE_BOLD};
	size_t n = resp->nrepositories;
	ns_autofree const char **ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return nstar_failf("out of memory");
	memcpy(ids, resp->repositories, n * sizeof(*ids));
	qsort(ids, n, sizeof(*ids), cmp_str);
	if (json) {
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ", " : "", stdout);
			nstar_json_string(stdout, ids[i]);
		}
		fputs("]\n", stdout);
		return 0;
	}
	struct nstar_table t;
	nstar_table_init(&t, titles, 1);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = nstar_table_add(&t, &ids[i], bold);
	return nstar_table_finish(ns, &t, r);
}

static int output_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	(void)flag;
	return nstar_output_opt(nstar_find_cmd("repositories"), arg, ctx);
}

int nstar_cmd_repositories(const struct nstar *ns, int argc, char **argv)
{
	struct nstar_conn c;
	bool json = false;
	int status = no_operands(ns, "repositories", argc, argv, &c, output_opt, &json);
	if (status >= 0)
		return status;
	struct ns_console_request req = {.kind = NS_REQ_REPOSITORIES};
	struct ns_console_frame f;
	struct ns_err err;
	if (nstar_conn_request(&c, &req, &f, &err) < 0) {
		status = nstar_fail(&err);
	} else {
		status = ns->json ? 0 : print_repositories(ns, &f.response, json);
		ns_console_frame_free(&f);
	}
	nstar_conn_close(&c);
	return status;
}

int nstar_cmd_shutdown(const struct nstar *ns, int argc, char **argv)
{
	struct nstar_conn c;
	int status = no_operands(ns, "shutdown", argc, argv, &c, NULL, NULL);
	if (status >= 0)
		return status;
	struct ns_console_request req = {.kind = NS_REQ_SHUTDOWN};
	struct ns_console_frame f;
	struct ns_err err;
	/* The runtime may close every connection before its answer reaches us. */
	int r = nstar_conn_request(&c, &req, &f, &err);
	if (r == 0)
		ns_console_frame_free(&f);
	nstar_conn_close(&c);
	if (r < 0 && err.errnum != ECONNRESET && err.errnum != EPIPE)
		return nstar_fail(&err);
	if (!ns->json)
		puts("shutdown");
	return 0;
}

int nstar_cmd_ident(const struct nstar *ns, int argc, char **argv)
{
	struct nstar_conn c;
	int status = no_operands(ns, "ident", argc, argv, &c, NULL, NULL);
	if (status >= 0)
		return status;
	struct ns_console_request req = {.kind = NS_REQ_IDENT};
	struct ns_console_frame f;
	struct ns_err err;
	if (nstar_conn_request(&c, &req, &f, &err) < 0) {
		status = nstar_fail(&err);
	} else {
		char id[NS_CONTAINER_ID_STR_MAX];
		if (!ns->json)
			puts(nstar_id_str(&f.response.ident, id, sizeof(id)));
		status = 0;
		ns_console_frame_free(&f);
	}
	nstar_conn_close(&c);
	return status;
}

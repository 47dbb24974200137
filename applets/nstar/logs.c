/* nstar logs: a container's recent output, as the runtime kept it (ours: a logs
 * request, which Northstar's console does not have); with -f, then the new lines as
 * they come, until Ctrl-C or the container is uninstalled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets/applet.h"
#include "format.h"
#include "libns/console_errtext.h"
#include "libns/utf8.h"
#include "nstar.h"

const char nstar_help_logs[] =
    "usage: nstar logs [-f] CONTAINER\n"
    "\n"
    "Prints the recent output of CONTAINER that the runtime kept, oldest first, one\n"
    "line each as '[stdout] text' or '[stderr] text' (control characters shown as\n"
    "escapes). Only the output its manifest sends to the runtime is kept\n"
    "(io: {stdout: pipe, stderr: pipe}); io defaults to discard, and then there is\n"
    "nothing to show. The runtime keeps the newest lines that fit in its\n"
    "log.ring_size (64KiB by default) from the container's last start, also after it\n"
    "exits, until it starts again or is uninstalled. Notes on stderr say how many\n"
    "older lines were overwritten and how many the runtime's log limits dropped.\n"
    "\n"
    "  -f, --follow   then print new lines as they come, until Ctrl-C or the\n"
    "                 container is uninstalled\n"
    "\n"
    "A follower that reads too slowly is disconnected by the runtime (as a slow\n"
    "notifications subscriber is).\n";

const struct nstar_flag nstar_flags_logs[] = {
    {'f', "follow", NULL, NULL, false, "then print new lines as they come"},
    {0},
};

static int logs_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	(void)flag;
	(void)arg;
	*(bool *)ctx = true;
	return 0;
}

static void print_lines(const struct ns_console_logs *l)
{
	for (size_t i = 0; i < l->nlines; i++) {
		const char *text = l->lines[i].text;
		size_t len = strlen(text), size = NS_UTF8_ESCAPE_MAX(len);
		char *esc = malloc(size);
		if (esc)
			ns_utf8_escape(text, len, esc, size);
		printf("[%s] %s\n", ns_log_stream_name(l->lines[i].stream), esc ? esc : "?");
		free(esc);
	}
	fflush(stdout);
}

static void note_dropped(const char *id, uint64_t n)
{
	fprintf(stderr, "nstar: %llu line%s of %s dropped by the runtime's log limits\n",
		(unsigned long long)n, n == 1 ? "" : "s", id);
}

/* The first answer: the lines kept so far, with notes on what is missing. */
static int first_answer(const struct nstar *ns, const struct ns_console_response *r, const char *id)
{
	if (!r->result.ok) {
		char text[2048];
		if (r->result.error.kind == NS_ERROR_INVALID_CONTAINER)
			return nstar_failf("no container %s is installed", id);
		return nstar_failf("%s", ns_console_errtext(&r->result.error, text, sizeof(text)));
	}
	if (ns->json)
		return 0;
	const struct ns_console_logs *l = &r->logs;
	if (l->not_recorded)
		fprintf(stderr, "nstar: nothing is recorded for %s: %s\n", id, l->not_recorded);
	if (l->overwritten)
		fprintf(stderr,
			"nstar: %llu older line%s of %s overwritten (log.ring_size is full)\n",
			(unsigned long long)l->overwritten, l->overwritten == 1 ? "" : "s", id);
	if (l->dropped)
		note_dropped(id, l->dropped);
	print_lines(l);
	return 0;
}

/* -f: logs responses until the end one; notifications and the rest are skipped. */
static int follow(const struct nstar *ns, struct nstar_conn *c, const char *id, uint64_t dropped)
{
	struct ns_err err;
	for (;;) {
		struct ns_console_frame f;
		int r = nstar_conn_recv(c, -1, &f, &err);
		if (r < 0)
			return nstar_fail(&err);
		if (r == 0)
			return nstar_failf("the runtime closed the connection while following %s "
					   "(it shut down, or this reader fell too far behind)",
					   id);
		bool end = false;
		if (f.kind == NS_FRAME_RESPONSE && f.response.kind == NS_RESP_LOGS &&
		    f.response.result.ok) {
			const struct ns_console_logs *l = &f.response.logs;
			if (!ns->json) {
				if (l->dropped > dropped)
					note_dropped(id, l->dropped - dropped);
				print_lines(l);
			}
			dropped = l->dropped;
			end = l->end;
		}
		ns_console_frame_free(&f);
		if (end) {
			if (!ns->json)
				fprintf(stderr, "nstar: %s was uninstalled: no more lines\n", id);
			return 0;
		}
	}
}

int nstar_cmd_logs(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("logs");
	struct nstar_container_arg arg;
	struct nstar_conn c;
	struct ns_err err;
	bool follow_opt = false;
	int first = nstar_getopt(cmd, argc, argv, false, logs_opt, &follow_opt);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 1, 1) ||
	    nstar_container_arg_check(cmd, argv[first], &arg))
		return EXIT_USAGE;
	if (nstar_open(ns, false, &c))
		return NSTAR_EXIT_FAIL;
	int status = 0;
	if (nstar_container_resolve(&c, &arg, &err) < 0) {
		status = nstar_fail(&err);
		goto out;
	}
	struct ns_console_request req = {
	    .kind = NS_REQ_LOGS, .container = ns_console_id_of(&arg.id), .follow = follow_opt};
	char id[NS_CONTAINER_ID_STR_MAX];
	nstar_id_str(&req.container, id, sizeof(id));
	struct ns_console_frame f;
	if (nstar_conn_request(&c, &req, &f, &err) < 0) {
		status = nstar_fail(&err);
		goto out;
	}
	status = first_answer(ns, &f.response, id);
	uint64_t dropped = f.response.logs.dropped;
	ns_console_frame_free(&f);
	if (status == 0 && follow_opt)
		status = follow(ns, &c, id, dropped);
out:
	nstar_conn_close(&c);
	return status;
}

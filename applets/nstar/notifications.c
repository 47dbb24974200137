/* nstar notifications: subscribe in the handshake, then print each notification as
 * one line until the connection ends or the count is reached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "applets/applet.h"
#include "format.h"
#include "nstar.h"

const char nstar_help_notifications[] =
    "usage: nstar notifications [-n N]\n"
    "\n"
    "Subscribes to the runtime's notifications and prints one line for each as it\n"
    "arrives, until the runtime closes the connection:\n"
    "  started NAME:VERSION\n"
    "  container NAME:VERSION exited with status exit code N\n"
    "  container NAME:VERSION exited with status signalled N\n"
    "  installed NAME:VERSION\n"
    "  uninstalled NAME:VERSION\n"
    "  container NAME:VERSION memory event Memory(MemoryNotification { ... })\n"
    "  shutting down\n"
    "\n"
    "  -n, --number N   exit after N notifications (an error if the connection ends\n"
    "                   first)\n";

struct notif_opts {
	bool counted;
	uint64_t number;
	const struct nstar_cmd *cmd;
};

static int notif_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	struct notif_opts *o = ctx;
	(void)flag;
	if (nstar_count_parse(arg, UINT64_MAX, &o->number) < 0)
		return nstar_usage_error(o->cmd, "invalid number '%s'", arg), -2;
	o->counted = true;
	return 0;
}

static int follow(const struct nstar *ns, struct nstar_conn *c, const struct notif_opts *o)
{
	struct ns_err err;
	for (uint64_t seen = 0; !o->counted || seen < o->number; seen++) {
		struct ns_console_frame f;
		int r = nstar_conn_recv(c, -1, &f, &err);
		if (r < 0)
			return nstar_fail(&err);
		if (r == 0 && o->counted)
			return nstar_failf("the connection closed after %llu of %llu notifications",
					   (unsigned long long)seen, (unsigned long long)o->number);
		if (r == 0)
			return 0;
		if (f.kind != NS_FRAME_NOTIFICATION) {
			ns_console_frame_free(&f);
			return nstar_failf(
			    "unexpected message from the server: not a notification");
		}
		if (!ns->json) {
			char line[2048];
			puts(nstar_notification_text(&f.notification, line, sizeof(line)));
			fflush(stdout);
		}
		ns_console_frame_free(&f);
	}
	return 0;
}

int nstar_cmd_notifications(const struct nstar *ns, int argc, char **argv)
{
	struct notif_opts o = {.cmd = nstar_find_cmd("notifications")};
	int first = nstar_getopt(o.cmd, argc, argv, false, notif_opt, &o);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(o.cmd, argc - first, 0, 0))
		return EXIT_USAGE;
	struct nstar_conn c;
	if (nstar_open(ns, true, &c))
		return NSTAR_EXIT_FAIL;
	int status = follow(ns, &c, &o);
	nstar_conn_close(&c);
	return status;
}

/* console: a container that talks to the runtime through its own console (the fd in
 * NORTHSTAR_CONSOLE). Its manifest grants ident, notifications, inspect, kill and list,
 * and nothing else: asking for the repositories is denied. At the end it asks the
 * runtime to stop it (kill with SIGTERM on its own id) and prints notifications until
 * that happens. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "examples/common/client.h"
#include "examples/common/example.h"

static void print_notification(const struct ns_console_notification *n, const char *line,
			       size_t len, void *ctx)
{
	(void)n;
	(void)ctx;
	printf("Notification: %.*s\n", (int)len, line);
}

static void die(const struct ns_err *err)
{
	ex_die("console", "%s", err->msg);
}

static void show_repositories(struct ex_client *c)
{
	struct ns_err err;
	struct ns_console_request req = {.kind = NS_REQ_REPOSITORIES};
	struct ns_console_frame f;
	if (ex_client_call(c, &req, &f, &err) < 0)
		die(&err);
	if (f.response.kind == NS_RESP_PERMISSION_DENIED)
		printf("Listing repositories is denied: permission denied\n");
	else
		for (size_t i = 0; i < f.response.nrepositories; i++)
			printf("Repository: %s\n", f.response.repositories[i]);
	ns_console_frame_free(&f);
}

/* "started" when inspect shows a process. */
static void show_state(struct ex_client *c, const struct ns_console_id *id)
{
	struct ns_err err;
	char s[NS_CONTAINER_ID_STR_MAX];
	struct ns_console_request req = {.kind = NS_REQ_INSPECT, .container = *id};
	struct ns_console_frame f;
	if (ex_client_call(c, &req, &f, &err) < 0)
		die(&err);
	ns_console_id_str(id, s, sizeof(s));
	if (f.response.kind != NS_RESP_INSPECT || !f.response.result.ok)
		printf("%s cannot be inspected\n", s);
	else
		printf("%s is %s\n", s, f.response.data.running ? "started" : "stopped");
	ns_console_frame_free(&f);
}

static void show_containers(struct ex_client *c)
{
	struct ns_err err;
	struct ns_console_request req = {.kind = NS_REQ_LIST};
	struct ns_console_frame f;
	if (ex_client_call(c, &req, &f, &err) < 0)
		die(&err);
	if (f.response.kind != NS_RESP_LIST)
		ex_die("console", "list: unexpected response");
	for (size_t i = 0; i < f.response.nlist; i++)
		show_state(c, &f.response.list[i]);
	ns_console_frame_free(&f);
}

/* SIGTERM to ourselves, through the runtime: it signals our process group. */
static void kill_self(struct ex_client *c, const struct ns_container_id *id)
{
	struct ns_err err;
	char s[NS_CONTAINER_ID_STR_MAX];
	struct ns_console_request req = {
	    .kind = NS_REQ_KILL, .container = ns_console_id_of(id), .signal = SIGTERM};
	struct ns_console_frame f;
	printf("Killing %s with SIGTERM\n", ns_container_id_str(id, s, sizeof(s)));
	if (ex_client_call(c, &req, &f, &err) < 0)
		die(&err);
	ns_console_frame_free(&f);
}

int main(void)
{
	ex_line_buffered();
	struct ex_client c;
	struct ns_err err;
	if (ex_client_connect(&c, true, &err) < 0)
		die(&err);
	c.on_notification = print_notification;
	struct ns_container_id me;
	char s[NS_CONTAINER_ID_STR_MAX];
	if (ex_client_ident(&c, &me, &err) < 0)
		die(&err);
	printf("We are %s\n", ns_container_id_str(&me, s, sizeof(s)));
	show_repositories(&c);
	show_containers(&c);
	kill_self(&c, &me);
	/* The signal ends us; until it arrives, show what the runtime reports. */
	while (ex_client_wait_notification(&c, &err) == 0)
		;
	ex_client_close(&c);
	for (;;)
		pause();
}

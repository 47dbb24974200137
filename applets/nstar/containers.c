/* nstar's container commands: list, inspect, mount, umount, start, kill, uninstall;
 * and the resolution of short names that several of them share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applets/applet.h"
#include "format.h"
#include "libns/console_errtext.h"
#include "libns/units.h"
#include "libns/util.h"
#include "nstar.h"
#include "table.h"

const char nstar_help_list[] =
    "usage: nstar list [-o FORMAT | --names]\n"
    "alias: ls\n"
    "\n"
    "Lists the installed containers: a list request, then an inspect request for each\n"
    "container. Apps come first, then resources, each sorted by name.\n"
    "\n"
    "Columns: Name, Version, Repository, Type (app when the manifest has an init,\n"
    "otherwise resource), Mounted (yes or no), PID and Uptime (empty unless running).\n"
    "\n"
    "  -o, --output FORMAT   text (the table, the default) or json: an array with an\n"
    "                        object for each container, with the keys name, version,\n"
    "                        repository, type, mounted, pid and uptime_ns (null\n"
    "                        unless running)\n"
    "  --names               print only NAME:VERSION of each container, one a line,\n"
    "                        sorted (one list request; the completion scripts use it)\n";

const char nstar_help_inspect[] =
    "usage: nstar inspect [-o FORMAT] CONTAINER\n"
    "\n"
    "Prints what the runtime knows of CONTAINER as indented JSON: its manifest, its\n"
    "repository, whether it is mounted, and for a running container the process (pid,\n"
    "uptime in nanoseconds, statistics).\n"
    "\n"
    "  -o, --output FORMAT   text or json: both print this JSON document\n";

const char nstar_help_mount[] = "usage: nstar mount CONTAINER...\n"
				"\n"
				"Mounts the containers (and the resources they use) in one "
				"request and prints a\n"
				"table of the result for each: ok, or what failed. Exits 1 when "
				"any failed.\n";

const char nstar_help_umount[] = "usage: nstar umount CONTAINER...\n"
				 "\n"
				 "Unmounts the containers in one request and prints a table of "
				 "the result for\n"
				 "each: ok, or what failed. Exits 1 when any failed.\n";

const char nstar_help_start[] =
    "usage: nstar start CONTAINER [KEY=VALUE...] [INIT [ARG...]]\n"
    "\n"
    "Starts CONTAINER. Without more words it starts as its manifest says. Otherwise\n"
    "the leading KEY=VALUE words replace the manifest's environment, the next word\n"
    "replaces its init ('<INIT>' in it stands for the manifest's init), and the words\n"
    "after that replace its arguments. The runtime grants this only to a console with\n"
    "the start_command permission; a plain start needs start.\n"
    "\n"
    "Example: nstar start hello-world DEBUG=1 '<INIT>' -v\n";

const char nstar_help_kill[] =
    "usage: nstar kill CONTAINER [SIGNAL]\n"
    "\n"
    "Sends SIGNAL to the container's process group: a number or a name such as TERM\n"
    "or SIGKILL (default 15, SIGTERM).\n";

const char nstar_help_uninstall[] =
    "usage: nstar uninstall [-w] CONTAINER\n"
    "\n"
    "Uninstalls CONTAINER; it is unmounted first, so it must not be running.\n"
    "\n"
    "  -w, --wipe   also delete the container's persistent data directory\n";

int nstar_container_arg_check(const struct nstar_cmd *cmd, const char *text,
			      struct nstar_container_arg *out)
{
	struct ns_err err;
	if (nstar_container_arg_parse(text, out, &err) < 0)
		return nstar_usage_error(cmd, "%s", err.msg), -2;
	return 0;
}

int nstar_container_resolve(struct nstar_conn *c, struct nstar_container_arg *a, struct ns_err *err)
{
	if (a->has_version)
		return 0;
	struct ns_console_request req = {.kind = NS_REQ_LIST};
	struct ns_console_frame f;
	int r = nstar_conn_request(c, &req, &f, err);
	if (r < 0)
		return r;
	r = nstar_container_pick(a, f.response.list, f.response.nlist, err);
	ns_console_frame_free(&f);
	return r;
}

/* Resolves the operands one by one, each short name with its own list request. */
static int resolve_all(struct nstar_conn *c, struct nstar_container_arg *args, size_t n)
{
	struct ns_err err;
	for (size_t i = 0; i < n; i++)
		if (nstar_container_resolve(c, &args[i], &err) < 0)
			return nstar_fail(&err);
	return 0;
}

static int result_fail(const struct ns_console_result *res)
{
	char text[2048];
	return nstar_failf("%s", ns_console_errtext(&res->error, text, sizeof(text)));
}

/* A command that takes exactly one container operand: connects and resolves it. */
static int one_container(const struct nstar *ns, const struct nstar_cmd *cmd, int argc, char **argv,
			 int first, struct nstar_conn *c, struct nstar_container_arg *arg)
{
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 1, 1) ||
	    nstar_container_arg_check(cmd, argv[first], arg))
		return EXIT_USAGE;
	if (nstar_open(ns, false, c))
		return NSTAR_EXIT_FAIL;
	if (resolve_all(c, arg, 1)) {
		nstar_conn_close(c);
		return NSTAR_EXIT_FAIL;
	}
	return 0;
}

/* --- list -------------------------------------------------------------------------- */

struct list_row {
	char *name;
	struct ns_version version;
	char *repository;
	bool app, mounted, running;
	uint32_t pid;
	uint64_t uptime_ns;
};

static int row_cmp(const void *a, const void *b)
{
	const struct list_row *x = a, *y = b;
	if (x->app != y->app)
		return x->app ? -1 : 1;
	int r = strcmp(x->name, y->name);
	return r ? r : ns_version_cmp(&x->version, &y->version);
}

static bool manifest_has_init(const cJSON *manifest)
{
	const cJSON *init = cJSON_GetObjectItemCaseSensitive(manifest, "init");
	return init && !cJSON_IsNull(init);
}

/* Inspects one listed container into row. */
static int inspect_row(struct nstar_conn *c, const struct ns_console_id *id, struct list_row *row,
		       struct ns_err *err)
{
	struct ns_console_request req = {.kind = NS_REQ_INSPECT, .container = *id};
	struct ns_console_frame f;
	int r = nstar_conn_request(c, &req, &f, err);
	if (r < 0)
		return r;
	const struct ns_console_response *resp = &f.response;
	if (!resp->result.ok) {
		char text[2048];
		ns_err_set(err, EIO, "%s",
			   ns_console_errtext(&resp->result.error, text, sizeof(text)));
		ns_console_frame_free(&f);
		return -EIO;
	}
	row->name = strdup(id->name);
	row->repository = strdup(resp->data.repository);
	row->version = id->version;
	row->app = manifest_has_init(resp->data.manifest);
	row->mounted = resp->data.mounted;
	row->running = resp->data.running;
	row->pid = resp->data.pid;
	row->uptime_ns = resp->data.uptime_ns;
	ns_console_frame_free(&f);
	if (!row->name || !row->repository)
		return ns_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static int print_list(const struct nstar *ns, struct list_row *rows, size_t n)
{
	static const char *const titles[] = {"Name",	"Version", "Repository", "Type",
					     "Mounted", "PID",	   "Uptime"};
	struct nstar_table t;
	nstar_table_init(&t, titles, ARRAY_SIZE(titles));
	qsort(rows, n, sizeof(*rows), row_cmp);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		char ver[64], pid[16] = "", up[128] = "";
		if (rows[i].running) {
			snprintf(pid, sizeof(pid), "%u", rows[i].pid);
			ns_format_duration(rows[i].uptime_ns, up, sizeof(up));
		}
		const char *cells[] = {rows[i].name,
				       ns_version_str(&rows[i].version, ver, sizeof(ver)),
				       rows[i].repository,
				       rows[i].app ? "app" : "resource",
				       rows[i].mounted ? "yes" : "no",
				       pid,
				       up};
		const unsigned char styles[] = {NSTAR_STYLE_BOLD,
						NSTAR_STYLE_NONE,
						NSTAR_STYLE_NONE,
						rows[i].app ? NSTAR_STYLE_BLUE : NSTAR_STYLE_GREEN,
						rows[i].mounted ? NSTAR_STYLE_YELLOW
								: NSTAR_STYLE_CYAN,
						NSTAR_STYLE_GREEN,
						NSTAR_STYLE_NONE};
		r = nstar_table_add(&t, cells, styles);
	}
	return nstar_table_finish(ns, &t, r);
}

static int list_rows(struct nstar_conn *c, struct list_row **ret_rows, size_t *ret_n,
		     struct ns_err *err)
{
	struct ns_console_request req = {.kind = NS_REQ_LIST};
	struct ns_console_frame f;
	int r = nstar_conn_request(c, &req, &f, err);
	if (r < 0)
		return r;
	size_t n = f.response.nlist;
	struct list_row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		r = ns_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < n; i++)
		r = inspect_row(c, &f.response.list[i], &rows[i], err);
	ns_console_frame_free(&f);
	*ret_rows = rows;
	*ret_n = n;
	return r;
}

/* -o json: the rows in the table's order, one object a line inside an array. */
static int print_list_json(struct list_row *rows, size_t n)
{
	qsort(rows, n, sizeof(*rows), row_cmp);
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++) {
		char ver[64];
		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", stdout);
		nstar_json_string(stdout, rows[i].name);
		printf(", \"version\": \"%s\", \"repository\": ",
		       ns_version_str(&rows[i].version, ver, sizeof(ver)));
		nstar_json_string(stdout, rows[i].repository);
		printf(", \"type\": \"%s\", \"mounted\": %s, ", rows[i].app ? "app" : "resource",
		       rows[i].mounted ? "true" : "false");
		if (rows[i].running)
			printf("\"pid\": %u, \"uptime_ns\": %llu}", rows[i].pid,
			       (unsigned long long)rows[i].uptime_ns);
		else
			fputs("\"pid\": null, \"uptime_ns\": null}", stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
	return fflush(stdout) == 0 ? 0 : nstar_failf("write to stdout failed");
}

static int id_cmp(const void *a, const void *b)
{
	const struct ns_console_id *x = a, *y = b;
	int r = strcmp(x->name, y->name);
	return r ? r : ns_version_cmp(&x->version, &y->version);
}

/* --names: the ids of one list request, without inspecting each (completion). */
static int print_names(struct nstar_conn *c)
{
	struct ns_console_request req = {.kind = NS_REQ_LIST};
	struct ns_console_frame f;
	struct ns_err err;
	if (nstar_conn_request(c, &req, &f, &err) < 0)
		return nstar_fail(&err);
	qsort(f.response.list, f.response.nlist, sizeof(*f.response.list), id_cmp);
	for (size_t i = 0; i < f.response.nlist; i++) {
		char id[NS_CONTAINER_ID_STR_MAX];
		puts(nstar_id_str(&f.response.list[i], id, sizeof(id)));
	}
	ns_console_frame_free(&f);
	return 0;
}

struct list_opts {
	bool json, names;
};

static int list_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	struct list_opts *o = ctx;
	if (flag->short_name == 'o')
		return nstar_output_opt(nstar_find_cmd("list"), arg, &o->json);
	o->names = true;
	return 0;
}

int nstar_cmd_list(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("list");
	struct list_opts o = {0};
	int first = nstar_getopt(cmd, argc, argv, false, list_opt, &o);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 0, 0))
		return EXIT_USAGE;
	if (o.names && o.json)
		return nstar_usage_error(cmd, "--names and --output json exclude each other");
	struct nstar_conn c;
	if (nstar_open(ns, false, &c))
		return NSTAR_EXIT_FAIL;
	if (o.names) {
		int status = print_names(&c);
		nstar_conn_close(&c);
		return status;
	}
	struct ns_err err;
	struct list_row *rows = NULL;
	size_t n = 0;
	int status = list_rows(&c, &rows, &n, &err) < 0 ? nstar_fail(&err) : 0;
	nstar_conn_close(&c);
	if (status == 0 && !ns->json)
		status = o.json ? print_list_json(rows, n) : print_list(ns, rows, n);
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].name);
		free(rows[i].repository);
	}
	free(rows);
	return status;
}

/* --- inspect ----------------------------------------------------------------------- */

/* ContainerData as serde_json's pretty printer writes it. */
static void print_container_data(const struct ns_container_data *d)
{
	fputs("{\n  \"manifest\": ", stdout);
	nstar_json_pretty(stdout, d->manifest, 1);
	fputs(",\n  \"repository\": ", stdout);
	nstar_json_string(stdout, d->repository);
	printf(",\n  \"mounted\": %s,\n  \"process\": ", d->mounted ? "true" : "false");
	if (d->running) {
		printf("{\n    \"pid\": %u,\n    \"uptime\": %llu,\n    \"statistics\": ", d->pid,
		       (unsigned long long)d->uptime_ns);
		nstar_json_pretty(stdout, d->statistics, 2);
		fputs("\n  }", stdout);
	} else {
		fputs("null", stdout);
	}
	fputs("\n}\n", stdout);
}

static int inspect_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	(void)flag;
	return nstar_output_opt(nstar_find_cmd("inspect"), arg, ctx);
}

int nstar_cmd_inspect(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("inspect");
	struct nstar_conn c;
	struct nstar_container_arg arg;
	bool json = false; /* the text form is JSON already */
	int first = nstar_getopt(cmd, argc, argv, false, inspect_opt, &json);
	int status = one_container(ns, cmd, argc, argv, first, &c, &arg);
	if (status || first < 0)
		return status;
	struct ns_console_request req = {.kind = NS_REQ_INSPECT,
					 .container = ns_console_id_of(&arg.id)};
	struct ns_console_frame f;
	struct ns_err err;
	if (nstar_conn_request(&c, &req, &f, &err) < 0) {
		status = nstar_fail(&err);
	} else {
		if (!f.response.result.ok)
			status = result_fail(&f.response.result);
		else if (!ns->json)
			print_container_data(&f.response.data);
		ns_console_frame_free(&f);
	}
	nstar_conn_close(&c);
	return status;
}

/* --- mount, umount ------------------------------------------------------------------- */

static int print_results(const struct nstar *ns, const struct ns_console_response *resp)
{
	static const char *const titles[] = {"Name", "Result"};
	static const unsigned char styles[] = {NSTAR_STYLE_BOLD, NSTAR_STYLE_NONE};
	struct nstar_table t;
	nstar_table_init(&t, titles, 2);
	int r = 0;
	for (size_t i = 0; i < resp->nresults && r == 0; i++) {
		const struct ns_console_result *res = &resp->results[i];
		char id[NS_CONTAINER_ID_STR_MAX], text[2048] = "ok";
		if (!res->ok)
			ns_console_errtext(&res->error, text, sizeof(text));
		const char *cells[] = {nstar_id_str(&res->container, id, sizeof(id)), text};
		r = nstar_table_add(&t, cells, styles);
	}
	return nstar_table_finish(ns, &t, r);
}

static int mount_request(const struct nstar *ns, struct nstar_conn *c, enum ns_request_kind kind,
			 struct nstar_container_arg *args, size_t n)
{
	ns_autofree struct ns_console_id *ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return nstar_failf("out of memory");
	for (size_t i = 0; i < n; i++)
		ids[i] = ns_console_id_of(&args[i].id);
	struct ns_console_request req = {.kind = kind, .containers = ids, .ncontainers = n};
	struct ns_console_frame f;
	struct ns_err err;
	if (nstar_conn_request(c, &req, &f, &err) < 0)
		return nstar_fail(&err);
	const struct ns_console_response *resp = &f.response;
	size_t failed = 0;
	for (size_t i = 0; i < resp->nresults; i++)
		failed += !resp->results[i].ok;
	int status = 0;
	if (resp->nresults != n)
		status = nstar_failf("the server answered %zu results for %zu containers",
				     resp->nresults, n);
	else if (!ns->json)
		status = print_results(ns, resp);
	if (status == 0 && failed)
		status = nstar_failf("%zu of %zu containers failed to %s", failed, n,
				     kind == NS_REQ_MOUNT ? "mount" : "umount");
	ns_console_frame_free(&f);
	return status;
}

static int mount_cmd(const struct nstar *ns, const char *name, enum ns_request_kind kind, int argc,
		     char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd(name);
	int first = nstar_getopt(cmd, argc, argv, false, NULL, NULL);
	if (first < 0)
		return nstar_opt_exit(first);
	size_t n = (size_t)(argc - first);
	ns_autofree struct nstar_container_arg *args = calloc(n ? n : 1, sizeof(*args));
	if (!args)
		return nstar_failf("out of memory");
	for (size_t i = 0; i < n; i++)
		if (nstar_container_arg_check(cmd, argv[first + (int)i], &args[i]))
			return EXIT_USAGE;
	struct nstar_conn c;
	if (nstar_open(ns, false, &c))
		return NSTAR_EXIT_FAIL;
	int status = resolve_all(&c, args, n);
	if (status == 0)
		status = mount_request(ns, &c, kind, args, n);
	nstar_conn_close(&c);
	return status;
}

int nstar_cmd_mount(const struct nstar *ns, int argc, char **argv)
{
	return mount_cmd(ns, "mount", NS_REQ_MOUNT, argc, argv);
}

int nstar_cmd_umount(const struct nstar *ns, int argc, char **argv)
{
	return mount_cmd(ns, "umount", NS_REQ_UMOUNT, argc, argv);
}

/* --- start, kill, uninstall ------------------------------------------------------------ */

/* Sends a request whose answer is one result; prints line (with the container's id
 * substituted for the first %s) on success. */
static int simple_request(const struct nstar *ns, struct nstar_conn *c,
			  const struct ns_console_request *req, const char *fmt, const char *tail)
{
	struct ns_console_frame f;
	struct ns_err err;
	int status = 0;
	if (nstar_conn_request(c, req, &f, &err) < 0)
		return nstar_fail(&err);
	if (!f.response.result.ok) {
		status = result_fail(&f.response.result);
	} else if (!ns->json) {
		char id[NS_CONTAINER_ID_STR_MAX];
		printf(fmt, nstar_id_str(&req->container, id, sizeof(id)));
		fputs(tail ? tail : "", stdout);
		fputc('\n', stdout);
	}
	ns_console_frame_free(&f);
	return status;
}

/* " k=v ... init arg ..." as start prints it after the id. */
static char *command_text(const struct nstar_command *cmd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return NULL;
	for (size_t i = 0; i < cmd->nenv; i++)
		fprintf(m, " %s=%s", cmd->env[i].key, cmd->env[i].value);
	if (cmd->init)
		fprintf(m, " %s", cmd->init);
	for (size_t i = 0; i < cmd->nargs; i++)
		fprintf(m, " %s", cmd->args[i]);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int nstar_cmd_start(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("start");
	int first = nstar_getopt(cmd, argc, argv, true, NULL, NULL);
	if (first < 0)
		return nstar_opt_exit(first);
	struct nstar_container_arg arg;
	if (nstar_operands(cmd, argc - first, 1, -1) ||
	    nstar_container_arg_check(cmd, argv[first], &arg))
		return EXIT_USAGE;
	struct nstar_command words;
	struct ns_err err;
	if (nstar_command_split(argc - first - 1, argv + first + 1, &words, &err) < 0)
		return nstar_fail(&err);
	ns_autofree char *tail = command_text(&words);
	struct nstar_conn c;
	int status = !tail ? nstar_failf("out of memory") : nstar_open(ns, false, &c);
	if (status) {
		nstar_command_free(&words);
		return status;
	}
	status = resolve_all(&c, &arg, 1);
	if (status == 0) {
		struct ns_console_request req = {.kind = NS_REQ_START,
						 .container = ns_console_id_of(&arg.id),
						 .init = words.init,
						 .arguments = words.args,
						 .narguments = words.nargs,
						 .environment = words.env,
						 .nenvironment = words.nenv};
		status = simple_request(ns, &c, &req, "started %s", tail);
	}
	nstar_conn_close(&c);
	nstar_command_free(&words);
	return status;
}

int nstar_cmd_kill(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("kill");
	int first = nstar_getopt(cmd, argc, argv, false, NULL, NULL);
	if (first < 0)
		return nstar_opt_exit(first);
	struct nstar_container_arg arg;
	int32_t sig = 15;
	if (nstar_operands(cmd, argc - first, 1, 2) ||
	    nstar_container_arg_check(cmd, argv[first], &arg))
		return EXIT_USAGE;
	if (argc - first == 2 && nstar_signal_parse(argv[first + 1], &sig) < 0)
		return nstar_usage_error(cmd, "invalid signal '%s'", argv[first + 1]);
	struct nstar_conn c;
	if (nstar_open(ns, false, &c))
		return NSTAR_EXIT_FAIL;
	int status = resolve_all(&c, &arg, 1);
	if (status == 0) {
		struct ns_console_request req = {
		    .kind = NS_REQ_KILL, .container = ns_console_id_of(&arg.id), .signal = sig};
		char tail[48];
		snprintf(tail, sizeof(tail), " with signal %d", (int)sig);
		status = simple_request(ns, &c, &req, "signalled %s", tail);
	}
	nstar_conn_close(&c);
	return status;
}

static int uninstall_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	(void)arg;
	if (flag->short_name == 'w')
		*(bool *)ctx = true;
	return 0;
}

int nstar_cmd_uninstall(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("uninstall");
	bool wipe = false;
	struct nstar_conn c;
	struct nstar_container_arg arg;
	int first = nstar_getopt(cmd, argc, argv, false, uninstall_opt, &wipe);
	int status = one_container(ns, cmd, argc, argv, first, &c, &arg);
	if (status || first < 0)
		return status;
	struct ns_console_request req = {
	    .kind = NS_REQ_UNINSTALL, .container = ns_console_id_of(&arg.id), .wipe = wipe};
	status = simple_request(ns, &c, &req, "uninstalled %s", NULL);
	nstar_conn_close(&c);
	return status;
}

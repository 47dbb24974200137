/* nstar install: the install line, then the NPK's bytes streamed in chunks (never the
 * whole file in memory), exactly as many as the line declares; a progress bar on stderr
 * when it is a terminal. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets/applet.h"
#include "format.h"
#include "libns/console_errtext.h"
#include "libns/util.h"
#include "nstar.h"

#define CHUNK	  (1u << 20) /* as Northstar's client */
#define BAR_WIDTH 30

const char nstar_help_install[] =
    "usage: nstar install NPK REPOSITORY\n"
    "\n"
    "Installs the NPK file into the runtime's repository REPOSITORY. The file is sent\n"
    "after the request as raw bytes, exactly as many as its size; on a terminal a\n"
    "progress bar on stderr shows how far it got.\n";

static void human_size(uint64_t n, char *buf, size_t size)
{
	if (n < 1024)
		snprintf(buf, size, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
}

static void progress(uint64_t done, uint64_t total)
{
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	unsigned fill = pct * BAR_WIDTH / 100;
	char bar[BAR_WIDTH + 1], a[32], b[32];
	for (unsigned i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	human_size(done, a, sizeof(a));
	human_size(total, b, sizeof(b));
	fprintf(stderr, "\r[%s] %3u%% %s / %s\033[K", bar, pct, a, b);
	fflush(stderr);
}

/* Copies exactly size bytes of fd to the connection. */
static int stream(const struct nstar *ns, struct nstar_conn *c, int fd, uint64_t size,
		  struct ns_err *err)
{
	ns_autofree char *buf = malloc(CHUNK);
	if (!buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	uint64_t done = 0;
	if (ns->progress)
		progress(0, size);
	while (done < size) {
		size_t want = size - done < CHUNK ? (size_t)(size - done) : CHUNK;
		ssize_t n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ns_err_sys(err, errno, "read the NPK");
		if (n == 0)
			return ns_err_set(err, EIO,
					  "the NPK shrank to %llu bytes while it was sent",
					  (unsigned long long)done);
		if (nstar_conn_write(c, buf, (size_t)n, err) < 0)
			return -err->errnum;
		done += (size_t)n;
		if (ns->progress)
			progress(done, size);
	}
	if (ns->progress)
		fputc('\n', stderr);
	return 0;
}

static int install(const struct nstar *ns, struct nstar_conn *c, int fd, uint64_t size,
		   const char *path, const char *repository)
{
	struct ns_console_request req = {
	    .kind = NS_REQ_INSTALL, .repository = repository, .size = size};
	struct ns_console_frame f;
	struct ns_err err;
	if (nstar_conn_send(c, &req, &err) < 0)
		return nstar_fail(&err);
	if (stream(ns, c, fd, size, &err) < 0) {
		if (ns->progress)
			fputc('\n', stderr);
		/* A runtime that refuses the install answers at once and closes without
		 * reading the bytes: its answer says more than the broken pipe. */
		struct ns_err why;
		if (err.errnum != EPIPE && err.errnum != ECONNRESET)
			return nstar_fail(&err);
		if (nstar_conn_response(c, NS_REQ_INSTALL, &f, &why) < 0)
			return nstar_fail(why.errnum == EACCES ? &why : &err);
		ns_console_frame_free(&f);
		return nstar_fail(&err);
	}
	if (nstar_conn_response(c, NS_REQ_INSTALL, &f, &err) < 0)
		return nstar_fail(&err);
	int status = 0;
	if (!f.response.result.ok) {
		char text[2048];
		status = nstar_failf(
		    "%s", ns_console_errtext(&f.response.result.error, text, sizeof(text)));
	} else if (!ns->json) {
		printf("installed %s into %s\n", path, repository);
	}
	ns_console_frame_free(&f);
	return status;
}

int nstar_cmd_install(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("install");
	int first = nstar_getopt(cmd, argc, argv, false, NULL, NULL);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 2, 2))
		return EXIT_USAGE;
	const char *path = argv[first], *repository = argv[first + 1];
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return nstar_failf("open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return nstar_failf("stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return nstar_failf("'%s' is not a regular file", path);
	struct nstar_conn c;
	if (nstar_open(ns, false, &c))
		return NSTAR_EXIT_FAIL;
	int status = install(ns, &c, fd, (uint64_t)st.st_size, path, repository);
	nstar_conn_close(&c);
	return status;
}

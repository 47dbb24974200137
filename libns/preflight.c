/* The preflight's list and the checks of the configuration's own files: keys, the
 * directories, the console's address. The system's side (kernel, cgroups, root) is in
 * preflight_sys.c. */
#include "preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "console_addr.h"
#include "hostpath.h"
#include "persist_quota.h"
#include "sign.h"
#include "util.h"

void ns_pf_list_free(struct ns_pf_list *l)
{
	free(l->v);
	*l = (struct ns_pf_list){0};
}

size_t ns_pf_count(const struct ns_pf_list *l, enum ns_pf_level level)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].level == level;
	return n;
}

const char *ns_pf_level_name(enum ns_pf_level level)
{
	return level == NS_PF_OK ? "ok" : level == NS_PF_WARN ? "warn" : "fail";
}

int ns_pf_add(struct ns_pf_list *l, enum ns_pf_level level, const char *what, const char *fmt, ...)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct ns_pf_finding *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	struct ns_pf_finding *f = &l->v[l->n++];
	f->level = level;
	snprintf(f->what, sizeof(f->what), "%s", what);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	return 0;
}

/* The fix names the gen-key command that makes this very file when it ends in .pub. */
static int key_fail(struct ns_pf_list *out, const char *what, const char *key, const char *msg)
{
	char dir[PATH_MAX], name[NAME_MAX + 1] = "NAME";
	const char *slash = strrchr(key, '/');
	size_t len = strlen(key);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - key) : 1, slash ? key : ".");
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	const char *base = slash ? slash + 1 : key;
	/* an existing file is never overwritten by gen-key: then only the first fix */
	bool pub =
	    len > 4 && !strcmp(key + len - 4, ".pub") && strlen(base) > 4 && access(key, F_OK) < 0;
	if (pub)
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 4), base);
	if (!pub)
		return ns_pf_add(
		    out, NS_PF_FAIL, what,
		    "%s: start-up refuses it; fix: point key: at the public key the "
		    "NPKs are signed with, or make a key pair (sextant gen-key -n NAME "
		    "-o DIR, then key: DIR/NAME.pub, and sign with DIR/NAME.key)",
		    msg);
	return ns_pf_add(out, NS_PF_FAIL, what,
			 "%s: start-up refuses it; fix: make the key pair (mkdir -p %s; sextant "
			 "gen-key -n %s -o %s) and sign the NPKs with %s/%s.key, or point key: "
			 "at the public key the NPKs are signed with",
			 msg, dir, name, dir, dir, name);
}

int ns_preflight_keys(const struct ns_config *c, struct ns_pf_list *out)
{
	for (size_t i = 0; i < c->nrepos; i++) {
		const struct ns_repo_config *rc = &c->repos[i];
		char what[NS_PF_WHAT_MAX];
		struct ns_pubkey key;
		struct ns_err err = {0};
		int r;
		snprintf(what, sizeof(what), "repository %s: key", rc->name);
		if (!rc->key)
			r = ns_pf_add(out, NS_PF_WARN, what,
				      "none: any NPK is accepted, signed or not; to accept only "
				      "signed ones, make a key pair (sextant gen-key -n NAME -o "
				      "DIR) and set key: DIR/NAME.pub");
		else if (ns_pubkey_load(rc->key, &key, &err) < 0)
			r = key_fail(out, what, rc->key, err.msg);
		else
			r = ns_pf_add(out, NS_PF_OK, what, "%s", rc->key);
		if (r < 0)
			return r;
	}
	return 0;
}

/* An absent directory: start-up makes it (mkdir -p) when its nearest existing
 * ancestor is a directory we may write. */
static int absent_dir(struct ns_pf_list *out, const char *what, const char *path, mode_t mode)
{
	char anc[PATH_MAX];
	struct stat st;
	snprintf(anc, sizeof(anc), "%s", path);
	for (;;) {
		char *slash = strrchr(anc, '/');
		if (!slash) {
			snprintf(anc, sizeof(anc), ".");
		} else if (slash == anc) {
			anc[1] = 0;
		} else {
			*slash = 0;
		}
		if (stat(anc, &st) == 0 || (errno != ENOENT && errno != ENOTDIR) ||
		    !strcmp(anc, "/") || !strcmp(anc, "."))
			break;
	}
	if (stat(anc, &st) < 0 || !S_ISDIR(st.st_mode))
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s does not exist and cannot be created: '%s' is no directory; "
				 "fix: create %s or set %s to another path",
				 path, anc, path, what);
	if (access(anc, W_OK | X_OK) < 0)
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s does not exist and cannot be created: '%s' is not writable "
				 "for us (uid %u); fix: create it (mkdir -p %s) or run as root",
				 path, anc, (unsigned)geteuid(), path);
	return ns_pf_add(out, NS_PF_OK, what,
			 "%s does not exist yet: start-up creates it (mode %04o)", path,
			 (unsigned)mode);
}

/* The rules a directory of the runtime meets: reached without a foreign symlink, a
 * directory, owned by root or us, writable by nobody else (anyone who can write there
 * can plant what the daemon or its containers then use). */
static int check_dir(struct ns_pf_list *out, const char *what, const char *path, mode_t mode)
{
	struct stat st;
	if (stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR))
		return absent_dir(out, what, path, mode);
	struct ns_err err = {0};
	ns_autoclose int fd = ns_hostpath_open(path, what, &err);
	if (fd < 0)
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s; fix: replace the symlink with the directory it points to, or "
				 "set %s to the real path",
				 err.msg, what);
	if (fstat(fd, &st) < 0)
		return ns_pf_add(out, NS_PF_FAIL, what, "stat %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s is no directory; fix: remove it or set %s to another path",
				 path, what);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ns_pf_add(
		    out, NS_PF_FAIL, what,
		    "%s is owned by uid %u, who can change what the daemon finds there; "
		    "fix: chown root: %s",
		    path, (unsigned)st.st_uid, path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s is writable by %s (mode %04o): anyone there can plant files "
				 "the daemon and its containers use; fix: chmod go-w %s",
				 path, st.st_mode & S_IWOTH ? "others" : "its group",
				 (unsigned)(st.st_mode & 07777), path);
	return ns_pf_add(out, NS_PF_OK, what, "%s (mode %04o)", path,
			 (unsigned)(st.st_mode & 07777));
}

int ns_preflight_dirs(const struct ns_config *c, struct ns_pf_list *out)
{
	int r;
	if ((r = check_dir(out, "run_dir", c->run_dir, 0755)) < 0 ||
	    (r = check_dir(out, "data_dir", c->data_dir, 0700)) < 0 ||
	    (r = check_dir(out, "socket_dir", c->socket_dir, 0755)) < 0)
		return r;
	for (size_t i = 0; i < c->nrepos; i++) {
		const struct ns_repo_config *rc = &c->repos[i];
		char what[NS_PF_WHAT_MAX];
		snprintf(what, sizeof(what), "repository %s: dir", rc->name);
		if (rc->type == NS_REPO_FS && (r = check_dir(out, what, rc->dir, 0700)) < 0)
			return r;
	}
	struct stat st;
	struct ns_err err = {0};
	if (!c->persist.quota)
		return 0;
	if (stat(c->data_dir, &st) < 0)
		return ns_pf_add(out, NS_PF_WARN, "persist",
				 "limits are set and data_dir %s does not exist yet: start-up "
				 "creates it and then checks that its file system enforces project "
				 "quotas; create it now on a file system mounted with prjquota to "
				 "be sure",
				 c->data_dir);
	if (ns_persist_quota_check(c->data_dir, &err) < 0)
		return ns_pf_add(out, NS_PF_FAIL, "persist", "%s", err.msg);
	return ns_pf_add(out, NS_PF_OK, "persist", "%s enforces project quotas", c->data_dir);
}

/* Whether start-up's mkdir -p of run_dir, data_dir or socket_dir makes dir. */
static bool made_at_start(const struct ns_config *c, const char *dir)
{
	const char *made[] = {c->run_dir, c->data_dir, c->socket_dir};
	size_t n = strlen(dir);
	for (size_t i = 0; i < 3; i++)
		if (!strncmp(made[i], dir, n) && (made[i][n] == '/' || !made[i][n]))
			return true;
	return false;
}

static int console_unix(const struct ns_config *c, const struct ns_console_addr *a,
			struct ns_pf_list *out)
{
	const char *what = "console";
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", a->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash == dir ? (void)(dir[1] = 0) : (void)(*slash = 0);
	struct stat st;
	if (stat(dir, &st) < 0 && errno == ENOENT && made_at_start(c, dir))
		return ns_pf_add(out, NS_PF_OK, what,
				 "unix://%s (its directory is made at start with the runtime's)",
				 a->path);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "unix://%s: the directory %s does not exist, and start-up does "
				 "not create it; fix: mkdir -p %s, or change console.global.bind",
				 a->path, dir, dir);
	if (access(dir, W_OK | X_OK) < 0)
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "unix://%s: %s is not writable for us (uid %u); fix: run as root "
				 "or change console.global.bind",
				 a->path, dir, (unsigned)geteuid());
	if (lstat(a->path, &st) < 0)
		return ns_pf_add(out, NS_PF_OK, what, "unix://%s", a->path);
	if (!S_ISSOCK(st.st_mode))
		return ns_pf_add(out, NS_PF_WARN, what,
				 "unix://%s exists and is no socket: start-up removes it; fix: "
				 "move it away, or change console.global.bind",
				 a->path);
	ns_autoclose int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, (const struct sockaddr *)&a->ss, a->len) == 0)
		return ns_pf_add(out, NS_PF_WARN, what,
				 "unix://%s: a daemon listens there now; a second one would take "
				 "the address from it: stop the first (nstar shutdown), or change "
				 "console.global.bind",
				 a->path);
	return ns_pf_add(out, NS_PF_OK, what, "unix://%s (a stale socket, replaced at start)",
			 a->path);
}

static int console_tcp(const char *bind_, const struct ns_console_addr *a, struct ns_pf_list *out)
{
	const char *what = "console";
	ns_autoclose int s = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (s < 0)
		return ns_pf_add(out, NS_PF_FAIL, what,
				 "%s: no socket of this family: %s; fix: a kernel with IPv4/IPv6, "
				 "or a unix:// address",
				 bind_, strerror(errno));
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (const struct sockaddr *)&a->ss, a->len) == 0)
		return ns_pf_add(out, NS_PF_OK, what, "%s", bind_);
	if (errno == EADDRINUSE)
		return ns_pf_add(out, NS_PF_WARN, what,
				 "%s is in use now (another northstard?): start-up fails unless it "
				 "is free then; fix: stop what listens there, or choose another "
				 "port in console.global.bind",
				 bind_);
	return ns_pf_add(out, NS_PF_FAIL, what,
			 "%s cannot be bound: %s; fix: an address of this host (127.0.0.1, or "
			 "one `ip addr` lists), a port we may use (ports below 1024 need root), "
			 "or a unix:// address in console.global.bind",
			 bind_, strerror(errno));
}

int ns_preflight_console(const struct ns_config *c, struct ns_pf_list *out)
{
	if (!c->has_global)
		return ns_pf_add(
		    out, NS_PF_WARN, "console",
		    "none: nstar cannot reach the daemon; fix: set console.global.bind "
		    "(e.g. unix:///run/northstar/console) and permissions");
	struct ns_console_addr a;
	struct ns_err err = {0};
	if (ns_console_addr_parse(c->global.bind, c->global.allow_remote, &a, &err) < 0)
		return ns_pf_add(out, NS_PF_FAIL, "console", "%s: %s", c->global.bind, err.msg);
	if (a.ss.ss_family == AF_UNIX)
		return console_unix(c, &a, out);
	return console_tcp(c->global.bind, &a, out);
}

#include "initproto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "launch.h"
#include "util.h"

/* Messages stay well below the default socket buffer. */
#define CHUNK	   (32u << 10)
#define HDR_MAGIC  "NSD1"
#define NMOUNT_MAX 1024
#define LIST_MAX   65536

/* --- encoding ------------------------------------------------------------------- */

static bool add_str(cJSON *o, const char *key, const char *s)
{
	if (!s)
		return cJSON_AddNullToObject(o, key) != NULL;
	return cJSON_AddStringToObject(o, key, s) != NULL;
}

static bool add_strs(cJSON *o, const char *key, const char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; a && i < n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(v[i])))
			return false;
	return a != NULL;
}

static cJSON *mount_json(const struct ns_rootfs_mount *m)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && add_str(o, "type", ns_mount_type_name(m->type)) &&
		  add_str(o, "target", m->target) && add_str(o, "source", m->source) &&
		  add_str(o, "subdir", m->subdir) && ns_json_add_u64(o, "options", m->options) &&
		  ns_json_add_u64(o, "size", m->size);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

char *ns_launch_desc_encode(const struct ns_launch_desc *d, struct ns_err *err)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *mounts = NULL;
	char *manifest = strndup(d->manifest ? d->manifest : "", d->manifest_len);
	bool ok =
	    o && manifest && add_str(o, "container", d->container) &&
	    add_str(o, "manifest", manifest) && add_str(o, "root", d->root) &&
	    add_str(o, "hostname", d->hostname) && add_str(o, "init", d->init) &&
	    add_strs(o, "args", d->args, d->nargs) && add_strs(o, "env", d->env, d->nenv) &&
	    add_str(o, "netns_dir", d->netns_dir) && add_str(o, "group_file", d->group_file) &&
	    add_str(o, "selinux_exec", d->selinux_exec) && ns_json_add_u64(o, "fds", d->nfds) &&
	    cJSON_AddBoolToObject(o, "seccomp_unfiltered", d->seccomp_unfiltered) &&
	    (mounts = cJSON_AddArrayToObject(o, "mounts")) != NULL;
	for (size_t i = 0; ok && i < d->nmounts; i++)
		ok = cJSON_AddItemToArray(mounts, mount_json(&d->mounts[i]));
	free(manifest);
	char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		ns_err_set(err, ENOMEM, "launch description: out of memory");
	return text;
}

/* --- decoding ------------------------------------------------------------------- */

static int get_str(const cJSON *o, const char *key, bool optional, const char **out,
		   struct ns_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if ((!v || cJSON_IsNull(v)) && optional) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(v))
		return ns_err_set(err, EINVAL, "launch description: '%s' is not a string", key);
	*out = v->valuestring;
	return 0;
}

static int get_u64(const cJSON *o, const char *key, uint64_t max, uint64_t *out, struct ns_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v || ns_json_get_u64(v, max, out) < 0)
		return ns_err_set(err, EINVAL, "launch description: '%s' is not a number <= %llu",
				  key, (unsigned long long)max);
	return 0;
}

/* Absent: false, the secure choice. */
static int get_opt_bool(const cJSON *o, const char *key, bool *out, struct ns_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = false;
	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return ns_err_set(err, EINVAL, "launch description: '%s' is not true or false",
				  key);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int get_strs(const cJSON *o, const char *key, const char ***out, size_t *n,
		    struct ns_err *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	int count = cJSON_GetArraySize(a);
	if (!cJSON_IsArray(a) || count > LIST_MAX)
		return ns_err_set(err, EINVAL, "launch description: '%s' is not a list", key);
	const char **v = calloc((size_t)count + 1, sizeof(*v));
	if (!v)
		return ns_err_set(err, ENOMEM, "launch description: out of memory");
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it)) {
			free(v);
			return ns_err_set(err, EINVAL,
					  "launch description: '%s' holds a non-string", key);
		}
		v[i++] = it->valuestring;
	}
	*out = v;
	*n = i;
	return 0;
}

static int mount_type(const char *s, enum ns_mount_type *t)
{
	for (int i = NS_MOUNT_BIND; i <= NS_MOUNT_SOCKETS; i++)
		if (s && !strcmp(s, ns_mount_type_name((enum ns_mount_type)i))) {
			*t = (enum ns_mount_type)i;
			return 0;
		}
	return -EINVAL;
}

static int get_mount(const cJSON *o, struct ns_rootfs_mount *m, struct ns_err *err)
{
	const char *type;
	uint64_t opts;
	if (!cJSON_IsObject(o))
		return ns_err_set(err, EINVAL, "launch description: a mount is not an object");
	if (get_str(o, "type", false, &type, err) < 0 || mount_type(type, &m->type) < 0)
		return ns_err_set(err, EINVAL, "launch description: bad mount type");
	if (get_str(o, "target", false, &m->target, err) < 0 ||
	    get_str(o, "source", true, &m->source, err) < 0 ||
	    get_str(o, "subdir", true, &m->subdir, err) < 0 ||
	    get_u64(o, "options", 0xff, &opts, err) < 0 ||
	    get_u64(o, "size", NS_JSON_MAX_EXACT - 1, &m->size, err) < 0)
		return ns_err_ret(err);
	m->options = (unsigned)opts;
	return 0;
}

static int get_mounts(const cJSON *o, struct ns_launch_desc *d, struct ns_err *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "mounts");
	int n = cJSON_GetArraySize(a);
	if (!cJSON_IsArray(a) || n > NMOUNT_MAX)
		return ns_err_set(err, EINVAL, "launch description: 'mounts' is not a list");
	d->mounts = calloc((size_t)n + 1, sizeof(*d->mounts));
	if (!d->mounts)
		return ns_err_set(err, ENOMEM, "launch description: out of memory");
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (get_mount(it, &d->mounts[d->nmounts], err) < 0)
			return ns_err_ret(err);
		d->nmounts++;
	}
	return 0;
}

static int decode_fields(const cJSON *o, struct ns_launch_desc *d, struct ns_err *err)
{
	uint64_t nfds;
	if (!cJSON_IsObject(o))
		return ns_err_set(err, EINVAL, "launch description: not an object");
	if (get_str(o, "container", false, &d->container, err) < 0 ||
	    get_str(o, "manifest", false, &d->manifest, err) < 0 ||
	    get_str(o, "root", false, &d->root, err) < 0 ||
	    get_str(o, "hostname", true, &d->hostname, err) < 0 ||
	    get_str(o, "init", false, &d->init, err) < 0 ||
	    get_str(o, "netns_dir", true, &d->netns_dir, err) < 0 ||
	    get_str(o, "group_file", true, &d->group_file, err) < 0 ||
	    get_str(o, "selinux_exec", true, &d->selinux_exec, err) < 0 ||
	    get_opt_bool(o, "seccomp_unfiltered", &d->seccomp_unfiltered, err) < 0 ||
	    get_strs(o, "args", &d->args, &d->nargs, err) < 0 ||
	    get_strs(o, "env", &d->env, &d->nenv, err) < 0 ||
	    get_u64(o, "fds", NS_LAUNCH_FDS_MAX, &nfds, err) < 0 || get_mounts(o, d, err) < 0)
		return ns_err_ret(err);
	d->manifest_len = strlen(d->manifest);
	d->nfds = (size_t)nfds;
	if (d->init[0] != '/')
		return ns_err_set(err, EINVAL, "launch description: init '%s' is not absolute",
				  d->init);
	for (size_t i = 0; i < d->nenv; i++)
		if (!strchr(d->env[i], '='))
			return ns_err_set(err, EINVAL,
					  "launch description: environment entry '%s' lacks '='",
					  d->env[i]);
	return 0;
}

int ns_launch_desc_decode(const char *text, size_t len, struct ns_launch_desc *d,
			  struct ns_err *err)
{
	memset(d, 0, sizeof(*d));
	d->json = cJSON_ParseWithLength(text, len);
	if (!d->json)
		return ns_err_set(err, EINVAL, "launch description: not JSON");
	int r = decode_fields(d->json, d, err);
	if (r < 0)
		ns_launch_desc_free(d);
	return r;
}

void ns_launch_desc_free(struct ns_launch_desc *d)
{
	free(d->args);
	free(d->env);
	free(d->mounts);
	cJSON_Delete(d->json);
	memset(d, 0, sizeof(*d));
}

/* --- transfer ------------------------------------------------------------------- */

static int send_msg(int sock, const void *data, size_t len, const int *fds, size_t nfds,
		    struct ns_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * NS_LAUNCH_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ns_err_sys(err, errno, "send to ns-init");
	if ((size_t)n != len)
		return ns_err_set(err, EIO, "send to ns-init: short message");
	return 0;
}

int ns_initproto_send(int sock, const char *data, size_t len, const int *fds, size_t nfds,
		      struct ns_err *err)
{
	if (nfds > NS_LAUNCH_FDS_MAX)
		return ns_err_set(err, EINVAL, "send to ns-init: %zu descriptors", nfds);
	char hdr[16];
	uint64_t l = len;
	memcpy(hdr, HDR_MAGIC, 4);
	memcpy(hdr + 4, &l, 8);
	if (send_msg(sock, hdr, 12, fds, nfds, err) < 0)
		return ns_err_ret(err);
	for (size_t off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		if (send_msg(sock, data + off, n, NULL, 0, err) < 0)
			return ns_err_ret(err);
	}
	return 0;
}

static int take_fds(struct msghdr *msg, int *fds, size_t maxfds, size_t *nfds, struct ns_err *err)
{
	*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[NS_LAUNCH_FDS_MAX];
		memcpy(got, CMSG_DATA(c), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (*nfds < maxfds)
				fds[(*nfds)++] = got[i];
			else
				close(got[i]);
		}
	}
	if ((msg->msg_flags & MSG_CTRUNC) || *nfds > maxfds)
		return ns_err_set(err, EMSGSIZE, "receive from the daemon: too many descriptors");
	return 0;
}

static ssize_t recv_retry(int sock, struct msghdr *msg, int flags)
{
	ssize_t n;
	do
		n = recvmsg(sock, msg, flags);
	while (n < 0 && errno == EINTR);
	return n;
}

static int recv_header(int sock, uint64_t *len, int *fds, size_t maxfds, size_t *nfds,
		       struct ns_err *err)
{
	char hdr[16];
	union {
		char buf[CMSG_SPACE(sizeof(int) * NS_LAUNCH_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = hdr, .iov_len = sizeof(hdr)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u)};
	ssize_t n = recv_retry(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return ns_err_sys(err, errno, "receive from the daemon");
	int r = take_fds(&msg, fds, maxfds, nfds, err);
	if (r < 0)
		return r;
	if (n != 12 || memcmp(hdr, HDR_MAGIC, 4) != 0)
		return ns_err_set(err, EBADMSG, "receive from the daemon: bad header");
	memcpy(len, hdr + 4, 8);
	return 0;
}

static int recv_body(int sock, char *buf, size_t len, struct ns_err *err)
{
	for (size_t off = 0; off < len;) {
		struct iovec iov = {.iov_base = buf + off, .iov_len = len - off};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recv_retry(sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0)
			return ns_err_sys(err, errno, "receive from the daemon");
		if (n == 0)
			return ns_err_set(err, EPIPE, "receive from the daemon: end of file");
		off += (size_t)n;
	}
	return 0;
}

int ns_initproto_recv(int sock, size_t max, char **data, size_t *len, int *fds, size_t maxfds,
		      size_t *nfds, struct ns_err *err)
{
	uint64_t l;
	int r = recv_header(sock, &l, fds, maxfds, nfds, err);
	if (r < 0)
		return r;
	if (l > max) {
		for (size_t i = 0; i < *nfds; i++)
			close(fds[i]);
		return ns_err_set(err, EMSGSIZE, "receive from the daemon: %llu bytes",
				  (unsigned long long)l);
	}
	char *buf = malloc((size_t)l + 1);
	if (!buf || recv_body(sock, buf, (size_t)l, err) < 0) {
		if (!buf)
			ns_err_set(err, ENOMEM, "receive from the daemon: out of memory");
		free(buf);
		for (size_t i = 0; i < *nfds; i++)
			close(fds[i]);
		return ns_err_ret(err);
	}
	buf[l] = '\0';
	*data = buf;
	*len = (size_t)l;
	return 0;
}

/* --- the go ---------------------------------------------------------------------- */

#define GO_MSG "go"

int ns_initproto_go(int sock, struct ns_err *err)
{
	return send_msg(sock, GO_MSG, strlen(GO_MSG), NULL, 0, err);
}

int ns_initproto_await_go(int sock, struct ns_err *err)
{
	char msg[8];
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recv_retry(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return ns_err_sys(err, errno, "wait for the daemon's go");
	if (n == 0)
		return ns_err_set(err, EPIPE, "the daemon ended the start before its go");
	if ((size_t)n != strlen(GO_MSG) || memcmp(msg, GO_MSG, (size_t)n) != 0 ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return ns_err_set(err, EBADMSG, "the daemon sent something else than its go");
	return 0;
}

/* --- reports -------------------------------------------------------------------- */

static const char *const report_names[] = {
    [NS_INIT_WARN] = "warn", [NS_INIT_STARTED] = "started",  [NS_INIT_ERROR] = "error",
    [NS_INIT_EXIT] = "exit", [NS_INIT_SIGNALLED] = "signal",
};

int ns_initproto_report(int sock, enum ns_init_report_kind kind, int32_t value, const char *text)
{
	char msg[NS_INITPROTO_REPORT_MAX + 32];
	int n;
	if (kind == NS_INIT_WARN || kind == NS_INIT_ERROR)
		n = snprintf(msg, sizeof(msg), "%s %.*s", report_names[kind],
			     NS_INITPROTO_REPORT_MAX - 1, text ? text : "");
	else
		n = snprintf(msg, sizeof(msg), "%s %d", report_names[kind], (int)value);
	ssize_t w;
	do
		w = send(sock, msg, (size_t)n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w < 0 ? -errno : 0;
}

static int parse_report(char *msg, struct ns_init_report *r, struct ns_err *err)
{
	char *sp = strchr(msg, ' ');
	if (!sp)
		return ns_err_set(err, EBADMSG, "ns-init sent a malformed report");
	*sp = '\0';
	const char *arg = sp + 1;
	for (size_t k = 0; k < ARRAY_SIZE(report_names); k++) {
		if (strcmp(msg, report_names[k]) != 0)
			continue;
		r->kind = (enum ns_init_report_kind)k;
		r->value = 0;
		r->text[0] = '\0';
		if (k == NS_INIT_WARN || k == NS_INIT_ERROR) {
			snprintf(r->text, sizeof(r->text), "%s", arg);
			return 1;
		}
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < INT32_MIN || v > INT32_MAX)
			break;
		r->value = (int32_t)v;
		return 1;
	}
	return ns_err_set(err, EBADMSG, "ns-init sent a malformed report");
}

int ns_initproto_read_report(int sock, struct ns_init_report *r, struct ns_err *err)
{
	char msg[NS_INITPROTO_REPORT_MAX + 33];
	ssize_t n;
	bool reset = false;
	/* ns-init that ends with our go unread resets the connection: the error comes once,
	 * ahead of the reports still queued (its reason for ending among them) */
	do
		n = recv(sock, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && !reset && (reset = true))));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n < 0)
		return ns_err_sys(err, errno, "read ns-init's report");
	if (n == 0)
		return 0;
	if ((size_t)n >= sizeof(msg))
		return ns_err_set(err, EBADMSG, "ns-init sent an oversized report");
	msg[n] = '\0';
	if (memchr(msg, '\0', (size_t)n))
		return ns_err_set(err, EBADMSG, "ns-init sent a report with NUL");
	return parse_report(msg, r, err);
}

/* Notifications (server to subscribed clients, spec §3.4) and the exit status they and
 * critical_container errors carry. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "console_codec.h"

static const char *const notification_names[NS_NOTIF_COUNT] = {
    [NS_NOTIF_STARTED] = "started", [NS_NOTIF_EXIT] = "exit",
    [NS_NOTIF_INSTALL] = "install", [NS_NOTIF_UNINSTALL] = "uninstall",
    [NS_NOTIF_CGROUP] = "c_group",  [NS_NOTIF_SHUTDOWN] = "shutdown",
};

static const char *const exit_names[] = {
    [NS_EXIT_CODE] = "exit", [NS_EXIT_SIGNALLED] = "signalled"};

/* The counters of the memory event, in the order serde writes them. */
#define MEMORY_FIELDS(X) X(low) X(high) X(max) X(oom) X(oom_kill)

const char *ns_notification_kind_name(enum ns_notification_kind k)
{
	return (unsigned)k < NS_NOTIF_COUNT ? notification_names[k] : NULL;
}

int ns_cdec_exit_status(struct ns_cdec *d, const cJSON *v, struct ns_exit_status *out)
{
	const cJSON *p;
	int idx;
	int64_t code;
	uint64_t sig;
	int r = ns_cdec_variant(d, v, exit_names, 2, &idx, &p);
	if (r < 0)
		return r;
	memset(out, 0, sizeof(*out));
	out->kind = (enum ns_exit_kind)idx;
	size_t mark = ns_cdec_push(d, ".%s", exit_names[idx]);
	r = p ? ns_cdec_object(d, p) : ns_cdec_fail(d, "expected an object with the fields");
	if (r == 0 && out->kind == NS_EXIT_CODE &&
	    (r = ns_cdec_field_i64(d, p, "code", INT32_MIN, INT32_MAX, &code)) == 0)
		out->code = (int32_t)code;
	if (r == 0 && out->kind == NS_EXIT_SIGNALLED &&
	    (r = ns_cdec_field_u64(d, p, "signal", UINT32_MAX, &sig)) == 0)
		out->signal = (uint32_t)sig;
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_memory(struct ns_cdec *d, const cJSON *v, struct ns_memory_event *out)
{
	static const char *const names[] = {"memory"};
	const cJSON *p;
	int idx;
	int r = ns_cdec_variant(d, v, names, 1, &idx, &p);
	if (r < 0)
		return r;
	size_t mark = ns_cdec_push(d, ".memory");
	r = p ? ns_cdec_object(d, p) : ns_cdec_fail(d, "expected an object with the fields");
#define DEC(f)                                                                                     \
	if (r == 0)                                                                                \
		r = ns_cdec_field_opt_u64(d, p, #f, &out->has_##f, &out->f);
	MEMORY_FIELDS(DEC)
#undef DEC
	ns_cdec_pop(d, mark);
	return r;
}

/* A tuple variant: [container, value]. */
static int dec_pair(struct ns_cdec *d, const cJSON *v, struct ns_console_notification *out)
{
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
		return ns_cdec_fail(d, "expected an array of 2 elements, got %s",
				    cJSON_IsArray(v) ? "another length" : ns_cjson_kind(v));
	size_t mark = ns_cdec_push(d, "[0]");
	int r = ns_cdec_id(d, v->child, &out->container);
	ns_cdec_pop(d, mark);
	if (r < 0)
		return r;
	mark = ns_cdec_push(d, "[1]");
	if (out->kind == NS_NOTIF_EXIT)
		r = ns_cdec_exit_status(d, v->child->next, &out->exit);
	else
		r = dec_memory(d, v->child->next, &out->memory);
	ns_cdec_pop(d, mark);
	return r;
}

int ns_cdec_notification(struct ns_cdec *d, const cJSON *v, struct ns_console_notification *out)
{
	const cJSON *p;
	int idx;
	memset(out, 0, sizeof(*out));
	int r = ns_cdec_variant(d, v, notification_names, NS_NOTIF_COUNT, &idx, &p);
	if (r < 0)
		return r;
	out->kind = (enum ns_notification_kind)idx;
	if (out->kind == NS_NOTIF_SHUTDOWN)
		return ns_cdec_unit(d, p);
	size_t mark = ns_cdec_push(d, ".%s", notification_names[idx]);
	if (!p)
		r = ns_cdec_fail(d, "expected a value");
	else if (out->kind == NS_NOTIF_EXIT || out->kind == NS_NOTIF_CGROUP)
		r = dec_pair(d, p, out);
	else
		r = ns_cdec_id(d, p, &out->container);
	ns_cdec_pop(d, mark);
	return r;
}

/* --- encoding ------------------------------------------------------------------------ */

cJSON *ns_cenc_exit_status(struct ns_err *err, const struct ns_exit_status *s)
{
	cJSON *o = ns_cenc_object(err);
	int r;
	if (s->kind == NS_EXIT_CODE)
		r = ns_cenc_put(err, o, "code", ns_cenc_i64(err, s->code));
	else if (s->kind == NS_EXIT_SIGNALLED)
		r = ns_cenc_put(err, o, "signal", ns_cenc_u64(err, s->signal));
	else
		r = ns_err_set(err, EINVAL, "exit status: unknown kind %d", (int)s->kind);
	if (r < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return ns_cenc_wrap(err, exit_names[s->kind], o);
}

static cJSON *opt_u64(struct ns_err *err, bool has, uint64_t v)
{
	return has ? ns_cenc_u64(err, v) : ns_cenc_null(err);
}

static cJSON *enc_memory(struct ns_err *err, const struct ns_memory_event *m)
{
	cJSON *o = ns_cenc_object(err);
	int r = 0;
#define ENC(f)                                                                                     \
	if (r == 0)                                                                                \
		r = ns_cenc_put(err, o, #f, opt_u64(err, m->has_##f, m->f));
	MEMORY_FIELDS(ENC)
#undef ENC
	if (r < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return ns_cenc_wrap(err, "memory", o);
}

static cJSON *enc_pair(struct ns_err *err, const struct ns_console_notification *n)
{
	cJSON *a = ns_cenc_array(err);
	if (ns_cenc_append(err, a, ns_cenc_id(err, "container", &n->container)) ||
	    ns_cenc_append(err, a,
			   n->kind == NS_NOTIF_EXIT ? ns_cenc_exit_status(err, &n->exit)
						    : enc_memory(err, &n->memory))) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

cJSON *ns_cenc_notification(struct ns_err *err, const struct ns_console_notification *n)
{
	const char *name = ns_notification_kind_name(n->kind);
	cJSON *p;
	if (!name) {
		ns_err_set(err, EINVAL, "notification: unknown kind %d", (int)n->kind);
		return NULL;
	}
	if (n->kind == NS_NOTIF_SHUTDOWN)
		return ns_cenc_str(err, "notification", name);
	if (n->kind == NS_NOTIF_EXIT || n->kind == NS_NOTIF_CGROUP)
		p = enc_pair(err, n);
	else
		p = ns_cenc_id(err, "container", &n->container);
	if (!p) {
		ns_err_wrap(err, "notification %s", name);
		return NULL;
	}
	return ns_cenc_wrap(err, name, p);
}

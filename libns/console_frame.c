/* The envelope of every line (spec §3.0) and the handshake messages (§2), with the
 * public decode, encode and free entry points. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "console_codec.h"

static const char *const frame_names[NS_FRAME_COUNT] = {
    [NS_FRAME_CONNECT] = "connect",	      [NS_FRAME_CONNECT_ACK] = "connect_ack",
    [NS_FRAME_CONNECT_NACK] = "connect_nack", [NS_FRAME_REQUEST] = "request",
    [NS_FRAME_RESPONSE] = "response",	      [NS_FRAME_NOTIFICATION] = "notification",
};

static const char *const nack_names[] = {
    [NS_NACK_INVALID_PROTOCOL_VERSION] = "invalid_protocol_version",
    [NS_NACK_PERMISSION_DENIED] = "permission_denied",
};

/* The line is an object with exactly one of the six message keys; other keys are
 * ignored, as Northstar's untagged Message ignores them. */
static int dec_envelope(struct ns_cdec *d, const cJSON *root, enum ns_frame_kind *kind,
			const cJSON **payload)
{
	int found = -1;
	if (!cJSON_IsObject(root))
		return ns_cdec_fail(d, "expected a JSON object, got %s", ns_cjson_kind(root));
	for (int i = 0; i < NS_FRAME_COUNT; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, frame_names[i]);
		if (!v)
			continue;
		if (found >= 0)
			return ns_cdec_fail(d, "both \"%s\" and \"%s\": one message per line",
					    frame_names[found], frame_names[i]);
		found = i;
		*payload = v;
	}
	if (found < 0)
		return ns_cdec_fail(d, "no \"connect\", \"connect_ack\", \"connect_nack\", "
				       "\"request\", \"response\" or \"notification\" key");
	*kind = (enum ns_frame_kind)found;
	ns_cdec_push(d, "%s", frame_names[found]);
	return 0;
}

static int dec_connect(struct ns_cdec *d, const cJSON *p, struct ns_console_frame *out)
{
	const cJSON *v;
	int r = ns_cdec_object(d, p);
	if (r == 0 && (r = ns_cdec_field(d, p, "version", &v)) == 0) {
		size_t mark = ns_cdec_push(d, ".version");
		r = ns_cdec_version(d, v, &out->version);
		ns_cdec_pop(d, mark);
	}
	if (r == 0)
		r = ns_cdec_field_bool(d, p, "subscribe_notifications",
				       &out->subscribe_notifications);
	return r;
}

static int dec_nack(struct ns_cdec *d, const cJSON *v, struct ns_console_nack *out)
{
	const cJSON *p, *ver;
	int idx;
	int r = ns_cdec_variant(d, v, nack_names, 2, &idx, &p);
	if (r < 0)
		return r;
	out->kind = (enum ns_nack_kind)idx;
	if (out->kind == NS_NACK_PERMISSION_DENIED)
		return ns_cdec_unit(d, p);
	size_t mark = ns_cdec_push(d, ".%s", nack_names[idx]);
	r = p ? ns_cdec_object(d, p) : ns_cdec_fail(d, "expected an object with the fields");
	if (r == 0 && (r = ns_cdec_field(d, p, "version", &ver)) == 0) {
		ns_cdec_push(d, ".version");
		r = ns_cdec_version(d, ver, &out->version);
	}
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_frame(struct ns_cdec *d, const cJSON *root, struct ns_console_frame *out)
{
	const cJSON *p;
	int r = dec_envelope(d, root, &out->kind, &p);
	if (r < 0)
		return r;
	switch (out->kind) {
	case NS_FRAME_CONNECT:
		return dec_connect(d, p, out);
	case NS_FRAME_CONNECT_ACK:
		return 0; /* a unit struct; older servers sent an object: any value will do */
	case NS_FRAME_CONNECT_NACK:
		return dec_nack(d, p, &out->nack);
	case NS_FRAME_REQUEST:
		return ns_cdec_request(d, p, &out->request);
	case NS_FRAME_RESPONSE:
		return ns_cdec_response(d, p, &out->response);
	default:
		return ns_cdec_notification(d, p, &out->notification);
	}
}

int ns_console_decode_frame(const char *line, size_t len, struct ns_console_frame *out,
			    struct ns_err *err)
{
	struct ns_cdec d;
	const cJSON *root;
	memset(out, 0, sizeof(*out));
	int r = ns_cdec_begin(&d, line, len, err, &root);
	if (r < 0)
		return r;
	r = dec_frame(&d, root, out);
	if (r < 0) {
		ns_console_mem_free(d.mem);
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->mem = d.mem;
	return 0;
}

/* The typed decoders: the line must carry that kind of message. */
static int dec_typed(const char *line, size_t len, enum ns_frame_kind want, void *out,
		     struct ns_console_mem **mem, struct ns_err *err)
{
	struct ns_cdec d;
	const cJSON *root, *p;
	enum ns_frame_kind kind;
	int r = ns_cdec_begin(&d, line, len, err, &root);
	if (r < 0)
		return r;
	r = dec_envelope(&d, root, &kind, &p);
	if (r == 0 && kind != want)
		r = ns_err_set(err, EINVAL, "expected a %s, got a %s", frame_names[want],
			       frame_names[kind]);
	if (r == 0 && want == NS_FRAME_REQUEST)
		r = ns_cdec_request(&d, p, out);
	else if (r == 0 && want == NS_FRAME_RESPONSE)
		r = ns_cdec_response(&d, p, out);
	else if (r == 0)
		r = ns_cdec_notification(&d, p, out);
	if (r < 0) {
		ns_console_mem_free(d.mem);
		return r;
	}
	*mem = d.mem;
	return 0;
}

int ns_console_decode_request(const char *line, size_t len, struct ns_console_request *out,
			      struct ns_err *err)
{
	struct ns_console_mem *mem;
	int r = dec_typed(line, len, NS_FRAME_REQUEST, out, &mem, err);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->mem = mem;
	return 0;
}

int ns_console_decode_response(const char *line, size_t len, struct ns_console_response *out,
			       struct ns_err *err)
{
	struct ns_console_mem *mem;
	int r = dec_typed(line, len, NS_FRAME_RESPONSE, out, &mem, err);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->mem = mem;
	return 0;
}

int ns_console_decode_notification(const char *line, size_t len,
				   struct ns_console_notification *out, struct ns_err *err)
{
	struct ns_console_mem *mem;
	int r = dec_typed(line, len, NS_FRAME_NOTIFICATION, out, &mem, err);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->mem = mem;
	return 0;
}

void ns_console_frame_free(struct ns_console_frame *f)
{
	ns_console_mem_free(f->mem);
	f->mem = NULL;
}

void ns_console_request_free(struct ns_console_request *r)
{
	ns_console_mem_free(r->mem);
	r->mem = NULL;
}

void ns_console_response_free(struct ns_console_response *r)
{
	ns_console_mem_free(r->mem);
	r->mem = NULL;
}

void ns_console_notification_free(struct ns_console_notification *n)
{
	ns_console_mem_free(n->mem);
	n->mem = NULL;
}

/* --- encoding ------------------------------------------------------------------------ */

static char *enc_envelope(struct ns_err *err, enum ns_frame_kind kind, cJSON *payload)
{
	if (!payload)
		return NULL;
	return ns_cenc_print(err, ns_cenc_wrap(err, frame_names[kind], payload));
}

char *ns_console_encode_connect(const struct ns_version *version, bool subscribe_notifications,
				struct ns_err *err)
{
	cJSON *o = ns_cenc_object(err);
	if (ns_cenc_put(err, o, "version", ns_cenc_version(err, version)) ||
	    ns_cenc_put(err, o, "subscribe_notifications",
			ns_cenc_bool(err, subscribe_notifications))) {
		cJSON_Delete(o);
		return NULL;
	}
	return enc_envelope(err, NS_FRAME_CONNECT, o);
}

char *ns_console_encode_connect_ack(struct ns_err *err)
{
	return enc_envelope(err, NS_FRAME_CONNECT_ACK, ns_cenc_null(err));
}

char *ns_console_encode_connect_nack(const struct ns_console_nack *nack, struct ns_err *err)
{
	cJSON *p;
	if (nack->kind == NS_NACK_PERMISSION_DENIED) {
		p = ns_cenc_str(err, "connect_nack", nack_names[nack->kind]);
	} else if (nack->kind == NS_NACK_INVALID_PROTOCOL_VERSION) {
		cJSON *o = ns_cenc_wrap(err, "version", ns_cenc_version(err, &nack->version));
		p = ns_cenc_wrap(err, nack_names[nack->kind], o);
	} else {
		ns_err_set(err, EINVAL, "connect_nack: unknown kind %d", (int)nack->kind);
		return NULL;
	}
	return enc_envelope(err, NS_FRAME_CONNECT_NACK, p);
}

char *ns_console_encode_request(const struct ns_console_request *r, struct ns_err *err)
{
	return enc_envelope(err, NS_FRAME_REQUEST, ns_cenc_request(err, r));
}

char *ns_console_encode_response(const struct ns_console_response *r, struct ns_err *err)
{
	return enc_envelope(err, NS_FRAME_RESPONSE, ns_cenc_response(err, r));
}

char *ns_console_encode_notification(const struct ns_console_notification *n, struct ns_err *err)
{
	return enc_envelope(err, NS_FRAME_NOTIFICATION, ns_cenc_notification(err, n));
}

char *ns_console_encode_frame(const struct ns_console_frame *f, struct ns_err *err)
{
	switch (f->kind) {
	case NS_FRAME_CONNECT:
		return ns_console_encode_connect(&f->version, f->subscribe_notifications, err);
	case NS_FRAME_CONNECT_ACK:
		return ns_console_encode_connect_ack(err);
	case NS_FRAME_CONNECT_NACK:
		return ns_console_encode_connect_nack(&f->nack, err);
	case NS_FRAME_REQUEST:
		return ns_console_encode_request(&f->request, err);
	case NS_FRAME_RESPONSE:
		return ns_console_encode_response(&f->response, err);
	case NS_FRAME_NOTIFICATION:
		return ns_console_encode_notification(&f->notification, err);
	default:
		ns_err_set(err, EINVAL, "frame: unknown kind %d", (int)f->kind);
		return NULL;
	}
}

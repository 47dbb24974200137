/* The logs request's answer (ours; Northstar has no such message): the lines of a
 * container's recent output inside the ok of a result, after its container:
 *   {"logs":{"ok":{"container":"hello:0.0.1","lines":[{"time":1765152000123,
 *    "stream":"stdout","text":"Hello"}],"overwritten":0,"dropped":0,
 *    "not_recorded":null,"end":false}}}
 * The request itself ({"logs":{"container":...,"follow":false}}) is console_req.c's. */
#include <errno.h>
#include <string.h>

#include "console_codec.h"

static const char *const stream_names[NS_STREAM_COUNT] = {
    [NS_STREAM_STDOUT] = "stdout",
    [NS_STREAM_STDERR] = "stderr",
};

const char *ns_log_stream_name(enum ns_log_stream s)
{
	return (unsigned)s < NS_STREAM_COUNT ? stream_names[s] : NULL;
}

static int dec_stream(struct ns_cdec *d, const cJSON *v, enum ns_log_stream *out)
{
	const char *s;
	int r = ns_cdec_str(d, v, &s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < NS_STREAM_COUNT; i++)
		if (!strcmp(s, stream_names[i])) {
			*out = (enum ns_log_stream)i;
			return 0;
		}
	return ns_cdec_fail(d, "unknown stream \"%.32s\" (stdout or stderr)", s);
}

static int dec_line(struct ns_cdec *d, const cJSON *v, struct ns_console_log_line *out)
{
	const cJSON *s;
	int r = ns_cdec_object(d, v);
	if (r == 0)
		r = ns_cdec_field_u64(d, v, "time", UINT64_MAX, &out->time_ms);
	if (r == 0 && (r = ns_cdec_field(d, v, "stream", &s)) == 0) {
		size_t mark = ns_cdec_push(d, ".stream");
		r = dec_stream(d, s, &out->stream);
		ns_cdec_pop(d, mark);
	}
	if (r == 0)
		r = ns_cdec_field_str(d, v, "text", &out->text);
	return r;
}

static int dec_lines(struct ns_cdec *d, const cJSON *v, struct ns_console_logs *out)
{
	if (!cJSON_IsArray(v))
		return ns_cdec_fail(d, "expected an array, got %s", ns_cjson_kind(v));
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	out->lines = ns_cdec_alloc(d, n ? n : 1, sizeof(*out->lines));
	if (!out->lines)
		return -ENOMEM;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		size_t mark = ns_cdec_push(d, "[%zu]", i);
		int r = dec_line(d, c, &out->lines[i]);
		ns_cdec_pop(d, mark);
		if (r < 0)
			return r;
		out->nlines++;
	}
	return 0;
}

int ns_cdec_logs(struct ns_cdec *d, const cJSON *ok, struct ns_console_logs *out)
{
	const cJSON *v;
	memset(out, 0, sizeof(*out));
	int r = ns_cdec_object(d, ok);
	if (r == 0 && (r = ns_cdec_field(d, ok, "lines", &v)) == 0) {
		size_t mark = ns_cdec_push(d, ".lines");
		r = dec_lines(d, v, out);
		ns_cdec_pop(d, mark);
	}
	if (r == 0)
		r = ns_cdec_field_u64(d, ok, "overwritten", UINT64_MAX, &out->overwritten);
	if (r == 0)
		r = ns_cdec_field_u64(d, ok, "dropped", UINT64_MAX, &out->dropped);
	if (r == 0)
		r = ns_cdec_field_opt_str(d, ok, "not_recorded", &out->not_recorded);
	if (r == 0)
		r = ns_cdec_field_bool(d, ok, "end", &out->end);
	return r;
}

static cJSON *enc_line(struct ns_err *err, const struct ns_console_log_line *l)
{
	const char *stream = ns_log_stream_name(l->stream);
	if (!stream) {
		ns_err_set(err, EINVAL, "lines: unknown stream %d", (int)l->stream);
		return NULL;
	}
	cJSON *o = ns_cenc_object(err);
	if (ns_cenc_put(err, o, "time", ns_cenc_u64(err, l->time_ms)) ||
	    ns_cenc_put(err, o, "stream", ns_cenc_str(err, "stream", stream)) ||
	    ns_cenc_put(err, o, "text", ns_cenc_text(err, "text", l->text))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int ns_cenc_logs(struct ns_err *err, cJSON *ok, const struct ns_console_logs *l)
{
	if (!ok)
		return ns_err_set(err, EINVAL, "logs: no ok object");
	if (l->nlines && !l->lines)
		return ns_err_set(err, EINVAL, "lines: missing (NULL)");
	cJSON *a = ns_cenc_array(err);
	for (size_t i = 0; i < l->nlines && a; i++) {
		if (ns_cenc_append(err, a, enc_line(err, &l->lines[i])) < 0) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	if (ns_cenc_put(err, ok, "lines", a) ||
	    ns_cenc_put(err, ok, "overwritten", ns_cenc_u64(err, l->overwritten)) ||
	    ns_cenc_put(err, ok, "dropped", ns_cenc_u64(err, l->dropped)) ||
	    ns_cenc_put(err, ok, "not_recorded",
			l->not_recorded ? ns_cenc_text(err, "not_recorded", l->not_recorded)
					: ns_cenc_null(err)) ||
	    ns_cenc_put(err, ok, "end", ns_cenc_bool(err, l->end)))
		return ns_err_ret(err);
	return 0;
}

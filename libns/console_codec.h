/* Internal to the console codec (console_*.c): the decoding context with its field path
 * and memory, typed field readers, and the encoding helpers. Not for other users. */
#ifndef NS_CONSOLE_CODEC_H
#define NS_CONSOLE_CODEC_H

#include <stdarg.h>

#include "console_msg.h"

/* What a decoded message owns: the parsed tree its strings point into, and the arrays
 * made while decoding. */
struct ns_console_mem {
	cJSON *json;
	struct ns_cmem_block *blocks;
};

struct ns_cdec {
	struct ns_err *err;
	struct ns_console_mem *mem;
	char path[256]; /* the field being read, "request.kill.signal" */
	size_t pathlen;
};

/* Parses the line strictly and sets up d (with fresh memory owning the tree). */
int ns_cdec_begin(struct ns_cdec *d, const char *line, size_t len, struct ns_err *err,
		  const cJSON **root);
void ns_console_mem_free(struct ns_console_mem *mem);

/* Path handling: push returns a mark for pop. */
size_t ns_cdec_push(struct ns_cdec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ns_cdec_pop(struct ns_cdec *d, size_t mark);
/* Sets err to "<path>: <message>" and returns -EINVAL. */
int ns_cdec_fail(struct ns_cdec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* calloc of n elements owned by the message. */
void *ns_cdec_alloc(struct ns_cdec *d, size_t n, size_t size);
const char *ns_cjson_kind(const cJSON *v); /* "a string", "null", ... for messages */

/* Externally tagged enums: a unit variant is a bare string (*payload = NULL), any other
 * a single-key object {"variant": payload}. */
int ns_cdec_variant(struct ns_cdec *d, const cJSON *v, const char *const *names, size_t n, int *idx,
		    const cJSON **payload);
/* The variant must be a unit variant / must carry a payload. */
int ns_cdec_unit(struct ns_cdec *d, const cJSON *payload);
int ns_cdec_object(struct ns_cdec *d, const cJSON *v);

/* Readers of one value at the current path. */
int ns_cdec_str(struct ns_cdec *d, const cJSON *v, const char **out);
int ns_cdec_name(struct ns_cdec *d, const cJSON *v, const char **out);
int ns_cdec_id(struct ns_cdec *d, const cJSON *v, struct ns_console_id *out);
int ns_cdec_version(struct ns_cdec *d, const cJSON *v, struct ns_version *out);
int ns_cdec_u64(struct ns_cdec *d, const cJSON *v, uint64_t max, uint64_t *out);
int ns_cdec_i64(struct ns_cdec *d, const cJSON *v, int64_t min, int64_t max, int64_t *out);
int ns_cdec_base64(struct ns_cdec *d, const cJSON *v, const uint8_t **out, size_t *len);
int ns_cdec_token(struct ns_cdec *d, const cJSON *v, uint8_t out[NS_TOKEN_LEN]);
int ns_cdec_str_array(struct ns_cdec *d, const cJSON *v, bool unique, const char ***out, size_t *n);
int ns_cdec_id_array(struct ns_cdec *d, const cJSON *v, struct ns_console_id **out, size_t *n);

/* Readers of obj.key: each pushes ".key" for its messages. A missing required field is
 * an error; opt_* read a missing key or null as absent. */
int ns_cdec_field(struct ns_cdec *d, const cJSON *obj, const char *key, const cJSON **out);
int ns_cdec_field_str(struct ns_cdec *d, const cJSON *obj, const char *key, const char **out);
int ns_cdec_field_opt_str(struct ns_cdec *d, const cJSON *obj, const char *key, const char **out);
int ns_cdec_field_name(struct ns_cdec *d, const cJSON *obj, const char *key, const char **out);
int ns_cdec_field_id(struct ns_cdec *d, const cJSON *obj, const char *key,
		     struct ns_console_id *out);
int ns_cdec_field_bool(struct ns_cdec *d, const cJSON *obj, const char *key, bool *out);
int ns_cdec_field_u64(struct ns_cdec *d, const cJSON *obj, const char *key, uint64_t max,
		      uint64_t *out);
int ns_cdec_field_opt_u64(struct ns_cdec *d, const cJSON *obj, const char *key, bool *has,
			  uint64_t *out);
int ns_cdec_field_i64(struct ns_cdec *d, const cJSON *obj, const char *key, int64_t min,
		      int64_t max, int64_t *out);

/* Decoders of the parts that several messages share (console_resp.c, console_notif.c,
 * console_req.c), reading the value at the current path. */
int ns_cdec_request(struct ns_cdec *d, const cJSON *v, struct ns_console_request *out);
int ns_cdec_response(struct ns_cdec *d, const cJSON *v, struct ns_console_response *out);
int ns_cdec_notification(struct ns_cdec *d, const cJSON *v, struct ns_console_notification *out);
int ns_cdec_exit_status(struct ns_cdec *d, const cJSON *v, struct ns_exit_status *out);

/* --- encoding ---------------------------------------------------------------------
 * Builders return a new item, or NULL with err set; ns_cenc_put consumes item (also
 * when it is NULL or obj is NULL) and returns 0 or a negative errno. */
cJSON *ns_cenc_oom(struct ns_err *err);
cJSON *ns_cenc_object(struct ns_err *err);
cJSON *ns_cenc_array(struct ns_err *err);
cJSON *ns_cenc_str(struct ns_err *err, const char *field, const char *s);  /* strict UTF-8 */
cJSON *ns_cenc_text(struct ns_err *err, const char *field, const char *s); /* lossy UTF-8 */
cJSON *ns_cenc_name(struct ns_err *err, const char *field, const char *s);
cJSON *ns_cenc_id(struct ns_err *err, const char *field, const struct ns_console_id *id);
cJSON *ns_cenc_version(struct ns_err *err, const struct ns_version *v);
cJSON *ns_cenc_u64(struct ns_err *err, uint64_t v);
cJSON *ns_cenc_i64(struct ns_err *err, int64_t v);
cJSON *ns_cenc_bool(struct ns_err *err, bool b);
cJSON *ns_cenc_null(struct ns_err *err);
cJSON *ns_cenc_base64(struct ns_err *err, const uint8_t *data, size_t len);
cJSON *ns_cenc_ref(struct ns_err *err, const char *field, const cJSON *obj); /* borrowed object */
int ns_cenc_put(struct ns_err *err, cJSON *obj, const char *key, cJSON *item);
int ns_cenc_append(struct ns_err *err, cJSON *arr, cJSON *item);
/* {"key": item}, consuming item. */
cJSON *ns_cenc_wrap(struct ns_err *err, const char *key, cJSON *item);
cJSON *ns_cenc_exit_status(struct ns_err *err, const struct ns_exit_status *s);
cJSON *ns_cenc_request(struct ns_err *err, const struct ns_console_request *r);
cJSON *ns_cenc_response(struct ns_err *err, const struct ns_console_response *r);
cJSON *ns_cenc_notification(struct ns_err *err, const struct ns_console_notification *n);
/* Prints compactly and deletes root. */
char *ns_cenc_print(struct ns_err *err, cJSON *root);

/* logs (ours, console_logs.c): the fields after the container in the result's ok. */
int ns_cdec_logs(struct ns_cdec *d, const cJSON *ok, struct ns_console_logs *out);
int ns_cenc_logs(struct ns_err *err, cJSON *ok, const struct ns_console_logs *l);

#endif

/* The console protocol of Northstar 0.9: one JSON object per line, decoded strictly
 * into plain C structs and encoded byte for byte as Northstar's serde model writes it
 * (docs/console.md).
 *
 * Decoded messages borrow their strings from the parsed JSON, which the message owns
 * together with its arrays: release it with the matching ns_console_*_free. Messages
 * built by hand for encoding point at the caller's own memory and need no free. */
#ifndef NS_CONSOLE_MSG_H
#define NS_CONSOLE_MSG_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"
#include "token.h"
#include "version.h"

/* The protocol version this implementation speaks and advertises. */
#define NS_CONSOLE_VERSION_MAJOR 0
#define NS_CONSOLE_VERSION_MINOR 9
#define NS_CONSOLE_VERSION_PATCH 3

/* Limits of one line, checked before any tree is built: nesting depth (the envelope
 * counts), and JSON values and keys together (which bounds the decoder's memory and time
 * on a hostile line; a legitimate message has at most a few thousand). */
#define NS_CONSOLE_MAX_DEPTH  64
#define NS_CONSOLE_MAX_TOKENS 32768
/* Room for "name:version" with the longest name and three 20-digit numbers. */
#define NS_CONTAINER_ID_STR_MAX (1024 + 1 + 3 * 20 + 2 + 1)

struct ns_console_mem; /* what a decoded message owns */

/* A container id as messages carry it: "name:version" on the wire. The name is borrowed
 * (a decoded message points into its own memory), which keeps a long list small where
 * struct ns_container_id would spend 1 KiB per entry. */
struct ns_console_id {
	const char *name;
	struct ns_version version;
};
/* "name:1.2.3" into buf (NS_CONTAINER_ID_STR_MAX bytes suffice). */
char *ns_console_id_str(const struct ns_console_id *id, char *buf, size_t size);
/* Views id as a message id: the result borrows id->name. */
struct ns_console_id ns_console_id_of(const struct ns_container_id *id);

/* --- requests (client to server) ------------------------------------------- */
enum ns_request_kind {
	NS_REQ_IDENT,
	NS_REQ_INSPECT,
	NS_REQ_INSTALL,
	NS_REQ_KILL,
	NS_REQ_LIST,
	NS_REQ_MOUNT,
	NS_REQ_REPOSITORIES,
	NS_REQ_SHUTDOWN,
	NS_REQ_START,
	NS_REQ_TOKEN_CREATE,
	NS_REQ_TOKEN_VERIFY,
	NS_REQ_UMOUNT,
	NS_REQ_UNINSTALL,
	NS_REQ_LOGS, /* ours: a container's recent output (Northstar has no such request) */
	NS_REQ_COUNT
};

/* One struct for every kind; each kind reads only the fields named beside them. */
struct ns_console_request {
	enum ns_request_kind kind;
	struct ns_console_id container;	  /* inspect, kill, start, uninstall */
	const char *repository;		  /* install */
	uint64_t size;			  /* install: bytes that follow the line */
	int32_t signal;			  /* kill */
	struct ns_console_id *containers; /* mount, umount */
	size_t ncontainers;
	const char *init; /* start: NULL for none */
	const char **arguments;
	size_t narguments;
	struct ns_kv *environment; /* start: unique keys, in input order */
	size_t nenvironment;
	bool wipe;		     /* uninstall */
	bool follow;		     /* logs: then new lines as they come */
	const char *target;	     /* token_create: a container name */
	const char *user;	     /* token_verify: a container name */
	uint8_t token[NS_TOKEN_LEN]; /* token_verify */
	const uint8_t *shared;	     /* token_create, token_verify */
	size_t shared_len;

	struct ns_console_mem *mem;
};

/* --- errors and results ---------------------------------------------------- */
enum ns_exit_kind { NS_EXIT_CODE, NS_EXIT_SIGNALLED };
struct ns_exit_status {
	enum ns_exit_kind kind;
	int32_t code;	 /* {"exit":{"code":i32}} */
	uint32_t signal; /* {"signalled":{"signal":u32}} */
};

/* model::Error, the "error" inside results (spec §3.5). */
enum ns_error_kind {
	NS_ERROR_CONFIGURATION,			   /* text = context */
	NS_ERROR_DUPLICATE_CONTAINER,		   /* container */
	NS_ERROR_INVALID_CONTAINER,		   /* container */
	NS_ERROR_INVALID_ARGUMENTS,		   /* text = cause */
	NS_ERROR_MOUNT_BUSY,			   /* container */
	NS_ERROR_UMOUNT_BUSY,			   /* container */
	NS_ERROR_START_CONTAINER_STARTED,	   /* container */
	NS_ERROR_START_CONTAINER_RESOURCE,	   /* container */
	NS_ERROR_START_CONTAINER_MISSING_RESOURCE, /* container, resource, version */
	NS_ERROR_START_CONTAINER_FAILED,	   /* container, text = error */
	NS_ERROR_STOP_CONTAINER_NOT_STARTED,	   /* container */
	NS_ERROR_INVALID_REPOSITORY,		   /* repository */
	NS_ERROR_INSTALL_DUPLICATE,		   /* container */
	NS_ERROR_CRITICAL_CONTAINER,		   /* container, status */
	NS_ERROR_UNEXPECTED,			   /* text = error */
	NS_ERROR_COUNT
};
struct ns_console_error {
	enum ns_error_kind kind;
	struct ns_console_id container;
	const char *text;	/* free text: encoded with invalid UTF-8 replaced by U+FFFD */
	const char *resource;	/* a container name */
	const char *version;	/* a version requirement, kept as written */
	const char *repository; /* any string */
	struct ns_exit_status status;
};

/* The ok/error result of inspect, install, kill, start, uninstall and each item of
 * mount and umount. container is absent only from install's error. */
struct ns_console_result {
	bool ok;
	struct ns_console_id container;
	struct ns_console_error error; /* when !ok */
};

/* ContainerData of inspect. manifest and statistics are JSON objects that the message
 * embeds as they are (a decoded message owns them; an encoded one only borrows). */
struct ns_container_data {
	const cJSON *manifest;
	const char *repository;
	bool mounted;
	bool running; /* "process" is null when false */
	uint32_t pid;
	uint64_t uptime_ns;
	const cJSON *statistics;
};

/* The lines of a logs response (ours, docs/console.md): a container's recent output. */
enum ns_log_stream { NS_STREAM_STDOUT, NS_STREAM_STDERR, NS_STREAM_COUNT };
struct ns_console_log_line {
	uint64_t time_ms; /* when the daemon read it: milliseconds since the epoch */
	enum ns_log_stream stream;
	const char *text; /* encoded lossily: invalid UTF-8 becomes U+FFFD */
};
struct ns_console_logs {
	struct ns_console_log_line *lines;
	size_t nlines;
	uint64_t overwritten;	  /* older lines the ring no longer holds */
	uint64_t dropped;	  /* lines the log's limits dropped: never recorded */
	const char *not_recorded; /* why nothing is recorded for it, or NULL */
	bool end;		  /* following: no more lines will come (it was uninstalled) */
};
/* "stdout", "stderr"; NULL for anything else. */
const char *ns_log_stream_name(enum ns_log_stream s);

/* --- responses (server to client) ------------------------------------------ */
enum ns_response_kind {
	NS_RESP_IDENT,
	NS_RESP_INSPECT,
	NS_RESP_INSTALL,
	NS_RESP_KILL,
	NS_RESP_LIST,
	NS_RESP_MOUNT,
	NS_RESP_PERMISSION_DENIED,
	NS_RESP_REPOSITORIES,
	NS_RESP_SHUTDOWN,
	NS_RESP_START,
	NS_RESP_TOKEN,
	NS_RESP_TOKEN_VERIFICATION,
	NS_RESP_UMOUNT,
	NS_RESP_UNINSTALL,
	NS_RESP_LOGS, /* ours: answers logs, and carries the lines a follow brings */
	NS_RESP_COUNT
};

struct ns_console_response {
	enum ns_response_kind kind;
	struct ns_console_id ident;	 /* ident */
	struct ns_console_result result; /* inspect, install, kill, start, uninstall */
	struct ns_container_data data;	 /* inspect when result.ok */
	struct ns_console_logs logs;	 /* logs when result.ok */
	struct ns_console_id *list;	 /* list */
	size_t nlist;
	const char **repositories; /* repositories: unique */
	size_t nrepositories;
	struct ns_console_result *results; /* mount, umount: in request order */
	size_t nresults;
	const struct ns_console_request *denied; /* permission_denied: the echoed request */
	uint8_t token[NS_TOKEN_LEN];		 /* token */
	enum ns_verification verification;	 /* token_verification */

	struct ns_console_mem *mem;
};

/* --- notifications ---------------------------------------------------------- */
enum ns_notification_kind {
	NS_NOTIF_STARTED,
	NS_NOTIF_EXIT,
	NS_NOTIF_INSTALL,
	NS_NOTIF_UNINSTALL,
	NS_NOTIF_CGROUP,
	NS_NOTIF_SHUTDOWN,
	NS_NOTIF_COUNT
};

/* The cgroup memory event: each counter is optional (null on the wire). */
struct ns_memory_event {
	bool has_low, has_high, has_max, has_oom, has_oom_kill;
	uint64_t low, high, max, oom, oom_kill;
};

struct ns_console_notification {
	enum ns_notification_kind kind;
	struct ns_console_id container; /* every kind but shutdown */
	struct ns_exit_status exit;	/* exit */
	struct ns_memory_event memory;	/* c_group */

	struct ns_console_mem *mem;
};

/* --- the handshake and the envelope ---------------------------------------- */
enum ns_nack_kind { NS_NACK_INVALID_PROTOCOL_VERSION, NS_NACK_PERMISSION_DENIED };
struct ns_console_nack {
	enum ns_nack_kind kind;
	struct ns_version version; /* invalid_protocol_version: the server's version */
};

enum ns_frame_kind {
	NS_FRAME_CONNECT,
	NS_FRAME_CONNECT_ACK,
	NS_FRAME_CONNECT_NACK,
	NS_FRAME_REQUEST,
	NS_FRAME_RESPONSE,
	NS_FRAME_NOTIFICATION,
	NS_FRAME_COUNT
};

/* Any line of the protocol. The nested messages share the frame's memory. */
struct ns_console_frame {
	enum ns_frame_kind kind;
	struct ns_version version;    /* connect */
	bool subscribe_notifications; /* connect */
	struct ns_console_nack nack;  /* connect_nack */
	struct ns_console_request request;
	struct ns_console_response response;
	struct ns_console_notification notification;

	struct ns_console_mem *mem;
};

/* --- decoding --------------------------------------------------------------- */
/* Each decodes one line (without its newline; surrounding JSON whitespace allowed) and
 * fails with EINVAL and a message naming the field for anything Northstar's decoder
 * refuses, and further for invalid UTF-8 or NUL anywhere, duplicate keys, numbers that
 * are not plain integers where integers are expected, and nesting deeper than
 * NS_CONSOLE_MAX_DEPTH. The typed decoders also fail when the line is another kind of
 * message. On failure out holds nothing to free. */
int ns_console_decode_frame(const char *line, size_t len, struct ns_console_frame *out,
			    struct ns_err *err);
int ns_console_decode_request(const char *line, size_t len, struct ns_console_request *out,
			      struct ns_err *err);
int ns_console_decode_response(const char *line, size_t len, struct ns_console_response *out,
			       struct ns_err *err);
int ns_console_decode_notification(const char *line, size_t len,
				   struct ns_console_notification *out, struct ns_err *err);

void ns_console_frame_free(struct ns_console_frame *f);
void ns_console_request_free(struct ns_console_request *r);
void ns_console_response_free(struct ns_console_response *r);
void ns_console_notification_free(struct ns_console_notification *n);

/* --- encoding ---------------------------------------------------------------- */
/* Each returns the compact JSON line, malloc'ed, without its newline; or NULL with err
 * set (ENOMEM, or EINVAL for a field that Northstar could not decode: an invalid name,
 * a string that is not UTF-8, a duplicate environment key, an unknown kind). */
char *ns_console_encode_frame(const struct ns_console_frame *f, struct ns_err *err);
char *ns_console_encode_connect(const struct ns_version *version, bool subscribe_notifications,
				struct ns_err *err);
char *ns_console_encode_connect_ack(struct ns_err *err);
char *ns_console_encode_connect_nack(const struct ns_console_nack *nack, struct ns_err *err);
char *ns_console_encode_request(const struct ns_console_request *r, struct ns_err *err);
char *ns_console_encode_response(const struct ns_console_response *r, struct ns_err *err);
char *ns_console_encode_notification(const struct ns_console_notification *n, struct ns_err *err);

/* --- names --------------------------------------------------------------------- */
/* The wire spellings ("token_verify", "permission_denied", "c_group", "Ok", ...). */
const char *ns_request_kind_name(enum ns_request_kind k);
const char *ns_response_kind_name(enum ns_response_kind k);
const char *ns_notification_kind_name(enum ns_notification_kind k);
const char *ns_error_kind_name(enum ns_error_kind k);
const char *ns_verification_name(enum ns_verification v);

/* --- permissions and the handshake (console_perm.c) ----------------------------- */
/* The one permission a request needs: start with init, arguments or environment needs
 * start_command, a plain start needs start; every other kind maps to its own name. */
enum ns_perm ns_console_request_perm(const struct ns_console_request *r);
/* perms is a bit set over enum ns_perm. */
bool ns_console_request_permitted(uint32_t perms, const struct ns_console_request *r);
bool ns_console_subscribe_permitted(uint32_t perms);
/* The version this implementation advertises (NS_CONSOLE_VERSION_*). */
struct ns_version ns_console_version(void);
/* A client is accepted when its version is >= server.major.server.minor.0. */
bool ns_console_version_accepted(const struct ns_version *server, const struct ns_version *client);

#endif

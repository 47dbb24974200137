/* Container names, semver versions and requirements, and "name:version" ids, as the
 * Northstar console and manifests spell them. */
#ifndef NS_VERSION_H
#define NS_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ns_version {
	uint64_t major, minor, patch; /* pre-release and build parts are dropped */
};

/* A semver requirement ("^1.2", ">=0.0.1, <2", "*", "~1.2.3", "=1.0.0", "1.2"), with
 * the rules of Rust's semver crate. */
#define NS_VERSION_REQ_MAX 8
struct ns_version_cmp {
	enum { NS_CMP_EXACT, NS_CMP_GT, NS_CMP_GE, NS_CMP_LT, NS_CMP_LE, NS_CMP_TILDE,
	       NS_CMP_CARET, NS_CMP_WILDCARD } op;
	uint64_t major, minor, patch;
	bool has_minor, has_patch;
};
struct ns_version_req {
	struct ns_version_cmp cmp[NS_VERSION_REQ_MAX];
	size_t n; /* 0 means "*" */
};

/* 1..1024 bytes of [0-9A-Za-z._-]. */
bool ns_name_valid(const char *s, size_t len);
/* Strict MAJOR.MINOR.PATCH[-pre][+build], no leading zeros. */
int ns_version_parse(const char *s, struct ns_version *v);
int ns_version_cmp(const struct ns_version *a, const struct ns_version *b);
/* "1.2.3" into buf (at least 64 bytes). */
char *ns_version_str(const struct ns_version *v, char *buf, size_t size);

int ns_version_req_parse(const char *s, struct ns_version_req *req);
bool ns_version_req_matches(const struct ns_version_req *req, const struct ns_version *v);

/* "name:version", split at the first ':'. name is copied into name_buf. */
struct ns_container_id {
	char name[1024 + 1];
	struct ns_version version;
};
int ns_container_id_parse(const char *s, struct ns_container_id *id, struct ns_err *err);
/* "name:1.2.3" into buf. */
char *ns_container_id_str(const struct ns_container_id *id, char *buf, size_t size);

#endif

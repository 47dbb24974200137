/* Container names, semver versions and requirements, and "name:version" ids, as the
 * Northstar console and manifests spell them. */
#ifndef NS_VERSION_H
#define NS_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_NAME_MAX 1024

struct ns_version {
	uint64_t major, minor, patch; /* pre-release and build parts are dropped */
};

/* A semver requirement ("^1.2", ">=0.0.1, <2", "*", "~1.2.3", "=1.0.0", "1.2"), with
 * the rules of Rust's semver crate (1.0): at most 32 comparators, separated by commas. */
#define NS_VERSION_REQ_MAX 32
/* Longest pre-release text kept in a comparator ("=1.0.0-rc.1"); longer ones are refused. */
#define NS_VERSION_PRE_MAX 63
struct ns_version_cmp {
	enum {
		NS_CMP_EXACT,
		NS_CMP_GT,
		NS_CMP_GE,
		NS_CMP_LT,
		NS_CMP_LE,
		NS_CMP_TILDE,
		NS_CMP_CARET,
		NS_CMP_WILDCARD
	} op;
	uint64_t major, minor, patch;
	bool has_minor, has_patch;
	char pre[NS_VERSION_PRE_MAX + 1]; /* "" when none */
};
struct ns_version_req {
	struct ns_version_cmp cmp[NS_VERSION_REQ_MAX];
	size_t n; /* 0 means "*" */
};

/* 1..1024 bytes of [0-9A-Za-z._-], and neither "." nor ".." (names become file names). */
bool ns_name_valid(const char *s, size_t len);
/* Strict MAJOR.MINOR.PATCH[-pre][+build], no leading zeros. Returns 0 or -EINVAL
 * (-ERANGE when a number overflows 64 bits). */
int ns_version_parse(const char *s, struct ns_version *v);
int ns_version_cmp(const struct ns_version *a, const struct ns_version *b);
/* "1.2.3" into buf (at least 64 bytes). */
char *ns_version_str(const struct ns_version *v, char *buf, size_t size);

/* Returns 0 or -EINVAL (-ERANGE on numeric overflow, -E2BIG beyond 32 comparators). */
int ns_version_req_parse(const char *s, struct ns_version_req *req);
bool ns_version_req_matches(const struct ns_version_req *req, const struct ns_version *v);
/* The requirement as Rust's semver writes it back (">=1.0, <2", "^1.2", "1.*", "*"):
 * the form Northstar stores and sends. Returns buf; 128 bytes hold any one-comparator
 * requirement, NS_VERSION_REQ_STR_MAX any requirement. */
#define NS_VERSION_REQ_STR_MAX (NS_VERSION_REQ_MAX * (NS_VERSION_PRE_MAX + 72))
char *ns_version_req_str(const struct ns_version_req *req, char *buf, size_t size);

/* "name:version", split at the first ':'. name is copied into name. */
struct ns_container_id {
	char name[NS_NAME_MAX + 1];
	struct ns_version version;
};
int ns_container_id_parse(const char *s, struct ns_container_id *id, struct ns_err *err);
/* "name:1.2.3" into buf. */
char *ns_container_id_str(const struct ns_container_id *id, char *buf, size_t size);

#endif

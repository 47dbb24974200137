/* NPK files: a stored-only zip holding manifest.yaml, signature.yaml (when signed)
 * and fs.img (squashfs, then the verity superblock and hash tree when signed). */
#ifndef NS_NPK_H
#define NS_NPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"
#include "verity.h"
#include "version.h"

struct ns_pubkey {
	uint8_t key[32];
};

struct ns_npk {
	int fd;           /* owned: the NPK itself, kept open so nothing is re-read by path */
	uint64_t size;    /* of the whole file */
	uint64_t fs_offset; /* fs.img data offset in the file (from the local header) */
	uint64_t fs_size;   /* fs.img size: squashfs (+ verity block when signed) */
	bool has_signature;
	bool verified;    /* signature and hashes checked against a key */
	bool has_verity;  /* verity params below are valid */
	struct ns_verity_params verity;
	uint64_t verity_offset; /* signed squashfs size, where the verity superblock sits */
	struct ns_version meta_version;
	char *comment;    /* zip comment (meta YAML), exact bytes, NUL-terminated */
	size_t comment_len;
	char *manifest_text; /* exact bytes of manifest.yaml, NUL-terminated */
	size_t manifest_len;
	char *signature_text; /* exact bytes of signature.yaml, or NULL */
	size_t signature_len;
	struct ns_manifest manifest;
};

/* Reads and checks an NPK from fd (dup'ed; the caller keeps its own). Never
 * extracts anything. With key: signature.yaml must be present and valid (strict
 * Ed25519 over the hashes document), the meta and manifest hashes must match and
 * the verity superblock is validated against the signed offset. Without key: the
 * zip structure, meta version and manifest are checked, as Northstar does. */
int ns_npk_open(int fd, const struct ns_pubkey *key, struct ns_npk *npk, struct ns_err *err);
void ns_npk_close(struct ns_npk *npk);

#endif

/* NPK files: a stored-only zip holding manifest.yaml, signature.yaml (when signed)
 * and fs.img (squashfs, then the verity superblock and hash tree when signed), with
 * the meta YAML ("version: 0.9.3\n") as the zip comment. See docs/npk.md. */
#ifndef NS_NPK_H
#define NS_NPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"
#include "sign.h"
#include "signature.h"
#include "verity.h"
#include "version.h"
#include "zip.h"

#define NS_NPK_MANIFEST_MAX (1 << 20)
/* The meta document this implementation writes, and the oldest format it reads. */
#define NS_NPK_COMMENT	 "version: 0.9.3\n"
#define NS_NPK_MIN_MAJOR 0
#define NS_NPK_MIN_MINOR 9
#define NS_NPK_SALT_SIZE 32

struct ns_npk {
	int fd;		    /* owned: the NPK itself, kept open so nothing is re-read by path */
	uint64_t size;	    /* of the whole file */
	struct ns_zip zip;  /* entries in central-directory order, exact comment */
	uint64_t fs_offset; /* fs.img data offset in the file (from the local header) */
	uint64_t fs_size;   /* fs.img size: squashfs (+ verity block when signed) */
	bool has_signature; /* signature.yaml is present */
	bool verified;	    /* signature and hashes checked against a key */
	bool has_verity;    /* verity, verity_sb and verity_offset are valid */
	struct ns_verity_params verity;
	struct ns_verity_sb verity_sb;
	uint64_t verity_offset;	       /* signed squashfs size, where the verity superblock sits */
	struct ns_signature signature; /* parsed when has_verity */
	struct ns_version meta_version;
	const char *comment; /* zip comment (meta YAML), exact bytes; points into zip */
	size_t comment_len;
	char *manifest_text; /* exact bytes of manifest.yaml, NUL-terminated */
	size_t manifest_len;
	char *signature_text; /* exact bytes of signature.yaml, or NULL */
	size_t signature_len;
	struct ns_manifest manifest;
};

/* Reads and checks an NPK from fd (dup'ed; the caller keeps its own). Never extracts
 * anything and never reads fs.img's data. With key: signature.yaml must be present
 * and valid (strict Ed25519 over the hashes document), the meta and manifest hashes
 * must match, and the verity superblock is validated against the signed offset, with
 * fs.img exactly squashfs + superblock + tree. Without key: the zip structure, meta
 * version and manifest are checked, as Northstar does. */
int ns_npk_open(int fd, const struct ns_pubkey *key, struct ns_npk *npk, struct ns_err *err);
int ns_npk_open_path(const char *path, const struct ns_pubkey *key, struct ns_npk *npk,
		     struct ns_err *err);
void ns_npk_close(struct ns_npk *npk);

/* Everything sextant verify checks, naming the first problem: ns_npk_open, then for a
 * signed NPK (even without key, minus the Ed25519 check) the hashes, the superblock
 * and the whole hash tree recomputed from the data, then every entry's CRC-32. npk is
 * left open on success (the caller closes it) and closed on failure. */
int ns_npk_verify(int fd, const struct ns_pubkey *key, struct ns_npk *npk, struct ns_err *err);

/* Copies manifest.yaml, signature.yaml and fs.img into dirfd (see ns_zip_extract). */
int ns_npk_extract(const struct ns_npk *npk, int dirfd, struct ns_err *err);

struct ns_npk_pack {
	const char *manifest; /* YAML text as it will be stored (the caller serialized it) */
	size_t manifest_len;
	int image_fd;		     /* squashfs image, read from offset 0 to its size */
	const struct ns_seckey *key; /* NULL: unsigned, fs.img is the bare image */
	const uint8_t *salt;	     /* NS_NPK_SALT_SIZE bytes, or NULL for random */
	const uint8_t *uuid;	     /* 16 bytes, or NULL for a random UUIDv4 */
};

/* Writes an NPK to path through a temporary file in the same directory (fsync, then
 * rename): on any failure nothing is left at path or beside it. The manifest is
 * validated first. Signed: the image is zero-padded to 4096 and followed by the verity
 * superblock and hash tree. */
int ns_npk_write(const struct ns_npk_pack *p, const char *path, struct ns_err *err);

#endif

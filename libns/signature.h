/* signature.yaml: the hashes document an NPK's key signs, then "---" and the base64
 * Ed25519 signature over the document's exact bytes (spec npk-format.md §3). */
#ifndef NS_SIGNATURE_H
#define NS_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sign.h"

/* Generous bounds: Northstar writes 376 bytes plus the digits of verity-offset. */
#define NS_SIGNATURE_MAX 4096

struct ns_npk_hashes {
	uint8_t meta[32];     /* sha256 of the zip comment */
	uint8_t manifest[32]; /* sha256 of the manifest.yaml entry */
	uint8_t verity_root[32];
	uint64_t verity_offset; /* bytes of squashfs in fs.img: where the superblock starts */
};

struct ns_signature {
	struct ns_npk_hashes hashes;
	uint8_t sig[NS_SIG_SIZE];
	size_t signed_len; /* the signed document is text[0, signed_len) */
};

/* The hashes document, byte-exact as Northstar writes it. Returns its length, or
 * -ENOSPC when size is too small. */
int ns_hashes_doc(const struct ns_npk_hashes *h, char *buf, size_t size);
/* The whole signature.yaml (no final newline) signed with k. Returns its length, or
 * -ENOSPC. */
int ns_signature_yaml(const struct ns_npk_hashes *h, const struct ns_seckey *k, char *buf,
		      size_t size);

/* Splits at the first "---" (a second one is refused) and parses both parts as YAML:
 * exactly the keys meta.hash, manifest.yaml.hash, fs.img.verity-hash and
 * fs.img.verity-offset, then exactly `signature`, canonical base64 of 64 bytes. Hex
 * may be either case. The signature is not checked here. */
int ns_signature_parse(const char *text, size_t len, struct ns_signature *s, struct ns_err *err);
/* Checks s->sig over text[0, s->signed_len) with k. */
int ns_signature_verify(const struct ns_signature *s, const char *text, const struct ns_pubkey *k,
			struct ns_err *err);

#endif

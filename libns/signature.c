/* signature.yaml text: written byte-exact as Northstar does, read as YAML. */
#include "signature.h"

#include <errno.h>
#include <mbedtls/base64.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "sha256.h"
#include "yaml.h"

#define SEPARATOR     "---"
#define SIG_B64_CHARS 88 /* 64 bytes in standard base64 with padding */

int ns_hashes_doc(const struct ns_npk_hashes *h, char *buf, size_t size)
{
	char meta[65], manifest[65], root[65];
	int n = snprintf(buf, size,
			 "meta:\n  hash: %s\nmanifest.yaml:\n  hash: %s\nfs.img:\n"
			 "  verity-hash: %s\n  verity-offset: %llu\n",
			 ns_hex(h->meta, 32, meta), ns_hex(h->manifest, 32, manifest),
			 ns_hex(h->verity_root, 32, root), (unsigned long long)h->verity_offset);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int ns_signature_yaml(const struct ns_npk_hashes *h, const struct ns_seckey *k, char *buf,
		      size_t size)
{
	uint8_t sig[NS_SIG_SIZE];
	unsigned char b64[SIG_B64_CHARS + 1];
	size_t b64_len = 0;
	int n = ns_hashes_doc(h, buf, size);
	if (n < 0)
		return n;
	ns_sign(k, buf, (size_t)n, sig);
	if (mbedtls_base64_encode(b64, sizeof(b64), &b64_len, sig, sizeof(sig)) != 0)
		return -EINVAL;
	int m = snprintf(buf + n, size - (size_t)n, SEPARATOR "\nsignature: %s", (char *)b64);
	return m < 0 || (size_t)m >= size - (size_t)n ? -ENOSPC : n + m;
}

/* --- parsing -------------------------------------------------------------------- */

static int parse_hash(const struct ns_ydoc *d, const struct ns_ynode *n, const char *what,
		      uint8_t out[32], struct ns_err *err)
{
	if (n->kind != NS_YSCALAR || ns_hex_decode(n->str, n->len, out, 32) < 0)
		return ns_yerr(err, d, n, EINVAL, "%s must be 64 hex digits", what);
	return 0;
}

/* The mapping must hold exactly the given keys, each once: a signed document with
 * extra or repeated fields is not one Northstar's packer wrote. */
static int check_keys(const struct ns_ydoc *d, const struct ns_ynode *map, const char *what,
		      const char *const *keys, size_t nkeys, struct ns_err *err)
{
	bool seen[4] = {false};
	if (!map || map->kind != NS_YMAP)
		return map ? ns_yerr(err, d, map, EINVAL, "%s must be a mapping", what)
			   : ns_err_set(err, EINVAL, "%s: %s is empty", d->source, what);
	for (size_t i = 0; i < map->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(map, i);
		size_t j = 0;
		while (j < nkeys && !(k->kind == NS_YSCALAR && !strcmp(k->str, keys[j])))
			j++;
		if (j == nkeys)
			return ns_yerr(err, d, k, EINVAL, "unknown key '%s' in %s",
				       k->kind == NS_YSCALAR ? k->str : "(not a scalar)", what);
		if (seen[j])
			return ns_yerr(err, d, k, EINVAL, "duplicate key '%s' in %s", keys[j],
				       what);
		seen[j] = true;
	}
	for (size_t j = 0; j < nkeys; j++)
		if (!seen[j])
			return ns_yerr(err, d, map, EINVAL, "%s lacks '%s'", what, keys[j]);
	return 0;
}

static int parse_hashes_tree(const struct ns_ydoc *d, struct ns_npk_hashes *h, struct ns_err *err)
{
	static const char *const top[] = {"meta", "manifest.yaml", "fs.img"};
	static const char *const hash[] = {"hash"};
	static const char *const fs[] = {"verity-hash", "verity-offset"};
	const struct ns_ynode *root = d->root, *meta, *man, *img;
	int r = check_keys(d, root, "the hashes document", top, 3, err);
	if (r < 0)
		return r;
	meta = ns_ymap_get(root, "meta");
	man = ns_ymap_get(root, "manifest.yaml");
	img = ns_ymap_get(root, "fs.img");
	if ((r = check_keys(d, meta, "meta", hash, 1, err)) < 0 ||
	    (r = check_keys(d, man, "manifest.yaml", hash, 1, err)) < 0 ||
	    (r = check_keys(d, img, "fs.img", fs, 2, err)) < 0)
		return r;
	if ((r = parse_hash(d, ns_ymap_get(meta, "hash"), "meta.hash", h->meta, err)) < 0 ||
	    (r = parse_hash(d, ns_ymap_get(man, "hash"), "manifest.yaml.hash", h->manifest, err)) <
		0 ||
	    (r = parse_hash(d, ns_ymap_get(img, "verity-hash"), "fs.img.verity-hash",
			    h->verity_root, err)) < 0)
		return r;
	const struct ns_ynode *off = ns_ymap_get(img, "verity-offset");
	if (ns_yscalar_u64(off, &h->verity_offset) < 0)
		return ns_yerr(err, d, off, EINVAL,
			       "fs.img.verity-offset must be an unsigned "
			       "integer");
	return 0;
}

static int parse_hashes(const char *text, size_t len, struct ns_npk_hashes *h, struct ns_err *err)
{
	struct ns_ydoc d;
	int r = ns_yaml_load("signature.yaml", text, len, &d, err);
	if (r < 0)
		return ns_err_wrap(err, "failed to parse hashes");
	r = parse_hashes_tree(&d, h, err);
	ns_ydoc_free(&d);
	return r < 0 ? ns_err_wrap(err, "failed to parse hashes") : 0;
}

/* Standard alphabet with padding, and canonical: re-encoding gives the same text, so
 * one signature has exactly one spelling. */
static int decode_sig(const struct ns_ydoc *d, const struct ns_ynode *n, uint8_t sig[NS_SIG_SIZE],
		      struct ns_err *err)
{
	unsigned char raw[NS_SIG_SIZE + 3], again[SIG_B64_CHARS + 1];
	size_t raw_len = 0, again_len = 0;
	if (n->kind != NS_YSCALAR || n->len != SIG_B64_CHARS)
		return ns_yerr(err, d, n, EINVAL,
			       "signature must be %d characters of base64 (64 "
			       "bytes)",
			       SIG_B64_CHARS);
	if (mbedtls_base64_decode(raw, sizeof(raw), &raw_len, (const unsigned char *)n->str,
				  n->len) ||
	    raw_len != NS_SIG_SIZE)
		return ns_yerr(err, d, n, EINVAL, "failed to parse signature base 64 format");
	if (mbedtls_base64_encode(again, sizeof(again), &again_len, raw, raw_len) ||
	    again_len != n->len || memcmp(again, n->str, n->len) != 0)
		return ns_yerr(err, d, n, EINVAL, "signature is not canonical base64");
	memcpy(sig, raw, NS_SIG_SIZE);
	return 0;
}

static int parse_sig(const char *text, size_t len, uint8_t sig[NS_SIG_SIZE], struct ns_err *err)
{
	static const char *const keys[] = {"signature"};
	struct ns_ydoc d;
	int r = ns_yaml_load("signature.yaml (signature part)", text, len, &d, err);
	if (r < 0)
		return ns_err_wrap(err, "failed to parse signature YAML format");
	r = check_keys(&d, d.root, "the signature document", keys, 1, err);
	if (r >= 0)
		r = decode_sig(&d, ns_ymap_get(d.root, "signature"), sig, err);
	ns_ydoc_free(&d);
	return r;
}

int ns_signature_parse(const char *text, size_t len, struct ns_signature *s, struct ns_err *err)
{
	memset(s, 0, sizeof(*s));
	if (len > NS_SIGNATURE_MAX)
		return ns_err_set(err, EINVAL,
				  "signature.yaml is %zu bytes; at most %d are allowed", len,
				  NS_SIGNATURE_MAX);
	const char *sep = memmem(text, len, SEPARATOR, 3);
	if (!sep)
		return ns_err_set(err, EINVAL,
				  "malformed signatures file: signature.yaml has no "
				  "'---' separator");
	const char *rest = sep + 3;
	size_t rest_len = len - (size_t)(rest - text);
	if (memmem(rest, rest_len, SEPARATOR, 3))
		return ns_err_set(err, EINVAL,
				  "malformed signatures file: signature.yaml has more "
				  "than one '---' separator");
	s->signed_len = (size_t)(sep - text);
	int r = parse_hashes(text, s->signed_len, &s->hashes, err);
	if (r < 0)
		return r;
	return parse_sig(rest, rest_len, s->sig, err);
}

int ns_signature_verify(const struct ns_signature *s, const char *text, const struct ns_pubkey *k,
			struct ns_err *err)
{
	return ns_verify(k, text, s->signed_len, s->sig, err);
}

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/sha256.h"
#include "libns/sign.h"
#include "libns/signature.h"
#include "libns/util.h"
#include "testlib.h"

/* Northstar's example key (spec npk-format.md §3.3). */
static const char seed_hex[] = "c290d0106bef5a9a425c70ff9217f4bb3851d92d4b294f71096a5cee80f9a355";
static const char pub_hex[] = "0ca91331f86ea8e8202b8071dc7f1c803033dcb1f502188abbd8249c218eb021";
static const char vector_manifest[] =
    "name: hello\nversion: 0.0.2\ninit: /hello\nenv:\n  HELLO: north\nuid: 100\ngid: 1\n";
static const char vector_doc[] =
    "meta:\n  hash: a133e6b65f3f3e67d00a651eab8b5f1672881497c63c780b52f37e4c7382ca65\n"
    "manifest.yaml:\n  hash: 729e78217867b036a8d1223415be1cc834c4a6b043edf2ce4a464f40e9514be9\n"
    "fs.img:\n  verity-hash: "
    "0000000000000000000000000000000000000000000000000000000000000000\n"
    "  verity-offset: 4096\n";
static const char vector_sig[] = "I1vAYa2jcFYfx/Poa9n4qdwZKp1vZLGCM/DvacTOEpo7VRypia2l9nfaGKe+"
				 "A6zdoVgVF0TEdKt/n4eHk5iZBw==";

static void unhex(const char *s, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

static void vector_key(struct ns_seckey *k)
{
	struct ns_err err;
	uint8_t seed[32];
	unhex(seed_hex, seed, 32);
	if (ns_seckey_from_seed(seed, k, &err) < 0)
		abort();
}

static void vector_hashes(struct ns_npk_hashes *h)
{
	memset(h, 0, sizeof(*h));
	ns_sha256("version: 0.9.3\n", 15, h->meta);
	ns_sha256(vector_manifest, strlen(vector_manifest), h->manifest);
	h->verity_offset = 4096;
}

static int test_vector(void)
{
	struct ns_seckey k;
	struct ns_npk_hashes h;
	char hex[65], doc[512], text[1024];
	vector_key(&k);
	CHECK_STR(ns_hex(k.pub.key, 32, hex), pub_hex);
	vector_hashes(&h);
	CHECK_INT(ns_hashes_doc(&h, doc, sizeof(doc)), strlen(vector_doc));
	CHECK_STR(doc, vector_doc);
	int n = ns_signature_yaml(&h, &k, text, sizeof(text));
	CHECK_INT(n, 380); /* 376 + digits of 4096 */
	char want[1024];
	snprintf(want, sizeof(want), "%s---\nsignature: %s", vector_doc, vector_sig);
	CHECK_STR(text, want);
	CHECK_INT(ns_signature_yaml(&h, &k, text, 379), -ENOSPC);
	ns_seckey_wipe(&k);
	return 0;
}

static int test_meta_hash_vectors(void)
{
	uint8_t d[32];
	char hex[65];
	ns_sha256("version: 0.9.3\n", 15, d);
	CHECK_STR(ns_hex(d, 32, hex),
		  "a133e6b65f3f3e67d00a651eab8b5f1672881497c63c780b52f37e4c7382ca65");
	ns_sha256("version: 0.9.2\n", 15, d);
	CHECK_STR(ns_hex(d, 32, hex),
		  "87aaf4d84f28c7f5473feac254dc3890b5b51796149883a37c5e75e437c7b3c1");
	return 0;
}

static int test_verify_strict(void)
{
	struct ns_err err;
	struct ns_seckey k;
	uint8_t sig[64];
	vector_key(&k);
	ns_sign(&k, vector_doc, strlen(vector_doc), sig);
	CHECK_OK(ns_verify(&k.pub, vector_doc, strlen(vector_doc), sig, &err), &err);
	CHECK_FAIL(ns_verify(&k.pub, vector_doc, strlen(vector_doc) - 1, sig, &err), &err,
		   "invalid signature");
	/* S + L: the same signature to a lax verifier, refused by a strict one */
	static const uint8_t ell[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,	      0xd6,
					0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10};
	unsigned carry = 0;
	for (int i = 0; i < 32; i++) {
		unsigned v = sig[32 + i] + ell[i] + carry;
		sig[32 + i] = (uint8_t)v;
		carry = v >> 8;
	}
	CHECK_FAIL(ns_verify(&k.pub, vector_doc, strlen(vector_doc), sig, &err), &err,
		   "invalid signature");
	/* The identity as key, R = identity, S = 0 satisfies the lax equation for any message. */
	struct ns_pubkey identity = {{1}};
	uint8_t forged[64] = {1};
	CHECK_FAIL(ns_verify(&identity, "anything", 8, forged, &err), &err, "invalid signature");
	ns_seckey_wipe(&k);
	return 0;
}

static int test_pubkey_validation(void)
{
	struct ns_err err;
	struct ns_pubkey k;
	uint8_t b[33];
	unhex(pub_hex, b, 32);
	CHECK_OK(ns_pubkey_from_bytes(b, 32, &k, &err), &err);
	CHECK_FAIL(ns_pubkey_from_bytes(b, 33, &k, &err), &err, "public key is 33 bytes");
	uint8_t identity[32] = {1};
	CHECK_FAIL(ns_pubkey_from_bytes(identity, 32, &k, &err), &err,
		   "not a valid Ed25519 public key");
	uint8_t zero[32] = {0}; /* y = 0: a point of order 4 */
	CHECK_FAIL(ns_pubkey_from_bytes(zero, 32, &k, &err), &err, "not a valid Ed25519");
	uint8_t p[32]; /* y = p: not canonical */
	memset(p, 0xff, 32);
	p[0] = 0xed;
	p[31] = 0x7f;
	CHECK_FAIL(ns_pubkey_from_bytes(p, 32, &k, &err), &err, "not a valid Ed25519");
	return 0;
}

static int test_key_files(void)
{
	struct ns_err err;
	struct ns_pubkey pub;
	struct ns_seckey sec;
	uint8_t b[64];
	char path[512];
	unhex(pub_hex, b, 32);
	CHECK_OK(ns_pubkey_load(ns_test_write("ok.pub", b, 32), &pub, &err), &err);
	CHECK_FAIL(ns_pubkey_load(ns_test_write("short.pub", b, 31), &pub, &err), &err,
		   "public key '");
	CHECK(strstr(err.msg, "short.pub' is 31 bytes; it must be exactly 32 (raw Ed25519)"));
	CHECK_FAIL(ns_pubkey_load(ns_test_write("long.pub", b, 64), &pub, &err), &err,
		   "is 64 bytes");
	CHECK_FAIL(ns_pubkey_load(ns_test_tmpdir(), &pub, &err), &err, "is not a regular file");
	snprintf(path, sizeof(path), "%s/missing.pub", ns_test_tmpdir());
	CHECK_FAIL(ns_pubkey_load(path, &pub, &err), &err, "No such file or directory");
	memset(b, 0, 32);
	b[0] = 1;
	CHECK_FAIL(ns_pubkey_load(ns_test_write("small.pub", b, 32), &pub, &err), &err,
		   "small.pub': not a valid Ed25519 public key");
	unhex(seed_hex, b, 32);
	CHECK_OK(ns_seckey_load(ns_test_write("ok.key", b, 32), &sec, &err), &err);
	CHECK(memcmp(sec.pub.key, pub.key, 32) == 0);
	CHECK_FAIL(ns_seckey_load(ns_test_write("long.key", b, 64), &sec, &err), &err,
		   "signing key '");
	CHECK(strstr(err.msg, "long.key' is 64 bytes; it must be exactly 32"));
	ns_seckey_wipe(&sec);
	return 0;
}

static int file_mode_size(const char *dir, const char *name, mode_t *mode, off_t *size)
{
	char path[600];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0)
		return -errno;
	*mode = st.st_mode & 07777;
	*size = st.st_size;
	return 0;
}

static int test_generate(void)
{
	struct ns_err err;
	struct ns_seckey sec;
	struct ns_pubkey pub;
	char dir[512], path[600];
	mode_t mode = 0;
	off_t size = 0;
	snprintf(dir, sizeof(dir), "%s/keys", ns_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	CHECK_OK(ns_keypair_generate(dir, "test", &err), &err);
	CHECK_INT(file_mode_size(dir, "test.key", &mode, &size), 0);
	CHECK_INT(mode, 0600);
	CHECK_INT(size, 32);
	CHECK_INT(file_mode_size(dir, "test.pub", &mode, &size), 0);
	CHECK_INT(mode, 0644);
	CHECK_INT(size, 32);
	snprintf(path, sizeof(path), "%s/test.key", dir);
	CHECK_OK(ns_seckey_load(path, &sec, &err), &err);
	snprintf(path, sizeof(path), "%s/test.pub", dir);
	CHECK_OK(ns_pubkey_load(path, &pub, &err), &err);
	CHECK(memcmp(sec.pub.key, pub.key, 32) == 0);
	ns_seckey_wipe(&sec);
	/* never overwrites, and never leaves half a pair */
	CHECK_FAIL(ns_keypair_generate(dir, "test", &err), &err, "create 'test.key': File exists");
	CHECK_OK(ns_pubkey_load(path, &pub, &err), &err);
	snprintf(path, sizeof(path), "%s/other.pub", dir);
	CHECK(close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) == 0);
	CHECK_FAIL(ns_keypair_generate(dir, "other", &err), &err,
		   "create 'other.pub': File exists");
	CHECK_INT(file_mode_size(dir, "other.key", &mode, &size), -ENOENT);
	CHECK_FAIL(ns_keypair_generate(dir, "a/b", &err), &err, "is not a plain file name");
	CHECK_FAIL(ns_keypair_generate("/nonexistent-dir", "x", &err), &err,
		   "open directory '/nonexistent-dir'");
	return 0;
}

/* --- signature.yaml parsing --------------------------------------------------------- */

static char *vector_text(void)
{
	static char text[1024];
	snprintf(text, sizeof(text), "%s---\nsignature: %s", vector_doc, vector_sig);
	return text;
}

/* text with the first occurrence of from replaced by to. */
static const char *edit(const char *from, const char *to)
{
	static char out[2048];
	const char *text = vector_text();
	const char *at = strstr(text, from);
	if (!at)
		abort();
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

static int parse(const char *text, struct ns_signature *s, struct ns_err *err)
{
	return ns_signature_parse(text, strlen(text), s, err);
}

static int test_parse_vector(void)
{
	struct ns_err err;
	struct ns_signature s;
	struct ns_seckey k;
	char hex[65];
	vector_key(&k);
	const char *text = vector_text();
	CHECK_OK(parse(text, &s, &err), &err);
	CHECK_INT(s.signed_len, strlen(vector_doc));
	CHECK_STR(ns_hex(s.hashes.manifest, 32, hex),
		  "729e78217867b036a8d1223415be1cc834c4a6b043edf2ce4a464f40e9514be9");
	CHECK_INT(s.hashes.verity_offset, 4096);
	CHECK_OK(ns_signature_verify(&s, text, &k.pub, &err), &err);
	/* upper-case hex reads the same (but is no longer what was signed) */
	text = edit("a133e6b65f3f3e67", "A133E6B65F3F3E67");
	CHECK_OK(parse(text, &s, &err), &err);
	CHECK_STR(ns_hex(s.hashes.meta, 32, hex),
		  "a133e6b65f3f3e67d00a651eab8b5f1672881497c63c780b52f37e4c7382ca65");
	CHECK_FAIL(ns_signature_verify(&s, text, &k.pub, &err), &err, "invalid signature");
	/* other spacing and a final newline are still YAML */
	CHECK_OK(parse(edit("signature: ", "signature:    "), &s, &err), &err);
	CHECK_OK(parse(edit("==", "==\n"), &s, &err), &err);
	ns_seckey_wipe(&k);
	return 0;
}

static int test_parse_rejections(void)
{
	static const struct {
		const char *from, *to, *needle;
	} cases[] = {
	    {"---\n", "", "no '---' separator"},
	    {"==", "==\n---\nsignature: x", "more than one '---' separator"},
	    {"  verity-offset: 4096\n", "", "fs.img lacks 'verity-offset'"},
	    {"meta:\n  hash", "meta:\n  extra: 1\n  hash", "unknown key 'extra' in meta"},
	    {"fs.img:\n", "extra: 1\nfs.img:\n", "unknown key 'extra' in the hashes document"},
	    {"fs.img:\n", "meta: {hash: x}\nfs.img:\n", "duplicate key 'meta'"},
	    {"a133e6b6", "a133e6bg", "meta.hash must be 64 hex digits"},
	    {"a133e6b6", "a133e6b", "meta.hash must be 64 hex digits"},
	    {"verity-offset: 4096", "verity-offset: '4096'", "verity-offset must be an unsigned"},
	    {"verity-offset: 4096", "verity-offset: -1", "verity-offset must be an unsigned"},
	    {"Bw==", "Bx==", "signature is not canonical base64"},
	    {"Bw==", "Bw", "signature must be 88 characters"},
	    {"I1vA", "I1v!", "failed to parse signature base 64 format"},
	    {"==", "==\nextra: 1", "unknown key 'extra' in the signature document"},
	    {"==", "==\njunk", "failed to parse signature YAML format"},
	    {"signature: ", "sig: ", "unknown key 'sig'"},
	    {"meta:\n", "meta: [\n", "failed to parse hashes"},
	    {"meta:\n  hash: a133e6b65f3f3e67d00a651eab8b5f1672881497c63c780b52f37e4c7382ca65\n",
	     "meta: 1\n", "meta must be a mapping"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_err err;
		struct ns_signature s;
		const char *text = edit(cases[i].from, cases[i].to);
		CHECK_FAIL(parse(text, &s, &err), &err, cases[i].needle);
	}
	struct ns_err err;
	struct ns_signature s;
	CHECK_FAIL(parse("---\nsignature: x", &s, &err), &err, "the hashes document is empty");
	return 0;
}

NS_TEST_MAIN(T(test_vector), T(test_meta_hash_vectors), T(test_verify_strict),
	     T(test_pubkey_validation), T(test_key_files), T(test_generate), T(test_parse_vector),
	     T(test_parse_rejections))

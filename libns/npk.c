/* Reading and verifying NPKs. Everything later used for dm-verity comes from signed
 * data (verity-offset, root hash) or from the superblock after its validation. */
#include "npk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "sha256.h"
#include "util.h"
#include "yaml.h"

#define ULL(x) ((unsigned long long)(x))

static const char *const known_entries[] = {"manifest.yaml", "signature.yaml", "fs.img"};

static int check_entries(const struct ns_zip *z, struct ns_err *err)
{
	for (size_t i = 0; i < z->n; i++) {
		size_t k = 0;
		while (k < 3 && strcmp(z->entries[i].name, known_entries[k]) != 0)
			k++;
		if (k == 3)
			return ns_err_set(err, EINVAL,
					  "unexpected zip entry '%s' (an NPK holds only "
					  "manifest.yaml, signature.yaml and fs.img)",
					  z->entries[i].name);
	}
	if (!ns_zip_find(z, "manifest.yaml"))
		return ns_err_set(err, EINVAL, "failed to locate manifest.yaml in ZIP file");
	if (!ns_zip_find(z, "fs.img"))
		return ns_err_set(err, EINVAL, "failed to locate fs.img in ZIP file");
	return 0;
}

/* The meta document: {version: X.Y.Z}, X.Y.Z >= 0.9 under semver rules (so a
 * pre-release such as 0.9.3-pre does not match). Unknown keys are ignored. */
static int check_meta(struct ns_npk *npk, struct ns_err *err)
{
	static const struct ns_version oldest = {NS_NPK_MIN_MAJOR, NS_NPK_MIN_MINOR, 0};
	struct ns_ydoc d;
	if (ns_yaml_load("zip comment", npk->comment, npk->comment_len, &d, err) < 0)
		return ns_err_wrap(err, "comment malformed");
	const struct ns_ynode *v = ns_ymap_get(d.root, "version");
	int r = 0;
	if (!v || v->kind != NS_YSCALAR)
		r = ns_err_set(err, EINVAL, "comment malformed: no version in the zip comment");
	else if (ns_version_parse(v->str, &npk->meta_version) < 0)
		r = ns_yerr(err, &d, v, EINVAL, "comment malformed: '%s' is not a version", v->str);
	else if (strcspn(v->str, "+") > strcspn(v->str, "-") ||
		 ns_version_cmp(&npk->meta_version, &oldest) < 0)
		r = ns_err_set(err, EINVAL,
			       "NPK version format %s doesn't match required version "
			       ">=%d.%d",
			       v->str, NS_NPK_MIN_MAJOR, NS_NPK_MIN_MINOR);
	ns_ydoc_free(&d);
	return r;
}

static int compare_hash(const char *what, const uint8_t expected[32], const void *data, size_t len,
			struct ns_err *err)
{
	uint8_t actual[32];
	char e[65], a[65];
	ns_sha256(data, len, actual);
	if (memcmp(expected, actual, 32) == 0)
		return 0;
	return ns_err_set(err, EBADMSG, "invalid %s hash (expected=%s actual=%s)", what,
			  ns_hex(expected, 32, e), ns_hex(actual, 32, a));
}

/* signature.yaml against the key (when given), then the hashes it signs. */
static int check_signed_hashes(struct ns_npk *npk, const struct ns_pubkey *key, struct ns_err *err)
{
	if (!npk->signature_text)
		return ns_err_set(err, EINVAL, "failed to locate signature.yaml in ZIP file");
	int r = ns_signature_parse(npk->signature_text, npk->signature_len, &npk->signature, err);
	if (r < 0)
		return r;
	if (key && (r = ns_signature_verify(&npk->signature, npk->signature_text, key, err)) < 0) {
		/* EKEYREJECTED: not this key's signature, so that the caller can name the key */
		if (err->errnum == EBADMSG)
			err->errnum = EKEYREJECTED;
		return ns_err_wrap(err, "signature.yaml");
	}
	const struct ns_npk_hashes *h = &npk->signature.hashes;
	if ((r = compare_hash("meta", h->meta, npk->comment, npk->comment_len, err)) < 0 ||
	    (r = compare_hash("manifest", h->manifest, npk->manifest_text, npk->manifest_len,
			      err)) < 0)
		return r;
	return 0;
}

/* The superblock must sit exactly at the signed offset, describe exactly the signed
 * data size, and fs.img must end exactly where the tree does: the loop device's size
 * then follows from signed data, not from the zip header alone. */
static int check_verity_layout(struct ns_npk *npk, struct ns_err *err)
{
	uint64_t d = npk->signature.hashes.verity_offset;
	uint8_t block[NS_VERITY_SB_SIZE];
	if (d == 0 || d % NS_VERITY_BLOCK_SIZE != 0)
		return ns_err_set(err, EINVAL,
				  "signed verity-offset %llu is not a positive multiple "
				  "of %d",
				  ULL(d), NS_VERITY_BLOCK_SIZE);
	if (d > npk->fs_size || npk->fs_size - d < NS_VERITY_SB_SIZE)
		return ns_err_set(err, EINVAL,
				  "signed verity-offset %llu leaves no room for the "
				  "verity superblock in fs.img (%llu bytes)",
				  ULL(d), ULL(npk->fs_size));
	ssize_t n = ns_pread_full(npk->fd, block, sizeof(block), npk->fs_offset + d);
	if (n < 0)
		return ns_err_sys(err, (int)-n, "failed to read verity header");
	if (n != (ssize_t)sizeof(block))
		return ns_err_set(err, EIO, "failed to read verity header: file ends early");
	int r = ns_verity_sb_decode(block, sizeof(block), d, &npk->verity_sb, err);
	if (r < 0)
		return ns_err_wrap(err, "fs.img offset %llu", ULL(d));
	uint64_t want = d + NS_VERITY_SB_SIZE + ns_verity_tree_size(npk->verity_sb.data_blocks);
	if (npk->fs_size != want)
		return ns_err_set(err, EINVAL,
				  "fs.img is %llu bytes, but %llu bytes of squashfs with "
				  "the verity superblock and hash tree make %llu",
				  ULL(npk->fs_size), ULL(d), ULL(want));
	ns_verity_params_init(&npk->verity, &npk->verity_sb, npk->signature.hashes.verity_root);
	npk->verity_offset = d;
	npk->has_verity = true;
	return 0;
}

static int read_entries(struct ns_npk *npk, struct ns_err *err)
{
	const struct ns_zip_entry *man = ns_zip_find(&npk->zip, "manifest.yaml");
	const struct ns_zip_entry *sig = ns_zip_find(&npk->zip, "signature.yaml");
	const struct ns_zip_entry *img = ns_zip_find(&npk->zip, "fs.img");
	int r = ns_zip_read_entry(npk->fd, man, NS_NPK_MANIFEST_MAX, &npk->manifest_text,
				  &npk->manifest_len, err);
	if (r < 0)
		return r;
	if (sig) {
		r = ns_zip_read_entry(npk->fd, sig, NS_SIGNATURE_MAX, &npk->signature_text,
				      &npk->signature_len, err);
		if (r < 0)
			return r;
		npk->has_signature = true;
	}
	npk->fs_offset = img->data_offset;
	npk->fs_size = img->size;
	npk->comment = npk->zip.comment;
	npk->comment_len = npk->zip.comment_len;
	return 0;
}

/* With a key, nothing signed is parsed as YAML before the signature and the hashes
 * over it are checked. */
static int npk_load(int fd, const struct ns_pubkey *key, struct ns_npk *npk, struct ns_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "stat");
	if (!S_ISREG(st.st_mode))
		return ns_err_set(err, EINVAL, "not a regular file");
	npk->size = (uint64_t)st.st_size;
	npk->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (npk->fd < 0)
		return ns_err_sys(err, errno, "dup");
	int r = ns_zip_open(npk->fd, npk->size, &npk->zip, err);
	if (r < 0 || (r = check_entries(&npk->zip, err)) < 0 || (r = read_entries(npk, err)) < 0)
		return r;
	if (key && (r = check_signed_hashes(npk, key, err)) < 0)
		return r;
	if ((r = check_meta(npk, err)) < 0)
		return r;
	if (key && (r = check_verity_layout(npk, err)) < 0)
		return r;
	npk->verified = key != NULL;
	return ns_manifest_parse("manifest.yaml", npk->manifest_text, npk->manifest_len,
				 &npk->manifest, err);
}

int ns_npk_open(int fd, const struct ns_pubkey *key, struct ns_npk *npk, struct ns_err *err)
{
	memset(npk, 0, sizeof(*npk));
	npk->fd = -1;
	int r = npk_load(fd, key, npk, err);
	if (r < 0)
		ns_npk_close(npk);
	return r;
}

int ns_npk_open_path(const char *path, const struct ns_pubkey *key, struct ns_npk *npk,
		     struct ns_err *err)
{
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ns_err_sys(err, errno, "open '%s'", path);
	if (ns_npk_open(fd, key, npk, err) < 0)
		return ns_err_wrap(err, "%s", path);
	return 0;
}

void ns_npk_close(struct ns_npk *npk)
{
	if (npk->manifest.arena)
		ns_manifest_free(&npk->manifest);
	free(npk->manifest_text);
	free(npk->signature_text);
	if (npk->fd >= 0)
		close(npk->fd);
	memset(npk, 0, sizeof(*npk));
	npk->fd = -1;
}

static int verify_deep(struct ns_npk *npk, const struct ns_pubkey *key, struct ns_err *err)
{
	int r;
	if (!key && npk->has_signature) { /* all but the Ed25519 check */
		if ((r = check_signed_hashes(npk, NULL, err)) < 0 ||
		    (r = check_verity_layout(npk, err)) < 0)
			return r;
	}
	if (npk->has_verity &&
	    (r = ns_verity_check(npk->fd, npk->fs_offset, &npk->verity, err)) < 0)
		return ns_err_wrap(err, "fs.img");
	for (size_t i = 0; i < npk->zip.n; i++)
		if ((r = ns_zip_check_crc(npk->fd, &npk->zip.entries[i], err)) < 0)
			return r;
	return 0;
}

int ns_npk_verify(int fd, const struct ns_pubkey *key, struct ns_npk *npk, struct ns_err *err)
{
	int r = ns_npk_open(fd, key, npk, err);
	if (r < 0)
		return r;
	if ((r = verify_deep(npk, key, err)) < 0)
		ns_npk_close(npk);
	return r;
}

int ns_npk_extract(const struct ns_npk *npk, int dirfd, struct ns_err *err)
{
	return ns_zip_extract(npk->fd, &npk->zip, dirfd, err);
}

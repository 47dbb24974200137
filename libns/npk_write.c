/* Packing NPKs: manifest.yaml, signature.yaml (signed only), fs.img aligned to 4096,
 * the meta comment; written through a temporary file and renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "npk.h"
#include "sha256.h"
#include "util.h"

#define BS NS_VERITY_BLOCK_SIZE

static int random_bytes(uint8_t *buf, size_t len, struct ns_err *err)
{
	while (len) {
		ssize_t n = getrandom(buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ns_err_sys(err, errno, "getrandom");
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Everything a signed fs.img appends to the image, and the signature over it. */
struct signed_parts {
	uint64_t image_padded; /* D: the image zero-padded to a block multiple */
	uint8_t sb[NS_VERITY_SB_SIZE];
	struct ns_verity_tree tree;
	char sig_text[NS_SIGNATURE_MAX];
	size_t sig_len;
};

static int make_signed_parts(const struct ns_npk_pack *p, uint64_t image_size,
			     struct signed_parts *s, struct ns_err *err)
{
	uint8_t salt[NS_NPK_SALT_SIZE], uuid[16];
	struct ns_verity_sb sb;
	struct ns_npk_hashes h = {0};
	int r;

	if (p->salt)
		memcpy(salt, p->salt, sizeof(salt));
	else if ((r = random_bytes(salt, sizeof(salt), err)) < 0)
		return r;
	if (p->uuid) {
		memcpy(uuid, p->uuid, sizeof(uuid));
	} else {
		if ((r = random_bytes(uuid, sizeof(uuid), err)) < 0)
			return r;
		uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4 */
		uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	}
	if ((r = ns_verity_build(p->image_fd, 0, image_size, salt, sizeof(salt), &s->tree, err)) <
	    0)
		return ns_err_wrap(err, "image");
	s->image_padded = s->tree.data_blocks * BS;
	ns_verity_sb_init(&sb, s->tree.data_blocks, salt, sizeof(salt), uuid);
	ns_verity_sb_encode(&sb, s->sb);

	ns_sha256(NS_NPK_COMMENT, strlen(NS_NPK_COMMENT), h.meta);
	ns_sha256(p->manifest, p->manifest_len, h.manifest);
	memcpy(h.verity_root, s->tree.root, 32);
	h.verity_offset = s->image_padded;
	int n = ns_signature_yaml(&h, p->key, s->sig_text, sizeof(s->sig_text));
	if (n < 0)
		return ns_err_set(err, -n, "cannot format signature.yaml");
	s->sig_len = (size_t)n;
	return 0;
}

static int write_zeros(struct ns_zip_writer *w, uint64_t len, struct ns_err *err)
{
	static const uint8_t zeros[BS];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		int r = ns_zip_writer_write(w, zeros, n, err);
		if (r < 0)
			return r;
		len -= n;
	}
	return 0;
}

static int write_zip(int out, const struct ns_npk_pack *p, uint64_t image_size,
		     const struct signed_parts *s, struct ns_err *err)
{
	struct ns_zip_writer w;
	ns_zip_writer_init(&w, out);
	int r = ns_zip_writer_add(&w, "manifest.yaml", p->manifest, p->manifest_len, err);
	if (r >= 0 && s)
		r = ns_zip_writer_add(&w, "signature.yaml", s->sig_text, s->sig_len, err);
	if (r >= 0)
		r = ns_zip_writer_begin(&w, "fs.img", BS, err);
	if (r >= 0)
		r = ns_zip_writer_copy(&w, p->image_fd, 0, image_size, err);
	if (r >= 0 && s) {
		r = write_zeros(&w, s->image_padded - image_size, err);
		if (r >= 0)
			r = ns_zip_writer_write(&w, s->sb, sizeof(s->sb), err);
		if (r >= 0)
			r = ns_zip_writer_write(&w, s->tree.data, s->tree.size, err);
	}
	if (r >= 0)
		r = ns_zip_writer_end(&w, err);
	if (r >= 0)
		r = ns_zip_writer_finish(&w, NS_NPK_COMMENT, strlen(NS_NPK_COMMENT), err);
	return r;
}

/* Creates "<dir>/.<base>.XXXXXX" beside path; its name goes to tmp. */
static int create_temp(const char *path, char *tmp, size_t size, struct ns_err *err)
{
	char copy1[PATH_MAX], copy2[PATH_MAX];
	if (snprintf(copy1, sizeof(copy1), "%s", path) >= (int)sizeof(copy1))
		return ns_err_set(err, ENAMETOOLONG, "path too long: '%s'", path);
	strcpy(copy2, copy1);
	if (snprintf(tmp, size, "%s/.%s.XXXXXX", dirname(copy1), basename(copy2)) >= (int)size)
		return ns_err_set(err, ENAMETOOLONG, "path too long: '%s'", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "create a temporary file beside '%s'", path);
	return fd;
}

static int commit(int fd, const char *tmp, const char *path, struct ns_err *err)
{
	char copy[PATH_MAX];
	if (fchmod(fd, 0644) < 0)
		return ns_err_sys(err, errno, "chmod '%s'", tmp);
	if (fsync(fd) < 0)
		return ns_err_sys(err, errno, "fsync '%s'", tmp);
	if (rename(tmp, path) < 0)
		return ns_err_sys(err, errno, "rename '%s' to '%s'", tmp, path);
	snprintf(copy, sizeof(copy), "%s", path);
	ns_autoclose int dir = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0)
		(void)fsync(dir); /* the data is safe; a lost rename only loses the new name */
	return 0;
}

static int check_inputs(const struct ns_npk_pack *p, uint64_t *image_size, struct ns_err *err)
{
	struct ns_manifest m;
	struct stat st;
	if (ns_manifest_parse("manifest.yaml", p->manifest, p->manifest_len, &m, err) < 0)
		return ns_err_ret(err);
	ns_manifest_free(&m);
	if (fstat(p->image_fd, &st) < 0)
		return ns_err_sys(err, errno, "stat the image");
	if (!S_ISREG(st.st_mode))
		return ns_err_set(err, EINVAL, "the image is not a regular file");
	if (st.st_size == 0)
		return ns_err_set(err, EINVAL, "the image is empty");
	*image_size = (uint64_t)st.st_size;
	return 0;
}

int ns_npk_write(const struct ns_npk_pack *p, const char *path, struct ns_err *err)
{
	char tmp[PATH_MAX];
	uint64_t image_size = 0;
	ns_autofree struct signed_parts *s = NULL;

	int r = check_inputs(p, &image_size, err);
	if (r < 0)
		return r;
	if (p->key) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return ns_err_set(err, ENOMEM, "out of memory");
		if ((r = make_signed_parts(p, image_size, s, err)) < 0) {
			ns_verity_tree_free(&s->tree);
			return r;
		}
	}
	ns_autoclose int fd = create_temp(path, tmp, sizeof(tmp), err);
	if (fd < 0) {
		if (s)
			ns_verity_tree_free(&s->tree);
		return fd;
	}
	r = write_zip(fd, p, image_size, s, err);
	if (s)
		ns_verity_tree_free(&s->tree);
	if (r >= 0)
		r = commit(fd, tmp, path, err);
	if (r < 0) {
		(void)unlink(tmp);
		return ns_err_wrap(err, "write '%s'", path);
	}
	return 0;
}

/* Ed25519 keys and signatures on libsodium. */
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "util.h"

static int sodium_ready(struct ns_err *err)
{
	if (sodium_init() < 0)
		return ns_err_set(err, EIO, "libsodium failed to initialise");
	return 0;
}

int ns_pubkey_from_bytes(const uint8_t *b, size_t len, struct ns_pubkey *k, struct ns_err *err)
{
	int r = sodium_ready(err);
	if (r < 0)
		return r;
	if (len != NS_KEY_SIZE)
		return ns_err_set(err, EINVAL, "public key is %zu bytes; a raw Ed25519 key is %d",
				  len, NS_KEY_SIZE);
	if (!crypto_core_ed25519_is_valid_point(b))
		return ns_err_set(err, EINVAL,
				  "not a valid Ed25519 public key (non-canonical, off the "
				  "curve, of small order or outside the prime-order subgroup)");
	memcpy(k->key, b, NS_KEY_SIZE);
	return 0;
}

/* Reads a regular file that must be exactly NS_KEY_SIZE bytes. */
static int read_key_file(const char *path, const char *what, uint8_t out[NS_KEY_SIZE],
			 struct ns_err *err)
{
	struct stat st;
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ns_err_sys(err, errno, "open %s '%s'", what, path);
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "stat %s '%s'", what, path);
	if (!S_ISREG(st.st_mode))
		return ns_err_set(err, EINVAL, "%s '%s' is not a regular file", what, path);
	if (st.st_size != NS_KEY_SIZE)
		return ns_err_set(err, EINVAL,
				  "%s '%s' is %lld bytes; it must be exactly %d (raw "
				  "Ed25519)",
				  what, path, (long long)st.st_size, NS_KEY_SIZE);
	ssize_t n = ns_read_full(fd, out, NS_KEY_SIZE);
	if (n < 0)
		return ns_err_sys(err, (int)-n, "read %s '%s'", what, path);
	if (n != NS_KEY_SIZE)
		return ns_err_set(err, EIO, "%s '%s' changed size while being read", what, path);
	return 0;
}

int ns_pubkey_load(const char *path, struct ns_pubkey *k, struct ns_err *err)
{
	uint8_t b[NS_KEY_SIZE];
	int r = read_key_file(path, "public key", b, err);
	if (r < 0)
		return r;
	if ((r = ns_pubkey_from_bytes(b, sizeof(b), k, err)) < 0)
		return ns_err_wrap(err, "'%s'", path);
	return 0;
}

int ns_seckey_from_seed(const uint8_t seed[NS_KEY_SIZE], struct ns_seckey *k, struct ns_err *err)
{
	int r = sodium_ready(err);
	if (r < 0)
		return r;
	if (crypto_sign_ed25519_seed_keypair(k->pub.key, k->sk, seed) != 0)
		return ns_err_set(err, EINVAL, "cannot derive an Ed25519 key pair from the seed");
	return 0;
}

int ns_seckey_load(const char *path, struct ns_seckey *k, struct ns_err *err)
{
	uint8_t seed[NS_KEY_SIZE];
	int r = read_key_file(path, "signing key", seed, err);
	if (r >= 0)
		r = ns_seckey_from_seed(seed, k, err);
	sodium_memzero(seed, sizeof(seed));
	return r;
}

void ns_seckey_wipe(struct ns_seckey *k)
{
	sodium_memzero(k, sizeof(*k));
}

static int create_excl(int dirfd, const char *name, unsigned mode, struct ns_err *err)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return ns_err_sys(err, errno, "create '%s'", name);
	if (fchmod(fd, mode) < 0) { /* the umask must not widen or narrow what we promise */
		int e = errno;
		close(fd);
		(void)unlinkat(dirfd, name, 0);
		return ns_err_sys(err, e, "chmod '%s'", name);
	}
	return fd;
}

static int write_key(int fd, const char *name, const uint8_t *b, struct ns_err *err)
{
	int r = ns_write_full(fd, b, NS_KEY_SIZE);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	return r < 0 ? ns_err_sys(err, -r, "write '%s'", name) : 0;
}

static int name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) < NAME_MAX - 4;
}

int ns_keypair_generate(const char *dir, const char *name, struct ns_err *err)
{
	char key_name[NAME_MAX + 1], pub_name[NAME_MAX + 1];
	uint8_t seed[NS_KEY_SIZE];
	struct ns_seckey k;
	int r = sodium_ready(err);
	if (r < 0)
		return r;
	if (!name_ok(name))
		return ns_err_set(err, EINVAL, "key name '%s' is not a plain file name", name);
	snprintf(key_name, sizeof(key_name), "%s.key", name);
	snprintf(pub_name, sizeof(pub_name), "%s.pub", name);
	ns_autoclose int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ns_err_sys(err, errno, "open directory '%s'", dir);
	ns_autoclose int kfd = create_excl(dirfd, key_name, 0600, err);
	if (kfd < 0)
		return ns_err_wrap(err, "%s", dir);
	ns_autoclose int pfd = create_excl(dirfd, pub_name, 0644, err);
	if (pfd < 0) {
		(void)unlinkat(dirfd, key_name, 0);
		return ns_err_wrap(err, "%s", dir);
	}
	randombytes_buf(seed, sizeof(seed));
	r = ns_seckey_from_seed(seed, &k, err);
	if (r >= 0)
		r = write_key(kfd, key_name, seed, err);
	if (r >= 0)
		r = write_key(pfd, pub_name, k.pub.key, err);
	sodium_memzero(seed, sizeof(seed));
	ns_seckey_wipe(&k);
	if (r >= 0 && fsync(dirfd) < 0)
		r = ns_err_sys(err, errno, "fsync '%s'", dir);
	if (r < 0) {
		(void)unlinkat(dirfd, key_name, 0);
		(void)unlinkat(dirfd, pub_name, 0);
		return ns_err_wrap(err, "%s", dir);
	}
	return 0;
}

void ns_sign(const struct ns_seckey *k, const void *msg, size_t len, uint8_t sig[NS_SIG_SIZE])
{
	(void)crypto_sign_ed25519_detached(sig, NULL, msg, len, k->sk);
}

int ns_verify(const struct ns_pubkey *k, const void *msg, size_t len,
	      const uint8_t sig[NS_SIG_SIZE], struct ns_err *err)
{
	int r = sodium_ready(err);
	if (r < 0)
		return r;
	if (crypto_sign_ed25519_verify_detached(sig, msg, len, k->key) != 0)
		return ns_err_set(err, EBADMSG, "invalid signature");
	return 0;
}

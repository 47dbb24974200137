/* libFuzzer target: what sextant does with an NPK someone hands it, through the libns
 * calls its applets make: inspect (ns_npk_open without a key, the manifest as JSON),
 * unpack (ns_npk_extract into a directory) and verify (ns_npk_verify without and with
 * a key, which recomputes the verity tree of a signed NPK).
 *
 * First byte even: the rest is the NPK as is. Odd: the rest is a change count, 4 bytes
 * per change (24-bit offset, xor value), a manifest length and the manifest (empty: a
 * minimal resource manifest), then the image; they are packed into an NPK signed with a
 * test key and the changes are applied to the packed file, so that inputs get past the
 * signature check and reach the zip layout, the verity superblock and the hash tree.
 *
 * Properties, abort() when broken: unpack writes only plain-named regular files into
 * its directory and nothing beside it; an NPK packed and left untouched opens and
 * verifies with its key. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/hex.h"
#include "libns/npk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char work[64];	    /* this process's directory: npk file and x/ */
static int work_fd = -1;    /* work, opened */
static struct ns_seckey sk; /* the test key: seed of 32 x 0x5a */

static void cleanup(void)
{
	if (work_fd < 0)
		return;
	(void)unlinkat(work_fd, "npk", 0);
	(void)unlinkat(work_fd, "x", AT_REMOVEDIR);
	close(work_fd);
	(void)rmdir(work);
}

static int setup(void)
{
	if (work_fd >= 0)
		return 0;
	uint8_t seed[NS_KEY_SIZE];
	struct ns_err err;
	memset(seed, 0x5a, sizeof(seed));
	if (ns_seckey_from_seed(seed, &sk, &err) < 0)
		abort();
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(work, sizeof(work), "%s/fuzz-sextant-XXXXXX", tmp);
	if (!mkdtemp(work))
		abort();
	work_fd = open(work, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (work_fd < 0)
		abort();
	atexit(cleanup);
	return 0;
}

static bool plain_name(const char *n)
{
	return n[0] && !strchr(n, '/') && strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

/* sextant inspect --json and -s: everything it prints, built and dropped. */
static void inspect(const struct ns_npk *npk)
{
	char v[64], h[65];
	for (size_t i = 0; i < npk->zip.n; i++)
		if (!plain_name(npk->zip.entries[i].name))
			abort(); /* unpack would create it outside its directory */
	(void)ns_version_str(&npk->manifest.version, v, sizeof(v));
	(void)ns_version_str(&npk->meta_version, v, sizeof(v));
	(void)ns_manifest_is_resource(&npk->manifest);
	if (npk->has_verity)
		ns_hex(npk->verity.root_hash, 32, h);
	cJSON *o = ns_manifest_to_json(&npk->manifest);
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_free(text);
	cJSON_Delete(o);
}

/* sextant unpack's first half (the image goes to unsquashfs, not ours): the entries
 * into a fresh directory x, then x and its parent are checked and emptied. */
static void unpack(const struct ns_npk *npk)
{
	struct ns_err err;
	if (mkdirat(work_fd, "x", 0755) < 0)
		abort();
	int x = openat(work_fd, "x", O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (x < 0)
		abort();
	(void)ns_npk_extract(npk, x, &err);
	/* Beside x: only the NPK itself. */
	DIR *d = fdopendir(dup(work_fd));
	if (!d)
		abort();
	rewinddir(d);
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "x") &&
		    strcmp(e->d_name, "npk"))
			abort(); /* extraction wrote beside its directory */
	closedir(d);
	/* In x: regular files named by the zip, each removed. */
	d = fdopendir(dup(x));
	if (!d)
		abort();
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(x, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			abort();
		if (unlinkat(x, e->d_name, 0) < 0)
			abort();
	}
	closedir(d);
	close(x);
	if (unlinkat(work_fd, "x", AT_REMOVEDIR) < 0)
		abort();
}

/* Everything sextant does with the NPK in fd. */
static void handle(int fd, bool packed_intact)
{
	struct ns_err err;
	struct ns_npk npk;
	if (ns_npk_open(fd, NULL, &npk, &err) == 0) {
		inspect(&npk);
		unpack(&npk);
		ns_npk_close(&npk);
	} else if (packed_intact) {
		abort();
	}
	if (ns_npk_verify(fd, NULL, &npk, &err) == 0)
		ns_npk_close(&npk);
	else if (packed_intact)
		abort();
	if (ns_npk_verify(fd, &sk.pub, &npk, &err) == 0)
		ns_npk_close(&npk);
	else if (packed_intact)
		abort();
}

static const char default_manifest[] = "name: fuzz\nversion: 0.0.1\nuid: 1000\ngid: 1000\n";

/* Packs the input's manifest and image as a signed NPK at work/npk and applies the
 * changes. Returns its fd, or -1 when the writer refused it. */
static int pack(const uint8_t *p, size_t n, bool *intact)
{
	struct {
		uint32_t off;
		uint8_t x;
	} ch[16];
	unsigned nch = n ? *p % 16 : 0;
	p += !!n, n -= !!n;
	for (unsigned i = 0; i < nch; i++) {
		uint8_t b[4] = {0};
		for (unsigned k = 0; k < 4 && n; k++, n--)
			b[k] = *p++;
		ch[i].off = b[0] | b[1] << 8 | (uint32_t)b[2] << 16;
		ch[i].x = b[3] ? b[3] : 0x80;
	}
	size_t mlen = n ? *p : 0;
	p += !!n, n -= !!n;
	mlen = mlen < n ? mlen : n;
	const char *manifest = mlen ? (const char *)p : default_manifest;
	size_t manifest_len = mlen ? mlen : sizeof(default_manifest) - 1;
	p += mlen, n -= mlen;

	int img = memfd_create("fuzz-img", MFD_CLOEXEC);
	if (img < 0)
		return -1;
	if (n && write(img, p, n) != (ssize_t)n) {
		close(img);
		return -1;
	}
	static const uint8_t salt[NS_NPK_SALT_SIZE] = {7};
	static const uint8_t uuid[16] = {9};
	struct ns_npk_pack pk = {.manifest = manifest,
				 .manifest_len = manifest_len,
				 .image_fd = img,
				 .key = &sk,
				 .salt = salt,
				 .uuid = uuid};
	struct ns_err err;
	char path[96];
	snprintf(path, sizeof(path), "%s/npk", work);
	int r = ns_npk_write(&pk, path, &err);
	close(img);
	if (r < 0)
		return -1;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
		abort();
	*intact = true;
	for (unsigned i = 0; i < nch; i++) {
		uint8_t b;
		off_t off = (off_t)(ch[i].off % (uint64_t)st.st_size);
		if (pread(fd, &b, 1, off) != 1)
			abort();
		b ^= ch[i].x;
		if (pwrite(fd, &b, 1, off) != 1)
			abort();
		*intact = false;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (!size)
		return 0;
	bool intact = false;
	int fd;
	if (data[0] & 1) {
		fd = pack(data + 1, size - 1, &intact);
	} else {
		fd = memfd_create("fuzz.npk", MFD_CLOEXEC);
		if (fd >= 0 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		return 0;
	handle(fd, intact);
	close(fd);
	(void)unlinkat(work_fd, "npk", 0);
	return 0;
}

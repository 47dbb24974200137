#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "libns/bytes.h"
#include "libns/util.h"
#include "libns/zip.h"
#include "testlib.h"

/* A zip under construction or test, in memory. */
struct buf {
	uint8_t d[16384];
	size_t len;
};

static int mem_fd(const struct buf *b)
{
	int fd = memfd_create("zip", MFD_CLOEXEC);
	if (fd < 0 || write(fd, b->d, b->len) != (ssize_t)b->len)
		abort();
	return fd;
}

static void from_fd(int fd, struct buf *b)
{
	b->len = (size_t)pread(fd, b->d, sizeof(b->d), 0);
}

/* Writes entries "aa" = "hello" and "bb" = "world" with comment "c":
 * LFH aa at 0 (data 32..37), LFH bb at 37 (data 69..74), CD at 74 (aa: 74, bb: 122),
 * end record at 170, file size 193. */
static void base_zip(struct buf *b)
{
	struct ns_err err;
	struct ns_zip_writer w;
	int fd = memfd_create("zip", MFD_CLOEXEC);
	ns_zip_writer_init(&w, fd);
	if (ns_zip_writer_add(&w, "aa", "hello", 5, &err) < 0 ||
	    ns_zip_writer_add(&w, "bb", "world", 5, &err) < 0 ||
	    ns_zip_writer_finish(&w, "c", 1, &err) < 0)
		abort();
	from_fd(fd, b);
	close(fd);
}
#define LFH_AA 0
#define LFH_BB 37
#define CDH_AA 74
#define CDH_BB 122
#define EOCD   170

static int open_buf(const struct buf *b, struct ns_zip *z, struct ns_err *err)
{
	ns_autoclose int fd = mem_fd(b);
	return ns_zip_open(fd, b->len, z, err);
}

static int test_round_trip(void)
{
	struct ns_err err;
	struct ns_zip z;
	struct buf b;
	base_zip(&b);
	CHECK_INT(b.len, 193);
	ns_autoclose int fd = mem_fd(&b);
	CHECK_OK(ns_zip_open(fd, b.len, &z, &err), &err);
	CHECK_INT(z.n, 2);
	CHECK_STR(z.entries[0].name, "aa");
	CHECK_STR(z.entries[1].name, "bb");
	CHECK_INT(z.entries[1].lfh_offset, LFH_BB);
	CHECK_INT(z.entries[1].data_offset, 69);
	CHECK_INT(z.cd_offset, CDH_AA);
	CHECK_STR(z.comment, "c");
	ns_autofree char *data = NULL;
	size_t len;
	CHECK_OK(ns_zip_read_entry(fd, ns_zip_find(&z, "bb"), 100, &data, &len, &err), &err);
	CHECK_INT(len, 5);
	CHECK_STR(data, "world");
	CHECK_FAIL(ns_zip_read_entry(fd, &z.entries[0], 4, &data, &len, &err), &err,
		   "zip entry 'aa' is 5 bytes; at most 4");
	CHECK_OK(ns_zip_check_crc(fd, &z.entries[1], &err), &err);
	return 0;
}

/* The exact header bytes of spec §1.2, and the worked alignment example of §1.3:
 * manifest 76 bytes, signature 380 bytes -> fs.img header at 543, extra field of 3517
 * bytes, data at 4096. */
static int test_writer_bytes_match_zip_2_2_0(void)
{
	struct ns_err err;
	struct ns_zip_writer w;
	static char m[76], s[380], img[4096];
	memset(m, 'm', sizeof(m));
	memset(s, 's', sizeof(s));
	memset(img, 'i', sizeof(img));
	ns_autoclose int fd = memfd_create("zip", MFD_CLOEXEC);
	ns_zip_writer_init(&w, fd);
	CHECK_OK(ns_zip_writer_add(&w, "manifest.yaml", m, sizeof(m), &err), &err);
	CHECK_OK(ns_zip_writer_add(&w, "signature.yaml", s, sizeof(s), &err), &err);
	CHECK_OK(ns_zip_writer_begin(&w, "fs.img", 4096, &err), &err);
	CHECK_OK(ns_zip_writer_write(&w, img, sizeof(img), &err), &err);
	CHECK_OK(ns_zip_writer_end(&w, &err), &err);
	CHECK_OK(ns_zip_writer_finish(&w, "version: 0.9.3\n", 15, &err), &err);

	static uint8_t f[16384];
	ssize_t n = pread(fd, f, sizeof(f), 0);
	const uint8_t lfh0[] = {0x50, 0x4b, 3, 4, 10, 0, 0, 0, 0, 0, 0, 0, 0x21, 0};
	CHECK(memcmp(f, lfh0, sizeof(lfh0)) == 0);
	CHECK_INT(ns_le32(f + 14), crc32(0, (const Bytef *)m, sizeof(m)));
	CHECK_INT(ns_le32(f + 18), 76);
	CHECK_INT(ns_le32(f + 22), 76);
	CHECK_INT(ns_le16(f + 28), 0);
	const uint8_t *h = f + 543; /* fs.img local header */
	CHECK_INT(ns_le32(h), 0x04034b50);
	CHECK_INT(ns_le16(h + 28), 3517);
	CHECK_INT(ns_le16(h + 36), 0xa11e);
	CHECK_INT(ns_le16(h + 38), 3513);
	CHECK_INT(ns_le16(h + 40), 4096);
	CHECK(h[42] == 0 && h[36 + 3516] == 0);
	CHECK(memcmp(f + 4096, img, sizeof(img)) == 0);
	const uint8_t *cd = f + 8192;
	const uint8_t cd0[] = {0x50, 0x4b, 1, 2, 0x0a, 3, 10, 0, 0, 0, 0, 0, 0, 0, 0x21, 0};
	CHECK(memcmp(cd, cd0, sizeof(cd0)) == 0);
	CHECK_INT(ns_le32(cd + 38), 0x81a40000u);
	const uint8_t *cd_img = cd + 2 * 46 + 13 + 14;
	CHECK_INT(ns_le16(cd_img + 30), 3517); /* the extra field is repeated */
	CHECK(memcmp(cd_img + 46 + 6, h + 36, 3517) == 0);
	CHECK_INT(ns_le32(cd_img + 42), 543);
	const uint8_t *eocd = cd_img + 46 + 6 + 3517;
	CHECK_INT(ns_le32(eocd), 0x06054b50);
	CHECK_INT(ns_le16(eocd + 8), 3);
	CHECK_INT(ns_le32(eocd + 16), 8192);
	CHECK_INT(ns_le16(eocd + 20), 15);
	CHECK(memcmp(eocd + 22, "version: 0.9.3\n", 15) == 0);
	CHECK_INT(n, eocd + 22 + 15 - f);
	return 0;
}

/* Alignment corner cases: a pad under 6 bytes grows by 4096; an aligned start gets no
 * field at all. */
static int aligned_data_offset(size_t first_len, uint64_t *data_off, uint16_t *extra)
{
	struct ns_err err;
	struct ns_zip_writer w;
	struct ns_zip z;
	static char big[8192];
	ns_autoclose int fd = memfd_create("zip", MFD_CLOEXEC);
	ns_zip_writer_init(&w, fd);
	if (ns_zip_writer_add(&w, "manifest.yaml", big, first_len, &err) < 0 ||
	    ns_zip_writer_begin(&w, "fs.img", 4096, &err) < 0 ||
	    ns_zip_writer_write(&w, "x", 1, &err) < 0 || ns_zip_writer_end(&w, &err) < 0 ||
	    ns_zip_writer_finish(&w, "", 0, &err) < 0)
		return -1;
	struct stat st;
	fstat(fd, &st);
	if (ns_zip_open(fd, (uint64_t)st.st_size, &z, &err) < 0)
		return -1;
	*data_off = z.entries[1].data_offset;
	*extra = (uint16_t)(*data_off - z.entries[1].lfh_offset - 36);
	return 0;
}

static int test_writer_alignment_corners(void)
{
	uint64_t off;
	uint16_t extra;
	CHECK_INT(aligned_data_offset(4014, &off, &extra), 0); /* header 4057: pad 3 -> 4099 */
	CHECK_INT(off, 8192);
	CHECK_INT(extra, 4099);
	CHECK_INT(aligned_data_offset(4017, &off, &extra), 0); /* header 4060: aligned */
	CHECK_INT(off, 4096);
	CHECK_INT(extra, 0);
	CHECK_INT(aligned_data_offset(4011, &off, &extra), 0); /* pad exactly 6 */
	CHECK_INT(off, 4096);
	CHECK_INT(extra, 6);
	return 0;
}

static int test_writer_refusals(void)
{
	struct ns_err err;
	struct ns_zip_writer w;
	ns_autoclose int fd = memfd_create("zip", MFD_CLOEXEC);
	ns_zip_writer_init(&w, fd);
	CHECK_FAIL(ns_zip_writer_add(&w, "a/b", "", 0, &err), &err, "invalid zip entry name 'a/b'");
	CHECK_FAIL(ns_zip_writer_add(&w, "..", "", 0, &err), &err, "invalid zip entry name");
	CHECK_OK(ns_zip_writer_add(&w, "a", "", 0, &err), &err);
	CHECK_FAIL(ns_zip_writer_add(&w, "a", "", 0, &err), &err, "duplicate zip entry 'a'");
	CHECK_FAIL(ns_zip_writer_write(&w, "x", 1, &err), &err, "outside an entry");
	static char comment[5000];
	CHECK_FAIL(ns_zip_writer_finish(&w, comment, sizeof(comment), &err), &err,
		   "zip comment of 5000 bytes");
	return 0;
}

/* --- rejections: each mutation of the base zip and the message naming it --------- */

static int expect_reject(const struct buf *b, const char *needle)
{
	struct ns_err err;
	struct ns_zip z;
	CHECK_FAIL(open_buf(b, &z, &err), &err, needle);
	return 0;
}

static void set_name(struct buf *b, size_t lfh, size_t cdh, const char name[2])
{
	memcpy(b->d + lfh + 30, name, 2);
	memcpy(b->d + cdh + 46, name, 2);
}

static int test_reject_names(void)
{
	static const struct {
		char name[2];
		const char *needle;
	} cases[] = {
	    {"bb", "duplicate zip entry 'bb' (central record 1 at offset 122)"},
	    {"/b", "name '/b' is an absolute path"},
	    {"b/", "name 'b/' contains a path separator"},
	    {"b\\", "name 'b\\x5c' contains a path separator"},
	    {"..", "name '..' is a relative path component"},
	    {{'b', 0}, "name 'b\\x00' contains a NUL byte"},
	    {"b\n", "name 'b\\x0a' has a control or non-ASCII byte"},
	    {"b\xff", "has a control or non-ASCII byte"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b;
		base_zip(&b);
		if (i == 0) /* aa renamed to bb */
			set_name(&b, LFH_AA, CDH_AA, cases[i].name);
		else
			set_name(&b, LFH_BB, CDH_BB, cases[i].name);
		if (expect_reject(&b, cases[i].needle))
			return NS_TEST_FAIL;
	}
	return 0;
}

/* Sets a 16-bit field in both headers of entry bb (LFH and CD offsets differ). */
static void set_both16(struct buf *b, size_t lfh_field, size_t cd_field, uint16_t v)
{
	ns_put_le16(b->d + LFH_BB + lfh_field, v);
	ns_put_le16(b->d + CDH_BB + cd_field, v);
}

static int test_reject_features(void)
{
	struct buf b;
	base_zip(&b);
	set_both16(&b, 8, 10, 8);
	if (expect_reject(&b, "zip entry 'bb' is compressed (method 8)"))
		return NS_TEST_FAIL;
	base_zip(&b);
	set_both16(&b, 6, 8, 1);
	if (expect_reject(&b, "zip entry 'bb' is encrypted"))
		return NS_TEST_FAIL;
	base_zip(&b);
	set_both16(&b, 6, 8, 8);
	if (expect_reject(&b, "zip entry 'bb' uses a data descriptor"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le16(b.d + EOCD + 4, 1);
	if (expect_reject(&b, "describes a multi-disk archive"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le16(b.d + CDH_BB + 34, 1);
	if (expect_reject(&b, "zip entry 'bb' starts on disk 1"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le16(b.d + EOCD + 8, 0xffff);
	ns_put_le16(b.d + EOCD + 10, 0xffff);
	if (expect_reject(&b, "has ZIP64 markers: ZIP64 archives are refused"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le32(b.d + CDH_BB + 20, 0xffffffffu);
	ns_put_le32(b.d + CDH_BB + 24, 0xffffffffu);
	if (expect_reject(&b, "zip entry 'bb' has ZIP64 markers in its central record"))
		return NS_TEST_FAIL;
	return 0;
}

/* A ZIP64 locator in front of the end record, and a ZIP64 extra field. */
static int test_reject_zip64_structures(void)
{
	struct buf b;
	base_zip(&b);
	/* Insert 20 bytes of locator between the directory and the end record. */
	memmove(b.d + EOCD + 20, b.d + EOCD, b.len - EOCD);
	memset(b.d + EOCD, 0, 20);
	ns_put_le32(b.d + EOCD, 0x07064b50);
	b.len += 20;
	if (expect_reject(&b, "ZIP64 end record locator at offset 170"))
		return NS_TEST_FAIL;

	struct ns_err err;
	struct ns_zip_writer w;
	ns_autoclose int fd = memfd_create("zip", MFD_CLOEXEC);
	ns_zip_writer_init(&w, fd);
	CHECK_OK(ns_zip_writer_begin(&w, "fs.img", 64, &err), &err);
	CHECK_OK(ns_zip_writer_end(&w, &err), &err);
	CHECK_OK(ns_zip_writer_finish(&w, "", 0, &err), &err);
	from_fd(fd, &b);
	ns_put_le16(b.d + 36, 0x0001); /* the alignment field's id, local header */
	return expect_reject(&b, "zip entry 'fs.img' has a ZIP64 extra field in its local header");
}

static int test_reject_bounds_and_overlaps(void)
{
	struct buf b;
	base_zip(&b);
	ns_put_le32(b.d + CDH_BB + 42, 160);
	if (expect_reject(&b, "zip entry 'bb': local header at offset 160 overlaps the central"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le32(b.d + LFH_BB + 18, 6);
	ns_put_le32(b.d + LFH_BB + 22, 6);
	ns_put_le32(b.d + CDH_BB + 20, 6);
	ns_put_le32(b.d + CDH_BB + 24, 6);
	if (expect_reject(&b, "zip entry 'bb' (data at offset 69, 6 bytes) runs into the central"))
		return NS_TEST_FAIL;
	base_zip(&b); /* aa shrunk by one byte: one byte belongs to nobody */
	ns_put_le32(b.d + LFH_AA + 18, 4);
	ns_put_le32(b.d + LFH_AA + 22, 4);
	ns_put_le32(b.d + CDH_AA + 20, 4);
	ns_put_le32(b.d + CDH_AA + 24, 4);
	if (expect_reject(&b, "1 unowned bytes at offset 36 between zip entries 'aa' and 'bb'"))
		return NS_TEST_FAIL;
	base_zip(&b); /* aa grown by one byte: it overlaps bb's header */
	ns_put_le32(b.d + LFH_AA + 18, 6);
	ns_put_le32(b.d + LFH_AA + 22, 6);
	ns_put_le32(b.d + CDH_AA + 20, 6);
	ns_put_le32(b.d + CDH_AA + 24, 6);
	if (expect_reject(&b, "zip entries 'aa' (offsets 0..38) and 'bb' (offset 37) overlap"))
		return NS_TEST_FAIL;
	base_zip(&b); /* both central records point at the same local header */
	ns_put_le32(b.d + CDH_BB + 42, 0);
	memcpy(b.d + LFH_AA + 30, "bb", 2);
	memcpy(b.d + CDH_AA + 46, "cc", 2);
	return expect_reject(&b, "zip entry 'cc': local header at offset 0 disagrees with the "
				 "central directory (name)");
}

/* Two entries whose local headers both sit inside the first one's data. */
static int test_reject_nested_entry(void)
{
	struct ns_err err;
	struct ns_zip_writer w;
	struct buf b;
	uint8_t inner[30 + 2 + 5] = {0x50, 0x4b, 3, 4, 10};
	ns_put_le16(inner + 12, 0x21);
	ns_put_le32(inner + 14, (uint32_t)crc32(0, (const Bytef *)"world", 5));
	ns_put_le32(inner + 18, 5);
	ns_put_le32(inner + 22, 5);
	ns_put_le16(inner + 26, 2);
	memcpy(inner + 30, "bb", 2);
	memcpy(inner + 32, "world", 5);
	ns_autoclose int fd = memfd_create("zip", MFD_CLOEXEC);
	ns_zip_writer_init(&w, fd);
	CHECK_OK(ns_zip_writer_add(&w, "aa", inner, sizeof(inner), &err), &err);
	CHECK_OK(ns_zip_writer_add(&w, "bb", "world", 5, &err), &err);
	CHECK_OK(ns_zip_writer_finish(&w, "", 0, &err), &err);
	from_fd(fd, &b);
	size_t cd_bb = 30 + 2 + sizeof(inner) + 30 + 2 + 5 + 46 + 2;
	ns_put_le32(b.d + cd_bb + 42, 32); /* bb now inside aa's data */
	return expect_reject(&b, "zip entries 'aa' (offsets 0..69) and 'bb' (offset 32) overlap");
}

static int test_reject_header_mismatch(void)
{
	static const struct {
		size_t off;
		uint8_t xor ;
		const char *field;
	} cases[] = {
	    {6, 0x08, "(flags)"}, /* set in the local header only */
	    {8, 0x08, "(compression method)"},
	    {14, 0x01, "(CRC-32)"},
	    {18, 0x01, "(sizes)"},
	    {22, 0x01, "(sizes)"},
	    {30, 0x01, "(name)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b;
		base_zip(&b);
		b.d[LFH_BB + cases[i].off] ^= cases[i].xor ;
		if (i == 0) /* UTF-8 flag: allowed, but it must agree */
			b.d[LFH_BB + 7] ^= 0x08, b.d[LFH_BB + 6] ^= 0x08;
		const char *needle = cases[i].field;
		if (expect_reject(&b, "zip entry 'bb': local header at offset 37 disagrees") ||
		    expect_reject(&b, needle))
			return NS_TEST_FAIL;
	}
	struct buf b;
	base_zip(&b);
	b.d[LFH_BB] = 'X';
	return expect_reject(&b, "zip entry 'bb': no local header at offset 37");
}

static int test_reject_end_record_problems(void)
{
	struct buf b;
	base_zip(&b);
	b.d[b.len++] = 'x';
	if (expect_reject(&b, "1 trailing bytes after the zip end record (offset 170)"))
		return NS_TEST_FAIL;
	base_zip(&b); /* a comment that is itself an end record reaching the file's end */
	uint8_t fake[22] = {0x50, 0x4b, 5, 6};
	b.len -= 1;
	memcpy(b.d + b.len, fake, sizeof(fake));
	b.len += sizeof(fake);
	ns_put_le16(b.d + EOCD + 20, 22);
	if (expect_reject(&b, "ambiguous zip: end records at offsets 170 and 192"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le16(b.d + EOCD + 20, 5000);
	memset(b.d + b.len - 1, ' ', 5000);
	b.len += 4999;
	if (expect_reject(&b, "zip comment is 5000 bytes; at most 4096"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le32(b.d + EOCD + 12, 95);
	if (expect_reject(&b, "1 unowned bytes between the zip central directory and the end"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le16(b.d + EOCD + 8, 0);
	ns_put_le16(b.d + EOCD + 10, 0);
	if (expect_reject(&b, "zip archive has no entries"))
		return NS_TEST_FAIL;
	base_zip(&b);
	ns_put_le16(b.d + EOCD + 8, 1);
	ns_put_le16(b.d + EOCD + 10, 1);
	if (expect_reject(&b, "zip central directory has 48 bytes after its 1 entries"))
		return NS_TEST_FAIL;
	memset(&b, 0, sizeof(b));
	b.len = 100;
	if (expect_reject(&b, "not a zip file: no end of central directory record"))
		return NS_TEST_FAIL;
	b.len = 10;
	return expect_reject(&b, "not a zip file: only 10 bytes");
}

static int test_crc_mismatch(void)
{
	struct ns_err err;
	struct ns_zip z;
	struct buf b;
	base_zip(&b);
	b.d[69] ^= 1; /* bb's data */
	ns_autoclose int fd = mem_fd(&b);
	CHECK_OK(ns_zip_open(fd, b.len, &z, &err), &err);
	ns_autofree char *data = NULL;
	CHECK_FAIL(ns_zip_read_entry(fd, &z.entries[1], 100, &data, NULL, &err), &err,
		   "zip entry 'bb': CRC-32 mismatch");
	CHECK_FAIL(ns_zip_check_crc(fd, &z.entries[1], &err), &err, "zip entry 'bb': CRC-32");
	return 0;
}

static const char *fixture(const char *name)
{
	static char path[1024];
	const char *top = getenv("NS_TOP");
	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", top ? top : ".", name);
	return path;
}

/* Northstar's older packer pads fs.img with a local-only "za" field. */
static int test_reads_za_padding(void)
{
	struct ns_err err;
	struct ns_zip z;
	struct stat st;
	ns_autoclose int fd = open(fixture("message-0.0.1.npk"), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ns_test_skip("fixture message-0.0.1.npk not found (set NS_TOP)");
	fstat(fd, &st);
	CHECK_OK(ns_zip_open(fd, (uint64_t)st.st_size, &z, &err), &err);
	CHECK_INT(z.n, 3);
	const struct ns_zip_entry *img = ns_zip_find(&z, "fs.img");
	CHECK(img);
	CHECK_INT(img->lfh_offset, 520);
	CHECK_INT(img->data_offset, 4096);
	CHECK_INT(img->size, 8192);
	CHECK_STR(z.comment, "---\nversion: 0.9.3\n");
	return 0;
}

static int test_extract(void)
{
	struct ns_err err;
	struct ns_zip z;
	struct buf b;
	char dir[512], path[600];
	base_zip(&b);
	snprintf(dir, sizeof(dir), "%s/extract", ns_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	ns_autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ns_autoclose int fd = mem_fd(&b);
	CHECK_OK(ns_zip_open(fd, b.len, &z, &err), &err);
	/* bb exists already: nothing is overwritten, and aa is not left behind */
	snprintf(path, sizeof(path), "%s/bb", dir);
	CHECK(symlink("/etc/passwd", path) == 0);
	CHECK_FAIL(ns_zip_extract(fd, &z, dfd, &err), &err, "create 'bb': File exists");
	snprintf(path, sizeof(path), "%s/aa", dir);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	snprintf(path, sizeof(path), "%s/bb", dir);
	CHECK(unlink(path) == 0);
	CHECK_OK(ns_zip_extract(fd, &z, dfd, &err), &err);
	char got[8] = {0};
	ns_autoclose int f = openat(dfd, "bb", O_RDONLY | O_CLOEXEC);
	CHECK(read(f, got, sizeof(got)) == 5);
	CHECK_STR(got, "world");
	return 0;
}

NS_TEST_MAIN(T(test_round_trip), T(test_writer_bytes_match_zip_2_2_0),
	     T(test_writer_alignment_corners), T(test_writer_refusals), T(test_reject_names),
	     T(test_reject_features), T(test_reject_zip64_structures),
	     T(test_reject_bounds_and_overlaps), T(test_reject_nested_entry),
	     T(test_reject_header_mismatch), T(test_reject_end_record_problems),
	     T(test_crc_mismatch), T(test_reads_za_padding), T(test_extract))

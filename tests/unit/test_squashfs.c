/* The squashfs writer: superblock fields, in-memory trees read back by the test
 * reader, determinism across thread counts, writing at an offset, and errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/squashfs.h"
#include "libns/util.h"
#include "tests/fuzz/sqfs_check.h"
#include "tests/unit/testlib.h"

static struct ns_sqfs_opts opts(void)
{
	struct ns_sqfs_opts o;
	ns_sqfs_opts_init(&o);
	o.mtime = 1700000000;
	o.threads = 2;
	return o;
}

/* The image in fd (from offset 0), mapped. */
static uint8_t *map_image(int fd, size_t *len)
{
	*len = (size_t)lseek(fd, 0, SEEK_END);
	void *p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int test_empty_root(void)
{
	struct ns_err err = {0};
	struct ns_sqfs_opts o = opts();
	int fd = memfd_create("t", MFD_CLOEXEC);
	uint64_t size = 0;
	CHECK_OK(ns_sqfs_write(NULL, NULL, &o, fd, &size, &err), &err);
	size_t len;
	uint8_t *img = map_image(fd, &len);
	CHECK(img);
	CHECK_INT(size, 4096);
	CHECK_INT(len, 4096);
	CHECK_INT(ck32(img), SQ_MAGIC);
	CHECK_INT(ck32(img + 4), 1);	      /* inodes */
	CHECK_INT(ck32(img + 8), 1700000000); /* mtime */
	CHECK_INT(ck32(img + 12), 131072);
	CHECK_INT(ck16(img + 22), 17);
	CHECK_INT(ck16(img + 24), SQ_FL_NO_XATTRS | SQ_FL_ALWAYS_FRAGS);
	CHECK_INT(ck64(img + 56), SQ_INVALID); /* no xattr table */
	CHECK_INT(ck64(img + 88), SQ_INVALID); /* no export table */
	munmap(img, len);
	close(fd);
	return 0;
}

/* A tree with multi-block, sparse, tail-only and empty files, hard links, a
 * directory big enough for an index, devices, symlinks and xattrs. */
static uint8_t content[600000];

static int build_tree(struct sq_tree *t, struct ns_err *err)
{
	for (size_t i = 0; i < sizeof(content); i++)
		content[i] = i < 200000	  ? (uint8_t)(i * 7 / 13)
			     : i < 400000 ? 0
					  : (uint8_t)(i % 251);
	if (sq_tree_init(t, err) < 0)
		return -1;
	struct sq_node *d = sq_node_new(t->root, "big-dir", SQ_IT_DIR, err), *n;
	for (int i = 0; d && i < 900; i++) {
		char name[64];
		snprintf(name, sizeof(name), "entry-with-a-long-name-%04d", 899 - i);
		if (!(n = sq_node_new(d, name, SQ_IT_REG, err)))
			return -1;
		n->mem = content + i * 37;
		n->size = (uint64_t)(i * 11);
	}
	struct {
		const char *name;
		size_t off, size;
	} files[] = {{"multi", 0, 600000},
		     {"sparse", 200000, 300000},
		     {"tail", 5, 1000},
		     {"empty", 0, 0},
		     {"exact", 0, 262144}};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (!(n = sq_node_new(t->root, files[i].name, SQ_IT_REG, err)))
			return -1;
		n->mem = content + files[i].off;
		n->size = files[i].size;
		n->maybe_linked = i == 4;
		n->dev = 1;
		n->ino = 42;
	}
	if (!(n = sq_node_new(d, "hard", SQ_IT_REG, err)))
		return -1;
	*n = (struct sq_node){.name = n->name,
			      .parent = d,
			      .type = SQ_IT_REG,
			      .mode = 0644,
			      .mem = content,
			      .size = 262144,
			      .maybe_linked = true,
			      .dev = 1,
			      .ino = 42,
			      .frag = SQ_NO_FRAG,
			      .xattr_id = SQ_NO_XATTR};
	if (!(n = sq_node_new(t->root, "dev", SQ_IT_CHR, err)))
		return -1;
	n->major = 4095;
	n->minor = 1048575;
	if (sq_node_set_xattr(n, "security.selinux", "u:object_r:x:s0", 15, err) < 0 ||
	    !(n = sq_node_new(t->root, "link", SQ_IT_SYMLINK, err)) ||
	    !(n->target = strdup("big-dir/hard")) || !sq_node_new(t->root, "fifo", SQ_IT_FIFO, err))
		return -1;
	return sq_node_set_xattr(t->root, "user.x", "1", 1, err);
}

static int pack_tree(struct ns_sqfs_opts *o, int *ret_fd, struct sq_tree *t, struct ns_err *err)
{
	int fd = memfd_create("t", MFD_CLOEXEC);
	if (fd < 0 || build_tree(t, err) < 0 || sq_tree_finish(t, o, err) < 0 ||
	    sq_write_tree(t, o, fd, NULL, err) < 0)
		return -1;
	*ret_fd = fd;
	return 0;
}

static int check_roundtrip(struct ns_sqfs_opts o)
{
	struct ns_err err = {0};
	struct sq_tree t;
	int fd;
	CHECK_OK(pack_tree(&o, &fd, &t, &err), &err);
	size_t len;
	uint8_t *img = map_image(fd, &len);
	struct sqck ck;
	CHECK(img);
	int r = sqck_run(&ck, img, len, &t);
	if (r < 0)
		fprintf(stderr, "  image check: %s\n", ck.why);
	CHECK(r == 0);
	CHECK(ck.nxattrs == 2);
	sqck_free(&ck);
	munmap(img, len);
	sq_tree_free(&t);
	close(fd);
	return 0;
}

static int test_roundtrip_gzip(void)
{
	return check_roundtrip(opts());
}

static int test_roundtrip_uncompressed_no_fragments(void)
{
	struct ns_sqfs_opts o = opts();
	o.comp = NS_SQFS_NONE;
	o.no_fragments = true;
	o.exports = true;
	o.block_size = 4096;
	return check_roundtrip(o);
}

static int test_roundtrip_one_thread_forced_ids(void)
{
	struct ns_sqfs_opts o = opts();
	o.threads = 1;
	o.force_ids = true;
	o.uid = 1000;
	o.gid = 1001;
	return check_roundtrip(o);
}

/* The reader must notice a changed data byte: the round trips above can fail. */
static int test_reader_catches_corruption(void)
{
	struct ns_err err = {0};
	struct ns_sqfs_opts o = opts();
	o.comp = NS_SQFS_NONE;
	struct sq_tree t;
	int fd;
	CHECK_OK(pack_tree(&o, &fd, &t, &err), &err);
	size_t len;
	uint8_t *img = map_image(fd, &len);
	CHECK(img);
	img[SQ_SUPER_SIZE + 10] ^= 1; /* the first data block */
	struct sqck ck;
	CHECK(sqck_run(&ck, img, len, &t) < 0);
	CHECK(strstr(ck.why, "differs"));
	sqck_free(&ck);
	munmap(img, len);
	sq_tree_free(&t);
	close(fd);
	return 0;
}

static int test_deterministic_across_threads(void)
{
	struct ns_err err = {0};
	uint8_t *img[2];
	size_t len[2];
	for (int i = 0; i < 2; i++) {
		struct ns_sqfs_opts o = opts();
		o.threads = i ? 3 : 1;
		struct sq_tree t;
		int fd;
		CHECK_OK(pack_tree(&o, &fd, &t, &err), &err);
		img[i] = map_image(fd, &len[i]);
		CHECK(img[i]);
		sq_tree_free(&t);
		close(fd);
	}
	CHECK(len[0] == len[1] && memcmp(img[0], img[1], len[0]) == 0);
	munmap(img[0], len[0]);
	munmap(img[1], len[1]);
	return 0;
}

static int test_write_at_offset(void)
{
	struct ns_err err = {0};
	struct ns_sqfs_opts o = opts();
	int fd = memfd_create("t", MFD_CLOEXEC);
	CHECK(fd >= 0 && lseek(fd, 5000, SEEK_SET) == 5000);
	uint64_t size;
	CHECK_OK(ns_sqfs_write(NULL, NULL, &o, fd, &size, &err), &err);
	CHECK_INT(lseek(fd, 0, SEEK_CUR), 5000 + size);
	uint8_t sb[4];
	CHECK(pread(fd, sb, 4, 5000) == 4 && ck32(sb) == SQ_MAGIC);
	close(fd);
	return 0;
}

static int test_bad_options_and_extras(void)
{
	struct ns_err err = {0};
	struct ns_sqfs_opts o = opts();
	int fd = memfd_create("t", MFD_CLOEXEC);
	o.block_size = 1000;
	CHECK_FAIL(ns_sqfs_write(NULL, NULL, &o, fd, NULL, &err), &err, "block size 1000");
	o = opts();
	o.comp = 7;
	CHECK_FAIL(ns_sqfs_write(NULL, NULL, &o, fd, NULL, &err), &err, "unknown compression");
	o = opts();
	struct ns_fsx x[] = {{.path = "dev", .type = NS_FSX_DIR}};
	struct ns_fsx_list l = {x, 1};
	CHECK_FAIL(ns_sqfs_write(NULL, &l, &o, fd, NULL, &err), &err, "not a clean absolute path");
	x[0] = (struct ns_fsx){.path = "/a/b", .type = NS_FSX_DIR};
	CHECK_FAIL(ns_sqfs_write(NULL, &l, &o, fd, NULL, &err), &err, "parent '/a' is not");
	x[0] = (struct ns_fsx){.path = "/l", .type = NS_FSX_SYMLINK};
	CHECK_FAIL(ns_sqfs_write(NULL, &l, &o, fd, NULL, &err), &err, "bad symlink target");
	x[0] = (struct ns_fsx){.path = "/", .type = NS_FSX_CHR};
	CHECK_FAIL(ns_sqfs_write(NULL, &l, &o, fd, NULL, &err), &err, "must be a directory");
	x[0] = (struct ns_fsx){.path = "/", .type = NS_FSX_DIR, .mode = 0700};
	CHECK_OK(ns_sqfs_write(NULL, &l, &o, fd, NULL, &err), &err);
	close(fd);
	char path[512];
	snprintf(path, sizeof(path), "%s/append", ns_test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	CHECK_FAIL(ns_sqfs_write(NULL, NULL, &o, fd, NULL, &err), &err, "not O_APPEND");
	close(fd);
	return 0;
}

static int test_name_limits(void)
{
	struct ns_err err = {0};
	struct sq_tree t;
	char name[300];
	memset(name, 'n', sizeof(name));
	name[256] = '\0';
	CHECK_OK(sq_tree_init(&t, &err), &err);
	CHECK(sq_node_new(t.root, name, SQ_IT_REG, &err) != NULL);
	name[256] = 'n';
	name[257] = '\0';
	CHECK(sq_node_new(t.root, name, SQ_IT_REG, &err) == NULL);
	CHECK(strstr(err.msg, "longer than 256"));
	CHECK(sq_node_new(t.root, "..", SQ_IT_REG, &err) == NULL);
	CHECK(sq_node_new(t.root, "a/b", SQ_IT_REG, &err) == NULL);
	sq_tree_free(&t);
	return 0;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static int test_write_file_leaves_nothing_on_failure(void)
{
	struct ns_err err = {0};
	struct ns_sqfs_opts o = opts();
	char out_dir[512], out[600], src[600];
	snprintf(out_dir, sizeof(out_dir), "%s/out", ns_test_tmpdir());
	snprintf(out, sizeof(out), "%s/img", out_dir);
	snprintf(src, sizeof(src), "%s/missing", ns_test_tmpdir());
	CHECK(mkdir(out_dir, 0755) == 0);
	CHECK_FAIL(ns_sqfs_write_file(src, NULL, &o, out, NULL, &err), &err, "missing");
	CHECK_INT(count_entries(out_dir), 0);
	uint64_t size;
	CHECK_OK(ns_sqfs_write_file(NULL, NULL, &o, out, &size, &err), &err);
	struct stat st;
	CHECK(stat(out, &st) == 0 && (uint64_t)st.st_size == size && (st.st_mode & 0777) == 0644);
	CHECK_INT(count_entries(out_dir), 1);
	return 0;
}

/* A file whose size changes between the scan and the data pass. */
static int test_file_changing_size(void)
{
	struct ns_err err = {0};
	struct ns_sqfs_opts o = opts();
	char dir[512], f[600];
	snprintf(dir, sizeof(dir), "%s/src", ns_test_tmpdir());
	snprintf(f, sizeof(f), "%s/file", dir);
	CHECK(mkdir(dir, 0755) == 0);
	int w = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(w >= 0 && write(w, "abc", 3) == 3);
	struct sq_tree t;
	CHECK_OK(sq_tree_init(&t, &err), &err);
	CHECK_OK(sq_scan(&t, dir, false, &err), &err);
	CHECK_OK(sq_tree_finish(&t, &o, &err), &err);
	CHECK(write(w, "def", 3) == 3);
	close(w);
	int fd = memfd_create("t", MFD_CLOEXEC);
	CHECK_FAIL(sq_write_tree(&t, &o, fd, NULL, &err), &err,
		   "file' changed size during packing");
	sq_tree_free(&t);
	close(fd);
	return 0;
}

NS_TEST_MAIN(T(test_empty_root), T(test_roundtrip_gzip),
	     T(test_roundtrip_uncompressed_no_fragments), T(test_roundtrip_one_thread_forced_ids),
	     T(test_reader_catches_corruption), T(test_deterministic_across_threads),
	     T(test_write_at_offset), T(test_bad_options_and_extras), T(test_name_limits),
	     T(test_write_file_leaves_nothing_on_failure), T(test_file_changing_size))

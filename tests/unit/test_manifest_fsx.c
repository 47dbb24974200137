/* ns_manifest_fs_extras: the image entries of spec npk-format §6.2. */
#include <stdlib.h>

#include "libns/manifest.h"
#include "testlib.h"

static int parse(const char *text, struct ns_manifest *m, struct ns_err *err)
{
	return ns_manifest_parse("manifest.yaml", text, strlen(text), m, err);
}

/* One line per entry, as the mksquashfs pseudo definitions would name it. */
static void describe(const struct ns_fsx *e, char *buf, size_t size)
{
	char x[128] = "";
	switch (e->type) {
	case NS_FSX_DIR:
		snprintf(buf, size, "%s d %o %u %u", e->path, e->mode, e->uid, e->gid);
		break;
	case NS_FSX_CHR:
		snprintf(buf, size, "%s c %o %u %u %u %u", e->path, e->mode, e->uid, e->gid,
			 e->major, e->minor);
		break;
	case NS_FSX_SYMLINK:
		snprintf(buf, size, "%s s %o %u %u %s", e->path, e->mode, e->uid, e->gid,
			 e->target);
		break;
	}
	if (e->selinux)
		snprintf(x, sizeof(x), " x security.selinux=%s", e->selinux);
	strncat(buf, x, size - strlen(buf) - 1);
}

static int check_list(const struct ns_fsx_list *l, const char *const *expected, size_t n)
{
	char line[512];
	int bad = 0;
	for (size_t i = 0; i < l->n || i < n; i++) {
		if (i < l->n)
			describe(&l->items[i], line, sizeof(line));
		const char *want = i < n ? expected[i] : "(nothing)";
		const char *got = i < l->n ? line : "(nothing)";
		if (strcmp(got, want)) {
			fprintf(stderr, "  entry %zu: got '%s', expected '%s'\n", i, got, want);
			bad = 1;
		}
	}
	return bad ? NS_TEST_FAIL : 0;
}

static int test_extras(void)
{
	struct ns_manifest m;
	struct ns_err err;
	struct ns_fsx_list l;
	CHECK_OK(parse("name: a\nversion: 0.0.1\ninit: /a\nuid: 20\ngid: 30\n"
		       "mounts:\n"
		       "  /proc: {type: proc}\n"
		       "  /dev: {type: dev}\n"
		       "  /srv/data/ro: {type: bind, host: /x}\n"
		       "  /srv/data/rw: {type: bind, host: /y, options: rw}\n"
		       "  /srv/tmp: {type: tmpfs, size: 1M}\n"
		       "  /opt/res: {type: resource, name: r, version: '*', dir: /}\n"
		       "  /sys: {type: sysfs}\n"
		       "  /var/lib/p: {type: persist}\n"
		       "  /run/s: {type: sockets}\n",
		       &m, &err),
		 &err);
	CHECK_OK(ns_manifest_fs_extras(&m, &l, &err), &err);
	static const char *const expected[] = {
	    "/dev d 755 20 30",
	    "/dev/full c 666 20 30 1 7 x security.selinux=u:object_r:null_device:s0",
	    "/dev/null c 666 20 30 1 3 x security.selinux=u:object_r:full_device:s0",
	    "/dev/random c 666 20 30 1 8 x security.selinux=u:object_r:full_device:s0",
	    "/dev/tty c 666 20 30 5 0 x security.selinux=u:object_r:owntty_device:s0",
	    "/dev/urandom c 666 20 30 1 9 x security.selinux=u:object_r:random_device:s0",
	    "/dev/zero c 666 20 30 1 5 x security.selinux=u:object_r:zero_device:s0",
	    "/proc d 444 20 30",
	    "/proc/self d 755 20 30",
	    "/proc/self/fd d 777 20 30",
	    "/dev/fd s 777 20 30 /proc/self/fd x security.selinux=u:r:su:s0",
	    "/dev/stdin s 777 20 30 /proc/self/fd/0 x security.selinux=u:r:su:s0",
	    "/dev/stdout s 777 20 30 /proc/self/fd/1 x security.selinux=u:r:su:s0",
	    "/dev/stderr s 777 20 30 /proc/self/fd/2 x security.selinux=u:r:su:s0",
	    "/opt d 555 20 30",
	    "/opt/res d 555 20 30",
	    "/run d 755 20 30",
	    "/run/s d 755 20 30",
	    /* /srv and /srv/data come from the first mount beneath them (read-only bind) */
	    "/srv d 555 20 30",
	    "/srv/data d 555 20 30",
	    "/srv/data/ro d 555 20 30",
	    "/srv/data/rw d 755 20 30",
	    "/srv/tmp d 755 20 30",
	    "/sys d 444 20 30",
	    "/var d 755 20 30",
	    "/var/lib d 755 20 30",
	    "/var/lib/p d 755 20 30",
	};
	int r = check_list(&l, expected, sizeof(expected) / sizeof(expected[0]));
	ns_fsx_list_free(&l);
	CHECK(l.items == NULL && l.n == 0);
	ns_manifest_free(&m);
	return r;
}

/* Without a proc mount at exactly /proc there are no fd links. */
static int test_dev_without_proc(void)
{
	struct ns_manifest m;
	struct ns_err err;
	struct ns_fsx_list l;
	CHECK_OK(parse("name: a\nversion: 0.0.1\ninit: /a\nuid: 1\ngid: 1\n"
		       "mounts:\n  /c/dev: {type: dev}\n  /p: {type: proc}\n",
		       &m, &err),
		 &err);
	CHECK_OK(ns_manifest_fs_extras(&m, &l, &err), &err);
	static const char *const expected[] = {
	    "/c d 755 1 1",
	    "/c/dev d 755 1 1",
	    "/c/dev/full c 666 1 1 1 7 x security.selinux=u:object_r:null_device:s0",
	    "/c/dev/null c 666 1 1 1 3 x security.selinux=u:object_r:full_device:s0",
	    "/c/dev/random c 666 1 1 1 8 x security.selinux=u:object_r:full_device:s0",
	    "/c/dev/tty c 666 1 1 5 0 x security.selinux=u:object_r:owntty_device:s0",
	    "/c/dev/urandom c 666 1 1 1 9 x security.selinux=u:object_r:random_device:s0",
	    "/c/dev/zero c 666 1 1 1 5 x security.selinux=u:object_r:zero_device:s0",
	    "/p d 444 1 1",
	};
	int r = check_list(&l, expected, sizeof(expected) / sizeof(expected[0]));
	ns_fsx_list_free(&l);
	ns_manifest_free(&m);
	return r;
}

static int test_no_mounts(void)
{
	struct ns_manifest m;
	struct ns_err err;
	struct ns_fsx_list l = {(void *)1, 5};
	CHECK_OK(parse("name: a\nversion: 0.0.1\nuid: 1\ngid: 1\n", &m, &err), &err);
	CHECK_OK(ns_manifest_fs_extras(&m, &l, &err), &err);
	CHECK(l.n == 0);
	ns_fsx_list_free(&l);
	ns_manifest_free(&m);
	return 0;
}

NS_TEST_MAIN(T(test_extras), T(test_dev_without_proc), T(test_no_mounts))

/* The preflight's pure checks (libns/preflight.h) against a fake /proc, /dev and module
 * tree: device-mapper or `verity: userspace`, the root mount, namespaces, seccomp, loop,
 * squashfs, the directories' modes, keys and the console's address. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/preflight.h"
#include "libns/sign.h"
#include "testlib.h"

static char proc[512], dev[512], mods[512];

/* The fake tree: an empty /dev, /proc with what a kernel with everything shows. */
static struct ns_pf_env env(void)
{
	const char *t = ns_test_tmpdir();
	snprintf(proc, sizeof(proc), "%s/proc", t);
	snprintf(dev, sizeof(dev), "%s/dev", t);
	snprintf(mods, sizeof(mods), "%s/modules", t);
	mkdir(proc, 0755);
	mkdir(dev, 0755);
	mkdir(mods, 0755);
	return (struct ns_pf_env){.proc = proc, .dev = dev, .sys = "/sys", .modules_dir = mods};
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	/* parents */
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A real key pair in the temporary directory: DIR/k.pub. */
static const char *keypair(void)
{
	static char pub[600];
	struct ns_err err = {0};
	snprintf(pub, sizeof(pub), "%s/k.pub", ns_test_tmpdir());
	if (access(pub, F_OK) < 0 && ns_keypair_generate(ns_test_tmpdir(), "k", &err) < 0)
		fprintf(stderr, "  %s\n", err.msg);
	return pub;
}

static int parse(const char *text, struct ns_config *c)
{
	struct ns_err err = {0};
	int r = ns_config_parse("t.yaml", text, strlen(text), c, &err);
	if (r < 0)
		fprintf(stderr, "  %s\n", err.msg);
	return r;
}

/* The finding about what, or NULL. */
static const struct ns_pf_finding *find(const struct ns_pf_list *l, const char *what)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].what, what))
			return &l->v[i];
	return NULL;
}

#define BASE "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n"

static int test_device_mapper(void)
{
	struct ns_pf_env e = env();
	struct ns_config c;
	struct ns_pf_list l = {0};
	char text[2048];
	snprintf(text, sizeof(text),
		 BASE "repositories:\n  a:\n    type: mem\n    key: %s\n    verity: userspace\n"
		      "  b:\n    type: mem\n    key: %s\n  c:\n    type: mem\n",
		 keypair(), keypair());
	CHECK(parse(text, &c) == 0);
	/* b verifies with dm-verity (the default; c, keyless, is not verified), and the
	 * fake /dev has no mapper */
	CHECK_INT(ns_preflight_verity(&c, &e, &l), 0);
	const struct ns_pf_finding *f = find(&l, "device-mapper");
	CHECK(f && f->level == NS_PF_FAIL);
	CHECK(strstr(f->detail, "repositories b verify with dm-verity"));
	CHECK(strstr(f->detail, "verity: userspace"));
	CHECK(strstr(f->detail, "/dev/mapper/control is missing"));
	ns_pf_list_free(&l);
	put(dev, "mapper/control", "");
	CHECK_INT(ns_preflight_verity(&c, &e, &l), 0);
	CHECK(l.v[0].level == NS_PF_OK && strstr(l.v[0].detail, "dm-verity for b"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	snprintf(text, sizeof(text),
		 BASE "repositories:\n  a:\n    type: mem\n    key: %s\n    verity: userspace\n",
		 keypair());
	CHECK(parse(text, &c) == 0);
	CHECK_INT(ns_preflight_verity(&c, &e, &l), 0);
	CHECK(l.v[0].level == NS_PF_OK && strstr(l.v[0].detail, "not needed"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	return 0;
}

static int test_root(void)
{
	struct ns_pf_env e = env();
	struct ns_pf_list l = {0};
	put(proc, "self/mountinfo",
	    "26 1 254:0 / / rw - ext4 /dev/vda rw\n"
	    "21 26 0:20 / /proc rw - proc proc rw\n");
	CHECK_INT(ns_preflight_root(&e, &l), 0);
	CHECK(l.v[0].level == NS_PF_OK && !strcmp(l.v[0].detail, "/ is a mount point"));
	/* a chroot: no line for / */
	put(proc, "self/mountinfo", "21 26 0:20 / /proc rw - proc proc rw\n");
	CHECK_INT(ns_preflight_root(&e, &l), 0);
	CHECK(l.v[1].level == NS_PF_OK && strstr(l.v[1].detail, "no mount point"));
	e.no_mount_ns = true; /* -d: containers cannot start there */
	CHECK_INT(ns_preflight_root(&e, &l), 0);
	CHECK(l.v[2].level == NS_PF_FAIL && strstr(l.v[2].detail, "mount --bind DIR DIR"));
	put(proc, "self/mountinfo", "1 1 0:1 / / rw - rootfs rootfs rw\n");
	CHECK_INT(ns_preflight_root(&e, &l), 0);
	CHECK(l.v[3].level == NS_PF_FAIL && strstr(l.v[3].detail, "rootfs"));
	ns_pf_list_free(&l);
	return 0;
}

static int test_kernel(void)
{
	struct ns_pf_env e = env();
	struct ns_config c;
	struct ns_pf_list l = {0};
	CHECK(parse(BASE, &c) == 0);
	put(proc, "self/ns/mnt", "");
	put(proc, "self/ns/pid", "");
	put(proc, "self/status", "Name:\tx\nUid:\t0\n");
	put(proc, "filesystems", "nodev\tproc\n\text4\n");
	CHECK_INT(ns_preflight_kernel(&c, &e, &l), 0);
	const struct ns_pf_finding *f = find(&l, "namespaces");
	CHECK(f && f->level == NS_PF_FAIL && strstr(f->detail, "missing: net ipc uts"));
	f = find(&l, "seccomp");
	CHECK(f && f->level == NS_PF_FAIL && strstr(f->detail, "CONFIG_SECCOMP"));
	f = find(&l, "loop");
	CHECK(f && f->level == NS_PF_FAIL && strstr(f->detail, "CONFIG_BLK_DEV_LOOP"));
	f = find(&l, "squashfs");
	CHECK(f && f->level == NS_PF_FAIL && strstr(f->detail, "CONFIG_SQUASHFS"));
	ns_pf_list_free(&l);

	put(proc, "self/ns/net", "");
	put(proc, "self/ns/ipc", "");
	put(proc, "self/ns/uts", "");
	put(proc, "self/ns/user", "");
	put(proc, "self/status", "Name:\tx\nSeccomp:\t0\n");
	put(mods, "kernel/fs/squashfs/squashfs.ko.xz", "");
	put(mods, "kernel/drivers/block/loop.ko", "");
	CHECK_INT(ns_preflight_kernel(&c, &e, &l), 0);
	CHECK(find(&l, "namespaces")->level == NS_PF_OK);
	CHECK(find(&l, "seccomp")->level == NS_PF_OK);
	f = find(&l, "loop"); /* loadable, but nobody loads it */
	CHECK(f && f->level == NS_PF_WARN && strstr(f->detail, "modprobe loop"));
	f = find(&l, "squashfs"); /* the kernel loads file systems itself */
	CHECK(f && f->level == NS_PF_OK && strstr(f->detail, "loadable"));
	ns_pf_list_free(&l);
	ns_config_free(&c);

	/* the config's modules count; squashfs in /proc/filesystems */
	CHECK(parse(BASE "modules:\n  - /m/loop.ko\n", &c) == 0);
	put(proc, "filesystems", "nodev\tproc\n\tsquashfs\n");
	CHECK_INT(ns_preflight_kernel(&c, &e, &l), 0);
	f = find(&l, "loop");
	CHECK(f && f->level == NS_PF_OK && strstr(f->detail, "modules"));
	f = find(&l, "squashfs");
	CHECK(f && f->level == NS_PF_OK && strstr(f->detail, "filesystems"));
	CHECK_INT(ns_pf_count(&l, NS_PF_FAIL), 0);
	ns_pf_list_free(&l);
	ns_config_free(&c);
	return 0;
}

static int test_dirs(void)
{
	const char *t = ns_test_tmpdir();
	char text[2048], run[600], data[600];
	snprintf(run, sizeof(run), "%s/run", t);
	snprintf(data, sizeof(data), "%s/data", t);
	mkdir(data, 0700);
	chmod(data, 0777);
	snprintf(text, sizeof(text),
		 "run_dir: %s\ndata_dir: %s\nsocket_dir: /nonexistent-parent-file/x\ncgroup: n\n",
		 run, data);
	put(t, "file", "");
	struct ns_config c;
	struct ns_pf_list l = {0};
	CHECK(parse(text, &c) == 0);
	CHECK_INT(ns_preflight_dirs(&c, &l), 0);
	const struct ns_pf_finding *f = find(&l, "run_dir");
	CHECK(f && f->level == NS_PF_OK && strstr(f->detail, "start-up creates it"));
	f = find(&l, "data_dir");
	CHECK(f && f->level == NS_PF_FAIL && strstr(f->detail, "writable by others") &&
	      strstr(f->detail, "chmod go-w"));
	ns_pf_list_free(&l);
	chmod(data, 0700);
	CHECK_INT(ns_preflight_dirs(&c, &l), 0);
	CHECK(find(&l, "data_dir")->level == NS_PF_OK);
	ns_pf_list_free(&l);
	ns_config_free(&c);
	/* a parent that is a file: cannot be created */
	snprintf(text, sizeof(text),
		 "run_dir: %s/file/run\ndata_dir: %s\nsocket_dir: %s\ncgroup: n\n", t, data, data);
	CHECK(parse(text, &c) == 0);
	CHECK_INT(ns_preflight_dirs(&c, &l), 0);
	f = find(&l, "run_dir");
	CHECK(f && f->level == NS_PF_FAIL && strstr(f->detail, "is no directory"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	return 0;
}

static int test_keys(void)
{
	const char *t = ns_test_tmpdir();
	char text[2048];
	const char *good = keypair();
	snprintf(text, sizeof(text),
		 BASE "repositories:\n  a:\n    type: mem\n    key: %s\n  b:\n    type: mem\n"
		      "    key: %s/keys/missing.pub\n  c:\n    type: mem\n",
		 good, t);
	struct ns_config c;
	struct ns_pf_list l = {0};
	CHECK(parse(text, &c) == 0);
	CHECK_INT(ns_preflight_keys(&c, &l), 0);
	CHECK_INT(l.n, 3);
	CHECK(l.v[0].level == NS_PF_OK && !strcmp(l.v[0].what, "repository a: key"));
	CHECK(l.v[1].level == NS_PF_FAIL && strstr(l.v[1].detail, "missing.pub"));
	/* the fix makes exactly the file the configuration names */
	char want[1024];
	snprintf(want, sizeof(want), "sextant gen-key -n missing -o %s/keys", t);
	CHECK(strstr(l.v[1].detail, want));
	CHECK(l.v[2].level == NS_PF_WARN && strstr(l.v[2].detail, "any NPK is accepted"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	return 0;
}

static int test_console(void)
{
	const char *t = ns_test_tmpdir();
	char text[2048];
	struct ns_config c;
	struct ns_pf_list l = {0};
	snprintf(text, sizeof(text),
		 BASE
		 "console:\n  global:\n    bind: unix://%s/nope/console\n    permissions: full\n",
		 t);
	CHECK(parse(text, &c) == 0);
	CHECK_INT(ns_preflight_console(&c, &l), 0);
	CHECK(l.v[0].level == NS_PF_FAIL && strstr(l.v[0].detail, "mkdir -p"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	snprintf(text, sizeof(text),
		 BASE "console:\n  global:\n    bind: unix://%s/console\n    permissions: full\n",
		 t);
	CHECK(parse(text, &c) == 0);
	CHECK_INT(ns_preflight_console(&c, &l), 0);
	CHECK(l.v[0].level == NS_PF_OK);
	ns_pf_list_free(&l);
	ns_config_free(&c);
	/* an address of no interface here (TEST-NET-1) */
	CHECK(parse(BASE "console:\n  global:\n    bind: tcp://192.0.2.1:4200\n    "
			 "permissions: full\n    allow_remote: true\n",
		    &c) == 0);
	CHECK_INT(ns_preflight_console(&c, &l), 0);
	CHECK(l.v[0].level == NS_PF_FAIL && strstr(l.v[0].detail, "cannot be bound") &&
	      strstr(l.v[0].detail, "console.global.bind"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	CHECK(parse(BASE, &c) == 0);
	CHECK_INT(ns_preflight_console(&c, &l), 0);
	CHECK(l.v[0].level == NS_PF_WARN && strstr(l.v[0].detail, "nstar cannot reach"));
	ns_pf_list_free(&l);
	ns_config_free(&c);
	return 0;
}

NS_TEST_MAIN(T(test_device_mapper), T(test_root), T(test_kernel), T(test_dirs), T(test_keys),
	     T(test_console))

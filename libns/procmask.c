#include "procmask.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "devfs.h"
#include "path.h"
#include "util.h"

/* Hidden: files read as empty (/dev/null on top), directories as empty (a read-only
 * tmpfs on top). Kernel memory and symbol state, the keyring list, timer and scheduler
 * internals with host addresses and pids, hardware inventories. */
static const char *const proc_hidden[] = {
    "acpi",	     "asound",	    "kcore", "keys",	   "key-users",
    "latency_stats", "sched_debug", "scsi",  "timer_list", "timer_stats",
};

/* Read-only even when proc itself is remounted writable: the kernel's tunables, the
 * magic SysRq key, IRQ affinity, bus and filesystem controls. */
static const char *const proc_readonly[] = {
    "bus", "fs", "irq", "sys", "sysrq-trigger",
};

/* Firmware tables (ACPI, EFI variables, DMI) and the RAPL energy counters, a known
 * side channel. */
static const char *const sys_hidden[] = {
    "firmware",
    "devices/virtual/powercap",
};

/* Opens name beneath basefd; -ENOENT (err untouched) when it does not exist. */
static int open_entry(int basefd, const char *name, const char *fs, struct ns_err *err)
{
	struct ns_err sub = {0};
	int fd = ns_open_beneath(basefd, name, O_PATH, &sub);
	if (fd < 0 && fd != -ENOENT)
		return ns_err_set(err, -fd, "%s/%s: %s", fs, name, sub.msg);
	return fd;
}

static int hide_dir(int target, const char *what, struct ns_err *err)
{
	const char *opts[] = {"size", "4096", "nr_inodes", "1", "mode", "555", NULL};
	ns_autoclose int mnt = ns_mnt_fresh_at("tmpfs", opts, NS_MNT_LOCKDOWN, target, what, err);
	return mnt < 0 ? mnt : 0;
}

static int hide_file(struct ns_mount_ctx *ctx, int target, const char *what, struct ns_err *err)
{
	ns_autoclose int null = ns_devfs_host_node("null", 1, 3, err);
	if (null < 0)
		return null;
	/* Not nodev: reads must return end-of-file, not EACCES. */
	unsigned attrs = NS_MNT_RDONLY | NS_MNT_NOSUID | NS_MNT_NOEXEC;
	ns_autoclose int mnt = ns_mnt_bind(ctx, null, target, attrs, false, what, err);
	return mnt < 0 ? mnt : 0;
}

static int hide_entries(struct ns_mount_ctx *ctx, int basefd, const char *fs,
			const char *const *names, size_t n, struct ns_err *err)
{
	for (size_t i = 0; i < n; i++) {
		ns_autoclose int fd = open_entry(basefd, names[i], fs, err);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		struct stat st;
		if (fstat(fd, &st) < 0)
			return ns_err_sys(err, errno, "%s/%s: stat", fs, names[i]);
		char what[128];
		snprintf(what, sizeof(what), "%s/%s", fs, names[i]);
		int r =
		    S_ISDIR(st.st_mode) ? hide_dir(fd, what, err) : hide_file(ctx, fd, what, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Binds each entry onto itself, read-only. */
static int lock_entries(struct ns_mount_ctx *ctx, int basefd, const char *fs,
			const char *const *names, size_t n, struct ns_err *err)
{
	for (size_t i = 0; i < n; i++) {
		ns_autoclose int fd = open_entry(basefd, names[i], fs, err);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		char what[128];
		snprintf(what, sizeof(what), "%s/%s", fs, names[i]);
		ns_autoclose int mnt = ns_mnt_bind(ctx, fd, fd, NS_MNT_LOCKDOWN, false, what, err);
		if (mnt < 0)
			return mnt;
	}
	return 0;
}

int ns_procfs_mask(struct ns_mount_ctx *ctx, int procfd, struct ns_err *err)
{
	if (hide_entries(ctx, procfd, "proc", proc_hidden, ARRAY_SIZE(proc_hidden), err) < 0)
		return ns_err_ret(err);
	return lock_entries(ctx, procfd, "proc", proc_readonly, ARRAY_SIZE(proc_readonly), err);
}

int ns_sysfs_mask(struct ns_mount_ctx *ctx, int sysfd, struct ns_err *err)
{
	return hide_entries(ctx, sysfd, "sysfs", sys_hidden, ARRAY_SIZE(sys_hidden), err);
}

#include "dm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Bounded retries for names still held by a device in deferred removal and devices
 * still closing: about half a second with ns_blk_backoff. */
#define DM_RACE_TRIES	  20
#define DM_STATUS_BUFSIZE 16384

static const char *cmd_name(unsigned long cmd)
{
	switch (cmd) {
	case DM_VERSION:
		return "DM_VERSION";
	case DM_DEV_CREATE:
		return "DM_DEV_CREATE";
	case DM_DEV_REMOVE:
		return "DM_DEV_REMOVE";
	case DM_DEV_SUSPEND:
		return "DM_DEV_SUSPEND";
	case DM_TABLE_LOAD:
		return "DM_TABLE_LOAD";
	case DM_TABLE_STATUS:
		return "DM_TABLE_STATUS";
	case DM_LIST_VERSIONS:
		return "DM_LIST_VERSIONS";
	default:
		return "device-mapper ioctl";
	}
}

static int check_name(const char *name, struct ns_err *err)
{
	size_t n = strlen(name);
	if (n == 0)
		return ns_err_set(err, EINVAL, "empty device-mapper name");
	if (n >= DM_NAME_LEN)
		return ns_err_set(err, ENAMETOOLONG,
				  "device-mapper name '%.40s...' is longer than %d bytes", name,
				  DM_NAME_LEN - 1);
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ns_err_set(err, EINVAL, "device-mapper name '%s' is not a file name", name);
	return 0;
}

int ns_dm_prepare(struct dm_ioctl *io, size_t size, const char *name, struct ns_err *err)
{
	if (size < sizeof(*io) || size > UINT32_MAX || size % 8 != 0)
		return ns_err_set(err, EINVAL, "bad device-mapper request size %zu", size);
	if (name) {
		int r = check_name(name, err);
		if (r < 0)
			return r;
	}
	memset(io, 0, size);
	io->version[0] = NS_DM_VERSION_MAJOR;
	io->version[1] = NS_DM_VERSION_MINOR;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	if (name)
		memcpy(io->name, name, strlen(name) + 1);
	return 0;
}

/* A zeroed, prepared request with room for payload bytes after the header. */
static struct dm_ioctl *dm_new(size_t payload, const char *name, struct ns_err *err)
{
	size_t size = (sizeof(struct dm_ioctl) + payload + 7) & ~(size_t)7;
	struct dm_ioctl *io = aligned_alloc(8, size);
	if (!io) {
		ns_err_set(err, ENOMEM, "out of memory for a device-mapper request");
		return NULL;
	}
	if (ns_dm_prepare(io, size, name, err) < 0) {
		free(io);
		return NULL;
	}
	return io;
}

static int dm_call(struct ns_blk_ctx *ctx, struct ns_dm *dm, unsigned long cmd, struct dm_ioctl *io,
		   struct ns_err *err)
{
	if (ns_blk_ioctl(ctx, dm->fd, cmd, io) == 0)
		return 0;
	if (io->name[0])
		return ns_err_sys(err, errno, "%s '%s'", cmd_name(cmd), io->name);
	return ns_err_sys(err, errno, "%s", cmd_name(cmd));
}

int ns_dm_open(struct ns_blk_ctx *ctx, struct ns_dm *ret, struct ns_err *err)
{
	struct dm_ioctl io;
	struct ns_dm dm = {.fd = -1};

	dm.fd = ns_blk_open_control(ctx, "/dev/mapper/control", "device-mapper", err);
	if (dm.fd == -ENODEV) {
		/* the one fix that needs no kernel change, named where it is needed */
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		return ns_err_set(err, ENODEV,
				  "%s: load the dm-mod and dm-verity modules, or set 'verity: "
				  "userspace' on the repository to check its images without "
				  "device-mapper (docs/config.md)",
				  why);
	}
	if (dm.fd < 0)
		return dm.fd;
	int r = ns_dm_prepare(&io, sizeof(io), NULL, err);
	if (r == 0)
		r = dm_call(ctx, &dm, DM_VERSION, &io, err);
	if (r == 0 && io.version[0] != NS_DM_VERSION_MAJOR)
		r = ns_err_set(err, EPROTO, "device-mapper interface %u.%u.%u is not %d.x",
			       io.version[0], io.version[1], io.version[2], NS_DM_VERSION_MAJOR);
	if (r < 0) {
		ns_dm_close(&dm);
		return r;
	}
	memcpy(dm.version, io.version, sizeof(dm.version));
	*ret = dm;
	return 0;
}

void ns_dm_close(struct ns_dm *dm)
{
	ns_closep(&dm->fd);
}

int ns_dm_build_table(const char *name, const char *target_type, uint64_t sectors,
		      const char *params, bool readonly, struct dm_ioctl **ret, struct ns_err *err)
{
	size_t plen = strlen(params) + 1;
	size_t spec_size = sizeof(struct dm_target_spec) + ((plen + 7) & ~(size_t)7);

	if (strlen(target_type) >= DM_MAX_TYPE_NAME)
		return ns_err_set(err, EINVAL, "device-mapper target type '%s' is too long",
				  target_type);
	if (sectors == 0)
		return ns_err_set(err, EINVAL, "device-mapper target of 0 sectors");
	struct dm_ioctl *io = dm_new(spec_size, name, err);
	if (!io)
		return -err->errnum;
	io->target_count = 1;
	io->flags = readonly ? DM_READONLY_FLAG : 0;
	struct dm_target_spec *spec = (struct dm_target_spec *)((char *)io + io->data_start);
	spec->sector_start = 0;
	spec->length = sectors;
	spec->next = (uint32_t)spec_size;
	memcpy(spec->target_type, target_type, strlen(target_type) + 1);
	memcpy(spec + 1, params, plen);
	*ret = io;
	return 0;
}

int ns_dm_create(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, dev_t *ret_dev,
		 struct ns_err *err)
{
	struct dm_ioctl io;
	for (unsigned i = 0;; i++) {
		int r = ns_dm_prepare(&io, sizeof(io), name, err);
		if (r < 0)
			return r;
		if (ns_blk_ioctl(ctx, dm->fd, DM_DEV_CREATE, &io) == 0) {
			*ret_dev = (dev_t)io.dev;
			return 0;
		}
		/* A taken name is EBUSY (EEXIST on some kernels): often a device of an
		 * unmount moments ago whose deferred removal has not run yet. */
		bool taken = errno == EBUSY || errno == EEXIST;
		if (taken && i + 1 < DM_RACE_TRIES) {
			ns_blk_backoff(i);
			continue;
		}
		return ns_err_sys(err, errno, "DM_DEV_CREATE '%s'%s", name,
				  taken ? " (the name is in use)" : "");
	}
}

int ns_dm_load_table(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name,
		     const char *target_type, uint64_t sectors, const char *params, bool readonly,
		     struct ns_err *err)
{
	struct dm_ioctl *io = NULL;
	int r = ns_dm_build_table(name, target_type, sectors, params, readonly, &io, err);
	if (r < 0)
		return r;
	for (unsigned i = 0;; i++) {
		r = dm_call(ctx, dm, DM_TABLE_LOAD, io, err);
		/* Linux 6.1's dm-bufio makes a slab cache per verity device, and SLUB drops
		 * a destroyed cache's sysfs entry later: a load right after a device went
		 * away can collide with it and fail with ENOMEM (kernel log: "kobject_add_
		 * internal failed ... -EEXIST", "Cannot initialize dm-bufio"). */
		if (r != -ENOMEM || i + 1 >= DM_RACE_TRIES)
			break;
		ns_blk_backoff(i);
	}
	free(io);
	if (r == -EINVAL && !ns_dm_has_target(ctx, dm, target_type))
		return ns_err_set(err, ENOTSUP,
				  "DM_TABLE_LOAD '%s': the kernel has no '%s' target (module "
				  "dm-%s not loaded?)",
				  name, target_type, target_type);
	return r;
}

int ns_dm_resume(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, struct ns_err *err)
{
	struct dm_ioctl io;
	int r = ns_dm_prepare(&io, sizeof(io), name, err);
	return r < 0 ? r : dm_call(ctx, dm, DM_DEV_SUSPEND, &io, err);
}

int ns_dm_remove(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, bool deferred,
		 struct ns_err *err)
{
	struct dm_ioctl io;
	for (unsigned i = 0;; i++) {
		int r = ns_dm_prepare(&io, sizeof(io), name, err);
		if (r < 0)
			return r;
		io.flags = deferred ? DM_DEFERRED_REMOVE : 0;
		if (ns_blk_ioctl(ctx, dm->fd, DM_DEV_REMOVE, &io) == 0 || errno == ENXIO)
			return 0;
		if (errno == EBUSY && !deferred && i + 1 < DM_RACE_TRIES) {
			ns_blk_backoff(i);
			continue;
		}
		return ns_err_sys(err, errno, "DM_DEV_REMOVE%s '%s'", deferred ? " (deferred)" : "",
				  name);
	}
}

int ns_dm_status(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, char *buf, size_t size,
		 struct ns_err *err)
{
	ns_autofree struct dm_ioctl *io = dm_new(DM_STATUS_BUFSIZE, name, err);
	if (!io)
		return -err->errnum;
	uint32_t cap = io->data_size;
	int r = dm_call(ctx, dm, DM_TABLE_STATUS, io, err);
	if (r < 0)
		return r;
	if (io->flags & DM_BUFFER_FULL_FLAG)
		return ns_err_set(err, EOVERFLOW, "DM_TABLE_STATUS '%s': status too long", name);
	if (io->target_count < 1)
		return ns_err_set(err, ENODATA, "DM_TABLE_STATUS '%s': no live table", name);
	if (io->data_start < sizeof(*io) || io->data_size > cap ||
	    io->data_start + sizeof(struct dm_target_spec) >= io->data_size)
		return ns_err_set(err, EPROTO, "DM_TABLE_STATUS '%s': malformed answer", name);
	const char *text = (const char *)io + io->data_start + sizeof(struct dm_target_spec);
	size_t max = io->data_size - io->data_start - sizeof(struct dm_target_spec);
	size_t n = strnlen(text, max);
	if (n >= size)
		return ns_err_set(err, EOVERFLOW, "DM_TABLE_STATUS '%s': status too long", name);
	memcpy(buf, text, n);
	buf[n] = '\0';
	return 0;
}

bool ns_dm_has_target(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *target_type)
{
	struct ns_err err;
	ns_autofree struct dm_ioctl *io = dm_new(DM_STATUS_BUFSIZE, NULL, &err);
	if (!io)
		return false;
	uint32_t cap = io->data_size;
	if (dm_call(ctx, dm, DM_LIST_VERSIONS, io, &err) < 0 || io->data_size > cap)
		return false;
	size_t off = io->data_start;
	const size_t hdr = sizeof(struct dm_target_versions);
	while (off + hdr < io->data_size) {
		const struct dm_target_versions *tv = (const void *)((char *)io + off);
		size_t room = io->data_size - off - hdr;
		if (strnlen(tv->name, room) < room && strcmp(tv->name, target_type) == 0)
			return true;
		if (tv->next == 0)
			break;
		off += tv->next;
	}
	return false;
}

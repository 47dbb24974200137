#include "blkmount.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm_verity.h"
#include "loop.h"

#define BLK_MOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV)

static int check_request(const struct ns_blk_image *img, const char *name, const char *target,
			 struct ns_err *err)
{
	struct stat st;
	if (!target || target[0] != '/')
		return ns_err_set(err, EINVAL, "mount target '%s' is not an absolute path",
				  target ? target : "(null)");
	if (strlen(target) >= PATH_MAX)
		return ns_err_set(err, ENAMETOOLONG, "mount target path is too long");
	if (stat(target, &st) < 0)
		return ns_err_sys(err, errno, "mount target '%s'", target);
	if (!S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "mount target '%s' is not a directory", target);
	if (!name || strlen(name) >= DM_NAME_LEN)
		return ns_err_set(err, EINVAL, "device name missing or longer than %d bytes",
				  DM_NAME_LEN - 1);
	if (img->verity) {
		/* Refuse bad parameters before any device exists. */
		struct dm_ioctl io;
		int r = ns_dm_prepare(&io, sizeof(io), name, err);
		if (r == 0)
			r = ns_verity_check_params(img->verity, img->size, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_squashfs(struct ns_blk_ctx *ctx, const char *dev, const char *target,
			  const struct ns_blk_options *opt, struct ns_err *err)
{
	char data[512];
	const char *d = NULL;

	if (opt->selinux_context) {
		/* Quoted, as MLS contexts hold commas ("s0:c1,c2"). */
		if (strchr(opt->selinux_context, '"'))
			return ns_err_set(err, EINVAL, "SELinux mount context '%s' contains '\"'",
					  opt->selinux_context);
		int n = snprintf(data, sizeof(data), "context=\"%s\"", opt->selinux_context);
		if (n < 0 || (size_t)n >= sizeof(data))
			return ns_err_set(err, EINVAL, "SELinux mount context is too long");
		d = data;
	}
	unsigned long flags = BLK_MOUNT_FLAGS;
	if (opt->allow_device_nodes)
		flags &= ~(unsigned long)MS_NODEV;
	if (ns_blk_sys_mount(ctx, dev, target, "squashfs", flags, d) == 0)
		return 0;
	int e = errno;
	const char *hint = e == EINVAL	 ? " (not a squashfs image, or a wrong offset?)"
			   : e == EIO	 ? " (unreadable, or it failed verification)"
			   : e == ENODEV ? " (the kernel has no squashfs)"
					 : "";
	return ns_err_set(err, e, "mount squashfs '%s' on '%s': %s%s", dev, target, strerror(e),
			  hint);
}

/* loop → dm-verity → squashfs; the dm device is marked for deferred removal at once. */
static int mount_verified(struct ns_blk_ctx *ctx, const struct ns_blk_image *img,
			  const struct ns_loop *lo, const struct ns_blk_options *opt,
			  struct ns_blk_mount *m, struct ns_err *err)
{
	struct ns_dm dm;
	struct ns_dm_verity v;
	struct ns_err ignored;

	int r = ns_dm_open(ctx, &dm, err);
	if (r < 0)
		return ns_err_wrap(err, "verity requested");
	r = ns_dm_verity_create(ctx, &dm, m->name, lo->devno, img->size, img->verity, &v, err);
	if (r < 0) {
		ns_dm_close(&dm);
		return ns_err_wrap(err, "dm-verity '%s'", m->name);
	}
	r = mount_squashfs(ctx, v.node, m->target, opt, err);
	if (r == 0) {
		r = ns_dm_remove(ctx, &dm, v.name, true, err);
		if (r < 0 && ns_blk_umount2(ctx, m->target, 0) < 0)
			(void)ns_blk_umount2(ctx, m->target, MNT_DETACH);
	}
	if (r < 0) {
		(void)ns_dm_verity_destroy(ctx, &dm, &v, &ignored);
		ns_dm_close(&dm);
		return r;
	}
	ns_dm_close(&dm);
	snprintf(m->source, sizeof(m->source), "%s", v.node);
	if (v.made_node)
		snprintf(m->node, sizeof(m->node), "%s", v.node);
	m->dm_dev = v.devno;
	m->verified = true;
	return 0;
}

int ns_blk_mount(struct ns_blk_ctx *ctx, const struct ns_blk_image *img, const char *name,
		 const char *target, const struct ns_blk_options *opt, struct ns_blk_mount *ret,
		 struct ns_err *err)
{
	static const struct ns_blk_options defaults = {.loop_timeout_ms = NS_BLK_LOOP_TIMEOUT_MS};
	struct ns_blk_mount m;
	struct ns_loop lo;

	if (!opt)
		opt = &defaults;
	int r = check_request(img, name, target, err);
	if (r < 0)
		return r;
	memset(&m, 0, sizeof(m));
	snprintf(m.target, sizeof(m.target), "%s", target);
	snprintf(m.name, sizeof(m.name), "%s", name);
	struct ns_loop_config lc = {
	    .backing_fd = img->fd,
	    .offset = img->offset,
	    .size = img->size,
	    .direct_io = opt->direct_io,
	    .timeout_ms = opt->loop_timeout_ms,
	    .label = name,
	};
	r = ns_loop_attach(ctx, &lc, &lo, err);
	if (r < 0)
		return ns_err_wrap(err, "loop device");
	m.loop_dev = lo.devno;
	m.direct_io = lo.direct_io;
	if (img->verity) {
		r = mount_verified(ctx, img, &lo, opt, &m, err);
	} else {
		snprintf(m.source, sizeof(m.source), "%s", lo.path);
		r = mount_squashfs(ctx, lo.path, target, opt, err);
	}
	if (r < 0) {
		ns_loop_detach(ctx, &lo);
		return r;
	}
	/* The mount (or the dm table) holds the loop device now: autoclear takes over. */
	ns_loop_release(&lo);
	m.mounted = true;
	*ret = m;
	return 0;
}

int ns_blk_umount(struct ns_blk_ctx *ctx, struct ns_blk_mount *m, struct ns_err *err)
{
	if (!m->mounted)
		return ns_err_set(err, EINVAL, "'%s' is not mounted", m->target);
	if (ns_blk_umount2(ctx, m->target, 0) < 0)
		return ns_err_sys(err, errno, "unmount '%s'", m->target);
	m->mounted = false;
	if (m->node[0])
		(void)unlink(m->node);
	m->node[0] = '\0';
	return 0;
}

int ns_blk_verity_state(struct ns_blk_ctx *ctx, const struct ns_blk_mount *m, char *ret_state,
			struct ns_err *err)
{
	if (!m->verified)
		return ns_err_set(err, EINVAL, "'%s' is not a verified mount", m->target);
	return ns_dm_verity_state(ctx, m->name, ret_state, err);
}

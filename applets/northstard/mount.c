/* Mounting containers: the NPK's image at run_dir/<name>:<version>, through the block
 * layer (loop, and dm-verity for keyed repositories unless they ask for userspace
 * verification). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/path.h"
#include "nsd.h"

static int target_path(const struct nsd *d, const struct nsd_container *c, char *buf, size_t size,
		       struct ns_err *err)
{
	if (ns_path_join(buf, size, d->cfg.run_dir, c->id) < 0)
		return ns_err_set(err, ENAMETOOLONG, "mount point of %s: path too long", c->id);
	return 0;
}

/* What the block layer mounts: the image inside the NPK. A keyed repository mounts
 * through dm-verity, or (verity: userspace) only after every block of the image was
 * checked against the signed root hash from the descriptor it will be read from. */
static int image_of(const struct nsd_container *c, struct ns_blk_image *img, struct ns_err *err)
{
	const struct nsd_image *npk = &c->img;
	*img = (struct ns_blk_image){.fd = npk->fd, .offset = npk->fs_offset, .size = npk->fs_size};
	if (!npk->verified)
		return 0;
	if (!npk->has_verity)
		return ns_err_set(err, EINVAL, "%s: the NPK lacks verity information", c->id);
	if (c->repo->cfg->verity == NS_REPO_VERITY_KERNEL) {
		img->verity = &npk->verity;
		return 0;
	}
	if (ns_verity_check(npk->fd, npk->fs_offset, &npk->verity, err) < 0)
		return ns_err_wrap(err, "%s: image check (verity: userspace)", c->id);
	img->size = npk->verity_offset; /* the squashfs alone: the tree is not to be read */
	return 0;
}

int nsd_mount(struct nsd *d, struct nsd_container *c, struct ns_err *err)
{
	if (c->blk)
		return 0;
	char target[PATH_MAX];
	struct ns_blk_image img;
	if (target_path(d, c, target, sizeof(target), err) < 0 || image_of(c, &img, err) < 0)
		return ns_err_ret(err);
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		return ns_err_sys(err, errno, "create the mount point '%s'", target);
	char name[DM_NAME_LEN];
	snprintf(name, sizeof(name), "northstar-%u-%.80s", d->mount_seq++, c->id);
	const struct ns_selinux *se = &nsd_manifest(c)->selinux;
	struct ns_blk_options opt = {
	    .loop_timeout_ms = (unsigned)(d->cfg.loop_device_timeout_ns / 1000000u),
	    .selinux_context = d->selinux && se->present ? se->mount_context : NULL,
	};
	if (se->present && se->mount_context && !d->selinux)
		ns_info(&d->log, NSD_TAG,
			"SELinux is not enabled: the mount context of %s is ignored", c->id);
	struct ns_blk_mount *m = calloc(1, sizeof(*m));
	if (!m) {
		rmdir(target);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	if (ns_blk_mount(&d->blk, &img, name, target, &opt, m, err) < 0) {
		free(m);
		rmdir(target);
		return ns_err_wrap(err, "mount %s", c->id);
	}
	c->blk = m;
	ns_info(&d->log, NSD_TAG, "Mounted %s%s", c->id,
		m->verified	  ? " (dm-verity)"
		: c->img.verified ? " (verified in userspace)"
				  : "");
	return 0;
}

int nsd_umount(struct nsd *d, struct nsd_container *c, struct ns_err *err)
{
	if (!c->blk)
		return 0;
	if (ns_blk_umount(&d->blk, c->blk, err) < 0)
		return ns_err_wrap(err, "umount %s", c->id);
	if (rmdir(c->blk->target) < 0)
		ns_warn(&d->log, NSD_TAG, "remove '%s': %s", c->blk->target, strerror(errno));
	free(c->blk);
	c->blk = NULL;
	ns_info(&d->log, NSD_TAG, "Umounted %s", c->id);
	return 0;
}

int nsd_mount_on_start(struct nsd *d, struct ns_err *err)
{
	for (struct nsd_container *c = d->containers; c; c = c->next)
		if (c->repo->cfg->mount_on_start && nsd_mount(d, c, err) < 0)
			return ns_err_wrap(err, "mount_on_start");
	return 0;
}

void nsd_umount_all(struct nsd *d)
{
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		struct ns_err err = {0};
		if (c->blk && nsd_umount(d, c, &err) < 0)
			ns_error(&d->log, NSD_TAG, "%s", err.msg);
	}
}

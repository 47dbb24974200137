/* Repositories (spec runtime-behavior §2.3): fs directories scanned at start-up and
 * mem repositories of sealed memfds; install through a temporary file (or memfd) that
 * is verified before it becomes visible; uninstall. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/libc_compat.h"
#include "libns/path.h"
#include "libns/persist.h"
#include "libns/util.h"
#include "nsd.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

struct nsd_repo *nsd_repo_find(struct nsd *d, const char *name)
{
	for (size_t i = 0; i < d->nrepos; i++)
		if (!strcmp(d->repos[i].cfg->name, name))
			return &d->repos[i];
	return NULL;
}

static const struct ns_pubkey *repo_key(const struct nsd_repo *r)
{
	return r->has_key ? &r->key : NULL;
}

/* Takes over what the container keeps from a checked NPK (see struct nsd_image). */
static void keep_image(struct nsd_image *img, struct ns_npk *npk)
{
	img->fd = ns_steal_fd(&npk->fd);
	img->fs_offset = npk->fs_offset;
	img->fs_size = npk->fs_size;
	img->verity_offset = npk->verity_offset;
	img->verified = npk->verified;
	img->has_verity = npk->has_verity;
	img->verity = npk->verity;
	img->manifest_text = ns_steal_ptr(&npk->manifest_text);
	img->manifest_len = npk->manifest_len;
	img->manifest = npk->manifest; /* the arena moves with it */
	memset(&npk->manifest, 0, sizeof(npk->manifest));
}

/* A signature that is not the repository's key's: say which key and what to do. */
static void key_hint(const struct nsd_repo *r, struct ns_err *err)
{
	char why[sizeof(err->msg)];
	snprintf(why, sizeof(why), "%s", err->msg);
	ns_err_set(err, EKEYREJECTED,
		   "%s: the NPK is not signed by the key of repository %s (%s); sign it with "
		   "the matching private key (sextant pack --key) or install it into a "
		   "repository configured with its public key",
		   why, r->cfg->name, r->cfg->key ? r->cfg->key : "no key file");
}

/* Opens the NPK in fd for repository r; the container is not added yet. */
static struct nsd_container *load_npk(struct nsd_repo *r, int fd, struct ns_err *err)
{
	struct nsd_container *c = calloc(1, sizeof(*c));
	struct ns_npk *npk = malloc(sizeof(*npk)); /* large: its zip directory is fixed-size */
	char id[NS_CONTAINER_ID_STR_MAX];
	if (!c || !npk) {
		free(c);
		free(npk);
		ns_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	c->img.fd = -1;
	if (ns_npk_open(fd, repo_key(r), npk, err) < 0) {
		free(npk);
		free(c);
		if (err->errnum == EKEYREJECTED)
			key_hint(r, err);
		return NULL;
	}
	c->size = npk->size;
	keep_image(&c->img, npk);
	ns_npk_close(npk);
	free(npk);
	if (ns_console_identity_reserved(nsd_manifest(c)->name)) {
		ns_err_set(err, EINVAL,
			   "the container name '%s' is reserved: it is the global console's "
			   "identity (ident, tokens), which no container may take",
			   nsd_manifest(c)->name);
		nsd_container_free(c);
		return NULL;
	}
	struct ns_console_id cid = nsd_cid(c);
	c->id = strdup(ns_console_id_str(&cid, id, sizeof(id)));
	if (!c->id) {
		nsd_container_free(c);
		ns_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	c->repo = r;
	return c;
}

static void account(struct nsd_repo *r, const struct nsd_container *c, int sign)
{
	r->count = sign > 0 ? r->count + 1 : r->count - 1;
	r->bytes = sign > 0 ? r->bytes + c->size : r->bytes - c->size;
}

/* One file of an fs repository at start-up. Nothing here is fatal. */
static void scan_one(struct nsd *d, struct nsd_repo *r, const char *name)
{
	const char *rn = r->cfg->name;
	if (!strncmp(name, NSD_TMP_PREFIX, strlen(NSD_TMP_PREFIX))) {
		if (unlinkat(r->dirfd, name, 0) == 0)
			ns_warn(&d->log, NSD_TAG,
				"repository %s: removed the stale temporary file %s", rn, name);
		return;
	}
	ns_autoclose int fd =
	    openat(r->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct ns_err err = {0};
	if (fd < 0) {
		ns_warn(&d->log, NSD_TAG, "repository %s: skipping %s: %s", rn, name,
			strerror(errno));
		return;
	}
	struct nsd_container *c = load_npk(r, fd, &err);
	if (!c) {
		ns_warn(&d->log, NSD_TAG, "repository %s: skipping %s: %s", rn, name, err.msg);
		return;
	}
	if (nsd_find_str(d, c->id)) {
		ns_warn(&d->log, NSD_TAG, "repository %s: skipping %s: %s is already installed", rn,
			name, c->id);
		nsd_container_free(c);
		return;
	}
	c->file = strdup(name);
	if (!c->file) {
		nsd_container_free(c);
		return;
	}
	account(r, c, 1);
	nsd_add(d, c);
	ns_debug(&d->log, NSD_TAG, "repository %s: loaded %s", rn, c->id);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file, in name order (readdir order differs between runs). */
static int scan_fs(struct nsd *d, struct nsd_repo *r, struct ns_err *err)
{
	int dfd = fcntl(r->dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!dir) {
		if (dfd >= 0)
			close(dfd);
		return ns_err_sys(err, errno, "repository %s: read '%s'", r->cfg->name,
				  r->cfg->dir);
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		scan_one(d, r, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int open_repo(struct nsd *d, struct nsd_repo *r, struct ns_err *err)
{
	const struct ns_repo_config *rc = r->cfg;
	r->dirfd = -1;
	if (rc->key) {
		if (ns_pubkey_load(rc->key, &r->key, err) < 0)
			return ns_err_wrap(err, "repository %s: key", rc->name);
		r->has_key = true;
	}
	if (rc->type == NS_REPO_MEM)
		return 0;
	if (ns_mkdir_p(rc->dir, 0700, err) < 0)
		return ns_err_wrap(err, "repository %s", rc->name);
	r->dirfd = open(rc->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		return ns_err_sys(err, errno, "repository %s: open '%s'", rc->name, rc->dir);
	return scan_fs(d, r, err);
}

int nsd_repos_open(struct nsd *d, struct ns_err *err)
{
	d->nrepos = d->cfg.nrepos;
	d->repos = calloc(d->nrepos ? d->nrepos : 1, sizeof(*d->repos));
	if (!d->repos)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nrepos; i++) {
		d->repos[i].cfg = &d->cfg.repos[i];
		d->repos[i].dirfd = -1;
	}
	for (size_t i = 0; i < d->nrepos; i++)
		if (open_repo(d, &d->repos[i], err) < 0)
			return ns_err_ret(err);
	return 0;
}

void nsd_repos_close(struct nsd *d)
{
	while (d->containers) {
		struct nsd_container *c = d->containers;
		d->containers = c->next;
		nsd_container_free(c);
	}
	for (size_t i = 0; i < d->nrepos; i++)
		if (d->repos[i].dirfd >= 0)
			close(d->repos[i].dirfd);
	free(d->repos);
	d->repos = NULL;
	d->nrepos = 0;
}

/* --- install ------------------------------------------------------------------- */

static int create_tmp(struct nsd_repo *r, struct nsd_install *inst, struct ns_err *err)
{
	if (r->cfg->type == NS_REPO_MEM) {
		/* the daemon's pid in the name: a loop device's backing_file then says
		 * which runtime holds it when several run side by side */
		char name[32];
		snprintf(name, sizeof(name), "northstar-npk-%ld", (long)getpid());
		inst->fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		return inst->fd < 0 ? ns_err_sys(err, errno, "memfd_create") : 0;
	}
	for (int tries = 0; tries < 16; tries++) {
		uint8_t rnd[8];
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return ns_err_sys(err, errno, "getrandom");
		int n = snprintf(inst->tmpname, sizeof(inst->tmpname), "%s", NSD_TMP_PREFIX);
		for (size_t i = 0; i < sizeof(rnd); i++)
			n += snprintf(inst->tmpname + n, sizeof(inst->tmpname) - (size_t)n, "%02x",
				      rnd[i]);
		inst->fd = openat(r->dirfd, inst->tmpname,
				  O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (inst->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	inst->tmpname[0] = '\0';
	return ns_err_sys(err, errno, "create a temporary file in '%s'", r->cfg->dir);
}

/* Installed containers and installs under way both count: each install reserves its
 * place and its announced size at its begin. */
static int capacity_check(const struct nsd_repo *r, uint64_t size, struct ns_console_error *e,
			  char *buf, size_t bufsize)
{
	const struct ns_repo_config *rc = r->cfg;
	if (rc->has_capacity_num && r->count + r->reserved_count >= rc->capacity_num) {
		nsd_error_text(
		    e, NS_ERROR_UNEXPECTED, buf, bufsize,
		    "repository %s: max number of containers reached (%u: %zu installed, "
		    "%zu being installed)",
		    rc->name, (unsigned)rc->capacity_num, r->count, r->reserved_count);
		return -ENOSPC;
	}
	uint64_t used = r->bytes + r->reserved_bytes;
	if (rc->has_capacity_size &&
	    (used > rc->capacity_size || size > rc->capacity_size - used)) {
		nsd_error_text(
		    e, NS_ERROR_UNEXPECTED, buf, bufsize,
		    "repository %s: size limit reached (%llu of %llu bytes used, %llu of "
		    "them by installs under way, %llu more asked for)",
		    rc->name, (unsigned long long)used, (unsigned long long)rc->capacity_size,
		    (unsigned long long)r->reserved_bytes, (unsigned long long)size);
		return -ENOSPC;
	}
	return 0;
}

void nsd_install_begin(struct nsd *d, struct nsd_install *inst, const char *repo, uint64_t size)
{
	memset(inst, 0, sizeof(*inst));
	inst->fd = -1;
	inst->remaining = size;
	struct nsd_repo *r = nsd_repo_find(d, repo);
	struct ns_console_error *e = &inst->error;
	if (!r) {
		snprintf(inst->errtext, sizeof(inst->errtext), "%s", repo);
		e->kind = NS_ERROR_INVALID_REPOSITORY;
		e->repository = inst->errtext;
		return;
	}
	if (capacity_check(r, size, e, inst->errtext, sizeof(inst->errtext)) < 0)
		return;
	struct ns_err err = {0};
	if (create_tmp(r, inst, &err) < 0) {
		nsd_error_text(e, NS_ERROR_UNEXPECTED, inst->errtext, sizeof(inst->errtext),
			       "repository %s: %s", r->cfg->name, err.msg);
		return;
	}
	inst->repo = r;
	inst->reserved = r;
	inst->reserved_size = size;
	r->reserved_count++;
	r->reserved_bytes += size;
}

/* The install ends: what it held is free again (on success the caller accounts the
 * container itself). */
static void unreserve(struct nsd_install *inst)
{
	struct nsd_repo *r = inst->reserved;
	if (!r)
		return;
	r->reserved_count--;
	r->reserved_bytes -= inst->reserved_size;
	inst->reserved = NULL;
}

void nsd_install_abort(struct nsd *d, struct nsd_install *inst)
{
	unreserve(inst);
	if (inst->fd >= 0)
		close(inst->fd);
	inst->fd = -1;
	if (inst->repo && inst->tmpname[0] && unlinkat(inst->repo->dirfd, inst->tmpname, 0) < 0 &&
	    errno != ENOENT)
		ns_warn(&d->log, NSD_TAG, "remove %s: %s", inst->tmpname, strerror(errno));
	inst->tmpname[0] = '\0';
	inst->repo = NULL;
}

/* Durable, then checked: the bytes verified are the bytes that stay. */
static int settle(struct nsd_install *inst, struct ns_err *err)
{
	if (inst->repo->cfg->type == NS_REPO_MEM) {
		if (fcntl(inst->fd, F_ADD_SEALS, SEALS) < 0)
			return ns_err_sys(err, errno, "seal the memfd");
		return 0;
	}
	if (fsync(inst->fd) < 0)
		return ns_err_sys(err, errno, "fsync");
	return 0;
}

static int publish(struct nsd_repo *r, struct nsd_install *inst, struct nsd_container *c,
		   struct ns_err *err)
{
	if (r->cfg->type == NS_REPO_MEM)
		return 0;
	char name[NS_CONTAINER_ID_STR_MAX + 8];
	snprintf(name, sizeof(name), "%s.npk", c->id);
	if (ns_renameat2(r->dirfd, inst->tmpname, r->dirfd, name, RENAME_NOREPLACE) < 0)
		return ns_err_sys(err, errno, "rename to '%s/%s'", r->cfg->dir, name);
	inst->tmpname[0] = '\0';
	if (fsync(r->dirfd) < 0)
		return ns_err_sys(err, errno, "fsync '%s'", r->cfg->dir);
	c->file = strdup(name);
	return c->file ? 0 : ns_err_set(err, ENOMEM, "out of memory");
}

struct nsd_container *nsd_install_finish(struct nsd *d, struct nsd_install *inst,
					 struct ns_console_error *e)
{
	if (!inst->repo) {
		*e = inst->error;
		return NULL;
	}
	struct nsd_repo *r = inst->repo;
	struct ns_err err = {0};
	struct nsd_container *c = NULL;
	if (settle(inst, &err) < 0 || !(c = load_npk(r, inst->fd, &err)))
		goto fail;
	if (nsd_find_str(d, c->id)) {
		/* the error outlives c: it borrows the name from the install */
		snprintf(inst->errtext, sizeof(inst->errtext), "%s", nsd_manifest(c)->name);
		nsd_error(e, NS_ERROR_INSTALL_DUPLICATE, c);
		e->container.name = inst->errtext;
		nsd_container_free(c);
		nsd_install_abort(d, inst);
		return NULL;
	}
	if (publish(r, inst, c, &err) < 0)
		goto fail;
	close(inst->fd);
	inst->fd = -1;
	unreserve(inst);
	account(r, c, 1);
	nsd_add(d, c);
	return c;
fail:
	nsd_container_free(c);
	memset(e, 0, sizeof(*e));
	nsd_error_text(e, NS_ERROR_UNEXPECTED, inst->errtext, sizeof(inst->errtext), "%s", err.msg);
	nsd_install_abort(d, inst);
	return NULL;
}

/* --- uninstall ----------------------------------------------------------------- */

int nsd_uninstall(struct nsd *d, struct nsd_container *c, bool wipe, struct ns_console_error *e,
		  char *buf, size_t size)
{
	struct ns_err err = {0};
	if (c->proc) {
		nsd_error(e, NS_ERROR_UMOUNT_BUSY, c);
		return -EBUSY;
	}
	if (c->blk) {
		struct nsd_container *user = nsd_resource_user(d, c);
		if (user) {
			nsd_error(e, NS_ERROR_UMOUNT_BUSY, user);
			return -EBUSY;
		}
		if (nsd_umount(d, c, &err) < 0) {
			nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "%s", err.msg);
			return ns_err_ret(&err);
		}
	}
	/* The wipe's one step comes first: a crash after it leaves the container
	 * installed without its data, never its data handed on after a wipe began. */
	const char *name = nsd_manifest(c)->name;
	char tomb[64] = "";
	/* Another version of the name running has the directory mounted: wiping it would
	 * pull its data away mid-run, and its writes could keep the delete going forever. */
	struct nsd_container *running = wipe ? nsd_running_named(d, name) : NULL;
	if (running) {
		nsd_error(e, NS_ERROR_UMOUNT_BUSY, running);
		return -EBUSY;
	}
	if (wipe) {
		ns_info(&d->log, NSD_TAG, "Wiping persistent data dir %s/%s of %s", d->cfg.data_dir,
			name, c->id);
		if (ns_persist_tombstone(d->cfg.data_dir, name, tomb, sizeof(tomb), &err) < 0) {
			nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "%s", err.msg);
			return ns_err_ret(&err);
		}
	}
	struct nsd_repo *r = c->repo;
	if (c->file) {
		if (unlinkat(r->dirfd, c->file, 0) < 0 && errno != ENOENT) {
			int fe = errno;
			nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "remove '%s/%s': %s",
				       r->cfg->dir, c->file, strerror(fe));
			/* not uninstalled: give the data back, or finish the wipe if we cannot */
			if (tomb[0] &&
			    ns_persist_untombstone(d->cfg.data_dir, tomb, name, &err) < 0)
				nsd_persist_wipe_tombstone(d, tomb);
			return -fe;
		}
		(void)fsync(r->dirfd);
	}
	account(r, c, -1);
	nsd_logs_end(d, c); /* nstar logs -f: no more lines will come */
	nsd_remove(d, c);
	if (tomb[0])
		nsd_persist_wipe_tombstone(d, tomb);
	return 0;
}

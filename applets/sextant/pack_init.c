/* sextant pack: is the manifest's init in the root being packed?
 *
 * A warning, never a refusal. The image is read-only, so an init that is neither in the
 * root nor below one of the manifest's mounts cannot start; but sextant sees only the
 * build host's tree: a symlink on the way is resolved in the container's view, and
 * Northstar's sextant packs such a manifest without a word, so scripts that rely on it
 * keep working. The warning is one line on stderr naming the manifest, the root and the
 * init, so that the mistake shows at packing time instead of at start on the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/err.h"
#include "libns/manifest.h"
#include "libns/path.h"
#include "libns/util.h"
#include "sextant.h"

/* True when a mount of the manifest covers path: a bind, resource, tmpfs or any other
 * mount there may provide the init at run time. */
static bool under_mount(const struct ns_manifest *m, const char *path)
{
	for (size_t i = 0; i < m->nmounts; i++) {
		size_t n = strlen(m->mounts[i].target);
		if (!strncmp(path, m->mounts[i].target, n) && (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

void sextant_pack_check_init(const char *manifest, const char *root, const struct ns_manifest *m)
{
	static const char *const pre = "sextant pack: warning";
	if (!m->init || under_mount(m, m->init))
		return;
	if (!root) {
		fprintf(stderr,
			"%s: %s: init '%s' is not packed: no --root given and no mount of the "
			"manifest provides it\n",
			pre, manifest, m->init);
		return;
	}
	ns_autoclose int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return; /* packing names this problem */
	struct ns_err err;
	ns_autoclose int fd =
	    ns_open_beneath(rootfd, m->init, O_PATH | O_NOFOLLOW | O_CLOEXEC, &err);
	struct stat st;
	if (fd == -ELOOP || (fd >= 0 && (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))))
		return; /* a symlink: resolved only in the container's view */
	if (fd < 0)
		fprintf(stderr,
			"%s: %s: init '%s' is not a file in root '%s' and no mount of the manifest "
			"provides it: the container cannot start\n",
			pre, manifest, m->init, root);
	else if (!S_ISREG(st.st_mode))
		fprintf(stderr, "%s: %s: init '%s' in root '%s' is not a regular file\n", pre,
			manifest, m->init, root);
	else if (!(st.st_mode & 0111))
		fprintf(stderr, "%s: %s: init '%s' in root '%s' is not executable (mode %04o)\n",
			pre, manifest, m->init, root, (unsigned)(st.st_mode & 07777));
}

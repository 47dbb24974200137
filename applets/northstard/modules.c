/* The kernel modules of config `modules`, loaded in order with finit_module before the
 * repositories open (an initramfs has no modprobe and no udev to load loop, squashfs
 * or dm-verity). A module the kernel already has is fine. */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libns/util.h"
#include "nsd.h"

#ifndef SYS_finit_module
#if defined(__x86_64__)
#define SYS_finit_module 313
#elif defined(__aarch64__)
#define SYS_finit_module 273
#elif defined(__arm__)
#define SYS_finit_module 379
#endif
#endif

int nsd_load_modules(struct nsd *d, struct ns_err *err)
{
	for (size_t i = 0; i < d->cfg.nmodules; i++) {
		const char *path = d->cfg.modules[i];
		ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ns_err_sys(err, errno, "modules: %s", path);
		if (syscall(SYS_finit_module, fd, "", 0) < 0) {
			if (errno == EEXIST) {
				ns_debug(&d->log, NSD_TAG, "module %s: already loaded", path);
				continue;
			}
			return ns_err_sys(err, errno, "modules: load %s", path);
		}
		ns_info(&d->log, NSD_TAG, "Loaded module %s", path);
	}
	return 0;
}

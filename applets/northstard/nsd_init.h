/* PID-1 mode (the binary as the initramfs' /init): init.c runs as PID 1 and starts the
 * daemon as its child; init_root.c gives it a root pivot_root accepts. */
#ifndef NSD_INIT_H
#define NSD_INIT_H

#include "libns/err.h"

/* The configuration PID-1 mode reads unless the kernel's command line names another
 * with northstar.config=PATH. */
#define NSD_INIT_CONFIG "/etc/northstar/northstar.yaml"

/* Set in the environment of the daemon PID-1 mode starts (the daemon's own; the
 * containers get an empty environment): config `init` applies. */
#define NSD_INIT_ENV "NORTHSTARD_PID1"

/* When / is the initramfs' rootfs: moves its files into a tmpfs that becomes /.
 * Returns 1 when it did, 0 when / is not rootfs. */
int nsd_init_leave_rootfs(struct ns_err *err);

#endif

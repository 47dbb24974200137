/* The container's network: a new namespace with `lo` up, the host's namespace, or a
 * named namespace (ip netns) joined with setns. A missing named namespace fails the
 * start; Northstar stayed in the host's namespace then. */
#ifndef NS_NETNS_H
#define NS_NETNS_H

#include "err.h"
#include "manifest.h"

#define NS_NETNS_DIR "/run/netns"

/* The clone flags a mode needs: CLONE_NEWNET for a new namespace; 0 for `host`, and for
 * a named namespace, which ns_net_enter joins. */
int ns_net_clone_flags(enum ns_network_mode mode);

/* Run by ns-init before it mounts sysfs (which shows the mounter's namespace):
 * new: brings `lo` up; namespace: joins netns_dir/NAME (NULL dir: NS_NETNS_DIR), which
 * must be a network namespace; host: nothing. */
int ns_net_enter(const struct ns_network *net, const char *netns_dir, struct ns_err *err);

/* Sets IFF_UP on `lo` of the current network namespace. */
int ns_net_lo_up(struct ns_err *err);

#endif

#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

int ns_net_clone_flags(enum ns_network_mode mode)
{
	return mode == NS_NET_NEW ? CLONE_NEWNET : 0;
}

int ns_net_lo_up(struct ns_err *err)
{
	/* Interface ioctls reach the device layer through any socket; AF_UNIX does not
	 * depend on the kernel having IPv4. */
	ns_autoclose int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return ns_err_sys(err, errno, "lo: socket");
	struct ifreq ifr = {0};
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return ns_err_sys(err, errno, "lo: read interface flags");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return ns_err_sys(err, errno, "lo: bring the interface up");
	return 0;
}

static bool netns_name_ok(const char *name)
{
	return name && name[0] && strlen(name) <= NS_NETNS_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int netns_join(const char *dir, const char *name, struct ns_err *err)
{
	if (!netns_name_ok(name))
		return ns_err_set(err, EINVAL, "network namespace name '%s' is not a plain name",
				  name ? name : "");
	ns_autoclose int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return ns_err_set(err, ENOENT, "network namespace '%s' does not exist (no '%s')",
				  name, dir);
	if (dfd < 0)
		return ns_err_sys(err, errno, "network namespace '%s': open '%s'", name, dir);
	ns_autoclose int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return ns_err_set(err, ENOENT, "network namespace '%s' does not exist (no '%s/%s')",
				  name, dir, name);
	if (fd < 0)
		return ns_err_sys(err, errno, "network namespace '%s': open '%s/%s'", name, dir,
				  name);
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return ns_err_sys(err, errno, "network namespace '%s': statfs", name);
	if (sf.f_type != NSFS_MAGIC)
		return ns_err_set(
		    err, EINVAL, "'%s/%s' is not a namespace (not mounted by ip netns)", dir, name);
	if (setns(fd, CLONE_NEWNET) < 0)
		return ns_err_sys(err, errno, "join network namespace '%s'", name);
	return 0;
}

int ns_net_enter(const struct ns_network *net, const char *netns_dir, struct ns_err *err)
{
	switch (net->mode) {
	case NS_NET_NEW:
		return ns_net_lo_up(err);
	case NS_NET_HOST:
		return 0;
	case NS_NET_NAMESPACE:
		return netns_join(netns_dir ? netns_dir : NS_NETNS_DIR, net->netns, err);
	}
	return ns_err_set(err, EINVAL, "unknown network mode %d", (int)net->mode);
}

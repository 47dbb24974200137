/* ns-init's parts: setup (root and application plan), the application's start, and
 * the supervisor that runs while the application lives. */
#ifndef NS_INIT_APPLET_H
#define NS_INIT_APPLET_H

#include <stdbool.h>
#include <sys/types.h>

#include "libns/app_setup.h"
#include "libns/err.h"
#include "libns/initproto.h"
#include "libns/launch.h"
#include "libns/manifest.h"

/* The launch socket: descriptor 3, given by the daemon. */
#define NS_INIT_SOCK 3

struct ns_init {
	char *text; /* the description's JSON, which desc points into */
	struct ns_launch_desc desc;
	int fds[NS_LAUNCH_FDS_MAX]; /* console and sockets, for the application */
	size_t nfds;
	struct ns_manifest manifest;
	bool have_manifest;
	struct ns_app_plan plan;
	bool have_plan;
	char **argv, **envp;
	int sigfd;
	pid_t app_pid;
};

/* The SELinux exec context, session, application plan (before pivot_root: it reads the host's group
 * file), signalfd, the container's root. */
int ns_init_setup(struct ns_init *in, struct ns_err *err);
/* Waits for the daemon's go (ns-init is then in the container's cgroup), forks the
 * application and waits until it has exec'd or failed; reports "started". */
int ns_init_start_app(struct ns_init *in, struct ns_err *err);
/* Drops ns-init's privileges, reaps, forwards signals, reports the application's exit
 * status. Returns ns-init's exit status. */
int ns_init_supervise(struct ns_init *in);

#endif

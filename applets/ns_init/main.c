/* ns-init: PID 1 inside each container.
 *
 * usage: ns-init   (started by northstard only, with its launch socket on descriptor 3)
 *
 * Receives the launch description (libns/initproto.h), sets the SELinux exec context
 * when it has one, prepares the application's credentials, limits and filter while the
 * host's /etc/group is still visible, builds the container's root (libns/rootfs.h),
 * waits for the daemon's go (sent once ns-init is in the container's cgroup) and forks
 * the application, which applies its setup in the fixed order of libns/app_setup.h and
 * execs. Then it reports "started", keeps only CAP_KILL, marks itself non-dumpable,
 * reaps every child, forwards every signal it receives to the application's process
 * group, and reports the application's exit status before it exits. A setup failure
 * is reported as an error with its reason; the daemon turns it into a start error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/initproto.h"
#include "libns/launch.h"
#include "libns/util.h"
#include "ns_init.h"

static const char usage[] = "usage: ns-init\n"
			    "\n"
			    "PID 1 of a container. Started by northstard, which passes the launch\n"
			    "description over descriptor 3; not meant to be run by hand.\n";

static int receive(struct ns_init *in, struct ns_err *err)
{
	size_t len;
	if (ns_initproto_recv(NS_INIT_SOCK, NS_INITPROTO_DESC_MAX, &in->text, &len, in->fds,
			      NS_LAUNCH_FDS_MAX, &in->nfds, err) < 0)
		return ns_err_ret(err);
	if (ns_launch_desc_decode(in->text, len, &in->desc, err) < 0)
		return ns_err_ret(err);
	if (in->desc.nfds != in->nfds)
		return ns_err_set(err, EINVAL, "launch description names %zu descriptors, %zu came",
				  in->desc.nfds, in->nfds);
	if (ns_manifest_parse("manifest.yaml", in->desc.manifest, in->desc.manifest_len,
			      &in->manifest, err) < 0)
		return ns_err_ret(err);
	in->have_manifest = true;
	return 0;
}

static void release(struct ns_init *in)
{
	if (in->have_plan)
		ns_app_plan_free(&in->plan);
	if (in->have_manifest)
		ns_manifest_free(&in->manifest);
	ns_launch_desc_free(&in->desc);
	free(in->text);
	free(in->argv);
	free(in->envp);
}

int ns_init_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "ns-init", usage))
		return 0;
	if (fcntl(NS_INIT_SOCK, F_GETFD) < 0) {
		fprintf(stderr, "ns-init: no launch socket on descriptor %d: started by hand?\n",
			NS_INIT_SOCK);
		return EXIT_USAGE;
	}
	prctl(PR_SET_NAME, "ns-init", 0, 0, 0); /* not the memfd's descriptor number */
	/* Every signal stays blocked: the supervisor reads them from a signalfd, and a
	 * blocked signal reaches a namespace's PID 1 even from outside. */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	struct ns_init in = {.app_pid = -1, .sigfd = -1};
	struct ns_err err = {0};
	int status = 1;
	if (receive(&in, &err) < 0 || ns_init_setup(&in, &err) < 0 ||
	    ns_init_start_app(&in, &err) < 0) {
		ns_initproto_report(NS_INIT_SOCK, NS_INIT_ERROR, 0, err.msg);
	} else {
		status = ns_init_supervise(&in);
	}
	release(&in);
	return status;
}

/* The messages between northstard and ns-init, over the SOCK_SEQPACKET socket the
 * daemon gives ns-init as descriptor 3.
 *
 *   daemon -> ns-init  the launch description (JSON, any size) with descriptors,
 *                      then "go" once the daemon has put ns-init into the container's
 *                      cgroup; ns-init forks the application only after the go
 *   ns-init -> daemon  reports: "warn TEXT", "started PID", "error TEXT",
 *                      "exit CODE", "signal N" (one per message)
 *
 * The description is everything ns-init needs and nothing it could get wrong: the
 * manifest text from the verified NPK (ns-init parses it for the application's
 * credentials, limits and filter), the init, arguments and environment after the
 * start request's overrides, and every mount with its host path already resolved. */
#ifndef NS_INITPROTO_H
#define NS_INITPROTO_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rootfs.h"

/* Largest description accepted (the manifest is at most 1 MiB). */
#define NS_INITPROTO_DESC_MAX (4u << 20)
/* Largest report; longer text is cut. */
#define NS_INITPROTO_REPORT_MAX 2048

struct ns_launch_desc {
	const char *container; /* "name:version" */
	const char *manifest;  /* YAML text of the NPK's manifest.yaml */
	size_t manifest_len;
	const char *root;     /* host path of the mounted image */
	const char *hostname; /* the container's name */
	const char *init;     /* absolute path inside the container */
	const char **args;    /* argv[1..] */
	size_t nargs;
	const char **env; /* "KEY=VALUE" */
	size_t nenv;
	struct ns_rootfs_mount *mounts;
	size_t nmounts;
	const char *netns_dir;	/* NULL: /run/netns */
	const char *group_file; /* NULL: /etc/group */
	/* SELinux exec context for the application (set only when the host has SELinux
	 * enabled): ns-init writes it to /proc/thread-self/attr/exec, and it takes effect at
	 * the application's execve. NULL: none. */
	const char *selinux_exec;
	/* A manifest without `seccomp` runs unfiltered (the repository's
	 * `missing_seccomp: unfiltered`); false, and when absent from the JSON: it gets the
	 * default profile. */
	bool seccomp_unfiltered;
	/* Descriptors that came with the description, in order; the application gets them
	 * on 3, 4, ... (console first, then sockets). */
	size_t nfds;

	cJSON *json; /* a decoded description's strings point into it */
};

/* JSON text of d (malloc'ed, NUL-terminated), or NULL with err set. */
char *ns_launch_desc_encode(const struct ns_launch_desc *d, struct ns_err *err);
/* Parses text (which must stay valid while d is used), checking every field. */
int ns_launch_desc_decode(const char *text, size_t len, struct ns_launch_desc *d,
			  struct ns_err *err);
void ns_launch_desc_free(struct ns_launch_desc *d);

/* Sends len bytes with fds (as SCM_RIGHTS on the first message). */
int ns_initproto_send(int sock, const char *data, size_t len, const int *fds, size_t nfds,
		      struct ns_err *err);
/* Receives one send: *data is malloc'ed and NUL-terminated; fds (close-on-exec) are
 * stored in fds[0..*nfds). Fails on more than maxfds descriptors or max bytes. */
int ns_initproto_recv(int sock, size_t max, char **data, size_t *len, int *fds, size_t maxfds,
		      size_t *nfds, struct ns_err *err);

/* The daemon's go (after the cgroup attach), and ns-init's wait for it: 0 on "go",
 * an error when the daemon closed the socket or sent something else. The go can find
 * ns-init gone (its setup failed): the send then fails with EPIPE or ECONNRESET, and
 * ns-init's reason is still there to read. */
int ns_initproto_go(int sock, struct ns_err *err);
int ns_initproto_await_go(int sock, struct ns_err *err);

enum ns_init_report_kind {
	NS_INIT_WARN,	   /* text: something the daemon should log */
	NS_INIT_STARTED,   /* value: the application's pid in the container */
	NS_INIT_ERROR,	   /* text: setup failed; ns-init exits */
	NS_INIT_EXIT,	   /* value: the application's exit code */
	NS_INIT_SIGNALLED, /* value: the signal that killed the application */
};

struct ns_init_report {
	enum ns_init_report_kind kind;
	int32_t value;
	char text[NS_INITPROTO_REPORT_MAX];
};

/* One message; no allocation. */
int ns_initproto_report(int sock, enum ns_init_report_kind kind, int32_t value, const char *text);
/* Returns 1 with a report, 0 at end of file, -EAGAIN when none is pending (a
 * non-blocking socket), or another negative errno (a malformed report: EBADMSG). */
int ns_initproto_read_report(int sock, struct ns_init_report *r, struct ns_err *err);

#endif

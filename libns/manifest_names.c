/* The names the manifest spells: capabilities, console permissions, rlimit resources,
 * mount types and options, and the small enums. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "manifest_int.h"
#include "util.h"

/* Indexed by capability number (linux/capability.h). */
static const char *const cap_names[NS_CAP_COUNT] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const char *ns_cap_name(unsigned cap)
{
	return cap < NS_CAP_COUNT ? cap_names[cap] : NULL;
}

int ns_cap_parse(const char *name, unsigned *out)
{
	for (unsigned i = 0; i < NS_CAP_COUNT; i++) {
		if (!strcmp(name, cap_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const perm_names[NS_PERM_COUNT] = {
    [NS_PERM_IDENT] = "ident",
    [NS_PERM_INSPECT] = "inspect",
    [NS_PERM_INSTALL] = "install",
    [NS_PERM_KILL] = "kill",
    [NS_PERM_LIST] = "list",
    [NS_PERM_NOTIFICATIONS] = "notifications",
    [NS_PERM_MOUNT] = "mount",
    [NS_PERM_REPOSITORIES] = "repositories",
    [NS_PERM_SHUTDOWN] = "shutdown",
    [NS_PERM_START] = "start",
    [NS_PERM_START_COMMAND] = "start_command",
    [NS_PERM_TOKEN_CREATE] = "token_create",
    [NS_PERM_TOKEN_VERIFICATION] = "token_verification",
    [NS_PERM_UMOUNT] = "umount",
    [NS_PERM_UNINSTALL] = "uninstall",
};

const char *ns_perm_name(enum ns_perm p)
{
	return (unsigned)p < NS_PERM_COUNT ? perm_names[p] : NULL;
}

int ns_perm_parse(const char *name, enum ns_perm *out)
{
	for (unsigned i = 0; i < NS_PERM_COUNT; i++) {
		if (!strcmp(name, perm_names[i])) {
			*out = (enum ns_perm)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct {
	const char *name;
	int resource;
} rlimits[NS_RLIMIT_COUNT] = {
    [NS_RLIMIT_AS] = {"as", RLIMIT_AS},
    [NS_RLIMIT_CORE] = {"core", RLIMIT_CORE},
    [NS_RLIMIT_CPU] = {"cpu", RLIMIT_CPU},
    [NS_RLIMIT_DATA] = {"data", RLIMIT_DATA},
    [NS_RLIMIT_FSIZE] = {"fsize", RLIMIT_FSIZE},
    [NS_RLIMIT_LOCKS] = {"locks", RLIMIT_LOCKS},
    [NS_RLIMIT_MEMLOCK] = {"memlock", RLIMIT_MEMLOCK},
    [NS_RLIMIT_MSGQUEUE] = {"msgqueue", RLIMIT_MSGQUEUE},
    [NS_RLIMIT_NICE] = {"nice", RLIMIT_NICE},
    [NS_RLIMIT_NOFILE] = {"nofile", RLIMIT_NOFILE},
    [NS_RLIMIT_NPROC] = {"nproc", RLIMIT_NPROC},
    [NS_RLIMIT_RSS] = {"rss", RLIMIT_RSS},
    [NS_RLIMIT_RTPRIO] = {"rtprio", RLIMIT_RTPRIO},
    [NS_RLIMIT_RTTIME] = {"rttime", RLIMIT_RTTIME},
    [NS_RLIMIT_SIGPENDING] = {"sigpending", RLIMIT_SIGPENDING},
    [NS_RLIMIT_STACK] = {"stack", RLIMIT_STACK},
};

const char *ns_rlimit_name(enum ns_rlimit_res r)
{
	return (unsigned)r < NS_RLIMIT_COUNT ? rlimits[r].name : NULL;
}

int ns_rlimit_resource(enum ns_rlimit_res r)
{
	return (unsigned)r < NS_RLIMIT_COUNT ? rlimits[r].resource : -EINVAL;
}

const char *const ns_mount_type_names[] = {
    [NS_MOUNT_BIND] = "bind",	[NS_MOUNT_PERSIST] = "persist",	  [NS_MOUNT_PROC] = "proc",
    [NS_MOUNT_SYSFS] = "sysfs", [NS_MOUNT_RESOURCE] = "resource", [NS_MOUNT_TMPFS] = "tmpfs",
    [NS_MOUNT_DEV] = "dev",	[NS_MOUNT_SOCKETS] = "sockets",
};
const size_t ns_mount_type_count = ARRAY_SIZE(ns_mount_type_names);

const char *ns_mount_type_name(enum ns_mount_type t)
{
	return (unsigned)t < ns_mount_type_count ? ns_mount_type_names[t] : NULL;
}

/* Bit n of NS_MOPT_* is ns_mount_option_names[n]; the order is Northstar's. */
const char *const ns_mount_option_names[] = {"rw", "noexec", "nosuid", "nodev", "rec"};
const size_t ns_mount_option_count = ARRAY_SIZE(ns_mount_option_names);

void ns_mount_options_str(unsigned options, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ns_mount_option_count && off < size; i++)
		if (options & (1u << i))
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? "," : "",
						ns_mount_option_names[i]);
}

const char *const ns_autostart_names[] = {
    [NS_AUTOSTART_NONE] = NULL,
    [NS_AUTOSTART_RELAXED] = "relaxed",
    [NS_AUTOSTART_CRITICAL] = "critical",
};
const char *const ns_io_mode_names[] = {
    [NS_IO_DISCARD] = "discard",
    [NS_IO_PIPE] = "pipe",
    [NS_IO_INHERIT] = "inherit",
};
const char *const ns_socket_type_names[] = {
    [NS_SOCK_STREAM] = "stream",
    [NS_SOCK_DATAGRAM] = "datagram",
    [NS_SOCK_SEQPACKET] = "seq_packet",
};

const char *ns_sched_policy_name(enum ns_sched_policy p)
{
	static const char *const names[] = {
	    [NS_SCHED_NONE] = NULL,	      [NS_SCHED_OTHER] = "other",
	    [NS_SCHED_BATCH] = "batch",	      [NS_SCHED_FIFO] = "fifo",
	    [NS_SCHED_RR] = "round_robin",    [NS_SCHED_IDLE] = "idle",
	    [NS_SCHED_DEADLINE] = "deadline",
	};
	return (unsigned)p < ARRAY_SIZE(names) ? names[p] : NULL;
}

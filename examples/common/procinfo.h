/* What a process sees of itself, printed as text: the inspect example and the
 * test-container's inspect command both show it, and the runtime's scenario tests
 * match these lines (spec tests-and-security.md §3). */
#ifndef EXAMPLE_PROCINFO_H
#define EXAMPLE_PROCINFO_H

/* getpid, getppid, getuid, getgid, getsid, getpgid, getgroups, pwd and exe, one
 * "key: value" line each. */
void pi_print_ids(void);

/* sched_getscheduler (the policy, without SCHED_RESET_ON_FORK), sched_priority and
 * getpriority. */
void pi_print_sched(void);

/* "caps <set>: {CAP_A, CAP_B}" for ambient, bounding, effective, inheritable and
 * permitted, read from /proc/self/status; "{}" for an empty set. */
void pi_print_caps(void);

/* "/proc/self/fd:", one "    /proc/self/fd/<n>: <target>" line per open fd (without the
 * fd of the listing itself) and "    total: <count>". */
void pi_print_fds(void);

/* The path quoted on a line of its own, then the file's contents as they are. */
void pi_dump_file(const char *path);

#endif

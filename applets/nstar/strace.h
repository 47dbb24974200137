/* The system call named by one line of strace output, as Northstar's nstar finds it:
 * the regular expression ^\s*(?:\[[^]]*]|\d+)?\s*([a-zA-Z0-9_]+)\( with its
 * leftmost-first (backtracking) semantics, which skips a "[pid N]" prefix or a bare
 * pid (strace -f). Pure, unit-tested in tests/unit/test_nstar.c. */
#ifndef NS_NSTAR_STRACE_H
#define NS_NSTAR_STRACE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true and the name (pointing into line) when line calls a system call. */
bool nstar_strace_syscall(const char *line, size_t len, const char **name, size_t *name_len);

#endif

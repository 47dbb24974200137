/* nstar's operands that need more than a copy: container ids, the command line of
 * start, signals. Pure functions, unit-tested in tests/unit/test_nstar.c. */
#ifndef NS_NSTAR_ARGS_H
#define NS_NSTAR_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libns/console_msg.h"
#include "libns/err.h"
#include "libns/version.h"

/* A container operand: "name:version", or a name alone (resolved by a list request). */
struct nstar_container_arg {
	const char *text;
	bool has_version;
	struct ns_container_id id; /* the name always; the version when given or resolved */
};
/* Fails with EINVAL naming the operand when it is neither a valid id nor a valid name. */
int nstar_container_arg_parse(const char *text, struct nstar_container_arg *out,
			      struct ns_err *err);
/* Picks the one installed version of a->id.name from list: errors "no container found
 * with name X" and "container X has multiple versions", as Northstar's nstar. */
int nstar_container_pick(struct nstar_container_arg *a, const struct ns_console_id *list, size_t n,
			 struct ns_err *err);

/* start's words after the container: the leading KEY=VALUE words are the environment
 * (a later key replaces an earlier one), the next word is init, the rest are the
 * arguments. No words at all is a plain start (init NULL, both lists empty). The
 * arrays point into argv; release them with nstar_command_free. */
struct nstar_command {
	struct ns_kv *env;
	size_t nenv;
	const char *init;
	const char **args;
	size_t nargs;
	char *keys; /* the environment's keys, NUL-separated */
};
int nstar_command_split(int argc, char *const *argv, struct nstar_command *out, struct ns_err *err);
void nstar_command_free(struct nstar_command *c);

/* A signal: a number (any i32: the runtime judges it) or a name with or without SIG
 * ("TERM", "SIGKILL", "int"). Returns 0 or -EINVAL. */
int nstar_signal_parse(const char *s, int32_t *out);

/* A count: decimal digits, at most max. Returns 0 or -EINVAL. */
int nstar_count_parse(const char *s, uint64_t max, uint64_t *out);

#endif

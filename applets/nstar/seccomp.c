/* nstar seccomp: an strace log to a manifest's seccomp section. Offline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "applets/applet.h"
#include "libns/seccomp_profile.h"
#include "libns/util.h"
#include "nstar.h"
#include "strace.h"

const char nstar_help_seccomp[] =
    "usage: nstar seccomp [--no-default-profile] STRACE_LOG\n"
    "\n"
    "Reads a log of 'strace -f -o STRACE_LOG PROGRAM' and prints the seccomp section of\n"
    "a manifest that allows the system calls in it (sorted):\n"
    "  profile: default\n"
    "  allow:\n"
    "    NAME: any\n"
    "Calls that the default profile already rules on are left out, as is 'allow'\n"
    "when nothing remains. Runs offline.\n"
    "\n"
    "  --no-default-profile   list every call, without 'profile: default'\n";

/* The names seen, sorted and unique. */
struct names {
	char **v;
	size_t n, cap;
};

static int find(const struct names *s, const char *name, size_t len, size_t *at)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(s->v[mid], name, len);
		if (c == 0 && s->v[mid][len] != '\0')
			c = 1;
		if (c == 0) {
			*at = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

static int add(struct names *s, const char *name, size_t len)
{
	size_t at;
	if (find(s, name, len, &at))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	char *copy = strndup(name, len);
	if (!copy)
		return -ENOMEM;
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
	s->v[at] = copy;
	s->n++;
	return 0;
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Drops every name that the default profile has a rule for: its answer (allowed, allowed
 * for some arguments only, or an errno) is deliberate, and "any" would override it. */
static int drop_profile_name(void *ctx, const struct ns_seccomp_profile_rule *r)
{
	struct names *s = ctx;
	size_t at;
	if (find(s, r->name, strlen(r->name), &at)) {
		free(s->v[at]);
		memmove(&s->v[at], &s->v[at + 1], (s->n - at - 1) * sizeof(*s->v));
		s->n--;
	}
	return 0;
}

static int read_log(const char *path, struct names *s)
{
	ns_autofclose FILE *f = fopen(path, "re");
	if (!f)
		return nstar_failf("failed to open strace log '%s': %s", path, strerror(errno));
	ns_autofree char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *name;
		size_t nlen;
		if (nstar_strace_syscall(line, (size_t)len, &name, &nlen) && add(s, name, nlen) < 0)
			return nstar_failf("out of memory");
	}
	if (ferror(f))
		return nstar_failf("read strace log '%s': %s", path, strerror(errno));
	return 0;
}

/* A key YAML would read as something other than a string gets quotes. */
static bool needs_quotes(const char *name)
{
	static const char *const words[] = {"true", "false", "null", "yes", "no",
					    "on",   "off",   "y",    "n",   "~"};
	if (name[0] >= '0' && name[0] <= '9')
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(name, words[i]))
			return true;
	return false;
}

static void print_section(const struct names *s, bool with_profile)
{
	if (!with_profile && s->n == 0) {
		puts("{}");
		return;
	}
	if (with_profile)
		puts("profile: default");
	if (s->n)
		puts("allow:");
	for (size_t i = 0; i < s->n; i++)
		printf(needs_quotes(s->v[i]) ? "  '%s': any\n" : "  %s: any\n", s->v[i]);
}

static int seccomp_opt(void *ctx, const struct nstar_flag *flag, const char *arg)
{
	(void)flag;
	(void)arg;
	*(bool *)ctx = true;
	return 0;
}

int nstar_cmd_seccomp(const struct nstar *ns, int argc, char **argv)
{
	(void)ns;
	const struct nstar_cmd *cmd = nstar_find_cmd("seccomp");
	bool no_default = false;
	int first = nstar_getopt(cmd, argc, argv, false, seccomp_opt, &no_default);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 1, 1))
		return EXIT_USAGE;
	struct names s = {0};
	int status = read_log(argv[first], &s);
	if (status == 0 && !no_default)
		ns_seccomp_profile_each(0, drop_profile_name, &s);
	if (status == 0)
		print_section(&s, !no_default);
	names_free(&s);
	return status;
}

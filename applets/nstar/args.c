/* Operand parsing for nstar: container ids and short names, start's command line,
 * signals and counts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "libns/libc_compat.h"

int nstar_container_arg_parse(const char *text, struct nstar_container_arg *out, struct ns_err *err)
{
	memset(out, 0, sizeof(*out));
	out->text = text;
	if (strchr(text, ':')) {
		if (ns_container_id_parse(text, &out->id, err) < 0)
			return ns_err_set(err, EINVAL,
					  "invalid container '%s': expected NAME:VERSION "
					  "with a version such as 1.0.0",
					  text);
		out->has_version = true;
		return 0;
	}
	size_t len = strlen(text);
	if (!ns_name_valid(text, len))
		return ns_err_set(err, EINVAL,
				  "invalid container name '%s': 1 to 1024 of "
				  "[0-9A-Za-z._-]",
				  text);
	memcpy(out->id.name, text, len + 1);
	return 0;
}

/* "0.0.1, 0.0.2" of every version of name in list, cut to fit buf. */
static void versions_of(const char *name, const struct ns_console_id *list, size_t n, char *buf,
			size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		if (strcmp(list[i].name, name) != 0)
			continue;
		char v[64];
		int w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				 ns_version_str(&list[i].version, v, sizeof(v)));
		if (w < 0)
			break;
		len += (size_t)w < size - len ? (size_t)w : size - len - 1;
	}
}

int nstar_container_pick(struct nstar_container_arg *a, const struct ns_console_id *list, size_t n,
			 struct ns_err *err)
{
	const struct ns_console_id *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].name, a->id.name) != 0)
			continue;
		if (found) {
			char versions[512], v[64];
			versions_of(a->id.name, list, n, versions, sizeof(versions));
			return ns_err_set(err, EEXIST,
					  "container %s has multiple versions installed (%s); name "
					  "one as NAME:VERSION, e.g. %s:%s",
					  a->id.name, versions, a->id.name,
					  ns_version_str(&found->version, v, sizeof(v)));
		}
		found = &list[i];
	}
	if (!found)
		return ns_err_set(err, ENOENT,
				  "no container named %s is installed; `nstar list` shows the "
				  "installed containers",
				  a->id.name);
	a->id.version = found->version;
	a->has_version = true;
	return 0;
}

/* The length of the key of an environment word, or 0 when the word is not KEY=VALUE. */
static size_t env_key_len(const char *word)
{
	const char *eq = strchr(word, '=');
	return eq && eq != word ? (size_t)(eq - word) : 0;
}

static int add_env(struct nstar_command *c, char **keys_end, const char *word, size_t klen)
{
	char *key = *keys_end;
	memcpy(key, word, klen);
	key[klen] = '\0';
	*keys_end += klen + 1;
	for (size_t i = 0; i < c->nenv; i++) {
		if (!strcmp(c->env[i].key, key)) { /* the later value wins, as in a map */
			c->env[i].value = word + klen + 1;
			return 0;
		}
	}
	c->env[c->nenv++] = (struct ns_kv){key, word + klen + 1};
	return 0;
}

int nstar_command_split(int argc, char *const *argv, struct nstar_command *out, struct ns_err *err)
{
	struct nstar_command c = {0};
	size_t keybytes = 0;
	int i = 0;
	for (; i < argc && env_key_len(argv[i]); i++)
		keybytes += env_key_len(argv[i]) + 1;
	size_t n = (size_t)(argc > 0 ? argc : 1);
	c.env = calloc(n, sizeof(*c.env));
	c.args = calloc(n, sizeof(*c.args));
	c.keys = malloc(keybytes + 1);
	if (!c.env || !c.args || !c.keys) {
		nstar_command_free(&c);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	char *keys_end = c.keys;
	for (int k = 0; k < i; k++)
		add_env(&c, &keys_end, argv[k], env_key_len(argv[k]));
	if (i < argc)
		c.init = argv[i++];
	for (; i < argc; i++)
		c.args[c.nargs++] = argv[i];
	*out = c;
	return 0;
}

void nstar_command_free(struct nstar_command *c)
{
	free(c->env);
	free(c->args);
	free(c->keys);
	memset(c, 0, sizeof(*c));
}

int nstar_count_parse(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int nstar_signal_parse(const char *s, int32_t *out)
{
	const char *digits = s[0] == '-' ? s + 1 : s;
	uint64_t v;
	if (*digits >= '0' && *digits <= '9') {
		if (nstar_count_parse(digits, s[0] == '-' ? (uint64_t)INT32_MAX + 1 : INT32_MAX,
				      &v) < 0)
			return -EINVAL;
		*out = s[0] == '-' ? (int32_t)(-(int64_t)v) : (int32_t)v;
		return 0;
	}
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = ns_sigabbrev(sig);
		if (abbrev && *name && strcasecmp(name, abbrev) == 0) {
			*out = sig;
			return 0;
		}
	}
	return -EINVAL;
}

/* libFuzzer target: nstar's parsers of outside text — console URLs, strace log lines
 * (nstar seccomp), container operands and signal names — on arbitrary bytes. The
 * applet's files are included because fuzz targets link only libns. */
#include <stdlib.h>
#include <string.h>

#include "applets/nstar/args.c"
#include "applets/nstar/strace.c"
#include "applets/nstar/url.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	struct ns_err err;
	struct nstar_url url;
	ns_err_clear(&err);
	if (nstar_url_parse(s, &url, &err) < 0 && strncmp(err.msg, "invalid url", 11) != 0)
		abort(); /* every refusal starts as the spec says */

	const char *name;
	size_t name_len;
	if (nstar_strace_syscall(s, size, &name, &name_len) &&
	    (name < s || name + name_len > s + size || name_len == 0))
		abort();

	struct nstar_container_arg arg;
	(void)nstar_container_arg_parse(s, &arg, &err);
	int32_t sig;
	(void)nstar_signal_parse(s, &sig);
	free(s);
	return 0;
}

/* `northstard --check`: loads the configuration and runs the preflight (libns/preflight.h),
 * printing each finding as `LEVEL  WHAT: detail` (levels ok, warn, fail; the fix is in
 * the detail) and a last line `FILE: ok` or `FILE: N failed`. */
#include <stdio.h>

#include "libns/config.h"
#include "libns/preflight.h"
#include "nsd_preflight.h"

static void print(const struct ns_pf_finding *f)
{
	printf("%-4s  %s: %s\n", ns_pf_level_name(f->level), f->what, f->detail);
}

static int run(const struct ns_config *c, const struct ns_pf_env *e, struct ns_pf_list *l)
{
	int r;
	if ((r = ns_preflight_keys(c, l)) < 0 || (r = ns_preflight_dirs(c, l)) < 0 ||
	    (r = ns_preflight_verity(c, e, l)) < 0 || (r = ns_preflight_root(e, l)) < 0 ||
	    (r = ns_preflight_kernel(c, e, l)) < 0 || (r = ns_preflight_cgroups(c, l)) < 0 ||
	    (r = ns_preflight_console(c, l)) < 0)
		return r;
	return 0;
}

int nsd_check(const char *config, bool no_mount_ns)
{
	struct ns_config c;
	struct ns_err err = {0};
	if (ns_config_load(config, &c, &err) < 0) {
		printf("fail  config: %s\n%s: failed\n", err.msg, config);
		return 1;
	}
	printf("ok    config: %s\n", config);
	char buf[300];
	struct ns_pf_env e;
	struct ns_pf_list l = {0};
	ns_pf_env_default(&e, buf, sizeof(buf));
	e.no_mount_ns = no_mount_ns;
	int r = run(&c, &e, &l);
	for (size_t i = 0; i < l.n; i++)
		print(&l.v[i]);
	size_t failed = ns_pf_count(&l, NS_PF_FAIL), warned = ns_pf_count(&l, NS_PF_WARN);
	if (r < 0)
		printf("fail  preflight: out of memory\n");
	if (r < 0 || failed)
		printf("%s: %zu failed, %zu warnings\n", config, failed + (r < 0), warned);
	else if (warned)
		printf("%s: ok, %zu warnings\n", config, warned);
	else
		printf("%s: ok\n", config);
	ns_pf_list_free(&l);
	ns_config_free(&c);
	return r < 0 || failed ? 1 : 0;
}
